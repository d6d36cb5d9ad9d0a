//! Access tokens, refresh tokens, apps and authorization codes, and the
//! OAuth2 endpoints that issue them: `/oauth2/token` (refresh_token and
//! authorization_code grants, PKCE S256) and the fake's authorize page.

use crate::content::hex;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Access {
    /// `None`: a token given to the builder, which does not expire.
    expires_at: Option<Instant>,
    revoked: bool,
    /// The refresh token this access token was issued from: revoking the
    /// access token revokes that grant too (`auth/token/revoke`'s doc).
    grant: Option<String>,
}

#[derive(Debug)]
struct PendingCode {
    client_id: String,
    challenge: Option<String>,
    redirect_uri: Option<String>,
    offline: bool,
}

/// Why a bearer token is refused (`auth.AuthError`'s tags).
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Invalid,
    Expired,
}

#[derive(Debug)]
pub struct Tokens {
    access: HashMap<String, Access>,
    /// Refresh token -> the app key it was issued to.
    refresh: HashMap<String, String>,
    /// App key -> secret.
    apps: HashMap<String, String>,
    codes: HashMap<String, PendingCode>,
    pub lifetime: Duration,
    counter: u64,
}

/// An OAuth2 error: status, `error` and `error_description`.
#[derive(Debug)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
}

fn oauth_error(status: u16, error: &'static str, description: impl Into<String>) -> OAuthError {
    OAuthError {
        status,
        error,
        description: description.into(),
    }
}

impl Tokens {
    pub fn new(lifetime: Duration) -> Self {
        Tokens {
            access: HashMap::new(),
            refresh: HashMap::new(),
            apps: HashMap::new(),
            codes: HashMap::new(),
            lifetime,
            counter: 0,
        }
    }

    pub fn add_access_token(&mut self, token: &str) {
        self.access.insert(
            token.to_string(),
            Access {
                expires_at: None,
                revoked: false,
                grant: None,
            },
        );
    }

    pub fn add_app(&mut self, key: &str, secret: &str) {
        self.apps.insert(key.to_string(), secret.to_string());
    }

    pub fn add_refresh_token(&mut self, token: &str, app_key: &str) {
        self.refresh.insert(token.to_string(), app_key.to_string());
    }

    /// A token's status: Ok, or why it is refused.
    pub fn check(&self, token: &str) -> Result<(), Refusal> {
        match self.access.get(token) {
            None => Err(Refusal::Invalid),
            Some(a) if a.revoked => Err(Refusal::Invalid),
            Some(Access {
                expires_at: Some(t),
                ..
            }) if *t <= Instant::now() => Err(Refusal::Expired),
            Some(_) => Ok(()),
        }
    }

    /// Make `token` expired now (a fault, or a test's wish).
    pub fn expire(&mut self, token: &str) {
        if let Some(a) = self.access.get_mut(token) {
            a.expires_at = Some(Instant::now());
        }
    }

    /// Dropbox's `auth/token/revoke`: the token, and when it came from a
    /// refresh token, that refresh token and every access token it issued.
    pub fn revoke(&mut self, token: &str) {
        let Some(a) = self.access.get_mut(token) else {
            return;
        };
        a.revoked = true;
        let Some(grant) = a.grant.clone() else {
            return;
        };
        self.refresh.remove(&grant);
        for a in self.access.values_mut() {
            if a.grant.as_ref() == Some(&grant) {
                a.revoked = true;
            }
        }
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        // Unique and unguessable enough for a test server.
        let seed = format!("{prefix}{}{:?}", self.counter, Instant::now());
        format!("{prefix}.{}", &hex(&Sha256::digest(seed.as_bytes()))[..40])
    }

    fn issue_access(&mut self, grant: Option<&str>) -> String {
        let token = self.fresh("sl");
        self.access.insert(
            token.clone(),
            Access {
                expires_at: Some(Instant::now() + self.lifetime),
                revoked: false,
                grant: grant.map(str::to_string),
            },
        );
        token
    }

    /// The fake's authorize page: the user says yes at once. Returns the
    /// code for `client_id`.
    pub fn authorize(&mut self, query: &HashMap<String, String>) -> Result<String, OAuthError> {
        let client_id = query
            .get("client_id")
            .ok_or_else(|| oauth_error(400, "invalid_request", "client_id is missing"))?;
        if !self.apps.contains_key(client_id) {
            return Err(oauth_error(400, "invalid_client", "unknown client_id"));
        }
        if query.get("response_type").map(String::as_str) != Some("code") {
            return Err(oauth_error(
                400,
                "unsupported_response_type",
                "response_type must be code",
            ));
        }
        let challenge = match (
            query.get("code_challenge"),
            query.get("code_challenge_method"),
        ) {
            (Some(c), Some(m)) if m == "S256" => Some(c.clone()),
            (Some(_), _) => {
                return Err(oauth_error(
                    400,
                    "invalid_request",
                    "code_challenge_method must be S256",
                ))
            }
            (None, _) => None,
        };
        let code = self.fresh("code");
        self.codes.insert(
            code.clone(),
            PendingCode {
                client_id: client_id.clone(),
                challenge,
                redirect_uri: query.get("redirect_uri").cloned(),
                offline: query.get("token_access_type").map(String::as_str) == Some("offline"),
            },
        );
        Ok(code)
    }

    /// `POST /oauth2/token`: the form's grant, with the client's key and
    /// secret from the form or from Basic auth. Returns the JSON answer.
    pub fn token(
        &mut self,
        form: &HashMap<String, String>,
        basic: Option<(String, String)>,
    ) -> Result<String, OAuthError> {
        let (client_id, secret) = match basic {
            Some((k, s)) => (Some(k), Some(s)),
            None => (
                form.get("client_id").cloned(),
                form.get("client_secret").cloned(),
            ),
        };
        let client_id = client_id.ok_or_else(|| {
            oauth_error(
                400,
                "invalid_request",
                "No auth function available for given request",
            )
        })?;
        let Some(app_secret) = self.apps.get(&client_id).cloned() else {
            return Err(oauth_error(
                400,
                "invalid_client",
                "Invalid client_id or client_secret",
            ));
        };
        if secret.as_ref().is_some_and(|s| *s != app_secret) {
            return Err(oauth_error(
                400,
                "invalid_client",
                "Invalid client_id or client_secret",
            ));
        }
        match form.get("grant_type").map(String::as_str) {
            Some("refresh_token") => {
                let refresh = form.get("refresh_token").ok_or_else(|| {
                    oauth_error(400, "invalid_request", "refresh_token is missing")
                })?;
                if self.refresh.get(refresh) != Some(&client_id) {
                    return Err(oauth_error(
                        400,
                        "invalid_grant",
                        "refresh token is invalid or revoked",
                    ));
                }
                let refresh = refresh.clone();
                let access = self.issue_access(Some(&refresh));
                Ok(self.answer(&access, None))
            }
            Some("authorization_code") => {
                let code = form
                    .get("code")
                    .ok_or_else(|| oauth_error(400, "invalid_request", "code is missing"))?;
                let pending = self.codes.remove(code).ok_or_else(|| {
                    oauth_error(400, "invalid_grant", "code doesn't exist or has expired")
                })?;
                if pending.client_id != client_id {
                    return Err(oauth_error(
                        400,
                        "invalid_grant",
                        "code was issued to another app",
                    ));
                }
                if pending.redirect_uri.as_ref() != form.get("redirect_uri") {
                    return Err(oauth_error(400, "invalid_grant", "redirect_uri mismatch"));
                }
                match (&pending.challenge, form.get("code_verifier")) {
                    (Some(challenge), Some(verifier)) => {
                        let digest = Sha256::digest(verifier.as_bytes());
                        let computed =
                            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
                        if computed != *challenge {
                            return Err(oauth_error(400, "invalid_grant", "invalid code verifier"));
                        }
                    }
                    (Some(_), None) if secret.is_none() => {
                        return Err(oauth_error(
                            400,
                            "invalid_request",
                            "code_verifier is missing",
                        ));
                    }
                    (None, _) if secret.is_none() => {
                        return Err(oauth_error(
                            400,
                            "invalid_request",
                            "client_secret is missing",
                        ));
                    }
                    _ => {}
                }
                let refresh = pending.offline.then(|| {
                    let r = self.fresh("refresh");
                    self.refresh.insert(r.clone(), client_id.clone());
                    r
                });
                let access = self.issue_access(refresh.as_deref());
                Ok(self.answer(&access, refresh.as_deref()))
            }
            Some(other) => Err(oauth_error(
                400,
                "unsupported_grant_type",
                format!("grant_type {other:?} is not supported"),
            )),
            None => Err(oauth_error(400, "invalid_request", "grant_type is missing")),
        }
    }

    fn answer(&self, access: &str, refresh: Option<&str>) -> String {
        let mut v = serde_json::json!({
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.lifetime.as_secs(),
            "scope": "account_info.read files.content.read files.content.write files.metadata.read files.metadata.write sharing.read sharing.write file_requests.read file_requests.write",
            "uid": crate::ACCOUNT_UID,
            "account_id": crate::ACCOUNT_ID,
        });
        if let Some(r) = refresh {
            v["refresh_token"] = r.into();
        }
        v.to_string()
    }
}

/// `Authorization: Basic base64(key:secret)`, decoded.
pub fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (k, s) = text.split_once(':')?;
    Some((k.to_string(), s.to_string()))
}

/// A form or query string as a map (the last value of a repeated key).
pub fn parse_form(text: &str) -> HashMap<String, String> {
    form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pkce_code_exchange_checks_the_verifier() {
        let mut t = Tokens::new(Duration::from_secs(60));
        t.add_app("key", "secret");
        let verifier = "a-verifier-of-enough-length-for-the-test-0123456789";
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
        let q = form(&[
            ("client_id", "key"),
            ("response_type", "code"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("token_access_type", "offline"),
        ]);
        let code = t.authorize(&q).unwrap();
        let bad = t.token(
            &form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", "key"),
                ("code_verifier", "wrong"),
            ]),
            None,
        );
        assert_eq!(bad.unwrap_err().error, "invalid_grant");
        // The code was used up by the failed attempt, as Dropbox does.
        let code = t.authorize(&q).unwrap();
        let ok = t
            .token(
                &form(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("client_id", "key"),
                    ("code_verifier", verifier),
                ]),
                None,
            )
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&ok).unwrap();
        let access = v["access_token"].as_str().unwrap();
        assert!(t.check(access).is_ok());
        assert!(v["refresh_token"].is_string());
    }

    #[test]
    fn refresh_needs_the_app_it_was_issued_to_and_expired_tokens_are_refused() {
        let mut t = Tokens::new(Duration::from_secs(60));
        t.add_app("key", "secret");
        t.add_app("other", "s2");
        t.add_refresh_token("r1", "key");
        let wrong_app = t.token(
            &form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", "r1"),
                ("client_id", "other"),
            ]),
            None,
        );
        assert_eq!(wrong_app.unwrap_err().error, "invalid_grant");
        let bad_secret = t.token(
            &form(&[("grant_type", "refresh_token"), ("refresh_token", "r1")]),
            Some(("key".into(), "nope".into())),
        );
        assert_eq!(bad_secret.unwrap_err().error, "invalid_client");
        let ok = t
            .token(
                &form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", "r1"),
                    ("client_id", "key"),
                ]),
                None,
            )
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&ok).unwrap();
        let access = v["access_token"].as_str().unwrap().to_string();
        assert_eq!(v["expires_in"], 60);
        t.expire(&access);
        assert_eq!(t.check(&access), Err(Refusal::Expired));
        assert_eq!(t.check("never-issued"), Err(Refusal::Invalid));
    }

    #[test]
    fn revoking_an_access_token_revokes_its_refresh_token_and_siblings() {
        let mut t = Tokens::new(Duration::from_secs(60));
        t.add_app("key", "secret");
        t.add_refresh_token("r1", "key");
        t.add_refresh_token("r2", "key");
        t.add_access_token("long-lived");
        let refresh = |t: &mut Tokens, r: &str| {
            t.token(
                &form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", r),
                    ("client_id", "key"),
                ]),
                None,
            )
            .map(|ok| {
                let v: serde_json::Value = serde_json::from_str(&ok).unwrap();
                v["access_token"].as_str().unwrap().to_string()
            })
        };
        let a1 = refresh(&mut t, "r1").unwrap();
        let a2 = refresh(&mut t, "r1").unwrap();
        let other = refresh(&mut t, "r2").unwrap();
        t.revoke(&a1);
        assert_eq!(t.check(&a1), Err(Refusal::Invalid));
        assert_eq!(
            t.check(&a2),
            Err(Refusal::Invalid),
            "issued by the same grant"
        );
        assert_eq!(refresh(&mut t, "r1").unwrap_err().error, "invalid_grant");
        // Another grant, and a token with no grant, are untouched.
        assert!(t.check(&other).is_ok());
        assert!(refresh(&mut t, "r2").is_ok());
        t.revoke("long-lived");
        assert_eq!(t.check("long-lived"), Err(Refusal::Invalid));
        assert!(t.check(&other).is_ok());
    }
}
