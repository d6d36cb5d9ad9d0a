//! 300 MiB up through an upload session and back down in parallel ranges,
//! through the helpers, against a small Dropbox on 127.0.0.1: the same
//! content_hash everywhere.

use crate::transfer_server::{dropbox_hash, FakeDropbox};
use dropbox::content_hash::content_hash_file;
use dropbox::files::CommitInfo;
use dropbox::transfer::{download_file, upload_file, DownloadOptions, UploadOptions};
use std::io::Write;
use std::time::Instant;

const MIB: usize = 1024 * 1024;

#[tokio::test(flavor = "multi_thread")]
async fn three_hundred_mib_up_and_down_with_equal_content_hash() {
    let dir = std::env::temp_dir().join(format!("dropbox-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("source.bin");
    let copy = dir.join("copy.bin");
    {
        let mut rng = fastrand::Rng::with_seed(300);
        let mut out = std::io::BufWriter::new(std::fs::File::create(&source).unwrap());
        let mut block = vec![0u8; 4 * MIB];
        for _ in 0..75 {
            rng.fill(&mut block);
            out.write_all(&block).unwrap();
        }
        out.flush().unwrap();
    }
    let len = 300 * MIB as u64;
    let local_hash = content_hash_file(&source).await.unwrap();

    let server = FakeDropbox::start().await;
    let client = server.client();
    let options = UploadOptions::default()
        .with_chunk_size(16 * MIB)
        .with_concurrency(4);
    let started = Instant::now();
    let meta = upload_file(
        &client,
        &source,
        CommitInfo::new("/big/300.bin".into()),
        &options,
    )
    .await
    .unwrap();
    let up = started.elapsed();
    assert_eq!(meta.size, len);
    assert_eq!(meta.content_hash.as_deref(), Some(local_hash.as_str()));
    let (stored, stored_hash) = server.file("/big/300.bin").unwrap();
    assert_eq!(stored.len() as u64, len);
    assert_eq!(stored_hash, local_hash);
    assert_eq!(dropbox_hash(&stored), local_hash);
    // 18 full chunks of 16 MiB, then the last 12 MiB, which closes.
    let appends = server.appends();
    assert_eq!(appends.len(), 19);
    assert!(appends
        .iter()
        .filter(|a| !a.close)
        .all(|a| a.len == 16 * MIB));
    assert!(server.max_in_flight() <= 4);

    let started = Instant::now();
    let options = DownloadOptions::default().with_parallel_ranges(32 * MIB as u64, 4);
    let down = download_file(&client, "/big/300.bin", &copy, &options)
        .await
        .unwrap();
    let down_time = started.elapsed();
    assert_eq!(down.content_hash.as_deref(), Some(local_hash.as_str()));
    assert_eq!(content_hash_file(&copy).await.unwrap(), local_hash);
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), len);
    assert_eq!(server.ranges().len(), 10);

    let mib_s = |d: std::time::Duration| 300.0 / d.as_secs_f64();
    eprintln!(
        "300 MiB: upload {:.2} s ({:.0} MiB/s), download {:.2} s ({:.0} MiB/s)",
        up.as_secs_f64(),
        mib_s(up),
        down_time.as_secs_f64(),
        mib_s(down_time)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
