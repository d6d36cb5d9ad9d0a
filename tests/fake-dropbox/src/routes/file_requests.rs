//! file_requests/create, get, list_v2 and list/continue. A request's
//! destination folder is made if it is missing; its `file_count` is the
//! number of files in it now.

use super::{arg, json, route_error, Answer, Call, Failure};
use crate::faults::lock;
use crate::tree::{self, Node, Timestamp};
use crate::{Shared, State};
use dropbox::file_requests::{
    CreateFileRequestArgs, CreateFileRequestError, FileRequest, FileRequestDeadline,
    GetFileRequestArgs, GetFileRequestError, ListFileRequestsArg, ListFileRequestsContinueArg,
    ListFileRequestsContinueError, ListFileRequestsV2Result,
};

pub(crate) struct FileRequestRecord {
    id: String,
    title: String,
    destination: String,
    created: Timestamp,
    deadline: Option<FileRequestDeadline>,
    open: bool,
    description: Option<String>,
}

fn to_wire(state: &State, r: &FileRequestRecord) -> FileRequest {
    let key = r.destination.to_lowercase();
    let files = state
        .tree
        .list(&key, false)
        .iter()
        .filter(|(_, n)| matches!(n, Node::File { .. }))
        .count();
    let mut out = FileRequest::new(
        r.id.clone(),
        format!("https://www.dropbox.com/request/{}", r.id),
        r.title.clone(),
        r.created,
        r.open,
        i64::try_from(files).unwrap_or(i64::MAX),
    );
    out.destination = Some(r.destination.clone());
    out.deadline = r.deadline.clone();
    out.description = r.description.clone();
    out
}

pub(super) fn create(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: CreateFileRequestArgs = arg(call)?;
    let mut state = lock(&shared.state);
    if a.title.trim().is_empty()
        || tree::check_path(&a.destination).is_err()
        || a.destination.is_empty()
    {
        return Err(route_error(CreateFileRequestError::ValidationError));
    }
    let key = a.destination.to_lowercase();
    match state.tree.get(&key) {
        Some(Node::File { .. }) => return Err(route_error(CreateFileRequestError::NotAFolder)),
        Some(Node::Folder { .. }) => {}
        None => {
            state
                .tree
                .create_folder(&a.destination, false)
                .map_err(|_| route_error(CreateFileRequestError::InvalidLocation))?;
        }
    }
    let destination = state
        .tree
        .get(&key)
        .map_or(a.destination.clone(), |n| n.path_display().to_string());
    let n = state.next();
    let record = FileRequestRecord {
        id: format!("oaCAVmEyrqYnkZX{n:04}"),
        title: a.title,
        destination,
        created: tree::now(),
        deadline: a.deadline,
        open: a.open,
        description: a.description,
    };
    let out = to_wire(&state, &record);
    state.file_requests.push(record);
    json(&out)
}

pub(super) fn get(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: GetFileRequestArgs = arg(call)?;
    let state = lock(&shared.state);
    let found = state.file_requests.iter().find(|r| r.id == a.id);
    match found {
        Some(r) => json(&to_wire(&state, r)),
        None => Err(route_error(GetFileRequestError::NotFound)),
    }
}

/// A page of file requests from `offset`; the cursor is the next offset.
fn page(state: &State, offset: usize, limit: usize) -> ListFileRequestsV2Result {
    let all = &state.file_requests;
    let end = (offset + limit.max(1)).min(all.len());
    let items = all
        .get(offset..end)
        .unwrap_or(&[])
        .iter()
        .map(|r| to_wire(state, r))
        .collect();
    ListFileRequestsV2Result::new(items, format!("frq{end}"), end < all.len())
}

pub(super) fn list_v2(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: ListFileRequestsArg = arg(call)?;
    let state = lock(&shared.state);
    json(&page(
        &state,
        0,
        usize::try_from(a.limit).unwrap_or(usize::MAX),
    ))
}

pub(super) fn list_continue(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: ListFileRequestsContinueArg = arg(call)?;
    let Some(offset) = a
        .cursor
        .strip_prefix("frq")
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return Err(route_error(ListFileRequestsContinueError::InvalidCursor));
    };
    let state = lock(&shared.state);
    json(&page(&state, offset, 1000))
}
