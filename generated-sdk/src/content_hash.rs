//! Dropbox's `content_hash`: SHA-256 over the concatenated SHA-256 digests
//! of each 4 MiB block of a file (the last block may be shorter; an empty
//! file hashes no block). It is the `content_hash` of `files::FileMetadata`
//! and the argument of the upload routes. See <https://www.dropbox.com/developers/reference/content-hash>.
//!
//! ```
//! let h = dropbox::content_hash::content_hash(b"");
//! assert_eq!(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
//! ```

use bytes::Bytes;
use futures_core::Stream;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The size of the blocks Dropbox hashes separately: 4 MiB.
pub const BLOCK_SIZE: usize = 4 * 1024 * 1024;

/// A `content_hash` computed incrementally: feed it the content in order,
/// in pieces of any size.
#[derive(Clone, Default)]
pub struct ContentHasher {
    overall: Sha256,
    block: Block,
    total: u64,
    /// A short block went in as a digest: nothing may follow.
    #[cfg(feature = "files")]
    ended: bool,
}

impl std::fmt::Debug for ContentHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentHasher")
            .field("bytes", &self.total)
            .finish_non_exhaustive()
    }
}

impl ContentHasher {
    pub fn new() -> Self {
        Self::default()
    }

    /// Hash the next piece of the content.
    pub fn update(&mut self, data: &[u8]) {
        self.total += data.len() as u64;
        let overall = &mut self.overall;
        self.block.feed(data, |digest| overall.update(digest));
    }

    /// Hash the content's next `len` bytes, given as the SHA-256 of each of
    /// their 4 MiB blocks (read elsewhere, once: an upload's chunk hashes
    /// them for its own `content_hash` too). They must start on a block
    /// boundary, and a short last block ends the content: false, with
    /// nothing hashed, when the bytes before did not end a block or
    /// already ended the content.
    #[cfg(feature = "files")]
    pub(crate) fn update_blocks(&mut self, digests: &[[u8; 32]], len: u64) -> bool {
        if self.block.len != 0 || self.ended {
            return false;
        }
        for d in digests {
            self.overall.update(d);
        }
        self.total += len;
        self.ended = !len.is_multiple_of(BLOCK_SIZE as u64);
        true
    }

    /// How many bytes were hashed.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was hashed yet.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The hash as lowercase hex, as Dropbox writes it.
    pub fn finish(mut self) -> String {
        if let Some(digest) = self.block.end() {
            self.overall.update(digest);
        }
        hex(&self.overall.finalize())
    }
}

/// The 4 MiB block being hashed: what `ContentHasher` and `BlockDigests`
/// share.
#[derive(Clone, Default)]
struct Block {
    sha: Sha256,
    len: usize,
}

impl Block {
    /// Hash `data`, giving `done` the digest of each block it completes.
    fn feed(&mut self, mut data: &[u8], mut done: impl FnMut([u8; 32])) {
        while !data.is_empty() {
            let take = (BLOCK_SIZE - self.len).min(data.len());
            self.sha.update(&data[..take]);
            self.len += take;
            data = &data[take..];
            if self.len == BLOCK_SIZE {
                done(std::mem::take(&mut self.sha).finalize().into());
                self.len = 0;
            }
        }
    }

    /// The digest of a block begun and not complete, which ends it.
    fn end(&mut self) -> Option<[u8; 32]> {
        if self.len == 0 {
            return None;
        }
        self.len = 0;
        Some(std::mem::take(&mut self.sha).finalize().into())
    }
}

/// The `content_hash` of content in memory.
pub fn content_hash(data: &[u8]) -> String {
    let mut h = ContentHasher::new();
    h.update(data);
    h.finish()
}

/// The `content_hash` of a file, read in 4 MiB pieces.
pub async fn content_hash_file(path: impl AsRef<Path>) -> std::io::Result<String> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path).await?;
    let mut h = ContentHasher::new();
    let mut buf = vec![0u8; BLOCK_SIZE];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            return Ok(h.finish());
        }
        h.update(&buf[..n]);
    }
}

/// The `content_hash` of a stream of pieces.
pub async fn content_hash_stream<S>(stream: S) -> std::io::Result<String>
where
    S: Stream<Item = std::io::Result<Bytes>>,
{
    use futures_util::StreamExt;
    let mut stream = std::pin::pin!(stream);
    let mut h = ContentHasher::new();
    while let Some(piece) = stream.next().await {
        h.update(&piece?);
    }
    Ok(h.finish())
}

/// The block digests of one part of the content, a part that starts on a
/// block boundary: the digests of each part, in order, give the whole's
/// hash. Parallel range downloads hash their ranges (multiples of 4 MiB)
/// this way, each as it arrives.
#[cfg(feature = "files")]
#[derive(Clone, Default)]
pub(crate) struct BlockDigests {
    digests: Vec<[u8; 32]>,
    block: Block,
}

#[cfg(feature = "files")]
impl BlockDigests {
    /// Hash the part's next bytes.
    pub(crate) fn update(&mut self, data: &[u8]) {
        let digests = &mut self.digests;
        self.block.feed(data, |digest| digests.push(digest));
    }

    /// Append the next part's digests; this part must end on a block
    /// boundary.
    pub(crate) fn extend(&mut self, mut next: BlockDigests) {
        debug_assert_eq!(self.block.len, 0, "a part before the last ends mid-block");
        next.end_partial_block();
        self.digests.extend(next.digests);
    }

    pub(crate) fn finish(self) -> String {
        hash_of_digests(&self.into_digests())
    }

    /// The digests of every block, the last one ended where it is.
    pub(crate) fn into_digests(mut self) -> Vec<[u8; 32]> {
        self.end_partial_block();
        self.digests
    }

    fn end_partial_block(&mut self) {
        if let Some(digest) = self.block.end() {
            self.digests.push(digest);
        }
    }
}

/// The `content_hash` of content whose blocks have these digests.
#[cfg(feature = "files")]
pub(crate) fn hash_of_digests(digests: &[[u8; 32]]) -> String {
    let mut overall = Sha256::new();
    for d in digests {
        overall.update(d);
    }
    hex(&overall.finalize())
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "files")]
    fn pieces_of_any_size_give_the_hash_of_the_whole() {
        let data: Vec<u8> = (0..(2 * BLOCK_SIZE + 100))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let whole = content_hash(&data);
        for piece in [1usize, 1000, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 3] {
            let mut h = ContentHasher::new();
            for p in data.chunks(piece) {
                h.update(p);
            }
            assert_eq!(h.finish(), whole, "pieces of {piece}");
        }
        let mut blocks = BlockDigests::default();
        blocks.update(&data[..BLOCK_SIZE / 2]);
        blocks.update(&data[BLOCK_SIZE / 2..BLOCK_SIZE]);
        let mut rest = BlockDigests::default();
        rest.update(&data[BLOCK_SIZE..]);
        blocks.extend(rest);
        assert_eq!(blocks.finish(), whole);
        let mut chunked = ContentHasher::new();
        for chunk in data.chunks(BLOCK_SIZE * 2) {
            let mut d = BlockDigests::default();
            d.update(chunk);
            let d = d.into_digests();
            assert_eq!(hash_of_digests(&d), content_hash(chunk));
            assert!(chunked.update_blocks(&d, chunk.len() as u64));
        }
        assert!(!chunked.update_blocks(&[], 0), "a short block ended it");
        assert_eq!(chunked.finish(), whole);
    }

    #[test]
    fn one_block_is_the_hash_of_its_digest() {
        let inner = Sha256::digest(b"abc");
        assert_eq!(content_hash(b"abc"), hex(&Sha256::digest(inner)));
    }
}
