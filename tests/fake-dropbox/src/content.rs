//! File content as a list of shared chunks, and Dropbox's `content_hash`.
//!
//! Content is kept as the chunks it arrived in (one per upload request), so
//! that a 300 MiB upload session is never copied into one buffer: finishing
//! a session moves the chunk list into the file, and a download sends the
//! chunks as they are.

use bytes::Bytes;
use sha2::{Digest, Sha256};

/// The block size of `content_hash`: 4 MiB.
pub const HASH_BLOCK: usize = 4 << 20;

/// A file's bytes, as a list of shared chunks.
#[derive(Clone, Default)]
pub struct Content {
    chunks: Vec<Bytes>,
    len: u64,
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Content")
            .field("len", &self.len)
            .field("chunks", &self.chunks.len())
            .finish()
    }
}

impl From<Bytes> for Content {
    fn from(b: Bytes) -> Self {
        let mut c = Content::default();
        c.push(b);
        c
    }
}

impl From<Vec<u8>> for Content {
    fn from(v: Vec<u8>) -> Self {
        Content::from(Bytes::from(v))
    }
}

impl Content {
    /// Append a chunk (no copy).
    pub fn push(&mut self, chunk: Bytes) {
        if !chunk.is_empty() {
            self.len += chunk.len() as u64;
            self.chunks.push(chunk);
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes in `start..end` as slices of the stored chunks (no copy).
    pub fn slice(&self, start: u64, end: u64) -> Vec<Bytes> {
        let mut out = vec![];
        let mut at = 0u64;
        for chunk in &self.chunks {
            let (from, to) = (at, at + chunk.len() as u64);
            at = to;
            if to <= start || from >= end {
                continue;
            }
            let a = start.saturating_sub(from) as usize;
            let b = (end.min(to) - from) as usize;
            out.push(chunk.slice(a..b));
        }
        out
    }

    /// Every chunk, in order.
    pub fn chunks(&self) -> &[Bytes] {
        &self.chunks
    }

    /// The whole content in one buffer (small files: search, tests).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len as usize);
        for c in &self.chunks {
            out.extend_from_slice(c);
        }
        out
    }

    /// Dropbox's `content_hash` of this content.
    pub fn content_hash(&self) -> String {
        let mut h = ContentHasher::new();
        for c in &self.chunks {
            h.update(c);
        }
        h.finish()
    }
}

/// Dropbox's `content_hash`, computed as data arrives: the SHA-256 of the
/// concatenated SHA-256 digests of each 4 MiB block, in lowercase hex.
#[derive(Clone, Default)]
pub struct ContentHasher {
    overall: Sha256,
    block: Sha256,
    in_block: usize,
}

impl ContentHasher {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let take = (HASH_BLOCK - self.in_block).min(data.len());
            self.block.update(&data[..take]);
            self.in_block += take;
            data = &data[take..];
            if self.in_block == HASH_BLOCK {
                let digest = std::mem::take(&mut self.block).finalize();
                self.overall.update(digest);
                self.in_block = 0;
            }
        }
    }

    pub fn finish(mut self) -> String {
        if self.in_block > 0 {
            self.overall.update(self.block.finalize());
        }
        hex(&self.overall.finalize())
    }
}

/// `content_hash` of bytes in memory.
pub fn content_hash(data: &[u8]) -> String {
    let mut h = ContentHasher::new();
    h.update(data);
    h.finish()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_content_hashes_to_sha256_of_nothing() {
        // No block at all: the SHA-256 of the empty concatenation.
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn hash_does_not_depend_on_how_the_content_is_chunked() {
        let data: Vec<u8> = (0..(HASH_BLOCK * 2 + 12345))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let mut c = Content::default();
        for piece in data.chunks(1_000_003) {
            c.push(Bytes::copy_from_slice(piece));
        }
        assert_eq!(c.len(), data.len() as u64);
        assert_eq!(c.content_hash(), content_hash(&data));
        // Two full blocks and a partial one: three inner digests.
        let mut inner = Sha256::new();
        for block in data.chunks(HASH_BLOCK) {
            inner.update(Sha256::digest(block));
        }
        assert_eq!(c.content_hash(), hex(&inner.finalize()));
    }

    #[test]
    fn slices_cross_chunk_boundaries() {
        let mut c = Content::default();
        c.push(Bytes::from_static(b"hello "));
        c.push(Bytes::from_static(b"world"));
        let joined: Vec<u8> = c.slice(3, 8).iter().flat_map(|b| b.to_vec()).collect();
        assert_eq!(joined, b"lo wo");
        assert!(c.slice(11, 20).is_empty());
    }
}
