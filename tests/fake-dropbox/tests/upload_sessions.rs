//! Upload sessions: a 300 MiB file through a session and back with the
//! same content_hash; offsets, concurrent sessions and batches.

use bytes::Bytes;
use dropbox::client::{Credentials, UserClient};
use dropbox::files::{
    CommitInfo, DownloadArg, UploadSessionAppendArg, UploadSessionAppendError, UploadSessionCursor,
    UploadSessionFinishArg, UploadSessionFinishBatchArg, UploadSessionFinishBatchResultEntry,
    UploadSessionStartArg, UploadSessionStartBatchArg, UploadSessionType,
};
use dropbox::Error;
use fake_dropbox::{content_hash, ContentHasher, FakeDropbox, RunningFake};
use std::time::Instant;

const MIB: usize = 1 << 20;

async fn fake() -> (RunningFake, UserClient) {
    let fake = FakeDropbox::builder().token("t").start().await.unwrap();
    let client = UserClient::with_config(Credentials::access_token("t"), fake.client_config());
    (fake, client)
}

/// Chunk `i` of a large file: pseudo-random bytes, each chunk different.
fn chunk(base: &[u8], i: usize) -> Bytes {
    let mut c = base.to_vec();
    c[..8].copy_from_slice(&(i as u64).to_le_bytes());
    Bytes::from(c)
}

fn pseudo_random(len: usize) -> Vec<u8> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

#[tokio::test]
async fn a_300_mib_upload_session_round_trips_with_equal_content_hash() {
    let (fake, client) = fake().await;
    let started = Instant::now();
    let (chunk_size, chunks) = (8 * MIB, 300 / 8);
    let last = 300 * MIB - chunks * chunk_size; // 4 MiB: 37 chunks of 8 MiB, then 4 MiB
    let base = pseudo_random(chunk_size);
    let mut local = ContentHasher::new();

    let first = chunk(&base, 0);
    local.update(&first);
    let start = dropbox::files::upload_session_start(&client, &UploadSessionStartArg::new(), first)
        .await
        .unwrap();
    let mut offset = chunk_size as u64;
    for i in 1..chunks {
        let c = chunk(&base, i);
        local.update(&c);
        let cursor = UploadSessionCursor::new(start.session_id.clone(), offset);
        dropbox::files::upload_session_append_v2(&client, &UploadSessionAppendArg::new(cursor), c)
            .await
            .unwrap();
        offset += chunk_size as u64;
    }
    let tail = chunk(&base[..last], chunks);
    local.update(&tail);
    let local_hash = local.finish();
    let cursor = UploadSessionCursor::new(start.session_id.clone(), offset);
    // The hash of what this call sends: the server checks the chunk.
    let finish = UploadSessionFinishArg::new(cursor, CommitInfo::new("/Big/Video.bin".into()))
        .with_content_hash(content_hash(&tail));
    let meta = dropbox::files::upload_session_finish(&client, &finish, tail)
        .await
        .unwrap();
    let uploaded = started.elapsed();
    assert_eq!(meta.size, 300 * MIB as u64);
    assert_eq!(meta.content_hash.as_deref(), Some(local_hash.as_str()));
    assert_eq!(fake.open_upload_sessions(), 0);

    let mut d = dropbox::files::download(&client, &DownloadArg::new("/big/video.bin".into()), None)
        .await
        .unwrap();
    assert_eq!(d.result.content_hash.as_deref(), Some(local_hash.as_str()));
    let mut remote = ContentHasher::new();
    let mut n = 0u64;
    while let Some(c) = d.body.chunk().await.unwrap() {
        n += c.len() as u64;
        remote.update(&c);
    }
    assert_eq!(n, 300 * MIB as u64);
    assert_eq!(remote.finish(), local_hash);
    eprintln!(
        "300 MiB: upload session {uploaded:?}, total with download {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_wrong_offset_is_refused_with_the_correct_one() {
    let (fake, client) = fake().await;
    let start = dropbox::files::upload_session_start(
        &client,
        &UploadSessionStartArg::new(),
        b"hello ".to_vec(),
    )
    .await
    .unwrap();
    let wrong = UploadSessionAppendArg::new(UploadSessionCursor::new(start.session_id.clone(), 3));
    let err = dropbox::files::upload_session_append_v2(&client, &wrong, b"world".to_vec())
        .await
        .unwrap_err();
    match err {
        Error::Route {
            error: UploadSessionAppendError::IncorrectOffset(o),
            ..
        } => assert_eq!(o.correct_offset, 6),
        other => panic!("{other:?}"),
    }
    let right = UploadSessionAppendArg::new(UploadSessionCursor::new(start.session_id.clone(), 6))
        .with_close(true);
    dropbox::files::upload_session_append_v2(&client, &right, b"world".to_vec())
        .await
        .unwrap();
    let closed =
        UploadSessionAppendArg::new(UploadSessionCursor::new(start.session_id.clone(), 11));
    let err = dropbox::files::upload_session_append_v2(&client, &closed, b"!".to_vec())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Route {
                error: UploadSessionAppendError::Closed,
                ..
            }
        ),
        "{err:?}"
    );
    let finish = UploadSessionFinishArg::new(
        UploadSessionCursor::new(start.session_id, 11),
        CommitInfo::new("/hw.txt".into()),
    );
    dropbox::files::upload_session_finish(&client, &finish, Vec::new())
        .await
        .unwrap();
    assert_eq!(fake.file("/hw.txt").unwrap().to_vec(), b"hello world");
    let unknown = UploadSessionAppendArg::new(UploadSessionCursor::new("nope".into(), 0));
    let err = dropbox::files::upload_session_append_v2(&client, &unknown, b"x".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Route {
            error: UploadSessionAppendError::NotFound,
            ..
        }
    ));
}

#[tokio::test]
async fn concurrent_sessions_in_a_batch() {
    let (fake, client) = fake().await;
    let batch = UploadSessionStartBatchArg::new(2).with_session_type(UploadSessionType::Concurrent);
    let ids = dropbox::files::upload_session_start_batch(&client, &batch)
        .await
        .unwrap()
        .session_ids;
    assert_eq!(ids.len(), 2);
    let block = 4 * MIB;
    let data = pseudo_random(2 * block + 1000);
    // Pieces of the first file sent at once, the closing one first.
    let mut tasks = vec![];
    for (i, piece) in data.chunks(block).enumerate().rev() {
        let client = client.clone();
        let cursor = UploadSessionCursor::new(ids[0].clone(), (i * block) as u64);
        let arg = UploadSessionAppendArg::new(cursor).with_close(i == 2);
        let piece = piece.to_vec();
        tasks.push(tokio::spawn(async move {
            dropbox::files::upload_session_append_v2(&client, &arg, piece).await
        }));
        if i == 2 {
            // The close lands first, as parallel uploads may make it.
            tasks.pop().unwrap().await.unwrap().unwrap();
        }
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // A piece off the 4 MiB grid is refused.
    let bad = UploadSessionAppendArg::new(UploadSessionCursor::new(ids[1].clone(), 10));
    let err = dropbox::files::upload_session_append_v2(&client, &bad, vec![0; 10])
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Route {
            error: UploadSessionAppendError::ConcurrentSessionInvalidOffset,
            ..
        }
    ));
    let small =
        UploadSessionAppendArg::new(UploadSessionCursor::new(ids[1].clone(), 0)).with_close(true);
    dropbox::files::upload_session_append_v2(&client, &small, b"tiny".to_vec())
        .await
        .unwrap();

    let finish = UploadSessionFinishBatchArg::new(vec![
        UploadSessionFinishArg::new(
            UploadSessionCursor::new(ids[0].clone(), data.len() as u64),
            CommitInfo::new("/c/one.bin".into()),
        ),
        UploadSessionFinishArg::new(
            UploadSessionCursor::new(ids[1].clone(), 4),
            CommitInfo::new("/c/two.txt".into()),
        ),
        UploadSessionFinishArg::new(
            UploadSessionCursor::new("missing".into(), 0),
            CommitInfo::new("/c/three".into()),
        ),
    ]);
    let result = dropbox::files::upload_session_finish_batch_v2(&client, &finish)
        .await
        .unwrap();
    match &result.entries[..] {
        [UploadSessionFinishBatchResultEntry::Success(a), UploadSessionFinishBatchResultEntry::Success(b), UploadSessionFinishBatchResultEntry::Failure(_)] =>
        {
            assert_eq!(
                a.content_hash.as_deref(),
                Some(content_hash(&data).as_str())
            );
            assert_eq!(b.size, 4);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.file("/c/one.bin").unwrap().to_vec(), data);
}
