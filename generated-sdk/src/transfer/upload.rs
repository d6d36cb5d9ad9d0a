//! One file or stream up: a single `upload` call when it is small, an
//! upload session above.

use super::source::{read_file, ChunkData, Source};
use super::{
    boxed, check_uploaded, retry_delay, Reporter, SessionKind, TransferError, UploadOptions,
};
use crate::client::{UploadBody, UserClient};
use crate::content_hash::{content_hash, hash_of_digests, ContentHasher};
use crate::files::{self, CommitInfo, FileMetadata, UploadSessionAppendError, UploadSessionCursor};
use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Upload a local file to `commit.path`: in one call up to
/// [`UploadOptions::with_single_request_max`] (150 MiB by default), else in
/// an upload session. The file is read once, hashed as it is read, and the
/// result's `content_hash` checked.
///
/// ```no_run
/// # async fn f(client: dropbox::client::UserClient) -> Result<(), dropbox::transfer::TransferError> {
/// use dropbox::files::{CommitInfo, WriteMode};
/// use dropbox::transfer::{upload_file, UploadOptions};
/// let options = UploadOptions::default()
///     .with_progress(|p| eprintln!("{} of {:?} bytes", p.done, p.total));
/// let commit = CommitInfo::new("/backups/disk.img".into()).with_mode(WriteMode::Overwrite);
/// let meta = upload_file(&client, "disk.img", commit, &options).await?;
/// println!("{} bytes, content_hash {:?}", meta.size, meta.content_hash);
/// # Ok(()) }
/// ```
pub async fn upload_file(
    client: &UserClient,
    local: impl AsRef<Path>,
    commit: CommitInfo,
    options: &UploadOptions,
) -> Result<FileMetadata, TransferError> {
    let path = local.as_ref();
    let source = Source::open(path).await?;
    let len = source.len().unwrap_or(0);
    if options.single_request_max > 0 && len <= options.single_request_max {
        drop(source);
        return upload_file_in_one_call(client, path, len, commit, options).await;
    }
    upload_in_session(client, source, None, commit, options).await
}

/// Upload a stream of any length to `commit.path`. Content that fits in
/// one chunk goes in one call; longer content in an upload session, the
/// stream read one chunk at a time (at most `concurrency` chunks in
/// memory). A stream cannot be read again: Dropbox asking to resume before
/// the chunk in memory is an error (a file can).
pub async fn upload_stream(
    client: &UserClient,
    content: impl Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    commit: CommitInfo,
    options: &UploadOptions,
) -> Result<FileMetadata, TransferError> {
    let mut source = Source::stream(Box::pin(content));
    let first = source.read_chunk(options.chunk_size).await?;
    let fits = first.len() <= options.single_request_max;
    let short = first.len() < options.chunk_size as u64;
    if let (ChunkData::Bytes(data), true) = (&first, short && fits) {
        if options.single_request_max > 0 {
            return upload_bytes_in_one_call(client, data.clone(), commit, options).await;
        }
    }
    upload_in_session(client, source, Some(first), commit, options).await
}

/// `files/upload`'s argument for a commit.
fn upload_arg(c: CommitInfo, content_hash: Option<String>) -> files::UploadArg {
    files::UploadArg {
        path: c.path,
        mode: c.mode,
        autorename: c.autorename,
        client_modified: c.client_modified,
        mute: c.mute,
        property_groups: c.property_groups,
        strict_conflict: c.strict_conflict,
        content_hash,
    }
}

/// Content in memory: its hash goes with it (Dropbox refuses content that
/// does not match), and the client retries it as its policy says.
pub(crate) async fn upload_bytes_in_one_call(
    client: &UserClient,
    data: Bytes,
    commit: CommitInfo,
    options: &UploadOptions,
) -> Result<FileMetadata, TransferError> {
    let reporter = Reporter::new(options.progress.clone(), Some(data.len() as u64));
    let local = content_hash(&data);
    let len = data.len() as u64;
    let arg = upload_arg(commit, Some(local.clone()));
    let meta = files::upload(client, &arg, UploadBody::bytes(data))
        .await
        .map_err(boxed(TransferError::Upload))?;
    reporter.add(len);
    check_uploaded(meta, local)
}

/// A file streamed from disk and hashed as it goes out. The client cannot
/// send a stream twice, so the attempts are made here, each reading the
/// file again.
async fn upload_file_in_one_call(
    client: &UserClient,
    path: &Path,
    len: u64,
    commit: CommitInfo,
    options: &UploadOptions,
) -> Result<FileMetadata, TransferError> {
    let reporter = Arc::new(Reporter::new(options.progress.clone(), Some(len)));
    let arg = upload_arg(commit, None);
    let mut attempt = 0;
    loop {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| TransferError::local(Some(path), e))?;
        let hasher = Arc::new(Mutex::new(ContentHasher::new()));
        let body = hashing_stream(file, hasher.clone(), reporter.clone());
        match files::upload(client, &arg, UploadBody::stream(body)).await {
            Ok(meta) => {
                let hasher = std::mem::take(&mut *lock(&hasher));
                return check_uploaded(meta, hasher.finish());
            }
            Err(e) => {
                let sent = lock(&hasher).len();
                reporter.sub(sent);
                attempt += 1;
                match retry_delay(client, &e, attempt - 1) {
                    Some(wait) if attempt < options.max_attempts => tokio::time::sleep(wait).await,
                    _ => return Err(TransferError::Upload(Box::new(e))),
                }
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The file in 1 MiB pieces, each hashed and counted as it is handed to
/// the connection.
fn hashing_stream(
    file: tokio::fs::File,
    hasher: Arc<Mutex<ContentHasher>>,
    reporter: Arc<Reporter>,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let pieces = futures_util::stream::unfold(Some(file), move |state| {
        let hasher = hasher.clone();
        let reporter = reporter.clone();
        async move {
            let mut file = state?;
            match read_file(&mut file, 1024 * 1024).await {
                Ok(piece) if piece.is_empty() => None,
                Ok(piece) => {
                    lock(&hasher).update(&piece);
                    reporter.add(piece.len() as u64);
                    Some((Ok(piece), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        }
    });
    pieces
}

/// A chunk of a session: where it goes, its content, its own content_hash.
pub(crate) struct Chunk {
    pub offset: u64,
    pub data: ChunkData,
    pub hash: String,
}

impl Chunk {
    /// `data`, hashed (a file's part is read for it).
    async fn hashed(offset: u64, data: ChunkData) -> Result<Chunk, TransferError> {
        let hash = hash_of_digests(&data.digests().await?);
        Ok(Chunk { offset, data, hash })
    }

    fn end(&self) -> u64 {
        self.offset + self.data.len()
    }
}

/// The content in chunks of `chunk_size` (fewer bytes only in the last),
/// hashed as they are read.
pub(crate) struct Chunks {
    pub source: Source,
    pub first: Option<ChunkData>,
    pub hasher: ContentHasher,
    pub chunk_size: usize,
    pub offset: u64,
}

impl Chunks {
    pub(crate) fn new(source: Source, first: Option<ChunkData>, chunk_size: usize) -> Self {
        Chunks {
            source,
            first,
            hasher: ContentHasher::new(),
            chunk_size,
            offset: 0,
        }
    }

    pub(crate) async fn next(&mut self) -> Result<Chunk, TransferError> {
        let data = match self.first.take() {
            Some(b) => b,
            None => self.source.read_chunk(self.chunk_size).await?,
        };
        // Each byte is hashed once: the chunk's block digests make both its
        // own hash and (in order) the content's.
        let digests = data.digests().await?;
        if !self.hasher.update_blocks(&digests, data.len()) {
            return Err(TransferError::Protocol(
                "a chunk after the content's last block".into(),
            ));
        }
        let chunk = Chunk {
            offset: self.offset,
            hash: hash_of_digests(&digests),
            data,
        };
        self.offset = chunk.end();
        Ok(chunk)
    }

    /// A short chunk is the last; so is a full one that ends a file of
    /// known size (no empty append is then needed to close the session).
    fn is_last(&self, chunk: &Chunk) -> bool {
        chunk.data.len() < self.chunk_size as u64 || self.source.len() == Some(chunk.end())
    }
}

async fn upload_in_session(
    client: &UserClient,
    source: Source,
    first: Option<ChunkData>,
    commit: CommitInfo,
    options: &UploadOptions,
) -> Result<FileMetadata, TransferError> {
    let reporter = Reporter::new(options.progress.clone(), source.len());
    let session_type = match options.session {
        SessionKind::Concurrent => files::UploadSessionType::Concurrent,
        SessionKind::Sequential => files::UploadSessionType::Sequential,
    };
    let start = files::UploadSessionStartArg::new().with_session_type(session_type);
    let session_id = files::upload_session_start(client, &start, Bytes::new())
        .await
        .map_err(boxed(TransferError::StartSession))?
        .session_id;
    let mut chunks = Chunks::new(source, first, options.chunk_size);
    let total = match options.session {
        SessionKind::Concurrent => {
            append_concurrently(client, &session_id, &mut chunks, options, &reporter).await?
        }
        SessionKind::Sequential => {
            append_in_order(client, &session_id, &mut chunks, options, &reporter).await?
        }
    };
    let cursor = UploadSessionCursor::new(session_id, total);
    let finish = files::UploadSessionFinishArg::new(cursor, commit);
    let meta = files::upload_session_finish(client, &finish, Bytes::new())
        .await
        .map_err(boxed(TransferError::Finish))?;
    check_uploaded(meta, chunks.hasher.finish())
}

/// Full chunks go up to `concurrency` at a time, in any order (the next is
/// read only when one is acknowledged, which bounds memory); the short last
/// one closes the session once all others are in. Returns the size.
async fn append_concurrently(
    client: &UserClient,
    session_id: &str,
    chunks: &mut Chunks,
    options: &UploadOptions,
    reporter: &Reporter,
) -> Result<u64, TransferError> {
    use futures_util::future::{select, Either};
    let mut in_flight = futures_util::stream::FuturesUnordered::new();
    let mut last: Option<Chunk> = None;
    loop {
        if last.is_none() && in_flight.len() < options.concurrency {
            // Read the next chunk while the appends in flight go on.
            let chunk = {
                let mut read = std::pin::pin!(chunks.next());
                loop {
                    if in_flight.is_empty() {
                        break read.as_mut().await?;
                    }
                    match select(read.as_mut(), in_flight.next()).await {
                        Either::Left((chunk, _)) => break chunk?,
                        Either::Right((Some(sent), _)) => reporter.add(sent?),
                        Either::Right((None, _)) => {}
                    }
                }
            };
            if chunks.is_last(&chunk) {
                last = Some(chunk);
            } else {
                in_flight.push(append(client, session_id, chunk, false));
            }
            continue;
        }
        match in_flight.next().await {
            Some(sent) => reporter.add(sent?),
            None => break,
        }
    }
    let last = match last {
        Some(c) => c,
        None => return Err(TransferError::Protocol("the content ended unread".into())),
    };
    let end = last.end();
    reporter.add(append(client, session_id, last, true).await?);
    Ok(end)
}

async fn append(
    client: &UserClient,
    session_id: &str,
    chunk: Chunk,
    close: bool,
) -> Result<u64, TransferError> {
    let len = chunk.data.len();
    let cursor = UploadSessionCursor::new(session_id.to_string(), chunk.offset);
    let arg = files::UploadSessionAppendArg::new(cursor)
        .with_close(close)
        .with_content_hash(chunk.hash);
    files::upload_session_append_v2(client, &arg, chunk.data.body())
        .await
        .map_err(boxed(TransferError::Append))?;
    Ok(len)
}

/// Chunks in order, one in flight while the next is read; the last closes
/// the session. On `incorrect_offset` the upload continues from Dropbox's
/// `correct_offset`. Returns the size.
pub(crate) async fn append_in_order(
    client: &UserClient,
    session_id: &str,
    chunks: &mut Chunks,
    options: &UploadOptions,
    reporter: &Reporter,
) -> Result<u64, TransferError> {
    let attempts = options.max_attempts;
    let mut current = chunks.next().await?;
    let mut next: Option<Chunk> = None;
    let mut rewinds = 0;
    loop {
        let close = chunks.is_last(&current);
        let send = send_resuming(client, session_id, &current, close, attempts);
        let outcome = if close || next.is_some() {
            send.await?
        } else {
            let (sent, read) = futures_util::future::join(send, chunks.next()).await;
            next = Some(read?);
            sent?
        };
        match outcome {
            Sent::All => {
                reporter.add(current.data.len());
                if close {
                    return Ok(current.end());
                }
                current = match next.take() {
                    Some(c) => c,
                    None => chunks.next().await?,
                };
            }
            Sent::Rewind(from) => {
                rewinds += 1;
                if rewinds > attempts {
                    return Err(TransferError::Protocol(format!(
                        "Dropbox keeps losing acknowledged data (resume at {from})"
                    )));
                }
                resend(client, session_id, chunks, from, current.offset, attempts).await?;
            }
        }
    }
}

enum Sent {
    All,
    /// Dropbox has less than what came before this chunk: send from here.
    Rewind(u64),
}

/// Append one chunk, continuing from `correct_offset` when Dropbox says
/// the offset is wrong: it may have part of it, or all of it (the answer
/// to an earlier attempt was lost).
async fn send_resuming(
    client: &UserClient,
    session_id: &str,
    chunk: &Chunk,
    close: bool,
    max_attempts: u32,
) -> Result<Sent, TransferError> {
    let end = chunk.end();
    let mut from = chunk.offset;
    let mut attempts = 0;
    loop {
        let body = chunk.data.tail(from - chunk.offset);
        let hash = if from == chunk.offset {
            chunk.hash.clone()
        } else {
            hash_of_digests(&body.digests().await?)
        };
        let cursor = UploadSessionCursor::new(session_id.to_string(), from);
        let arg = files::UploadSessionAppendArg::new(cursor)
            .with_close(close)
            .with_content_hash(hash);
        let err = match files::upload_session_append_v2(client, &arg, body.body()).await {
            Ok(()) => return Ok(Sent::All),
            Err(e) => e,
        };
        let correct = match err.route_error() {
            Some(UploadSessionAppendError::IncorrectOffset(o)) => o.correct_offset,
            _ => return Err(TransferError::Append(Box::new(err))),
        };
        attempts += 1;
        if attempts >= max_attempts {
            return Err(TransferError::Append(Box::new(err)));
        }
        if correct < chunk.offset {
            return Ok(Sent::Rewind(correct));
        }
        if correct > end {
            return Err(TransferError::Protocol(format!(
                "upload session {session_id}: Dropbox says it has {correct} bytes, \
                 but only {end} were sent"
            )));
        }
        if correct == end && !close {
            return Ok(Sent::All);
        }
        // The rest of the chunk (nothing but the close, if it has it all).
        from = correct;
    }
}

/// Send `[from, to)` again, read again from the source (a file).
async fn resend(
    client: &UserClient,
    session_id: &str,
    chunks: &mut Chunks,
    mut from: u64,
    to: u64,
    attempts: u32,
) -> Result<(), TransferError> {
    while from < to {
        let len = (to - from).min(chunks.chunk_size as u64);
        // Hashing the range reads it: a file that shrank fails there.
        let chunk = Chunk::hashed(from, chunks.source.reread(from, len)?).await?;
        match send_resuming(client, session_id, &chunk, false, attempts).await? {
            Sent::All => from += len,
            Sent::Rewind(again) => {
                return Err(TransferError::Protocol(format!(
                    "Dropbox lost data again while resuming (at {again})"
                )))
            }
        }
    }
    Ok(())
}
