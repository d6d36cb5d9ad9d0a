//! Stone's constraints are checked before a request leaves, with an error
//! that names the field.

use dropbox::files::{CommitInfo, DeleteArg, DeleteBatchArg, GetMetadataArg, UploadArg};
use dropbox::wire::Validate;

#[test]
fn a_path_must_match_its_pattern() {
    assert!(GetMetadataArg::new("/Homework/math".into())
        .validate()
        .is_ok());
    assert!(GetMetadataArg::new("id:a4ayc_80_OEAAAAAAAAAYa".into())
        .validate()
        .is_ok());
    let err = GetMetadataArg::new("Homework/math".into())
        .validate()
        .unwrap_err();
    assert_eq!(err.path, "GetMetadataArg.path");
    assert!(err.message.contains("does not match the pattern"), "{err}");
}

#[test]
fn inherited_fields_are_checked_too() {
    let err = UploadArg::new("no-leading-slash".into())
        .validate()
        .unwrap_err();
    assert_eq!(err.path, "UploadArg.path");
    assert!(CommitInfo::new("/ok".into()).validate().is_ok());
}

#[test]
fn list_items_and_their_elements_are_checked() {
    let ok = DeleteBatchArg::new(vec![
        DeleteArg::new("/a".into()),
        DeleteArg::new("/b".into()),
    ]);
    assert!(ok.validate().is_ok());
    let bad_element = DeleteBatchArg::new(vec![
        DeleteArg::new("/a".into()),
        DeleteArg::new("b".into()),
    ]);
    let err = bad_element.validate().unwrap_err();
    assert_eq!(err.path, "DeleteBatchArg.entries > DeleteArg.path", "{err}");
    let too_many =
        DeleteBatchArg::new((0..1001).map(|i| DeleteArg::new(format!("/{i}"))).collect());
    let err = too_many.validate().unwrap_err();
    assert_eq!(err.path, "DeleteBatchArg.entries");
    assert_eq!(err.message, "has 1001 items, more than 1000");
}
