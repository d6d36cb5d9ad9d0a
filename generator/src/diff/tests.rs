//! The classification rules of the module docs, one small spec pair each.

use super::*;
use crate::source::SourceFile;

/// Route attributes as the real spec's `stone_cfg.Route` has them.
const STONE_CFG: &str = "namespace stone_cfg\n\nstruct Route\n    auth String = \"user\"\n    host String = \"api\"\n    style String = \"rpc\"\n";

fn api(text: &str) -> Api {
    let files = [
        SourceFile::new("stone_cfg.stone", STONE_CFG),
        SourceFile::new("t.stone", format!("namespace t\n\n{text}")),
    ];
    crate::compile(&files).unwrap_or_else(|e| panic!("{}", e.render(&files)))
}

/// The diff of two versions of namespace `t`.
fn diff_of(old: &str, new: &str) -> ApiDiff {
    diff(&api(old), &api(new))
}

/// The one change at `path`.
fn at<'a>(d: &'a ApiDiff, path: &str) -> &'a Change {
    let found: Vec<&Change> = d.changes.iter().filter(|c| c.path == path).collect();
    assert_eq!(found.len(), 1, "changes at {path}: {:#?}", d.changes);
    found[0]
}

#[test]
fn a_required_field_added_breaks_an_optional_one_adds() {
    let d = diff_of(
        "struct S\n    a String\n",
        "struct S\n    a String\n    b String\n    c String?\n    d Boolean = false\n",
    );
    assert_eq!(at(&d, "t.S.b").impact, Impact::Breaking);
    assert_eq!(at(&d, "t.S.c").impact, Impact::Additive);
    assert_eq!(at(&d, "t.S.d").impact, Impact::Additive);
    assert_eq!(at(&d, "t.S.b").change, ChangeKind::Added);
    assert_eq!(d.semver(), Semver::Major);
}

#[test]
fn a_constraint_change_keeps_the_rust_type_a_type_change_breaks() {
    let d = diff_of(
        "struct S\n    a String(max_length=10)\n    b String\n",
        "struct S\n    a String(max_length=5)\n    b UInt64\n",
    );
    let a = at(&d, "t.S.a");
    assert_eq!(a.impact, Impact::Additive);
    assert_eq!(
        a.detail,
        "type `String(max_length=10)` -> `String(max_length=5)` (same Rust type)"
    );
    let b = at(&d, "t.S.b");
    assert_eq!(b.impact, Impact::Breaking);
    assert_eq!(b.detail, "type `String` -> `UInt64`");
}

#[test]
fn nullability_and_defaults_move_fields_in_and_out_of_new() {
    let d = diff_of(
        "struct S\n    a String\n    b Boolean = true\n    c Boolean = true\n",
        "struct S\n    a String?\n    b Boolean\n    c Boolean = false\n",
    );
    assert_eq!(at(&d, "t.S.a").impact, Impact::Breaking);
    assert!(at(&d, "t.S.a").detail.contains("now nullable"));
    assert_eq!(at(&d, "t.S.b").impact, Impact::Breaking);
    assert!(at(&d, "t.S.b").detail.contains("now required"));
    // Another default value: same signature.
    assert_eq!(at(&d, "t.S.c").impact, Impact::Additive);
    assert_eq!(at(&d, "t.S.c").detail, "default `true` -> `false`");
}

#[test]
fn a_variant_added_breaks_a_closed_union_not_an_open_one() {
    let d = diff_of(
        "union_closed C\n    a\n\nunion O\n    a\n",
        "union_closed C\n    a\n    b\n\nunion O\n    a\n    b\n",
    );
    assert_eq!(at(&d, "t.C.b").impact, Impact::Breaking);
    assert_eq!(at(&d, "t.O.b").impact, Impact::Additive);
}

#[test]
fn a_variant_added_to_a_union_a_closed_one_extends_breaks() {
    let d = diff_of(
        "union_closed P\n    a\n\nunion_closed C extends P\n    c\n",
        "union_closed P\n    a\n    b\n\nunion_closed C extends P\n    c\n",
    );
    assert_eq!(at(&d, "t.P.b").impact, Impact::Breaking);
}

#[test]
fn opening_or_closing_a_union_breaks() {
    let d = diff_of("union_closed U\n    a\n", "union U\n    a\n");
    let u = at(&d, "t.U");
    assert_eq!(u.impact, Impact::Breaking);
    assert!(u.detail.starts_with("opened"), "{}", u.detail);
    // The catch-all `other` is a variant of the open union.
    assert_eq!(at(&d, "t.U.other").change, ChangeKind::Added);
}

#[test]
fn doc_only_changes_are_counted_not_listed() {
    let d = diff_of(
        "struct S\n    \"Old.\"\n    a String\n        \"Old.\"\n",
        "struct S\n    \"New.\"\n    a String\n        \"New.\"\n",
    );
    assert!(d.changes.is_empty(), "{:#?}", d.changes);
    assert_eq!(d.doc_changes, 2);
    assert_eq!(d.semver(), Semver::Patch);
}

#[test]
fn subtypes_added_are_additive_removed_break() {
    let one = "struct P\n    union\n        a A\n    x String\n\nstruct A extends P\n    a String\n\nstruct B\n    b String\n";
    let two = "struct P\n    union\n        a A\n        b B\n    x String\n\nstruct A extends P\n    a String\n\nstruct B extends P\n    b String\n";
    let d = diff_of(two, one);
    let p = at(&d, "t.P");
    assert_eq!(p.impact, Impact::Breaking);
    assert_eq!(p.detail, "subtype `b` (`t.B`) removed");
    let d = diff_of(one, two);
    assert_eq!(at(&d, "t.P").impact, Impact::Additive);
    assert_eq!(at(&d, "t.P").detail, "subtype `b` (`t.B`) added");
    // B itself gains the parent's field `x`, a parameter of its `new()`.
    assert_eq!(at(&d, "t.B").impact, Impact::Breaking);
}

#[test]
fn a_parent_field_reaches_new_of_its_children() {
    let d = diff_of(
        "struct P\n    a String\n\nstruct C extends P\n    c String\n",
        "struct P\n    a String\n    b String\n\nstruct C extends P\n    c String\n",
    );
    assert_eq!(at(&d, "t.P.b").impact, Impact::Breaking);
    let c = at(&d, "t.C");
    assert_eq!(c.impact, Impact::Breaking);
    assert_eq!(c.detail, "`new()`'s inherited parameters (a) -> (a, b)");
}

#[test]
fn a_field_moved_to_the_parent_keeps_the_rust_struct() {
    let d = diff_of(
        "struct P\n    a String\n\nstruct C extends P\n    b String\n",
        "struct P\n    a String\n    b String\n\nstruct C extends P\n    c String?\n",
    );
    assert_eq!(at(&d, "t.C.b").change, ChangeKind::Removed);
    assert_eq!(at(&d, "t.C.b").impact, Impact::DocsOnly);
    assert_eq!(at(&d, "t.C.c").impact, Impact::Additive);
}

#[test]
fn routes_added_removed_and_changed() {
    let d = diff_of(
        "struct A\n    a String\n\nroute r (A, Void, Void)\n\nroute gone (A, Void, Void)\n\nroute s (A, Void, Void)\n",
        "struct A\n    a String\n\nroute r (A, String, Void)\n\nroute r:2 (A, Void, Void)\n\nroute s (A, Void, Void)\n    attrs\n        auth=\"app, user\"\n        host=\"content\"\n",
    );
    assert_eq!(at(&d, "t.gone:1").change, ChangeKind::Removed);
    assert_eq!(at(&d, "t.gone:1").impact, Impact::Breaking);
    assert_eq!(at(&d, "t.r:2").change, ChangeKind::Added);
    assert_eq!(at(&d, "t.r:1").detail, "result type `Void` -> `String`");
    assert_eq!(at(&d, "t.r:1").impact, Impact::Breaking);
    let s = at(&d, "t.s:1");
    assert_eq!(s.impact, Impact::Additive, "{}", s.detail);
    assert_eq!(
        s.detail,
        "auth `user` -> `app, user`; host `api` -> `content`"
    );
}

#[test]
fn dropping_an_auth_kind_or_changing_style_breaks_a_route() {
    let d = diff_of(
        "route r (Void, Void, Void)\n    attrs\n        auth=\"app, user\"\n",
        "route r (Void, Void, Void)\n    attrs\n        auth=\"user\"\n        style=\"download\"\n",
    );
    assert_eq!(at(&d, "t.r:1").impact, Impact::Breaking);
}

#[test]
fn namespaces_added_list_their_members() {
    let old = api("struct S\n    a String\n");
    let file = |ns: &str| {
        SourceFile::new(
            format!("{ns}.stone"),
            format!("namespace {ns}\n\nstruct S\n    a String\n"),
        )
    };
    let new = crate::compile(&[file("t"), file("u")]).expect("valid");
    let d = diff(&old, &new);
    let added: Vec<(ItemKind, &str)> = d
        .changes
        .iter()
        .map(|c| (c.item, c.path.as_str()))
        .collect();
    assert_eq!(
        added,
        [
            (ItemKind::Namespace, "u"),
            (ItemKind::Struct, "u.S"),
            (ItemKind::Field, "u.S.a")
        ]
    );
    let md = render::markdown(&d, "old", "new");
    assert!(md.contains("- added namespace `u`: 0 aliases, 1 struct, 0 unions, 0 routes\n"));
    assert!(!md.contains("u.S"), "members are folded: {md}");
    let json: serde_json::Value = serde_json::from_str(&render::json(&d)).expect("json");
    assert_eq!(json["semver"], "minor");
    assert_eq!(json["changes"][2]["path"], "u.S.a");
    assert_eq!(json["changes"][2]["breaking"], false);
}

#[test]
fn a_paged_route_losing_its_entry_stream_breaks() {
    let spec = |extra: &str| {
        format!(
            "struct Arg\n    path String\n\nstruct ContinueArg\n    cursor String\n\n\
             struct Page\n    entries List(String)\n{extra}    cursor String\n    has_more Boolean\n\n\
             route list (Arg, Page, Void)\n\nroute list/continue (ContinueArg, Page, Void)\n"
        )
    };
    // A second list: the entries are no longer one list, so `list_stream`
    // goes (the pages stay); the route says so, beside the field.
    let d = diff_of(&spec(""), &spec("    more List(String)\n"));
    assert_eq!(at(&d, "t.Page.more").change, ChangeKind::Added);
    let r = at(&d, "t.list:1");
    assert_eq!(r.impact, Impact::Breaking);
    assert!(
        r.detail.contains("`_stream` function is gone"),
        "{}",
        r.detail
    );
    // And back: the stream is added; the removed field breaks on its own.
    let back = diff_of(&spec("    more List(String)\n"), &spec(""));
    assert_eq!(at(&back, "t.list:1").impact, Impact::Additive);
    // A route no longer paged (its continue partner gone) loses both.
    let gone = diff_of(
        &spec(""),
        &spec("").replace("route list/continue (ContinueArg, Page, Void)\n", ""),
    );
    assert!(at(&gone, "t.list:1").detail.contains("no longer paged"));
}
