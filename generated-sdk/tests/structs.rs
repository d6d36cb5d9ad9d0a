//! Struct fields as Stone's own serialisers read them.

use dropbox::team_log::{NamespaceRelativePathLogInfo, PathLogInfo};
use dropbox::wire::{from_str, to_string};

#[test]
fn a_field_of_a_struct_with_no_required_field_may_be_absent_or_null() {
    // `namespace_relative` is a NamespaceRelativePathLogInfo, whose fields
    // are all optional: Dropbox's Python SDK reads it absent or null as
    // that struct with no field given, and so do we.
    for json in [
        r#"{"contextual": "/x"}"#,
        r#"{"contextual": "/x", "namespace_relative": null}"#,
        r#"{"contextual": "/x", "namespace_relative": {}}"#,
    ] {
        let p: PathLogInfo = from_str(json).unwrap();
        assert_eq!(p.contextual.as_deref(), Some("/x"), "{json}");
        assert_eq!(
            p.namespace_relative,
            NamespaceRelativePathLogInfo::new(),
            "{json}"
        );
    }
    let given = r#"{"contextual": "/x", "namespace_relative": {"relative_path": "/y"}}"#;
    let p: PathLogInfo = from_str(given).unwrap();
    assert_eq!(p.namespace_relative.relative_path.as_deref(), Some("/y"));
    // It is still written, as the struct it defaults to.
    assert_eq!(
        to_string(&PathLogInfo::new()),
        r#"{"namespace_relative":{}}"#
    );
    // EmmErrorDetails' one field is such a struct: the event reads with it
    // absent. A field of another struct must still be there: a
    // LockFileResult's `lock` (a FileLock, whose `content` is required).
    assert!(from_str::<dropbox::team_log::EmmErrorDetails>("{}").is_ok());
    let file = r#"{".tag": "file", "name": "a", "id": "id:1", "client_modified": "2015-05-12T15:50:38Z", "server_modified": "2015-05-12T15:50:38Z", "rev": "a1c10ce0dd78", "size": 1}"#;
    let e = from_str::<dropbox::files::LockFileResult>(&format!(r#"{{"metadata": {file}}}"#))
        .unwrap_err();
    assert!(e.message.contains("missing field 'lock'"), "{e}");
}
