//! The exact requests the client sends, for a route of each style, host
//! and auth kind, against a real HTTP server on 127.0.0.1.

use crate::support::{Reply, TestServer};
use dropbox::client::{
    AppClient, ByteRange, Credentials, Host, NoauthClient, TeamClient, UploadBody, UserClient,
};

const FILE: &str = r#"{"name": "a.txt", "id": "id:a4ayc_80_OEAAAAAAAAAXw", "client_modified": "2015-05-12T15:50:38Z", "server_modified": "2015-05-12T15:50:38Z", "rev": "a1c10ce0dd78", "size": 7, "path_lower": "/a.txt", "path_display": "/a.txt"}"#;
const TEAM_INFO: &str = r#"{"name": "Dropbox Inc.", "num_licensed_users": 5, "num_provisioned_users": 2, "num_used_licenses": 1, "policies": {"emm_state": {".tag": "disabled"}, "office_addin": {".tag": "disabled"}, "sharing": {"default_link_expiration_days_policy": {".tag": "none"}, "enforce_link_password_policy": {".tag": "optional"}, "group_creation_policy": {".tag": "admins_only"}, "shared_folder_join_policy": {".tag": "from_anyone"}, "shared_folder_link_restriction_policy": {".tag": "anyone"}, "shared_folder_member_policy": {".tag": "team"}, "shared_link_create_policy": {".tag": "team_only"}, "shared_link_default_permissions_policy": {".tag": "default"}}, "suggest_members_policy": {".tag": "enabled"}, "top_level_content_policy": {".tag": "admin_only"}}, "team_id": "dbtid:1234abcd"}"#;

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

fn user(server: &TestServer) -> UserClient {
    UserClient::with_config(Credentials::access_token("sl.user-token"), server.config())
}

#[tokio::test]
async fn rpc_user_route_on_the_api_host() {
    let server =
        TestServer::start(|_| Reply::json(200, &format!(r#"{{".tag": "file", {}"#, &FILE[1..])))
            .await;
    let client = user(&server);
    let arg = dropbox::files::GetMetadataArg::new("/a.txt".into()).with_include_deleted(true);
    let meta = dropbox::files::get_metadata(&client, &arg).await.unwrap();
    match meta {
        dropbox::files::Metadata::File(f) => assert_eq!(f.size, 7),
        other => panic!("{other:?}"),
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/2/files/get_metadata")
    );
    assert_eq!(
        r.dropbox_headers(),
        headers(&[
            ("authorization", "Bearer sl.user-token"),
            ("content-type", "application/json"),
        ])
    );
    assert!(r.header("user-agent").unwrap().starts_with("dropbox-rust/"));
    // Fields at their default are written too, as Stone's serializer does.
    assert_eq!(
        r.text(),
        r#"{"path":"/a.txt","include_media_info":false,"include_deleted":true,"include_has_explicit_shared_members":false}"#
    );
}

#[tokio::test]
async fn rpc_with_a_void_argument_sends_null() {
    let server = TestServer::start(|_| {
        Reply::json(200, r#"{"allocation": {".tag": "individual", "allocated": 10000000000}, "used": 314159265}"#)
    })
    .await;
    let usage = dropbox::users::get_space_usage(&user(&server))
        .await
        .unwrap();
    assert_eq!(usage.used, 314159265);
    let r = &server.requests()[0];
    assert_eq!(r.path, "/2/users/get_space_usage");
    assert_eq!(r.text(), "null");
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn upload_sends_the_argument_in_a_header_and_the_content_as_body() {
    let server = TestServer::start(|_| Reply::json(200, FILE)).await;
    let client = user(&server);
    let arg = dropbox::files::UploadArg::new("/Homework/café 😀.txt".into())
        .with_mode(dropbox::files::WriteMode::Overwrite);
    let meta = dropbox::files::upload(&client, &arg, b"hello, world".to_vec())
        .await
        .unwrap();
    assert_eq!(meta.name, "a.txt");
    let r = &server.requests()[0];
    assert_eq!(r.path, "/2/files/upload");
    // Non-ASCII escaped as \uXXXX, surrogate pairs above U+FFFF.
    assert_eq!(
        r.dropbox_headers(),
        headers(&[
            ("authorization", "Bearer sl.user-token"),
            ("content-type", "application/octet-stream"),
            (
                "dropbox-api-arg",
                r#"{"path":"/Homework/caf\u00e9 \ud83d\ude00.txt","mode":{".tag":"overwrite"},"autorename":false,"mute":false,"strict_conflict":false}"#
            ),
        ])
    );
    assert_eq!(r.body, b"hello, world");

    // From a file, and from a stream.
    let dir = std::env::temp_dir().join(format!("dropbox-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("content.bin");
    let content: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    dropbox::files::upload(&client, &arg, UploadBody::file(&path))
        .await
        .unwrap();
    let chunks = futures_util::stream::iter(vec![
        Ok(bytes::Bytes::from_static(b"one ")),
        Ok(bytes::Bytes::from_static(b"two")),
    ]);
    dropbox::files::upload(&client, &arg, UploadBody::stream(chunks))
        .await
        .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[1].body, content);
    assert_eq!(reqs[2].body, b"one two");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn download_reads_the_result_header_and_streams_the_content() {
    let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let body = content.clone();
    let server = TestServer::start(move |_| Reply {
        status: 200,
        headers: vec![
            ("dropbox-api-result".into(), FILE.into()),
            ("content-type".into(), "application/octet-stream".into()),
        ],
        body: body.clone(),
        delay: None,
    })
    .await;
    let client = user(&server);
    let arg = dropbox::files::DownloadArg::new("/a.txt".into());
    let mut dl = dropbox::files::download(&client, &arg, None).await.unwrap();
    assert_eq!(dl.result.rev, "a1c10ce0dd78");
    assert_eq!(dl.body.content_length(), Some(content.len() as u64));
    // Streamed: several chunks, not one buffer.
    let mut got = Vec::new();
    let mut chunks = 0;
    while let Some(c) = dl.body.chunk().await.unwrap() {
        got.extend_from_slice(&c);
        chunks += 1;
    }
    assert_eq!(got, content);
    assert!(chunks > 1, "{chunks} chunk(s)");
    let r = &server.requests()[0];
    assert_eq!(r.path, "/2/files/download");
    assert_eq!(
        r.dropbox_headers(),
        headers(&[
            ("authorization", "Bearer sl.user-token"),
            ("dropbox-api-arg", r#"{"path":"/a.txt"}"#),
        ])
    );
    assert!(r.body.is_empty());
}

/// A server that answers a range with 206 and that part, or (`honour`
/// false) ignores `Range` and sends the whole file with 200, as HTTP lets
/// it; the content is at byte i `i % 251`.
async fn ranged_server(len: usize, honour: bool) -> TestServer {
    let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    TestServer::start(move |r| {
        let whole = || Reply {
            status: 200,
            headers: vec![("dropbox-api-result".into(), FILE.into())],
            body: content.clone(),
            delay: None,
        };
        let Some(spec) = r.header("range").filter(|_| honour) else {
            return whole();
        };
        let (a, b) = spec.trim_start_matches("bytes=").split_once('-').unwrap();
        let (a, b) = match (a.parse::<usize>().ok(), b.parse::<usize>().ok()) {
            (Some(a), Some(b)) => (a, b.min(len - 1)),
            (Some(a), None) => (a, len - 1),
            (None, Some(n)) => (len - n, len - 1),
            (None, None) => return whole(),
        };
        Reply {
            status: 206,
            headers: vec![
                ("dropbox-api-result".into(), FILE.into()),
                ("content-range".into(), format!("bytes {a}-{b}/{len}")),
            ],
            body: content[a..=b].to_vec(),
            delay: None,
        }
    })
    .await
}

#[tokio::test]
async fn a_range_is_exactly_its_bytes_whether_the_server_honours_it_or_not() {
    let len = 2_500_000;
    let expected = |a: usize, b: usize| -> Vec<u8> { (a..=b).map(|i| (i % 251) as u8).collect() };
    for honour in [true, false] {
        let server = ranged_server(len, honour).await;
        let client = user(&server);
        let arg = dropbox::files::DownloadArg::new("/a.txt".into());
        for (range, header, a, b) in [
            (ByteRange::Span(0, 99), "bytes=0-99", 0, 99),
            (
                ByteRange::Span(1_000_000, 2_100_000),
                "bytes=1000000-2100000",
                1_000_000,
                2_100_000,
            ),
            (
                ByteRange::From(2_000_001),
                "bytes=2000001-",
                2_000_001,
                len - 1,
            ),
            (
                ByteRange::Last(70_000),
                "bytes=-70000",
                len - 70_000,
                len - 1,
            ),
        ] {
            let dl = dropbox::files::download(&client, &arg, Some(range))
                .await
                .unwrap();
            assert_eq!(
                dl.body.content_length(),
                Some((b - a + 1) as u64),
                "{range:?}, honoured: {honour}"
            );
            let got = dl.body.bytes().await.unwrap();
            assert_eq!(got.len(), b - a + 1, "{range:?}, honoured: {honour}");
            assert!(got == expected(a, b), "{range:?}, honoured: {honour}");
            let sent = server
                .requests()
                .last()
                .unwrap()
                .header("range")
                .map(str::to_string);
            assert_eq!(sent.as_deref(), Some(header));
        }
    }
}

#[tokio::test]
async fn each_host_has_its_own_base_url() {
    let api = TestServer::start(|_| {
        Reply::json(200, r#"{"entries": [], "cursor": "c", "has_more": false}"#)
    })
    .await;
    let content = TestServer::start(|_| Reply::json(200, FILE)).await;
    let notify =
        TestServer::start(|_| Reply::json(200, r#"{"changes": true, "backoff": 5}"#)).await;
    let config = dropbox::client::Config::default()
        .with_base_url(Host::Api, api.url.clone())
        .with_base_url(Host::Content, format!("{}/", content.url))
        .with_base_url(Host::Notify, notify.url.clone());
    let client = UserClient::with_config(Credentials::access_token("t"), config);
    dropbox::files::list_folder(&client, &dropbox::files::ListFolderArg::new(String::new()))
        .await
        .unwrap();
    dropbox::files::upload(
        &client,
        &dropbox::files::UploadArg::new("/x".into()),
        Vec::new(),
    )
    .await
    .unwrap();
    let changes = dropbox::files::list_folder_longpoll(
        &client,
        &dropbox::files::ListFolderLongpollArg::new("c".into()),
    )
    .await
    .unwrap();
    assert!(changes.changes);
    assert_eq!(changes.backoff, Some(5));
    assert_eq!(api.requests()[0].path, "/2/files/list_folder");
    assert_eq!(content.requests()[0].path, "/2/files/upload");
    // A noauth route: no Authorization even from a user client.
    let r = &notify.requests()[0];
    assert_eq!(r.path, "/2/files/list_folder/longpoll");
    assert_eq!(
        r.dropbox_headers(),
        headers(&[("content-type", "application/json")])
    );
    assert_eq!(r.text(), r#"{"cursor":"c","timeout":30}"#);
}

#[tokio::test]
async fn team_clients_act_as_members_and_admins() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/2/team/get_info" => Reply::json(200, TEAM_INFO),
        "/2/files/get_metadata" => {
            Reply::json(200, &format!(r#"{{".tag": "file", {}"#, &FILE[1..]))
        }
        _ => Reply::json(
            200,
            r#"{"allocation": {".tag": "individual", "allocated": 1}, "used": 1}"#,
        ),
    })
    .await;
    let team = TeamClient::with_config(Credentials::access_token("sl.team"), server.config());
    let info = dropbox::team::get_info(&team).await.unwrap();
    assert_eq!(info.team_id, "dbtid:1234abcd");
    dropbox::users::get_space_usage(&team.as_user("dbmid:member"))
        .await
        .unwrap();
    // An admin's client, on a route whose select_admin_mode allows it (a
    // route without one does not compile: see the client module's docs).
    let arg = dropbox::files::GetMetadataArg::new("/a.txt".into());
    dropbox::files::get_metadata(&team.as_admin("dbmid:admin"), &arg)
        .await
        .unwrap();
    let root = dropbox::common::PathRoot::Root("123".into());
    dropbox::users::get_space_usage(&team.as_user("dbmid:member").with_path_root(&root))
        .await
        .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[0].path, "/2/team/get_info");
    assert_eq!(
        reqs[0].dropbox_headers(),
        headers(&[
            ("authorization", "Bearer sl.team"),
            ("content-type", "application/json"),
        ])
    );
    assert_eq!(
        reqs[1].header("dropbox-api-select-user"),
        Some("dbmid:member")
    );
    assert_eq!(reqs[1].header("dropbox-api-select-admin"), None);
    assert_eq!(
        reqs[2].header("dropbox-api-select-admin"),
        Some("dbmid:admin")
    );
    assert_eq!(reqs[2].header("dropbox-api-select-user"), None);
    assert_eq!(
        reqs[3].header("dropbox-api-path-root"),
        Some(r#"{".tag":"root","root":"123"}"#)
    );
    assert_eq!(
        reqs[3].header("dropbox-api-select-user"),
        Some("dbmid:member")
    );
}

#[tokio::test]
async fn app_auth_uses_basic_and_app_user_routes_take_either() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/2/auth/token/from_oauth1" => Reply::json(200, r#"{"oauth2_token": "new"}"#),
        _ => Reply::json(200, r#"{"entries": [], "cursor": "c", "has_more": false}"#),
    })
    .await;
    let app = AppClient::with_config("key", "secret", server.config());
    #[allow(deprecated)]
    let out = dropbox::auth::token_from_oauth1(
        &app,
        &dropbox::auth::TokenFromOAuth1Arg::new("t".into(), "s".into()),
    )
    .await
    .unwrap();
    assert_eq!(out.oauth2_token, "new");
    let arg = dropbox::files::ListFolderArg::new(String::new());
    dropbox::files::list_folder(&app, &arg).await.unwrap();
    dropbox::files::list_folder(&user(&server), &arg)
        .await
        .unwrap();
    let reqs = server.requests();
    // base64("key:secret")
    assert_eq!(
        reqs[0].header("authorization"),
        Some("Basic a2V5OnNlY3JldA==")
    );
    assert_eq!(
        reqs[1].header("authorization"),
        Some("Basic a2V5OnNlY3JldA==")
    );
    assert_eq!(
        reqs[2].header("authorization"),
        Some("Bearer sl.user-token")
    );
    // A client without credentials sends none.
    let anon = NoauthClient::with_config(server.config());
    let _ = dropbox::files::list_folder_longpoll(
        &anon,
        &dropbox::files::ListFolderLongpollArg::new("c".into()),
    )
    .await;
    assert_eq!(server.requests()[3].header("authorization"), None);
}

#[tokio::test]
async fn an_argument_breaking_a_constraint_is_not_sent() {
    let server = TestServer::start(|_| Reply::json(200, FILE)).await;
    let arg = dropbox::files::GetMetadataArg::new("no leading slash".into());
    let err = dropbox::files::get_metadata(&user(&server), &arg)
        .await
        .unwrap_err();
    match &err {
        dropbox::Error::Invalid(v) => assert!(v.path.contains("path"), "{v}"),
        other => panic!("{other:?}"),
    }
    assert!(server.requests().is_empty());
}

/// Code generic over a client kind reaches every route that kind may call:
/// `user` implies `app, user` and `noauth`.
async fn list_then_poll<C: dropbox::client::UserAuth>(client: &C) -> bool {
    let page =
        dropbox::files::list_folder(client, &dropbox::files::ListFolderArg::new(String::new()))
            .await
            .unwrap();
    dropbox::files::list_folder_longpoll(
        client,
        &dropbox::files::ListFolderLongpollArg::new(page.cursor),
    )
    .await
    .unwrap()
    .changes
}

#[tokio::test]
async fn auth_kinds_imply_the_wider_ones_and_a_shared_http_client_keeps_the_settings() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/2/files/list_folder" => {
            Reply::json(200, r#"{"entries": [], "cursor": "c", "has_more": false}"#)
        }
        _ => Reply::json(200, r#"{"changes": true}"#),
    })
    .await;
    let config = server
        .config()
        .with_http_client(reqwest::Client::new())
        .with_user_agent("my-app/1.0");
    let client = UserClient::with_config(Credentials::access_token("t"), config);
    assert!(list_then_poll(&client).await);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs
        .iter()
        .all(|r| r.header("user-agent") == Some("my-app/1.0")));
}

#[tokio::test]
async fn debug_output_never_shows_a_token() {
    let client = UserClient::new(
        Credentials::refresh_token("refresh-secret", "app-key").with_app_secret("app-secret"),
    );
    let text = format!(
        "{client:?} {:?}",
        Credentials::access_token("sl.access-secret")
    );
    for secret in ["refresh-secret", "app-secret", "sl.access-secret"] {
        assert!(!text.contains(secret), "{text}");
    }
    let app = AppClient::new("key", "app-secret");
    assert!(!format!("{app:?}").contains("app-secret"));
    let pkce = dropbox::client::oauth2::Pkce::from_verifier("verifier-secret");
    let shown = format!(
        "{:?} {:?} {pkce:?}",
        dropbox::client::oauth2::Exchange::Secret("app-secret"),
        dropbox::client::oauth2::Exchange::Pkce(&pkce)
    );
    assert!(
        !shown.contains("app-secret") && !shown.contains("verifier-secret"),
        "{shown}"
    );
}
