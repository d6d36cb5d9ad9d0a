//! Each injected fault, survived by the SDK's retries or token refresh,
//! with the data intact.

use dropbox::client::{ByteRange, Credentials, RetryPolicy, UserClient};
use dropbox::files::{DownloadArg, GetMetadataArg, UploadArg, WriteMode};
use fake_dropbox::{content_hash, FakeDropbox, Fault, RunningFake};
use std::time::Duration;

async fn fake() -> (RunningFake, UserClient) {
    let fake = FakeDropbox::builder().token("t").start().await.unwrap();
    let client = UserClient::with_config(Credentials::access_token("t"), fake.client_config());
    (fake, client)
}

fn data() -> Vec<u8> {
    (0..200_000u32).map(|i| (i * 31 % 253) as u8).collect()
}

async fn upload(client: &UserClient, path: &str, data: &[u8]) -> dropbox::files::FileMetadata {
    let arg = UploadArg::new(path.into()).with_mode(WriteMode::Add);
    dropbox::files::upload(client, &arg, data.to_vec())
        .await
        .unwrap()
}

#[tokio::test]
async fn rate_limit_is_waited_out() {
    let (fake, client) = fake().await;
    fake.faults().inject(
        "files/upload",
        Fault::RateLimit {
            retry_after_secs: 1,
        },
        1,
    );
    let start = std::time::Instant::now();
    let meta = upload(&client, "/rl.bin", &data()).await;
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "the client waited Retry-After"
    );
    assert_eq!(
        meta.content_hash.as_deref(),
        Some(content_hash(&data()).as_str())
    );
    assert_eq!(fake.faults().fired().len(), 1);
    assert_eq!(fake.file("/rl.bin").unwrap().to_vec(), data());
}

#[tokio::test]
async fn server_errors_are_retried() {
    let (fake, client) = fake().await;
    fake.faults().inject("files/upload", Fault::Status(500), 1);
    fake.faults().inject("files/upload", Fault::Status(503), 1);
    let meta = upload(&client, "/5xx.bin", &data()).await;
    assert_eq!(meta.size, data().len() as u64);
    assert_eq!(fake.faults().fired().len(), 2);
    // Exactly one file: the failed attempts wrote nothing.
    let list =
        dropbox::files::list_folder(&client, &dropbox::files::ListFolderArg::new(String::new()))
            .await
            .unwrap();
    assert_eq!(list.entries.len(), 1);
}

#[tokio::test]
async fn connection_resets_are_retried_and_downloads_resumed() {
    let (fake, client) = fake().await;
    fake.faults().inject("files/upload", Fault::ResetMidBody, 2);
    fake.faults()
        .inject("files/get_metadata", Fault::ResetMidBody, 1);
    let meta = upload(&client, "/reset.bin", &data()).await;
    assert_eq!(meta.size, data().len() as u64);
    dropbox::files::get_metadata(&client, &GetMetadataArg::new("/reset.bin".into()))
        .await
        .unwrap();
    assert_eq!(fake.faults().fired().len(), 3);

    // A download cut in the middle: the SDK hands over what arrived and
    // fails the body; resuming with a Range gets the rest, intact.
    fake.faults()
        .inject("files/download", Fault::ResetMidBody, 1);
    let arg = DownloadArg::new("/reset.bin".into());
    let mut d = dropbox::files::download(&client, &arg, None).await.unwrap();
    let mut got = vec![];
    let cut = loop {
        match d.body.chunk().await {
            Ok(Some(c)) => got.extend_from_slice(&c),
            Ok(None) => break false,
            Err(_) => break true,
        }
    };
    assert!(cut, "the body was cut");
    assert!(!got.is_empty() && got.len() < data().len());
    let rest = dropbox::files::download(&client, &arg, Some(ByteRange::From(got.len() as u64)))
        .await
        .unwrap();
    got.extend(rest.body.bytes().await.unwrap());
    assert_eq!(content_hash(&got), meta.content_hash.unwrap());
}

#[tokio::test]
async fn expired_tokens_are_refreshed() {
    let fake = FakeDropbox::builder()
        .app("key", "secret")
        .refresh_token("r", "key")
        .start()
        .await
        .unwrap();
    let client = UserClient::with_config(
        Credentials::refresh_token("r", "key").with_app_secret("secret"),
        fake.client_config(),
    );
    upload(&client, "/a.bin", b"first").await;
    fake.faults().inject("files/upload", Fault::ExpiredToken, 1);
    let meta = upload(&client, "/b.bin", &data()).await;
    assert_eq!(meta.size, data().len() as u64);
    // The one fault fired: the token was refused once, then refreshed.
    assert_eq!(fake.faults().fired().len(), 1);
    assert_eq!(fake.file("/b.bin").unwrap().to_vec(), data());

    // A short-lived token expires by itself and is refreshed before use.
    let short = FakeDropbox::builder()
        .app("key", "secret")
        .refresh_token("r", "key")
        .access_token_lifetime(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let client = UserClient::with_config(
        Credentials::refresh_token("r", "key")
            .with_app_secret("secret")
            .with_refresh_margin(Duration::ZERO),
        short.client_config(),
    );
    upload(&client, "/x", b"1").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = short.request_count();
    upload(&client, "/y", b"2").await;
    // A refresh, then the upload: no request went out with the dead token.
    assert_eq!(short.request_count() - before, 2);
}

#[tokio::test]
async fn slow_answers_past_the_timeout_are_retried() {
    let (fake, _) = fake().await;
    let client = UserClient::with_config(
        Credentials::access_token("t"),
        fake.client_config()
            .with_timeout(Duration::from_millis(500))
            .with_retry(
                RetryPolicy::default()
                    .with_backoff(Duration::from_millis(10), Duration::from_millis(20)),
            ),
    );
    fake.put_file("/slow.txt", b"s".to_vec()).unwrap();
    fake.faults().inject(
        "files/get_metadata",
        Fault::Slow(Duration::from_millis(1500)),
        1,
    );
    let start = std::time::Instant::now();
    let meta = dropbox::files::get_metadata(&client, &GetMetadataArg::new("/slow.txt".into()))
        .await
        .unwrap();
    assert_eq!(meta.name(), "slow.txt");
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_millis(1400),
        "{took:?}"
    );
    // A slow answer within the timeout is simply slow.
    fake.faults().inject(
        "files/get_metadata",
        Fault::Slow(Duration::from_millis(200)),
        1,
    );
    let start = std::time::Instant::now();
    dropbox::files::get_metadata(&client, &GetMetadataArg::new("/slow.txt".into()))
        .await
        .unwrap();
    assert!(start.elapsed() >= Duration::from_millis(200));
}
