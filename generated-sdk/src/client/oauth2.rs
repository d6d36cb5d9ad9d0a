//! OAuth2: the authorize URL (code flow, PKCE), the code exchange, and the
//! token endpoint the refresh uses. Revoke a token with the
//! `auth::token_revoke` route.
//!
//! ```
//! use dropbox::client::oauth2::{AuthorizeUrl, Pkce, TokenAccessType};
//!
//! let pkce = Pkce::new();
//! let url = AuthorizeUrl::new("my-app-key")
//!     .with_token_access_type(TokenAccessType::Offline)
//!     .with_pkce(&pkce)
//!     .with_scopes(["files.content.read", "files.content.write"])
//!     .with_state("xyz")
//!     .build();
//! assert!(url.starts_with("https://www.dropbox.com/oauth2/authorize?response_type=code&client_id=my-app-key"));
//! assert!(url.contains("&code_challenge_method=S256"));
//! assert!(url.contains("&scope=files.content.read%20files.content.write"));
//! // Send the user to `url`; the code they bring back is exchanged with
//! // `exchange_code(&config, "my-app-key", code, Exchange::Pkce(&pkce), None)`.
//! ```

use super::error::RawJson;
use super::token::{Secret, TokenInfo};
use super::{Config, Error, Host, Shared};
use std::time::{Duration, SystemTime};

/// `token_access_type`: whether the code flow also gives a refresh token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenAccessType {
    /// A short-lived access token and a refresh token.
    Offline,
    /// A short-lived access token only.
    Online,
    /// The app's legacy default.
    Legacy,
}

/// `include_granted_scopes`: also ask for the scopes granted before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeGrantedScopes {
    User,
    Team,
}

/// A PKCE verifier and its S256 challenge.
#[derive(Clone, Debug)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// A new random verifier (64 characters from the unreserved set).
    pub fn new() -> Self {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
        let mut raw = [0u8; 64];
        // The OS's random source; without it a verifier from a weaker
        // source would still be unguessable enough per session.
        if getrandom::getrandom(&mut raw).is_err() {
            raw.iter_mut().for_each(|b| *b = fastrand::u8(..));
        }
        let verifier: String = raw
            .iter()
            .map(|b| CHARS[*b as usize % CHARS.len()] as char)
            .collect();
        Self::from_verifier(verifier)
    }

    /// The challenge of a verifier you keep yourself.
    pub fn from_verifier(verifier: impl Into<String>) -> Self {
        use sha2::Digest;
        let verifier = verifier.into();
        let digest = sha2::Sha256::digest(verifier.as_bytes());
        let challenge = crate::wire::base64_encode(&digest)
            .trim_end_matches('=')
            .replace('+', "-")
            .replace('/', "_");
        Pkce {
            verifier: Secret::new(verifier),
            challenge,
        }
    }

    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }

    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// The URL of Dropbox's authorize page for the code flow.
#[derive(Clone, Debug)]
pub struct AuthorizeUrl {
    base: String,
    app_key: String,
    redirect_uri: Option<String>,
    token_access_type: Option<TokenAccessType>,
    challenge: Option<String>,
    scopes: Vec<String>,
    include_granted_scopes: Option<IncludeGrantedScopes>,
    state: Option<String>,
}

impl AuthorizeUrl {
    pub fn new(app_key: impl Into<String>) -> Self {
        AuthorizeUrl {
            base: "https://www.dropbox.com/oauth2/authorize".into(),
            app_key: app_key.into(),
            redirect_uri: None,
            token_access_type: None,
            challenge: None,
            scopes: vec![],
            include_granted_scopes: None,
            state: None,
        }
    }
    /// Another authorize page (a test server).
    pub fn with_base(mut self, url: impl Into<String>) -> Self {
        self.base = url.into();
        self
    }
    pub fn with_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }
    pub fn with_token_access_type(mut self, t: TokenAccessType) -> Self {
        self.token_access_type = Some(t);
        self
    }
    /// PKCE with S256 (apps without a secret).
    pub fn with_pkce(mut self, pkce: &Pkce) -> Self {
        self.challenge = Some(pkce.challenge.clone());
        self
    }
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }
    pub fn with_include_granted_scopes(mut self, which: IncludeGrantedScopes) -> Self {
        self.include_granted_scopes = Some(which);
        self
    }
    pub fn with_state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    pub fn build(&self) -> String {
        let mut q: Vec<(&str, String)> = vec![
            ("response_type", "code".into()),
            ("client_id", self.app_key.clone()),
        ];
        if let Some(t) = self.token_access_type {
            let t = match t {
                TokenAccessType::Offline => "offline",
                TokenAccessType::Online => "online",
                TokenAccessType::Legacy => "legacy",
            };
            q.push(("token_access_type", t.into()));
        }
        if let Some(c) = &self.challenge {
            q.push(("code_challenge", c.clone()));
            q.push(("code_challenge_method", "S256".into()));
        }
        if !self.scopes.is_empty() {
            q.push(("scope", self.scopes.join(" ")));
        }
        if let Some(i) = self.include_granted_scopes {
            let i = match i {
                IncludeGrantedScopes::User => "user",
                IncludeGrantedScopes::Team => "team",
            };
            q.push(("include_granted_scopes", i.into()));
        }
        if let Some(s) = &self.state {
            q.push(("state", s.clone()));
        }
        if let Some(r) = &self.redirect_uri {
            q.push(("redirect_uri", r.clone()));
        }
        let pairs: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("{}?{}", self.base, form_encode(&pairs))
    }
}

/// How the app proves itself in a code exchange.
#[derive(Clone, Copy)]
pub enum Exchange<'a> {
    /// The PKCE verifier the authorize URL's challenge came from.
    Pkce(&'a Pkce),
    /// The app secret.
    Secret(&'a str),
}

impl std::fmt::Debug for Exchange<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exchange::Pkce(_) => f.write_str("Exchange::Pkce(<verifier redacted>)"),
            Exchange::Secret(_) => f.write_str("Exchange::Secret(<redacted>)"),
        }
    }
}

/// Exchange an authorization code for tokens (a refresh token too, with
/// `token_access_type=offline`).
pub async fn exchange_code(
    config: &Config,
    app_key: &str,
    code: &str,
    proof: Exchange<'_>,
    redirect_uri: Option<&str>,
) -> Result<TokenInfo, Error<()>> {
    let shared = Shared {
        http: config.http_client(),
        config: config.clone(),
        auth: super::Auth::None,
    };
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", app_key),
    ];
    match proof {
        Exchange::Pkce(p) => form.push(("code_verifier", p.verifier.expose())),
        Exchange::Secret(s) => form.push(("client_secret", s)),
    }
    if let Some(r) = redirect_uri {
        form.push(("redirect_uri", r));
    }
    token_request(&shared, &form)
        .await
        .map_err(|e| e.map_route(|_| ()))
}

/// `application/x-www-form-urlencoded` (also a URL's query).
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode(&mut out, k);
        out.push('=');
        percent_encode(&mut out, v);
    }
    out
}

fn percent_encode(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

const TOKEN_ROUTE: &str = "oauth2/token";

/// POST to the token endpoint, retrying 5xx and connection failures as the
/// policy says; the answer's tokens, or the endpoint's error.
pub(crate) async fn token_request(
    shared: &Shared,
    form: &[(&str, &str)],
) -> Result<TokenInfo, Error<RawJson>> {
    let url = format!("{}/oauth2/token", shared.config.base_url(Host::Api));
    let body = form_encode(form);
    let policy = shared.config.retry();
    let mut attempt = 0;
    loop {
        let answer = async {
            let resp = shared
                .config
                .request(&shared.http, url.clone())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await?;
            let status = resp.status().as_u16();
            Ok::<_, reqwest::Error>((status, super::call::small_text(resp).await?))
        }
        .await;
        // A failed connection or a 5xx is worth another try: a refresh is
        // safe to repeat, and a code exchange whose answer was lost fails
        // its retry with `invalid_grant`, which is reported.
        let retry = match &answer {
            Ok((status, _)) => *status >= 500,
            Err(_) => true,
        };
        if retry && attempt < policy.max_retries() {
            tokio::time::sleep(policy.backoff(attempt)).await;
            attempt += 1;
            continue;
        }
        let (status, text) = answer.map_err(|source| Error::Transport {
            route: TOKEN_ROUTE,
            source,
        })?;
        if status != 200 {
            let (error, description) = oauth_error(&text);
            return Err(Error::OAuth {
                status,
                error,
                description,
            });
        }
        return parse_token(&text).ok_or_else(|| Error::Decode {
            route: TOKEN_ROUTE,
            message: "the token endpoint's answer has no access_token".into(),
            request_id: None,
        });
    }
}

/// `{"error": "invalid_grant", "error_description": "..."}`, or the text.
fn oauth_error(text: &str) -> (String, String) {
    let mut error = String::new();
    let mut description = String::new();
    let parsed = (|| -> Result<(), crate::wire::DecodeError> {
        let mut r = crate::wire::Reader::new(text);
        r.begin_object()?;
        while let Some(k) = r.next_key()? {
            match &*k {
                "error" if r.is_string() => error = r.string()?,
                "error_description" if r.is_string() => description = r.string()?,
                _ => r.skip_value()?,
            }
        }
        Ok(())
    })();
    if parsed.is_err() || error.is_empty() {
        ("unknown".into(), text.trim().chars().take(500).collect())
    } else {
        (error, description)
    }
}

fn parse_token(text: &str) -> Option<TokenInfo> {
    let mut access = None;
    let mut expires_in = None;
    let mut refresh = None;
    let (mut scope, mut account_id, mut team_id, mut uid) = (None, None, None, None);
    let mut r = crate::wire::Reader::new(text);
    r.begin_object().ok()?;
    while let Some(k) = r.next_key().ok()? {
        if r.take_null().ok()? {
            continue;
        }
        match &*k {
            "access_token" => access = Some(r.string().ok()?),
            "expires_in" => expires_in = Some(r.integer().ok()?),
            "refresh_token" => refresh = Some(r.string().ok()?),
            "scope" => scope = Some(r.string().ok()?),
            "account_id" => account_id = Some(r.string().ok()?),
            "team_id" => team_id = Some(r.string().ok()?),
            "uid" => uid = Some(r.string().ok()?),
            _ => r.skip_value().ok()?,
        }
    }
    Some(TokenInfo {
        access_token: Secret::new(access?),
        // A lifetime too large for the clock is no expiry at all.
        expires_at: expires_in.and_then(|s| {
            SystemTime::now().checked_add(Duration::from_secs(u64::try_from(s).unwrap_or(0)))
        }),
        refresh_token: refresh.map(Secret::new),
        scope,
        account_id,
        team_id,
        uid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_base64url_sha256() {
        // RFC 7636, appendix B.
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let random = Pkce::new();
        assert_eq!(random.verifier().expose().len(), 64);
        assert_ne!(random.verifier().expose(), Pkce::new().verifier().expose());
    }

    #[test]
    fn authorize_url_has_every_parameter() {
        let url = AuthorizeUrl::new("k")
            .with_token_access_type(TokenAccessType::Online)
            .with_scopes(["a.b", "c"])
            .with_include_granted_scopes(IncludeGrantedScopes::Team)
            .with_state("s t")
            .with_redirect_uri("http://localhost:8080/cb")
            .build();
        assert_eq!(
            url,
            "https://www.dropbox.com/oauth2/authorize?response_type=code&client_id=k\
             &token_access_type=online&scope=a.b%20c&include_granted_scopes=team&state=s%20t\
             &redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcb"
        );
    }

    #[test]
    fn token_answers_and_errors() {
        let t = parse_token(r#"{"access_token": "sl.x", "expires_in": 14400, "token_type": "bearer", "scope": "a b", "uid": "1", "account_id": "dbid:1", "team_id": null}"#).unwrap();
        assert_eq!(t.access_token.expose(), "sl.x");
        assert_eq!(t.scope.as_deref(), Some("a b"));
        assert!(t.expires_at.unwrap() > SystemTime::now() + Duration::from_secs(14000));
        assert!(!format!("{t:?}").contains("sl.x"));
        assert_eq!(
            oauth_error(r#"{"error": "invalid_grant", "error_description": "revoked"}"#),
            ("invalid_grant".to_string(), "revoked".to_string())
        );
        assert_eq!(oauth_error("oops").0, "unknown");
        // A lifetime past the clock's range: no expiry, and no panic.
        let t =
            parse_token(r#"{"access_token": "a", "expires_in": 18446744073709551615}"#).unwrap();
        assert_eq!(t.expires_at, None);
    }
}
