//! sharing/create_shared_link_with_settings, list_shared_links,
//! modify_shared_link_settings, revoke_shared_link. A link follows its
//! file or folder by id (a move keeps it), and dies with it.

use super::{arg, json, route_error, Answer, Call, Failure};
use crate::faults::lock;
use crate::tree::{self, Node, Timestamp};
use crate::{Shared, State};
use dropbox::files::LookupError;
use dropbox::sharing::{
    CreateSharedLinkWithSettingsArg, CreateSharedLinkWithSettingsError, FileLinkMetadata,
    FolderLinkMetadata, LinkAccessLevel, LinkAudience, LinkPermissions, ListSharedLinksArg,
    ListSharedLinksError, ListSharedLinksResult, ModifySharedLinkSettingsArgs,
    ModifySharedLinkSettingsError, RequestedLinkAccessLevel, RequestedVisibility,
    ResolvedVisibility, RevokeSharedLinkArg, RevokeSharedLinkError,
    SharedLinkAlreadyExistsMetadata, SharedLinkMetadata, SharedLinkSettings,
    SharedLinkSettingsError,
};

pub(crate) struct SharedLinkRecord {
    url: String,
    /// The file's or folder's id.
    target: String,
    expires: Option<Timestamp>,
    password: bool,
    editor: bool,
    allow_download: bool,
    audience: LinkAudience,
}

// Deprecated settings are still sent by older clients: the fake honours them.
#[allow(deprecated)]
fn apply(
    record: &mut SharedLinkRecord,
    s: &SharedLinkSettings,
) -> Result<(), SharedLinkSettingsError> {
    if s.expires.is_some_and(|t| t <= tree::now()) {
        return Err(SharedLinkSettingsError::InvalidSettings);
    }
    let wants_password = s.require_password == Some(true)
        || matches!(s.requested_visibility, Some(RequestedVisibility::Password))
        || matches!(s.audience, Some(LinkAudience::Password));
    if wants_password && s.link_password.as_deref().is_none_or(str::is_empty) {
        return Err(SharedLinkSettingsError::InvalidSettings);
    }
    if s.expires.is_some() {
        record.expires = s.expires;
    }
    if wants_password || s.require_password == Some(false) {
        record.password = wants_password;
    }
    if let Some(a) = &s.access {
        record.editor = matches!(
            a,
            RequestedLinkAccessLevel::Editor | RequestedLinkAccessLevel::Max
        );
    }
    if let Some(d) = s.allow_download {
        record.allow_download = d;
    }
    if let Some(a) = &s.audience {
        record.audience = a.clone();
    }
    Ok(())
}

#[allow(deprecated)]
fn permissions(r: &SharedLinkRecord) -> LinkPermissions {
    let mut p = LinkPermissions::new(
        true,
        vec![],
        true,
        true,
        r.allow_download,
        true,
        true,
        false,
        false,
    );
    p.resolved_visibility = Some(if r.password {
        ResolvedVisibility::Password
    } else {
        ResolvedVisibility::Public
    });
    p.requested_visibility = Some(if r.password {
        RequestedVisibility::Password
    } else {
        RequestedVisibility::Public
    });
    p.effective_audience = Some(r.audience.clone());
    p.link_access_level = Some(if r.editor {
        LinkAccessLevel::Editor
    } else {
        LinkAccessLevel::Viewer
    });
    p.require_password = Some(r.password);
    p
}

/// The link's metadata, from its target as it is now; `None` if the target
/// is gone.
fn metadata(state: &State, r: &SharedLinkRecord) -> Option<SharedLinkMetadata> {
    let key = state.tree.resolve(&r.target).ok()?;
    let node = state.tree.get(&key)?;
    let name = tree::name_of(node.path_display()).to_string();
    Some(match node {
        Node::File { id, version } => {
            let mut m = FileLinkMetadata::new(
                r.url.clone(),
                name,
                permissions(r),
                version.client_modified,
                version.server_modified,
                version.rev.clone(),
                version.content.len(),
            );
            m.id = Some(id.clone());
            m.path_lower = Some(key);
            m.expires = r.expires;
            SharedLinkMetadata::File(m)
        }
        Node::Folder { id, .. } => {
            let mut m = FolderLinkMetadata::new(r.url.clone(), name, permissions(r));
            m.id = Some(id.clone());
            m.path_lower = Some(key);
            m.expires = r.expires;
            SharedLinkMetadata::Folder(m)
        }
    })
}

pub(super) fn create_shared_link_with_settings(
    shared: &Shared,
    call: &Call,
) -> Result<Answer, Failure> {
    let a: CreateSharedLinkWithSettingsArg = arg(call)?;
    let mut state = lock(&shared.state);
    let err = |e: LookupError| route_error(CreateSharedLinkWithSettingsError::Path(e));
    let key = state.tree.resolve(&a.path).map_err(err)?;
    let node = state.tree.lookup(&key).map_err(err)?;
    let (id, folder, name) = (
        node.id().to_string(),
        node.is_folder(),
        tree::name_of(node.path_display()).to_string(),
    );
    if let Some(existing) = state.links.iter().find(|l| l.target == id) {
        let meta = metadata(&state, existing).map(SharedLinkAlreadyExistsMetadata::Metadata);
        return Err(route_error(
            CreateSharedLinkWithSettingsError::SharedLinkAlreadyExists(meta),
        ));
    }
    let n = state.next();
    let kind = if folder { "fo" } else { "fi" };
    let mut record = SharedLinkRecord {
        url: format!(
            "https://www.dropbox.com/scl/{kind}/fake{n:08x}/{}?rlkey=fake{n}&dl=0",
            percent(&name)
        ),
        target: id,
        expires: None,
        password: false,
        editor: false,
        allow_download: true,
        audience: LinkAudience::Public,
    };
    if let Some(s) = &a.settings {
        apply(&mut record, s)
            .map_err(|e| route_error(CreateSharedLinkWithSettingsError::SettingsError(e)))?;
    }
    let out = metadata(&state, &record);
    state.links.push(record);
    match out {
        Some(m) => json(&m),
        None => Err(err(LookupError::NotFound)),
    }
}

/// A name as it appears in a link's URL.
fn percent(name: &str) -> String {
    form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

pub(super) fn list_shared_links(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: ListSharedLinksArg = arg(call)?;
    if a.cursor.is_some() {
        // Every answer is one page, so no cursor is ever handed out.
        return Err(route_error(ListSharedLinksError::Reset));
    }
    let state = lock(&shared.state);
    let err = |e: LookupError| route_error(ListSharedLinksError::Path(e));
    let scope = match &a.path {
        Some(p) => {
            let key = state.tree.resolve(p).map_err(err)?;
            state.tree.lookup(&key).map_err(err)?;
            Some(key)
        }
        None => None,
    };
    let links = state
        .links
        .iter()
        .filter_map(|l| {
            let m = metadata(&state, l)?;
            let at = state.tree.resolve(&l.target).ok()?;
            let keep = match &scope {
                None => true,
                Some(key) if a.direct_only == Some(true) => at == *key,
                // Links to the path and to the folders above it.
                Some(key) => at == *key || key.starts_with(&format!("{at}/")),
            };
            keep.then_some(m)
        })
        .collect();
    json(&ListSharedLinksResult::new(links, false))
}

pub(super) fn modify_shared_link_settings(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: ModifySharedLinkSettingsArgs = arg(call)?;
    let mut state = lock(&shared.state);
    let Some(i) = state.links.iter().position(|l| l.url == a.url) else {
        return Err(route_error(
            ModifySharedLinkSettingsError::SharedLinkNotFound,
        ));
    };
    let mut record = std::mem::replace(
        &mut state.links[i],
        SharedLinkRecord {
            url: String::new(),
            target: String::new(),
            expires: None,
            password: false,
            editor: false,
            allow_download: true,
            audience: LinkAudience::Public,
        },
    );
    let applied = apply(&mut record, &a.settings);
    if a.remove_expiration && applied.is_ok() {
        record.expires = None;
    }
    let out = metadata(&state, &record);
    state.links[i] = record;
    applied.map_err(|e| route_error(ModifySharedLinkSettingsError::SettingsError(e)))?;
    match out {
        Some(m) => json(&m),
        None => Err(route_error(
            ModifySharedLinkSettingsError::SharedLinkNotFound,
        )),
    }
}

pub(super) fn revoke_shared_link(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    let a: RevokeSharedLinkArg = arg(call)?;
    if !a.url.starts_with("https://") {
        return Err(route_error(RevokeSharedLinkError::SharedLinkMalformed));
    }
    let mut state = lock(&shared.state);
    let before = state.links.len();
    state.links.retain(|l| l.url != a.url);
    if state.links.len() == before {
        return Err(route_error(RevokeSharedLinkError::SharedLinkNotFound));
    }
    Ok(Answer::Json("null".into()))
}
