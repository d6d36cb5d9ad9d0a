//! Request bodies of uploads, response bodies of downloads.

use super::Error;
use bytes::Bytes;
use futures_core::Stream;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// The content of an upload: bytes, a file, or a stream.
///
/// Bytes and files are sent again from their start when a request is
/// retried; a stream can be sent only once.
pub struct UploadBody(Kind);

enum Kind {
    Bytes(Bytes),
    File(PathBuf),
    FileRange {
        path: PathBuf,
        offset: u64,
        len: u64,
    },
    Stream(Mutex<Option<ByteStream>>),
}

impl std::fmt::Debug for UploadBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Kind::Bytes(b) => write!(f, "UploadBody::Bytes({} bytes)", b.len()),
            Kind::File(p) => write!(f, "UploadBody::File({})", p.display()),
            Kind::FileRange { path, offset, len } => write!(
                f,
                "UploadBody::FileRange({}, {len} bytes at {offset})",
                path.display()
            ),
            Kind::Stream(_) => f.write_str("UploadBody::Stream"),
        }
    }
}

impl UploadBody {
    /// The whole content in memory.
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        UploadBody(Kind::Bytes(data.into()))
    }
    /// A file's content, read as it is sent (opened again for a retry).
    pub fn file(path: impl Into<PathBuf>) -> Self {
        UploadBody(Kind::File(path.into()))
    }
    /// `len` bytes of a file from `offset`, read as they are sent (read
    /// again for a retry), never held whole in memory. The file ending
    /// before them fails the request.
    pub fn file_range(path: impl Into<PathBuf>, offset: u64, len: u64) -> Self {
        UploadBody(Kind::FileRange {
            path: path.into(),
            offset,
            len,
        })
    }
    /// A stream of chunks, sent as they come (not retried).
    pub fn stream(stream: impl Stream<Item = std::io::Result<Bytes>> + Send + 'static) -> Self {
        UploadBody(Kind::Stream(Mutex::new(Some(Box::pin(stream)))))
    }

    /// Whether the body can be sent again.
    pub(crate) fn replayable(&self) -> bool {
        !matches!(self.0, Kind::Stream(_))
    }

    /// The size, when known before the body is sent (sent as
    /// `Content-Length`, so that the server need not read it in chunks).
    pub(crate) fn known_len(&self) -> Option<u64> {
        match &self.0 {
            Kind::FileRange { len, .. } => Some(*len),
            _ => None,
        }
    }

    /// The body for one attempt; `None` when a stream was already sent.
    pub(crate) async fn for_attempt(
        &self,
        route: &'static str,
    ) -> Result<Option<reqwest::Body>, Error<super::error::RawJson>> {
        match &self.0 {
            Kind::Bytes(b) => Ok(Some(reqwest::Body::from(b.clone()))),
            Kind::File(path) => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|source| Error::Io { route, source })?;
                Ok(Some(reqwest::Body::wrap_stream(file_chunks(file))))
            }
            Kind::FileRange { path, offset, len } => Ok(Some(reqwest::Body::wrap_stream(
                range_pieces(path.clone(), *offset, *len),
            ))),
            Kind::Stream(s) => Ok(s
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .map(reqwest::Body::wrap_stream)),
        }
    }
}

/// A file as a stream of 256 KiB chunks.
fn file_chunks(file: tokio::fs::File) -> impl Stream<Item = std::io::Result<Bytes>> + Send {
    use tokio::io::AsyncReadExt;
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buf = vec![0u8; 256 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

/// How much of a file range is read at once: large enough for few
/// system calls, small enough that many requests in flight hold little.
pub(crate) const RANGE_PIECE: usize = 256 * 1024;

/// A part of a file, read in order: the file is opened at the part's
/// offset on the first read, and its ending before the part does is an
/// error that names it. Upload bodies send parts this way, and the transfer
/// helpers hash them this way.
pub(crate) struct FileRange {
    path: PathBuf,
    file: Option<std::fs::File>,
    offset: u64,
    left: u64,
}

impl FileRange {
    pub(crate) fn new(path: PathBuf, offset: u64, len: u64) -> Self {
        FileRange {
            path,
            file: None,
            offset,
            left: len,
        }
    }

    /// The bytes not read yet.
    pub(crate) fn left(&self) -> u64 {
        self.left
    }

    /// Fill `buf` with the part's next bytes (`buf` no longer than what is
    /// left).
    pub(crate) fn read_into(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        use std::io::{Read, Seek};
        debug_assert!(buf.len() as u64 <= self.left);
        let file = match &mut self.file {
            Some(f) => f,
            None => {
                let mut f = std::fs::File::open(&self.path)?;
                f.seek(std::io::SeekFrom::Start(self.offset))?;
                self.file.insert(f)
            }
        };
        file.read_exact(buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => std::io::Error::new(
                e.kind(),
                format!("{} ended before the bytes to send", self.path.display()),
            ),
            _ => e,
        })?;
        self.left -= buf.len() as u64;
        Ok(())
    }
}

/// `len` bytes of the file at `path` from `offset`, in pieces read on the
/// blocking pool (a read straight into each piece: no copy through an
/// intermediate buffer).
fn range_pieces(
    path: PathBuf,
    offset: u64,
    len: u64,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send {
    struct State {
        range: FileRange,
        /// The last pieces handed out: one the connection has finished
        /// with is read into again (no fresh memory, nothing to zero).
        sent: std::collections::VecDeque<Bytes>,
    }
    let state = State {
        range: FileRange::new(path, offset, len),
        sent: Default::default(),
    };
    fn read_piece(st: &mut State, want: usize) -> std::io::Result<Bytes> {
        let reused = match st.sent.pop_front() {
            Some(old) if old.len() >= want => old.try_into_mut().map_err(Some),
            old => Err(old),
        };
        let mut buf = match reused {
            Ok(buf) => buf,
            Err(busy) => {
                // Still in use (or too small): kept for later, if in use.
                if let Some(b) = busy.filter(|b| b.len() >= want) {
                    st.sent.push_front(b);
                }
                bytes::BytesMut::zeroed(want)
            }
        };
        buf.truncate(want);
        st.range.read_into(&mut buf)?;
        let piece = buf.freeze();
        st.sent.push_back(piece.clone());
        if st.sent.len() > 3 {
            st.sent.pop_front();
        }
        Ok(piece)
    }
    futures_util::stream::unfold(Some(state), |state| async move {
        let mut st = state?;
        if st.range.left() == 0 {
            return None;
        }
        let want = st.range.left().min(RANGE_PIECE as u64) as usize;
        let read = tokio::task::spawn_blocking(move || {
            let piece = read_piece(&mut st, want);
            (st, piece)
        })
        .await;
        match read {
            Ok((st, Ok(piece))) => Some((Ok(piece), Some(st))),
            Ok((_, Err(e))) => Some((Err(e), None)),
            Err(e) => Some((Err(std::io::Error::other(e)), None)),
        }
    })
}

impl From<Vec<u8>> for UploadBody {
    fn from(v: Vec<u8>) -> Self {
        UploadBody::bytes(v)
    }
}
impl From<Bytes> for UploadBody {
    fn from(v: Bytes) -> Self {
        UploadBody::bytes(v)
    }
}
impl From<&'static [u8]> for UploadBody {
    fn from(v: &'static [u8]) -> Self {
        UploadBody::bytes(v)
    }
}
impl From<String> for UploadBody {
    fn from(v: String) -> Self {
        UploadBody::bytes(v)
    }
}
impl From<&std::path::Path> for UploadBody {
    fn from(p: &std::path::Path) -> Self {
        UploadBody::file(p)
    }
}
impl From<PathBuf> for UploadBody {
    fn from(p: PathBuf) -> Self {
        UploadBody::file(p)
    }
}

/// Part of a download (`Range: bytes=...`).
///
/// The body holds exactly these bytes: when a server ignores `Range` and
/// sends the whole file (HTTP allows it), the rest is skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteRange {
    /// From this offset to the end.
    From(u64),
    /// Both offsets included.
    Span(u64, u64),
    /// The last n bytes.
    Last(u64),
}

impl ByteRange {
    pub(crate) fn header(self) -> String {
        match self {
            ByteRange::From(a) => format!("bytes={a}-"),
            ByteRange::Span(a, b) => format!("bytes={a}-{b}"),
            ByteRange::Last(n) => format!("bytes=-{n}"),
        }
    }
}

/// A download's result and its content.
#[derive(Debug)]
#[non_exhaustive]
pub struct Download<R> {
    /// The route's result (from the `Dropbox-API-Result` header).
    pub result: R,
    /// The content, as it arrives.
    pub body: DownloadBody,
}

/// A download's content, streamed: it is not held in memory whole.
pub struct DownloadBody {
    route: &'static str,
    length: Option<u64>,
    stream: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    /// Set when a range was asked for and the server sent the whole file
    /// (HTTP lets it ignore `Range`): the part of it the caller asked for.
    window: Option<Window>,
}

/// The bytes of a whole file that make up a range.
#[derive(Clone, Copy, Debug)]
struct Window {
    skip: u64,
    /// `None`: to the end.
    keep: Option<u64>,
}

impl Window {
    /// Where `range` lies in a whole file of `total` bytes (if known).
    fn of(range: ByteRange, total: Option<u64>) -> Option<Window> {
        Some(match range {
            ByteRange::From(a) => Window {
                skip: a,
                keep: None,
            },
            ByteRange::Span(a, b) => Window {
                skip: a,
                keep: Some(b.saturating_sub(a).saturating_add(1)),
            },
            ByteRange::Last(n) => Window {
                skip: total?.saturating_sub(n),
                keep: None,
            },
        })
    }

    /// The window's part of the next chunk, or `None` when the window has
    /// all it needs; an empty chunk while skipping.
    fn cut(&mut self, mut chunk: Bytes) -> Option<Bytes> {
        if self.keep == Some(0) {
            return None;
        }
        let skip = self.skip.min(chunk.len() as u64);
        self.skip -= skip;
        let _ = chunk.split_to(skip as usize);
        if let Some(keep) = &mut self.keep {
            chunk.truncate((*keep).min(chunk.len() as u64) as usize);
            *keep -= chunk.len() as u64;
        }
        Some(chunk)
    }
}

impl std::fmt::Debug for DownloadBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadBody")
            .field("route", &self.route)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

impl DownloadBody {
    /// The content of `response`, which answered a request for `range`.
    pub(crate) fn new(
        route: &'static str,
        response: reqwest::Response,
        range: Option<ByteRange>,
    ) -> Result<Self, &'static str> {
        let length = response.content_length();
        let window = match range {
            Some(range) if response.status() != reqwest::StatusCode::PARTIAL_CONTENT => Some(
                Window::of(range, length)
                    .ok_or("the server ignored the range and did not say the file's length")?,
            ),
            _ => None,
        };
        // The range's own length, when the whole file's is known.
        let length = match (window, length) {
            (Some(w), Some(total)) => {
                let rest = total.saturating_sub(w.skip);
                Some(w.keep.map_or(rest, |k| k.min(rest)))
            }
            (_, length) => length,
        };
        Ok(DownloadBody {
            route,
            length,
            stream: Box::pin(response.bytes_stream()),
            window,
        })
    }

    /// The route the content comes from.
    pub fn route(&self) -> &'static str {
        self.route
    }

    /// The content's length, when the server said it.
    pub fn content_length(&self) -> Option<u64> {
        self.length
    }

    /// The next chunk, or `None` at the end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error<()>> {
        use futures_util::StreamExt;
        self.next().await.transpose()
    }

    /// The whole content in memory (for small files).
    pub async fn bytes(mut self) -> Result<Vec<u8>, Error<()>> {
        let mut out = Vec::with_capacity(self.length.unwrap_or(0).min(1 << 26) as usize);
        while let Some(c) = self.chunk().await? {
            out.extend_from_slice(&c);
        }
        Ok(out)
    }

    /// Write the content to `w` as it arrives; returns the bytes written.
    pub async fn copy_to<W: tokio::io::AsyncWrite + Unpin>(
        mut self,
        w: &mut W,
    ) -> Result<u64, Error<()>> {
        use tokio::io::AsyncWriteExt;
        let route = self.route;
        let mut n = 0;
        while let Some(c) = self.chunk().await? {
            w.write_all(&c)
                .await
                .map_err(|source| Error::Io { route, source })?;
            n += c.len() as u64;
        }
        w.flush()
            .await
            .map_err(|source| Error::Io { route, source })?;
        Ok(n)
    }
}

impl Stream for DownloadBody {
    type Item = Result<Bytes, Error<()>>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let route = self.route;
        loop {
            if self.window.is_some_and(|w| w.keep == Some(0)) {
                // The range is complete: the rest of the file is not read.
                return Poll::Ready(None);
            }
            let chunk = match std::task::ready!(self.stream.as_mut().poll_next(cx)) {
                None => return Poll::Ready(None),
                Some(Err(source)) => {
                    return Poll::Ready(Some(Err(Error::Transport { route, source })))
                }
                Some(Ok(chunk)) => chunk,
            };
            let Some(window) = &mut self.window else {
                return Poll::Ready(Some(Ok(chunk)));
            };
            match window.cut(chunk) {
                None => return Poll::Ready(None),
                Some(part) if part.is_empty() => continue,
                Some(part) => return Poll::Ready(Some(Ok(part))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{range_pieces, RANGE_PIECE};
    use futures_util::StreamExt;

    /// A directory removed when dropped, also when the test panics.
    struct TempDir(std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[tokio::test]
    async fn a_file_range_is_read_in_pieces_and_a_short_file_is_an_error() {
        let dir =
            TempDir(std::env::temp_dir().join(format!("dropbox-range-{}", std::process::id())));
        std::fs::create_dir_all(&dir.0).unwrap();
        let path = dir.0.join("data.bin");
        let data: Vec<u8> = (0..3 * RANGE_PIECE).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let len = RANGE_PIECE as u64 + 1000;
        let pieces: Vec<_> = range_pieces(path.clone(), 7, len).collect().await;
        assert_eq!(pieces.len(), 2);
        let read: Vec<u8> = pieces
            .into_iter()
            .flat_map(|p| p.unwrap().to_vec())
            .collect();
        assert_eq!(read, &data[7..7 + len as usize]);
        // A range past the end: an error, never fewer bytes than promised.
        let end = data.len() as u64 - 10;
        let last = range_pieces(path, end, 100).collect::<Vec<_>>().await;
        let err = last.into_iter().find_map(Result::err).unwrap();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }
}
