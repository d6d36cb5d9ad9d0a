//! Change watching against a server on 127.0.0.1: the latest cursor, long
//! polls that honour `backoff`, pages of changes, and the end on an error.

use crate::support::{Reply, TestServer};
use dropbox::client::{Credentials, UserClient};
use dropbox::files::{ListFolderArg, ListFolderContinueError, Metadata};
use dropbox::watch::{watch, WatchError, WatchOptions};
use futures_util::StreamExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FILE_A: &str = r#"{".tag": "file", "name": "a.txt", "id": "id:a4ayc_80_OEAAAAAAAAAXw", "client_modified": "2015-05-12T15:50:38Z", "server_modified": "2015-05-12T15:50:38Z", "rev": "a1c10ce0dd78", "size": 7, "path_lower": "/w/a.txt", "path_display": "/w/a.txt"}"#;
const DELETED_B: &str =
    r#"{".tag": "deleted", "name": "b.txt", "path_lower": "/w/b.txt", "path_display": "/w/b.txt"}"#;

fn client(server: &TestServer) -> UserClient {
    UserClient::with_config(Credentials::access_token("sl.watch-token"), server.config())
}

#[tokio::test]
async fn changes_arrive_page_by_page_after_the_backoff() {
    let longpolls: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let seen = longpolls.clone();
    let server = TestServer::start(move |r| match r.path.as_str() {
        "/2/files/list_folder/get_latest_cursor" => Reply::json(200, r#"{"cursor": "c0"}"#),
        "/2/files/list_folder/longpoll" => {
            let mut polls = seen.lock().unwrap();
            polls.push(Instant::now());
            match polls.len() {
                1 => Reply::json(200, r#"{"changes": false, "backoff": 1}"#),
                2 => Reply::json(200, r#"{"changes": true}"#),
                _ => Reply::json(200, r#"{"changes": false}"#).after(Duration::from_secs(30)),
            }
        }
        "/2/files/list_folder/continue" if r.text().contains("\"c0\"") => Reply::json(
            200,
            &format!(r#"{{"entries": [{FILE_A}], "cursor": "c1", "has_more": true}}"#),
        ),
        "/2/files/list_folder/continue" if r.text().contains("\"c1\"") => Reply::json(
            200,
            &format!(r#"{{"entries": [{DELETED_B}], "cursor": "c2", "has_more": false}}"#),
        ),
        _ => Reply::text(400, "unexpected"),
    })
    .await;
    let folder = ListFolderArg::new("/w".into()).with_recursive(true);
    let changes = watch(
        &client(&server),
        folder,
        WatchOptions::default().with_timeout(60),
    );
    let mut changes = std::pin::pin!(changes);
    let first = changes.next().await.unwrap().unwrap();
    let second = changes.next().await.unwrap().unwrap();
    assert!(
        matches!(&first[..], [Metadata::File(f)] if f.name == "a.txt"),
        "{first:?}"
    );
    assert!(
        matches!(&second[..], [Metadata::Deleted(d)] if d.name == "b.txt"),
        "{second:?}"
    );

    let polls = longpolls.lock().unwrap().clone();
    assert_eq!(polls.len(), 2);
    // Dropbox asked for 1 s of backoff between the two polls.
    assert!(
        polls[1] - polls[0] >= Duration::from_secs(1),
        "{:?}",
        polls[1] - polls[0]
    );

    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/2/files/list_folder/get_latest_cursor",
            "/2/files/list_folder/longpoll",
            "/2/files/list_folder/longpoll",
            "/2/files/list_folder/continue",
            "/2/files/list_folder/continue",
        ]
    );
    let requests = server.requests();
    assert!(requests[0].text().contains(r#""recursive":true"#));
    // The long poll is a noauth route: no token goes with it.
    assert_eq!(requests[1].header("authorization"), None);
    assert_eq!(requests[1].text(), r#"{"cursor":"c0","timeout":60}"#);
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer sl.watch-token")
    );
}

#[tokio::test]
async fn an_error_is_the_last_item() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/2/files/list_folder/get_latest_cursor" => Reply::json(200, r#"{"cursor": "c0"}"#),
        "/2/files/list_folder/longpoll" => Reply::json(200, r#"{"changes": true}"#),
        _ => Reply::json(
            409,
            r#"{"error_summary": "reset/", "error": {".tag": "reset"}}"#,
        ),
    })
    .await;
    let changes = watch(
        &client(&server),
        ListFolderArg::new("/w".into()),
        WatchOptions::default(),
    );
    let items: Vec<_> = changes.collect().await;
    assert_eq!(items.len(), 1);
    match &items[0] {
        Err(WatchError::Continue(e)) => {
            assert!(matches!(
                e.route_error(),
                Some(ListFolderContinueError::Reset)
            ))
        }
        other => panic!("{other:?}"),
    }
}
