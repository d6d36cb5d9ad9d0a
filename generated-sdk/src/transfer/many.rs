//! Many files at once: one upload session each, committed together by
//! `upload_session/finish_batch_v2`.

use super::source::Source;
use super::upload::{append_in_order, Chunks};
use super::{boxed, check_uploaded, Reporter, TransferError, UploadOptions};
use crate::client::UserClient;
use crate::files::{self, CommitInfo, FileMetadata, UploadSessionCursor};
use bytes::Bytes;
use futures_util::StreamExt;
use std::path::PathBuf;

/// Dropbox commits at most 1000 sessions per `finish_batch_v2` call.
const BATCH: usize = 1000;

/// One file for [`upload_many`]: its content and where it goes.
#[derive(Debug)]
pub struct UploadItem {
    content: Content,
    commit: CommitInfo,
}

#[derive(Debug)]
enum Content {
    File(PathBuf),
    Bytes(Bytes),
}

impl UploadItem {
    /// A local file.
    pub fn file(path: impl Into<PathBuf>, commit: CommitInfo) -> Self {
        UploadItem {
            content: Content::File(path.into()),
            commit,
        }
    }
    /// Content in memory.
    pub fn bytes(data: impl Into<Bytes>, commit: CommitInfo) -> Self {
        UploadItem {
            content: Content::Bytes(data.into()),
            commit,
        }
    }
}

/// Upload many files: each into its own (sequential) upload session,
/// `concurrency` files at a time, then all committed with
/// `upload_session/finish_batch_v2` (1000 per call). One result per item,
/// in order: a file that could not be read, sent or committed, or whose
/// `content_hash` differs, is an error there while the others succeed. The
/// outer error is for a failure of the batch as a whole.
///
/// Memory: a file is read in small pieces as it is sent; content in memory
/// is held until sent.
pub async fn upload_many(
    client: &UserClient,
    items: Vec<UploadItem>,
    options: &UploadOptions,
) -> Result<Vec<Result<FileMetadata, TransferError>>, TransferError> {
    let mut total = 0;
    for item in &items {
        total += match &item.content {
            Content::Bytes(b) => b.len() as u64,
            // An unreadable file fails when it is read, in its own result.
            Content::File(p) => tokio::fs::metadata(p).await.map(|m| m.len()).unwrap_or(0),
        };
    }
    let reporter = Reporter::new(options.progress.clone(), Some(total));
    let mut results = Vec::with_capacity(items.len());
    for batch in items.chunks(BATCH) {
        results.extend(upload_batch(client, batch, options, &reporter).await?);
    }
    Ok(results)
}

async fn upload_batch(
    client: &UserClient,
    batch: &[UploadItem],
    options: &UploadOptions,
    reporter: &Reporter,
) -> Result<Vec<Result<FileMetadata, TransferError>>, TransferError> {
    let start = files::UploadSessionStartBatchArg::new(batch.len() as u64)
        .with_session_type(files::UploadSessionType::Sequential);
    let ids = files::upload_session_start_batch(client, &start)
        .await
        .map_err(boxed(TransferError::StartSessions))?
        .session_ids;
    if ids.len() != batch.len() {
        return Err(TransferError::Protocol(format!(
            "asked for {} upload sessions, got {}",
            batch.len(),
            ids.len()
        )));
    }
    // Each file's content, `concurrency` at a time, results in order.
    let uploads: Vec<Result<(u64, String), TransferError>> =
        futures_util::stream::iter(batch.iter().zip(&ids))
            .map(|(item, id)| upload_content(client, id, item, options, reporter))
            .buffered(options.concurrency)
            .collect()
            .await;
    let entries: Vec<files::UploadSessionFinishArg> = uploads
        .iter()
        .zip(batch.iter().zip(&ids))
        .filter_map(|(up, (item, id))| {
            let (size, _) = up.as_ref().ok()?;
            let cursor = UploadSessionCursor::new(id.clone(), *size);
            Some(files::UploadSessionFinishArg::new(
                cursor,
                item.commit.clone(),
            ))
        })
        .collect();
    let mut committed = if entries.is_empty() {
        vec![]
    } else {
        let sent = entries.len();
        let arg = files::UploadSessionFinishBatchArg::new(entries);
        let result = files::upload_session_finish_batch_v2(client, &arg)
            .await
            .map_err(boxed(TransferError::FinishBatch))?;
        if result.entries.len() != sent {
            return Err(TransferError::Protocol(format!(
                "committed {sent} upload sessions, got {} results",
                result.entries.len()
            )));
        }
        result.entries
    }
    .into_iter();
    Ok(uploads
        .into_iter()
        .map(|up| {
            let (_, local) = up?;
            match committed.next() {
                Some(files::UploadSessionFinishBatchResultEntry::Success(meta)) => {
                    check_uploaded(meta, local)
                }
                Some(files::UploadSessionFinishBatchResultEntry::Failure(e)) => {
                    Err(TransferError::FinishEntry(e))
                }
                // Counted above: as many results as entries.
                None => Err(TransferError::Protocol("a result is missing".into())),
            }
        })
        .collect())
}

/// Send one item's content into its session and close it; its size and
/// content_hash.
async fn upload_content(
    client: &UserClient,
    session_id: &str,
    item: &UploadItem,
    options: &UploadOptions,
    reporter: &Reporter,
) -> Result<(u64, String), TransferError> {
    let source = match &item.content {
        Content::File(path) => Source::open(path).await?,
        Content::Bytes(b) => Source::bytes(b.clone()),
    };
    let mut chunks = Chunks::new(source, None, options.chunk_size);
    let size = append_in_order(client, session_id, &mut chunks, options, reporter).await?;
    Ok((size, chunks.hasher.finish()))
}
