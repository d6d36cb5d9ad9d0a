//! A Dropbox file to a local file: streamed to disk, optionally in
//! parallel ranges, `content_hash` checked before the file takes its name.

use super::{retry_delay, ProgressFn, Reporter, TransferError};
use crate::client::{ByteRange, UserClient};
use crate::content_hash::{BlockDigests, BLOCK_SIZE};
use crate::files::{self, FileMetadata};
use bytes::Bytes;
use futures_util::StreamExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How [`download_file`] downloads.
#[derive(Clone)]
pub struct DownloadOptions {
    ranges: Option<(u64, usize)>,
    max_attempts: u32,
    progress: Option<ProgressFn>,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            ranges: None,
            max_attempts: 5,
            progress: None,
        }
    }
}

impl std::fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("ranges", &self.ranges)
            .field("max_attempts", &self.max_attempts)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl DownloadOptions {
    /// Download a file larger than `range_size` in ranges of that size
    /// (rounded up to a multiple of 4 MiB), `concurrency` at a time.
    pub fn with_parallel_ranges(mut self, range_size: u64, concurrency: usize) -> Self {
        let block = BLOCK_SIZE as u64;
        // Clamped in blocks, so that no size overflows the rounding.
        let size = range_size.div_ceil(block).clamp(1, u64::MAX / block) * block;
        self.ranges = Some((size, concurrency.max(1)));
        self
    }
    /// Attempts per range when the content breaks off (each continues
    /// where the last stopped); at least 1, default 5.
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// Called as content is written.
    pub fn with_progress(mut self, f: impl Fn(super::Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }
}

/// Download `dropbox_path` (a path, `id:` or `rev:`) to `local`. The
/// content goes to `local` + `.dropbox-part` first and takes its name only
/// once complete with the `content_hash` Dropbox gave; on any failure the
/// partial file is removed and `local` is left as it was.
///
/// ```no_run
/// # async fn f(client: dropbox::client::UserClient) -> Result<(), dropbox::transfer::TransferError> {
/// use dropbox::transfer::{download_file, DownloadOptions};
/// let options = DownloadOptions::default().with_parallel_ranges(32 << 20, 4);
/// let meta = download_file(&client, "/backups/disk.img", "disk.img", &options).await?;
/// println!("{} bytes", meta.size);
/// # Ok(()) }
/// ```
pub async fn download_file(
    client: &UserClient,
    dropbox_path: &str,
    local: impl AsRef<Path>,
    options: &DownloadOptions,
) -> Result<FileMetadata, TransferError> {
    let local = local.as_ref();
    let mut name = local.file_name().unwrap_or_default().to_os_string();
    name.push(".dropbox-part");
    let part = local.with_file_name(name);
    let result = match options.ranges {
        Some((range_size, concurrency)) => {
            download_ranges(
                client,
                dropbox_path,
                &part,
                range_size,
                concurrency,
                options,
            )
            .await
        }
        None => download_whole(client, dropbox_path, &part, options).await,
    };
    match result {
        Ok(meta) => {
            tokio::fs::rename(&part, local)
                .await
                .map_err(|e| TransferError::local(Some(local), e))?;
            Ok(meta)
        }
        Err(e) => {
            // Nothing partial is left behind under any name.
            let _ = tokio::fs::remove_file(&part).await;
            Err(e)
        }
    }
}

async fn download_whole(
    client: &UserClient,
    dropbox_path: &str,
    part: &Path,
    options: &DownloadOptions,
) -> Result<FileMetadata, TransferError> {
    create(part, None).await?;
    let reporter = Reporter::new(options.progress.clone(), None);
    let range = Range {
        path: dropbox_path,
        rev: None,
        start: 0,
        end: None,
    };
    let (meta, digests) = fetch(client, &range, part, options, &reporter).await?;
    check_downloaded(meta, digests)
}

async fn download_ranges(
    client: &UserClient,
    dropbox_path: &str,
    part: &Path,
    range_size: u64,
    concurrency: usize,
    options: &DownloadOptions,
) -> Result<FileMetadata, TransferError> {
    let arg = files::GetMetadataArg::new(dropbox_path.to_string());
    let meta = match files::get_metadata(client, &arg).await {
        Ok(files::Metadata::File(f)) => f,
        Ok(_) => {
            return Err(TransferError::Protocol(format!(
                "{dropbox_path} is not a file"
            )))
        }
        Err(e) => return Err(TransferError::Metadata(Box::new(e))),
    };
    if meta.size <= range_size {
        return download_whole(client, dropbox_path, part, options).await;
    }
    create(part, Some(meta.size)).await?;
    let reporter = Reporter::new(options.progress.clone(), Some(meta.size));
    let (rev, size) = (meta.rev.clone(), meta.size);
    let ranges = (0..size.div_ceil(range_size)).map(|i| Range {
        path: dropbox_path,
        rev: Some(&rev),
        start: i * range_size,
        end: Some(((i + 1) * range_size).min(size)),
    });
    let reporter = &reporter;
    let fetched = futures_util::stream::iter(ranges)
        .map(|range| async move { fetch(client, &range, part, options, reporter).await })
        .buffered(concurrency);
    let mut fetched = std::pin::pin!(fetched);
    // Ranges are multiples of 4 MiB: their block digests, in order, make
    // the whole file's hash.
    let mut digests = BlockDigests::default();
    let mut last = None;
    while let Some(done) = fetched.next().await {
        let (range_meta, range_digests) = done?;
        digests.extend(range_digests);
        last = Some(range_meta);
    }
    check_downloaded(last.unwrap_or(meta), digests)
}

/// Create (or empty) the partial file, of its final length if known.
async fn create(part: &Path, len: Option<u64>) -> Result<(), TransferError> {
    let fail = |e| TransferError::local(Some(part), e);
    let file = tokio::fs::File::create(part).await.map_err(fail)?;
    if let Some(len) = len {
        file.set_len(len).await.map_err(fail)?;
    }
    Ok(())
}

/// Part of a file: `[start, end)`, `end` None for "to its end"; `rev`, once
/// known, pins the revision every response must have.
struct Range<'a> {
    path: &'a str,
    rev: Option<&'a str>,
    start: u64,
    end: Option<u64>,
}

/// Download a range into the partial file at its offset, hashing it; when
/// the content breaks off, continue from where it stopped.
async fn fetch(
    client: &UserClient,
    range: &Range<'_>,
    part: &Path,
    options: &DownloadOptions,
    reporter: &Reporter,
) -> Result<(FileMetadata, BlockDigests), TransferError> {
    let local = |e| TransferError::local(Some(part), e);
    let file = tokio::fs::OpenOptions::new()
        .write(true)
        .open(part)
        .await
        .map_err(local)?;
    let mut writer = RangeWriter::new(file.into_std().await, range.start, reporter);
    let arg = files::DownloadArg::new(range.path.to_string());
    let mut rev = range.rev.map(str::to_string);
    let mut at = range.start;
    let mut attempt = 0;
    loop {
        let http_range = match (at, range.end) {
            (0, None) => None,
            (a, None) => Some(ByteRange::From(a)),
            (a, Some(e)) => Some(ByteRange::Span(a, e - 1)),
        };
        let download = match files::download(client, &arg, http_range).await {
            Ok(d) => d,
            Err(e) => {
                attempt += 1;
                match retry_delay(client, &e, attempt - 1) {
                    Some(wait) if attempt < options.max_attempts => {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    _ => return Err(TransferError::Download(Box::new(e))),
                }
            }
        };
        let meta = download.result;
        match &rev {
            Some(r) if *r != meta.rev => {
                return Err(TransferError::Protocol(format!(
                    "{} changed during the download (rev {r}, then {})",
                    range.path, meta.rev
                )))
            }
            Some(_) => {}
            None => rev = Some(meta.rev.clone()),
        }
        let end = range.end.unwrap_or(meta.size);
        let mut body = download.body;
        let broke = loop {
            match body.chunk().await {
                Ok(Some(piece)) => {
                    if at + piece.len() as u64 > end {
                        return Err(TransferError::Protocol(format!(
                            "{}: more content than the {} bytes asked for",
                            range.path,
                            end - range.start
                        )));
                    }
                    at += piece.len() as u64;
                    writer.push(piece).await.map_err(local)?;
                }
                Ok(None) => break None,
                Err(e) => break Some(e),
            }
        };
        match broke {
            // Complete, even if the connection failed after the last byte.
            _ if at == end => {
                let digests = writer.finish().await.map_err(local)?;
                return Ok((meta, digests));
            }
            None => {
                return Err(TransferError::Protocol(format!(
                    "{}: the content ended at byte {at} of {end}",
                    range.path
                )))
            }
            Some(e) => {
                attempt += 1;
                if attempt >= options.max_attempts {
                    return Err(TransferError::Content(Box::new(e)));
                }
                let wait = Duration::from_millis(100).saturating_mul(1 << attempt.min(6));
                tokio::time::sleep(wait).await;
            }
        }
    }
}

fn check_downloaded(
    meta: FileMetadata,
    digests: BlockDigests,
) -> Result<FileMetadata, TransferError> {
    let local = digests.finish();
    if meta.content_hash.as_deref() == Some(local.as_str()) {
        return Ok(meta);
    }
    Err(TransferError::HashMismatch {
        path: meta
            .path_display
            .clone()
            .unwrap_or_else(|| meta.name.clone()),
        local,
        dropbox: meta.content_hash.clone(),
        metadata: None,
    })
}

/// What a range's content is written in: the pieces the client received,
/// held (not copied) until they make a batch, which is then hashed and
/// written at its offset on the blocking pool while the next fills. At
/// most two batches per range are held.
struct RangeWriter<'a> {
    /// The file and the range's digests, between batches.
    state: Option<(std::fs::File, BlockDigests)>,
    /// The batch being written, and its size.
    writing: Option<(tokio::task::JoinHandle<WriteResult>, u64)>,
    batch: Vec<Bytes>,
    batch_len: usize,
    /// Where the next batch goes in the file.
    at: u64,
    reporter: &'a Reporter,
}

type WriteResult = std::io::Result<(std::fs::File, BlockDigests)>;

/// Large enough for few thread hand-offs, small enough that ranges in
/// parallel hold little (a batch is a few of the client's reads).
const BATCH: usize = 256 * 1024;

impl<'a> RangeWriter<'a> {
    fn new(file: std::fs::File, at: u64, reporter: &'a Reporter) -> Self {
        RangeWriter {
            state: Some((file, BlockDigests::default())),
            writing: None,
            batch: Vec::new(),
            batch_len: 0,
            at,
            reporter,
        }
    }

    async fn push(&mut self, piece: Bytes) -> std::io::Result<()> {
        self.batch_len += piece.len();
        self.batch.push(piece);
        if self.batch_len >= BATCH {
            self.write_batch().await?;
        }
        Ok(())
    }

    /// Wait for the batch being written, then start writing this one.
    async fn write_batch(&mut self) -> std::io::Result<()> {
        self.wait().await?;
        let Some((file, mut digests)) = self.state.take() else {
            return Err(std::io::Error::other("a write of this range failed"));
        };
        let batch = std::mem::take(&mut self.batch);
        let (mut at, len) = (self.at, std::mem::take(&mut self.batch_len) as u64);
        self.at += len;
        let task = tokio::task::spawn_blocking(move || {
            for piece in &batch {
                digests.update(piece);
                write_all_at(&file, piece, at)?;
                at += piece.len() as u64;
            }
            Ok((file, digests))
        });
        self.writing = Some((task, len));
        Ok(())
    }

    async fn wait(&mut self) -> std::io::Result<()> {
        if let Some((task, len)) = self.writing.take() {
            self.state = Some(task.await.map_err(std::io::Error::other)??);
            self.reporter.add(len);
        }
        Ok(())
    }

    /// Write what is left; the range's block digests.
    async fn finish(mut self) -> std::io::Result<BlockDigests> {
        if !self.batch.is_empty() {
            self.write_batch().await?;
        }
        self.wait().await?;
        match self.state.take() {
            Some((_, digests)) => Ok(digests),
            None => Err(std::io::Error::other("a write of this range failed")),
        }
    }
}

/// Write all of `buf` at offset `at` (one system call where the platform
/// has one).
fn write_all_at(file: &std::fs::File, buf: &[u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::write_all_at(file, buf, at)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Seek, Write};
        let mut file = file;
        file.seek(std::io::SeekFrom::Start(at))?;
        file.write_all(buf)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn range_sizes_are_rounded_to_blocks_and_clamped_without_overflow() {
        let block = super::BLOCK_SIZE as u64;
        let range = |n| {
            super::DownloadOptions::default()
                .with_parallel_ranges(n, 0)
                .ranges
        };
        assert_eq!(range(1), Some((block, 1)));
        assert_eq!(range(block + 1), Some((2 * block, 1)));
        assert_eq!(range(u64::MAX), Some((u64::MAX / block * block, 1)));
    }
}
