//! files/download, get_metadata, list_revisions, search_v2 and
//! search/continue_v2.

use super::{arg, json, route_error, Answer, Call, Failure};
use crate::faults::lock;
use crate::tree::{file_metadata, in_folder, name_of, Node};
use crate::Shared;
use base64::Engine as _;
use dropbox::files::{
    DownloadArg, DownloadError, GetMetadataArg, GetMetadataError, ListRevisionsArg,
    ListRevisionsError, ListRevisionsMode, ListRevisionsResult, LookupError, Metadata, MetadataV2,
    SearchError, SearchMatchTypeV2, SearchMatchV2, SearchV2Arg, SearchV2ContinueArg,
    SearchV2Result,
};

// Deprecated fields are still sent by older clients: the fake honours them.
#[allow(deprecated)]
pub(super) fn download(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: DownloadArg = arg(call)?;
    let state = lock(&shared.state);
    let err = |e| route_error(DownloadError::Path(e));
    // `rev:` paths and the `rev` field name one revision of any file.
    let rev = a
        .path
        .strip_prefix("rev:")
        .map(str::to_string)
        .or(a.rev.clone());
    if a.path.starts_with("rev:") {
        let id_rev = rev.unwrap_or_default();
        let v = state
            .tree
            .version_anywhere(&id_rev)
            .ok_or_else(|| err(LookupError::NotFound))?;
        return Ok(Answer::Download {
            result: dropbox::wire::to_string(&file_metadata("", v)),
            content: v.content.clone(),
        });
    }
    let key = state.tree.resolve(&a.path).map_err(err)?;
    let (id, current) = match state.tree.get(&key) {
        Some(Node::File { id, version }) => (id.clone(), Some(version)),
        Some(Node::Folder { .. }) => return Err(err(LookupError::NotFile)),
        None if rev.is_some() => (String::new(), None),
        None => return Err(err(LookupError::NotFound)),
    };
    let version = match &rev {
        Some(r) => state
            .tree
            .version(&key, r)
            .ok_or_else(|| err(LookupError::NotFound))?,
        None => current.ok_or_else(|| err(LookupError::NotFound))?,
    };
    Ok(Answer::Download {
        result: dropbox::wire::to_string(&file_metadata(&id, version)),
        content: version.content.clone(),
    })
}

pub(super) fn get_metadata(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: GetMetadataArg = arg(call)?;
    if a.path.is_empty() {
        return Err(Failure::BadInput(
            "Error in call to API function \"files/get_metadata\": request body: path: The root folder is unsupported."
                .into(),
        ));
    }
    let state = lock(&shared.state);
    let err = |e| route_error(GetMetadataError::Path(e));
    let key = state.tree.resolve(&a.path).map_err(err)?;
    match state.tree.get(&key) {
        Some(node) => json(&state.tree.metadata(node)),
        None => match state.tree.deleted_entry(&key) {
            Some(d) if a.include_deleted => json(&Metadata::Deleted(d)),
            _ => Err(err(LookupError::NotFound)),
        },
    }
}

pub(super) fn list_revisions(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: ListRevisionsArg = arg(call)?;
    let state = lock(&shared.state);
    let err = |e| route_error(ListRevisionsError::Path(e));
    if matches!(a.mode, ListRevisionsMode::Id) && !a.path.starts_with("id:") {
        return Err(err(LookupError::MalformedPath(Some(
            "mode id takes an id".into(),
        ))));
    }
    let key = state.tree.resolve(&a.path).map_err(err)?;
    if state.tree.get(&key).is_some_and(Node::is_folder) {
        return Err(err(LookupError::NotFile));
    }
    let (mut entries, deleted) = state
        .tree
        .revisions(&key)
        .ok_or_else(|| err(LookupError::NotFound))?;
    if let Some(before) = &a.before_rev {
        let i = entries
            .iter()
            .position(|e| e.rev == *before)
            .ok_or_else(|| route_error(ListRevisionsError::InvalidBeforeRev))?;
        entries.drain(..=i);
    }
    let limit = usize::try_from(a.limit).unwrap_or(100);
    let has_more = entries.len() > limit;
    entries.truncate(limit);
    let mut result = ListRevisionsResult::new(deleted.is_some(), entries, has_more);
    result.server_deleted = deleted;
    json(&result)
}

/// What a search looks for, and where its next page starts.
struct Search {
    query: String,
    path: String,
    filename_only: bool,
    extensions: Vec<String>,
    max_results: usize,
    offset: usize,
}

impl Search {
    fn cursor(&self, offset: usize) -> String {
        let v = serde_json::json!([
            self.query,
            self.path,
            self.filename_only,
            self.extensions,
            self.max_results,
            offset
        ]);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    }

    fn from_cursor(cursor: &str) -> Option<Search> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()?;
        let v: serde_json::Value = serde_json::from_slice(&raw).ok()?;
        Some(Search {
            query: v.get(0)?.as_str()?.to_string(),
            path: v.get(1)?.as_str()?.to_string(),
            filename_only: v.get(2)?.as_bool()?,
            extensions: v
                .get(3)?
                .as_array()?
                .iter()
                .filter_map(|e| Some(e.as_str()?.to_string()))
                .collect(),
            max_results: usize::try_from(v.get(4)?.as_u64()?).ok()?,
            offset: usize::try_from(v.get(5)?.as_u64()?).ok()?,
        })
    }
}

/// Files no larger than this are searched by content too.
const CONTENT_SEARCH_LIMIT: u64 = 1 << 20;

fn run_search(shared: &Shared, s: &Search) -> Result<SearchV2Result, SearchError> {
    let state = lock(&shared.state);
    let folder = state.tree.resolve(&s.path).map_err(SearchError::Path)?;
    state
        .tree
        .lookup_folder(&folder)
        .map_err(SearchError::Path)?;
    let terms: Vec<String> = s
        .query
        .to_lowercase()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if terms.is_empty() {
        return Err(SearchError::InvalidArgument(Some(
            "the query is empty".into(),
        )));
    }
    let mut found = vec![];
    for (key, node) in state.tree.all() {
        if !in_folder(key, &folder, true) || *key == folder {
            continue;
        }
        let name = name_of(key);
        if !s.extensions.is_empty()
            && (node.is_folder()
                || !s
                    .extensions
                    .iter()
                    .any(|e| name.ends_with(&format!(".{}", e.to_lowercase()))))
        {
            continue;
        }
        let by_name = terms.iter().all(|t| name.contains(t.as_str()));
        let by_content = match node {
            Node::File { version, .. }
                if !s.filename_only && version.content.len() <= CONTENT_SEARCH_LIMIT =>
            {
                let text = String::from_utf8_lossy(&version.content.to_vec()).to_lowercase();
                terms.iter().all(|t| text.contains(t.as_str()))
            }
            _ => false,
        };
        let match_type = match (by_name, by_content) {
            (true, true) => SearchMatchTypeV2::FilenameAndContent,
            (true, false) => SearchMatchTypeV2::Filename,
            (false, true) => SearchMatchTypeV2::FileContent,
            (false, false) => continue,
        };
        let mut m = SearchMatchV2::new(MetadataV2::Metadata(state.tree.metadata(node)));
        m.match_type = Some(match_type);
        found.push(m);
    }
    let end = (s.offset + s.max_results).min(found.len());
    let has_more = end < found.len();
    let matches = found.drain(s.offset.min(end)..end).collect();
    let mut result = SearchV2Result::new(matches, has_more);
    result.cursor = has_more.then(|| s.cursor(end));
    Ok(result)
}

pub(super) fn search_v2(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: SearchV2Arg = arg(call)?;
    let opts = a.options.unwrap_or_else(dropbox::files::SearchOptions::new);
    let status_deleted = matches!(opts.file_status, dropbox::files::FileStatus::Deleted);
    let search = Search {
        query: a.query,
        path: opts.path.unwrap_or_default(),
        filename_only: opts.filename_only,
        extensions: opts.file_extensions.unwrap_or_default(),
        max_results: usize::try_from(opts.max_results).unwrap_or(100).max(1),
        offset: 0,
    };
    if status_deleted {
        // Deleted files are not indexed by the fake.
        return json(&SearchV2Result::new(vec![], false));
    }
    json(&run_search(shared, &search).map_err(route_error)?)
}

pub(super) fn search_continue_v2(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: SearchV2ContinueArg = arg(call)?;
    let search = Search::from_cursor(&a.cursor)
        .ok_or_else(|| route_error(SearchError::InvalidArgument(Some("invalid cursor".into()))))?;
    json(&run_search(shared, &search).map_err(route_error)?)
}
