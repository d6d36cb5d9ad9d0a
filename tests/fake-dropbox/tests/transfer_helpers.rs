//! The SDK's transfer helpers against the fake server: 300 MiB up and down
//! with equal content_hash, and an upload session resumed after an
//! interruption.

use dropbox::client::{Credentials, RetryPolicy, UserClient};
use dropbox::files::{CommitInfo, WriteMode};
use dropbox::transfer::{download_file, upload_file, DownloadOptions, SessionKind, UploadOptions};
use fake_dropbox::{content_hash, FakeDropbox, Fault};
use std::time::Duration;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fake-transfer-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Bytes that do not repeat within a 4 MiB block.
fn data(len: usize) -> Vec<u8> {
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    (0..len)
        .map(|_| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng as u8
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_300_mib_file_up_and_down_with_equal_content_hash() {
    let fake = FakeDropbox::builder().token("t").start().await.unwrap();
    let client = UserClient::with_config(Credentials::access_token("t"), fake.client_config());
    let dir = scratch("300");
    let content = data(300 << 20);
    let local = dir.join("big.bin");
    std::fs::write(&local, &content).unwrap();
    let want = content_hash(&content);

    let commit = CommitInfo::new("/Big/big.bin".into()).with_mode(WriteMode::Overwrite);
    let up = upload_file(&client, &local, commit, &UploadOptions::default())
        .await
        .unwrap();
    assert_eq!(up.size, 300 << 20);
    assert_eq!(up.content_hash.as_deref(), Some(want.as_str()));
    assert_eq!(fake.file("/big/big.bin").unwrap().to_vec(), content);

    let back = dir.join("back.bin");
    let options = DownloadOptions::default().with_parallel_ranges(32 << 20, 4);
    let down = download_file(&client, "/big/big.bin", &back, &options)
        .await
        .unwrap();
    assert_eq!(down.content_hash.as_deref(), Some(want.as_str()));
    let got = std::fs::read(&back).unwrap();
    assert_eq!(content_hash(&got), want);
    assert!(got == content);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_session_is_resumed_at_the_correct_offset() {
    let fake = FakeDropbox::builder().token("t").start().await.unwrap();
    // The client's own retry sends the lost append again; the fake, which
    // took it, answers incorrect_offset; the helper goes on from there.
    let client = UserClient::with_config(
        Credentials::access_token("t"),
        fake.client_config().with_retry(
            RetryPolicy::default()
                .with_backoff(Duration::from_millis(5), Duration::from_millis(20)),
        ),
    );
    let dir = scratch("resume");
    let content = data(40 << 20);
    let local = dir.join("f.bin");
    std::fs::write(&local, &content).unwrap();
    fake.faults()
        .inject("files/upload_session/append_v2", Fault::AnswerLost, 1);
    // A reset before the next append reaches the route, too.
    fake.faults()
        .inject("files/upload_session/append_v2", Fault::ResetMidBody, 1);
    let options = UploadOptions::default()
        .with_session(SessionKind::Sequential)
        .with_chunk_size(8 << 20)
        .with_single_request_max(0);
    let commit = CommitInfo::new("/resumed.bin".into());
    let meta = upload_file(&client, &local, commit, &options)
        .await
        .unwrap();
    assert_eq!(
        fake.faults().fired().len(),
        2,
        "both interruptions happened"
    );
    assert_eq!(
        meta.content_hash.as_deref(),
        Some(content_hash(&content).as_str())
    );
    assert_eq!(fake.file("/resumed.bin").unwrap().to_vec(), content);
    assert_eq!(fake.open_upload_sessions(), 0);
    std::fs::remove_dir_all(&dir).ok();
}
