//! A union's tag as a bare string or as `{".tag": ...}`: one decoder for
//! both forms, each kind of variant (void, struct, other value, nullable)
//! and the tags this SDK does not know.

use dropbox::files::SearchError;
use dropbox::team_log::EventDetails;
use dropbox::wire::{from_str, to_string};

#[test]
fn a_void_tag_decodes_bare_or_as_an_object() {
    for json in [r#""internal_error""#, r#"{".tag": "internal_error"}"#] {
        assert_eq!(
            from_str::<SearchError>(json).unwrap(),
            SearchError::InternalError,
            "{json}"
        );
    }
}

#[test]
fn a_nullable_value_is_none_as_a_bare_tag_and_kept_in_an_object() {
    assert_eq!(
        from_str::<SearchError>(r#""invalid_argument""#).unwrap(),
        SearchError::InvalidArgument(None)
    );
    assert_eq!(
        from_str::<SearchError>(r#"{"invalid_argument": "bad query", ".tag": "invalid_argument"}"#)
            .unwrap(),
        SearchError::InvalidArgument(Some("bad query".into()))
    );
}

#[test]
fn a_tag_typed_by_an_alias_of_a_nullable_is_nullable_too() {
    // `malformed_path MalformedPathError`, `alias MalformedPathError =
    // String?`: Dropbox answers a malformed path with the tag alone.
    use dropbox::files::LookupError;
    for json in [
        r#""malformed_path""#,
        r#"{".tag": "malformed_path"}"#,
        r#"{".tag": "malformed_path", "malformed_path": null}"#,
    ] {
        assert_eq!(
            from_str::<LookupError>(json).unwrap(),
            LookupError::MalformedPath(None),
            "{json}"
        );
    }
    let with = r#"{".tag": "malformed_path", "malformed_path": "no slash"}"#;
    let e = from_str::<LookupError>(with).unwrap();
    assert_eq!(e, LookupError::MalformedPath(Some("no slash".into())));
    assert_eq!(
        to_string(&e),
        r#"{".tag":"malformed_path","malformed_path":"no slash"}"#
    );
    assert_eq!(
        to_string(&LookupError::MalformedPath(None)),
        r#"{".tag":"malformed_path"}"#
    );
    // The same alias in another namespace's union.
    assert_eq!(
        from_str::<dropbox::sharing::GetSharedLinksError>(r#""path""#).unwrap(),
        dropbox::sharing::GetSharedLinksError::Path(None)
    );
}

#[test]
fn a_nullable_struct_tag_is_none_bare_or_with_no_other_key() {
    // Stone writes `Update(None)` as `{".tag": "update"}`: it must read
    // back, as a bare tag does, while fields beside the tag are the struct.
    use dropbox::file_requests::UpdateFileRequestDeadline as Deadline;
    assert_eq!(to_string(&Deadline::Update(None)), r#"{".tag":"update"}"#);
    for json in [r#""update""#, r#"{".tag": "update"}"#] {
        assert_eq!(
            from_str::<Deadline>(json).unwrap(),
            Deadline::Update(None),
            "{json}"
        );
    }
    let set = r#"{"deadline": "2020-10-12T17:00:00Z", ".tag": "update"}"#;
    match from_str::<Deadline>(set).unwrap() {
        Deadline::Update(Some(d)) => assert_eq!(d.deadline.unix_timestamp(), 1602522000),
        other => panic!("{other:?}"),
    }
    // Inside a struct, the reader goes on after the tag alone.
    let arg = r#"{"id": "oaCAVmEyrqYnkZX9955Y", "deadline": {".tag": "update"}, "open": true}"#;
    let arg: dropbox::file_requests::UpdateFileRequestArgs = from_str(arg).unwrap();
    assert_eq!(arg.deadline, Deadline::Update(None));
    assert_eq!(arg.open, Some(true));
}

#[test]
fn a_value_the_tag_needs_cannot_come_as_a_bare_tag() {
    let e = from_str::<SearchError>(r#""path""#).unwrap_err();
    assert!(
        e.to_string()
            .contains("tag 'path' of SearchError needs a value"),
        "{e}"
    );
    // In an object, the value under the tag's key.
    let ok = from_str::<SearchError>(r#"{".tag": "path", "path": {".tag": "not_found"}}"#).unwrap();
    assert_eq!(ok, SearchError::Path(dropbox::files::LookupError::NotFound));
    let missing = from_str::<SearchError>(r#"{".tag": "path"}"#).unwrap_err();
    assert!(
        missing.to_string().contains("missing value of tag 'path'"),
        "{missing}"
    );
}

#[test]
fn a_struct_tag_bare_is_the_struct_with_no_fields_given() {
    let bare = from_str::<EventDetails>(r#""missing_details""#).unwrap();
    let object = from_str::<EventDetails>(r#"{".tag": "missing_details"}"#).unwrap();
    assert_eq!(bare, object);
    match from_str::<EventDetails>(r#"{"source_event_fields": "x", ".tag": "missing_details"}"#)
        .unwrap()
    {
        EventDetails::MissingDetails(d) => assert_eq!(d.source_event_fields.as_deref(), Some("x")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_tag_is_kept_in_either_form_and_encodes_back_as_it_came() {
    for json in [
        r#""brand_new""#,
        r#"{".tag":"brand_new","brand_new":[1,2]}"#,
    ] {
        let v = from_str::<SearchError>(json).unwrap();
        match &v {
            SearchError::Unrecognized(u) => assert_eq!(u.tag, "brand_new"),
            other => panic!("{other:?}"),
        }
        assert_eq!(to_string(&v), json);
    }
    let e = from_str::<SearchError>(r#"{"path": 1}"#).unwrap_err();
    assert!(
        e.to_string().contains("missing .tag for SearchError"),
        "{e}"
    );
}
