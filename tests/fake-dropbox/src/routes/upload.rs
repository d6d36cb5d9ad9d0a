//! files/upload and upload sessions: start, append_v2, finish,
//! start_batch, finish_batch_v2; sequential and concurrent sessions.
//! Content is kept as the chunks it came in: nothing is copied whole.

use super::{arg, json, route_error, Answer, Call, Failure};
use crate::content::{hash_of_digests, Content, HASH_BLOCK};
use crate::faults::lock;
use crate::tree::{self, WriteOptions};
use crate::{Shared, State};
use dropbox::files::{
    CommitInfo, FileMetadata, UploadArg, UploadError, UploadSessionAppendArg,
    UploadSessionAppendError, UploadSessionFinishArg, UploadSessionFinishBatchArg,
    UploadSessionFinishBatchResult, UploadSessionFinishBatchResultEntry, UploadSessionFinishError,
    UploadSessionLookupError, UploadSessionOffsetError, UploadSessionStartArg,
    UploadSessionStartBatchArg, UploadSessionStartBatchResult, UploadSessionStartError,
    UploadSessionStartResult, UploadSessionType, UploadWriteFailed, WriteError,
};
use std::collections::{BTreeMap, HashMap};

/// Dropbox's largest upload session: 2^41 - 2^22 bytes... in a fake kept in
/// memory, far more than can ever arrive.
const MAX_SESSION: u64 = (1 << 41) - (1 << 22);

#[derive(Default)]
pub(crate) struct Sessions {
    map: HashMap<String, Session>,
    counter: u64,
}

impl Sessions {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    fn open(&mut self, concurrent: bool) -> String {
        self.counter += 1;
        let id = format!("AAAAAAAAAAFAKE{:010}", self.counter);
        self.map.insert(
            id.clone(),
            Session {
                concurrent,
                closed: false,
                content: Content::default(),
                pieces: BTreeMap::new(),
            },
        );
        id
    }
}

struct Session {
    concurrent: bool,
    closed: bool,
    /// A sequential session's content so far.
    content: Content,
    /// A concurrent session's pieces, by offset.
    pieces: BTreeMap<u64, Content>,
}

impl Session {
    fn size(&self) -> u64 {
        if self.concurrent {
            self.pieces
                .iter()
                .map(|(o, c)| o + c.len())
                .max()
                .unwrap_or(0)
        } else {
            self.content.len()
        }
    }
}

/// Whether content matches the `content_hash` sent with it (if any). Its
/// block digests stay with it: they make the file's hash once it is
/// committed, each byte hashed once.
fn hash_matches(expected: &Option<String>, data: &mut Content) -> bool {
    let digests = data.hash_blocks();
    expected
        .as_ref()
        .is_none_or(|h| *h == hash_of_digests(digests))
}

fn write_options(c: &CommitInfo) -> WriteOptions {
    WriteOptions {
        mode: c.mode.clone(),
        autorename: c.autorename,
        client_modified: c.client_modified,
        strict_conflict: c.strict_conflict,
    }
}

/// The path a write goes to: a path as given, or the path of an id.
fn write_path(state: &State, path_or_id: &str) -> Result<String, WriteError> {
    if path_or_id.starts_with("id:") {
        let key = state
            .tree
            .resolve(path_or_id)
            .map_err(|_| WriteError::MalformedPath(None))?;
        return Ok(state
            .tree
            .get(&key)
            .map_or(key.clone(), |n| n.path_display().to_string()));
    }
    tree::check_path(path_or_id)
        .map_err(|_| WriteError::MalformedPath(Some(format!("malformed path: {path_or_id:?}"))))?;
    Ok(path_or_id.to_string())
}

pub(crate) fn upload(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: UploadArg = arg(call)?;
    let mut body = call.body.clone();
    if !hash_matches(&a.content_hash, &mut body) {
        return Err(route_error(UploadError::ContentHashMismatch));
    }
    let mut state = lock(&shared.state);
    let failed = |reason| {
        route_error(UploadError::Path(UploadWriteFailed::new(
            reason,
            String::new(),
        )))
    };
    let path = write_path(&state, &a.path).map_err(failed)?;
    let opts = WriteOptions {
        mode: a.mode.clone(),
        autorename: a.autorename,
        client_modified: a.client_modified,
        strict_conflict: a.strict_conflict,
    };
    let meta = state.tree.write_file(&path, body, &opts).map_err(failed)?;
    json(&meta)
}

pub(crate) fn session_start(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: UploadSessionStartArg = arg(call)?;
    let concurrent = matches!(a.session_type, Some(UploadSessionType::Concurrent));
    if concurrent && !call.body.is_empty() {
        return Err(route_error(
            UploadSessionStartError::ConcurrentSessionDataNotAllowed,
        ));
    }
    if concurrent && a.close {
        return Err(route_error(
            UploadSessionStartError::ConcurrentSessionCloseNotAllowed,
        ));
    }
    let mut body = call.body.clone();
    if !hash_matches(&a.content_hash, &mut body) {
        return Err(route_error(UploadSessionStartError::ContentHashMismatch));
    }
    let mut state = lock(&shared.state);
    let id = state.sessions.open(concurrent);
    if let Some(s) = state.sessions.map.get_mut(&id) {
        s.content.append(body);
        s.closed = a.close;
    }
    json(&UploadSessionStartResult::new(id))
}

pub(crate) fn session_start_batch(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: UploadSessionStartBatchArg = arg(call)?;
    let concurrent = matches!(a.session_type, Some(UploadSessionType::Concurrent));
    let mut state = lock(&shared.state);
    let ids = (0..a.num_sessions)
        .map(|_| state.sessions.open(concurrent))
        .collect();
    json(&UploadSessionStartBatchResult::new(ids))
}

/// Add `data` at `offset` to session `id` (and close it if asked): the
/// checks of append_v2 and of a finish that carries data.
fn append(
    state: &mut State,
    id: &str,
    offset: u64,
    data: Content,
    close: bool,
) -> Result<(), UploadSessionLookupError> {
    let s = state
        .sessions
        .map
        .get_mut(id)
        .ok_or(UploadSessionLookupError::NotFound)?;
    if s.concurrent {
        if !offset.is_multiple_of(HASH_BLOCK as u64) {
            return Err(UploadSessionLookupError::ConcurrentSessionInvalidOffset);
        }
        if !close && !data.len().is_multiple_of(HASH_BLOCK as u64) {
            return Err(UploadSessionLookupError::ConcurrentSessionInvalidDataSize);
        }
        // Pieces sent in parallel may arrive after the closing one, but
        // only below its end.
        if s.closed && (close || offset + data.len() > s.size()) {
            return Err(UploadSessionLookupError::Closed);
        }
        if offset + data.len() > MAX_SESSION {
            return Err(UploadSessionLookupError::TooLarge);
        }
        if !data.is_empty() {
            s.pieces.insert(offset, data);
        }
    } else {
        if s.closed {
            return Err(UploadSessionLookupError::Closed);
        }
        if offset != s.content.len() {
            return Err(UploadSessionLookupError::IncorrectOffset(
                UploadSessionOffsetError::new(s.content.len()),
            ));
        }
        if offset + data.len() > MAX_SESSION {
            return Err(UploadSessionLookupError::TooLarge);
        }
        s.content.append(data);
    }
    s.closed |= close;
    Ok(())
}

fn append_error(e: UploadSessionLookupError) -> UploadSessionAppendError {
    match e {
        UploadSessionLookupError::NotFound => UploadSessionAppendError::NotFound,
        UploadSessionLookupError::IncorrectOffset(o) => {
            UploadSessionAppendError::IncorrectOffset(o)
        }
        UploadSessionLookupError::Closed => UploadSessionAppendError::Closed,
        UploadSessionLookupError::TooLarge => UploadSessionAppendError::TooLarge,
        UploadSessionLookupError::ConcurrentSessionInvalidOffset => {
            UploadSessionAppendError::ConcurrentSessionInvalidOffset
        }
        UploadSessionLookupError::ConcurrentSessionInvalidDataSize => {
            UploadSessionAppendError::ConcurrentSessionInvalidDataSize
        }
        UploadSessionLookupError::PayloadTooLarge => UploadSessionAppendError::PayloadTooLarge,
        _ => UploadSessionAppendError::Other,
    }
}

pub(crate) fn session_append_v2(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: UploadSessionAppendArg = arg(call)?;
    let mut body = call.body.clone();
    if !hash_matches(&a.content_hash, &mut body) {
        return Err(route_error(UploadSessionAppendError::ContentHashMismatch));
    }
    let mut state = lock(&shared.state);
    append(
        &mut state,
        &a.cursor.session_id,
        a.cursor.offset,
        body,
        a.close,
    )
    .map_err(|e| route_error(append_error(e)))?;
    Ok(Answer::Json("null".into()))
}

/// Finish one session (with its last data, if any): the file's metadata.
fn finish(
    state: &mut State,
    a: &UploadSessionFinishArg,
    mut data: Content,
) -> Result<FileMetadata, UploadSessionFinishError> {
    use UploadSessionFinishError as E;
    let id = &a.cursor.session_id;
    // The hash covers the content sent with this call, not the file.
    if !hash_matches(&a.content_hash, &mut data) {
        return Err(E::ContentHashMismatch);
    }
    let session = state
        .sessions
        .map
        .get(id)
        .ok_or(E::LookupFailed(UploadSessionLookupError::NotFound))?;
    if session.concurrent && !data.is_empty() {
        return Err(E::ConcurrentSessionDataNotAllowed);
    }
    if !session.concurrent {
        if session.closed && data.is_empty() {
            if a.cursor.offset != session.content.len() {
                let correct = UploadSessionOffsetError::new(session.content.len());
                return Err(E::LookupFailed(UploadSessionLookupError::IncorrectOffset(
                    correct,
                )));
            }
        } else {
            append(state, id, a.cursor.offset, data, true).map_err(E::LookupFailed)?;
        }
    }
    let session = state
        .sessions
        .map
        .get(id)
        .ok_or(E::LookupFailed(UploadSessionLookupError::NotFound))?;
    let content = if session.concurrent {
        if !session.closed {
            return Err(E::ConcurrentSessionNotClosed);
        }
        let mut content = Content::default();
        for (offset, piece) in &session.pieces {
            if *offset != content.len() {
                return Err(E::ConcurrentSessionMissingData);
            }
            content.append(piece.clone());
        }
        if a.cursor.offset != content.len() {
            return Err(E::LookupFailed(UploadSessionLookupError::IncorrectOffset(
                UploadSessionOffsetError::new(content.len()),
            )));
        }
        content
    } else {
        session.content.clone()
    };
    let path = write_path(state, &a.commit.path).map_err(E::Path)?;
    let meta = state
        .tree
        .write_file(&path, content, &write_options(&a.commit))
        .map_err(E::Path)?;
    state.sessions.map.remove(id);
    Ok(meta)
}

pub(crate) fn session_finish(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: UploadSessionFinishArg = arg(call)?;
    let mut state = lock(&shared.state);
    let meta = finish(&mut state, &a, call.body.clone()).map_err(route_error)?;
    json(&meta)
}

pub(crate) fn session_finish_batch_v2(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: UploadSessionFinishBatchArg = arg(call)?;
    let mut state = lock(&shared.state);
    let entries = a
        .entries
        .iter()
        .map(|e| match finish(&mut state, e, Content::default()) {
            Ok(m) => UploadSessionFinishBatchResultEntry::Success(m),
            Err(err) => UploadSessionFinishBatchResultEntry::Failure(err),
        })
        .collect();
    json(&UploadSessionFinishBatchResult::new(entries))
}
