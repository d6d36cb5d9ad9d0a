//! A small Dropbox for the transfer helpers' tests: real HTTP on
//! 127.0.0.1, files in memory, upload sessions (sequential and concurrent,
//! with `incorrect_offset`), batch commits, ranged downloads, and faults a
//! test arms: lost answers, half-received chunks, forgotten data, broken
//! downloads, corrupted content.
//!
//! Its content_hash is computed here, independently of the SDK's.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response};
use bytes::Bytes;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

const BLOCK: usize = 4 * 1024 * 1024;

/// Dropbox's content_hash, written plainly.
pub fn dropbox_hash(data: &[u8]) -> String {
    let mut overall = Sha256::new();
    for block in data.chunks(BLOCK) {
        overall.update(Sha256::digest(block));
    }
    overall
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fault, armed for the first append at `offset` (sessions), or the
/// first download.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Keep the chunk, answer 500: the client never learns it arrived.
    LoseAnswer { offset: u64 },
    /// Keep only the first `keep` bytes of the chunk, answer 500 (the
    /// connection broke mid-body).
    KeepOnly { offset: u64, keep: usize },
    /// Forget what came after `to` and answer `incorrect_offset`: data
    /// already acknowledged is lost.
    Forget { offset: u64, to: u64 },
    /// Break the first download's body after `after` bytes.
    BreakDownload { after: usize },
    /// Serve downloads with one byte changed (the metadata is right).
    CorruptDownload,
    /// Commit files with one byte changed.
    CorruptCommit,
    /// Answer the first single-call upload with 503.
    FailUpload,
}

/// One append as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Append {
    pub session: String,
    pub offset: u64,
    pub len: usize,
    pub close: bool,
}

struct Session {
    concurrent: bool,
    /// Sequential: the content so far.
    data: Vec<u8>,
    /// Concurrent: pieces by offset.
    pieces: BTreeMap<u64, Bytes>,
    closed: bool,
}

pub struct StoredFile {
    pub content: Bytes,
    pub rev: String,
    pub hash: String,
}

#[derive(Default)]
pub struct State {
    sessions: HashMap<String, Session>,
    pub files: HashMap<String, StoredFile>,
    faults: Vec<Fault>,
    pub appends: Vec<Append>,
    /// (route, Range header) of every request.
    pub requests: Vec<(String, Option<String>)>,
    in_flight: usize,
    pub max_in_flight: usize,
    next_id: u64,
}

#[derive(Clone)]
pub struct FakeDropbox {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl FakeDropbox {
    pub async fn start() -> Self {
        let state: Arc<Mutex<State>> = Arc::default();
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let state = shared.clone();
            async move { handle(state, req).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeDropbox { url, state }
    }

    pub fn arm(&self, fault: Fault) {
        self.state.lock().unwrap().faults.push(fault);
    }

    pub fn put_file(&self, path: &str, content: Bytes) {
        let mut s = self.state.lock().unwrap();
        commit(&mut s, path, content, false).unwrap();
    }

    pub fn file(&self, path: &str) -> Option<(Bytes, String)> {
        let s = self.state.lock().unwrap();
        s.files
            .get(&path.to_lowercase())
            .map(|f| (f.content.clone(), f.hash.clone()))
    }

    pub fn appends(&self) -> Vec<Append> {
        self.state.lock().unwrap().appends.clone()
    }

    pub fn routes(&self) -> Vec<String> {
        let s = self.state.lock().unwrap();
        s.requests.iter().map(|(r, _)| r.clone()).collect()
    }

    pub fn ranges(&self) -> Vec<Option<String>> {
        let s = self.state.lock().unwrap();
        s.requests
            .iter()
            .filter(|(r, _)| r == "files/download")
            .map(|(_, range)| range.clone())
            .collect()
    }

    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }

    pub fn client(&self) -> dropbox::client::UserClient {
        let config = dropbox::client::Config::default()
            .with_base_urls(self.url.clone())
            .with_retry(dropbox::client::RetryPolicy::default().with_backoff(
                std::time::Duration::from_millis(5),
                std::time::Duration::from_millis(20),
            ));
        dropbox::client::UserClient::with_config(
            dropbox::client::Credentials::access_token("sl.test-token"),
            config,
        )
    }
}

fn reply(status: u16, body: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn route_error(error: Value) -> Response<Body> {
    reply(409, json!({"error_summary": "route error", "error": error}))
}

fn text(status: u16, message: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain")
        .body(Body::from(message.to_string()))
        .unwrap()
}

/// Takes one armed fault that `pick` chooses.
fn take_fault(s: &mut State, pick: impl Fn(&Fault) -> bool) -> Option<Fault> {
    let i = s.faults.iter().position(pick)?;
    Some(s.faults.remove(i))
}

async fn handle(state: Arc<Mutex<State>>, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let route = parts.uri.path().trim_start_matches("/2/").to_string();
    let range = header(&parts.headers, "range");
    let is_append = route == "files/upload_session/append_v2";
    {
        let mut s = state.lock().unwrap();
        s.requests.push((route.clone(), range.clone()));
        if is_append {
            s.in_flight += 1;
            s.max_in_flight = s.max_in_flight.max(s.in_flight);
        }
    }
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let arg: Value = match header(&parts.headers, "dropbox-api-arg") {
        Some(a) => serde_json::from_str(&a).unwrap(),
        None => serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    let mut s = state.lock().unwrap();
    if is_append {
        s.in_flight -= 1;
    }
    match route.as_str() {
        "files/upload" => upload(&mut s, &arg, body),
        "files/upload_session/start" => start(&mut s, &arg, body),
        "files/upload_session/start_batch" => {
            let n = arg["num_sessions"].as_u64().unwrap();
            let concurrent = arg["session_type"][".tag"] == "concurrent";
            let ids: Vec<String> = (0..n).map(|_| new_session(&mut s, concurrent)).collect();
            reply(200, json!({ "session_ids": ids }))
        }
        "files/upload_session/append_v2" => append(&mut s, &arg, body),
        "files/upload_session/finish" => match finish(&mut s, &arg, body) {
            Ok(meta) => reply(200, meta),
            Err(e) => route_error(e),
        },
        "files/upload_session/finish_batch_v2" => {
            let entries: Vec<Value> = arg["entries"].as_array().unwrap().clone();
            let results: Vec<Value> = entries
                .iter()
                .map(|e| match finish(&mut s, e, Bytes::new()) {
                    Ok(mut meta) => {
                        meta[".tag"] = json!("success");
                        meta
                    }
                    Err(e) => json!({".tag": "failure", "failure": e}),
                })
                .collect();
            reply(200, json!({ "entries": results }))
        }
        "files/get_metadata" => match s.files.get(&path_key(&arg["path"])) {
            Some(f) => {
                let mut meta = metadata(arg["path"].as_str().unwrap(), f);
                meta[".tag"] = json!("file");
                reply(200, meta)
            }
            None => route_error(json!({".tag": "path", "path": {".tag": "not_found"}})),
        },
        "files/download" => download(&mut s, &arg, range.as_deref()),
        other => text(400, &format!("unknown route {other}")),
    }
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn path_key(path: &Value) -> String {
    path.as_str().unwrap().to_lowercase()
}

fn new_session(s: &mut State, concurrent: bool) -> String {
    s.next_id += 1;
    let id = format!("pid_upload_session:{}", s.next_id);
    s.sessions.insert(
        id.clone(),
        Session {
            concurrent,
            data: vec![],
            pieces: BTreeMap::new(),
            closed: false,
        },
    );
    id
}

fn metadata(path: &str, f: &StoredFile) -> Value {
    let name = path.rsplit('/').next().unwrap();
    json!({
        "name": name,
        "id": format!("id:{}", f.rev),
        "client_modified": "2024-05-01T10:00:00Z",
        "server_modified": "2024-05-01T10:00:00Z",
        "rev": f.rev,
        "size": f.content.len(),
        "path_lower": path.to_lowercase(),
        "path_display": path,
        "is_downloadable": true,
        "content_hash": f.hash,
    })
}

/// Store a file; `Err` is the WriteError of a conflict (mode add, another
/// content at the path).
fn commit(s: &mut State, path: &str, mut content: Bytes, add: bool) -> Result<Value, Value> {
    let key = path.to_lowercase();
    if add && s.files.get(&key).is_some_and(|f| f.content != content) {
        return Err(json!({".tag": "conflict", "conflict": {".tag": "file"}}));
    }
    if take_fault(s, |f| matches!(f, Fault::CorruptCommit)).is_some() {
        let mut v = content.to_vec();
        v[content.len() / 2] ^= 0xff;
        content = Bytes::from(v);
    }
    s.next_id += 1;
    let stored = StoredFile {
        rev: format!("{:012x}", 0xa00000000u64 + s.next_id),
        hash: dropbox_hash(&content),
        content,
    };
    let meta = metadata(path, &stored);
    s.files.insert(key, stored);
    Ok(meta)
}

fn is_add(commit: &Value) -> bool {
    commit["mode"].is_null() || commit["mode"] == "add" || commit["mode"][".tag"] == "add"
}

fn upload(s: &mut State, arg: &Value, body: Bytes) -> Response<Body> {
    if take_fault(s, |f| matches!(f, Fault::FailUpload)).is_some() {
        return text(503, "try again");
    }
    if let Some(h) = arg["content_hash"].as_str() {
        if h != dropbox_hash(&body) {
            return route_error(json!({".tag": "content_hash_mismatch"}));
        }
    }
    match commit(s, arg["path"].as_str().unwrap(), body, is_add(arg)) {
        Ok(meta) => reply(200, meta),
        Err(e) => route_error(json!({".tag": "path", "reason": e, "upload_session_id": ""})),
    }
}

fn start(s: &mut State, arg: &Value, body: Bytes) -> Response<Body> {
    let concurrent = arg["session_type"][".tag"] == "concurrent";
    if concurrent && !body.is_empty() {
        return route_error(json!({".tag": "concurrent_session_data_not_allowed"}));
    }
    let id = new_session(s, concurrent);
    let session = s.sessions.get_mut(&id).unwrap();
    session.data.extend_from_slice(&body);
    session.closed = arg["close"] == true;
    reply(200, json!({ "session_id": id }))
}

fn append(s: &mut State, arg: &Value, body: Bytes) -> Response<Body> {
    let id = arg["cursor"]["session_id"].as_str().unwrap().to_string();
    let offset = arg["cursor"]["offset"].as_u64().unwrap();
    let close = arg["close"] == true;
    s.appends.push(Append {
        session: id.clone(),
        offset,
        len: body.len(),
        close,
    });
    if body.len() > 150 * 1024 * 1024 {
        return route_error(json!({".tag": "payload_too_large"}));
    }
    if let Some(h) = arg["content_hash"].as_str() {
        if h != dropbox_hash(&body) {
            return route_error(json!({".tag": "content_hash_mismatch"}));
        }
    }
    let fault = take_fault(s, |f| match f {
        Fault::LoseAnswer { offset: o }
        | Fault::KeepOnly { offset: o, .. }
        | Fault::Forget { offset: o, .. } => *o == offset,
        _ => false,
    });
    let Some(session) = s.sessions.get_mut(&id) else {
        return route_error(json!({".tag": "not_found"}));
    };
    if session.closed {
        return route_error(json!({".tag": "closed"}));
    }
    if session.concurrent {
        if !offset.is_multiple_of(BLOCK as u64) {
            return route_error(json!({".tag": "concurrent_session_invalid_offset"}));
        }
        if !close && !body.len().is_multiple_of(BLOCK) {
            return route_error(json!({".tag": "concurrent_session_invalid_data_size"}));
        }
        session.pieces.insert(offset, body);
        session.closed = close;
        return reply(200, Value::Null);
    }
    if let Some(Fault::Forget { to, .. }) = fault {
        session.data.truncate(to as usize);
    }
    let have = session.data.len() as u64;
    if offset != have {
        return route_error(json!({".tag": "incorrect_offset", "correct_offset": have}));
    }
    match fault {
        Some(Fault::KeepOnly { keep, .. }) => {
            session.data.extend_from_slice(&body[..keep]);
            text(500, "connection lost")
        }
        Some(Fault::LoseAnswer { .. }) => {
            session.data.extend_from_slice(&body);
            session.closed = close;
            text(500, "answer lost")
        }
        _ => {
            session.data.extend_from_slice(&body);
            session.closed = close;
            reply(200, Value::Null)
        }
    }
}

/// Commit a session; `Err` is the UploadSessionFinishError.
fn finish(s: &mut State, arg: &Value, body: Bytes) -> Result<Value, Value> {
    let id = arg["cursor"]["session_id"].as_str().unwrap();
    let offset = arg["cursor"]["offset"].as_u64().unwrap();
    let lookup = |e: Value| json!({".tag": "lookup_failed", "lookup_failed": e});
    let Some(session) = s.sessions.get_mut(id) else {
        return Err(lookup(json!({".tag": "not_found"})));
    };
    let content = if session.concurrent {
        if !body.is_empty() {
            return Err(json!({".tag": "concurrent_session_data_not_allowed"}));
        }
        if !session.closed {
            return Err(json!({".tag": "concurrent_session_not_closed"}));
        }
        let mut content = Vec::new();
        for (at, piece) in &session.pieces {
            if *at != content.len() as u64 {
                return Err(json!({".tag": "concurrent_session_missing_data"}));
            }
            content.extend_from_slice(piece);
        }
        content
    } else {
        if offset != session.data.len() as u64 {
            let have = session.data.len();
            return Err(lookup(
                json!({".tag": "incorrect_offset", "correct_offset": have}),
            ));
        }
        session.data.extend_from_slice(&body);
        std::mem::take(&mut session.data)
    };
    if content.len() as u64 != offset + body.len() as u64 {
        return Err(lookup(
            json!({".tag": "incorrect_offset", "correct_offset": content.len()}),
        ));
    }
    s.sessions.remove(id);
    let c = &arg["commit"];
    commit(
        s,
        c["path"].as_str().unwrap(),
        Bytes::from(content),
        is_add(c),
    )
    .map_err(|e| json!({".tag": "path", "path": e}))
}

fn download(s: &mut State, arg: &Value, range: Option<&str>) -> Response<Body> {
    let path = arg["path"].as_str().unwrap();
    let Some(f) = s.files.get(&path.to_lowercase()) else {
        return route_error(json!({".tag": "path", "path": {".tag": "not_found"}}));
    };
    let meta = metadata(path, f).to_string();
    let len = f.content.len() as u64;
    let (status, start, end) = match range.and_then(|r| r.strip_prefix("bytes=")) {
        None => (200, 0, len),
        Some(r) => {
            let (a, b) = r.split_once('-').unwrap();
            let a: u64 = a.parse().unwrap();
            let end = if b.is_empty() {
                len
            } else {
                (b.parse::<u64>().unwrap() + 1).min(len)
            };
            (206, a, end)
        }
    };
    let mut content = f.content.slice(start as usize..end as usize);
    if take_fault(s, |f| matches!(f, Fault::CorruptDownload)).is_some() && !content.is_empty() {
        let mut v = content.to_vec();
        v[0] ^= 0xff;
        content = Bytes::from(v);
    }
    let body = match take_fault(s, |f| matches!(f, Fault::BreakDownload { .. })) {
        Some(Fault::BreakDownload { after }) => {
            let first = content.slice(..after);
            let pieces: Vec<Result<Bytes, std::io::Error>> =
                vec![Ok(first), Err(std::io::Error::other("connection reset"))];
            Body::from_stream(futures_util::stream::iter(pieces))
        }
        _ => Body::from(content),
    };
    Response::builder()
        .status(status)
        .header("dropbox-api-result", meta)
        .body(body)
        .unwrap()
}
