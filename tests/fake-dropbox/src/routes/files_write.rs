//! files/create_folder_v2, delete_v2, move_v2, copy_v2 and restore.

use super::{arg, json, route_error, Answer, Call, Failure};
use crate::faults::lock;
use crate::tree::{check_path, RelocateError, RestoreFailure};
use crate::Shared;
use dropbox::files::{
    CreateFolderArg, CreateFolderError, CreateFolderResult, DeleteArg, DeleteError, DeleteResult,
    LookupError, RelocationArg, RelocationError, RelocationResult, RestoreArg, RestoreError,
    WriteError,
};

fn malformed(path: &str) -> WriteError {
    WriteError::MalformedPath(Some(format!("malformed path: {path:?}")))
}

pub(super) fn create_folder_v2(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: CreateFolderArg = arg(call)?;
    let err = |e| route_error(CreateFolderError::Path(e));
    check_path(&a.path).map_err(|_| err(malformed(&a.path)))?;
    let meta = lock(&shared.state)
        .tree
        .create_folder(&a.path, a.autorename)
        .map_err(err)?;
    json(&CreateFolderResult::new(meta))
}

pub(super) fn delete_v2(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: DeleteArg = arg(call)?;
    let mut state = lock(&shared.state);
    let err = |e| route_error(DeleteError::PathLookup(e));
    let key = state.tree.resolve(&a.path).map_err(err)?;
    if key.is_empty() {
        return Err(route_error(DeleteError::PathWrite(malformed(&a.path))));
    }
    let meta = state
        .tree
        .delete(&key, a.parent_rev.as_deref())
        .map_err(err)?;
    json(&DeleteResult::new(meta))
}

fn relocate(shared: &Shared, call: &Call, copy: bool) -> Result<Answer, Failure> {
    let a: RelocationArg = arg(call)?;
    let mut state = lock(&shared.state);
    let from = state
        .tree
        .resolve(&a.from_path)
        .map_err(|e| route_error(RelocationError::FromLookup(e)))?;
    if from.is_empty() {
        return Err(route_error(RelocationError::FromWrite(malformed(
            &a.from_path,
        ))));
    }
    let from_display = state
        .tree
        .lookup(&from)
        .map_err(|e| route_error(RelocationError::FromLookup(e)))?
        .path_display()
        .to_string();
    let to = if a.to_path.starts_with("id:") {
        return Err(route_error(RelocationError::To(malformed(&a.to_path))));
    } else {
        a.to_path.clone()
    };
    if to.is_empty() || check_path(&to).is_err() {
        return Err(route_error(RelocationError::To(malformed(&a.to_path))));
    }
    let meta = state
        .tree
        .relocate(&from_display, &to, copy, a.autorename)
        .map_err(|e| {
            route_error(match e {
                RelocateError::From(l) => RelocationError::FromLookup(l),
                RelocateError::To(w) => RelocationError::To(w),
                RelocateError::IntoItself => RelocationError::CantMoveFolderIntoItself,
                RelocateError::InsufficientQuota => RelocationError::InsufficientQuota,
            })
        })?;
    json(&RelocationResult::new(meta))
}

pub(super) fn move_v2(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    relocate(shared, call, false)
}

pub(super) fn copy_v2(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    relocate(shared, call, true)
}

pub(super) fn restore(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: RestoreArg = arg(call)?;
    if a.path.is_empty() || check_path(&a.path).is_err() {
        return Err(route_error(RestoreError::PathLookup(
            LookupError::MalformedPath(None),
        )));
    }
    let mut state = lock(&shared.state);
    if state
        .tree
        .get(&a.path.to_lowercase())
        .is_some_and(|n| n.is_folder())
    {
        return Err(route_error(RestoreError::PathLookup(LookupError::NotFile)));
    }
    let meta = state.tree.restore(&a.path, &a.rev).map_err(|e| {
        route_error(match e {
            RestoreFailure::InvalidRevision => RestoreError::InvalidRevision,
            RestoreFailure::Write(w) => RestoreError::PathWrite(w),
        })
    })?;
    json(&meta)
}
