//! Passes 4 and 5: aliases, struct and union bodies, then field defaults.

use super::checks::PyVal;
use super::*;
use crate::ast::DefaultValue;

/// Stone's `doc_unwrap`: strip, a lone line break becomes a space, N breaks
/// become N-1.
pub(crate) fn doc_unwrap(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut newlines = 0;
    for c in raw
        .trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
        .chars()
    {
        if c == '\n' {
            newlines += 1;
            if newlines > 1 {
                out.push(c);
            }
        } else {
            if newlines == 1 {
                out.push(' ');
            }
            newlines = 0;
            out.push(c);
        }
    }
    out
}

/// What a field's annotations set (Stone's `Field.set_annotations`).
#[derive(Default)]
pub(super) struct FieldFlags {
    pub deprecated: bool,
    pub preview: bool,
    pub omitted_caller: Option<Constant>,
    pub redactor: Option<Redactor>,
    /// The annotation that set `redactor` (for messages).
    pub redactor_src: Option<usize>,
    pub custom: Vec<CustomAnnotation>,
}

impl Builder<'_> {
    pub(super) fn populate_type_attributes(&mut self) {
        for ns in self.ns_order.clone() {
            let nb = &self.ns[&ns];
            let (annotations, aliases, types) =
                (nb.annotations.clone(), nb.aliases.clone(), nb.types.clone());
            for idx in annotations {
                let r = self.resolve_custom_annotation(&ns, idx);
                self.record(r);
            }
            for id in aliases {
                let r = self.populate_alias(&ns, id);
                self.record(r);
            }
            for key in types {
                let done = match key {
                    TypeKey::S(id) => self.struct_done[id.0 as usize],
                    TypeKey::U(id) => self.union_done[id.0 as usize],
                };
                if done {
                    continue;
                }
                self.in_progress.insert(key);
                let r = self.populate_type(&ns, key);
                self.in_progress.remove(&key);
                self.record(r);
            }
        }
    }

    fn populate_alias(&mut self, ns: &str, id: AliasId) -> R<()> {
        let a = std::mem::take(&mut self.alias_ast[id.0 as usize]);
        let r = self.populate_alias_from(ns, id, &a);
        self.alias_ast[id.0 as usize] = a;
        r
    }

    fn populate_alias_from(&mut self, ns: &str, id: AliasId, a: &ast::Alias) -> R<()> {
        let data_type = self.resolve_type(ns, &a.type_ref, false)?;
        self.api.aliases[id.0 as usize].data_type = data_type.clone();
        self.alias_done[id.0 as usize] = true;
        // Only the last alias of a cycle to be resolved sees the cycle.
        let mut cur = &data_type;
        let mut steps = 0;
        while let DataType::Alias(next) = cur {
            if !self.alias_done[next.0 as usize] || steps > self.api.aliases.len() {
                break;
            }
            cur = &self.api.alias(*next).data_type;
            steps += 1;
            if matches!(cur, DataType::Alias(x) if *x == id) {
                return Err(Diagnostic::new(
                    a.pos,
                    format!("Alias '{}' is part of a cycle.", a.name),
                ));
            }
        }
        for r in &a.annotations {
            let sym = self.resolve_annotation_ref(ns, r)?;
            let alias_ns = ns.to_string();
            match sym {
                Sym::Annotation(i) => match self.annotations[i].kind.clone() {
                    AnnotationKind::Redacted(red) => {
                        if let Some(prev) = &self.api.aliases[id.0 as usize].redactor {
                            let shown = self.redactor_str(prev, id);
                            return Err(Diagnostic::new(
                                a.pos,
                                format!(
                                    "Redactor already set as {}",
                                    crate::pyfmt::repr_str(&shown)
                                ),
                            ));
                        }
                        self.api.aliases[id.0 as usize].redactor = Some(red);
                    }
                    AnnotationKind::Custom { resolved, .. } => {
                        if let Some(c) = resolved {
                            self.add_import(&alias_ns, &c.annotation_type_namespace.clone());
                            self.api.aliases[id.0 as usize].custom_annotations.push(c);
                        }
                    }
                    other => {
                        let shown = self.annotation_str(i, &other);
                        return Err(Diagnostic::new(
                            a.pos,
                            format!(
                                "Aliases only support 'Redacted' and custom annotations, not {}",
                                crate::pyfmt::repr_str(&shown)
                            ),
                        ));
                    }
                },
                _ => {
                    return Err(Diagnostic::new(
                        a.pos,
                        format!(
                            "Aliases only support 'Redacted' and custom annotations, not '{}'",
                            r.name
                        ),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Populate a struct or union from its declaration (resolving its parent
    /// first, and its field types).
    pub(super) fn populate_type(&mut self, _env_ns: &str, key: TypeKey) -> R<()> {
        match key {
            TypeKey::S(id) => self.populate_struct(id),
            TypeKey::U(id) => self.populate_union(id),
        }
    }

    fn populate_struct(&mut self, id: StructId) -> R<()> {
        // Borrowed out of the builder (and put back) rather than cloned.
        let mut def = std::mem::take(&mut self.struct_ast[id.0 as usize]);
        let r = self.populate_struct_from(id, &mut def);
        self.struct_ast[id.0 as usize] = def;
        r
    }

    /// The AST's docs are moved into the IR (nothing reads them after).
    fn populate_struct_from(&mut self, id: StructId, def: &mut ast::TypeDef) -> R<()> {
        let ns = self.api.struct_(id).namespace.clone();
        let mut parent = None;
        if let Some(ext) = &def.extends {
            let t = self.resolve_type(&ns, ext, true)?;
            parent = Some(match t {
                DataType::Struct(p) => p,
                DataType::Alias(_) => {
                    return Err(Diagnostic::new(
                        def.pos,
                        "A struct cannot extend an alias. Use the canonical name instead.",
                    ))
                }
                DataType::Nullable(_) => {
                    return Err(Diagnostic::new(
                        def.pos,
                        "A struct cannot extend a nullable type.",
                    ))
                }
                other => {
                    let name = self.type_display_name(&other);
                    return Err(Diagnostic::new(
                        def.pos,
                        format!(
                            "A struct can only extend another struct: '{name}' is not a struct."
                        ),
                    ));
                }
            });
        }
        let mut fields: Vec<StructField> = Vec::with_capacity(def.fields.len());
        for f in &mut def.fields {
            let void = || {
                Diagnostic::new(
                    f.pos,
                    format!("Struct field '{}' cannot have a Void type.", f.name),
                )
            };
            let Some(type_ref) = &f.type_ref else {
                return Err(void());
            };
            let data_type = self.resolve_type(&ns, type_ref, false)?;
            let mut annotations = vec![];
            for r in &f.annotations {
                annotations.push((self.resolve_annotation_ref(&ns, r)?, r.name.clone()));
            }
            if data_type == DataType::Void {
                return Err(void());
            }
            if data_type.is_nullable() && f.default.is_some() {
                return Err(Diagnostic::new(
                    f.pos,
                    format!(
                        "Field '{}' cannot be a nullable type and have a default specified.",
                        f.name
                    ),
                ));
            }
            let flags = self.field_flags(f.pos, &annotations)?;
            fields.push(StructField {
                name: f.name.clone(),
                pos: f.pos,
                data_type,
                doc: f.doc.take(),
                default: None,
                deprecated: flags.deprecated,
                preview: flags.preview,
                omitted_caller: flags.omitted_caller,
                redactor: flags.redactor,
                custom_annotations: flags.custom,
            });
        }
        let field_lines: Vec<(&str, Pos)> =
            fields.iter().map(|f| (f.name.as_str(), f.pos)).collect();
        self.check_unique_fields(&field_lines)?;
        let mut cur = parent;
        while let Some(p) = cur {
            let ps = self.api.struct_(p);
            for (name, pos) in &field_lines {
                if let Some(pf) = ps.fields.iter().find(|x| x.name == *name) {
                    return Err(Diagnostic::new(
                        *pos,
                        format!(
                            "Field '{name}' already defined in parent '{}' on line {}.",
                            ps.name, pf.pos.line
                        ),
                    ));
                }
            }
            cur = ps.parent.filter(|x| *x != p);
        }
        for f in &fields {
            for c in &f.custom_annotations {
                self.add_import(&ns, &c.annotation_type_namespace.clone());
            }
        }
        let s = &mut self.api.structs[id.0 as usize];
        s.fields = fields;
        s.parent = parent;
        self.struct_done[id.0 as usize] = true;
        if let Some(p) = parent {
            self.api.structs[p.0 as usize].children.push(id);
        }
        Ok(())
    }

    fn populate_union(&mut self, id: UnionId) -> R<()> {
        let mut def = std::mem::take(&mut self.union_ast[id.0 as usize]);
        let r = self.populate_union_from(id, &mut def);
        self.union_ast[id.0 as usize] = def;
        r
    }

    /// The AST's docs are moved into the IR (nothing reads them after).
    fn populate_union_from(&mut self, id: UnionId, def: &mut ast::TypeDef) -> R<()> {
        let ns = self.api.union(id).namespace.clone();
        let mut parent = None;
        if let Some(ext) = &def.extends {
            let t = self.resolve_type(&ns, ext, true)?;
            parent = Some(match t {
                DataType::Union(p) => p,
                DataType::Alias(_) => {
                    return Err(Diagnostic::new(
                        def.pos,
                        "A union cannot extend an alias. Use the canonical name instead.",
                    ))
                }
                DataType::Nullable(_) => {
                    return Err(Diagnostic::new(
                        def.pos,
                        "A union cannot extend a nullable type.",
                    ))
                }
                other => {
                    let name = self.type_display_name(&other);
                    return Err(Diagnostic::new(
                        def.pos,
                        format!("A union can only extend another union: '{name}' is not a union."),
                    ));
                }
            });
        }
        // One more for the `other` a union that is not closed gets.
        let mut variants: Vec<UnionVariant> = Vec::with_capacity(def.fields.len() + 1);
        for f in &mut def.fields {
            if f.name == "other" {
                return Err(Diagnostic::new(
                    f.pos,
                    "Union cannot define an 'other' field because it is reserved as the catch-all field for open unions.",
                ));
            }
            let mut annotations = vec![];
            for r in &f.annotations {
                annotations.push((self.resolve_annotation_ref(&ns, r)?, r.name.clone()));
            }
            let data_type = match &f.type_ref {
                None => DataType::Void,
                Some(t) => {
                    let dt = self.resolve_type(&ns, t, false)?;
                    if dt == DataType::Void {
                        return Err(Diagnostic::new(
                            f.pos,
                            format!("Union member '{}' cannot have Void type explicit, omit Void instead.", f.name),
                        ));
                    }
                    dt
                }
            };
            let flags = self.field_flags(f.pos, &annotations)?;
            variants.push(UnionVariant {
                name: f.name.clone(),
                pos: f.pos,
                data_type,
                doc: f.doc.take(),
                catch_all: false,
                deprecated: flags.deprecated,
                preview: flags.preview,
                omitted_caller: flags.omitted_caller,
                redactor: flags.redactor,
                custom_annotations: flags.custom,
            });
        }
        let parent_closed = parent.map(|p| self.api.union(p).closed);
        if def.closed {
            if parent_closed == Some(false) {
                let pname = self.api.union(parent.expect("parent")).name.clone();
                return Err(Diagnostic::new(
                    def.pos,
                    format!("Union cannot be closed since parent type '{pname}' is open."),
                ));
            }
        } else if parent_closed != Some(false) {
            variants.push(UnionVariant {
                name: "other".into(),
                pos: def.pos,
                data_type: DataType::Void,
                doc: None,
                catch_all: true,
                deprecated: false,
                preview: false,
                omitted_caller: None,
                redactor: None,
                custom_annotations: vec![],
            });
        }
        let field_lines: Vec<(&str, Pos)> =
            variants.iter().map(|f| (f.name.as_str(), f.pos)).collect();
        self.check_unique_fields(&field_lines)?;
        let mut cur = parent;
        while let Some(p) = cur {
            let pu = self.api.union(p);
            for (name, pos) in &field_lines {
                if let Some(pf) = pu.variants.iter().find(|x| x.name == *name) {
                    return Err(Diagnostic::new(
                        *pos,
                        format!(
                            "Field '{name}' already defined in parent '{}' on line {}.",
                            pu.name, pf.pos.line
                        ),
                    ));
                }
            }
            cur = pu.parent.filter(|x| *x != p);
        }
        let u = &mut self.api.unions[id.0 as usize];
        u.variants = variants;
        u.parent = parent;
        self.union_done[id.0 as usize] = true;
        Ok(())
    }

    fn check_unique_fields(&self, fields: &[(&str, Pos)]) -> R<()> {
        let dup = |name: &str, first: Pos, pos: Pos| {
            Diagnostic::new(
                pos,
                format!("Field '{name}' already defined on line {}.", first.line),
            )
        };
        // Most types have a few fields: compared pairwise, no index built.
        if fields.len() <= 16 {
            for (i, &(name, pos)) in fields.iter().enumerate() {
                if let Some(&(_, first)) = fields[..i].iter().find(|(n, _)| *n == name) {
                    return Err(dup(name, first, pos));
                }
            }
            return Ok(());
        }
        // Unions of a thousand tags exist (team_log): index the names.
        let mut first: rustc_hash::FxHashMap<&str, Pos> = Default::default();
        for &(name, pos) in fields {
            if let Some(&f) = first.get(name) {
                return Err(dup(name, f, pos));
            }
            first.insert(name, pos);
        }
        Ok(())
    }

    /// The name Stone shows for a type in messages (`parent_type.name`).
    pub(super) fn type_display_name(&self, t: &DataType) -> String {
        match t {
            DataType::Struct(id) => self.api.struct_(*id).name.clone(),
            DataType::Union(id) => self.api.union(*id).name.clone(),
            DataType::Alias(id) => self.api.alias(*id).name.clone(),
            other => other.kind_name().to_string(),
        }
    }

    /// Pass 5: defaults, checked against their field's type.
    pub(super) fn populate_field_defaults(&mut self) {
        for ns in self.ns_order.clone() {
            for key in self.ns[&ns].types.clone() {
                let TypeKey::S(id) = key else { continue };
                let def = std::mem::take(&mut self.struct_ast[id.0 as usize]);
                for f in &def.fields {
                    let Some(default) = &f.default else { continue };
                    let r = self.field_default(id, f, default);
                    if let Some(c) = self.record(r) {
                        if let Some(field) = self.api.structs[id.0 as usize]
                            .fields
                            .iter_mut()
                            .find(|x| x.name == f.name)
                        {
                            field.default = Some(c);
                        }
                    }
                }
                self.struct_ast[id.0 as usize] = def;
            }
        }
    }

    fn field_default(&self, id: StructId, f: &ast::Field, default: &DefaultValue) -> R<Constant> {
        let field = self
            .api
            .struct_(id)
            .fields
            .iter()
            .find(|x| x.name == f.name)
            .expect("populated field");
        let dt = &field.data_type;
        let invalid = |msg: String| {
            Diagnostic::new(
                f.pos,
                format!("Field '{}' has an invalid default: {msg}", f.name),
            )
        };
        let mut value = match default {
            DefaultValue::Tag { tag, .. } => Constant::Tag(tag.clone()),
            DefaultValue::Lit(l) => super::annotations::literal_constant(l),
        };
        let nullable_ref = f.type_ref.as_ref().is_some_and(|t| t.nullable);
        if nullable_ref && value == Constant::Null {
            return Ok(value);
        }
        if matches!(dt, DataType::Float32 { .. } | DataType::Float64 { .. }) {
            // Stone converts the default with Python's float().
            value = Constant::Float(match &value {
                Constant::Float(x) => *x,
                Constant::Int(i) => *i as f64,
                Constant::BigInt(_) => {
                    return Err(invalid("int too large to convert to float".into()))
                }
                Constant::Bool(b) => f64::from(u8::from(*b)),
                Constant::Str(s) => py_float(s).ok_or_else(|| {
                    invalid(format!(
                        "could not convert string to float: {}",
                        crate::pyfmt::repr_str(s)
                    ))
                })?,
                Constant::Null => {
                    return Err(invalid(
                        "float() argument must be a string or a real number, not 'NoneType'".into(),
                    ))
                }
                Constant::Tag(_) => {
                    return Err(invalid(
                        "float() argument must be a string or a real number, not 'TagRef'".into(),
                    ))
                }
            });
        }
        let pv = match &value {
            Constant::Bool(b) => PyVal::Bool(*b),
            Constant::Int(i) => PyVal::Int(*i),
            Constant::BigInt(s) => PyVal::BigInt(s),
            Constant::Float(x) => PyVal::Float(*x),
            Constant::Str(s) => PyVal::Str(s),
            Constant::Null => PyVal::Null,
            Constant::Tag(t) => PyVal::Tag(t),
        };
        self.check_value(dt, pv).map_err(invalid)?;
        Ok(value)
    }
}

/// Python's `float(str)`: surrounding white space, `_` between digits,
/// `inf`/`nan` in any case.
fn py_float(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.contains("__") || t.starts_with('_') || t.ends_with('_') {
        return None;
    }
    let cleaned: String = t.chars().filter(|c| *c != '_').collect();
    let lower = cleaned.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        return lower
            .parse::<f64>()
            .ok()
            .or(Some(if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }));
    }
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || ".e+-".contains(c))
    {
        return None;
    }
    cleaned.parse::<f64>().ok()
}
