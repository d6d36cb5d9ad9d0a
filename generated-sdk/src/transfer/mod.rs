//! Big transfers: files and streams of any size up and down, with
//! bounded memory, retries, resumption and a `content_hash` check.
//!
//! - [`upload_file`] / [`upload_stream`]: one `upload` call for content up
//!   to [`UploadOptions::with_single_request_max`] (150 MiB for a file; a
//!   stream whose size is unknown goes in one call when it fits in one
//!   chunk), an upload session above it: chunks of a multiple of 4 MiB,
//!   appended concurrently (a `concurrent` session, at most
//!   `concurrency` in flight) or in order (a `sequential` session, resumed
//!   at the server's `correct_offset` on `incorrect_offset`).
//! - [`upload_many`]: many files in upload sessions committed together by
//!   `upload_session/finish_batch_v2`, one result per file.
//! - [`download_file`]: a file streamed to disk, optionally in parallel
//!   ranges, written under a temporary name and renamed into place only
//!   once its `content_hash` matches.
//!
//! Every helper computes the content's `content_hash` while it reads it
//! and compares it with the one Dropbox reports: a difference is an error
//! ([`TransferError::HashMismatch`]), never a silent success.

mod download;
mod many;
mod source;
mod upload;

pub use download::{download_file, DownloadOptions};
pub use many::{upload_many, UploadItem};
pub use upload::{upload_file, upload_stream};

use crate::client::{Caller, Error, UserClient};
use crate::content_hash::BLOCK_SIZE;
use crate::files;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The most Dropbox takes in one request: 150 MiB.
pub const MAX_REQUEST: u64 = 150 * 1024 * 1024;

/// The largest chunk that is a multiple of 4 MiB and fits in one request.
const MAX_CHUNK: usize = (MAX_REQUEST as usize / BLOCK_SIZE) * BLOCK_SIZE;

/// How far a transfer has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes sent (a session's chunks count once Dropbox acknowledged
    /// them) or written to disk (downloads).
    pub done: u64,
    /// The content's size, when known.
    pub total: Option<u64>,
}

/// A progress callback; it is called from the transfer's task, so it
/// should be quick (update a bar, send on a channel).
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// How an upload session takes its chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// A `concurrent` session: up to `concurrency` appends in flight, in
    /// any order; the last one, which closes the session, goes alone after
    /// the others. The fastest.
    Concurrent,
    /// A `sequential` session: one append at a time, in order (the next
    /// chunk is read while one is sent). When Dropbox answers
    /// `incorrect_offset`, the upload continues from its `correct_offset`.
    Sequential,
}

/// How [`upload_file`], [`upload_stream`] and [`upload_many`] upload.
#[derive(Clone)]
pub struct UploadOptions {
    pub(crate) chunk_size: usize,
    pub(crate) concurrency: usize,
    pub(crate) session: SessionKind,
    pub(crate) single_request_max: u64,
    pub(crate) max_attempts: u32,
    pub(crate) progress: Option<ProgressFn>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            chunk_size: 16 * 1024 * 1024,
            concurrency: 4,
            session: SessionKind::Concurrent,
            single_request_max: MAX_REQUEST,
            max_attempts: 5,
            progress: None,
        }
    }
}

impl std::fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOptions")
            .field("chunk_size", &self.chunk_size)
            .field("concurrency", &self.concurrency)
            .field("session", &self.session)
            .field("single_request_max", &self.single_request_max)
            .field("max_attempts", &self.max_attempts)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl UploadOptions {
    /// The size of each append: rounded up to a multiple of 4 MiB (as
    /// concurrent sessions require), between 4 MiB and 148 MiB. Default
    /// 16 MiB. A file's chunks are read as they are sent, in small pieces
    /// (memory does not grow with the chunk size); a stream's are held in
    /// memory until sent: about `chunk_size x concurrency`.
    pub fn with_chunk_size(mut self, bytes: usize) -> Self {
        // Clamped in blocks, so that no size overflows the rounding.
        self.chunk_size = bytes.div_ceil(BLOCK_SIZE).clamp(1, MAX_CHUNK / BLOCK_SIZE) * BLOCK_SIZE;
        self
    }
    /// Appends in flight at once (files at once for [`upload_many`]);
    /// at least 1, default 4.
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
    /// Concurrent (default) or sequential upload sessions.
    pub fn with_session(mut self, kind: SessionKind) -> Self {
        self.session = kind;
        self
    }
    /// Files up to this size go in one `upload` call (at most 150 MiB, the
    /// default); larger ones in a session. 0 always uses a session.
    pub fn with_single_request_max(mut self, bytes: u64) -> Self {
        self.single_request_max = bytes.min(MAX_REQUEST);
        self
    }
    /// Attempts for what the client cannot retry itself: a single-call
    /// upload streamed from a file, a resumption after `incorrect_offset`.
    /// At least 1, default 5. (A chunk, in memory or read again from its
    /// file, is retried by the client as its
    /// [`RetryPolicy`](crate::client::RetryPolicy) says.)
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// Called as chunks are acknowledged.
    pub fn with_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }
}

/// Why a transfer failed. Every Dropbox error keeps its route's type
/// (boxed: they are large, and a transfer's result is passed around).
#[derive(Debug)]
#[non_exhaustive]
pub enum TransferError {
    /// The single `upload` call failed.
    Upload(Box<Error<files::UploadError>>),
    /// `upload_session/start` failed.
    StartSession(Box<Error<files::UploadSessionStartError>>),
    /// `upload_session/start_batch` failed.
    StartSessions(Box<Error<()>>),
    /// `upload_session/append_v2` failed.
    Append(Box<Error<files::UploadSessionAppendError>>),
    /// `upload_session/finish` failed.
    Finish(Box<Error<files::UploadSessionFinishError>>),
    /// `upload_session/finish_batch_v2` failed as a whole.
    FinishBatch(Box<Error<()>>),
    /// `upload_session/finish_batch_v2` refused this file.
    FinishEntry(files::UploadSessionFinishError),
    /// `get_metadata` (before a download in ranges) failed.
    Metadata(Box<Error<files::GetMetadataError>>),
    /// `download` failed.
    Download(Box<Error<files::DownloadError>>),
    /// A download's content broke off.
    Content(Box<Error<()>>),
    /// Reading or writing local content (a file, the caller's stream).
    Local {
        path: Option<PathBuf>,
        source: std::io::Error,
    },
    /// The content Dropbox has (or sent) is not the content read (or
    /// written): its `content_hash` differs. An upload's file was
    /// committed all the same: `metadata` says where.
    HashMismatch {
        path: String,
        local: String,
        dropbox: Option<String>,
        metadata: Option<Box<files::FileMetadata>>,
    },
    /// Dropbox's answers contradict each other or the protocol (an offset
    /// it cannot have, a short range, a file changed mid-download).
    Protocol(String),
}

impl std::fmt::Display for TransferError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransferError::Upload(e) => write!(f, "upload failed: {e}"),
            TransferError::StartSession(e) => write!(f, "starting an upload session failed: {e}"),
            TransferError::StartSessions(e) => {
                write!(f, "starting upload sessions failed: {e}")
            }
            TransferError::Append(e) => write!(f, "sending a chunk failed: {e}"),
            TransferError::Finish(e) => write!(f, "committing the upload failed: {e}"),
            TransferError::FinishBatch(e) => write!(f, "committing the uploads failed: {e}"),
            TransferError::FinishEntry(e) => write!(
                f,
                "Dropbox refused to commit this file: {}",
                crate::wire::to_string(e)
            ),
            TransferError::Metadata(e) => write!(f, "reading the file's metadata failed: {e}"),
            TransferError::Download(e) => write!(f, "download failed: {e}"),
            TransferError::Content(e) => write!(f, "the download broke off: {e}"),
            TransferError::Local { path, source } => match path {
                Some(p) => write!(f, "{}: {source}", p.display()),
                None => write!(f, "reading the content: {source}"),
            },
            TransferError::HashMismatch {
                path,
                local,
                dropbox,
                metadata,
            } => {
                let theirs = dropbox.as_deref().unwrap_or("none");
                write!(
                    f,
                    "{path}: content_hash mismatch (local {local}, Dropbox {theirs})"
                )?;
                if metadata.is_some() {
                    f.write_str("; the file was committed with content that differs")?;
                }
                Ok(())
            }
            TransferError::Protocol(m) => write!(f, "unexpected answer from Dropbox: {m}"),
        }
    }
}

impl std::error::Error for TransferError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransferError::Upload(e) => Some(e),
            TransferError::StartSession(e) => Some(e),
            TransferError::StartSessions(e) => Some(e),
            TransferError::Append(e) => Some(e),
            TransferError::Finish(e) => Some(e),
            TransferError::FinishBatch(e) => Some(e),
            TransferError::Metadata(e) => Some(e),
            TransferError::Download(e) => Some(e),
            TransferError::Content(e) => Some(e),
            TransferError::Local { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Wrap a route's error in its variant: `.map_err(boxed(TransferError::Append))`.
pub(crate) fn boxed<E>(variant: fn(Box<E>) -> TransferError) -> impl Fn(E) -> TransferError {
    move |e| variant(Box::new(e))
}

impl TransferError {
    pub(crate) fn local(path: Option<&std::path::Path>, source: std::io::Error) -> Self {
        TransferError::Local {
            path: path.map(|p| p.to_path_buf()),
            source,
        }
    }
}

/// Counts bytes done and tells the callback.
pub(crate) struct Reporter {
    callback: Option<ProgressFn>,
    total: Option<u64>,
    done: AtomicU64,
}

impl Reporter {
    pub(crate) fn new(callback: Option<ProgressFn>, total: Option<u64>) -> Self {
        Reporter {
            callback,
            total,
            done: AtomicU64::new(0),
        }
    }

    pub(crate) fn add(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        self.report(done);
    }

    /// Take back bytes that must be transferred again.
    pub(crate) fn sub(&self, n: u64) {
        let done = self.done.fetch_sub(n, Ordering::Relaxed).saturating_sub(n);
        self.report(done);
    }

    fn report(&self, done: u64) {
        if let Some(f) = &self.callback {
            f(Progress {
                done,
                total: self.total,
            });
        }
    }
}

/// How long to wait before another attempt after `e`, if another may
/// succeed: server errors and broken connections back off exponentially
/// with jitter; a rate limit waits what Dropbox asks, unless that is longer
/// than the client's policy waits (`RetryPolicy::with_max_retry_after`);
/// an expired access token, which the client has just refreshed (it could
/// not send a stream body again itself), is tried again at once.
pub(crate) fn retry_delay<E>(client: &UserClient, e: &Error<E>, attempt: u32) -> Option<Duration> {
    match e {
        Error::Server { .. } | Error::Transport { .. } => {
            let base = Duration::from_millis(250).saturating_mul(1 << attempt.min(6));
            Some(base.mul_f64(0.5 + fastrand::f64() / 2.0))
        }
        Error::RateLimit { retry_after, .. } => {
            let max = client.session().retry().max_retry_after();
            (*retry_after <= max).then_some(*retry_after)
        }
        Error::Auth {
            error: crate::auth::AuthError::ExpiredAccessToken,
            ..
        } => Some(Duration::ZERO),
        _ => None,
    }
}

/// The upload's `content_hash` against the one Dropbox computed.
pub(crate) fn check_uploaded(
    metadata: files::FileMetadata,
    local: String,
) -> Result<files::FileMetadata, TransferError> {
    if metadata.content_hash.as_deref() == Some(local.as_str()) {
        return Ok(metadata);
    }
    Err(TransferError::HashMismatch {
        path: metadata
            .path_display
            .clone()
            .unwrap_or_else(|| metadata.name.clone()),
        local,
        dropbox: metadata.content_hash.clone(),
        metadata: Some(Box::new(metadata)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_sizes_are_rounded_to_blocks_and_clamped_without_overflow() {
        let chunk = |n| UploadOptions::default().with_chunk_size(n).chunk_size;
        assert_eq!(chunk(0), BLOCK_SIZE);
        assert_eq!(chunk(BLOCK_SIZE + 1), 2 * BLOCK_SIZE);
        assert_eq!(chunk(usize::MAX), MAX_CHUNK);
    }
}
