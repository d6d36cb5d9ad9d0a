//! The blocking client (feature `blocking`; the README's test command turns
//! every feature on): the same routes, from a thread without a runtime.
#![cfg(feature = "blocking")]

use crate::support::{Reply, TestServer};
use dropbox::client::{Blocking, Credentials, UserClient};

const FILE: &str = r#"{"name": "a.txt", "id": "id:1", "client_modified": "2015-05-12T15:50:38Z", "server_modified": "2015-05-12T15:50:38Z", "rev": "a1c10ce0dd78", "size": 3}"#;

#[test]
fn blocking_calls_of_each_style() {
    // The server runs on a runtime of its own thread.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(TestServer::start(|r| match r.path.as_str() {
        "/2/files/download" => Reply::json(200, "abc").header("dropbox-api-result", FILE),
        "/2/files/upload" => Reply::json(200, FILE),
        _ => Reply::json(
            409,
            r#"{"error_summary": "path/not_found/", "error": {".tag": "path", "path": {".tag": "not_found"}}}"#,
        ),
    }));
    let client = Blocking::new(UserClient::with_config(
        Credentials::access_token("t"),
        server.config(),
    ))
    .unwrap();
    let meta = dropbox::files::blocking::upload(
        &client,
        &dropbox::files::UploadArg::new("/a.txt".into()),
        b"abc".to_vec(),
    )
    .unwrap();
    assert_eq!(meta.size, 3);
    let dl = dropbox::files::blocking::download(
        &client,
        &dropbox::files::DownloadArg::new("/a.txt".into()),
        None,
    )
    .unwrap();
    let mut out = Vec::new();
    assert_eq!(client.copy_body(dl.body, &mut out).unwrap(), 3);
    assert_eq!(out, b"abc");
    let err = dropbox::files::blocking::get_metadata(
        &client,
        &dropbox::files::GetMetadataArg::new("/missing".into()),
    )
    .unwrap_err();
    assert!(matches!(
        err.route_error(),
        Some(dropbox::files::GetMetadataError::Path(
            dropbox::files::LookupError::NotFound
        ))
    ));
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/2/files/upload",
            "/2/files/download",
            "/2/files/get_metadata"
        ]
    );
}
