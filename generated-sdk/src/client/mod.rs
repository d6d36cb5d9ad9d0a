//! The HTTP client: authenticated, retrying calls of Dropbox's routes.
//!
//! A client is a cheap handle (clone it freely) of one of five kinds, and
//! the kind decides at compile time which routes it may call:
//!
//! | client | credential | routes |
//! | --- | --- | --- |
//! | [`UserClient`] | a user's access or refresh token | `user` routes, `noauth` ones, `app, user` ones |
//! | [`TeamClient`] | a team's token | `team` routes; [`as_user`](TeamClient::as_user) gives a `UserClient` acting for a member |
//! | [`AdminClient`] | a team's token, from [`as_admin`](TeamClient::as_admin) | the `user` and `app, user` routes whose `select_admin_mode` lets a team admin call them, `noauth` ones |
//! | [`AppClient`] | the app key and secret (HTTP Basic) | `app` routes, `app, user` ones |
//! | [`NoauthClient`] | none | `noauth` routes |
//!
//! ```compile_fail,E0277
//! # async fn f(client: dropbox::client::UserClient) {
//! // A user client cannot call a team route.
//! let _ = dropbox::team::get_info(&client).await;
//! # }
//! ```
//!
//! ```compile_fail,E0277
//! # async fn f(team: dropbox::client::TeamClient) {
//! // `users/get_space_usage` has no `select_admin_mode`: an admin cannot
//! // call it for a member (`as_user` can).
//! let _ = dropbox::users::get_space_usage(&team.as_admin("dbmid:1")).await;
//! # }
//! ```
//!
//! Every route function (`dropbox::files::list_folder`, ...) checks its
//! argument's constraints, sends the request, retries what Dropbox says may
//! be retried ([`RetryPolicy`]), refreshes an expired access token
//! ([`Credentials::refresh_token`]), and returns the route's result or an
//! [`Error`] generic over the route's own error.

#[cfg(feature = "blocking")]
mod blocking;
mod body;
mod call;
mod error;
mod escape;
pub mod oauth2;
pub mod paging;
mod retry;
mod token;

#[cfg(feature = "blocking")]
pub use blocking::Blocking;
pub use body::{ByteRange, Download, DownloadBody, UploadBody};
#[cfg(all(feature = "helpers", feature = "files"))]
pub(crate) use body::{FileRange, RANGE_PIECE};
pub use call::{download, rpc, unchecked, upload};
pub use error::{Error, NoError, UserMessage};
pub use escape::ascii_json;
pub use paging::PageError;
pub use retry::RetryPolicy;
pub use token::{Credentials, Secret, TokenInfo};

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// Which Dropbox server a route is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    /// `api.dropboxapi.com`: rpc routes.
    Api,
    /// `content.dropboxapi.com`: uploads and downloads.
    Content,
    /// `notify.dropboxapi.com`: long polls.
    Notify,
}

/// A route as the client needs it; generated code passes one per call.
#[derive(Debug)]
pub struct Endpoint {
    /// The URL path after `/2/`: `files/move_v2`.
    pub path: &'static str,
    pub host: Host,
    /// A `noauth` route: no `Authorization`, `Select-User`/`Admin` or
    /// `Path-Root` header.
    pub noauth: bool,
}

/// Where requests go and how they are made. `Config::default()` talks to
/// Dropbox; point the base URLs at a local server for tests.
#[derive(Clone, Debug)]
pub struct Config {
    user_agent: String,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    api_url: String,
    content_url: String,
    notify_url: String,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            user_agent: concat!("dropbox-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            // Long polls wait up to 480 s (plus jitter): no total timeout
            // by default, connections still time out.
            timeout: None,
            connect_timeout: Duration::from_secs(10),
            api_url: "https://api.dropboxapi.com".into(),
            content_url: "https://content.dropboxapi.com".into(),
            notify_url: "https://notify.dropboxapi.com".into(),
            retry: RetryPolicy::default(),
            http: None,
        }
    }
}

impl Config {
    /// The `User-Agent` header.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }
    /// A total time limit for each attempt of a request.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// A time limit for opening a connection.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
    /// The base URL of a host (`http://127.0.0.1:8080`, a proxy, ...); the
    /// OAuth2 token endpoint is on the api host's.
    pub fn with_base_url(mut self, host: Host, url: impl Into<String>) -> Self {
        let url = url.into().trim_end_matches('/').to_string();
        match host {
            Host::Api => self.api_url = url,
            Host::Content => self.content_url = url,
            Host::Notify => self.notify_url = url,
        }
        self
    }
    /// The same base URL for all three hosts (one local server).
    pub fn with_base_urls(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.with_base_url(Host::Api, url.clone())
            .with_base_url(Host::Content, url.clone())
            .with_base_url(Host::Notify, url)
    }
    /// How failed requests are retried.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
    /// A `reqwest::Client` to share (connection pool, proxy settings); the
    /// user agent and total timeout above still apply to each request, the
    /// connect timeout is then the shared client's own.
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    pub(crate) fn base_url(&self, host: Host) -> &str {
        match host {
            Host::Api => &self.api_url,
            Host::Content => &self.content_url,
            Host::Notify => &self.notify_url,
        }
    }

    /// A POST with this configuration's user agent and timeout (set on each
    /// request, so that they hold with a shared `reqwest::Client` too).
    pub(crate) fn request(&self, http: &reqwest::Client, url: String) -> reqwest::RequestBuilder {
        let req = http
            .post(url)
            .header(reqwest::header::USER_AGENT, self.user_agent.as_str());
        match self.timeout {
            Some(t) => req.timeout(t),
            None => req,
        }
    }

    pub(crate) fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    fn http_client(&self) -> reqwest::Client {
        if let Some(c) = &self.http {
            return c.clone();
        }
        let mut b = reqwest::Client::builder()
            .user_agent(self.user_agent.clone())
            .connect_timeout(self.connect_timeout);
        if let Some(t) = self.timeout {
            b = b.timeout(t);
        }
        // Building fails only when the TLS backend cannot start; a client
        // without our settings is still a working client.
        b.build().unwrap_or_default()
    }
}

/// The credential requests carry.
pub(crate) enum Auth {
    Bearer(token::TokenSource),
    /// `Basic base64(key:secret)`, ready to send.
    Basic(Secret),
    None,
}

/// What every client of one credential shares.
pub(crate) struct Shared {
    pub http: reqwest::Client,
    pub config: Config,
    pub auth: Auth,
}

/// A client's state as the request machinery sees it: the shared part and
/// the headers this handle adds.
#[derive(Clone)]
pub struct Session {
    pub(crate) shared: Arc<Shared>,
    pub(crate) select_user: Option<Arc<str>>,
    pub(crate) select_admin: Option<Arc<str>>,
    pub(crate) path_root: Option<Arc<str>>,
}

impl Session {
    /// How this client's failed requests are retried (the helpers that
    /// retry on top of it keep to the same bounds).
    pub(crate) fn retry(&self) -> &RetryPolicy {
        self.shared.config.retry()
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match &self.shared.auth {
            Auth::Bearer(_) => "bearer token",
            Auth::Basic(_) => "app key and secret",
            Auth::None => "none",
        };
        f.debug_struct("Session")
            .field("auth", &auth)
            .field("select_user", &self.select_user)
            .field("select_admin", &self.select_admin)
            .field("path_root", &self.path_root)
            .finish_non_exhaustive()
    }
}

/// Marker: a user's client.
#[derive(Debug)]
pub enum User {}
/// Marker: a team's client.
#[derive(Debug)]
pub enum Team {}
/// Marker: an app's client (key and secret).
#[derive(Debug)]
pub enum App {}
/// Marker: a team's client acting as a team admin (`Dropbox-API-Select-Admin`).
#[derive(Debug)]
pub enum Admin {}
/// Marker: a client without credentials.
#[derive(Debug)]
pub enum Anonymous {}

/// A Dropbox client of kind `K` ([`User`], [`Team`], [`Admin`], [`App`],
/// [`Anonymous`]).
pub struct Client<K> {
    session: Session,
    kind: PhantomData<fn() -> K>,
}

/// A client acting as a user (or as a team member, from
/// [`TeamClient::as_user`]).
pub type UserClient = Client<User>;
/// A client acting as a team.
pub type TeamClient = Client<Team>;
/// A team's client acting as a team admin, from [`TeamClient::as_admin`]:
/// only for the routes whose `select_admin_mode` allows it.
pub type AdminClient = Client<Admin>;
/// A client authenticated as the app itself.
pub type AppClient = Client<App>;
/// A client without credentials, for `noauth` routes.
pub type NoauthClient = Client<Anonymous>;

impl<K> Clone for Client<K> {
    fn clone(&self) -> Self {
        Client {
            session: self.session.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> std::fmt::Debug for Client<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("kind", &std::any::type_name::<K>())
            .field("session", &self.session)
            .finish()
    }
}

impl<K> Client<K> {
    fn from_auth(auth: Auth, config: Config) -> Self {
        let http = config.http_client();
        Client {
            session: Session {
                shared: Arc::new(Shared { http, config, auth }),
                select_user: None,
                select_admin: None,
                path_root: None,
            },
            kind: PhantomData,
        }
    }

    /// A client of kind `L` on this one's session, changed by `f`.
    fn with_session<L>(&self, f: impl FnOnce(&mut Session)) -> Client<L> {
        let mut session = self.session.clone();
        f(&mut session);
        Client {
            session,
            kind: PhantomData,
        }
    }

    /// The same client, with paths relative to another root
    /// (`Dropbox-API-Path-Root`), e.g. a team space:
    /// `PathRoot::Root("123".into())`.
    pub fn with_path_root(&self, root: &crate::common::PathRoot) -> Client<K> {
        let json: Arc<str> = ascii_json(&crate::wire::to_string(root)).into();
        self.with_session(|s| s.path_root = Some(json))
    }
}

impl UserClient {
    /// A user's client, talking to Dropbox.
    pub fn new(credentials: Credentials) -> Self {
        Self::with_config(credentials, Config::default())
    }
    /// A user's client with its own configuration.
    pub fn with_config(credentials: Credentials, config: Config) -> Self {
        Self::from_auth(Auth::Bearer(credentials.into_source()), config)
    }
}

impl TeamClient {
    /// A team's client, talking to Dropbox.
    pub fn new(credentials: Credentials) -> Self {
        Self::with_config(credentials, Config::default())
    }
    /// A team's client with its own configuration.
    pub fn with_config(credentials: Credentials, config: Config) -> Self {
        Self::from_auth(Auth::Bearer(credentials.into_source()), config)
    }
    /// A user client acting as a team member (`Dropbox-API-Select-User`).
    pub fn as_user(&self, member_id: impl Into<String>) -> UserClient {
        let id: Arc<str> = member_id.into().into();
        self.with_session(|s| {
            s.select_user = Some(id);
            s.select_admin = None;
        })
    }
    /// A client acting as a team admin (`Dropbox-API-Select-Admin`), for
    /// the routes whose `select_admin_mode` allows it (checked at compile
    /// time: other routes do not accept an [`AdminClient`]).
    pub fn as_admin(&self, member_id: impl Into<String>) -> AdminClient {
        let id: Arc<str> = member_id.into().into();
        self.with_session(|s| {
            s.select_admin = Some(id);
            s.select_user = None;
        })
    }
}

impl AppClient {
    /// The app's own client (HTTP Basic with its key and secret).
    pub fn new(app_key: &str, app_secret: &str) -> Self {
        Self::with_config(app_key, app_secret, Config::default())
    }
    /// The app's client with its own configuration.
    pub fn with_config(app_key: &str, app_secret: &str, config: Config) -> Self {
        let basic = Secret::new(format!(
            "Basic {}",
            crate::wire::base64_encode(format!("{app_key}:{app_secret}").as_bytes())
        ));
        Self::from_auth(Auth::Basic(basic), config)
    }
}

impl NoauthClient {
    /// A client without credentials.
    pub fn new() -> Self {
        Self::with_config(Config::default())
    }
    /// A client without credentials, with its own configuration.
    pub fn with_config(config: Config) -> Self {
        Self::from_auth(Auth::None, config)
    }
}

impl Default for NoauthClient {
    fn default() -> Self {
        Self::new()
    }
}

mod sealed {
    pub trait Sealed {}
    impl<K> Sealed for super::Client<K> {}
}

/// What every client gives the request machinery; sealed.
pub trait Caller: sealed::Sealed {
    fn session(&self) -> &Session;
}

impl<K> Caller for Client<K> {
    fn session(&self) -> &Session {
        &self.session
    }
}

/// Clients that may call `noauth` routes: all of them.
pub trait NoAuth: Caller {}
/// Clients that may call `app, user` routes that a team admin may call too
/// (`select_admin_mode`).
pub trait AppOrUserOrAdminAuth: NoAuth {}
/// Clients that may call `user` routes that a team admin may call too
/// (`select_admin_mode`).
pub trait UserOrAdminAuth: AppOrUserOrAdminAuth {}
/// Clients that may call `app, user` routes.
pub trait AppOrUserAuth: AppOrUserOrAdminAuth {}
/// Clients that may call `app, team` routes.
pub trait AppOrTeamAuth: NoAuth {}
// Each kind implies the wider ones, so that code generic over a kind (`C:
// UserAuth`) may call every route that kind's client may call, and a route
// that starts allowing another auth kind breaks no caller.
/// Clients that may call `user` routes.
pub trait UserAuth: AppOrUserAuth + UserOrAdminAuth {}
/// Clients that may call `team` routes.
pub trait TeamAuth: AppOrTeamAuth {}
/// Clients that may call `app` routes.
pub trait AppAuth: AppOrUserAuth + AppOrTeamAuth {}

impl UserAuth for UserClient {}
impl TeamAuth for TeamClient {}
impl AppAuth for AppClient {}
impl AppOrUserAuth for AppClient {}
impl AppOrUserAuth for UserClient {}
impl UserOrAdminAuth for UserClient {}
impl UserOrAdminAuth for AdminClient {}
impl AppOrUserOrAdminAuth for UserClient {}
impl AppOrUserOrAdminAuth for AdminClient {}
impl AppOrUserOrAdminAuth for AppClient {}
impl AppOrTeamAuth for AppClient {}
impl AppOrTeamAuth for TeamClient {}
impl<K> NoAuth for Client<K> {}
