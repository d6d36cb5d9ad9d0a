//! files/list_folder, list_folder/continue, list_folder/get_latest_cursor
//! and list_folder/longpoll.
//!
//! A cursor is either a page of a listing (the change number the listing
//! started at, and how many entries were given) or a point in the change
//! log: after the last page, `continue` returns what changed since the
//! listing began, deletions included.

use super::{arg, json, route_error, Answer, Call, Failure};
use crate::faults::lock;
use crate::tree::{in_folder, Change};
use crate::Shared;
use base64::Engine as _;
use dropbox::files::{
    ListFolderArg, ListFolderContinueArg, ListFolderContinueError, ListFolderError,
    ListFolderGetLatestCursorResult, ListFolderLongpollArg, ListFolderLongpollError,
    ListFolderLongpollResult, ListFolderResult, Metadata,
};
use std::time::Duration;

/// Dropbox's default page: up to 2,000 entries.
const DEFAULT_LIMIT: usize = 2000;

#[derive(Debug, Clone, PartialEq)]
struct Cursor {
    folder: String,
    recursive: bool,
    limit: usize,
    seq: u64,
    /// `Some(n)`: in the listing, `n` entries given; `None`: in the changes.
    offset: Option<usize>,
}

impl Cursor {
    fn encode(&self) -> String {
        let offset = self.offset.map_or("-".to_string(), |o| o.to_string());
        let text = format!(
            "1|{}|{offset}|{}|{}|{}",
            self.seq,
            u8::from(self.recursive),
            self.limit,
            self.folder
        );
        format!(
            "AAF{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
        )
    }

    fn decode(cursor: &str) -> Option<Cursor> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor.strip_prefix("AAF")?)
            .ok()?;
        let text = String::from_utf8(raw).ok()?;
        let mut parts = text.splitn(6, '|');
        if parts.next()? != "1" {
            return None;
        }
        let seq = parts.next()?.parse().ok()?;
        let offset = match parts.next()? {
            "-" => None,
            n => Some(n.parse().ok()?),
        };
        let recursive = parts.next()? == "1";
        let limit = parts.next()?.parse().ok()?;
        let folder = parts.next()?.to_string();
        Some(Cursor {
            folder,
            recursive,
            limit,
            seq,
            offset,
        })
    }
}

fn bad_cursor(call: &Call) -> Failure {
    Failure::BadInput(format!(
        "Error in call to API function \"{}\": Invalid \"cursor\" parameter",
        call.route
    ))
}

/// The next page from `cursor`: entries, the cursor after them, has_more.
fn page(shared: &Shared, cursor: &Cursor) -> Result<ListFolderResult, ListFolderContinueError> {
    let state = lock(&shared.state);
    if !cursor.folder.is_empty()
        && state
            .tree
            .get(&cursor.folder)
            .is_none_or(|n| !n.is_folder())
    {
        return Err(ListFolderContinueError::Path(
            dropbox::files::LookupError::NotFound,
        ));
    }
    if cursor.seq > state.tree.seq() {
        return Err(ListFolderContinueError::Reset);
    }
    match cursor.offset {
        Some(offset) => {
            let all = state.tree.list(&cursor.folder, cursor.recursive);
            let end = (offset + cursor.limit).min(all.len());
            let entries: Vec<Metadata> = all
                .get(offset..end)
                .unwrap_or(&[])
                .iter()
                .map(|(_, n)| state.tree.metadata(n))
                .collect();
            let has_more = end < all.len();
            let next = Cursor {
                offset: has_more.then_some(end),
                ..cursor.clone()
            };
            Ok(ListFolderResult::new(entries, next.encode(), has_more))
        }
        None => {
            let changes: Vec<Change> = state
                .tree
                .changes_after(cursor.seq, &cursor.folder, cursor.recursive)
                .into_iter()
                .filter(|c| c.path_lower != cursor.folder)
                .collect();
            // Up to `limit` changes; a path changed twice is given once, as
            // it is now.
            let taken = &changes[..changes.len().min(cursor.limit)];
            let mut seen = std::collections::HashSet::new();
            let mut entries = vec![];
            for c in taken.iter().rev() {
                if seen.insert(c.path_lower.clone()) {
                    entries.push(state.tree.metadata_of_change(c));
                }
            }
            entries.reverse();
            let seq = taken.last().map_or(cursor.seq, |c| c.seq);
            let has_more = taken.len() < changes.len();
            let next = Cursor {
                seq,
                ..cursor.clone()
            };
            Ok(ListFolderResult::new(entries, next.encode(), has_more))
        }
    }
}

/// The listing's cursor from a list_folder argument, checked.
fn start(
    shared: &Shared,
    a: &ListFolderArg,
    offset: Option<usize>,
) -> Result<Cursor, ListFolderError> {
    let state = lock(&shared.state);
    let folder = state.tree.resolve(&a.path).map_err(ListFolderError::Path)?;
    state
        .tree
        .lookup_folder(&folder)
        .map_err(ListFolderError::Path)?;
    Ok(Cursor {
        folder,
        recursive: a.recursive,
        limit: a
            .limit
            .map_or(DEFAULT_LIMIT, |l| l as usize)
            .clamp(1, DEFAULT_LIMIT),
        seq: state.tree.seq(),
        offset,
    })
}

pub(super) fn list_folder(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: ListFolderArg = arg(call)?;
    let cursor = start(shared, &a, Some(0)).map_err(route_error)?;
    let result = page(shared, &cursor).map_err(|e| match e {
        ListFolderContinueError::Path(p) => route_error(ListFolderError::Path(p)),
        _ => route_error(ListFolderError::Other),
    })?;
    json(&result)
}

pub(super) fn list_folder_continue(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: ListFolderContinueArg = arg(call)?;
    let cursor = Cursor::decode(&a.cursor).ok_or_else(|| bad_cursor(call))?;
    json(&page(shared, &cursor).map_err(route_error)?)
}

pub(super) fn get_latest_cursor(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: ListFolderArg = arg(call)?;
    let cursor = start(shared, &a, None).map_err(route_error)?;
    json(&ListFolderGetLatestCursorResult::new(cursor.encode()))
}

/// Whether something changed under the cursor's folder since it was made.
fn changed(shared: &Shared, c: &Cursor) -> bool {
    let state = lock(&shared.state);
    state
        .tree
        .changes_after(c.seq, &c.folder, c.recursive)
        .iter()
        .any(|ch| ch.path_lower != c.folder && in_folder(&ch.path_lower, &c.folder, c.recursive))
}

/// Blocks until a change under the cursor's folder, or the timeout.
pub(crate) async fn longpoll(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: ListFolderLongpollArg = arg(call)?;
    let Some(cursor) = Cursor::decode(&a.cursor) else {
        return Err(route_error(ListFolderLongpollError::Reset));
    };
    let mut wait = Duration::from_secs(a.timeout);
    if let Some(max) = shared.longpoll_max_wait {
        wait = wait.min(max);
    }
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // Registered before the check, so a change in between still wakes us.
        let notified = shared.changed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if changed(shared, &cursor) {
            return json(&ListFolderLongpollResult::new(true));
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return json(&ListFolderLongpollResult::new(false));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            folder: "/a|b/c".into(),
            recursive: true,
            limit: 3,
            seq: 42,
            offset: Some(6),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c.clone()));
        let d = Cursor { offset: None, ..c };
        assert_eq!(Cursor::decode(&d.encode()), Some(d));
        assert_eq!(Cursor::decode("AAFnot base64!"), None);
        assert_eq!(Cursor::decode("xyz"), None);
    }
}
