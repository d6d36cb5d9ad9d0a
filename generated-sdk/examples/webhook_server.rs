//! A Dropbox webhook endpoint in axum, on the SDK's framework-free
//! functions: `DROPBOX_APP_SECRET=... cargo run --example webhook_server -- [ADDR]`
//! (default 127.0.0.1:8080; put it behind HTTPS and register
//! `https://.../webhook` in the App Console).
//!
//! - `GET /webhook?challenge=...`: the verification request, answered with
//!   `dropbox::webhook::challenge_response`;
//! - `POST /webhook`: a notification, accepted only when
//!   `X-Dropbox-Signature` signs the body with the app secret. Dropbox
//!   wants an answer within 10 s: real work goes to a queue.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Response, StatusCode, Uri};
use axum::routing::get;
use dropbox::webhook::{
    challenge_from_query, challenge_response, verify_signature, SIGNATURE_HEADER,
};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret: Arc<str> = match std::env::var("DROPBOX_APP_SECRET") {
        Ok(s) if !s.is_empty() => s.into(),
        _ => {
            eprintln!("set DROPBOX_APP_SECRET to the app's secret");
            std::process::exit(2);
        }
    };
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let app = axum::Router::new().route(
        "/webhook",
        get(verify)
            .post(move |headers: HeaderMap, body: Bytes| notify(secret.clone(), headers, body)),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{addr}/webhook");
    axum::serve(listener, app).await?;
    Ok(())
}

async fn verify(uri: Uri) -> Response<Body> {
    let Some(challenge) = uri.query().and_then(challenge_from_query) else {
        return status(StatusCode::BAD_REQUEST, "no challenge");
    };
    let answer = challenge_response(&challenge);
    let mut response = Response::builder().status(answer.status);
    for (name, value) in answer.headers {
        response = response.header(name, value);
    }
    response.body(Body::from(answer.body)).unwrap_or_default()
}

async fn notify(secret: Arc<str>, headers: HeaderMap, body: Bytes) -> Response<Body> {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !verify_signature(&secret, &body, signature) {
        return status(StatusCode::FORBIDDEN, "bad signature");
    }
    // The body names the accounts with changes ({"list_folder": {"accounts":
    // [...]}}); call list_folder/continue for each, off this request.
    println!("notification: {}", String::from_utf8_lossy(&body));
    status(StatusCode::OK, "")
}

fn status(code: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = code;
    response
}
