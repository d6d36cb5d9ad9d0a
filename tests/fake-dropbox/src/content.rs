//! File content as a list of shared chunks, and Dropbox's `content_hash`.
//!
//! Content is kept as the chunks it arrived in (one per upload request), so
//! that a 300 MiB upload session is never copied into one buffer: finishing
//! a session moves the chunk list into the file, and a download sends the
//! chunks as they are. An upload's chunks are the pieces its request body
//! arrived in, not copied into one buffer. Each 4 MiB block's SHA-256,
//! computed to check an upload's `content_hash`, is kept with the content:
//! committing a file does not read it all again.

use bytes::Bytes;
use sha2::{Digest, Sha256};

/// The block size of `content_hash`: 4 MiB.
pub const HASH_BLOCK: usize = 4 << 20;

/// A file's bytes, as a list of shared chunks.
#[derive(Clone, Default)]
pub struct Content {
    chunks: Vec<Bytes>,
    len: u64,
    /// The SHA-256 of each 4 MiB block, once computed ([`Content::hash_blocks`]);
    /// None after a change they do not cover.
    digests: Option<Vec<[u8; 32]>>,
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
            self.digests = None;
        }
    }

    /// Append other content (no copy). Its block digests are kept when
    /// both have them and this content ends on a block boundary.
    pub fn append(&mut self, other: Content) {
        if other.is_empty() {
            return;
        }
        let aligned = self.len.is_multiple_of(HASH_BLOCK as u64);
        self.digests = match (self.digests.take(), other.digests) {
            (Some(mut mine), Some(theirs)) if aligned => {
                mine.extend(theirs);
                Some(mine)
            }
            // Nothing before: the other's digests are the whole's.
            (_, theirs) if self.len == 0 => theirs,
            _ => None,
        };
        self.len += other.len;
        self.chunks.extend(other.chunks);
    }

    /// The SHA-256 of each 4 MiB block (computed once, then kept).
    pub fn hash_blocks(&mut self) -> &[[u8; 32]] {
        let chunks = &self.chunks;
        self.digests.get_or_insert_with(|| {
            let mut d = BlockDigester::default();
            for c in chunks {
                d.update(c);
            }
            d.finish()
        })
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
        if let Some(d) = &self.digests {
            return hash_of_digests(d);
        }
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
    blocks: BlockDigester,
}

impl ContentHasher {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, data: &[u8]) {
        self.blocks.update(data);
    }

    pub fn finish(self) -> String {
        hash_of_digests(&self.blocks.finish())
    }
}

/// `content_hash` of bytes in memory.
pub fn content_hash(data: &[u8]) -> String {
    let mut h = ContentHasher::new();
    h.update(data);
    h.finish()
}

/// The `content_hash` of content whose 4 MiB blocks have these digests.
pub fn hash_of_digests(digests: &[[u8; 32]]) -> String {
    let mut overall = Sha256::new();
    for d in digests {
        overall.update(d);
    }
    hex(&overall.finalize())
}

/// Each 4 MiB block's SHA-256, from pieces of any size.
#[derive(Clone, Default)]
struct BlockDigester {
    digests: Vec<[u8; 32]>,
    block: Sha256,
    in_block: usize,
}

impl BlockDigester {
    fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let take = (HASH_BLOCK - self.in_block).min(data.len());
            self.block.update(&data[..take]);
            self.in_block += take;
            data = &data[take..];
            if self.in_block == HASH_BLOCK {
                self.digests
                    .push(std::mem::take(&mut self.block).finalize().into());
                self.in_block = 0;
            }
        }
    }

    fn finish(mut self) -> Vec<[u8; 32]> {
        if self.in_block > 0 {
            self.digests.push(self.block.finalize().into());
        }
        self.digests
    }
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
        // Kept digests: of pieces appended on block boundaries, and not
        // of pieces that are not.
        c.hash_blocks();
        assert_eq!(c.content_hash(), content_hash(&data));
        let mut whole = Content::default();
        for block in data.chunks(HASH_BLOCK) {
            let mut piece = Content::from(block.to_vec());
            piece.hash_blocks();
            whole.append(piece);
        }
        assert!(whole.digests.is_some());
        assert_eq!(whole.content_hash(), content_hash(&data));
        let mut odd = Content::from(data[..10].to_vec());
        odd.hash_blocks();
        let mut rest = Content::from(data[10..].to_vec());
        rest.hash_blocks();
        odd.append(rest);
        assert!(odd.digests.is_none());
        assert_eq!(odd.content_hash(), content_hash(&data));
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
