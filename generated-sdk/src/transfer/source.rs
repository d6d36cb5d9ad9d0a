//! Content to upload, read in chunks: a file (whose chunks are ranges,
//! read when they are hashed and again when they are sent, so a file's
//! upload never holds a chunk in memory) or a stream (read once, each chunk
//! held until it is sent).

use super::TransferError;
use crate::client::{FileRange, UploadBody, RANGE_PIECE};
use crate::content_hash::BlockDigests;
use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

pub(crate) type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

pub(crate) enum Source {
    File {
        path: Arc<Path>,
        len: u64,
        /// Where the next chunk starts.
        pos: u64,
    },
    Stream {
        stream: ByteStream,
        /// What the stream gave beyond the last chunk.
        pending: Bytes,
        ended: bool,
    },
}

/// A chunk's content: bytes in memory, or a part of a file read when it
/// is needed.
#[derive(Clone)]
pub(crate) enum ChunkData {
    Bytes(Bytes),
    File {
        path: Arc<Path>,
        offset: u64,
        len: u64,
    },
}

impl ChunkData {
    pub(crate) fn len(&self) -> u64 {
        match self {
            ChunkData::Bytes(b) => b.len() as u64,
            ChunkData::File { len, .. } => *len,
        }
    }

    /// The content after its first `skip` bytes.
    pub(crate) fn tail(&self, skip: u64) -> ChunkData {
        match self {
            ChunkData::Bytes(b) => ChunkData::Bytes(b.slice(skip.min(b.len() as u64) as usize..)),
            ChunkData::File { path, offset, len } => ChunkData::File {
                path: path.clone(),
                offset: offset + skip.min(*len),
                len: len - skip.min(*len),
            },
        }
    }

    /// The request body that sends it (a file part is read as it goes,
    /// and again if the client retries).
    pub(crate) fn body(&self) -> UploadBody {
        match self {
            ChunkData::Bytes(b) => UploadBody::bytes(b.clone()),
            ChunkData::File { path, offset, len } => {
                UploadBody::file_range(path.to_path_buf(), *offset, *len)
            }
        }
    }

    /// The SHA-256 of each of its 4 MiB blocks (counted from its start): its
    /// own `content_hash`, and the file's once all chunks are in. A file
    /// part is read on the blocking pool, through one small buffer.
    pub(crate) async fn digests(&self) -> Result<Vec<[u8; 32]>, TransferError> {
        match self {
            ChunkData::Bytes(b) => {
                let mut d = BlockDigests::default();
                d.update(b);
                Ok(d.into_digests())
            }
            ChunkData::File { path, offset, len } => {
                let (path, offset, len) = (path.clone(), *offset, *len);
                let fail_path = path.clone();
                tokio::task::spawn_blocking(move || hash_range(&path, offset, len))
                    .await
                    .map_err(std::io::Error::other)
                    .and_then(|r| r)
                    .map_err(|e| TransferError::local(Some(&fail_path), e))
            }
        }
    }
}

/// The block digests of `len` bytes of a file from `offset`.
fn hash_range(path: &Path, offset: u64, len: u64) -> std::io::Result<Vec<[u8; 32]>> {
    let mut range = FileRange::new(path.to_path_buf(), offset, len);
    // Few system calls, little memory.
    let mut buf = vec![0u8; RANGE_PIECE];
    let mut digests = BlockDigests::default();
    while range.left() > 0 {
        let piece = &mut buf[..range.left().min(RANGE_PIECE as u64) as usize];
        range.read_into(piece)?;
        digests.update(piece);
    }
    Ok(digests.into_digests())
}

impl Source {
    pub(crate) async fn open(path: &Path) -> Result<Source, TransferError> {
        let fail = |e| TransferError::local(Some(path), e);
        // Opened now, so that a file that cannot be read fails here.
        let file = tokio::fs::File::open(path).await.map_err(fail)?;
        let len = file.metadata().await.map_err(fail)?.len();
        Ok(Source::File {
            path: Arc::from(path),
            len,
            pos: 0,
        })
    }

    pub(crate) fn stream(stream: ByteStream) -> Source {
        Source::Stream {
            stream,
            pending: Bytes::new(),
            ended: false,
        }
    }

    pub(crate) fn bytes(data: Bytes) -> Source {
        Source::Stream {
            stream: Box::pin(futures_util::stream::empty()),
            pending: data,
            ended: true,
        }
    }

    /// The content's size, when known before reading it (a file's).
    pub(crate) fn len(&self) -> Option<u64> {
        match self {
            Source::File { len, .. } => Some(*len),
            Source::Stream { .. } => None,
        }
    }

    /// The next `max` bytes: fewer only at the end, empty after it. A
    /// file's are a range, read later.
    pub(crate) async fn read_chunk(&mut self, max: usize) -> Result<ChunkData, TransferError> {
        match self {
            Source::File { path, len, pos } => {
                let n = (*len - *pos).min(max as u64);
                let chunk = ChunkData::File {
                    path: path.clone(),
                    offset: *pos,
                    len: n,
                };
                *pos += n;
                Ok(chunk)
            }
            Source::Stream {
                stream,
                pending,
                ended,
            } => {
                use futures_util::StreamExt;
                let mut out = BytesMut::new();
                loop {
                    if !pending.is_empty() {
                        // A piece that fills the chunk alone is not copied.
                        if out.is_empty() && pending.len() >= max {
                            return Ok(ChunkData::Bytes(pending.split_to(max)));
                        }
                        let take = (max - out.len()).min(pending.len());
                        if out.capacity() == 0 {
                            out.reserve(max);
                        }
                        out.extend_from_slice(&pending.split_to(take));
                        if out.len() == max {
                            return Ok(ChunkData::Bytes(out.freeze()));
                        }
                    } else if *ended {
                        return Ok(ChunkData::Bytes(out.freeze()));
                    } else {
                        match stream.next().await {
                            Some(Ok(piece)) => *pending = piece,
                            Some(Err(e)) => return Err(TransferError::local(None, e)),
                            None => *ended = true,
                        }
                    }
                }
            }
        }
    }

    /// `len` bytes at `offset` again, for a server that lost data it had
    /// acknowledged; only a file can give them.
    pub(crate) fn reread(&self, offset: u64, len: u64) -> Result<ChunkData, TransferError> {
        match self {
            Source::File { path, .. } => Ok(ChunkData::File {
                path: path.clone(),
                offset,
                len,
            }),
            Source::Stream { .. } => Err(TransferError::Protocol(format!(
                "Dropbox asks to resume at offset {offset}, before the chunk in memory; \
                 a stream cannot be read again (upload a file to resume from any offset)"
            ))),
        }
    }
}

/// Read until `max` bytes or the end.
pub(crate) async fn read_file(file: &mut tokio::fs::File, max: usize) -> std::io::Result<Bytes> {
    use tokio::io::AsyncReadExt;
    let mut buf = BytesMut::with_capacity(max);
    while buf.len() < max {
        // `read_buf` fills spare capacity, which `with_capacity` gave.
        let mut limited = (&mut *file).take((max - buf.len()) as u64);
        if limited.read_buf(&mut buf).await? == 0 {
            break;
        }
    }
    Ok(buf.freeze())
}
