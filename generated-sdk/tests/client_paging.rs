//! Pagination streams against a real HTTP server: the same entries, in the
//! same order, as calling `.../continue` by hand; errors from either route.

use crate::support::{Recorded, Reply, TestServer};
use dropbox::client::{Credentials, PageError, UserClient};
use dropbox::files::{ListFolderArg, ListFolderContinueArg, Metadata};
use futures_util::StreamExt;

/// A folder of `n` files served `per_page` at a time; the cursor is the
/// next offset.
fn folder(n: usize, per_page: usize) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    move |r: &Recorded| {
        let from = match r.path.as_str() {
            "/2/files/list_folder" => 0,
            "/2/files/list_folder/continue" => {
                let arg: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                match arg["cursor"].as_str().unwrap().parse::<usize>() {
                    Ok(i) => i,
                    Err(_) => {
                        return Reply::json(
                            409,
                            r#"{"error_summary": "reset/", "error": {".tag": "reset"}}"#,
                        )
                    }
                }
            }
            _ => return Reply::text(400, "unexpected route"),
        };
        let to = (from + per_page).min(n);
        let entries: Vec<String> = (from..to)
            .map(|i| format!(r#"{{".tag": "folder", "name": "f{i}", "id": "id:{i}"}}"#))
            .collect();
        Reply::json(
            200,
            &format!(
                r#"{{"entries": [{}], "cursor": "{to}", "has_more": {}}}"#,
                entries.join(", "),
                to < n
            ),
        )
    }
}

fn names(entries: &[Metadata]) -> Vec<String> {
    entries.iter().map(|m| m.name().clone()).collect()
}

#[tokio::test]
async fn the_stream_equals_continue_by_hand() {
    let server = TestServer::start(folder(10, 3)).await;
    let client = UserClient::with_config(Credentials::access_token("t"), server.config());
    let arg = ListFolderArg::new(String::new());

    let mut by_hand = vec![];
    let mut page = dropbox::files::list_folder(&client, &arg).await.unwrap();
    by_hand.extend(page.entries.clone());
    while page.has_more {
        page = dropbox::files::list_folder_continue(
            &client,
            &ListFolderContinueArg::new(page.cursor.clone()),
        )
        .await
        .unwrap();
        by_hand.extend(page.entries.clone());
    }
    let calls_by_hand = server.requests().len();
    assert_eq!(calls_by_hand, 4, "4 pages of 3, 3, 3, 1");

    let streamed: Vec<Metadata> = dropbox::files::list_folder_stream(&client, &arg)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(names(&streamed), names(&by_hand));
    assert_eq!(streamed.len(), 10);
    // The same calls again: one list_folder, then continue with each cursor.
    let calls: Vec<(String, String)> = server.requests()[calls_by_hand..]
        .iter()
        .map(|r| (r.path.clone(), r.text()))
        .collect();
    assert_eq!(
        calls,
        vec![
            (
                "/2/files/list_folder".to_string(),
                server.requests()[0].text()
            ),
            (
                "/2/files/list_folder/continue".into(),
                r#"{"cursor":"3"}"#.into()
            ),
            (
                "/2/files/list_folder/continue".into(),
                r#"{"cursor":"6"}"#.into()
            ),
            (
                "/2/files/list_folder/continue".into(),
                r#"{"cursor":"9"}"#.into()
            ),
        ]
    );

    let pages: Vec<usize> = dropbox::files::list_folder_pages(&client, &arg)
        .map(|p| p.unwrap().entries.len())
        .collect()
        .await;
    assert_eq!(pages, vec![3, 3, 3, 1]);
}

#[tokio::test]
async fn an_error_ends_the_stream_and_says_which_route() {
    // Cursors that the server then refuses.
    let server = TestServer::start(|r: &Recorded| match r.path.as_str() {
        "/2/files/list_folder" => Reply::json(
            200,
            r#"{"entries": [{".tag": "folder", "name": "a", "id": "id:a"}], "cursor": "bad", "has_more": true}"#,
        ),
        _ => Reply::json(409, r#"{"error_summary": "reset/", "error": {".tag": "reset"}}"#),
    })
    .await;
    let client = UserClient::with_config(Credentials::access_token("t"), server.config());
    let items: Vec<_> =
        dropbox::files::list_folder_stream(&client, &ListFolderArg::new(String::new()))
            .collect()
            .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().name(), "a");
    match &items[1] {
        Err(dropbox::Error::Route {
            error: PageError::Continue(dropbox::files::ListFolderContinueError::Reset),
            route,
            ..
        }) => assert_eq!(*route, "files/list_folder/continue"),
        other => panic!("{other:?}"),
    }
    let server = TestServer::start(|_: &Recorded| {
        Reply::json(409, r#"{"error_summary": "path/not_found/", "error": {".tag": "path", "path": {".tag": "not_found"}}}"#)
    })
    .await;
    let client = UserClient::with_config(Credentials::access_token("t"), server.config());
    let items: Vec<_> =
        dropbox::files::list_folder_stream(&client, &ListFolderArg::new("/nope".into()))
            .collect()
            .await;
    assert!(
        matches!(
            items.as_slice(),
            [Err(dropbox::Error::Route {
                error: PageError::First(dropbox::files::ListFolderError::Path(_)),
                ..
            })]
        ),
        "{items:?}"
    );
}

#[tokio::test]
async fn a_cursor_absent_on_the_last_page_ends_it() {
    // sharing/list_folders has no has_more: the cursor's absence ends it.
    let server = TestServer::start(|r: &Recorded| {
        let body = if r.path == "/2/sharing/list_folders" {
            r#"{"entries": [], "cursor": "next"}"#
        } else {
            r#"{"entries": []}"#
        };
        Reply::json(200, body)
    })
    .await;
    let client = UserClient::with_config(Credentials::access_token("t"), server.config());
    let pages =
        dropbox::sharing::list_folders_pages(&client, &dropbox::sharing::ListFoldersArgs::new())
            .count()
            .await;
    assert_eq!(pages, 2);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/2/sharing/list_folders",
            "/2/sharing/list_folders/continue"
        ]
    );
}
