//! Structs with enumerated subtypes: enums over the subtypes, with the
//! fields they share; an open hierarchy keeps an unknown subtype.

use dropbox::files::Metadata;
use dropbox::sharing::SharedLinkMetadata;
use dropbox::wire::{from_str, to_string};

#[test]
fn the_fields_every_subtype_has_are_reachable_from_the_enum() {
    let file: Metadata = from_str(
        r#"{".tag": "file", "name": "a.txt", "id": "id:1", "client_modified": "2015-05-12T15:50:38Z",
            "server_modified": "2015-05-12T15:50:38Z", "rev": "a1c10ce0dd78", "size": 7, "path_lower": "/a.txt"}"#,
    )
    .unwrap();
    assert!(matches!(file, Metadata::File(_)));
    assert_eq!(file.name(), "a.txt");
    assert_eq!(file.path_lower().as_deref(), Some("/a.txt"));
    let folder: Metadata = from_str(r#"{"name": "Docs", ".tag": "folder", "id": "id:2"}"#).unwrap();
    assert_eq!(folder.name(), "Docs");
}

#[test]
fn a_closed_hierarchy_rejects_an_unknown_subtype() {
    assert!(from_str::<Metadata>(r#"{".tag": "symlink", "name": "x"}"#).is_err());
}

#[test]
fn an_open_hierarchy_decodes_an_unknown_subtype_as_its_shared_fields_and_keeps_it() {
    let json = r#"{".tag": "video", "url": "https://www.dropbox.com/s/x", "name": "v.mp4",
        "link_permissions": {"can_revoke": false, "visibility_policies": [], "can_set_expiry": false,
            "can_remove_expiry": false, "allow_download": true, "can_allow_download": true,
            "can_disallow_download": false, "allow_comments": true, "team_restricts_comments": false},
        "duration": 12}"#;
    let link: SharedLinkMetadata = from_str(json).unwrap();
    match &link {
        SharedLinkMetadata::Unrecognized(base, unknown) => {
            assert_eq!(base.name, "v.mp4");
            assert_eq!(unknown.tag, "video");
        }
        other => panic!("expected an unknown subtype, got {other:?}"),
    }
    assert_eq!(link.url(), "https://www.dropbox.com/s/x");
    // Written back as it came.
    let back: serde_json::Value = serde_json::from_str(&to_string(&link)).unwrap();
    let sent: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(back, sent);
}
