//! Content to upload, read in chunks: a file (which can be read again
//! from any offset) or a stream (read once).

use super::TransferError;
use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

pub(crate) type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

pub(crate) enum Source {
    File {
        file: tokio::fs::File,
        path: PathBuf,
        len: u64,
        /// Where the next read starts.
        pos: u64,
    },
    Stream {
        stream: ByteStream,
        /// What the stream gave beyond the last chunk.
        pending: Bytes,
        ended: bool,
    },
}

impl Source {
    pub(crate) async fn open(path: &Path) -> Result<Source, TransferError> {
        let fail = |e| TransferError::local(Some(path), e);
        let file = tokio::fs::File::open(path).await.map_err(fail)?;
        let len = file.metadata().await.map_err(fail)?.len();
        Ok(Source::File {
            file,
            path: path.to_path_buf(),
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

    pub(crate) fn path(&self) -> Option<&Path> {
        match self {
            Source::File { path, .. } => Some(path),
            Source::Stream { .. } => None,
        }
    }

    /// The next `max` bytes: fewer only at the end, empty after it.
    pub(crate) async fn read_chunk(&mut self, max: usize) -> Result<Bytes, TransferError> {
        match self {
            Source::File {
                file, path, pos, ..
            } => {
                let chunk = read_file(file, max)
                    .await
                    .map_err(|e| TransferError::local(Some(path), e))?;
                *pos += chunk.len() as u64;
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
                            return Ok(pending.split_to(max));
                        }
                        let take = (max - out.len()).min(pending.len());
                        if out.capacity() == 0 {
                            out.reserve(max);
                        }
                        out.extend_from_slice(&pending.split_to(take));
                        if out.len() == max {
                            return Ok(out.freeze());
                        }
                    } else if *ended {
                        return Ok(out.freeze());
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

    /// Read `len` bytes at `offset` again, for a server that lost data it
    /// had acknowledged; only a file can. The next `read_chunk` continues
    /// where it would have.
    pub(crate) async fn reread(&mut self, offset: u64, len: usize) -> Result<Bytes, TransferError> {
        let Source::File {
            file, path, pos, ..
        } = self
        else {
            return Err(TransferError::Protocol(format!(
                "Dropbox asks to resume at offset {offset}, before the chunk in memory; \
                 a stream cannot be read again (upload a file to resume from any offset)"
            )));
        };
        let fail = |e| TransferError::local(Some(path.as_path()), e);
        file.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(fail)?;
        let chunk = read_file(file, len).await.map_err(fail)?;
        file.seek(std::io::SeekFrom::Start(*pos))
            .await
            .map_err(fail)?;
        Ok(chunk)
    }
}

/// Read until `max` bytes or the end.
pub(crate) async fn read_file(file: &mut tokio::fs::File, max: usize) -> std::io::Result<Bytes> {
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
