//! What the transfer helpers do on top of the client's own retries: they
//! wait no longer for a rate limit than the client's policy allows, and an
//! upload whose body the client cannot send again (a file, streamed) gets
//! the token the client refreshed.

use crate::support::{Reply, TestServer};
use dropbox::client::{Credentials, UserClient};
use dropbox::transfer::{download_file, upload_file, DownloadOptions, UploadOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

/// A directory of the test's own, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("dropbox-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_policy_allows_is_returned_not_waited_for() {
    let server = TestServer::start(|_| {
        Reply::json(
            429,
            r#"{"error_summary": "too_many_requests/..", "error": {"reason": {".tag": "too_many_requests"}, "retry_after": 86400}}"#,
        )
    })
    .await;
    let client = UserClient::with_config(Credentials::access_token("t"), server.config());
    let dir = TempDir::new("rate-limit");
    let started = Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        download_file(
            &client,
            "/a.txt",
            dir.0.join("a.txt"),
            &DownloadOptions::default(),
        ),
    )
    .await
    .expect("download_file returned instead of waiting a day");
    let e = result.unwrap_err();
    assert!(e.to_string().contains("rate"), "{e}");
    assert_eq!(server.requests().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn an_upload_the_client_cannot_resend_gets_the_refreshed_token() {
    let data = b"hello world".to_vec();
    let hash = dropbox::content_hash::content_hash(&data);
    let meta = format!(
        r#"{{"name": "a.txt", "id": "id:1", "client_modified": "2015-05-12T15:50:38Z", "server_modified": "2015-05-12T15:50:38Z", "rev": "a1c10ce0dd78", "size": {}, "content_hash": "{hash}"}}"#,
        data.len()
    );
    let server = TestServer::start(move |r| {
        if r.path == "/oauth2/token" {
            return Reply::json(
                200,
                r#"{"access_token": "new", "expires_in": 14400, "token_type": "bearer"}"#,
            );
        }
        if r.header("authorization") == Some("Bearer old") {
            return Reply::json(
                401,
                r#"{"error_summary": "expired_access_token/..", "error": {".tag": "expired_access_token"}}"#,
            );
        }
        Reply::json(200, &meta)
    })
    .await;
    // An access token the client believes valid for an hour, which the
    // server says has expired.
    let credentials = Credentials::refresh_token("refresh", "key")
        .with_access_token("old", SystemTime::now() + Duration::from_secs(3600));
    let client = UserClient::with_config(credentials, server.config());
    let dir = TempDir::new("expired-upload");
    let path = dir.0.join("a.txt");
    std::fs::write(&path, &data).unwrap();
    let commit = dropbox::files::CommitInfo::new("/a.txt".into());
    let uploaded = upload_file(&client, &path, commit, &UploadOptions::default())
        .await
        .unwrap();
    assert_eq!(uploaded.size, data.len() as u64);
    let seen: Vec<(String, Option<String>)> = server
        .requests()
        .iter()
        .map(|r| {
            (
                r.path.clone(),
                r.header("authorization").map(str::to_string),
            )
        })
        .collect();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(
        seen[0],
        ("/2/files/upload".into(), Some("Bearer old".into()))
    );
    assert_eq!(seen[1].0, "/oauth2/token");
    assert_eq!(
        seen[2],
        ("/2/files/upload".into(), Some("Bearer new".into()))
    );
}
