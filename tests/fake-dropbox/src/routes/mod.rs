//! The routes the fake implements, as a table from route name to handler,
//! and what handlers share: typed arguments, results and errors.

mod file_requests;
mod files_read;
mod files_write;
mod listing;
mod sharing;
pub(crate) mod upload;
mod users;

use crate::content::Content;
use crate::Shared;
use dropbox::wire::{Decode, Encode, Validate};

pub(crate) use file_requests::FileRequestRecord;
pub(crate) use sharing::SharedLinkRecord;

/// Where a route's argument and result travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// JSON body in, JSON body out.
    Rpc,
    /// `Dropbox-API-Arg` header and bytes in, JSON body out.
    Upload,
    /// `Dropbox-API-Arg` header in, `Dropbox-API-Result` header and bytes out.
    Download,
}

/// One call, as its handler sees it.
pub(crate) struct Call {
    pub route: &'static str,
    /// The argument's JSON (body or header).
    pub arg: String,
    /// An upload's content, as the pieces it arrived in.
    pub body: Content,
    /// The bearer token the call came with.
    pub token: Option<String>,
}

/// A successful answer.
pub(crate) enum Answer {
    Json(String),
    Download { result: String, content: Content },
}

/// An unsuccessful one.
#[derive(Debug)]
pub(crate) enum Failure {
    /// 400, plain text.
    BadInput(String),
    /// 409: the route's error as JSON, and its `user_message` if any.
    Route(String, Option<String>),
}

pub(crate) type Handler = fn(&Shared, &Call) -> Result<Answer, Failure>;

pub(crate) struct Route {
    pub name: &'static str,
    pub style: Style,
    /// No `Authorization` (the long poll).
    pub noauth: bool,
    pub handler: Handler,
}

const fn rpc(name: &'static str, handler: Handler) -> Route {
    Route {
        name,
        style: Style::Rpc,
        noauth: false,
        handler,
    }
}
const fn upload(name: &'static str, handler: Handler) -> Route {
    Route {
        name,
        style: Style::Upload,
        noauth: false,
        handler,
    }
}
const fn download(name: &'static str, handler: Handler) -> Route {
    Route {
        name,
        style: Style::Download,
        noauth: false,
        handler,
    }
}

/// `files/list_folder/longpoll` blocks, so the server runs it itself.
pub(crate) const LONGPOLL: &str = "files/list_folder/longpoll";

static ROUTES: &[Route] = &[
    rpc("users/get_current_account", users::get_current_account),
    rpc("users/get_space_usage", users::get_space_usage),
    rpc("auth/token/revoke", users::token_revoke),
    upload("files/upload", upload::upload),
    upload("files/upload_session/start", upload::session_start),
    upload("files/upload_session/append_v2", upload::session_append_v2),
    upload("files/upload_session/finish", upload::session_finish),
    rpc(
        "files/upload_session/start_batch",
        upload::session_start_batch,
    ),
    rpc(
        "files/upload_session/finish_batch_v2",
        upload::session_finish_batch_v2,
    ),
    download("files/download", files_read::download),
    rpc("files/get_metadata", files_read::get_metadata),
    rpc("files/list_revisions", files_read::list_revisions),
    rpc("files/search_v2", files_read::search_v2),
    rpc("files/search/continue_v2", files_read::search_continue_v2),
    rpc("files/list_folder", listing::list_folder),
    rpc("files/list_folder/continue", listing::list_folder_continue),
    rpc(
        "files/list_folder/get_latest_cursor",
        listing::get_latest_cursor,
    ),
    rpc("files/create_folder_v2", files_write::create_folder_v2),
    rpc("files/delete_v2", files_write::delete_v2),
    rpc("files/move_v2", files_write::move_v2),
    rpc("files/copy_v2", files_write::copy_v2),
    rpc("files/restore", files_write::restore),
    rpc(
        "sharing/create_shared_link_with_settings",
        sharing::create_shared_link_with_settings,
    ),
    rpc("sharing/list_shared_links", sharing::list_shared_links),
    rpc(
        "sharing/modify_shared_link_settings",
        sharing::modify_shared_link_settings,
    ),
    rpc("sharing/revoke_shared_link", sharing::revoke_shared_link),
    rpc("file_requests/create", file_requests::create),
    rpc("file_requests/get", file_requests::get),
    rpc("file_requests/list_v2", file_requests::list_v2),
    rpc("file_requests/list/continue", file_requests::list_continue),
];

/// The route called `name` ("files/upload"), if the fake implements it.
pub(crate) fn find(name: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.name == name)
}

/// Every route the fake implements, the long poll included.
pub fn implemented() -> Vec<&'static str> {
    let mut names: Vec<&str> = ROUTES.iter().map(|r| r.name).collect();
    names.push(LONGPOLL);
    names.sort_unstable();
    names
}

pub(crate) use listing::longpoll;

/// The call's argument, decoded as Dropbox does: strictly (a field the type
/// does not have is an error) and with the type's constraints checked.
pub(crate) fn arg<T: Decode + Encode + Validate>(call: &Call) -> Result<T, Failure> {
    let bad = |detail: String| {
        Failure::BadInput(format!(
            "Error in call to API function \"{}\": request body: {detail}",
            call.route
        ))
    };
    let value: T = dropbox::wire::from_str(&call.arg).map_err(|e| bad(e.to_string()))?;
    // The generated decoder, made for clients, skips unknown fields; the
    // server rejects them. Writing the value back shows every field the
    // type knows (defaulted fields included).
    if let Ok(serde_json::Value::Object(sent)) = serde_json::from_str(&call.arg) {
        if let Ok(serde_json::Value::Object(known)) =
            serde_json::from_str(&dropbox::wire::to_string(&value))
        {
            if let Some(k) = sent
                .iter()
                .find(|(k, v)| !v.is_null() && !known.contains_key(*k) && *k != ".tag")
            {
                return Err(bad(format!("unknown field \"{}\"", k.0)));
            }
        }
    }
    value.validate().map_err(|e| bad(e.to_string()))?;
    Ok(value)
}

/// A Void argument: `null` (or nothing, as some clients send).
pub(crate) fn void_arg(call: &Call) -> Result<(), Failure> {
    match call.arg.trim() {
        "" | "null" | "{}" => Ok(()),
        other => Err(Failure::BadInput(format!(
            "Error in call to API function \"{}\": request body: expected null, got {other:?}",
            call.route
        ))),
    }
}

pub(crate) fn json<T: Encode + ?Sized>(value: &T) -> Result<Answer, Failure> {
    Ok(Answer::Json(dropbox::wire::to_string(value)))
}

/// A 409 with the route's error.
pub(crate) fn route_error<E: Encode>(error: E) -> Failure {
    Failure::Route(dropbox::wire::to_string(&error), None)
}

/// `error_summary` from an error's JSON: the tags from the outside in,
/// "path/not_found/..", as Dropbox writes it.
pub(crate) fn error_summary(error_json: &str) -> String {
    let mut tags = vec![];
    let mut v: serde_json::Value = serde_json::from_str(error_json).unwrap_or_default();
    loop {
        let tag = match &v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Object(o) => match o.get(".tag").and_then(|t| t.as_str()) {
                Some(t) => t.to_string(),
                None => break,
            },
            _ => break,
        };
        // Nested under the tag's name, or a flattened struct's union field
        // (`{".tag": "path", "reason": {".tag": "conflict", ..}}`).
        let inner = v.get(&tag).cloned().or_else(|| {
            v.as_object()?
                .iter()
                .find(|(k, f)| *k != ".tag" && f.get(".tag").is_some())
                .map(|(_, f)| f.clone())
        });
        tags.push(tag);
        match inner {
            Some(next @ (serde_json::Value::Object(_) | serde_json::Value::String(_))) => v = next,
            _ => break,
        }
    }
    format!("{}/..", tags.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_follow_nested_tags() {
        assert_eq!(
            error_summary(r#"{".tag": "path", "path": {".tag": "not_found"}}"#),
            "path/not_found/.."
        );
        assert_eq!(
            error_summary(
                r#"{".tag": "path", "reason": {".tag": "conflict", "conflict": {".tag": "file"}}, "upload_session_id": "x"}"#
            ),
            "path/conflict/file/.."
        );
    }

    #[test]
    fn arguments_are_decoded_strictly() {
        let call = |arg: &str| Call {
            route: "files/get_metadata",
            arg: arg.into(),
            body: Content::default(),
            token: None,
        };
        let ok: dropbox::files::GetMetadataArg =
            arg(&call(r#"{"path": "/a", "include_deleted": false}"#)).unwrap();
        assert_eq!(ok.path, "/a");
        let unknown =
            arg::<dropbox::files::GetMetadataArg>(&call(r#"{"path": "/a", "colour": 1}"#))
                .unwrap_err();
        assert!(matches!(unknown, Failure::BadInput(m) if m.contains("unknown field \"colour\"")));
        let pattern =
            arg::<dropbox::files::GetMetadataArg>(&call(r#"{"path": "no-slash"}"#)).unwrap_err();
        assert!(matches!(pattern, Failure::BadInput(_)));
        let not_json = arg::<dropbox::files::GetMetadataArg>(&call("{")).unwrap_err();
        assert!(
            matches!(not_json, Failure::BadInput(m) if m.starts_with("Error in call to API function \"files/get_metadata\""))
        );
    }
}
