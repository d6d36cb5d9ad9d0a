//! Token refresh: before expiry, after `expired_access_token` for every
//! route style, once for many concurrent calls; the code exchange.

use crate::support::{Recorded, Reply, TestServer};
use dropbox::client::oauth2::{exchange_code, Exchange, Pkce};
use dropbox::client::{ByteRange, Credentials, TokenInfo, UserClient};
use dropbox::files::{DownloadArg, GetMetadataArg, UploadArg};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

const FILE: &str = r#"{"name": "a.txt", "id": "id:1", "client_modified": "2015-05-12T15:50:38Z", "server_modified": "2015-05-12T15:50:38Z", "rev": "a1c10ce0dd78", "size": 7}"#;

/// A Dropbox that accepts only the newest token it issued ("sl.N"): the
/// token endpoint issues sl.1, sl.2, ... (slowly, so that concurrent calls
/// overlap it), and a route called with an older token answers
/// `expired_access_token`.
struct Fake {
    server: TestServer,
    issued: Arc<AtomicUsize>,
}

async fn fake(expires_in: u64) -> Fake {
    let issued = Arc::new(AtomicUsize::new(0));
    let n = issued.clone();
    let server = TestServer::start(move |r: &Recorded| {
        if r.path == "/oauth2/token" {
            let i = n.fetch_add(1, Ordering::SeqCst) + 1;
            return Reply::json(
                200,
                &format!(
                    r#"{{"access_token": "sl.{i}", "expires_in": {expires_in}, "token_type": "bearer", "scope": "files.content.read"}}"#
                ),
            )
            .after(Duration::from_millis(150));
        }
        let current = format!("Bearer sl.{}", n.load(Ordering::SeqCst));
        if r.header("authorization") != Some(current.as_str()) {
            return Reply::json(
                401,
                r#"{"error_summary": "expired_access_token/", "error": {".tag": "expired_access_token"}}"#,
            );
        }
        match r.path.as_str() {
            // The content "abc" from byte 1, as the test asks for.
            "/2/files/download" => Reply::json(206, "bc").header("dropbox-api-result", FILE),
            "/2/files/get_metadata" => Reply::json(200, &format!(r#"{{".tag": "file", {}"#, &FILE[1..])),
            _ => Reply::json(200, FILE),
        }
    })
    .await;
    Fake { server, issued }
}

fn refresh_form(r: &Recorded) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = r
        .text()
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    pairs.sort();
    pairs
}

#[tokio::test]
async fn a_refresh_token_gets_an_access_token_first_and_reports_it() {
    let f = fake(14400).await;
    let seen: Arc<Mutex<Vec<TokenInfo>>> = Arc::default();
    let sink = seen.clone();
    let creds = Credentials::refresh_token("rt-1", "app-key")
        .with_app_secret("app-secret")
        .on_refresh(move |t| sink.lock().unwrap().push(t.clone()));
    let client = UserClient::with_config(creds, f.server.config());
    let arg = GetMetadataArg::new("/a".into());
    dropbox::files::get_metadata(&client, &arg).await.unwrap();
    dropbox::files::get_metadata(&client, &arg).await.unwrap();
    let token_calls = f.server.requests_to("/oauth2/token");
    assert_eq!(token_calls.len(), 1, "a fresh token is reused");
    let t = &token_calls[0];
    assert_eq!(
        t.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        refresh_form(t),
        vec![
            ("client_id".into(), "app-key".into()),
            ("client_secret".into(), "app-secret".into()),
            ("grant_type".into(), "refresh_token".into()),
            ("refresh_token".into(), "rt-1".into()),
        ]
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].access_token.expose(), "sl.1");
    assert_eq!(seen[0].scope.as_deref(), Some("files.content.read"));
    let left = seen[0]
        .expires_at
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(left > Duration::from_secs(14000), "{left:?}");
}

#[tokio::test]
async fn a_token_near_expiry_is_refreshed_before_the_call() {
    let f = fake(14400).await;
    // A stored token with 60 s left, under the 300 s margin: refreshed
    // before use (PKCE app: no secret sent).
    f.issued.store(0, Ordering::SeqCst);
    let creds = Credentials::refresh_token("rt", "pkce-app")
        .with_access_token("sl.0", SystemTime::now() + Duration::from_secs(60));
    let client = UserClient::with_config(creds, f.server.config());
    dropbox::files::get_metadata(&client, &GetMetadataArg::new("/a".into()))
        .await
        .unwrap();
    let reqs = f.server.requests();
    assert_eq!(reqs[0].path, "/oauth2/token");
    assert!(!reqs[0].text().contains("client_secret"));
    assert_eq!(reqs[1].header("authorization"), Some("Bearer sl.1"));
    assert_eq!(reqs.len(), 2, "no request went out with the old token");

    // With an hour left, the stored token is used as it is.
    let f = fake(14400).await;
    let creds = Credentials::refresh_token("rt", "k")
        .with_access_token("sl.0", SystemTime::now() + Duration::from_secs(3600));
    let client = UserClient::with_config(creds, f.server.config());
    dropbox::files::get_metadata(&client, &GetMetadataArg::new("/a".into()))
        .await
        .unwrap();
    assert!(f.server.requests_to("/oauth2/token").is_empty());
}

#[tokio::test]
async fn expired_access_token_refreshes_once_for_every_style() {
    let f = fake(14400).await;
    // The server has issued sl.1 already: the stored sl.0 looks valid to
    // the client but Dropbox says it expired.
    f.issued.store(1, Ordering::SeqCst);
    let creds = Credentials::refresh_token("rt", "k")
        .with_access_token("sl.0", SystemTime::now() + Duration::from_secs(3600));
    let client = UserClient::with_config(creds, f.server.config());

    dropbox::files::get_metadata(&client, &GetMetadataArg::new("/a".into()))
        .await
        .unwrap();
    let auths: Vec<Option<String>> = f
        .server
        .requests()
        .iter()
        .map(|r| r.header("authorization").map(str::to_string))
        .collect();
    assert_eq!(
        auths,
        vec![Some("Bearer sl.0".into()), None, Some("Bearer sl.2".into())],
        "rejected, refreshed, retried"
    );

    // Upload and download: the token expires again (the server issues
    // a new one out of band), and each call refreshes and succeeds.
    f.issued.fetch_add(1, Ordering::SeqCst);
    dropbox::files::upload(&client, &UploadArg::new("/a".into()), b"xyz".to_vec())
        .await
        .unwrap();
    let uploads = f.server.requests_to("/2/files/upload");
    assert_eq!(uploads.len(), 2);
    assert!(
        uploads.iter().all(|r| r.body == b"xyz"),
        "the body is sent again"
    );
    f.issued.fetch_add(1, Ordering::SeqCst);
    let dl = dropbox::files::download(
        &client,
        &DownloadArg::new("/a".into()),
        Some(ByteRange::From(1)),
    )
    .await
    .unwrap();
    assert_eq!(dl.body.bytes().await.unwrap(), b"bc");
    let downloads = f.server.requests_to("/2/files/download");
    assert_eq!(downloads.len(), 2);
    assert!(
        downloads
            .iter()
            .all(|r| r.header("range") == Some("bytes=1-")),
        "the range is sent again"
    );
    assert_eq!(f.server.requests_to("/oauth2/token").len(), 3);
}

#[tokio::test]
async fn many_concurrent_calls_make_one_refresh() {
    // Nothing stored: all 20 calls need a token at once.
    let f = fake(14400).await;
    let client = UserClient::with_config(Credentials::refresh_token("rt", "k"), f.server.config());
    let arg = GetMetadataArg::new("/a".into());
    let calls = (0..20).map(|_| dropbox::files::get_metadata(&client, &arg));
    for r in futures_util::future::join_all(calls).await {
        r.unwrap();
    }
    assert_eq!(f.server.requests_to("/oauth2/token").len(), 1);

    // All 20 hold a token Dropbox then calls expired: still one refresh.
    f.issued.fetch_add(1, Ordering::SeqCst);
    let calls = (0..20).map(|_| dropbox::files::get_metadata(&client, &arg));
    for r in futures_util::future::join_all(calls).await {
        r.unwrap();
    }
    assert_eq!(f.server.requests_to("/oauth2/token").len(), 2);
}

#[tokio::test]
async fn a_plain_token_is_not_refreshed_and_a_refused_refresh_is_an_error() {
    let f = fake(14400).await;
    let client = UserClient::with_config(Credentials::access_token("sl.stale"), f.server.config());
    let err = dropbox::files::get_metadata(&client, &GetMetadataArg::new("/a".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            dropbox::Error::Auth {
                error: dropbox::auth::AuthError::ExpiredAccessToken,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(f.server.requests_to("/oauth2/token").is_empty());

    let server = TestServer::start(|_| {
        Reply::json(400, r#"{"error": "invalid_grant", "error_description": "refresh token is invalid or revoked"}"#)
    })
    .await;
    let client = UserClient::with_config(
        Credentials::refresh_token("rt-secret", "k"),
        server.config(),
    );
    let err = dropbox::files::get_metadata(&client, &GetMetadataArg::new("/a".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, dropbox::Error::OAuth { status: 400, error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("rt-secret"));
}

#[tokio::test]
async fn code_exchange_with_pkce() {
    let server = TestServer::start(|_| {
        Reply::json(200, r#"{"access_token": "sl.new", "expires_in": 14400, "token_type": "bearer", "refresh_token": "rt.new", "account_id": "dbid:1", "uid": "12"}"#)
    })
    .await;
    let pkce = Pkce::from_verifier("v".repeat(43));
    let info = exchange_code(
        &server.config(),
        "app",
        "the-code",
        Exchange::Pkce(&pkce),
        Some("http://localhost/cb"),
    )
    .await
    .unwrap();
    assert_eq!(info.access_token.expose(), "sl.new");
    assert_eq!(info.refresh_token.as_ref().unwrap().expose(), "rt.new");
    assert_eq!(info.account_id.as_deref(), Some("dbid:1"));
    let r = &server.requests()[0];
    assert_eq!(r.path, "/oauth2/token");
    assert_eq!(
        refresh_form(r),
        vec![
            ("client_id".into(), "app".into()),
            ("code".into(), "the-code".into()),
            ("code_verifier".into(), "v".repeat(43)),
            ("grant_type".into(), "authorization_code".into()),
            ("redirect_uri".into(), "http%3A%2F%2Flocalhost%2Fcb".into()),
        ]
    );
}

#[tokio::test]
async fn token_revocation_is_the_revoke_route() {
    let server = TestServer::start(|_| Reply::json(200, "null")).await;
    let client = UserClient::with_config(Credentials::access_token("sl.t"), server.config());
    dropbox::auth::token_revoke(&client).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.path, "/2/auth/token/revoke");
    assert_eq!(r.text(), "null");
    assert_eq!(r.header("authorization"), Some("Bearer sl.t"));
}

#[tokio::test]
async fn a_short_lived_token_is_not_refreshed_on_every_call() {
    // 100 s of life, under the 300 s margin: refreshed at half its life.
    let f = fake(100).await;
    let client = UserClient::with_config(Credentials::refresh_token("rt", "k"), f.server.config());
    for _ in 0..3 {
        dropbox::files::get_metadata(&client, &GetMetadataArg::new("/a".into()))
            .await
            .unwrap();
    }
    assert_eq!(f.server.requests_to("/oauth2/token").len(), 1);
}

#[tokio::test]
async fn a_refused_refresh_is_asked_once_for_all_waiting_calls() {
    let server = TestServer::start(|_| {
        Reply::json(
            400,
            r#"{"error": "invalid_grant", "error_description": "revoked"}"#,
        )
        .after(Duration::from_millis(150))
    })
    .await;
    let client = UserClient::with_config(Credentials::refresh_token("rt", "k"), server.config());
    let arg = GetMetadataArg::new("/a".into());
    let calls = (0..10).map(|_| dropbox::files::get_metadata(&client, &arg));
    for r in futures_util::future::join_all(calls).await {
        assert!(
            matches!(r, Err(dropbox::Error::OAuth { status: 400, .. })),
            "{r:?}"
        );
    }
    assert_eq!(server.requests_to("/oauth2/token").len(), 1);
}
