//! Change watching: a [`Stream`] of what changes in a folder, built on
//! `list_folder/get_latest_cursor`, `list_folder/longpoll` and
//! `list_folder/continue`.
//!
//! ```no_run
//! # async fn f(client: dropbox::client::UserClient) {
//! use futures_util::StreamExt;
//! let folder = dropbox::files::ListFolderArg::new("/Inbox".into()).with_recursive(true);
//! let changes = dropbox::watch::watch(&client, folder, dropbox::watch::WatchOptions::default());
//! let mut changes = std::pin::pin!(changes);
//! while let Some(page) = changes.next().await {
//!     for entry in page.expect("watching failed") {
//!         println!("changed: {}", entry.name());
//!     }
//! }
//! # }
//! ```

use crate::client::{Caller, Error, UserClient};
use crate::files::{self, ListFolderArg, Metadata};
use futures_core::Stream;
use std::time::Duration;

/// How [`watch`] waits.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    timeout: u64,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions { timeout: 30 }
    }
}

impl WatchOptions {
    /// How long each long poll waits for a change, in seconds: Dropbox
    /// takes 30 to 480 (default 30), and adds up to 90 s of jitter.
    pub fn with_timeout(mut self, seconds: u64) -> Self {
        self.timeout = seconds.clamp(30, 480);
        self
    }
}

/// Why watching stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum WatchError {
    /// `list_folder/get_latest_cursor` failed.
    LatestCursor(Error<files::ListFolderError>),
    /// `list_folder/longpoll` failed.
    Longpoll(Error<files::ListFolderLongpollError>),
    /// `list_folder/continue` failed (`reset`: the cursor expired; watch
    /// again to get a new one).
    Continue(Error<files::ListFolderContinueError>),
}

impl std::fmt::Display for WatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WatchError::LatestCursor(e) => write!(f, "getting the folder's cursor failed: {e}"),
            WatchError::Longpoll(e) => write!(f, "waiting for changes failed: {e}"),
            WatchError::Continue(e) => write!(f, "listing the changes failed: {e}"),
        }
    }
}

impl std::error::Error for WatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WatchError::LatestCursor(e) => Some(e),
            WatchError::Longpoll(e) => Some(e),
            WatchError::Continue(e) => Some(e),
        }
    }
}

/// The changes in `folder` from now on: each item is one page of
/// `list_folder/continue` entries (files and folders added or changed,
/// `Metadata::Deleted` for what went). Between pages it long-polls, and
/// waits the `backoff` Dropbox asks for before polling again. After an
/// error the stream ends.
pub fn watch(
    client: &UserClient,
    folder: ListFolderArg,
    options: WatchOptions,
) -> impl Stream<Item = Result<Vec<Metadata>, WatchError>> + Send + 'static {
    let state = Watcher {
        client: client.clone(),
        folder,
        timeout: options.timeout,
        cursor: None,
        pages_pending: false,
        backoff: None,
        failed: false,
    };
    futures_util::stream::unfold(state, |mut w| async move {
        if w.failed {
            return None;
        }
        let page = w.next_page().await;
        w.failed = page.is_err();
        Some((page, w))
    })
}

struct Watcher {
    client: UserClient,
    folder: ListFolderArg,
    timeout: u64,
    cursor: Option<String>,
    /// The last long poll said there are changes, or the last page said
    /// there are more.
    pages_pending: bool,
    /// Dropbox asked not to poll again before this much time.
    backoff: Option<Duration>,
    failed: bool,
}

impl Watcher {
    async fn next_page(&mut self) -> Result<Vec<Metadata>, WatchError> {
        loop {
            let cursor = match &self.cursor {
                Some(c) => c.clone(),
                None => {
                    let latest = files::list_folder_get_latest_cursor(&self.client, &self.folder)
                        .await
                        .map_err(WatchError::LatestCursor)?;
                    self.cursor = Some(latest.cursor);
                    continue;
                }
            };
            if self.pages_pending {
                let arg = files::ListFolderContinueArg::new(cursor);
                let page = files::list_folder_continue(&self.client, &arg)
                    .await
                    .map_err(WatchError::Continue)?;
                self.cursor = Some(page.cursor);
                self.pages_pending = page.has_more;
                if !page.entries.is_empty() {
                    return Ok(page.entries);
                }
                continue;
            }
            if let Some(wait) = self.backoff.take() {
                tokio::time::sleep(wait).await;
            }
            let arg = files::ListFolderLongpollArg::new(cursor).with_timeout(self.timeout);
            let poll = files::list_folder_longpoll(&self.client, &arg)
                .await
                .map_err(WatchError::Longpoll)?;
            // Dropbox's `backoff`, at most as long as the client's policy
            // waits for a rate limit: a huge value must not stall the watch.
            let max = self.client.session().retry().max_retry_after();
            self.backoff = poll.backoff.map(|s| Duration::from_secs(s).min(max));
            self.pages_pending = poll.changes;
        }
    }
}
