//! Every error status decoded into its variant, and the retry sequences for
//! 429, 5xx and connection resets, against a real HTTP server.

use crate::support::{Reply, TestServer};
use dropbox::client::{Credentials, RetryPolicy, UserClient};
use dropbox::files::{GetMetadataArg, GetMetadataError, LookupError, UploadArg};
use dropbox::Error;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FILE: &str = r#"{".tag": "file", "name": "a.txt", "id": "id:1", "client_modified": "2015-05-12T15:50:38Z", "server_modified": "2015-05-12T15:50:38Z", "rev": "a1c10ce0dd78", "size": 7}"#;

async fn get_metadata(
    server: &TestServer,
    retry: RetryPolicy,
) -> Result<dropbox::files::Metadata, Error<GetMetadataError>> {
    let client = UserClient::with_config(
        Credentials::access_token("sl.secret-token"),
        server.config().with_retry(retry),
    );
    dropbox::files::get_metadata(&client, &GetMetadataArg::new("/a.txt".into())).await
}

/// A client of the server at `url`, with a token and this retry policy.
fn client_at(url: String, retry: RetryPolicy) -> UserClient {
    UserClient::with_config(
        Credentials::access_token("t"),
        dropbox::client::Config::default()
            .with_base_urls(url)
            .with_retry(retry),
    )
}

/// The default retries, with back-off delays of a few milliseconds.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::default().with_backoff(Duration::from_millis(5), Duration::from_millis(10))
}

/// The error for one fixed answer, without retries.
async fn error_for(reply: Reply) -> Error<GetMetadataError> {
    let server = TestServer::start(move |_| reply.clone()).await;
    let err = get_metadata(&server, RetryPolicy::none())
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1);
    // Whatever the error, no token in what a person or a log sees.
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("sl.secret-token"), "{shown}");
    err
}

#[tokio::test]
async fn route_error_409_with_user_message() {
    let err = error_for(Reply::json(
        409,
        r#"{"error_summary": "path/not_found/..", "error": {".tag": "path", "path": {".tag": "not_found"}}, "user_message": {"text": "Not there.", "locale": "en"}}"#,
    ))
    .await;
    match &err {
        Error::Route {
            route,
            error: GetMetadataError::Path(LookupError::NotFound),
            summary,
            user_message: Some(m),
            request_id,
        } => {
            assert_eq!(*route, "files/get_metadata");
            assert_eq!(summary, "path/not_found/..");
            assert_eq!((m.text.as_str(), m.locale.as_str()), ("Not there.", "en"));
            assert_eq!(request_id.as_deref(), Some("req-42"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "files/get_metadata: path/not_found/.. (Not there.) (request id req-42)"
    );
}

#[tokio::test]
async fn auth_error_401() {
    let err = error_for(Reply::json(
        401,
        r#"{"error_summary": "invalid_access_token/..", "error": {".tag": "invalid_access_token"}}"#,
    ))
    .await;
    assert!(
        matches!(&err, Error::Auth { error: dropbox::auth::AuthError::InvalidAccessToken, summary, .. } if summary == "invalid_access_token/.."),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("access token was refused"),
        "{err}"
    );
}

#[tokio::test]
async fn access_error_403() {
    let err = error_for(Reply::json(
        403,
        r#"{"error_summary": "team_access_denied/..", "error": {".tag": "team_access_denied"}}"#,
    ))
    .await;
    assert!(
        matches!(
            &err,
            Error::Access {
                error: dropbox::auth::AccessError::TeamAccessDenied,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn bad_input_400_keeps_the_text() {
    let err = error_for(Reply::text(
        400,
        "Error in call to API function \"files/get_metadata\": unknown field \"x\"",
    ))
    .await;
    match &err {
        Error::BadInput { message, .. } => assert!(message.contains("unknown field"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn path_root_error_422() {
    let err = error_for(Reply::json(
        422,
        r#"{"error_summary": "no_permission/..", "error": {".tag": "no_permission"}}"#,
    ))
    .await;
    assert!(
        matches!(&err, Error::PathRoot { error, .. } if **error == dropbox::common::PathRootError::NoPermission),
        "{err:?}"
    );
}

#[tokio::test]
async fn rate_limit_429_from_the_body_or_the_header() {
    let err = error_for(Reply::json(
        429,
        r#"{"error_summary": "too_many_write_operations/..", "error": {"reason": {".tag": "too_many_write_operations"}, "retry_after": 7}}"#,
    ))
    .await;
    match &err {
        Error::RateLimit {
            reason: dropbox::auth::RateLimitReason::TooManyWriteOperations,
            retry_after,
            ..
        } => assert_eq!(*retry_after, Duration::from_secs(7)),
        other => panic!("{other:?}"),
    }
    let err = error_for(Reply::text(429, "too many requests").header("retry-after", "12")).await;
    match &err {
        Error::RateLimit { retry_after, .. } => assert_eq!(*retry_after, Duration::from_secs(12)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_error_5xx_and_other_statuses() {
    let err = error_for(Reply::text(503, "unavailable")).await;
    assert!(
        matches!(&err, Error::Server { status: 503, message, .. } if message == "unavailable"),
        "{err:?}"
    );
    // A 400's text quoting the Authorization header keeps no token.
    let err = error_for(Reply::text(
        400,
        r#"Error in call to API function "files/get_metadata": Invalid authorization value in HTTP header "Authorization": "Bearer sl.secret-token""#,
    ))
    .await;
    assert!(
        matches!(&err, Error::BadInput { message, .. } if message.ends_with(r#""Bearer <redacted>""#)),
        "{err:?}"
    );
    let err = error_for(Reply::text(418, "teapot")).await;
    assert!(matches!(&err, Error::Http { status: 418, .. }), "{err:?}");
}

#[tokio::test]
async fn undecodable_answers_are_decode_errors_naming_the_route() {
    let err = error_for(Reply::json(200, r#"{"name": 3}"#)).await;
    match &err {
        Error::Decode { route, .. } => assert_eq!(*route, "files/get_metadata"),
        other => panic!("{other:?}"),
    }
    let err = error_for(Reply::json(
        409,
        r#"{"error": {".tag": "no_such_tag_in_a_closed_union", "x": 1}, "error_summary": ""}"#,
    ))
    .await;
    // GetMetadataError is closed: a tag it does not have is an error.
    assert!(matches!(&err, Error::Decode { .. }), "{err:?}");
    let err = error_for(Reply::text(409, "<html>")).await;
    assert!(matches!(&err, Error::Decode { .. }), "{err:?}");
    let err = error_for(Reply::json(200, "")).await;
    assert!(
        err.to_string()
            .starts_with("files/get_metadata: unexpected answer"),
        "{err}"
    );
}

#[tokio::test]
async fn transport_errors_name_the_route() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = client_at(url, RetryPolicy::none());
    let err = dropbox::files::get_metadata(&client, &GetMetadataArg::new("/a".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Transport {
                route: "files/get_metadata",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("files/get_metadata: could not reach Dropbox"),
        "{err}"
    );
}

/// A server answering the scripted replies in turn, then `last` forever.
async fn scripted(replies: Vec<Reply>, last: Reply) -> TestServer {
    let n = Arc::new(AtomicUsize::new(0));
    TestServer::start(move |_| {
        let i = n.fetch_add(1, Ordering::SeqCst);
        replies.get(i).cloned().unwrap_or_else(|| last.clone())
    })
    .await
}

#[tokio::test]
async fn retries_429_after_retry_after_then_succeeds() {
    let server = scripted(
        vec![Reply::json(
            429,
            r#"{"error_summary": "too_many_requests/", "error": {"reason": {".tag": "too_many_requests"}, "retry_after": 1}}"#,
        )],
        Reply::json(200, FILE),
    )
    .await;
    let start = Instant::now();
    get_metadata(&server, RetryPolicy::default()).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn retries_5xx_with_backoff_then_succeeds_or_gives_up() {
    let server = scripted(
        vec![Reply::text(500, "oops"), Reply::text(503, "busy")],
        Reply::json(200, FILE),
    )
    .await;
    get_metadata(
        &server,
        RetryPolicy::default().with_backoff(Duration::from_millis(5), Duration::from_millis(10)),
    )
    .await
    .unwrap();
    assert_eq!(server.requests().len(), 3);

    let server = scripted(vec![], Reply::text(502, "bad gateway")).await;
    let err = get_metadata(
        &server,
        RetryPolicy::default()
            .with_max_retries(3)
            .with_backoff(Duration::from_millis(5), Duration::from_millis(10)),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Server { status: 502, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 4, "one try and three retries");
}

#[tokio::test]
async fn upload_bodies_are_replayed_on_retry() {
    let server = scripted(
        vec![Reply::text(500, "oops")],
        Reply::json(200, &FILE.replace(r#"".tag": "file", "#, "")),
    )
    .await;
    let client = UserClient::with_config(Credentials::access_token("t"), server.config());
    let content = vec![7u8; 100_000];
    dropbox::files::upload(&client, &UploadArg::new("/a".into()), content.clone())
        .await
        .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| r.body == content));

    // A stream cannot be sent twice: the 500 is returned, not hidden.
    let server = scripted(vec![Reply::text(500, "oops")], Reply::json(200, "{}")).await;
    let client = UserClient::with_config(Credentials::access_token("t"), server.config());
    let stream = futures_util::stream::iter(vec![Ok(bytes::Bytes::from_static(b"abc"))]);
    let err = dropbox::files::upload(
        &client,
        &UploadArg::new("/a".into()),
        dropbox::client::UploadBody::stream(stream),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Server { status: 500, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

/// A server that resets the first `resets` connections, then answers 200.
async fn resetting_server(resets: usize) -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = sock.read(&mut buf).await;
                if n < resets {
                    // Linger 0: the close is a TCP reset.
                    #[allow(deprecated)]
                    let _ = sock.set_linger(Some(Duration::ZERO));
                    drop(sock);
                    return;
                }
                let body = FILE;
                let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
            });
        }
    });
    (url, count)
}

#[tokio::test]
async fn connection_resets_are_retried() {
    let (url, count) = resetting_server(2).await;
    let client = client_at(url, quick_retries());
    let meta = dropbox::files::get_metadata(&client, &GetMetadataArg::new("/a".into()))
        .await
        .unwrap();
    assert!(matches!(meta, dropbox::files::Metadata::File(_)));
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_answer_cut_after_success_is_not_sent_again() {
    // 200 and its headers, then the connection closes mid-body: Dropbox has
    // acted (a move, an upload), so the call fails instead of repeating it.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = sock.read(&mut buf).await;
                let _ = sock
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"name\": ")
                    .await;
            });
        }
    });
    let client = client_at(url, quick_retries());
    let err = dropbox::files::move_v2(
        &client,
        &dropbox::files::RelocationArg::new("/a".into(), "/b".into()),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                route: "files/move_v2",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_error_body_without_end_is_read_only_so_far() {
    // A 500 whose chunked body never ends: the client stops reading after
    // its limit (1 MiB) and returns the error, instead of filling memory.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicUsize::new(0));
    let sent_by_server = sent.clone();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = s.read(&mut request).await;
        let head = "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n";
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
        while s.write_all(chunk.as_bytes()).await.is_ok() {
            sent_by_server.fetch_add(64 * 1024, Ordering::SeqCst);
        }
    });
    let client = client_at(url, RetryPolicy::none());
    let arg = GetMetadataArg::new("/a".into());
    let call = dropbox::files::get_metadata(&client, &arg);
    let err = tokio::time::timeout(Duration::from_secs(30), call)
        .await
        .expect("the call returned")
        .unwrap_err();
    assert!(matches!(&err, Error::Server { status: 500, .. }), "{err:?}");
    // It stopped near the limit, not after the server's whole stream.
    assert!(sent.load(Ordering::SeqCst) < 64 << 20);
}

/// A server that answers every connection with these bytes, whatever was
/// asked (after reading the request), then closes it.
async fn raw_server(answer: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                // The request: its head, then as much body as it says.
                let (mut got, mut buf) = (Vec::new(), [0u8; 8192]);
                while let Ok(Ok(n @ 1..)) =
                    tokio::time::timeout(Duration::from_millis(500), s.read(&mut buf)).await
                {
                    got.extend_from_slice(&buf[..n]);
                    let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&got[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if got.len() >= end + 4 + length {
                        break;
                    }
                }
                let _ = s.write_all(&answer).await;
                let _ = s.shutdown().await;
            });
        }
    });
    url
}

#[tokio::test]
async fn malformed_answers_are_errors_not_panics() {
    let cases: [&[u8]; 10] = [
        // Bodies cut short, or longer than their length says.
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"name\": ",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"name\": \"a\"}",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc",
        // Not UTF-8, in a result and in an error.
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n\"\xff\xfe\"",
        b"HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: 22\r\n\r\n{\"error\": \"\xff\xfe\", \"a\":1}",
        // Rate limits with a Retry-After of garbage, of u64::MAX, and a
        // retry_after beyond any float.
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: \xff\xfe9999999999999999999999\r\nContent-Length: 2\r\n\r\nno",
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 18446744073709551615\r\nContent-Length: 2\r\n\r\nno",
        b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: 69\r\n\r\n{\"error\": {\"reason\": {\".tag\": \"too_many_requests\"}, \"retry_after\": 1e400}}",
        // A status no one uses, and a 401 that is not JSON.
        b"HTTP/1.1 999 Weird\r\nContent-Length: 2\r\n\r\nno",
        b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 5\r\n\r\n{{{{{",
    ];
    for answer in cases {
        let url = raw_server(answer.to_vec()).await;
        let client = client_at(url, RetryPolicy::none());
        let arg = GetMetadataArg::new("/a".into());
        let result = dropbox::files::get_metadata(&client, &arg).await;
        let shown = String::from_utf8_lossy(answer);
        assert!(result.is_err(), "{shown}: {result:?}");
    }
}
