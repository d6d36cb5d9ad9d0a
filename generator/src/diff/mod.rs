//! What changed between two versions of an API, and what it means for the
//! generated Rust SDK (`emit/`).
//!
//! [`diff`] compares two IRs item by item, by name: namespaces, aliases,
//! structs (own fields), unions (own variants) and routes (`name:version`).
//! Each item added, removed or changed is one [`Change`], with a path
//! (`files.UploadArg.path`, `files.upload:1`) and a detail; an item that
//! changed in several ways is one change whose detail lists them all, its
//! impact the gravest of theirs. A change of doc text only is counted
//! ([`ApiDiff::doc_changes`]), not listed. The members of an added or
//! removed namespace, struct or union are listed too (each is an item of
//! the other version); the markdown folds them into their parent's line.
//!
//! # Impact on the generated Rust API
//!
//! The emitter (`emit/types.rs`) makes each struct a `#[non_exhaustive]`
//! struct with public fields, a `new(required fields)` in declaration order
//! (ancestors' first) and a `with_*` setter per optional field (nullable or
//! defaulted); a struct that enumerates subtypes an always
//! `#[non_exhaustive]` enum of them (its fields in a `{Name}Base` struct,
//! built like the others), with an `Unrecognized` variant when the subtype
//! list is open; each union an enum of all its variants (ancestors' first),
//! `#[non_exhaustive]` and with `Unrecognized` when it is open (has a
//! catch-all), exhaustive when closed; each alias a `pub type`; deprecated
//! fields and variants `#[deprecated]`; each route an async function
//! (`files::upload`, `_v2` for version 2) whose client bound follows its
//! auth kinds, preview routes behind the `preview` feature (`emit/routes.rs`).
//!
//! **Breaking** (semver major): anything removed (namespace, alias, struct,
//! union, field, variant, route, subtype); a field added that is required
//! (`new()` gains a parameter); a variant added to a closed union, or to a
//! union that a closed union extends; a Rust type changed (of a field,
//! variant, alias, or route argument, result or error; nullability is a
//! type change); a field's default added or removed (it leaves or joins
//! `new()`); the order of `new()`'s parameters changed, including through a
//! parent's fields; a struct's parent changed, or its subtypes enumerated or
//! no longer enumerated (struct <-> enum); a subtype's type changed, or an
//! open subtype list closed; a union's parent changed, or the union opened
//! (its exhaustive matches stop compiling) or closed (`Unrecognized` goes);
//! a namespace no longer importing one (its cargo feature no longer turns
//! the other on); a route's style changed (upload and download routes take
//! and return a body) or an auth kind dropped (no client can call it any
//! more); a route becoming preview (Dropbox no longer promises it is stable:
//! it belongs behind an unstable feature).
//!
//! **Additive** (semver minor): anything added that is not above: a
//! namespace, alias, struct, union, route, optional field, variant of an
//! open union, subtype (the enum is `#[non_exhaustive]`), namespace import;
//! deprecation set or lifted (`#[deprecated]` only warns); a default value
//! changed (same signature, another value sent); a constraint changed
//! (`max_length`, `pattern`, ...: the Rust type is the same, only the
//! `Validate` check moves, and it follows the server's own rule, which
//! holds whichever SDK version calls it, so neither a narrower nor a wider
//! constraint breaks code that compiled); any type change that keeps the
//! Rust type (an alias for its target); a route's host, scope, admin mode,
//! app-folder or cloud-doc flag changed, an auth kind added, or it leaving
//! preview (the call's signature is the same; what it sends differs).
//!
//! **Docs-only** (semver patch): doc text (counted, not listed); and, listed,
//! what the Rust API does not carry: redactors, `@Omitted` callers, custom
//! annotations, a field's or variant's preview flag, the route a deprecated
//! route names as its replacement. Examples are not compared.
//!
//! Paged routes (`{route}_pages`, `{route}_stream`): a route that stops
//! being paged, or whose result stops having exactly one list, loses a
//! function (breaking); gaining one is additive. An auth kind added to a
//! route is additive: the client traits imply the wider kinds (`UserAuth:
//! AppOrUserAuth: NoAuth`), so every caller still compiles.
//!
//! Known limit: a field the emitter boxes (a recursive type) changes its Rust
//! type to `Box<T>` when a change elsewhere makes the type recursive; that
//! is not detected.

mod facts;
mod items;
pub mod render;
pub mod types;

use crate::ir::Api;
use std::collections::BTreeSet;

/// What happened to an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// What kind of item changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    Namespace,
    Alias,
    Struct,
    Union,
    Field,
    Variant,
    Route,
}

/// What a change means for the generated Rust API; ordered by gravity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    DocsOnly,
    Additive,
    Breaking,
}

/// The semver bump a set of changes implies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Semver {
    Patch,
    Minor,
    Major,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub change: ChangeKind,
    pub item: ItemKind,
    /// `ns`, `ns.Type`, `ns.Type.member` or `ns.route:version`.
    pub path: String,
    pub impact: Impact,
    /// What changed, types and values in backticks.
    pub detail: String,
}

#[derive(Clone, Debug, Default)]
pub struct ApiDiff {
    /// Sorted by path, then item kind.
    pub changes: Vec<Change>,
    /// Items present in both versions whose doc text changed.
    pub doc_changes: usize,
    /// What applies to the whole API, such as route attributes that only one
    /// version's `stone_cfg.Route` has (they are not compared per route).
    pub notes: Vec<String>,
}

impl ApiDiff {
    pub fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }

    /// Major if anything breaks, minor if anything is added, else patch
    /// (also for no change at all: a release, if any, is a patch).
    pub fn semver(&self) -> Semver {
        match self.changes.iter().map(|c| c.impact).max() {
            Some(Impact::Breaking) => Semver::Major,
            Some(Impact::Additive) => Semver::Minor,
            _ => Semver::Patch,
        }
    }

    /// `(change, item, path)` of every addition and removal.
    pub fn added_and_removed(&self) -> BTreeSet<(ChangeKind, ItemKind, String)> {
        self.changes
            .iter()
            .filter(|c| c.change != ChangeKind::Changed)
            .map(|c| (c.change, c.item, c.path.clone()))
            .collect()
    }
}

/// Every change from `old` to `new`.
pub fn diff(old: &Api, new: &Api) -> ApiDiff {
    let mut cx = items::Differ::new(old, new);
    cx.namespaces();
    cx.route_schema_notes();
    let mut out = cx.finish();
    paged_changes(old, new, &mut out);
    out.changes
        .sort_by(|a, b| (&a.path, a.item, a.change).cmp(&(&b.path, b.item, b.change)));
    out
}

/// The stream functions the emitter adds to a paged route
/// (`emit/pagination.rs`, by a rule on the route, its `continue` partner
/// and their result): a route kept in both versions that stops being paged
/// loses `{route}_pages` and `{route}_stream` (breaking), one whose result
/// stops having exactly one list loses `{route}_stream` (breaking); gaining
/// them is additive. Folded into the route's change, if it has one.
fn paged_changes(old: &Api, new: &Api, out: &mut ApiDiff) {
    let (before, after) = (
        crate::emit::paged_routes(old),
        crate::emit::paged_routes(new),
    );
    let routes =
        |api: &Api| -> BTreeSet<String> { api.routes.iter().map(facts::route_path).collect() };
    let kept: Vec<String> = routes(old).intersection(&routes(new)).cloned().collect();
    for path in kept {
        let (impact, text) = match (before.get(&path), after.get(&path)) {
            (Some(_), None) => (
                Impact::Breaking,
                "no longer paged: its `_pages` and `_stream` functions are gone",
            ),
            (Some(true), Some(false)) => (
                Impact::Breaking,
                "its result no longer has exactly one list: its `_stream` function is gone",
            ),
            (None, Some(_)) => (
                Impact::Additive,
                "now paged: `_pages` (and `_stream`) functions added",
            ),
            (Some(false), Some(true)) => (Impact::Additive, "its `_stream` function added"),
            _ => continue,
        };
        match out.changes.iter_mut().find(|c| {
            c.item == ItemKind::Route && c.change == ChangeKind::Changed && c.path == path
        }) {
            Some(c) => {
                c.impact = c.impact.max(impact);
                c.detail = format!("{}; {text}", c.detail);
            }
            None => out.changes.push(Change {
                change: ChangeKind::Changed,
                item: ItemKind::Route,
                path,
                impact,
                detail: text.to_string(),
            }),
        }
    }
}

/// One item's change in several aspects (type, default, deprecation, ...),
/// each with its impact; it becomes one [`Change`].
#[derive(Default)]
struct Aspects {
    impact: Option<Impact>,
    parts: Vec<String>,
}

impl Aspects {
    fn add(&mut self, impact: Impact, text: impl Into<String>) {
        self.impact = self.impact.max(Some(impact));
        self.parts.push(text.into());
    }

    fn into_change(self, item: ItemKind, path: String) -> Option<Change> {
        Some(Change {
            change: ChangeKind::Changed,
            item,
            path,
            impact: self.impact?,
            detail: self.parts.join("; "),
        })
    }
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Namespace => "namespace",
            ItemKind::Alias => "alias",
            ItemKind::Struct => "struct",
            ItemKind::Union => "union",
            ItemKind::Field => "field",
            ItemKind::Variant => "variant",
            ItemKind::Route => "route",
        }
    }
}

impl Impact {
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::DocsOnly => "docs-only",
            Impact::Additive => "additive",
            Impact::Breaking => "breaking",
        }
    }
}

impl Semver {
    pub fn as_str(self) -> &'static str {
        match self {
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }
}

#[cfg(test)]
mod tests;
