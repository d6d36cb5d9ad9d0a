//! One error type for every route, generic over the route's own error.

use std::fmt;
use std::time::Duration;

/// The error of a route whose spec gives none (`Void`).
pub type NoError = ();

/// A route call that did not succeed. `E` is the route's own error (sent
/// with status 409); the other variants are the same for every route.
///
/// No variant holds a credential: printing one never shows a token.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// 409: the route's own error.
    Route {
        route: &'static str,
        error: E,
        /// Dropbox's summary of `error`, for people (never parse it).
        summary: String,
        /// A message Dropbox wrote for the end user, if any.
        user_message: Option<UserMessage>,
        request_id: Option<String>,
    },
    /// 401: the access token is not valid (expired, revoked, lacks a scope).
    Auth {
        route: &'static str,
        error: crate::auth::AuthError,
        summary: String,
        request_id: Option<String>,
    },
    /// 403: the account or app may not use this route.
    Access {
        route: &'static str,
        error: crate::auth::AccessError,
        summary: String,
        request_id: Option<String>,
    },
    /// 429, once the retries the policy allows are spent.
    RateLimit {
        route: &'static str,
        reason: crate::auth::RateLimitReason,
        /// How long Dropbox asks to wait before the next request.
        retry_after: Duration,
        request_id: Option<String>,
    },
    /// 400: Dropbox could not take the request (its text says why).
    BadInput {
        route: &'static str,
        message: String,
        request_id: Option<String>,
    },
    /// 422: the `Dropbox-API-Path-Root` header is not valid.
    PathRoot {
        route: &'static str,
        error: Box<crate::common::PathRootError>,
        request_id: Option<String>,
    },
    /// 5xx, once the retries the policy allows are spent.
    Server {
        route: &'static str,
        status: u16,
        message: String,
        request_id: Option<String>,
    },
    /// Another status Dropbox does not document.
    Http {
        route: &'static str,
        status: u16,
        message: String,
        request_id: Option<String>,
    },
    /// The argument breaks a constraint of the spec; nothing was sent.
    Invalid(crate::wire::ValidationError),
    /// The request could not be sent or its answer not received.
    Transport {
        route: &'static str,
        source: reqwest::Error,
    },
    /// The answer was not what the route's spec says.
    Decode {
        route: &'static str,
        message: String,
        request_id: Option<String>,
    },
    /// The OAuth2 token endpoint refused (a refresh token that was revoked,
    /// a code already used, ...).
    OAuth {
        status: u16,
        error: String,
        description: String,
    },
    /// Reading an upload's file, or writing a download's content.
    Io {
        route: &'static str,
        source: std::io::Error,
    },
}

/// A message for the end user, in their language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserMessage {
    pub text: String,
    pub locale: String,
}

/// A route error not yet decoded into its type.
#[derive(Debug)]
pub(crate) struct RawJson(pub String);

impl<E> Error<E> {
    /// Dropbox's request id (`X-Dropbox-Request-Id`), to quote to its
    /// support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Route { request_id, .. }
            | Error::Auth { request_id, .. }
            | Error::Access { request_id, .. }
            | Error::RateLimit { request_id, .. }
            | Error::BadInput { request_id, .. }
            | Error::PathRoot { request_id, .. }
            | Error::Server { request_id, .. }
            | Error::Http { request_id, .. }
            | Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The route's own error, if that is what this is.
    pub fn route_error(&self) -> Option<&E> {
        match self {
            Error::Route { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The same error with another route error type, converted by `f`.
    pub fn map_route<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        self.try_map_route(|e, _| Ok(f(e)))
    }

    /// Convert the route error; `f` may fail, with a decode error.
    pub(crate) fn try_map_route<F>(
        self,
        f: impl FnOnce(E, Option<&str>) -> Result<F, Error<F>>,
    ) -> Error<F> {
        match self {
            Error::Route {
                route,
                error,
                summary,
                user_message,
                request_id,
            } => match f(error, request_id.as_deref()) {
                Ok(error) => Error::Route {
                    route,
                    error,
                    summary,
                    user_message,
                    request_id,
                },
                Err(e) => e,
            },
            Error::Auth {
                route,
                error,
                summary,
                request_id,
            } => Error::Auth {
                route,
                error,
                summary,
                request_id,
            },
            Error::Access {
                route,
                error,
                summary,
                request_id,
            } => Error::Access {
                route,
                error,
                summary,
                request_id,
            },
            Error::RateLimit {
                route,
                reason,
                retry_after,
                request_id,
            } => Error::RateLimit {
                route,
                reason,
                retry_after,
                request_id,
            },
            Error::BadInput {
                route,
                message,
                request_id,
            } => Error::BadInput {
                route,
                message,
                request_id,
            },
            Error::PathRoot {
                route,
                error,
                request_id,
            } => Error::PathRoot {
                route,
                error,
                request_id,
            },
            Error::Server {
                route,
                status,
                message,
                request_id,
            } => Error::Server {
                route,
                status,
                message,
                request_id,
            },
            Error::Http {
                route,
                status,
                message,
                request_id,
            } => Error::Http {
                route,
                status,
                message,
                request_id,
            },
            Error::Invalid(v) => Error::Invalid(v),
            Error::Transport { route, source } => Error::Transport { route, source },
            Error::Decode {
                route,
                message,
                request_id,
            } => Error::Decode {
                route,
                message,
                request_id,
            },
            Error::OAuth {
                status,
                error,
                description,
            } => Error::OAuth {
                status,
                error,
                description,
            },
            Error::Io { route, source } => Error::Io { route, source },
        }
    }
}

impl Error<RawJson> {
    /// Decode the route error into its type.
    pub(crate) fn typed<E: crate::wire::Decode>(self, route: &'static str) -> Error<E> {
        self.try_map_route(|raw, request_id| {
            crate::wire::from_str::<E>(&raw.0).map_err(|e| Error::Decode {
                route,
                message: format!("the route error: {e}"),
                request_id: request_id.map(str::to_string),
            })
        })
    }
}

fn request_id_suffix(f: &mut fmt::Formatter<'_>, id: &Option<String>) -> fmt::Result {
    match id {
        Some(id) => write!(f, " (request id {id})"),
        None => Ok(()),
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Route {
                route,
                summary,
                user_message,
                request_id,
                ..
            } => {
                write!(f, "{route}: {summary}")?;
                if let Some(m) = user_message {
                    write!(f, " ({})", m.text)?;
                }
                request_id_suffix(f, request_id)
            }
            Error::Auth {
                route,
                summary,
                request_id,
                ..
            } => {
                write!(
                    f,
                    "{route}: the access token was refused ({summary}); authorize the app again or use a valid token"
                )?;
                request_id_suffix(f, request_id)
            }
            Error::Access {
                route,
                summary,
                request_id,
                ..
            } => {
                write!(f, "{route}: no access ({summary})")?;
                request_id_suffix(f, request_id)
            }
            Error::RateLimit {
                route,
                retry_after,
                request_id,
                ..
            } => {
                write!(
                    f,
                    "{route}: rate limited by Dropbox; retry after {} s",
                    retry_after.as_secs()
                )?;
                request_id_suffix(f, request_id)
            }
            Error::BadInput {
                route,
                message,
                request_id,
            } => {
                write!(f, "{route}: Dropbox rejected the request: {message}")?;
                request_id_suffix(f, request_id)
            }
            Error::PathRoot {
                route, request_id, ..
            } => {
                write!(
                    f,
                    "{route}: the path root (Dropbox-API-Path-Root) is not valid for this account"
                )?;
                request_id_suffix(f, request_id)
            }
            Error::Server {
                route,
                status,
                message,
                request_id,
            } => {
                write!(
                    f,
                    "{route}: Dropbox server error {status}, retries exhausted: {message}"
                )?;
                request_id_suffix(f, request_id)
            }
            Error::Http {
                route,
                status,
                message,
                request_id,
            } => {
                write!(f, "{route}: unexpected HTTP status {status}: {message}")?;
                request_id_suffix(f, request_id)
            }
            Error::Invalid(v) => write!(f, "invalid argument, not sent: {v}"),
            Error::Transport { route, source } => {
                write!(f, "{route}: could not reach Dropbox: {source}")
            }
            Error::Decode {
                route,
                message,
                request_id,
            } => {
                write!(f, "{route}: unexpected answer from Dropbox: {message}")?;
                request_id_suffix(f, request_id)
            }
            Error::OAuth {
                status,
                error,
                description,
            } => write!(
                f,
                "the OAuth2 token endpoint refused ({status} {error}): {description}"
            ),
            Error::Io { route, source } => {
                write!(f, "{route}: reading or writing the content: {source}")
            }
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Io { source, .. } => Some(source),
            Error::Invalid(v) => Some(v),
            _ => None,
        }
    }
}
