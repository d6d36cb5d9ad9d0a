//! The user's files: a tree of folders and files keyed by lowercased path,
//! with ids, revisions, a change log (for cursors and long polls) and the
//! space quota. Pure data: the routes turn its errors into Dropbox's.

use crate::content::Content;
use dropbox::files::{
    DeletedMetadata, FileMetadata, FolderMetadata, LookupError, Metadata, WriteConflictError,
    WriteError, WriteMode,
};
use std::collections::{BTreeMap, HashMap};

pub type Timestamp = time::OffsetDateTime;

/// Now, to the second (Dropbox timestamps have no fractions).
pub fn now() -> Timestamp {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

/// One revision of a file.
#[derive(Clone, Debug)]
pub struct FileVersion {
    pub rev: String,
    pub content: Content,
    pub content_hash: String,
    pub client_modified: Timestamp,
    pub server_modified: Timestamp,
    pub path_display: String,
}

#[derive(Clone, Debug)]
pub enum Node {
    File { id: String, version: FileVersion },
    Folder { id: String, path_display: String },
}

impl Node {
    pub fn id(&self) -> &str {
        match self {
            Node::File { id, .. } | Node::Folder { id, .. } => id,
        }
    }
    pub fn path_display(&self) -> &str {
        match self {
            Node::File { version, .. } => &version.path_display,
            Node::Folder { path_display, .. } => path_display,
        }
    }
    pub fn is_folder(&self) -> bool {
        matches!(self, Node::Folder { .. })
    }
}

/// A change to one path, numbered: cursors remember the last number seen.
#[derive(Clone, Debug)]
pub struct Change {
    pub seq: u64,
    pub path_lower: String,
    pub path_display: String,
}

/// How a file write treats what is already at its path.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    pub mode: WriteMode,
    pub autorename: bool,
    pub client_modified: Option<Timestamp>,
    pub strict_conflict: bool,
}

#[derive(Debug)]
pub struct Tree {
    nodes: BTreeMap<String, Node>,
    ids: HashMap<String, String>,
    /// Every version of every file ever written at a path, oldest first.
    history: HashMap<String, Vec<FileVersion>>,
    /// When a path's file was deleted (list_revisions, include_deleted).
    deleted: HashMap<String, (String, Timestamp)>,
    changes: Vec<Change>,
    counter: u64,
    used: u64,
    pub quota: u64,
}

/// The last component of a path.
pub fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The parent of a lowercased or display path ("" for the root's children).
pub fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// A path in the user's Dropbox, checked: "" (the root) or "/a/b", without
/// a trailing or doubled slash.
pub fn check_path(path: &str) -> Result<(), LookupError> {
    let malformed = || LookupError::MalformedPath(Some(format!("malformed path: {path:?}")));
    if path.is_empty() {
        return Ok(());
    }
    if !path.starts_with('/') || path.ends_with('/') || path.contains("//") {
        return Err(malformed());
    }
    if path.split('/').skip(1).any(|c| c == "." || c == "..") {
        return Err(malformed());
    }
    Ok(())
}

fn lower(path: &str) -> String {
    path.to_lowercase()
}

impl Tree {
    pub fn new(quota: u64) -> Self {
        Tree {
            nodes: BTreeMap::new(),
            ids: HashMap::new(),
            history: HashMap::new(),
            deleted: HashMap::new(),
            changes: vec![],
            counter: 0,
            used: 0,
            quota,
        }
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn new_id(&mut self) -> String {
        format!("id:fake{:016x}", self.next())
    }

    fn new_rev(&mut self) -> String {
        // Revisions are lowercase hex, at least 9 digits.
        format!("015{:010x}", self.next())
    }

    pub fn used(&self) -> u64 {
        self.used
    }

    /// The last change's number: a cursor taken now sees what comes after.
    pub fn seq(&self) -> u64 {
        self.changes.last().map_or(0, |c| c.seq)
    }

    fn record(&mut self, path_display: &str) {
        let seq = self.seq() + 1;
        self.changes.push(Change {
            seq,
            path_lower: lower(path_display),
            path_display: path_display.to_string(),
        });
    }

    /// Changes after `seq` at or under `folder` (lowercased; "" for all).
    pub fn changes_after(&self, seq: u64, folder: &str, recursive: bool) -> Vec<Change> {
        let start = self.changes.partition_point(|c| c.seq <= seq);
        self.changes[start..]
            .iter()
            .filter(|c| in_folder(&c.path_lower, folder, recursive))
            .cloned()
            .collect()
    }

    /// The lowercased path of `path_or_id` ("/a/b", "id:...", or "" for the
    /// root), which must exist unless it is a path.
    pub fn resolve(&self, path_or_id: &str) -> Result<String, LookupError> {
        if let Some(rest) = path_or_id.strip_prefix("id:") {
            let (id, tail) = match rest.split_once('/') {
                Some((id, tail)) => (format!("id:{id}"), format!("/{tail}")),
                None => (path_or_id.to_string(), String::new()),
            };
            let base = self.ids.get(&id).ok_or(LookupError::NotFound)?;
            check_path(&tail)?;
            return Ok(format!("{base}{}", lower(&tail)));
        }
        if path_or_id.starts_with("rev:") || path_or_id.starts_with("ns:") {
            return Err(LookupError::MalformedPath(Some(
                "rev: and ns: paths are not supported by the fake server".into(),
            )));
        }
        check_path(path_or_id)?;
        Ok(lower(path_or_id))
    }

    pub fn get(&self, path_lower: &str) -> Option<&Node> {
        self.nodes.get(path_lower)
    }

    /// The node at `path_lower`, or a lookup error.
    pub fn lookup(&self, path_lower: &str) -> Result<&Node, LookupError> {
        self.nodes.get(path_lower).ok_or(LookupError::NotFound)
    }

    /// A folder to list: the root, or an existing folder.
    pub fn lookup_folder(&self, path_lower: &str) -> Result<(), LookupError> {
        if path_lower.is_empty() {
            return Ok(());
        }
        match self.lookup(path_lower)? {
            Node::Folder { .. } => Ok(()),
            Node::File { .. } => Err(LookupError::NotFolder),
        }
    }

    /// The entries in `folder` (lowercased, "" for the root), sorted by path,
    /// parents before their children.
    pub fn list(&self, folder: &str, recursive: bool) -> Vec<(&String, &Node)> {
        let prefix = format!("{folder}/");
        self.nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| recursive || !k[prefix.len()..].contains('/'))
            .collect()
    }

    /// Every node, for search.
    pub fn all(&self) -> impl Iterator<Item = (&String, &Node)> {
        self.nodes.iter()
    }

    pub fn metadata(&self, node: &Node) -> Metadata {
        match node {
            Node::File { id, version } => Metadata::File(file_metadata(id, version)),
            Node::Folder { id, path_display } => {
                Metadata::Folder(folder_metadata(id, path_display))
            }
        }
    }

    /// The metadata of a path that changed: the node, or its deletion.
    pub fn metadata_of_change(&self, change: &Change) -> Metadata {
        match self.nodes.get(&change.path_lower) {
            Some(node) => self.metadata(node),
            None => Metadata::Deleted(deleted_metadata(&change.path_display)),
        }
    }

    /// The display path for a new entry at `path` (as the user cased it):
    /// an existing parent keeps its own casing.
    fn display_for(&self, path: &str) -> String {
        let parent = parent_of(path);
        match self.nodes.get(&lower(parent)) {
            Some(node) => format!("{}/{}", node.path_display(), name_of(path)),
            None => path.to_string(),
        }
    }

    /// Make every missing ancestor of `path` a folder; a file on the way is
    /// a conflict.
    fn make_parents(&mut self, path: &str) -> Result<(), WriteError> {
        let parent = parent_of(path);
        if parent.is_empty() {
            return Ok(());
        }
        match self.nodes.get(&lower(parent)) {
            Some(Node::Folder { .. }) => Ok(()),
            Some(Node::File { .. }) => Err(WriteError::Conflict(WriteConflictError::FileAncestor)),
            None => {
                self.make_parents(parent)?;
                let display = self.display_for(parent);
                self.insert_folder(&display);
                Ok(())
            }
        }
    }

    fn insert_folder(&mut self, path_display: &str) -> Node {
        let id = self.new_id();
        let node = Node::Folder {
            id: id.clone(),
            path_display: path_display.to_string(),
        };
        let key = lower(path_display);
        self.ids.insert(id, key.clone());
        self.deleted.remove(&key);
        self.nodes.insert(key, node.clone());
        self.record(path_display);
        node
    }

    /// A free name beside `path`: "name (1).ext", "name (2).ext", ...
    fn free_name(&self, path: &str) -> String {
        let (parent, name) = (parent_of(path), name_of(path));
        let (stem, ext) = match name.rfind('.') {
            Some(i) if i > 0 => (&name[..i], &name[i..]),
            _ => (name, ""),
        };
        (1..)
            .map(|n| format!("{parent}/{stem} ({n}){ext}"))
            .find(|p| !self.nodes.contains_key(&lower(p)))
            .unwrap_or_else(|| path.to_string())
    }

    /// Write a file's content at `path` (a checked path, as the user cased
    /// it), as `opts.mode` says.
    pub fn write_file(
        &mut self,
        path: &str,
        content: Content,
        opts: &WriteOptions,
    ) -> Result<FileMetadata, WriteError> {
        if path.is_empty() {
            return Err(WriteError::MalformedPath(Some(
                "cannot write to the root".into(),
            )));
        }
        let hash = content.content_hash();
        let mut path = path.to_string();
        let existing = self.nodes.get(&lower(&path));
        let conflict = match existing {
            // strict_conflict: an update of a file that is not there (any
            // more) conflicts instead of writing it anew.
            None if opts.strict_conflict && matches!(opts.mode, WriteMode::Update(_)) => {
                Some(WriteConflictError::File)
            }
            None => None,
            Some(Node::Folder { .. }) => Some(WriteConflictError::Folder),
            Some(Node::File { version, .. }) => match &opts.mode {
                WriteMode::Overwrite => None,
                // The same content again: nothing to do, as Dropbox does.
                WriteMode::Add if version.content_hash == hash => {
                    return Ok(self.file_at(&lower(&path)));
                }
                WriteMode::Add => Some(WriteConflictError::File),
                WriteMode::Update(rev) if *rev == version.rev => None,
                WriteMode::Update(_) => Some(WriteConflictError::File),
            },
        };
        if let Some(conflict) = conflict {
            if !opts.autorename {
                return Err(WriteError::Conflict(conflict));
            }
            path = self.free_name(&path);
        }
        self.make_parents(&path)?;
        let key = lower(&path);
        let old_size = match self.nodes.get(&key) {
            Some(Node::File { version, .. }) => version.content.len(),
            _ => 0,
        };
        if self.used - old_size + content.len() > self.quota {
            return Err(WriteError::InsufficientSpace);
        }
        let display = match self.nodes.get(&key) {
            Some(node) => node.path_display().to_string(),
            None => self.display_for(&path),
        };
        let when = now();
        let version = FileVersion {
            rev: self.new_rev(),
            content,
            content_hash: hash,
            client_modified: opts.client_modified.unwrap_or(when),
            server_modified: when,
            path_display: display.clone(),
        };
        self.put_file(&key, version);
        self.record(&display);
        Ok(self.file_at(&key))
    }

    /// Store a new current version at `key`, keeping the file's id.
    fn put_file(&mut self, key: &str, version: FileVersion) {
        let (id, old_size) = match self.nodes.get(key) {
            Some(Node::File { id, version }) => (id.clone(), version.content.len()),
            _ => (self.new_id(), 0),
        };
        self.used = self.used - old_size + version.content.len();
        self.ids.insert(id.clone(), key.to_string());
        self.deleted.remove(key);
        self.history
            .entry(key.to_string())
            .or_default()
            .push(version.clone());
        self.nodes
            .insert(key.to_string(), Node::File { id, version });
    }

    fn file_at(&self, key: &str) -> FileMetadata {
        match self.nodes.get(key) {
            Some(Node::File { id, version }) => file_metadata(id, version),
            // Only called right after a file was found or written there.
            _ => FileMetadata::new(
                name_of(key).into(),
                String::new(),
                now(),
                now(),
                String::new(),
                0,
            ),
        }
    }

    pub fn create_folder(
        &mut self,
        path: &str,
        autorename: bool,
    ) -> Result<FolderMetadata, WriteError> {
        if path.is_empty() {
            return Err(WriteError::MalformedPath(Some("the root exists".into())));
        }
        let mut path = path.to_string();
        if let Some(node) = self.nodes.get(&lower(&path)) {
            if !autorename {
                let c = if node.is_folder() {
                    WriteConflictError::Folder
                } else {
                    WriteConflictError::File
                };
                return Err(WriteError::Conflict(c));
            }
            path = self.free_name(&path);
        }
        self.make_parents(&path)?;
        let display = self.display_for(&path);
        match self.insert_folder(&display) {
            Node::Folder { id, path_display } => Ok(folder_metadata(&id, &path_display)),
            Node::File { .. } => Err(WriteError::Other),
        }
    }

    /// Remove `key` and everything under it; the removed entry's metadata.
    pub fn delete(&mut self, key: &str, parent_rev: Option<&str>) -> Result<Metadata, LookupError> {
        let node = self.lookup(key)?.clone();
        if let (Some(rev), Node::File { version, .. }) = (parent_rev, &node) {
            if rev != version.rev {
                return Err(LookupError::NotFound);
            }
        }
        let meta = self.metadata(&node);
        let under: Vec<String> = self
            .list(key, true)
            .into_iter()
            .map(|(k, _)| k.clone())
            .collect();
        let when = now();
        for k in under
            .into_iter()
            .rev()
            .chain(std::iter::once(key.to_string()))
        {
            if let Some(removed) = self.nodes.remove(&k) {
                self.ids.remove(removed.id());
                if let Node::File { version, .. } = &removed {
                    self.used -= version.content.len();
                }
                self.deleted
                    .insert(k, (removed.path_display().to_string(), when));
                self.record(removed.path_display());
            }
        }
        Ok(meta)
    }

    /// Copy or move `from` (and what is under it) to `to`. Errors are
    /// `(true, e)` for the source and `(false, e)` for the destination.
    pub fn relocate(
        &mut self,
        from: &str,
        to: &str,
        copy: bool,
        autorename: bool,
    ) -> Result<Metadata, RelocateError> {
        let from_key = lower(from);
        let node = self.lookup(&from_key).map_err(RelocateError::From)?.clone();
        let mut to = to.to_string();
        let to_key = lower(&to);
        // Into itself; a move onto its own path is a rename of the case.
        let inside = to_key.starts_with(&format!("{from_key}/"));
        if inside || (to_key == from_key && copy) {
            return Err(RelocateError::IntoItself);
        }
        // A move that only changes the case of the name is allowed.
        let case_only = !copy && to_key == from_key;
        if !case_only && self.nodes.contains_key(&to_key) {
            if !autorename {
                let c = if self.nodes[&to_key].is_folder() {
                    WriteConflictError::Folder
                } else {
                    WriteConflictError::File
                };
                return Err(RelocateError::To(WriteError::Conflict(c)));
            }
            to = self.free_name(&to);
        }
        let mut moving: Vec<(String, Node)> = vec![(from_key.clone(), node)];
        moving.extend(
            self.list(&from_key, true)
                .into_iter()
                .map(|(k, n)| (k.clone(), n.clone())),
        );
        let size: u64 = moving
            .iter()
            .map(|(_, n)| match n {
                Node::File { version, .. } => version.content.len(),
                _ => 0,
            })
            .sum();
        if copy && self.used + size > self.quota {
            return Err(RelocateError::InsufficientQuota);
        }
        if !case_only {
            self.make_parents(&to).map_err(RelocateError::To)?;
        }
        let to_display = if case_only {
            format!(
                "{}/{}",
                self.nodes
                    .get(&lower(parent_of(from)))
                    .map_or("", |n| n.path_display()),
                name_of(&to)
            )
        } else {
            self.display_for(&to)
        };
        let from_display_len = moving[0].1.path_display().len();
        if !copy {
            for (k, n) in moving.iter().rev() {
                self.nodes.remove(k);
                if let Node::File { version, .. } = n {
                    self.used -= version.content.len();
                }
                self.record(n.path_display());
            }
        }
        for (_, n) in &moving {
            let display = format!("{to_display}{}", &n.path_display()[from_display_len..]);
            let key = lower(&display);
            match n {
                Node::Folder { id, .. } => {
                    let id = if copy { self.new_id() } else { id.clone() };
                    self.ids.insert(id.clone(), key.clone());
                    self.nodes.insert(
                        key,
                        Node::Folder {
                            id,
                            path_display: display.clone(),
                        },
                    );
                }
                Node::File { id, version } => {
                    let id = if copy { self.new_id() } else { id.clone() };
                    let mut v = version.clone();
                    v.path_display = display.clone();
                    v.rev = self.new_rev();
                    v.server_modified = now();
                    self.used += v.content.len();
                    self.ids.insert(id.clone(), key.clone());
                    self.deleted.remove(&key);
                    self.history.entry(key.clone()).or_default().push(v.clone());
                    self.nodes.insert(key, Node::File { id, version: v });
                }
            }
            self.record(&display);
        }
        let node = self
            .lookup(&lower(&to_display))
            .map_err(RelocateError::From)?;
        Ok(self.metadata(node))
    }

    /// The revisions of the file at `key`, newest first, and when it was
    /// deleted if it is not there.
    pub fn revisions(&self, key: &str) -> Option<(Vec<FileMetadata>, Option<Timestamp>)> {
        let versions = self.history.get(key)?;
        let id = match self.nodes.get(key) {
            Some(Node::File { id, .. }) => id.clone(),
            Some(Node::Folder { .. }) => return None,
            None => String::new(),
        };
        let deleted = self.deleted.get(key).map(|(_, t)| *t);
        let list = versions
            .iter()
            .rev()
            .map(|v| file_metadata(&id, v))
            .collect();
        Some((list, deleted))
    }

    /// An old version of the file at `key`, by rev.
    pub fn version(&self, key: &str, rev: &str) -> Option<&FileVersion> {
        self.history.get(key)?.iter().find(|v| v.rev == rev)
    }

    /// Any version with `rev`, wherever it was (download by rev).
    pub fn version_anywhere(&self, rev: &str) -> Option<&FileVersion> {
        self.history.values().flatten().find(|v| v.rev == rev)
    }

    /// Make version `rev` of `key` its current content again, as a new rev.
    pub fn restore(&mut self, path: &str, rev: &str) -> Result<FileMetadata, RestoreFailure> {
        let key = lower(path);
        let old = self
            .version(&key, rev)
            .cloned()
            .ok_or(RestoreFailure::InvalidRevision)?;
        let opts = WriteOptions {
            mode: WriteMode::Overwrite,
            autorename: false,
            client_modified: Some(old.client_modified),
            strict_conflict: false,
        };
        let display = match self.nodes.get(&key) {
            Some(n) => n.path_display().to_string(),
            None => old.path_display.clone(),
        };
        self.write_file(&display, old.content, &opts)
            .map_err(RestoreFailure::Write)
    }

    /// Whether a path was a file that is now deleted.
    pub fn deleted_entry(&self, key: &str) -> Option<DeletedMetadata> {
        self.deleted
            .get(key)
            .map(|(display, _)| deleted_metadata(display))
    }
}

#[derive(Debug)]
pub enum RelocateError {
    From(LookupError),
    To(WriteError),
    IntoItself,
    InsufficientQuota,
}

#[derive(Debug)]
pub enum RestoreFailure {
    InvalidRevision,
    Write(WriteError),
}

/// Whether `path` (lowercased) is in `folder` ("" for the root).
pub fn in_folder(path: &str, folder: &str, recursive: bool) -> bool {
    if folder.is_empty() {
        return recursive || path.matches('/').count() == 1;
    }
    match path.strip_prefix(folder) {
        Some("") => recursive,
        Some(rest) => rest.starts_with('/') && (recursive || !rest[1..].contains('/')),
        None => false,
    }
}

pub fn file_metadata(id: &str, v: &FileVersion) -> FileMetadata {
    let mut m = FileMetadata::new(
        name_of(&v.path_display).to_string(),
        id.to_string(),
        v.client_modified,
        v.server_modified,
        v.rev.clone(),
        v.content.len(),
    );
    m.path_lower = Some(lower(&v.path_display));
    m.path_display = Some(v.path_display.clone());
    m.content_hash = Some(v.content_hash.clone());
    m
}

pub fn folder_metadata(id: &str, path_display: &str) -> FolderMetadata {
    let mut m = FolderMetadata::new(name_of(path_display).to_string(), id.to_string());
    m.path_lower = Some(lower(path_display));
    m.path_display = Some(path_display.to_string());
    m
}

pub fn deleted_metadata(path_display: &str) -> DeletedMetadata {
    let mut m = DeletedMetadata::new(name_of(path_display).to_string());
    m.path_lower = Some(lower(path_display));
    m.path_display = Some(path_display.to_string());
    m
}
