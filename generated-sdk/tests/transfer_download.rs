//! The download helper against a small Dropbox on 127.0.0.1: streamed or
//! in parallel ranges, resumed where the content broke off, content_hash
//! checked before the file takes its name.

use crate::transfer_server::{dropbox_hash, FakeDropbox, Fault};
use bytes::Bytes;
use dropbox::content_hash::content_hash_file;
use dropbox::transfer::{download_file, DownloadOptions, Progress, TransferError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const MIB: usize = 1024 * 1024;

fn content(len: usize, seed: u64) -> Bytes {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut v = vec![0u8; len];
    rng.fill(&mut v);
    Bytes::from(v)
}

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dropbox-download-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn part_of(path: &std::path::Path) -> PathBuf {
    let mut name = path.file_name().unwrap().to_os_string();
    name.push(".dropbox-part");
    path.with_file_name(name)
}

#[tokio::test]
async fn a_file_is_streamed_to_disk_with_progress() {
    let server = FakeDropbox::start().await;
    let data = content(6 * MIB + 11, 10);
    server.put_file("/Photos/big.jpg", data.clone());
    let local = temp_path("big.jpg");
    let log: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let sink = log.clone();
    let options = DownloadOptions::default().with_progress(move |p| sink.lock().unwrap().push(p));
    let meta = download_file(&server.client(), "/Photos/big.jpg", &local, &options)
        .await
        .unwrap();
    assert_eq!(meta.size, data.len() as u64);
    assert_eq!(std::fs::read(&local).unwrap(), data);
    assert_eq!(server.ranges(), [None]);
    let log = log.lock().unwrap();
    assert!(log.len() > 1, "progress is reported as content arrives");
    assert_eq!(log.last().unwrap().done, data.len() as u64);
    assert!(!part_of(&local).exists());
}

#[tokio::test]
async fn parallel_ranges_make_the_same_file() {
    let server = FakeDropbox::start().await;
    let data = content(21 * MIB + 3, 11);
    server.put_file("/v.mp4", data.clone());
    let local = temp_path("v.mp4");
    let options = DownloadOptions::default().with_parallel_ranges(8 * MIB as u64, 2);
    let meta = download_file(&server.client(), "/v.mp4", &local, &options)
        .await
        .unwrap();
    assert_eq!(
        meta.content_hash.as_deref(),
        Some(dropbox_hash(&data).as_str())
    );
    assert_eq!(std::fs::read(&local).unwrap(), data);
    let mut ranges = server.ranges();
    ranges.sort();
    let m = MIB as u64;
    assert_eq!(
        ranges,
        [
            Some(format!("bytes=0-{}", 8 * m - 1)),
            Some(format!("bytes={}-{}", 16 * m, 21 * m + 2)),
            Some(format!("bytes={}-{}", 8 * m, 16 * m - 1)),
        ]
    );
}

#[tokio::test]
async fn content_that_breaks_off_is_resumed_where_it_stopped() {
    let server = FakeDropbox::start().await;
    let data = content(5 * MIB, 12);
    server.put_file("/a.bin", data.clone());
    server.arm(Fault::BreakDownload { after: 3 * MIB + 1 });
    let local = temp_path("a.bin");
    download_file(
        &server.client(),
        "/a.bin",
        &local,
        &DownloadOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read(&local).unwrap(), data);
    assert_eq!(
        server.ranges(),
        [None, Some(format!("bytes={}-", 3 * MIB + 1))]
    );

    // Broken after the last byte: complete, nothing more to ask for.
    server.arm(Fault::BreakDownload { after: 5 * MIB });
    download_file(
        &server.client(),
        "/a.bin",
        &local,
        &DownloadOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read(&local).unwrap(), data);
    assert_eq!(server.ranges().len(), 3);
}

#[tokio::test]
async fn content_that_does_not_match_its_hash_is_not_kept() {
    let server = FakeDropbox::start().await;
    let data = content(9 * MIB, 13);
    server.put_file("/c.bin", data.clone());
    for options in [
        DownloadOptions::default(),
        DownloadOptions::default().with_parallel_ranges(4 * MIB as u64, 3),
    ] {
        server.arm(Fault::CorruptDownload);
        let local = temp_path("c.bin");
        std::fs::write(&local, b"the old version").unwrap();
        let err = download_file(&server.client(), "/c.bin", &local, &options)
            .await
            .unwrap_err();
        assert!(matches!(err, TransferError::HashMismatch { .. }), "{err:?}");
        // The old file is untouched and nothing partial is left.
        assert_eq!(std::fs::read(&local).unwrap(), b"the old version");
        assert!(!part_of(&local).exists());
    }
}

#[tokio::test]
async fn a_missing_file_is_the_routes_error() {
    let server = FakeDropbox::start().await;
    let local = temp_path("missing.bin");
    let err = download_file(
        &server.client(),
        "/missing.bin",
        &local,
        &DownloadOptions::default(),
    )
    .await
    .unwrap_err();
    match err {
        TransferError::Download(e) => assert!(matches!(
            e.route_error(),
            Some(dropbox::files::DownloadError::Path(
                dropbox::files::LookupError::NotFound
            ))
        )),
        other => panic!("{other:?}"),
    }
    assert!(!local.exists() && !part_of(&local).exists());
    let _ = content_hash_file(&local).await.unwrap_err();
}
