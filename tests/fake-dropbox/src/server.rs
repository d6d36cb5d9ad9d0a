//! HTTP: Dropbox's request conventions in, its responses out. Faults,
//! authentication and argument transport are handled here; the routes only
//! see typed calls.

use crate::faults::{lock, Fault};
use crate::routes::{self, Answer, Call, Failure, Style};
use crate::tokens::{basic_credentials, parse_form, Refusal};
use crate::Shared;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, Response, StatusCode};
use bytes::Bytes;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Dropbox's limit for one upload request's body.
const MAX_UPLOAD: u64 = 150 << 20;

/// The most hyper reads from a connection at once: upload bodies of up to
/// 150 MiB arrive in pieces this large (hyper's default, about 400 KiB,
/// makes ten times the reads, allocations and pieces to keep).
const READ_BUFFER: usize = 4 << 20;

pub(crate) async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    // Runs until the owner aborts the task; each connection is its own task.
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, say: wait, as axum::serve does.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let shared = shared.clone();
        let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
            let shared = shared.clone();
            async move { Ok::<_, std::convert::Infallible>(handle(&shared, req.map(Body::new)).await) }
        });
        tokio::spawn(async move {
            // A connection that fails ends alone.
            let _ = hyper::server::conn::http1::Builder::new()
                .max_buf_size(READ_BUFFER)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

fn respond(status: u16, content_type: Option<&str>, body: impl Into<Body>) -> Response<Body> {
    let mut b = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    b.body(body.into()).unwrap_or_default()
}

fn text(status: u16, message: &str) -> Response<Body> {
    respond(
        status,
        Some("text/plain; charset=utf-8"),
        message.to_string(),
    )
}

fn json(status: u16, body: String) -> Response<Body> {
    respond(status, Some("application/json"), body)
}

/// `{"error_summary": ..., "error": ...}` with an optional `user_message`.
fn error_body(error_json: &str, user_message: Option<&str>) -> String {
    let summary = serde_json::Value::from(routes::error_summary(error_json));
    match user_message {
        Some(m) => format!(
            "{{\"error_summary\": {summary}, \"error\": {error_json}, \"user_message\": {{\"locale\": \"en\", \"text\": {}}}}}",
            serde_json::Value::from(m)
        ),
        None => format!("{{\"error_summary\": {summary}, \"error\": {error_json}}}"),
    }
}

fn auth_error(error: dropbox::auth::AuthError) -> Response<Body> {
    json(401, error_body(&dropbox::wire::to_string(&error), None))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn handle(shared: &Arc<Shared>, req: Request<Body>) -> Response<Body> {
    let n = shared.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let mut resp = dispatch(shared, req).await;
    if let Ok(id) = format!("fake{n:08x}").parse() {
        resp.headers_mut().insert("x-dropbox-request-id", id);
    }
    resp
}

async fn dispatch(shared: &Arc<Shared>, req: Request<Body>) -> Response<Body> {
    let path = req.uri().path().to_string();
    if path == "/oauth2/authorize" {
        return authorize(shared, req.uri().query().unwrap_or(""));
    }
    if req.method() != Method::POST {
        return text(405, "Dropbox API routes take POST requests only");
    }
    let fault_route = path
        .trim_start_matches('/')
        .trim_start_matches("2/")
        .to_string();
    let fault = shared.faults.take(&fault_route);
    if let Some(Fault::Slow(d)) = &fault {
        tokio::time::sleep(*d).await;
    }
    match &fault {
        Some(Fault::RateLimit { retry_after_secs }) => {
            let e =
                dropbox::auth::RateLimitError::new(dropbox::auth::RateLimitReason::TooManyRequests)
                    .with_retry_after(*retry_after_secs);
            let mut r = json(429, error_body(&dropbox::wire::to_string(&e), None));
            if let Ok(v) = retry_after_secs.to_string().parse() {
                r.headers_mut().insert("retry-after", v);
            }
            return r;
        }
        Some(Fault::Status(s)) => return text(*s, "fake-dropbox: injected server error"),
        _ => {}
    }
    let (parts, body) = req.into_parts();
    if path == "/oauth2/token" {
        if fault == Some(Fault::ResetMidBody) {
            return cut_response();
        }
        return token_endpoint(shared, &parts.headers, body).await;
    }
    let Some(name) = path.strip_prefix("/2/") else {
        return text(404, &format!("fake-dropbox: no such endpoint {path}"));
    };
    let longpoll = name == routes::LONGPOLL;
    let route = routes::find(name);
    let Some(style) = route.map(|r| r.style).or(longpoll.then_some(Style::Rpc)) else {
        return text(
            400,
            &format!("Unknown API function: \"{name}\" (the fake Dropbox server does not implement this route)"),
        );
    };
    let noauth = route.is_none_or(|r| r.noauth);
    let token = if noauth {
        None
    } else {
        match authenticate(shared, &parts.headers, fault == Some(Fault::ExpiredToken)) {
            Ok(t) => Some(t),
            Err(resp) => return *resp,
        }
    };
    if fault == Some(Fault::ResetMidBody) && style != Style::Download {
        return cut_response();
    }
    let (arg, content) = match read_call(name, style, &parts.headers, body).await {
        Ok(x) => x,
        Err(resp) => return *resp,
    };
    let call = Call {
        route: route.map_or(routes::LONGPOLL, |r| r.name),
        arg,
        body: content,
        token,
    };
    let outcome = match route {
        Some(r) => (r.handler)(shared, &call),
        None => routes::longpoll(shared, &call).await,
    };
    shared.changed.notify_waiters();
    if fault == Some(Fault::AnswerLost) {
        return cut_response();
    }
    match outcome {
        Ok(Answer::Json(body)) => json(200, body),
        Ok(Answer::Download { result, content }) => download_response(
            &result,
            &content,
            header(&parts.headers, "range"),
            fault == Some(Fault::ResetMidBody),
        ),
        Err(Failure::BadInput(m)) => text(400, &m),
        Err(Failure::Route(e, user_message)) => json(409, error_body(&e, user_message.as_deref())),
    }
}

/// The bearer token, accepted; or the 401 or 400 that refuses it (boxed:
/// a response is large, and the error path is the rare one).
fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    expire_now: bool,
) -> Result<String, Box<Response<Body>>> {
    let Some(auth) = header(headers, "authorization") else {
        return Err(Box::new(text(400, "Error in call to API function: Must provide HTTP header \"Authorization\" or URL parameter \"authorization\".")));
    };
    let Some(token) = auth.strip_prefix("Bearer ").map(str::trim) else {
        return Err(Box::new(text(400, "Error in call to API function: Invalid authorization value in HTTP header \"Authorization\": expected \"Bearer <token>\".")));
    };
    let mut state = lock(&shared.state);
    if expire_now {
        state.tokens.expire(token);
    }
    match state.tokens.check(token) {
        Ok(()) => Ok(token.to_string()),
        Err(Refusal::Expired) => Err(Box::new(auth_error(
            dropbox::auth::AuthError::ExpiredAccessToken,
        ))),
        Err(Refusal::Invalid) => Err(Box::new(auth_error(
            dropbox::auth::AuthError::InvalidAccessToken,
        ))),
    }
}

/// The argument's JSON and an upload's content, from where the style puts
/// them; a 400 where they are not as Dropbox wants them.
async fn read_call(
    name: &str,
    style: Style,
    headers: &HeaderMap,
    body: Body,
) -> Result<(String, crate::Content), Box<Response<Body>>> {
    let content_type = header(headers, "content-type");
    let bad = |m: String| {
        Box::new(text(
            400,
            &format!("Error in call to API function \"{name}\": {m}"),
        ))
    };
    match style {
        Style::Rpc => {
            let ct = content_type.map(|c| c.split(';').next().unwrap_or("").trim());
            if ct != Some("application/json") {
                return Err(bad(format!(
                    "Bad HTTP \"Content-Type\" header: {:?}. Expecting one of \"application/json\", \"application/json; charset=utf-8\", \"text/plain; charset=dropbox-cors-hack\".",
                    content_type.unwrap_or("")
                )));
            }
            let bytes = axum::body::to_bytes(body, 1 << 20)
                .await
                .map_err(|e| bad(format!("could not read the request body: {e}")))?;
            let arg = String::from_utf8(bytes.to_vec())
                .map_err(|_| bad("request body: not UTF-8".into()))?;
            Ok((arg, crate::Content::default()))
        }
        Style::Upload | Style::Download => {
            let Some(arg) = header(headers, "dropbox-api-arg") else {
                return Err(bad(
                    "Must provide HTTP header \"Dropbox-API-Arg\" or URL parameter \"arg\".".into(),
                ));
            };
            if style == Style::Upload
                && !matches!(
                    content_type,
                    Some("application/octet-stream")
                        | Some("text/plain; charset=dropbox-cors-hack")
                )
            {
                return Err(bad(format!(
                    "Bad HTTP \"Content-Type\" header: {:?}. Expecting one of \"application/octet-stream\", \"text/plain; charset=dropbox-cors-hack\".",
                    content_type.unwrap_or("")
                )));
            }
            // The pieces as hyper read them, kept as they are: a copy into
            // one buffer would cost a pass over every upload.
            use axum::body::HttpBody as _;
            use futures_util::StreamExt as _;
            let too_large = || {
                bad("could not read the request body (at most 150 MiB per request): length limit exceeded".into())
            };
            if body.size_hint().lower() > MAX_UPLOAD {
                return Err(too_large());
            }
            let mut content = crate::Content::default();
            let mut pieces = body.into_data_stream();
            while let Some(piece) = pieces.next().await {
                let piece =
                    piece.map_err(|e| bad(format!("could not read the request body: {e}")))?;
                if content.len() + piece.len() as u64 > MAX_UPLOAD {
                    return Err(too_large());
                }
                content.push(piece);
            }
            if style == Style::Download && !content.is_empty() {
                return Err(bad("a download takes no request body".into()));
            }
            Ok((arg.to_string(), content))
        }
    }
}

/// A status line and headers promising a body, part of it, then the
/// connection cut: what a network failure looks like to a client.
/// The connection dropped before any answer, as when it is reset while
/// the request body is on its way: the route has not run, so a client may
/// safely send the request again. (A body that fails before its first
/// chunk makes hyper close the connection without sending the head.)
fn cut_response() -> Response<Body> {
    use futures_util::StreamExt as _;
    let cut = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fake-dropbox: injected connection reset",
        ))
    });
    let mut r = respond(
        200,
        Some("application/json"),
        Body::from_stream(cut.boxed()),
    );
    r.headers_mut().insert("content-length", 4096u64.into());
    r
}

fn broken_body(
    status: u16,
    content_type: &str,
    chunks: Vec<Bytes>,
    promised: u64,
) -> Response<Body> {
    use futures_util::StreamExt as _;
    let sent = futures_util::stream::iter(chunks.into_iter().map(Ok::<Bytes, std::io::Error>));
    // The cut comes a moment later, once the head and the first part are
    // on the wire: cut at once, hyper would drop them unsent.
    let cut = futures_util::stream::once(async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fake-dropbox: injected connection reset",
        ))
    });
    let mut r = respond(
        status,
        Some(content_type),
        Body::from_stream(sent.chain(cut)),
    );
    r.headers_mut().insert("content-length", promised.into());
    r
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` as a half-open range within `len`;
/// `Err` when it cannot be satisfied.
fn parse_range(spec: &str, len: u64) -> Result<(u64, u64), ()> {
    let r = spec.trim().strip_prefix("bytes=").ok_or(())?;
    let (a, b) = r.split_once('-').ok_or(())?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().map_err(|_| ())?;
            (len.saturating_sub(n), len)
        }
        (a, "") => (a.parse().map_err(|_| ())?, len),
        (a, b) => {
            let (a, b): (u64, u64) = (a.parse().map_err(|_| ())?, b.parse().map_err(|_| ())?);
            if b < a {
                return Err(());
            }
            (a, b.saturating_add(1).min(len))
        }
    };
    if start >= len || start >= end {
        return Err(());
    }
    Ok((start, end))
}

fn download_response(
    result: &str,
    content: &crate::Content,
    range: Option<&str>,
    cut: bool,
) -> Response<Body> {
    let len = content.len();
    let (status, start, end) = match range {
        None => (200, 0, len),
        Some(spec) => match parse_range(spec, len) {
            Ok((a, b)) => (206, a, b),
            Err(()) => {
                let mut r = text(416, "fake-dropbox: the requested range cannot be satisfied");
                if let Ok(v) = format!("bytes */{len}").parse() {
                    r.headers_mut().insert("content-range", v);
                }
                return r;
            }
        },
    };
    let header_json = dropbox::client::ascii_json(result);
    let mut resp = if cut {
        broken_body(
            status,
            "application/octet-stream",
            content.slice(start, start + (end - start) / 2),
            end - start,
        )
    } else {
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            content.slice(start, end).into_iter().map(Ok).collect();
        let mut r = respond(
            status,
            Some("application/octet-stream"),
            Body::from_stream(futures_util::stream::iter(chunks)),
        );
        r.headers_mut()
            .insert("content-length", (end - start).into());
        r
    };
    if let Ok(v) = header_json.parse() {
        resp.headers_mut().insert("dropbox-api-result", v);
    }
    if status == 206 {
        if let Ok(v) = format!("bytes {start}-{}/{len}", end - 1).parse() {
            resp.headers_mut().insert("content-range", v);
        }
    }
    resp
}

async fn token_endpoint(shared: &Shared, headers: &HeaderMap, body: Body) -> Response<Body> {
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 16).await else {
        return text(400, "fake-dropbox: could not read the token request");
    };
    let form = parse_form(&String::from_utf8_lossy(&bytes));
    let basic = header(headers, "authorization").and_then(basic_credentials);
    let answer = lock(&shared.state).tokens.token(&form, basic);
    match answer {
        Ok(body) => json(200, body),
        Err(e) => json(
            e.status,
            serde_json::json!({"error": e.error, "error_description": e.description}).to_string(),
        ),
    }
}

/// The fake's authorize page: approve at once, redirect with the code (or
/// show it).
fn authorize(shared: &Shared, query: &str) -> Response<Body> {
    let q = parse_form(query);
    let code = lock(&shared.state).tokens.authorize(&q);
    match (code, q.get("redirect_uri")) {
        (Ok(code), Some(uri)) => {
            let mut pairs = form_urlencoded::Serializer::new(String::new());
            pairs.append_pair("code", &code);
            if let Some(s) = q.get("state") {
                pairs.append_pair("state", s);
            }
            let sep = if uri.contains('?') { '&' } else { '?' };
            let mut r = text(302, "redirecting");
            if let Ok(v) = format!("{uri}{sep}{}", pairs.finish()).parse() {
                r.headers_mut().insert("location", v);
            }
            r
        }
        (Ok(code), None) => text(200, &code),
        (Err(e), _) => text(e.status, &format!("{}: {}", e.error, e.description)),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Ok((0, 10)));
        assert_eq!(parse_range("bytes=90-", 100), Ok((90, 100)));
        assert_eq!(parse_range("bytes=-10", 100), Ok((90, 100)));
        assert_eq!(parse_range("bytes=95-200", 100), Ok((95, 100)));
        assert_eq!(parse_range("bytes=100-", 100), Err(()));
        assert_eq!(parse_range("bytes=5-2", 100), Err(()));
        assert_eq!(parse_range("items=0-1", 100), Err(()));
    }
}
