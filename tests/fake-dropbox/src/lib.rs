//! A fake Dropbox API v2 server, in memory, for testing Dropbox clients
//! without Dropbox.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let fake = fake_dropbox::FakeDropbox::builder().token("t").start().await?;
//! let client = dropbox::client::UserClient::with_config(
//!     dropbox::client::Credentials::access_token("t"),
//!     fake.client_config(),
//! );
//! # Ok(()) }
//! ```
//!
//! It speaks Dropbox's protocol (rpc, upload and download styles, its
//! headers, statuses and error bodies, `/oauth2/token`) on one listener that
//! serves as all three hosts (api, content, notify), with real semantics for
//! the common routes (see [`implemented_routes`]) and [`Fault`]s to inject.

mod content;
mod faults;
mod routes;
mod server;
mod tokens;
mod tree;

pub use content::{content_hash, Content, ContentHasher, HASH_BLOCK};
pub use faults::{Fault, Faults};
pub use routes::implemented as implemented_routes;

use faults::lock;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The one user every token belongs to.
pub const ACCOUNT_ID: &str = "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc";
pub(crate) const ACCOUNT_UID: &str = "12345";
pub const ACCOUNT_EMAIL: &str = "franz@example.com";

/// Everything a request may touch, behind one lock.
pub(crate) struct State {
    pub tree: tree::Tree,
    pub sessions: routes::upload::Sessions,
    pub links: Vec<routes::SharedLinkRecord>,
    pub file_requests: Vec<routes::FileRequestRecord>,
    pub tokens: tokens::Tokens,
    pub counter: u64,
}

impl State {
    /// A number for ids the routes make (links, file requests).
    pub fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }
}

pub(crate) struct Shared {
    pub state: Mutex<State>,
    /// Woken on every change to the files (long polls wait on it).
    pub changed: tokio::sync::Notify,
    pub faults: Faults,
    pub longpoll_max_wait: Option<Duration>,
    pub requests: std::sync::atomic::AtomicU64,
}

/// How to start a fake server.
#[derive(Debug, Clone)]
pub struct FakeDropboxBuilder {
    tokens: Vec<String>,
    apps: Vec<(String, String)>,
    refresh_tokens: Vec<(String, String)>,
    lifetime: Duration,
    quota: u64,
    longpoll_max_wait: Option<Duration>,
}

/// The entry point: `FakeDropbox::builder()`.
pub struct FakeDropbox;

impl FakeDropbox {
    pub fn builder() -> FakeDropboxBuilder {
        FakeDropboxBuilder {
            tokens: vec![],
            apps: vec![],
            refresh_tokens: vec![],
            lifetime: Duration::from_secs(4 * 3600),
            quota: 10 << 30,
            longpoll_max_wait: None,
        }
    }
}

impl FakeDropboxBuilder {
    /// An access token the server accepts (it does not expire).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.tokens.push(token.into());
        self
    }

    /// An app: its key and secret, for the token endpoint.
    pub fn app(mut self, key: impl Into<String>, secret: impl Into<String>) -> Self {
        self.apps.push((key.into(), secret.into()));
        self
    }

    /// A refresh token issued to the app `app_key`.
    pub fn refresh_token(mut self, token: impl Into<String>, app_key: impl Into<String>) -> Self {
        self.refresh_tokens.push((token.into(), app_key.into()));
        self
    }

    /// How long issued access tokens live (`expires_in`; 4 hours by default).
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The user's space, in bytes (10 GiB by default): writes past it fail
    /// with `insufficient_space`.
    pub fn quota(mut self, bytes: u64) -> Self {
        self.quota = bytes;
        self
    }

    /// Cut every long poll's wait to at most this (Dropbox's shortest
    /// timeout is 30 s: too long for tests).
    pub fn longpoll_max_wait(mut self, wait: Duration) -> Self {
        self.longpoll_max_wait = Some(wait);
        self
    }

    /// Start on 127.0.0.1, on a free port.
    pub async fn start(self) -> std::io::Result<RunningFake> {
        self.start_on("127.0.0.1:0".parse().map_err(std::io::Error::other)?)
            .await
    }

    /// Start on `addr`.
    pub async fn start_on(self, addr: SocketAddr) -> std::io::Result<RunningFake> {
        let mut tokens = tokens::Tokens::new(self.lifetime);
        for t in &self.tokens {
            tokens.add_access_token(t);
        }
        for (k, s) in &self.apps {
            tokens.add_app(k, s);
        }
        for (t, k) in &self.refresh_tokens {
            tokens.add_refresh_token(t, k);
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                tree: tree::Tree::new(self.quota),
                sessions: Default::default(),
                links: vec![],
                file_requests: vec![],
                tokens,
                counter: 0,
            }),
            changed: tokio::sync::Notify::new(),
            faults: Faults::default(),
            longpoll_max_wait: self.longpoll_max_wait,
            requests: Default::default(),
        });
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(server::serve(listener, shared.clone()));
        Ok(RunningFake { addr, shared, task })
    }
}

/// A fake server running in this process; it stops when dropped.
pub struct RunningFake {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RunningFake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RunningFake {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the server for every host.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Where `api.dropboxapi.com` requests go (and `/oauth2/token`).
    pub fn api_url(&self) -> String {
        self.base_url()
    }
    /// Where `content.dropboxapi.com` requests go.
    pub fn content_url(&self) -> String {
        self.base_url()
    }
    /// Where `notify.dropboxapi.com` requests go.
    pub fn notify_url(&self) -> String {
        self.base_url()
    }
    /// The fake's authorize page (the user approves at once; with a
    /// `redirect_uri` it redirects there with the code, else it shows it).
    pub fn authorize_url(&self) -> String {
        format!("{}/oauth2/authorize", self.base_url())
    }

    /// A client configuration pointing every host at this server, with
    /// quick back-off for retries.
    pub fn client_config(&self) -> dropbox::client::Config {
        dropbox::client::Config::default()
            .with_base_urls(self.base_url())
            .with_retry(
                dropbox::client::RetryPolicy::default()
                    .with_backoff(Duration::from_millis(10), Duration::from_millis(50)),
            )
    }

    /// The faults to inject, and those that fired.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// How many requests the server has answered or is answering.
    pub fn request_count(&self) -> u64 {
        self.shared
            .requests
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The content of the file at `path` (any case, or an id), if there is one.
    pub fn file(&self, path: &str) -> Option<Content> {
        let state = lock(&self.shared.state);
        let key = state.tree.resolve(path).ok()?;
        match state.tree.get(&key)? {
            tree::Node::File { version, .. } => Some(version.content.clone()),
            tree::Node::Folder { .. } => None,
        }
    }

    /// The metadata of the entry at `path`, as `files/get_metadata` says it.
    pub fn metadata(&self, path: &str) -> Option<dropbox::files::Metadata> {
        let state = lock(&self.shared.state);
        let key = state.tree.resolve(path).ok()?;
        let node = state.tree.get(&key)?;
        Some(state.tree.metadata(node))
    }

    /// Write a file directly (test set-up), overwriting what is there.
    pub fn put_file(
        &self,
        path: &str,
        content: impl Into<Content>,
    ) -> Result<dropbox::files::FileMetadata, String> {
        let mut state = lock(&self.shared.state);
        tree::check_path(path).map_err(|e| format!("{e:?}"))?;
        let opts = tree::WriteOptions {
            mode: dropbox::files::WriteMode::Overwrite,
            autorename: false,
            client_modified: None,
            strict_conflict: false,
        };
        let meta = state
            .tree
            .write_file(path, content.into(), &opts)
            .map_err(|e| format!("{e:?}"))?;
        drop(state);
        self.shared.changed.notify_waiters();
        Ok(meta)
    }

    /// The bytes the user's files take.
    pub fn space_used(&self) -> u64 {
        lock(&self.shared.state).tree.used()
    }

    /// The open upload sessions.
    pub fn open_upload_sessions(&self) -> usize {
        lock(&self.shared.state).sessions.len()
    }

    /// Make an access token expired now.
    pub fn expire_token(&self, token: &str) {
        lock(&self.shared.state).tokens.expire(token);
    }

    /// Whether the server accepts `token` now.
    pub fn token_is_valid(&self, token: &str) -> bool {
        lock(&self.shared.state).tokens.check(token).is_ok()
    }
}
