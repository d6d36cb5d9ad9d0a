//! Passes 1-3: namespaces and forward declarations, imports, patches.

use super::*;

/// Stone's canonical form of a name: without `_` and `/`, lower case, with
/// the namespace appended. Two items with the same canonical name clash.
fn canonical_name(name: &str, ns: &str) -> String {
    // Names are ASCII in practice: byte-wise lower case is the same there,
    // without Unicode case tables.
    if name.is_ascii() && ns.is_ascii() {
        // Built as bytes, lower-cased in place: pushing `char`s one at a
        // time was over a third of the declarations pass (it runs for each
        // of thousands of names).
        let mut b = Vec::with_capacity(name.len() + ns.len());
        b.extend(name.bytes().filter(|b| *b != b'_' && *b != b'/'));
        b.extend(ns.bytes().filter(|b| *b != b'_'));
        b.make_ascii_lowercase();
        // ASCII in, ASCII out: always UTF-8.
        return String::from_utf8(b).unwrap_or_default();
    }
    let mut s: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '/')
        .collect::<String>()
        .to_lowercase();
    s.extend(
        ns.chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase),
    );
    s
}

impl Builder<'_> {
    /// Pass 1: every file's namespace, then a forward declaration of each
    /// type, alias, route, annotation and annotation type.
    pub(super) fn declare_all(
        &mut self,
        asts: Vec<(u32, ast::File)>,
    ) -> Vec<(String, ast::Import)> {
        // Room for every type and route at once: these lists of large
        // items were copied over and over as they grew.
        let (mut structs, mut unions, mut routes) = (0, 0, 0);
        for d in asts.iter().flat_map(|(_, f)| &f.decls) {
            match d {
                ast::Decl::Struct(_) => structs += 1,
                ast::Decl::Union(_) => unions += 1,
                ast::Decl::Route(_) => routes += 1,
                _ => {}
            }
        }
        self.api.structs.reserve(structs);
        self.struct_ast.reserve(structs);
        self.api.unions.reserve(unions);
        self.union_ast.reserve(unions);
        self.api.routes.reserve(routes);
        self.route_ast.reserve(routes);
        self.canonical.reserve(structs + unions + routes);
        let mut imports = vec![];
        for (_, file) in asts {
            // An iterator, not `remove(0)`: that would shift every item.
            let mut decls = file.decls.into_iter();
            let Some(first) = decls.next() else {
                continue; // Stone skips an empty spec.
            };
            let ns_decl = match first {
                ast::Decl::Namespace(n) => n,
                other => {
                    self.errors.push(Diagnostic::new(
                        other.pos(),
                        "First declaration in a stone must be a namespace. Possibly caused by preceding errors.",
                    ));
                    continue;
                }
            };
            if let Some(extra) = decls
                .as_slice()
                .iter()
                .find(|d| matches!(d, ast::Decl::Namespace(_)))
            {
                // Stone 3.5.5 crashes here instead of reporting.
                self.errors.push(Diagnostic::new(
                    extra.pos(),
                    "Only one namespace declaration per file.",
                ));
                continue;
            }
            let ns = ns_decl.name.clone();
            self.ensure_namespace(&ns);
            // Room for the file's names at once (a namespace has up to
            // a thousand or so): grown by doubling, the table was fresh
            // memory several times over.
            if let Some(env) = self.envs.get_mut(&ns) {
                env.reserve(decls.as_slice().len());
            }
            self.canonical.insert(
                canonical_name(&ns, &ns),
                Canon {
                    kind: "namespace",
                    name: ns.clone(),
                    pos: ns_decl.pos,
                    is_route: false,
                    type_decl: None,
                },
            );
            if let Some(doc) = &ns_decl.doc {
                let nb = self.ns.get_mut(&ns).expect("namespace");
                let d = format!("{}\n", crate::ir::build::populate::doc_unwrap(doc));
                nb.doc = Some(nb.doc.take().unwrap_or_default() + &d);
            }
            for decl in decls {
                if let ast::Decl::Import(imp) = decl {
                    imports.push((ns.clone(), imp));
                    continue;
                }
                let r = self.declare(&ns, decl);
                self.record(r);
            }
        }
        imports
    }

    fn already_defined(&self, ns: &str, name: &str) -> Option<String> {
        let sym = self.env(ns).get(name)?;
        let at = match sym {
            Sym::Builtin(b) => {
                return Some(format!(
                    "Symbol '{name}' already defined as the built-in type {}.",
                    b.name()
                ))
            }
            Sym::Struct(id) => self.api.struct_(*id).pos,
            Sym::Union(id) => self.api.union(*id).pos,
            Sym::Alias(id) => self.api.alias(*id).pos,
            Sym::Routes(v) => self.api.route(*v.values().next()?).pos,
            Sym::Annotation(i) => self.annotations[*i].ast.pos,
            Sym::AnnotationType(_) | Sym::Namespace(_) => {
                return Some(format!("Symbol '{name}' already defined."));
            }
        };
        Some(format!(
            "Symbol '{name}' already defined ({}).",
            self.at(at)
        ))
    }

    fn declare(&mut self, ns: &str, decl: ast::Decl) -> R<()> {
        let is_struct = matches!(decl, ast::Decl::Struct(_));
        match decl {
            ast::Decl::Struct(mut d) | ast::Decl::Union(mut d) => {
                if let Some(msg) = self.already_defined(ns, &d.name) {
                    return Err(Diagnostic::new(d.pos, msg));
                }
                let (name, pos, closed) = (d.name.clone(), d.pos, d.closed);
                let key = if is_struct {
                    let id = StructId(self.api.structs.len() as u32);
                    self.api.structs.push(Struct {
                        name: name.clone(),
                        namespace: ns.to_string(),
                        pos,
                        doc: d.doc.take(),
                        parent: None,
                        fields: vec![],
                        subtypes: None,
                        children: vec![],
                        examples: vec![],
                    });
                    self.struct_ast.push(d);
                    self.struct_done.push(false);
                    self.envs
                        .get_mut(ns)
                        .expect("env")
                        .insert(name.clone(), Sym::Struct(id));
                    TypeKey::S(id)
                } else {
                    let id = UnionId(self.api.unions.len() as u32);
                    self.api.unions.push(Union {
                        name: name.clone(),
                        namespace: ns.to_string(),
                        pos,
                        doc: d.doc.take(),
                        closed,
                        parent: None,
                        variants: vec![],
                        examples: vec![],
                    });
                    self.union_ast.push(d);
                    self.union_done.push(false);
                    self.envs
                        .get_mut(ns)
                        .expect("env")
                        .insert(name.clone(), Sym::Union(id));
                    TypeKey::U(id)
                };
                self.ns.get_mut(ns).expect("ns").types.push(key);
                let canon = Canon {
                    kind: "user-defined type",
                    name,
                    pos,
                    is_route: false,
                    type_decl: Some((key, closed)),
                };
                self.check_canonical(ns, canon)
            }
            patch @ (ast::Decl::StructPatch(_) | ast::Decl::UnionPatch(_)) => {
                let (ast::Decl::StructPatch(p) | ast::Decl::UnionPatch(p)) = &patch else {
                    unreachable!()
                };
                let base = canonical_name(&p.name, ns);
                if let Some(slot) = self.patches.iter_mut().find(|(b, _, _)| *b == base) {
                    *slot = (base, patch, ns.to_string());
                } else {
                    self.patches.push((base, patch, ns.to_string()));
                }
                Ok(())
            }
            ast::Decl::Route(r) => self.declare_route(ns, r),
            ast::Decl::Import(_) | ast::Decl::Namespace(_) => Ok(()),
            ast::Decl::Alias(mut a) => {
                if let Some(msg) = self.already_defined(ns, &a.name) {
                    return Err(Diagnostic::new(a.pos, msg));
                }
                let id = AliasId(self.api.aliases.len() as u32);
                self.api.aliases.push(Alias {
                    name: a.name.clone(),
                    namespace: ns.to_string(),
                    pos: a.pos,
                    doc: a.doc.take(),
                    data_type: DataType::Void,
                    redactor: None,
                    custom_annotations: vec![],
                });
                let (name, pos) = (a.name.clone(), a.pos);
                self.alias_ast.push(a);
                self.alias_done.push(false);
                self.envs
                    .get_mut(ns)
                    .expect("env")
                    .insert(name.clone(), Sym::Alias(id));
                self.ns.get_mut(ns).expect("ns").aliases.push(id);
                let canon = Canon {
                    kind: "alias",
                    name,
                    pos,
                    is_route: false,
                    type_decl: None,
                };
                self.check_canonical(ns, canon)
            }
            ast::Decl::Annotation(a) => {
                if let Some(msg) = self.already_defined(ns, &a.name) {
                    return Err(Diagnostic::new(a.pos, msg));
                }
                let kind = self.annotation_kind(ns, &a)?;
                let idx = self.annotations.len();
                self.annotations.push(AnnotationB {
                    ast: a.clone(),
                    namespace: ns.to_string(),
                    kind,
                });
                self.envs
                    .get_mut(ns)
                    .expect("env")
                    .insert(a.name.clone(), Sym::Annotation(idx));
                self.ns.get_mut(ns).expect("ns").annotations.push(idx);
                let canon = Canon {
                    kind: "annotation",
                    name: a.name.clone(),
                    pos: a.pos,
                    is_route: false,
                    type_decl: None,
                };
                self.check_canonical(ns, canon)
            }
            ast::Decl::AnnotationType(t) => {
                if let Some(msg) = self.already_defined(ns, &t.name) {
                    return Err(Diagnostic::new(t.pos, msg));
                }
                let at = self.annotation_type(ns, &t)?;
                let idx = self.annotation_types.len();
                self.annotation_types.push(at);
                self.envs
                    .get_mut(ns)
                    .expect("env")
                    .insert(t.name.clone(), Sym::AnnotationType(idx));
                let canon = Canon {
                    kind: "annotation type",
                    name: t.name.clone(),
                    pos: t.pos,
                    is_route: false,
                    type_decl: None,
                };
                self.check_canonical(ns, canon)
            }
        }
    }

    fn declare_route(&mut self, ns: &str, mut r: ast::Route) -> R<()> {
        let version = u32::try_from(r.version).unwrap_or(0);
        match self.env(ns).get(&r.name) {
            Some(Sym::Routes(versions)) => {
                if let Some(existing) = versions.get(&version) {
                    let at = self.at(self.api.route(*existing).pos);
                    return Err(Diagnostic::new(
                        r.pos,
                        format!(
                            "Route '{}' at version {} already defined ({at}).",
                            r.name, r.version
                        ),
                    ));
                }
            }
            Some(_) => {
                let msg = self.already_defined(ns, &r.name).unwrap_or_default();
                return Err(Diagnostic::new(r.pos, msg));
            }
            None => {}
        }
        let id = RouteId(self.api.routes.len() as u32);
        self.api.routes.push(Route {
            name: r.name.clone(),
            version,
            namespace: ns.to_string(),
            pos: r.pos,
            doc: r.doc.take(),
            deprecated: None,
            arg: DataType::Void,
            result: DataType::Void,
            error: DataType::Void,
            attrs: BTreeMap::new(),
        });
        let (name, pos) = (r.name.clone(), r.pos);
        self.route_ast.push(r);
        let env = self.envs.get_mut(ns).expect("env");
        match env
            .entry(name.clone())
            .or_insert_with(|| Sym::Routes(BTreeMap::new()))
        {
            Sym::Routes(v) => {
                v.insert(version, id);
            }
            _ => unreachable!("checked above"),
        }
        self.ns.get_mut(ns).expect("ns").routes.push(id);
        let canon = Canon {
            kind: "route",
            name,
            pos,
            is_route: true,
            type_decl: None,
        };
        self.check_canonical(ns, canon)
    }

    fn check_canonical(&mut self, ns: &str, item: Canon) -> R<()> {
        let base = canonical_name(&item.name, ns);
        match self.canonical.get(&base) {
            None => {
                self.canonical.insert(base, item);
                Ok(())
            }
            Some(stored) if stored.is_route && item.is_route => Ok(()),
            Some(stored) => Err(Diagnostic::new(
                item.pos,
                format!(
                    "Name of {} '{}' conflicts with name of {} '{}' ({}).",
                    item.kind,
                    item.name,
                    stored.kind,
                    stored.name,
                    self.at(stored.pos)
                ),
            )),
        }
    }

    /// Pass 2: imports make another namespace's names reachable as `ns.Name`.
    pub(super) fn add_imports(&mut self, imports: &[(String, ast::Import)]) {
        for (ns, imp) in imports {
            let r = self.add_one_import(ns, imp);
            self.record(r);
        }
    }

    fn add_one_import(&mut self, ns: &str, imp: &ast::Import) -> R<()> {
        if imp.target == ns {
            return Err(Diagnostic::new(imp.pos, "Cannot import current namespace."));
        }
        if !self.ns.contains_key(&imp.target) {
            return Err(Diagnostic::new(
                imp.pos,
                format!("Namespace '{}' is not defined in any spec.", imp.target),
            ));
        }
        if self.env(&imp.target).contains_key(ns) {
            return Err(Diagnostic::new(
                imp.pos,
                format!(
                    "Circular import of namespaces '{ns}' and '{}' detected.",
                    imp.target
                ),
            ));
        }
        self.envs
            .get_mut(ns)
            .expect("env")
            .insert(imp.target.clone(), Sym::Namespace(imp.target.clone()));
        Ok(())
    }

    /// Pass 3: patches add fields and example fields to the type of the same
    /// canonical name.
    pub(super) fn merge_patches(&mut self) {
        for (base, decl, ns) in std::mem::take(&mut self.patches) {
            let r = self.merge_patch(&base, &decl, &ns);
            self.record(r);
        }
    }

    fn merge_patch(&mut self, base: &str, decl: &ast::Decl, _ns: &str) -> R<()> {
        let (patch, is_union) = match decl {
            ast::Decl::StructPatch(p) => (p, false),
            ast::Decl::UnionPatch(p) => (p, true),
            _ => unreachable!("only patches are stored"),
        };
        let Some(existing) = self.canonical.get(base).cloned() else {
            return Err(Diagnostic::new(
                patch.pos,
                format!(
                    "Patch '{}' must correspond to a pre-existing data_type.",
                    patch.name
                ),
            ));
        };
        let mismatch = |want: &str| {
            Diagnostic::new(
                patch.pos,
                format!(
                    "Type mismatch. Patch '{}' corresponds to pre-existing data_type '{}' ({}) that has type other than '{want}'.",
                    patch.name,
                    existing.name,
                    self.at(existing.pos)
                ),
            )
        };
        let key = match (existing.type_decl, is_union) {
            (Some((k @ TypeKey::S(_), _)), false) => k,
            (Some((k @ TypeKey::U(_), closed)), true) => {
                if closed != patch.closed {
                    return Err(mismatch(if closed { "union_closed" } else { "union" }));
                }
                k
            }
            (_, false) => return Err(mismatch("struct")),
            (_, true) => return Err(mismatch("union")),
        };
        let def = match key {
            TypeKey::S(id) => &mut self.struct_ast[id.0 as usize],
            TypeKey::U(id) => &mut self.union_ast[id.0 as usize],
        };
        for f in &patch.fields {
            if let Some(orig) = def.fields.iter().find(|x| x.name == f.name) {
                let msg = format!(
                    "Patched field '{}' overrides pre-existing field in '{}' ({}:{}).",
                    f.name,
                    patch.name,
                    self.files
                        .get(orig.pos.file as usize)
                        .map_or("", |f| f.path.as_str()),
                    orig.pos.line
                );
                return Err(Diagnostic::new(f.pos, msg));
            }
        }
        def.fields.extend(patch.fields.iter().cloned());
        for ex in &patch.examples {
            let Some(existing_ex) = def.examples.iter_mut().find(|e| e.label == ex.label) else {
                return Err(Diagnostic::new(
                    ex.pos,
                    format!(
                        "Example defined in patch '{}' must correspond to a pre-existing example.",
                        patch.name
                    ),
                ));
            };
            for f in &ex.fields {
                if let Some(slot) = existing_ex.fields.iter_mut().find(|x| x.name == f.name) {
                    *slot = f.clone();
                } else {
                    existing_ex.fields.push(f.clone());
                }
            }
        }
        Ok(())
    }
}
