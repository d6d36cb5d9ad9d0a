//! The upload helpers against a small Dropbox on 127.0.0.1: one call or a
//! session, concurrent appends bounded, sequential sessions resumed at
//! Dropbox's offset, content_hash checked, many files in one commit.

use crate::transfer_server::{FakeDropbox, Fault};
use bytes::Bytes;
use dropbox::content_hash::content_hash;
use dropbox::files::{CommitInfo, WriteMode};
use dropbox::transfer::{
    upload_file, upload_many, upload_stream, Progress, SessionKind, TransferError, UploadItem,
    UploadOptions,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const MIB: usize = 1024 * 1024;

/// Deterministic content that no two offsets share a pattern of.
fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut v = vec![0u8; len];
    rng.fill(&mut v);
    v
}

/// A file in a directory of its own, removed with the directory when
/// dropped, also when the test panics (tests run in parallel: each
/// removes only its own).
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl std::ops::Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempFile {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl From<&TempFile> for PathBuf {
    fn from(f: &TempFile) -> PathBuf {
        f.path.clone()
    }
}

fn temp_file(name: &str, data: &[u8]) -> TempFile {
    let dir = std::env::temp_dir().join(format!("dropbox-transfer-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let file = TempFile { dir, path };
    std::fs::write(&file.path, data).unwrap();
    file
}

fn commit(path: &str) -> CommitInfo {
    CommitInfo::new(path.to_string())
}

fn progress_log() -> (Arc<Mutex<Vec<Progress>>>, UploadOptions) {
    let log: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let sink = log.clone();
    let options = UploadOptions::default().with_progress(move |p| sink.lock().unwrap().push(p));
    (log, options)
}

#[tokio::test]
async fn a_small_file_goes_in_one_call_and_is_retried_from_disk() {
    let server = FakeDropbox::start().await;
    server.arm(Fault::FailUpload);
    let data = content(5 * MIB + 3, 1);
    let path = temp_file("small.bin", &data);
    let (log, options) = progress_log();
    let meta = upload_file(&server.client(), &path, commit("/small.bin"), &options)
        .await
        .unwrap();
    assert_eq!(meta.size, data.len() as u64);
    assert_eq!(
        meta.content_hash.as_deref(),
        Some(content_hash(&data).as_str())
    );
    assert_eq!(server.file("/small.bin").unwrap().0, data);
    // The 503 was answered by sending the file again, from its start.
    assert_eq!(server.routes(), ["files/upload", "files/upload"]);
    let last = *log.lock().unwrap().last().unwrap();
    assert_eq!(
        last,
        Progress {
            done: data.len() as u64,
            total: Some(data.len() as u64)
        }
    );
}

#[tokio::test]
async fn a_large_file_goes_in_a_concurrent_session_with_bounded_appends() {
    let server = FakeDropbox::start().await;
    let data = content(41 * MIB + 17, 2);
    let path = temp_file("large.bin", &data);
    let (log, options) = progress_log();
    let options = options
        .with_single_request_max(8 * MIB as u64)
        .with_chunk_size(4 * MIB)
        .with_concurrency(3);
    let meta = upload_file(&server.client(), &path, commit("/large.bin"), &options)
        .await
        .unwrap();
    assert_eq!(
        meta.content_hash.as_deref(),
        Some(content_hash(&data).as_str())
    );
    assert_eq!(server.file("/large.bin").unwrap().0, data);

    let appends = server.appends();
    // 10 full chunks of 4 MiB, then the last 1 MiB + 17 bytes, which closes.
    assert_eq!(appends.len(), 11);
    let (last, full) = appends.split_last().unwrap();
    assert!(
        full.iter().all(|a| a.len == 4 * MIB && !a.close),
        "{full:?}"
    );
    let mut offsets: Vec<u64> = full.iter().map(|a| a.offset).collect();
    offsets.sort();
    assert_eq!(
        offsets,
        (0..10).map(|i| (i * 4 * MIB) as u64).collect::<Vec<_>>()
    );
    assert_eq!(
        (last.offset, last.len, last.close),
        ((40 * MIB) as u64, MIB + 17, true)
    );
    // Appends overlapped, never more than asked.
    let max = server.max_in_flight();
    assert!((2..=3).contains(&max), "{max} appends in flight at once");

    let log = log.lock().unwrap();
    assert!(log.windows(2).all(|w| w[0].done <= w[1].done));
    assert_eq!(log.last().unwrap().done, data.len() as u64);
}

#[tokio::test]
async fn a_file_of_whole_chunks_is_closed_by_its_last_chunk() {
    let server = FakeDropbox::start().await;
    let data = content(8 * MIB, 8);
    let path = temp_file("whole-chunks.bin", &data);
    for session in [SessionKind::Concurrent, SessionKind::Sequential] {
        let options = UploadOptions::default()
            .with_single_request_max(0)
            .with_chunk_size(4 * MIB)
            .with_session(session);
        let meta = upload_file(
            &server.client(),
            &path,
            commit("/whole.bin").with_mode(WriteMode::Overwrite),
            &options,
        )
        .await
        .unwrap();
        assert_eq!(meta.size, data.len() as u64);
    }
    let seen: Vec<(u64, usize, bool)> = server
        .appends()
        .iter()
        .map(|a| (a.offset, a.len, a.close))
        .collect();
    let one = [(0, 4 * MIB, false), ((4 * MIB) as u64, 4 * MIB, true)];
    assert_eq!(seen, [one, one].concat());
}

#[tokio::test]
async fn a_stream_is_chunked_whatever_its_pieces() {
    let server = FakeDropbox::start().await;
    let data = Bytes::from(content(9 * MIB + 5, 3));
    // Pieces of an awkward size, so chunks straddle them.
    let pieces: Vec<std::io::Result<Bytes>> = data
        .chunks(MIB + 7)
        .map(|p| Ok(Bytes::copy_from_slice(p)))
        .collect();
    let options = UploadOptions::default().with_chunk_size(4 * MIB);
    let meta = upload_stream(
        &server.client(),
        futures_util::stream::iter(pieces),
        commit("/stream.bin"),
        &options,
    )
    .await
    .unwrap();
    assert_eq!(
        meta.content_hash.as_deref(),
        Some(content_hash(&data).as_str())
    );
    assert_eq!(server.file("/stream.bin").unwrap().0, data);
    let lens: Vec<(usize, bool)> = server.appends().iter().map(|a| (a.len, a.close)).collect();
    assert_eq!(lens, [(4 * MIB, false), (4 * MIB, false), (MIB + 5, true)]);

    // A stream shorter than a chunk goes in one call.
    let small = futures_util::stream::iter([Ok(Bytes::from_static(b"hello"))]);
    upload_stream(&server.client(), small, commit("/hello.txt"), &options)
        .await
        .unwrap();
    assert_eq!(server.file("/hello.txt").unwrap().0, "hello");
    assert_eq!(server.routes().last().unwrap(), "files/upload");
}

#[tokio::test]
async fn a_stream_that_fails_fails_the_upload() {
    let server = FakeDropbox::start().await;
    let pieces = vec![
        Ok(Bytes::from(vec![1u8; 5 * MIB])),
        Err(std::io::Error::other("disk on fire")),
    ];
    let options = UploadOptions::default().with_chunk_size(4 * MIB);
    let err = upload_stream(
        &server.client(),
        futures_util::stream::iter(pieces),
        commit("/broken.bin"),
        &options,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, TransferError::Local { .. }), "{err:?}");
    assert!(err.to_string().contains("disk on fire"), "{err}");
    assert!(server.file("/broken.bin").is_none());
}

/// A sequential session whose server loses an answer, receives half a
/// chunk, and forgets data it had acknowledged: the upload continues from
/// each `correct_offset` and the file is whole.
#[tokio::test]
async fn a_sequential_session_resumes_at_the_correct_offset() {
    let server = FakeDropbox::start().await;
    let data = content(18 * MIB + 5, 4);
    let path = temp_file("resumed.bin", &data);
    let m = MIB as u64;
    server.arm(Fault::KeepOnly {
        offset: 4 * m,
        keep: MIB,
    });
    server.arm(Fault::LoseAnswer { offset: 8 * m });
    server.arm(Fault::Forget {
        offset: 12 * m,
        to: 6 * m,
    });
    let options = UploadOptions::default()
        .with_single_request_max(0)
        .with_chunk_size(4 * MIB)
        .with_session(SessionKind::Sequential);
    let meta = upload_file(&server.client(), &path, commit("/resumed.bin"), &options)
        .await
        .unwrap();
    assert_eq!(
        meta.content_hash.as_deref(),
        Some(content_hash(&data).as_str())
    );
    assert_eq!(server.file("/resumed.bin").unwrap().0, data);

    let seen: Vec<(u64, usize, bool)> = server
        .appends()
        .iter()
        .map(|a| (a.offset, a.len, a.close))
        .collect();
    let expected = [
        (0, 4 * MIB, false),
        (4 * m, 4 * MIB, false),     // 1 MiB kept, 500
        (4 * m, 4 * MIB, false),     // the client's retry: incorrect_offset 5 MiB
        (5 * m, 3 * MIB, false),     // the rest of the chunk
        (8 * m, 4 * MIB, false),     // kept, answer lost (500)
        (8 * m, 4 * MIB, false),     // retry: incorrect_offset 12 MiB, so it arrived
        (12 * m, 4 * MIB, false),    // Dropbox forgot 6..12 MiB: incorrect_offset 6 MiB
        (6 * m, 4 * MIB, false),     // re-read from the file,
        (10 * m, 2 * MIB, false),    // a chunk at a time
        (12 * m, 4 * MIB, false),    // and on
        (16 * m, 2 * MIB + 5, true), // the last chunk closes the session
    ];
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_stream_cannot_go_back_before_its_chunk_in_memory() {
    let server = FakeDropbox::start().await;
    let data = Bytes::from(content(13 * MIB, 5));
    let m = MIB as u64;
    server.arm(Fault::Forget {
        offset: 8 * m,
        to: 2 * m,
    });
    let options = UploadOptions::default()
        .with_chunk_size(4 * MIB)
        .with_session(SessionKind::Sequential);
    let stream = futures_util::stream::iter([Ok(data)]);
    let err = upload_stream(&server.client(), stream, commit("/s.bin"), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, TransferError::Protocol(_)), "{err:?}");
    assert!(
        err.to_string().contains("stream cannot be read again"),
        "{err}"
    );
    assert!(server.file("/s.bin").is_none());
}

#[tokio::test]
async fn content_that_differs_on_dropbox_is_an_error_not_a_success() {
    let server = FakeDropbox::start().await;
    server.arm(Fault::CorruptCommit);
    let data = content(9 * MIB, 6);
    let path = temp_file("corrupt.bin", &data);
    let options = UploadOptions::default()
        .with_single_request_max(0)
        .with_chunk_size(4 * MIB);
    let err = upload_file(&server.client(), &path, commit("/corrupt.bin"), &options)
        .await
        .unwrap_err();
    match &err {
        TransferError::HashMismatch {
            local,
            dropbox,
            metadata,
            ..
        } => {
            assert_eq!(*local, content_hash(&data));
            assert_ne!(dropbox.as_deref(), Some(local.as_str()));
            assert_eq!(
                metadata.as_ref().unwrap().path_display.as_deref(),
                Some("/corrupt.bin")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .contains("committed with content that differs"),
        "{err}"
    );
}

#[tokio::test]
async fn many_files_are_committed_together_each_with_its_result() {
    let server = FakeDropbox::start().await;
    server.put_file("/many/taken.txt", Bytes::from_static(b"already here"));
    let big = content(9 * MIB + 1, 7);
    let big_path = temp_file("many-big.bin", &big);
    let items = vec![
        UploadItem::file(&big_path, commit("/many/big.bin")),
        UploadItem::bytes(Bytes::from_static(b"a"), commit("/many/a.txt")),
        UploadItem::bytes(Bytes::from_static(b"different"), commit("/many/taken.txt")),
        UploadItem::file("/nonexistent/file", commit("/many/missing.bin")),
        UploadItem::bytes(
            Bytes::new(),
            commit("/many/empty.txt").with_mode(WriteMode::Overwrite),
        ),
    ];
    let options = UploadOptions::default()
        .with_chunk_size(4 * MIB)
        .with_concurrency(2);
    let results = upload_many(&server.client(), items, &options)
        .await
        .unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(
        results[0].as_ref().unwrap().content_hash.as_deref(),
        Some(content_hash(&big).as_str())
    );
    assert_eq!(results[1].as_ref().unwrap().size, 1);
    assert!(
        matches!(
            &results[2],
            Err(TransferError::FinishEntry(
                dropbox::files::UploadSessionFinishError::Path(_)
            ))
        ),
        "{:?}",
        results[2]
    );
    assert!(
        matches!(&results[3], Err(TransferError::Local { .. })),
        "{:?}",
        results[3]
    );
    assert_eq!(results[4].as_ref().unwrap().size, 0);
    assert_eq!(server.file("/many/big.bin").unwrap().0, big);
    assert_eq!(server.file("/many/taken.txt").unwrap().0, "already here");

    let routes = server.routes();
    let count = |r: &str| routes.iter().filter(|x| *x == r).count();
    assert_eq!(count("files/upload_session/start_batch"), 1);
    assert_eq!(count("files/upload_session/finish_batch_v2"), 1);
    // Each session's last append closed it.
    let closes = server.appends().iter().filter(|a| a.close).count();
    assert_eq!(closes, 4);
}

#[tokio::test]
async fn the_helpers_futures_can_be_spawned() {
    let server = FakeDropbox::start().await;
    let client = server.client();
    let path = temp_file("spawned.txt", b"spawned");
    let task = tokio::spawn(async move {
        upload_file(
            &client,
            path,
            commit("/spawned.txt"),
            &UploadOptions::default(),
        )
        .await
    });
    assert_eq!(task.await.unwrap().unwrap().size, 7);
}
