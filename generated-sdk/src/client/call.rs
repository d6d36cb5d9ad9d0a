//! One route call: the request for its style, the retry loop, and the
//! answer classified by status. Only the three entry points are generic
//! (over the route's types); the loop is compiled once, in this crate.

use super::body::{ByteRange, Download, DownloadBody, UploadBody};
use super::error::{RawJson, UserMessage};
use super::token::Secret;
use super::{ascii_json, Auth, Endpoint, Error, Session};
use crate::wire::{Decode, DecodeError, Encode, Reader, ValidationError};
use std::time::Duration;

/// The check of an argument whose type has no constraints.
pub fn unchecked<A: ?Sized>(_: &A) -> Result<(), ValidationError> {
    Ok(())
}

/// Call an rpc route: the argument as the JSON body, the result as JSON.
/// `check` is the argument's constraints, checked before anything is sent.
pub async fn rpc<A, R, E>(
    session: &Session,
    ep: &'static Endpoint,
    arg: &A,
    check: fn(&A) -> Result<(), ValidationError>,
) -> Result<R, Error<E>>
where
    A: Encode + ?Sized,
    R: Decode,
    E: Decode,
{
    check(arg).map_err(Error::Invalid)?;
    let arg = crate::wire::to_string(arg);
    let done = execute_boxed(session, ep, Style::Rpc(arg), None).await;
    finish(ep, done.map(|ok| ok.json))
}

/// Call an upload route: the argument in `Dropbox-API-Arg`, the content as
/// the body.
pub async fn upload<A, R, E>(
    session: &Session,
    ep: &'static Endpoint,
    arg: &A,
    check: fn(&A) -> Result<(), ValidationError>,
    body: UploadBody,
) -> Result<R, Error<E>>
where
    A: Encode + ?Sized,
    R: Decode,
    E: Decode,
{
    check(arg).map_err(Error::Invalid)?;
    let arg = ascii_json(&crate::wire::to_string(arg));
    let done = execute_boxed(session, ep, Style::Upload(arg, body), None).await;
    finish(ep, done.map(|ok| ok.json))
}

/// Call a download route: the argument in `Dropbox-API-Arg`, the result in
/// `Dropbox-API-Result`, the content streamed.
pub async fn download<A, R, E>(
    session: &Session,
    ep: &'static Endpoint,
    arg: &A,
    check: fn(&A) -> Result<(), ValidationError>,
    range: Option<ByteRange>,
) -> Result<Download<R>, Error<E>>
where
    A: Encode + ?Sized,
    R: Decode,
    E: Decode,
{
    check(arg).map_err(Error::Invalid)?;
    let arg = ascii_json(&crate::wire::to_string(arg));
    match execute_boxed(session, ep, Style::Download(arg), range).await {
        Ok(ok) => {
            let (json, request_id) = ok.json;
            let result = decode_result(ep, &json, request_id.clone())?;
            match ok.body {
                Some(body) => match DownloadBody::new(ep.path, body, range) {
                    Ok(body) => Ok(Download { result, body }),
                    Err(message) => Err(Error::Decode {
                        route: ep.path,
                        message: message.into(),
                        request_id,
                    }),
                },
                None => Err(Error::Decode {
                    route: ep.path,
                    message: "no content".into(),
                    request_id,
                }),
            }
        }
        Err(e) => Err(e.typed(ep.path)),
    }
}

fn finish<R: Decode, E: Decode>(
    ep: &'static Endpoint,
    done: Result<(String, Option<String>), Error<RawJson>>,
) -> Result<R, Error<E>> {
    match done {
        Ok((json, request_id)) => decode_result(ep, &json, request_id),
        Err(e) => Err(e.typed(ep.path)),
    }
}

fn decode_result<R: Decode, E>(
    ep: &'static Endpoint,
    json: &str,
    request_id: Option<String>,
) -> Result<R, Error<E>> {
    crate::wire::from_str(json).map_err(|e| Error::Decode {
        route: ep.path,
        message: format!("the result: {e}"),
        request_id,
    })
}

enum Style {
    Rpc(String),
    Upload(String, UploadBody),
    Download(String),
}

impl Style {
    /// Whether the request can be sent again (a stream upload cannot).
    fn replayable(&self) -> bool {
        match self {
            Style::Upload(_, body) => body.replayable(),
            _ => true,
        }
    }
}

struct Success {
    /// The result's JSON and the request id.
    json: (String, Option<String>),
    /// A download's response, its body not read yet.
    body: Option<reqwest::Response>,
}

/// Why an attempt failed, and whether another may succeed.
enum Failure {
    Final(Error<RawJson>),
    /// 5xx, a connection failure: back off and retry.
    Transient(Error<RawJson>),
    /// 429: retry after the wait Dropbox asks for.
    RateLimited(Error<RawJson>, Duration),
    /// 401 `expired_access_token`: refresh, retry once.
    Expired(Error<RawJson>),
}

/// The request loop's future, boxed. The entry points above are generic,
/// so what they await is compiled in the crates that call them; boxed
/// here, the loop is compiled once, in this crate, not again in every
/// user's crate (one allocation per call is the price).
fn execute_boxed<'a>(
    session: &'a Session,
    ep: &'static Endpoint,
    style: Style,
    range: Option<ByteRange>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Success, Error<RawJson>>> + Send + 'a>>
{
    Box::pin(execute(session, ep, style, range))
}

/// Send, retrying as the policy says, until an answer is final.
async fn execute(
    session: &Session,
    ep: &'static Endpoint,
    style: Style,
    range: Option<ByteRange>,
) -> Result<Success, Error<RawJson>> {
    let shared = &session.shared;
    let policy = session.retry();
    let (mut retries, mut rate_limited, mut refreshed) = (0u32, 0u32, false);
    loop {
        let token = match (&shared.auth, ep.noauth) {
            (Auth::Bearer(source), false) => Some(source.bearer(shared).await?),
            _ => None,
        };
        let failure = match attempt(session, ep, &style, range, token.as_ref()).await {
            Ok(success) => return Ok(success),
            Err(failure) => failure,
        };
        let replayable = style.replayable();
        match failure {
            Failure::Final(e) => return Err(e),
            Failure::Transient(e) => {
                if retries >= policy.max_retries() || !replayable {
                    return Err(e);
                }
                tokio::time::sleep(policy.backoff(retries)).await;
                retries += 1;
            }
            Failure::RateLimited(e, wait) => {
                if rate_limited >= policy.rate_limit_retries()
                    || wait > policy.max_retry_after()
                    || !replayable
                {
                    return Err(e);
                }
                tokio::time::sleep(wait).await;
                rate_limited += 1;
            }
            Failure::Expired(e) => {
                let (Auth::Bearer(source), Some(rejected)) = (&shared.auth, &token) else {
                    return Err(e);
                };
                if refreshed {
                    return Err(e);
                }
                // Refreshed even when this request cannot be sent again (a
                // stream body): the error goes back, and the next call has
                // a token that works instead of the same refusal.
                if source.after_expired(rejected, shared).await?.is_none() || !replayable {
                    return Err(e);
                }
                refreshed = true;
            }
        }
    }
}

/// One attempt: the request, and what its answer means.
async fn attempt(
    session: &Session,
    ep: &'static Endpoint,
    style: &Style,
    range: Option<ByteRange>,
    token: Option<&Secret>,
) -> Result<Success, Failure> {
    use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RANGE, RETRY_AFTER};
    let shared = &session.shared;
    let url = format!("{}/2/{}", shared.config.base_url(ep.host), ep.path);
    let mut req = shared.config.request(&shared.http, url);
    if !ep.noauth {
        match (&shared.auth, token) {
            (Auth::Bearer(_), Some(t)) => {
                req = req.header(AUTHORIZATION, format!("Bearer {}", t.expose()));
            }
            (Auth::Basic(b), _) => req = req.header(AUTHORIZATION, b.expose()),
            _ => {}
        }
        if let Some(id) = &session.select_user {
            req = req.header("Dropbox-API-Select-User", &**id);
        }
        if let Some(id) = &session.select_admin {
            req = req.header("Dropbox-API-Select-Admin", &**id);
        }
        if let Some(root) = &session.path_root {
            req = req.header("Dropbox-API-Path-Root", &**root);
        }
    }
    req = match style {
        Style::Rpc(arg) => req
            .header(CONTENT_TYPE, "application/json")
            .body(arg.clone()),
        Style::Upload(arg, body) => {
            if let Some(n) = body.known_len() {
                req = req.header(reqwest::header::CONTENT_LENGTH, n);
            }
            let Some(body) = body.for_attempt(ep.path).await.map_err(Failure::Final)? else {
                return Err(Failure::Final(Error::Io {
                    route: ep.path,
                    source: std::io::Error::other("a stream upload cannot be sent twice"),
                }));
            };
            req.header("Dropbox-API-Arg", arg.as_str())
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(body)
        }
        Style::Download(arg) => {
            let req = req.header("Dropbox-API-Arg", arg.as_str());
            match range {
                Some(r) => req.header(RANGE, r.header()),
                None => req,
            }
        }
    };
    let resp = req.send().await.map_err(|source| transport(ep, source))?;
    let status = resp.status().as_u16();
    let request_id = request_id(&resp);
    if status == 200 || status == 206 {
        if let Style::Download(_) = style {
            let Some(result) = resp
                .headers()
                .get("dropbox-api-result")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
            else {
                return Err(Failure::Final(Error::Decode {
                    route: ep.path,
                    message: "no Dropbox-API-Result header".into(),
                    request_id,
                }));
            };
            return Ok(Success {
                json: (result, request_id),
                body: Some(resp),
            });
        }
        // Dropbox has acted on the request: a failure now is not retried,
        // or a move, an upload or a shared link would be made twice.
        let text = resp.text().await.map_err(|source| {
            Failure::Final(Error::Transport {
                route: ep.path,
                source,
            })
        })?;
        return Ok(Success {
            json: (text, request_id),
            body: None,
        });
    }
    let retry_after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let text = match small_text(resp).await {
        Ok(text) => text,
        // An answer cut short is worth another try only where the status
        // itself says to try again.
        Err(source) if status == 429 || status >= 500 => return Err(transport(ep, source)),
        Err(source) => {
            return Err(Failure::Final(Error::Transport {
                route: ep.path,
                source,
            }))
        }
    };
    // Dropbox's 400 text (kept as the error's message) can quote the
    // request's `Authorization` header: the credential is taken out.
    let sent = match (&shared.auth, token) {
        _ if status != 400 => None,
        (_, Some(token)) => Some(token.expose()),
        (Auth::Basic(basic), None) => Some(basic.expose().trim_start_matches("Basic ")),
        _ => None,
    };
    let text = match sent {
        Some(secret) if !secret.is_empty() && text.contains(secret) => {
            text.replace(secret, "<redacted>")
        }
        _ => text,
    };
    Err(classify(ep, status, text, request_id, retry_after))
}

/// The most of an error answer's (or a token answer's) body that is read:
/// Dropbox's are a few hundred bytes, and a body without end must not
/// take all memory.
const MAX_SMALL_BODY: usize = 1 << 20;

/// A small answer's body as text (lossy UTF-8), at most
/// [`MAX_SMALL_BODY`] bytes of it.
pub(crate) async fn small_text(mut resp: reqwest::Response) -> Result<String, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = MAX_SMALL_BODY - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == MAX_SMALL_BODY {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn transport(ep: &'static Endpoint, source: reqwest::Error) -> Failure {
    let e = Error::Transport {
        route: ep.path,
        source,
    };
    // A request that could not even be built will not build next time.
    match &e {
        Error::Transport { source, .. } if source.is_builder() => Failure::Final(e),
        _ => Failure::Transient(e),
    }
}

/// An error status and its body, as an error and what to do about it.
fn classify(
    ep: &'static Endpoint,
    status: u16,
    text: String,
    request_id: Option<String>,
    retry_after: Option<u64>,
) -> Failure {
    let route = ep.path;
    let undecodable = |what: &str, e: DecodeError, request_id: Option<String>| {
        Failure::Final(Error::Decode {
            route,
            message: format!("the {what} error body: {e}"),
            request_id,
        })
    };
    match status {
        400 => Failure::Final(Error::BadInput {
            route,
            message: text.trim().to_string(),
            request_id,
        }),
        401 => match typed_error::<crate::auth::AuthError>(&text) {
            Ok((error, summary, _)) => {
                let expired = matches!(error, crate::auth::AuthError::ExpiredAccessToken);
                let e = Error::Auth {
                    route,
                    error,
                    summary,
                    request_id,
                };
                if expired {
                    Failure::Expired(e)
                } else {
                    Failure::Final(e)
                }
            }
            Err(e) => undecodable("401", e, request_id),
        },
        403 => match typed_error::<crate::auth::AccessError>(&text) {
            Ok((error, summary, _)) => Failure::Final(Error::Access {
                route,
                error,
                summary,
                request_id,
            }),
            Err(e) => undecodable("403", e, request_id),
        },
        409 => match error_body(&text) {
            Ok((raw, summary, user_message)) => Failure::Final(Error::Route {
                route,
                error: RawJson(raw),
                summary,
                user_message,
                request_id,
            }),
            Err(e) => undecodable("409", e, request_id),
        },
        422 => match typed_error::<crate::common::PathRootError>(&text) {
            Ok((error, _, _)) => Failure::Final(Error::PathRoot {
                error: Box::new(error),
                route,
                request_id,
            }),
            Err(e) => undecodable("422", e, request_id),
        },
        429 => {
            // JSON with the reason and `retry_after`, or text with a
            // `Retry-After` header.
            let (reason, secs) = match typed_error::<crate::auth::RateLimitError>(&text) {
                Ok((e, _, _)) => (e.reason, e.retry_after),
                Err(_) => (
                    crate::auth::RateLimitReason::TooManyRequests,
                    retry_after.unwrap_or(5),
                ),
            };
            let wait = Duration::from_secs(secs);
            Failure::RateLimited(
                Error::RateLimit {
                    route,
                    reason,
                    retry_after: wait,
                    request_id,
                },
                wait,
            )
        }
        500..=599 => Failure::Transient(Error::Server {
            route,
            status,
            message: text.trim().chars().take(1000).collect(),
            request_id,
        }),
        _ => Failure::Final(Error::Http {
            route,
            status,
            message: text.trim().chars().take(1000).collect(),
            request_id,
        }),
    }
}

/// An error body whose `error` is of a known type.
fn typed_error<T: Decode>(text: &str) -> Result<(T, String, Option<UserMessage>), DecodeError> {
    let (raw, summary, message) = error_body(text)?;
    Ok((crate::wire::from_str(&raw)?, summary, message))
}

/// The request id Dropbox gives every answer.
fn request_id(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get("x-dropbox-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `{"error_summary", "error", "user_message"}`: the raw error JSON, the
/// summary and the user message.
fn error_body(text: &str) -> Result<(String, String, Option<UserMessage>), DecodeError> {
    let mut r = Reader::new(text);
    let (mut error, mut summary, mut message) = (None, String::new(), None);
    r.begin_object()?;
    while let Some(k) = r.next_key()? {
        match &*k {
            "error" => error = Some(r.raw_value()?.to_string()),
            "error_summary" if r.is_string() => summary = r.string()?,
            "user_message" if r.is_object() => {
                let (mut text, mut locale) = (String::new(), String::new());
                r.begin_object()?;
                while let Some(k) = r.next_key()? {
                    match &*k {
                        "text" if r.is_string() => text = r.string()?,
                        "locale" if r.is_string() => locale = r.string()?,
                        _ => r.skip_value()?,
                    }
                }
                message = Some(UserMessage { text, locale });
            }
            _ => r.skip_value()?,
        }
    }
    r.end()?;
    let error = error.ok_or_else(|| r.error("no \"error\" in the error body".into()))?;
    Ok((error, summary, message))
}
