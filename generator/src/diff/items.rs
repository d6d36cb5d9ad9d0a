//! The comparison itself: namespaces, then their members by name. The rules
//! each comparison applies are the module docs' (`diff/mod.rs`).

use super::facts::*;
use super::types::{code, constant_text, spec_text, type_change};
use super::{ApiDiff, Aspects, Change, ChangeKind, Impact, ItemKind};
use crate::ir::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Which version an item that is in only one of them comes from.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Old,
    New,
}

impl Side {
    /// Removed things break; added things add.
    fn change(self) -> (ChangeKind, Impact) {
        match self {
            Side::Old => (ChangeKind::Removed, Impact::Breaking),
            Side::New => (ChangeKind::Added, Impact::Additive),
        }
    }
}

pub(super) struct Differ<'a> {
    old: &'a Api,
    new: &'a Api,
    out: ApiDiff,
    /// Unions of the new version that extend each union.
    new_union_children: HashMap<UnionId, Vec<UnionId>>,
}

impl<'a> Differ<'a> {
    pub fn new(old: &'a Api, new: &'a Api) -> Self {
        let mut new_union_children: HashMap<UnionId, Vec<UnionId>> = HashMap::new();
        for (i, u) in new.unions.iter().enumerate() {
            if let Some(p) = u.parent {
                new_union_children
                    .entry(p)
                    .or_default()
                    .push(UnionId(i as u32));
            }
        }
        Differ {
            old,
            new,
            out: ApiDiff::default(),
            new_union_children,
        }
    }

    pub fn finish(self) -> ApiDiff {
        self.out
    }

    fn api(&self, side: Side) -> &'a Api {
        match side {
            Side::Old => self.old,
            Side::New => self.new,
        }
    }

    fn push(
        &mut self,
        change: ChangeKind,
        item: ItemKind,
        path: String,
        impact: Impact,
        detail: String,
    ) {
        self.out.changes.push(Change {
            change,
            item,
            path,
            impact,
            detail,
        });
    }

    fn push_aspects(&mut self, aspects: Aspects, item: ItemKind, path: String) {
        if let Some(c) = aspects.into_change(item, path) {
            self.out.changes.push(c);
        }
    }

    /// Count a doc text change of an item present in both versions.
    fn doc(&mut self, old: &Option<String>, new: &Option<String>) {
        if old != new {
            self.out.doc_changes += 1;
        }
    }

    pub fn namespaces(&mut self) {
        let names: BTreeSet<&String> = self
            .old
            .namespaces
            .keys()
            .chain(self.new.namespaces.keys())
            .collect();
        for name in names {
            match (self.old.namespaces.get(name), self.new.namespaces.get(name)) {
                (Some(o), Some(n)) => self.namespace(o, n),
                (Some(o), None) => self.whole_namespace(Side::Old, o),
                (None, Some(n)) => self.whole_namespace(Side::New, n),
                (None, None) => {}
            }
        }
    }

    /// Route attributes only one version's `stone_cfg.Route` has are not
    /// compared route by route: one note says so.
    pub fn route_schema_notes(&mut self) {
        let names = |api: &Api| -> BTreeSet<String> {
            api.route_schema.iter().map(|a| a.name.clone()).collect()
        };
        let (old, new) = (names(self.old), names(self.new));
        for (only, which) in [(old.difference(&new), "old"), (new.difference(&old), "new")] {
            for name in only {
                self.out.notes.push(format!(
                    "route attribute {} is only in the {which} version's stone_cfg.Route (not compared)",
                    code(name)
                ));
            }
        }
    }

    fn whole_namespace(&mut self, side: Side, ns: &Namespace) {
        let api = self.api(side);
        let (change, impact) = side.change();
        let detail = [
            plural(ns.aliases.len(), "alias"),
            plural(ns.structs.len(), "struct"),
            plural(ns.unions.len(), "union"),
            plural(ns.routes.len(), "route"),
        ]
        .join(", ");
        self.push(change, ItemKind::Namespace, ns.name.clone(), impact, detail);
        for id in &ns.aliases {
            self.whole_alias(side, api.alias(*id));
        }
        for id in &ns.structs {
            self.whole_struct(side, api.struct_(*id));
        }
        for id in &ns.unions {
            self.whole_union(side, *id);
        }
        for id in &ns.routes {
            self.whole_route(side, api.route(*id));
        }
    }

    fn namespace(&mut self, o: &Namespace, n: &Namespace) {
        self.doc(&o.doc, &n.doc);
        let mut aspects = Aspects::default();
        let (oi, ni): (BTreeSet<&String>, BTreeSet<&String>) =
            (o.imports.iter().collect(), n.imports.iter().collect());
        for gone in oi.difference(&ni) {
            aspects.add(
                Impact::Breaking,
                format!(
                    "no longer imports {} (its cargo feature no longer turns that one on)",
                    code(gone)
                ),
            );
        }
        for added in ni.difference(&oi) {
            aspects.add(Impact::Additive, format!("imports {}", code(added)));
        }
        self.push_aspects(aspects, ItemKind::Namespace, n.name.clone());

        let (old, new) = (self.old, self.new);
        let by_name = |api: &'a Api, ids: &[AliasId]| -> BTreeMap<&'a str, AliasId> {
            ids.iter()
                .map(|id| (api.alias(*id).name.as_str(), *id))
                .collect()
        };
        for pair in paired(by_name(old, &o.aliases), by_name(new, &n.aliases)) {
            match pair {
                (Some(a), Some(b)) => self.alias(old.alias(a), new.alias(b)),
                (Some(a), None) => self.whole_alias(Side::Old, old.alias(a)),
                (None, Some(b)) => self.whole_alias(Side::New, new.alias(b)),
                (None, None) => {}
            }
        }
        let by_name = |api: &'a Api, ids: &[StructId]| -> BTreeMap<&'a str, StructId> {
            ids.iter()
                .map(|id| (api.struct_(*id).name.as_str(), *id))
                .collect()
        };
        for pair in paired(by_name(old, &o.structs), by_name(new, &n.structs)) {
            match pair {
                (Some(a), Some(b)) => self.struct_(a, b),
                (Some(a), None) => self.whole_struct(Side::Old, old.struct_(a)),
                (None, Some(b)) => self.whole_struct(Side::New, new.struct_(b)),
                (None, None) => {}
            }
        }
        let by_name = |api: &'a Api, ids: &[UnionId]| -> BTreeMap<&'a str, UnionId> {
            ids.iter()
                .map(|id| (api.union(*id).name.as_str(), *id))
                .collect()
        };
        for pair in paired(by_name(old, &o.unions), by_name(new, &n.unions)) {
            match pair {
                (Some(a), Some(b)) => self.union(a, b),
                (Some(a), None) => self.whole_union(Side::Old, a),
                (None, Some(b)) => self.whole_union(Side::New, b),
                (None, None) => {}
            }
        }
        let by_key = |api: &'a Api, ids: &[RouteId]| -> BTreeMap<(&'a str, u32), RouteId> {
            ids.iter()
                .map(|id| ((api.route(*id).name.as_str(), api.route(*id).version), *id))
                .collect()
        };
        for pair in paired(by_key(old, &o.routes), by_key(new, &n.routes)) {
            match pair {
                (Some(a), Some(b)) => self.route(old.route(a), new.route(b)),
                (Some(a), None) => self.whole_route(Side::Old, old.route(a)),
                (None, Some(b)) => self.whole_route(Side::New, new.route(b)),
                (None, None) => {}
            }
        }
    }

    // Aliases.

    fn whole_alias(&mut self, side: Side, a: &Alias) {
        let (change, impact) = side.change();
        let detail = format!("= {}", code(&spec_text(self.api(side), &a.data_type)));
        let path = format!("{}.{}", a.namespace, a.name);
        self.push(change, ItemKind::Alias, path, impact, detail);
    }

    fn alias(&mut self, o: &Alias, n: &Alias) {
        self.doc(&o.doc, &n.doc);
        let mut aspects = Aspects::default();
        if let Some((text, rust_changed)) =
            type_change(self.old, &o.data_type, self.new, &n.data_type)
        {
            aspects.add(breaking_if(rust_changed), text);
        }
        metadata_aspects(
            &mut aspects,
            (&o.redactor, &n.redactor),
            (&o.custom_annotations, &n.custom_annotations),
        );
        self.push_aspects(
            aspects,
            ItemKind::Alias,
            format!("{}.{}", n.namespace, n.name),
        );
    }

    // Structs and their fields.

    fn whole_struct(&mut self, side: Side, s: &Struct) {
        let api = self.api(side);
        let (change, impact) = side.change();
        let path = format!("{}.{}", s.namespace, s.name);
        let mut detail = plural(s.fields.len(), "field");
        if let Some(p) = s.parent {
            detail.push_str(&format!(", extends {}", code(&struct_name(api, p))));
        }
        if let Some(subs) = &s.subtypes {
            let tags: Vec<&str> = subs.tags.iter().map(|(t, _)| t.as_str()).collect();
            detail.push_str(&format!(", subtypes {}", tags.join(", ")));
        }
        self.push(change, ItemKind::Struct, path.clone(), impact, detail);
        for f in &s.fields {
            let detail = field_text(api, f);
            self.push(
                change,
                ItemKind::Field,
                format!("{path}.{}", f.name),
                impact,
                detail,
            );
        }
    }

    fn struct_(&mut self, o_id: StructId, n_id: StructId) {
        let (old, new) = (self.old, self.new);
        let (o, n) = (old.struct_(o_id), new.struct_(n_id));
        let path = format!("{}.{}", n.namespace, n.name);
        self.doc(&o.doc, &n.doc);
        let mut aspects = Aspects::default();
        let parent = |api: &Api, p: Option<StructId>| p.map(|p| struct_name(api, p));
        let (op, np) = (parent(old, o.parent), parent(new, n.parent));
        let (old_all, new_all) = (emitted_fields(old, o_id), emitted_fields(new, n_id));
        if op != np {
            // The Rust struct has no parent, only all the fields: what the
            // new parent changes is what the field list and `new()` do.
            let (lost, gained) = lost_and_gained(&old_all, &new_all);
            let params_changed = required_params(old, o_id) != required_params(new, n_id);
            let impact = if !lost.is_empty() || params_changed {
                Impact::Breaking
            } else if !gained.is_empty() {
                Impact::Additive
            } else {
                Impact::DocsOnly
            };
            let mut text = format!("parent {} -> {}", or_none(&op), or_none(&np));
            members_note(&mut text, "fields", &lost, &gained);
            if params_changed && lost.is_empty() {
                text.push_str(", `new()`'s parameters change");
            }
            aspects.add(impact, text);
        } else {
            new_signature(&mut aspects, old, o_id, new, n_id);
        }
        self.subtypes(&mut aspects, o, n);
        self.push_aspects(aspects, ItemKind::Struct, path.clone());

        let by_name = |s: &'a Struct| -> BTreeMap<&'a str, &'a StructField> {
            s.fields.iter().map(|f| (f.name.as_str(), f)).collect()
        };
        for pair in paired(by_name(o), by_name(n)) {
            match pair {
                (Some(of), Some(nf)) => self.field(of, nf, format!("{path}.{}", nf.name)),
                (Some(of), None) => {
                    let mut detail = field_text(old, of);
                    let kept = new_all.get(&of.name) == old_all.get(&of.name);
                    if kept {
                        detail.push_str(" (now inherited: the Rust struct keeps it)");
                    }
                    self.push(
                        ChangeKind::Removed,
                        ItemKind::Field,
                        format!("{path}.{}", of.name),
                        if kept {
                            Impact::DocsOnly
                        } else {
                            Impact::Breaking
                        },
                        detail,
                    )
                }
                (None, Some(nf)) => {
                    let mut detail = field_text(new, nf);
                    let impact = if old_all.get(&nf.name) == new_all.get(&nf.name) {
                        detail.push_str(" (was inherited: the Rust struct had it)");
                        Impact::DocsOnly
                    } else if is_required(nf) {
                        detail.push_str(": `new()` gains a parameter");
                        Impact::Breaking
                    } else {
                        Impact::Additive
                    };
                    self.push(
                        ChangeKind::Added,
                        ItemKind::Field,
                        format!("{path}.{}", nf.name),
                        impact,
                        detail,
                    );
                }
                (None, None) => {}
            }
        }
    }

    /// Enumerated subtypes: the struct is a Rust enum of them, always
    /// `#[non_exhaustive]`.
    fn subtypes(&mut self, aspects: &mut Aspects, o: &Struct, n: &Struct) {
        let (old, new) = (self.old, self.new);
        match (&o.subtypes, &n.subtypes) {
            (None, None) => {}
            (None, Some(_)) => aspects.add(
                Impact::Breaking,
                format!(
                    "now enumerates subtypes: the Rust type becomes an enum, its fields move to `{}Base`",
                    n.name
                ),
            ),
            (Some(_), None) => aspects.add(
                Impact::Breaking,
                "no longer enumerates subtypes: the Rust enum becomes a struct",
            ),
            (Some(os), Some(ns)) => {
                // By tag: (tag, the struct's name).
                type Tags = BTreeMap<String, (String, String)>;
                let tags = |api: &Api, subs: &EnumeratedSubtypes| -> Tags {
                    subs.tags
                        .iter()
                        .map(|(tag, id)| (tag.clone(), (tag.clone(), struct_name(api, *id))))
                        .collect()
                };
                let text = |(tag, name): &(String, String)| format!("{} ({})", code(tag), code(name));
                for pair in paired(tags(old, os), tags(new, ns)) {
                    match pair {
                        (Some(a), None) => {
                            aspects.add(Impact::Breaking, format!("subtype {} removed", text(&a)))
                        }
                        (None, Some(b)) => {
                            aspects.add(Impact::Additive, format!("subtype {} added", text(&b)))
                        }
                        (Some(a), Some(b)) if a != b => aspects.add(
                            Impact::Breaking,
                            format!("subtype {} -> {}", text(&a), code(&b.1)),
                        ),
                        _ => {}
                    }
                }
                match (os.catch_all, ns.catch_all) {
                    (true, false) => aspects.add(
                        Impact::Breaking,
                        "subtype list closed: `Unrecognized` goes",
                    ),
                    (false, true) => {
                        aspects.add(Impact::Additive, "subtype list opened: gains `Unrecognized`")
                    }
                    _ => {}
                }
            }
        }
    }

    fn field(&mut self, o: &StructField, n: &StructField, path: String) {
        self.doc(&o.doc, &n.doc);
        let mut aspects = Aspects::default();
        if let Some((text, rust_changed)) =
            type_change(self.old, &o.data_type, self.new, &n.data_type)
        {
            aspects.add(breaking_if(rust_changed), text);
        }
        let defaults = (
            constant_text(o.default.as_ref()),
            constant_text(n.default.as_ref()),
        );
        let required = (is_required(o), is_required(n));
        if defaults.0 != defaults.1 {
            aspects.add(
                breaking_if(required.0 != required.1),
                format!("default {} -> {}", code(&defaults.0), code(&defaults.1)),
            );
        }
        match required {
            (false, true) => {
                aspects.add(Impact::Breaking, "now required: `new()` gains a parameter")
            }
            (true, false) => aspects.add(
                Impact::Breaking,
                "now optional: it leaves `new()` for a `with_` setter",
            ),
            _ => {}
        }
        flag_aspects(
            &mut aspects,
            (o.deprecated, n.deprecated),
            (o.preview, n.preview),
        );
        omitted_aspect(&mut aspects, &o.omitted_caller, &n.omitted_caller);
        metadata_aspects(
            &mut aspects,
            (&o.redactor, &n.redactor),
            (&o.custom_annotations, &n.custom_annotations),
        );
        self.push_aspects(aspects, ItemKind::Field, path);
    }

    // Unions and their variants.

    fn whole_union(&mut self, side: Side, id: UnionId) {
        let api = self.api(side);
        let u = api.union(id);
        let (change, impact) = side.change();
        let path = format!("{}.{}", u.namespace, u.name);
        let mut detail = format!(
            "{}, {}",
            if is_open(api, id) { "open" } else { "closed" },
            plural(u.variants.len(), "variant")
        );
        if let Some(p) = u.parent {
            detail.push_str(&format!(", extends {}", code(&union_name(api, p))));
        }
        self.push(change, ItemKind::Union, path.clone(), impact, detail);
        for v in &u.variants {
            let detail = variant_text(api, v);
            self.push(
                change,
                ItemKind::Variant,
                format!("{path}.{}", v.name),
                impact,
                detail,
            );
        }
    }

    fn union(&mut self, o_id: UnionId, n_id: UnionId) {
        let (old, new) = (self.old, self.new);
        let (o, n) = (old.union(o_id), new.union(n_id));
        let path = format!("{}.{}", n.namespace, n.name);
        self.doc(&o.doc, &n.doc);
        let mut aspects = Aspects::default();
        let (op, np) = (
            o.parent.map(|p| union_name(old, p)),
            n.parent.map(|p| union_name(new, p)),
        );
        let (old_all, new_all) = (emitted_variants(old, o_id), emitted_variants(new, n_id));
        let exhaustive = self.closed_here_or_below(n_id);
        if op != np {
            // The Rust enum has no parent, only all the variants: what the
            // new parent changes is what that list does.
            let (lost, gained) = lost_and_gained(&old_all, &new_all);
            let impact = if !lost.is_empty() || (!gained.is_empty() && exhaustive) {
                Impact::Breaking
            } else if !gained.is_empty() {
                Impact::Additive
            } else {
                Impact::DocsOnly
            };
            let mut text = format!("parent {} -> {}", or_none(&op), or_none(&np));
            members_note(&mut text, "variants", &lost, &gained);
            aspects.add(impact, text);
        }
        match (is_open(old, o_id), is_open(new, n_id)) {
            (false, true) => aspects.add(
                Impact::Breaking,
                "opened: gains `Unrecognized` and `#[non_exhaustive]`, exhaustive matches stop compiling",
            ),
            (true, false) => aspects.add(Impact::Breaking, "closed: `Unrecognized` goes"),
            _ if o.closed != n.closed => aspects.add(
                Impact::DocsOnly,
                format!(
                    "declared {} (the Rust enum is unchanged)",
                    if n.closed { "closed" } else { "open" }
                ),
            ),
            _ => {}
        }
        self.push_aspects(aspects, ItemKind::Union, path.clone());

        let by_name = |u: &'a Union| -> BTreeMap<&'a str, &'a UnionVariant> {
            u.variants.iter().map(|v| (v.name.as_str(), v)).collect()
        };
        for pair in paired(by_name(o), by_name(n)) {
            match pair {
                (Some(ov), Some(nv)) => self.variant(ov, nv, format!("{path}.{}", nv.name)),
                (Some(ov), None) => {
                    let mut detail = variant_text(old, ov);
                    let kept = new_all.get(&ov.name) == old_all.get(&ov.name);
                    if kept {
                        detail.push_str(" (now inherited: the Rust enum keeps it)");
                    }
                    self.push(
                        ChangeKind::Removed,
                        ItemKind::Variant,
                        format!("{path}.{}", ov.name),
                        if kept {
                            Impact::DocsOnly
                        } else {
                            Impact::Breaking
                        },
                        detail,
                    )
                }
                (None, Some(nv)) => {
                    let mut detail = variant_text(new, nv);
                    let impact = if old_all.get(&nv.name) == new_all.get(&nv.name) {
                        detail.push_str(" (was inherited: the Rust enum had it)");
                        Impact::DocsOnly
                    } else if exhaustive {
                        detail.push_str(": in a closed union, exhaustive matches stop compiling");
                        Impact::Breaking
                    } else {
                        Impact::Additive
                    };
                    self.push(
                        ChangeKind::Added,
                        ItemKind::Variant,
                        format!("{path}.{}", nv.name),
                        impact,
                        detail,
                    );
                }
                (None, None) => {}
            }
        }
    }

    /// Whether a variant added to this union of the new version lands in an
    /// exhaustive Rust enum: its own, or that of a union extending it.
    fn closed_here_or_below(&self, id: UnionId) -> bool {
        let mut todo = vec![id];
        let mut seen = BTreeSet::new();
        while let Some(u) = todo.pop() {
            if !seen.insert(u) {
                continue;
            }
            if !is_open(self.new, u) {
                return true;
            }
            todo.extend(self.new_union_children.get(&u).into_iter().flatten());
        }
        false
    }

    fn variant(&mut self, o: &UnionVariant, n: &UnionVariant, path: String) {
        self.doc(&o.doc, &n.doc);
        let mut aspects = Aspects::default();
        if let Some((text, rust_changed)) =
            type_change(self.old, &o.data_type, self.new, &n.data_type)
        {
            aspects.add(breaking_if(rust_changed), text);
        }
        flag_aspects(
            &mut aspects,
            (o.deprecated, n.deprecated),
            (o.preview, n.preview),
        );
        omitted_aspect(&mut aspects, &o.omitted_caller, &n.omitted_caller);
        metadata_aspects(
            &mut aspects,
            (&o.redactor, &n.redactor),
            (&o.custom_annotations, &n.custom_annotations),
        );
        self.push_aspects(aspects, ItemKind::Variant, path);
    }

    // Routes.

    fn whole_route(&mut self, side: Side, r: &Route) {
        let api = self.api(side);
        let (change, impact) = side.change();
        let attr = |name: &str| attr_text(r.attrs.get(name));
        let detail = format!(
            "{} -> {}, error {}; style {}, auth {}",
            code(&spec_text(api, &r.arg)),
            code(&spec_text(api, &r.result)),
            code(&spec_text(api, &r.error)),
            attr("style"),
            attr("auth"),
        );
        let path = route_path(r);
        self.push(change, ItemKind::Route, path, impact, detail);
    }

    fn route(&mut self, o: &Route, n: &Route) {
        self.doc(&o.doc, &n.doc);
        let mut aspects = Aspects::default();
        for (what, ot, nt) in [
            ("arg", &o.arg, &n.arg),
            ("result", &o.result, &n.result),
            ("error", &o.error, &n.error),
        ] {
            if let Some((text, rust_changed)) = type_change(self.old, ot, self.new, nt) {
                aspects.add(breaking_if(rust_changed), format!("{what} {text}"));
            }
        }
        let by = |d: &Option<(String, u32)>| {
            d.as_ref()
                .map_or_else(|| "none".to_string(), |(r, v)| format!("{r}:{v}"))
        };
        match (&o.deprecated, &n.deprecated) {
            (None, Some(d)) => aspects.add(
                Impact::Additive,
                format!("deprecated (replacement {})", code(&by(d))),
            ),
            (Some(_), None) => aspects.add(Impact::Additive, "no longer deprecated"),
            (Some(a), Some(b)) if a != b => aspects.add(
                Impact::DocsOnly,
                format!("replacement {} -> {}", code(&by(a)), code(&by(b))),
            ),
            _ => {}
        }
        // Only attributes both versions' stone_cfg.Route define (see
        // `route_schema_notes`).
        let schema: BTreeSet<&str> = self
            .old
            .route_schema
            .iter()
            .map(|a| a.name.as_str())
            .filter(|a| self.new.route_schema.iter().any(|b| b.name == *a))
            .collect();
        for name in schema {
            let (a, b) = (o.attrs.get(name), n.attrs.get(name));
            if a != b {
                let (a, b) = (attr_text(a), attr_text(b));
                let impact = attr_impact(name, &a, &b);
                aspects.add(impact, format!("{name} {} -> {}", code(&a), code(&b)));
            }
        }
        self.push_aspects(aspects, ItemKind::Route, route_path(n));
    }
}
