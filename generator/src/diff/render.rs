//! An [`ApiDiff`] as markdown (for people: grouped by impact, then by
//! namespace) or as JSON (for tools: every change).

use super::{ApiDiff, ChangeKind, Impact, ItemKind};
use std::collections::{BTreeMap, BTreeSet};

/// The JSON form: `{"changes": [{change, item, path, breaking, impact,
/// detail}], "semver", "doc_changes", "notes"}`, keys sorted.
pub fn json(diff: &ApiDiff) -> String {
    let changes: Vec<serde_json::Value> = diff
        .changes
        .iter()
        .map(|c| {
            serde_json::json!({
                "change": c.change.as_str(),
                "item": c.item.as_str(),
                "path": c.path,
                "breaking": c.impact == Impact::Breaking,
                "impact": c.impact.as_str(),
                "detail": c.detail,
            })
        })
        .collect();
    let value = serde_json::json!({
        "changes": changes,
        "semver": diff.semver().as_str(),
        "doc_changes": diff.doc_changes,
        "notes": diff.notes,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// The markdown form. The members of an added or removed namespace, struct
/// or union are folded into its line (its detail counts them).
pub fn markdown(diff: &ApiDiff, old_label: &str, new_label: &str) -> String {
    let mut out = format!("# API changes: `{old_label}` -> `{new_label}`\n\n");
    let counts = |impact| diff.count(impact);
    out.push_str(&format!(
        "**semver: {}**. {} breaking, {} additive, {} docs-only changes; {} items changed only their doc text (not listed).\n",
        diff.semver().as_str(),
        counts(Impact::Breaking),
        counts(Impact::Additive),
        counts(Impact::DocsOnly),
        diff.doc_changes,
    ));
    let containers = wholesale(diff);
    if diff.changes.iter().any(|c| folded(&containers, c)) {
        out.push_str("The members of an added or removed namespace, struct or union are counted in its line, not listed (`--format json` lists them).\n");
    }
    for (impact, title) in [
        (Impact::Breaking, "Breaking"),
        (Impact::Additive, "Additive"),
        (Impact::DocsOnly, "Docs-only (no change to the Rust API)"),
    ] {
        // By namespace, in path order.
        let mut by_namespace: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for c in diff.changes.iter().filter(|c| c.impact == impact) {
            if folded(&containers, c) {
                continue;
            }
            let mut line = format!("- {} {} `{}`", c.change.as_str(), c.item.as_str(), c.path);
            if !c.detail.is_empty() {
                line.push_str(": ");
                line.push_str(&c.detail);
            }
            by_namespace
                .entry(namespace_of(&c.path))
                .or_default()
                .push(line);
        }
        if by_namespace.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {title}: {}\n", counts(impact)));
        for (ns, lines) in by_namespace {
            out.push_str(&format!("\n### `{ns}`\n\n"));
            for line in lines {
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    if !diff.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for n in &diff.notes {
            out.push_str(&format!("- {n}\n"));
        }
    }
    out
}

/// `files` of `files`, `files.Metadata.name` and `files.upload:1`.
fn namespace_of(path: &str) -> &str {
    path.split(['.', ':']).next().unwrap_or(path)
}

/// Whether a change is an addition or removal inside a namespace, struct or
/// union added or removed the same way (its line counts it).
/// `containers` is `wholesale`'s.
fn folded(containers: &BTreeSet<(ChangeKind, &str)>, c: &super::Change) -> bool {
    if c.change == ChangeKind::Changed || c.item == ItemKind::Namespace {
        return false;
    }
    let ns = namespace_of(&c.path);
    if containers.contains(&(c.change, ns)) {
        return true;
    }
    matches!(c.item, ItemKind::Field | ItemKind::Variant)
        && c.path
            .rsplit_once('.')
            .is_some_and(|(owner, _)| containers.contains(&(c.change, owner)))
}

/// Namespaces, structs and unions added or removed, by path.
fn wholesale(diff: &ApiDiff) -> BTreeSet<(ChangeKind, &str)> {
    diff.changes
        .iter()
        .filter(|c| {
            c.change != ChangeKind::Changed
                && matches!(
                    c.item,
                    ItemKind::Namespace | ItemKind::Struct | ItemKind::Union
                )
        })
        .map(|c| (c.change, c.path.as_str()))
        .collect()
}
