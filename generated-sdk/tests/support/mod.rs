//! A real HTTP server on 127.0.0.1 for the client's tests: it records every
//! request and answers as the test's handler says.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The request's headers that Dropbox gives meaning to, sorted.
    pub fn dropbox_headers(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(k, _)| {
                let k = k.as_str();
                k.starts_with("dropbox-")
                    || k == "authorization"
                    || k == "content-type"
                    || k == "range"
            })
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("<bytes>").to_string()))
            .collect();
        out.sort();
        out
    }
}

/// An answer: status, headers, body, and an optional delay before it.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            delay: None,
        }
    }
    pub fn text(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
            delay: None,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn after(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }
}

type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

pub struct TestServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl TestServer {
    /// Start a server on 127.0.0.1 (port 0) answering with `handler`.
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        let handler: Handler = Arc::new(handler);
        let requests = Arc::new(Mutex::new(vec![]));
        let recorded = requests.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let handler = handler.clone();
            let recorded = recorded.clone();
            async move {
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, usize::MAX)
                    .await
                    .map(|b| b.to_vec())
                    .unwrap_or_default();
                let r = Recorded {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_string(),
                    headers: parts.headers,
                    body,
                };
                recorded.lock().unwrap().push(r.clone());
                let reply = handler(&r);
                if let Some(d) = reply.delay {
                    tokio::time::sleep(d).await;
                }
                let mut resp = Response::builder()
                    .status(StatusCode::from_u16(reply.status).unwrap())
                    .header("x-dropbox-request-id", "req-42");
                for (k, v) in &reply.headers {
                    resp = resp.header(k.as_str(), v.as_str());
                }
                resp.body(Body::from(reply.body)).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestServer { url, requests }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// Requests to one path.
    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// A client configuration pointing every host at this server, with
    /// quick back-off.
    pub fn config(&self) -> dropbox::client::Config {
        dropbox::client::Config::default()
            .with_base_urls(self.url.clone())
            .with_retry(
                dropbox::client::RetryPolicy::default()
                    .with_backoff(Duration::from_millis(5), Duration::from_millis(20)),
            )
    }
}
