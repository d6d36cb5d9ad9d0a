//! What the comparison needs to know of items beyond their IR: the facts
//! of the Rust API the emitter derives from them (required fields, open
//! unions, all members, `new()`'s parameters), the impact of each aspect
//! that can change, and how items read in a change's detail.

use super::types::{code, constant_text, rust_text, spec_text};
use super::{Aspects, Impact};
use crate::ir::*;
use std::collections::{BTreeMap, BTreeSet};

/// The route attributes' impact on a typed function per route (module docs).
pub(super) fn attr_impact(name: &str, old: &str, new: &str) -> Impact {
    let kinds = |s: &str| -> BTreeSet<String> {
        s.split(',')
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty() && k != "none")
            .collect()
    };
    match name {
        "style" => Impact::Breaking,
        "auth" => breaking_if(!kinds(old).is_subset(&kinds(new))),
        "is_preview" => breaking_if(new == "true"),
        _ => Impact::Additive,
    }
}

/// Pair up two name-sorted maps: `(old, new)` for each key of either.
pub(super) fn paired<K: Ord, V: Clone>(
    old: BTreeMap<K, V>,
    mut new: BTreeMap<K, V>,
) -> Vec<(Option<V>, Option<V>)> {
    let mut out = Vec::with_capacity(old.len().max(new.len()));
    for (k, v) in old {
        let other = new.remove(&k);
        out.push((Some(v), other));
    }
    out.extend(new.into_values().map(|v| (None, Some(v))));
    out
}

/// A route attribute's value: strings bare (`user`, `files.content.write`).
pub(super) fn attr_text(c: Option<&Constant>) -> String {
    match c {
        Some(Constant::Str(s)) => s.clone(),
        other => constant_text(other),
    }
}

/// `1 field`, `3 fields`, `2 aliases`.
pub(super) fn plural(n: usize, noun: &str) -> String {
    match (n, noun.ends_with('s')) {
        (1, _) => format!("{n} {noun}"),
        (_, true) => format!("{n} {noun}es"),
        _ => format!("{n} {noun}s"),
    }
}

pub(super) fn breaking_if(breaks: bool) -> Impact {
    if breaks {
        Impact::Breaking
    } else {
        Impact::Additive
    }
}

/// A field `new()` takes: neither nullable nor defaulted.
pub(super) fn is_required(f: &StructField) -> bool {
    !f.data_type.is_nullable() && f.default.is_none()
}

/// An open union's Rust enum is `#[non_exhaustive]` with `Unrecognized`:
/// the emitter's test is a catch-all among all its variants.
pub(super) fn is_open(api: &Api, id: UnionId) -> bool {
    api.all_union_variants(id).iter().any(|v| v.catch_all)
}

/// The Rust struct's fields (own and inherited): name -> (Rust type, required).
pub(super) fn emitted_fields(api: &Api, id: StructId) -> BTreeMap<String, (String, bool)> {
    api.struct_fields_in_order(id)
        .into_iter()
        .map(|f| {
            (
                f.name.clone(),
                (rust_text(api, &f.data_type), is_required(f)),
            )
        })
        .collect()
}

/// The members (own and inherited) that went or changed, and those that came.
pub(super) fn lost_and_gained<V: PartialEq>(
    old: &BTreeMap<String, V>,
    new: &BTreeMap<String, V>,
) -> (Vec<String>, Vec<String>) {
    let lost = old
        .iter()
        .filter(|(k, v)| new.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    let gained = new
        .keys()
        .filter(|k| !old.contains_key(*k))
        .cloned()
        .collect();
    (lost, gained)
}

/// `: the Rust enum's variants lose a, b and gain c` (or that they are the same).
pub(super) fn members_note(text: &mut String, what: &str, lost: &[String], gained: &[String]) {
    let mut parts = vec![];
    if !lost.is_empty() {
        parts.push(format!("lose or change {}", lost.join(", ")));
    }
    if !gained.is_empty() {
        parts.push(format!("gain {}", gained.join(", ")));
    }
    if parts.is_empty() {
        text.push_str(&format!(" (the Rust {what} are the same)"));
    } else {
        text.push_str(&format!(" (the Rust {what} {})", parts.join(" and ")));
    }
}

/// `new()`'s parameter names, in order.
pub(super) fn required_params(api: &Api, id: StructId) -> Vec<String> {
    api.struct_fields_in_order(id)
        .into_iter()
        .filter(|f| is_required(f))
        .map(|f| f.name.clone())
        .collect()
}

/// The Rust enum's variants (own and inherited): name -> Rust type.
pub(super) fn emitted_variants(api: &Api, id: UnionId) -> BTreeMap<String, String> {
    api.all_union_variants(id)
        .into_iter()
        .map(|v| (v.name.clone(), rust_text(api, &v.data_type)))
        .collect()
}

/// `new()`'s parameters are the required fields, ancestors' first, each
/// in declaration order: a parent's change or a reordering changes it.
pub(super) fn new_signature(aspects: &mut Aspects, old: &Api, o: StructId, new: &Api, n: StructId) {
    let params = |api: &Api, id: StructId| -> (Vec<String>, Vec<String>) {
        let chain = api.struct_ancestry(id);
        let required = |s: &StructId| -> Vec<String> {
            api.struct_(*s)
                .fields
                .iter()
                .filter(|f| is_required(f))
                .map(|f| f.name.clone())
                .collect()
        };
        let (own, inherited) = chain
            .split_last()
            .map_or_else(Default::default, |(own, rest)| {
                (required(own), rest.iter().flat_map(required).collect())
            });
        (inherited, own)
    };
    let ((oi, oo), (ni, no)) = (params(old, o), params(new, n));
    if oi != ni {
        aspects.add(
            Impact::Breaking,
            format!(
                "`new()`'s inherited parameters ({}) -> ({})",
                oi.join(", "),
                ni.join(", ")
            ),
        );
    }
    let kept = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|x| b.contains(x)).cloned().collect()
    };
    let (ko, kn) = (kept(&oo, &no), kept(&no, &oo));
    if ko != kn {
        aspects.add(
            Impact::Breaking,
            format!(
                "`new()`'s parameters reordered ({}) -> ({})",
                ko.join(", "),
                kn.join(", ")
            ),
        );
    }
}

pub(super) fn flag_aspects(aspects: &mut Aspects, deprecated: (bool, bool), preview: (bool, bool)) {
    if deprecated.0 != deprecated.1 {
        let text = if deprecated.1 {
            "deprecated"
        } else {
            "no longer deprecated"
        };
        aspects.add(Impact::Additive, text);
    }
    if preview.0 != preview.1 {
        let text = if preview.1 {
            "preview"
        } else {
            "no longer preview"
        };
        aspects.add(Impact::DocsOnly, text);
    }
}

pub(super) fn omitted_aspect(
    aspects: &mut Aspects,
    old: &Option<Constant>,
    new: &Option<Constant>,
) {
    if old != new {
        aspects.add(
            Impact::DocsOnly,
            format!(
                "@Omitted caller {} -> {}",
                code(&constant_text(old.as_ref())),
                code(&constant_text(new.as_ref()))
            ),
        );
    }
}

pub(super) fn metadata_aspects(
    aspects: &mut Aspects,
    redactor: (&Option<Redactor>, &Option<Redactor>),
    annotations: (&Vec<CustomAnnotation>, &Vec<CustomAnnotation>),
) {
    if redactor.0 != redactor.1 {
        aspects.add(
            Impact::DocsOnly,
            format!(
                "redactor {} -> {}",
                code(&redactor_text(redactor.0)),
                code(&redactor_text(redactor.1))
            ),
        );
    }
    if annotations.0 != annotations.1 {
        aspects.add(
            Impact::DocsOnly,
            format!(
                "annotations {} -> {}",
                code(&annotations_text(annotations.0)),
                code(&annotations_text(annotations.1))
            ),
        );
    }
}

pub(super) fn redactor_text(r: &Option<Redactor>) -> String {
    match r {
        None => "none".into(),
        Some(r) => {
            let kind = match r.kind {
                RedactorKind::Blot => "RedactedBlot",
                RedactorKind::Hash => "RedactedHash",
            };
            match &r.regex {
                Some(re) => format!("{kind}(\"{re}\")"),
                None => kind.into(),
            }
        }
    }
}

pub(super) fn annotations_text(list: &[CustomAnnotation]) -> String {
    let each: Vec<String> = list
        .iter()
        .map(|a| {
            let params: Vec<String> = a
                .params
                .iter()
                .map(|(k, v)| format!("{k}={}", constant_text(Some(v))))
                .collect();
            format!("{}.{}({})", a.namespace, a.name, params.join(", "))
        })
        .collect();
    format!("[{}]", each.join(", "))
}

pub(super) fn field_text(api: &Api, f: &StructField) -> String {
    let mut text = code(&spec_text(api, &f.data_type));
    if let Some(d) = &f.default {
        text.push_str(&format!(" = {}", code(&constant_text(Some(d)))));
    }
    text.push_str(if is_required(f) {
        ", required"
    } else {
        ", optional"
    });
    text
}

pub(super) fn variant_text(api: &Api, v: &UnionVariant) -> String {
    if v.catch_all {
        "catch-all".into()
    } else if v.data_type == DataType::Void {
        "no value".into()
    } else {
        code(&spec_text(api, &v.data_type))
    }
}

pub(super) fn struct_name(api: &Api, id: StructId) -> String {
    let s = api.struct_(id);
    format!("{}.{}", s.namespace, s.name)
}

pub(super) fn union_name(api: &Api, id: UnionId) -> String {
    let u = api.union(id);
    format!("{}.{}", u.namespace, u.name)
}

pub(super) fn route_path(r: &Route) -> String {
    format!("{}.{}:{}", r.namespace, r.name, r.version)
}

pub(super) fn or_none(name: &Option<String>) -> String {
    code(name.as_deref().unwrap_or("none"))
}
