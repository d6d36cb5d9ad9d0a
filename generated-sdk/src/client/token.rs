//! Access tokens: a fixed one, or one refreshed from a refresh token before
//! it expires and after Dropbox says it has.

use super::error::RawJson;
use super::{Error, Shared};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// A credential's text. Its `Debug` never shows it; [`Secret::expose`] does,
/// on purpose.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Secret(text.into().into())
    }
    /// The text itself (to store it, or to send it).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Tokens from the OAuth2 token endpoint (a refresh, or a code exchange).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenInfo {
    pub access_token: Secret,
    /// When the access token expires (from `expires_in`).
    pub expires_at: Option<SystemTime>,
    /// Given by a code exchange with `token_access_type=offline`.
    pub refresh_token: Option<Secret>,
    pub scope: Option<String>,
    pub account_id: Option<String>,
    pub team_id: Option<String>,
    pub uid: Option<String>,
}

type Callback = Arc<dyn Fn(&TokenInfo) + Send + Sync>;

/// How a user or team client authenticates.
pub struct Credentials {
    access: Option<(Secret, Option<SystemTime>)>,
    refresh: Option<RefreshGrant>,
    on_refresh: Option<Callback>,
    margin: Duration,
}

#[derive(Clone)]
pub(crate) struct RefreshGrant {
    pub refresh_token: Secret,
    pub app_key: String,
    pub app_secret: Option<Secret>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_token", &self.access.as_ref().map(|_| "<redacted>"))
            .field("refreshing", &self.refresh.is_some())
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// A plain access token (it is not refreshed).
    pub fn access_token(token: impl Into<String>) -> Self {
        Credentials {
            access: Some((Secret::new(token), None)),
            refresh: None,
            on_refresh: None,
            margin: Duration::from_secs(300),
        }
    }

    /// A refresh token and the app key it was issued to: access tokens are
    /// fetched from it, before they expire and when Dropbox says one has.
    /// Add the app secret with [`with_app_secret`](Self::with_app_secret)
    /// unless the app uses PKCE.
    pub fn refresh_token(refresh_token: impl Into<String>, app_key: impl Into<String>) -> Self {
        Credentials {
            access: None,
            refresh: Some(RefreshGrant {
                refresh_token: Secret::new(refresh_token),
                app_key: app_key.into(),
                app_secret: None,
            }),
            on_refresh: None,
            margin: Duration::from_secs(300),
        }
    }

    /// The app secret, sent with each refresh.
    pub fn with_app_secret(mut self, secret: impl Into<String>) -> Self {
        if let Some(r) = &mut self.refresh {
            r.app_secret = Some(Secret::new(secret));
        }
        self
    }

    /// An access token already at hand (one stored from a callback), used
    /// until it nears `expires_at`.
    pub fn with_access_token(mut self, token: impl Into<String>, expires_at: SystemTime) -> Self {
        self.access = Some((Secret::new(token), Some(expires_at)));
        self
    }

    /// Called after each refresh with the new tokens, so that the
    /// application can store them.
    pub fn on_refresh(mut self, callback: impl Fn(&TokenInfo) + Send + Sync + 'static) -> Self {
        self.on_refresh = Some(Arc::new(callback));
        self
    }

    /// How long before expiry a token is refreshed (300 s by default).
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    pub(crate) fn into_source(self) -> TokenSource {
        let margin = self.margin;
        let current = self.access.map(|(token, expires)| Current {
            token,
            // Its lifetime is unknown: refresh the margin before expiry.
            refresh_at: expires
                .and_then(instant_of)
                .map(|at| at.checked_sub(margin).unwrap_or_else(Instant::now)),
        });
        TokenSource {
            current: Mutex::new(current),
            // Without a refresh token there is nothing to call back about.
            on_refresh: self.refresh.as_ref().and(self.on_refresh),
            refresh: self.refresh,
            refreshing: tokio::sync::Mutex::new(()),
            margin: self.margin,
            attempts: AtomicU64::new(0),
            failed: Mutex::new(None),
        }
    }
}

/// The instant of a wall-clock time; `None` past what the clock can hold
/// (no expiry).
fn instant_of(t: SystemTime) -> Option<Instant> {
    let now = Instant::now();
    match t.duration_since(SystemTime::now()) {
        Ok(ahead) => now.checked_add(ahead),
        Err(behind) => Some(now.checked_sub(behind.duration()).unwrap_or(now)),
    }
}

#[derive(Clone)]
struct Current {
    token: Secret,
    /// When to refresh it: the margin before it expires, or half its
    /// lifetime for a token that lives less than twice the margin (so that
    /// a short-lived token is not refreshed on every call).
    refresh_at: Option<Instant>,
}

/// A refresh the token endpoint refused, kept for the calls that waited on
/// it: they get its error instead of asking again.
struct FailedRefresh {
    attempt: u64,
    status: u16,
    error: String,
    description: String,
}

pub(crate) struct TokenSource {
    current: Mutex<Option<Current>>,
    refresh: Option<RefreshGrant>,
    /// Held while a refresh is in flight: concurrent calls wait for it and
    /// then use its token, so that many calls make one refresh.
    refreshing: tokio::sync::Mutex<()>,
    on_refresh: Option<Callback>,
    margin: Duration,
    /// Refreshes finished so far, and the last one if it was refused.
    attempts: AtomicU64,
    failed: Mutex<Option<FailedRefresh>>,
}

impl TokenSource {
    fn fresh(&self) -> Option<Secret> {
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let c = current.as_ref()?;
        match (c.refresh_at, &self.refresh) {
            (Some(at), Some(_)) if Instant::now() >= at => None,
            _ => Some(c.token.clone()),
        }
    }

    /// The refusal of a refresh tried while this call waited (`seen` is the
    /// attempt count before it waited).
    fn refused_since(&self, seen: u64) -> Option<Error<RawJson>> {
        let failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
        let f = failed.as_ref()?;
        (f.attempt > seen).then(|| Error::OAuth {
            status: f.status,
            error: f.error.clone(),
            description: f.description.clone(),
        })
    }

    /// The token to send, refreshed first if it is missing or near expiry.
    pub async fn bearer(&self, shared: &Shared) -> Result<Secret, Error<RawJson>> {
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let seen = self.attempts.load(Ordering::SeqCst);
        let _guard = self.refreshing.lock().await;
        // Another call may have refreshed, or failed to, while this one
        // waited.
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        if let Some(e) = self.refused_since(seen) {
            return Err(e);
        }
        self.refresh_now(shared).await
    }

    /// After Dropbox answered `expired_access_token` to `rejected`: refresh
    /// (once for all the calls that saw it) and give the new token; `None`
    /// when this source cannot refresh.
    pub async fn after_expired(
        &self,
        rejected: &Secret,
        shared: &Shared,
    ) -> Result<Option<Secret>, Error<RawJson>> {
        if self.refresh.is_none() {
            return Ok(None);
        }
        let seen = self.attempts.load(Ordering::SeqCst);
        let _guard = self.refreshing.lock().await;
        if let Some(e) = self.refused_since(seen) {
            return Err(e);
        }
        let current = self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        match current {
            Some(c) if c.token != *rejected => Ok(Some(c.token)),
            _ => self.refresh_now(shared).await.map(Some),
        }
    }

    /// Refresh; the caller holds `refreshing`.
    async fn refresh_now(&self, shared: &Shared) -> Result<Secret, Error<RawJson>> {
        let Some(grant) = &self.refresh else {
            // A plain token source with no token: not reachable from the
            // constructors, but not worth a panic either.
            return Err(Error::OAuth {
                status: 0,
                error: "no_token".into(),
                description: "no access token and no refresh token".into(),
            });
        };
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", grant.refresh_token.expose()),
            ("client_id", grant.app_key.as_str()),
        ];
        if let Some(s) = &grant.app_secret {
            form.push(("client_secret", s.expose()));
        }
        let answer = super::oauth2::token_request(shared, &form).await;
        // Counted once it is over: the calls that waited on this one see it
        // as tried since they started waiting.
        let attempt = self.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        let info = match answer {
            Ok(info) => info,
            Err(e) => {
                if let Error::OAuth {
                    status,
                    error,
                    description,
                } = &e
                {
                    *self.failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(FailedRefresh {
                        attempt,
                        status: *status,
                        error: error.clone(),
                        description: description.clone(),
                    });
                }
                return Err(e);
            }
        };
        let now = Instant::now();
        let refresh_at = info.expires_at.and_then(instant_of).map(|at| {
            let lifetime = at.saturating_duration_since(now);
            at.checked_sub(self.margin.min(lifetime / 2)).unwrap_or(now)
        });
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(Current {
            token: info.access_token.clone(),
            refresh_at,
        });
        if let Some(cb) = &self.on_refresh {
            cb(&info);
        }
        Ok(info.access_token)
    }
}
