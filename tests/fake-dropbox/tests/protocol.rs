//! The wire as a raw HTTP client sees it: content types, error bodies,
//! 400 texts, 401s, unknown routes, the token endpoint, sharing and file
//! requests.

use dropbox::client::{Credentials, UserClient};
use dropbox::sharing::{
    CreateSharedLinkWithSettingsArg, CreateSharedLinkWithSettingsError, ListSharedLinksArg,
    ModifySharedLinkSettingsArgs, RevokeSharedLinkArg, RevokeSharedLinkError,
    SharedLinkAlreadyExistsMetadata, SharedLinkSettings,
};
use dropbox::Error;
use fake_dropbox::FakeDropbox;

fn post(url: String) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(url)
        .header("Authorization", "Bearer t")
}

async fn answer(
    r: reqwest::RequestBuilder,
) -> (u16, Option<String>, String, reqwest::header::HeaderMap) {
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let ct = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    (status, ct, resp.text().await.unwrap(), headers)
}

#[tokio::test]
async fn rpc_upload_download_and_error_conventions() {
    let fake = FakeDropbox::builder().token("t").start().await.unwrap();
    let url = |r: &str| format!("{}/2/{r}", fake.base_url());

    let (status, ct, body, headers) = answer(
        post(url("files/upload"))
            .header("Dropbox-API-Arg", r#"{"path": "/caf\u00e9.txt"}"#)
            .header("Content-Type", "application/octet-stream")
            .body("hello"),
    )
    .await;
    assert_eq!(
        (status, ct.as_deref()),
        (200, Some("application/json")),
        "{body}"
    );
    assert!(headers.contains_key("x-dropbox-request-id"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["path_display"], "/café.txt");
    assert!(v.get(".tag").is_none());

    // A download: the result in an ASCII-only header, the content as body.
    let (status, _, body, headers) = answer(
        post(url("files/download")).header("Dropbox-API-Arg", r#"{"path": "/CAF\u00c9.txt"}"#),
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "hello"));
    let result = headers["dropbox-api-result"].to_str().unwrap();
    assert!(result.contains(r"/caf\u00e9.txt"), "{result}");

    // 409: error, error_summary; the route's error as Stone JSON.
    let (status, ct, body, _) = answer(
        post(url("files/get_metadata"))
            .header("Content-Type", "application/json")
            .body(r#"{"path": "/nope"}"#),
    )
    .await;
    assert_eq!((status, ct.as_deref()), (409, Some("application/json")));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v["error"],
        serde_json::json!({".tag": "path", "path": {".tag": "not_found"}})
    );
    assert_eq!(v["error_summary"], "path/not_found/..");

    // 400 in plain text: bad JSON, unknown field, wrong content type, the root.
    for (ct, arg) in [
        ("application/json", "{"),
        ("application/json", r#"{"path": "/a", "bogus": 1}"#),
        ("text/plain", r#"{"path": "/a"}"#),
        ("application/json", r#"{"path": ""}"#),
    ] {
        let (status, rct, body, _) = answer(
            post(url("files/get_metadata"))
                .header("Content-Type", ct)
                .body(arg),
        )
        .await;
        assert_eq!(status, 400, "{arg}: {body}");
        assert!(rct.unwrap().starts_with("text/plain"));
        assert!(body.contains("files/get_metadata"), "{body}");
    }

    // An upload without its argument header.
    let (status, _, body, _) = answer(
        post(url("files/upload"))
            .header("Content-Type", "application/octet-stream")
            .body("x"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("Dropbox-API-Arg"));

    // A route the fake does not implement says so, naming it.
    let (status, _, body, _) = answer(
        post(url("files/get_thumbnail_v2"))
            .header("Content-Type", "application/json")
            .body("{}"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body.contains("files/get_thumbnail_v2") && body.contains("does not implement"),
        "{body}"
    );

    // 401: no such token, as JSON with an auth.AuthError.
    let (status, ct, body, _) = answer(
        reqwest::Client::new()
            .post(url("users/get_current_account"))
            .header("Authorization", "Bearer wrong")
            .header("Content-Type", "application/json")
            .body("null"),
    )
    .await;
    assert_eq!((status, ct.as_deref()), (401, Some("application/json")));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"][".tag"], "invalid_access_token", "{body}");
    assert!(v["error_summary"].is_string());
}

#[tokio::test]
async fn shared_links_and_file_requests() {
    let fake = FakeDropbox::builder().token("t").start().await.unwrap();
    let client = UserClient::with_config(Credentials::access_token("t"), fake.client_config());
    fake.put_file("/Share/Doc.pdf", b"%PDF".to_vec()).unwrap();
    let arg = CreateSharedLinkWithSettingsArg::new("/share/doc.pdf".into())
        .with_settings(SharedLinkSettings::new().with_allow_download(true));
    let link = dropbox::sharing::create_shared_link_with_settings(&client, &arg)
        .await
        .unwrap();
    assert_eq!(link.name(), "Doc.pdf");
    assert!(link.url().starts_with("https://www.dropbox.com/scl/fi/"));
    let again = dropbox::sharing::create_shared_link_with_settings(&client, &arg)
        .await
        .unwrap_err();
    match again {
        Error::Route {
            error:
                CreateSharedLinkWithSettingsError::SharedLinkAlreadyExists(Some(
                    SharedLinkAlreadyExistsMetadata::Metadata(m),
                )),
            ..
        } => assert_eq!(m.url(), link.url()),
        other => panic!("{other:?}"),
    }
    let listed = dropbox::sharing::list_shared_links(
        &client,
        &ListSharedLinksArg::new().with_path("/Share/doc.pdf".into()),
    )
    .await
    .unwrap();
    assert_eq!(listed.links.len(), 1);
    let expires = dropbox::time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        + std::time::Duration::from_secs(3600);
    let modified = dropbox::sharing::modify_shared_link_settings(
        &client,
        &ModifySharedLinkSettingsArgs::new(link.url().to_string())
            .with_settings(SharedLinkSettings::new().with_expires(expires)),
    )
    .await
    .unwrap();
    assert!(
        matches!(modified, dropbox::sharing::SharedLinkMetadata::File(ref f) if f.expires == Some(expires))
    );
    dropbox::sharing::revoke_shared_link(
        &client,
        &RevokeSharedLinkArg::new(link.url().to_string()),
    )
    .await
    .unwrap();
    let twice = dropbox::sharing::revoke_shared_link(
        &client,
        &RevokeSharedLinkArg::new(link.url().to_string()),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        twice,
        Error::Route {
            error: RevokeSharedLinkError::SharedLinkNotFound,
            ..
        }
    ));

    use dropbox::file_requests::{
        CreateFileRequestArgs, GetFileRequestArgs, GetFileRequestError, ListFileRequestsArg,
    };
    let req = dropbox::file_requests::create(
        &client,
        &CreateFileRequestArgs::new("Homework".into(), "/Inbox".into()),
    )
    .await
    .unwrap();
    assert_eq!(req.destination.as_deref(), Some("/Inbox"));
    assert!(matches!(
        fake.metadata("/inbox"),
        Some(dropbox::files::Metadata::Folder(_))
    ));
    fake.put_file("/inbox/essay.txt", b"e".to_vec()).unwrap();
    let got = dropbox::file_requests::get(&client, &GetFileRequestArgs::new(req.id.clone()))
        .await
        .unwrap();
    assert_eq!(got.file_count, 1);
    let list = dropbox::file_requests::list_v2(&client, &ListFileRequestsArg::new())
        .await
        .unwrap();
    assert_eq!(list.file_requests.len(), 1);
    let missing = dropbox::file_requests::get(&client, &GetFileRequestArgs::new("nope".into()))
        .await
        .unwrap_err();
    assert!(matches!(
        missing,
        Error::Route {
            error: GetFileRequestError::NotFound,
            ..
        }
    ));
}

#[tokio::test]
async fn token_endpoint_refresh_pkce_and_revoke() {
    use dropbox::client::oauth2::{exchange_code, AuthorizeUrl, Exchange, Pkce, TokenAccessType};
    let fake = FakeDropbox::builder()
        .app("key", "secret")
        .refresh_token("r", "key")
        .start()
        .await
        .unwrap();

    // A refresh-token client gets its access token from the fake.
    let client = UserClient::with_config(
        Credentials::refresh_token("r", "key").with_app_secret("secret"),
        fake.client_config(),
    );
    dropbox::users::get_current_account(&client).await.unwrap();
    dropbox::auth::token_revoke(&client).await.unwrap();

    // The code flow with PKCE, through the fake's authorize page.
    let pkce = Pkce::new();
    let url = AuthorizeUrl::new("key")
        .with_base(fake.authorize_url())
        .with_pkce(&pkce)
        .with_token_access_type(TokenAccessType::Offline)
        .with_redirect_uri("http://localhost/cb")
        .with_state("s1")
        .build();
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("http://localhost/cb?code=") && location.ends_with("&state=s1"),
        "{location}"
    );
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let tokens = exchange_code(
        &fake.client_config(),
        "key",
        &code,
        Exchange::Pkce(&pkce),
        Some("http://localhost/cb"),
    )
    .await
    .unwrap();
    assert!(tokens.refresh_token.is_some());
    assert!(fake.token_is_valid(tokens.access_token.expose()));
    // A code is used once.
    let reused = exchange_code(
        &fake.client_config(),
        "key",
        &code,
        Exchange::Pkce(&pkce),
        Some("http://localhost/cb"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(reused, Error::OAuth { status: 400, ref error, .. } if error == "invalid_grant"),
        "{reused:?}"
    );
}
