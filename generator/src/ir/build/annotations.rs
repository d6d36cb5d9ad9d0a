//! Annotations: the built-in ones (Deprecated, Omitted, Preview,
//! RedactedBlot, RedactedHash), annotation types and custom annotations.

use super::checks::PyVal;
use super::populate::FieldFlags;
use super::*;
use crate::ast::{Arg, Literal};
use crate::pyfmt::repr_str;

/// A literal of the spec as an IR constant.
pub(super) fn literal_constant(l: &Literal) -> Constant {
    match l {
        Literal::Bool(b) => Constant::Bool(*b),
        Literal::Int(i) => Constant::Int(*i),
        Literal::BigInt(s) => Constant::BigInt(s.clone()),
        Literal::Float(f) => Constant::Float(*f),
        Literal::Str(s) => Constant::Str(s.clone()),
        Literal::Null => Constant::Null,
    }
}

fn constant_pyval(c: &Constant) -> PyVal<'_> {
    match c {
        Constant::Bool(b) => PyVal::Bool(*b),
        Constant::Int(i) => PyVal::Int(*i),
        Constant::BigInt(s) => PyVal::BigInt(s),
        Constant::Float(f) => PyVal::Float(*f),
        Constant::Str(s) => PyVal::Str(s),
        Constant::Null => PyVal::Null,
        Constant::Tag(t) => PyVal::AstTag(t),
    }
}

impl Builder<'_> {
    /// `annotation Name = Type(args)`: a built-in annotation is complete
    /// here; a custom one is checked once its annotation type is known.
    pub(super) fn annotation_kind(&mut self, ns: &str, a: &ast::Annotation) -> R<AnnotationKind> {
        if !a.args.is_empty() && !a.kwargs.is_empty() {
            return Err(Diagnostic::new(
                a.pos,
                "Annotations accept either positional or keyword arguments, not both",
            ));
        }
        let builtin = a.type_ns.is_none()
            && matches!(
                a.type_name.as_str(),
                "Deprecated" | "Omitted" | "Preview" | "RedactedBlot" | "RedactedHash"
            );
        if !builtin {
            if let Some(tns) = &a.type_ns {
                self.ensure_namespace(tns);
            }
            return Ok(AnnotationKind::Custom {
                type_ns: a.type_ns.clone(),
                type_name: a.type_name.clone(),
                resolved: None,
            });
        }
        // The built-in annotations' constructors take these parameters
        // (Stone passes the arguments straight to them and crashes on a
        // mismatch; we say what is wrong).
        let param: Option<(&str, bool)> = match a.type_name.as_str() {
            "Omitted" => Some(("omitted_caller", true)),
            "RedactedBlot" | "RedactedHash" => Some(("regex", false)),
            _ => None,
        };
        let mut value: Option<&Arg> = a.args.first();
        if a.args.len() > 1 || (param.is_none() && !a.args.is_empty()) {
            return Err(Diagnostic::new(
                a.pos,
                format!("Too many arguments for annotation type '{}'.", a.type_name),
            ));
        }
        for (k, v) in &a.kwargs {
            match param {
                Some((p, _)) if p == k => value = Some(v),
                _ => {
                    return Err(Diagnostic::new(
                        a.pos,
                        format!(
                            "Unknown argument '{k}' for annotation type '{}'.",
                            a.type_name
                        ),
                    ))
                }
            }
        }
        if a.type_name == "Omitted" {
            return match value {
                Some(Arg::Lit(l)) => Ok(AnnotationKind::Omitted(literal_constant(l))),
                _ => Err(Diagnostic::new(
                    a.pos,
                    "Missing argument 'omitted_caller' for annotation type 'Omitted'.",
                )),
            };
        }
        let text = match value {
            None => None,
            Some(Arg::Lit(Literal::Str(s))) => Some(s.clone()),
            Some(Arg::Lit(Literal::Null)) if param.is_some_and(|(_, required)| !required) => None,
            Some(_) => {
                let (p, _) = param.unwrap_or(("value", false));
                return Err(Diagnostic::new(
                    a.pos,
                    format!(
                        "Argument '{p}' of annotation type '{}' must be a string.",
                        a.type_name
                    ),
                ));
            }
        };
        Ok(match a.type_name.as_str() {
            "Deprecated" => AnnotationKind::Deprecated,
            "Preview" => AnnotationKind::Preview,
            kind => AnnotationKind::Redacted(Redactor {
                kind: if kind == "RedactedBlot" {
                    RedactorKind::Blot
                } else {
                    RedactorKind::Hash
                },
                regex: text,
            }),
        })
        .inspect(|_| {
            let _ = ns;
        })
    }

    /// `annotation_type Name`: its parameters must be primitive.
    pub(super) fn annotation_type(
        &mut self,
        ns: &str,
        t: &ast::AnnotationType,
    ) -> R<AnnotationTypeB> {
        if matches!(
            t.name.as_str(),
            "Deprecated" | "Omitted" | "Preview" | "RedactedBlot" | "RedactedHash"
        ) {
            return Err(Diagnostic::new(
                t.pos,
                format!("Cannot redefine built-in annotation type '{}'.", t.name),
            ));
        }
        let mut params: Vec<ParamB> = vec![];
        for p in &t.params {
            if !p.annotations.is_empty() {
                return Err(Diagnostic::new(
                    p.pos,
                    "Annotations cannot be applied to parameters of annotation types",
                ));
            }
            let Some(type_ref) = &p.type_ref else {
                return Err(Diagnostic::new(
                    p.pos,
                    format!("Parameter '{}' cannot be Void.", p.name),
                ));
            };
            let dt = self.resolve_type(ns, type_ref, true)?;
            let (inner, nullable) = match &dt {
                DataType::Nullable(i) => (i.as_ref(), true),
                other => (other, false),
            };
            if *inner == DataType::Void {
                return Err(Diagnostic::new(
                    p.pos,
                    format!("Parameter '{}' cannot be Void.", p.name),
                ));
            }
            if nullable && p.default.is_some() {
                return Err(Diagnostic::new(
                    p.pos,
                    format!(
                        "Parameter '{}' cannot be a nullable type and have a default specified.",
                        p.name
                    ),
                ));
            }
            if matches!(
                inner,
                DataType::Struct(_)
                    | DataType::Union(_)
                    | DataType::Alias(_)
                    | DataType::List { .. }
                    | DataType::Map { .. }
            ) {
                return Err(Diagnostic::new(
                    p.pos,
                    format!(
                        "Parameter '{}' must have a primitive type (possibly nullable).",
                        p.name
                    ),
                ));
            }
            let default = p.default.as_ref().map(|d| match d {
                ast::DefaultValue::Lit(l) => literal_constant(l),
                ast::DefaultValue::Tag { tag, .. } => Constant::Tag(tag.clone()),
            });
            if let Some(d) = &default {
                self.check_value(&dt, constant_pyval(d)).map_err(|e| {
                    Diagnostic::new(
                        p.pos,
                        format!("Default value for parameter {} is invalid: {e}", p.name),
                    )
                })?;
            }
            if let Some(prev) = params.iter().position(|x| x.name == p.name) {
                return Err(Diagnostic::new(
                    p.pos,
                    format!(
                        "Parameter '{}' already defined on line {}.",
                        p.name, t.params[prev].pos.line
                    ),
                ));
            }
            params.push(ParamB {
                name: p.name.clone(),
                data_type: dt,
                default,
            });
        }
        Ok(AnnotationTypeB {
            name: t.name.clone(),
            namespace: ns.to_string(),
            params,
        })
    }

    /// Pass 4, first step: a custom annotation meets its annotation type.
    pub(super) fn resolve_custom_annotation(&mut self, ns: &str, idx: usize) -> R<()> {
        let AnnotationKind::Custom {
            type_ns, type_name, ..
        } = self.annotations[idx].kind.clone()
        else {
            return Ok(());
        };
        let a = self.annotations[idx].ast.clone();
        let err = |m: String| Diagnostic::new(a.pos, m);
        let mut env_ns = ns.to_string();
        if let Some(tns) = &type_ns {
            match self.env(ns).get(tns) {
                None => return Err(err(format!("Namespace '{tns}' is not imported"))),
                Some(Sym::Namespace(n)) => env_ns = n.clone(),
                Some(_) => return Err(err(format!("'{tns}' is not a namespace."))),
            }
        }
        let at_idx = match self.env(&env_ns).get(&type_name) {
            None => return Err(err(format!("Annotation type '{type_name}' does not exist"))),
            Some(Sym::AnnotationType(i)) => *i,
            Some(_) => return Err(err(format!("'{type_name}' is not an annotation type"))),
        };
        let at = self.annotation_types[at_idx].clone();
        if a.args.len() > at.params.len() {
            return Err(err(format!(
                "Too many parameters passed to annotation type {}",
                at.name
            )));
        }
        for (k, _) in &a.kwargs {
            if !at.params.iter().any(|p| &p.name == k) {
                return Err(err(format!(
                    "Unknown parameter {k} passed to annotation type {}",
                    at.name
                )));
            }
        }
        let mut values = vec![];
        for (i, p) in at.params.iter().enumerate() {
            let given = a
                .kwargs
                .iter()
                .find(|(k, _)| *k == p.name)
                .map(|(_, v)| v)
                .or_else(|| a.args.get(i));
            let value = match given {
                Some(Arg::Lit(l)) => {
                    let c = literal_constant(l);
                    self.check_value(&p.data_type, constant_pyval(&c)).map_err(|e| {
                        err(format!("Invalid value for parameter {} of annotation type {}: {e}", p.name, at.name))
                    })?;
                    c
                }
                Some(Arg::Type(t)) => {
                    return Err(err(format!(
                        "Invalid value for parameter {} of annotation type {}: a type ('{}') is not a value",
                        p.name, at.name, t.name
                    )))
                }
                None if p.data_type.is_nullable() => Constant::Null,
                None => match &p.default {
                    Some(d) => d.clone(),
                    None => {
                        return Err(err(format!(
                            "No value specified for parameter {} of annotation type {}",
                            p.name, at.name
                        )))
                    }
                },
            };
            values.push((p.name.clone(), value));
        }
        let resolved = CustomAnnotation {
            name: a.name.clone(),
            namespace: ns.to_string(),
            annotation_type: at.name.clone(),
            annotation_type_namespace: at.namespace.clone(),
            params: values,
        };
        if let AnnotationKind::Custom { resolved: slot, .. } = &mut self.annotations[idx].kind {
            *slot = Some(resolved);
        }
        Ok(())
    }

    /// `@Name` or `@ns.Name` on a field or alias.
    pub(super) fn resolve_annotation_ref(&self, ns: &str, r: &ast::AnnotationRef) -> R<Sym> {
        let mut env_ns = ns;
        if let Some(target) = &r.ns {
            match self.env(ns).get(target) {
                None => {
                    return Err(Diagnostic::new(
                        r.pos,
                        format!("Namespace '{target}' is not imported"),
                    ))
                }
                Some(Sym::Namespace(n)) => env_ns = n,
                Some(_) => {
                    return Err(Diagnostic::new(
                        r.pos,
                        format!("'{target}' is not a namespace."),
                    ))
                }
            }
        }
        self.env(env_ns).get(&r.name).cloned().ok_or_else(|| {
            Diagnostic::new(r.pos, format!("Annotation '{}' does not exist.", r.name))
        })
    }

    /// Stone's `Field.set_annotations`.
    pub(super) fn field_flags(&self, pos: Pos, annotations: &[(Sym, String)]) -> R<FieldFlags> {
        let mut flags = FieldFlags::default();
        let err = |m: String| Diagnostic::new(pos, m);
        for (sym, name) in annotations {
            let Sym::Annotation(i) = sym else {
                let shown = self.sym_repr(sym).unwrap_or_else(|| format!("'{name}'"));
                return Err(err(format!("Annotation {shown} not recognized for field.")));
            };
            match &self.annotations[*i].kind {
                AnnotationKind::Deprecated => {
                    if flags.deprecated {
                        return Err(err("Deprecated value already set as 'True'.".into()));
                    }
                    if flags.preview {
                        return Err(err("'Deprecated' and 'Preview' can't both be set.".into()));
                    }
                    flags.deprecated = true;
                }
                AnnotationKind::Omitted(caller) => {
                    if let Some(prev) = &flags.omitted_caller {
                        let shown = match prev {
                            Constant::Str(s) => s.clone(),
                            other => constant_pyval(other).repr(),
                        };
                        return Err(err(format!(
                            "Omitted caller already set as {}.",
                            repr_str(&shown)
                        )));
                    }
                    flags.omitted_caller = Some(caller.clone());
                }
                AnnotationKind::Preview => {
                    if flags.preview {
                        return Err(err("Preview value already set as 'True'.".into()));
                    }
                    if flags.deprecated {
                        return Err(err("'Deprecated' and 'Preview' can't both be set.".into()));
                    }
                    flags.preview = true;
                }
                AnnotationKind::Redacted(r) => {
                    if let (Some(prev), Some(src)) = (&flags.redactor, flags.redactor_src) {
                        let shown = self.redactor_repr(prev, src);
                        return Err(err(format!(
                            "Redactor already set as {}.",
                            repr_str(&shown)
                        )));
                    }
                    flags.redactor = Some(r.clone());
                    flags.redactor_src = Some(*i);
                }
                AnnotationKind::Custom { resolved, .. } => {
                    if let Some(c) = resolved {
                        flags.custom.push(c.clone());
                    }
                }
            }
        }
        Ok(flags)
    }

    /// `str()` of a redactor annotation object, as Stone's messages show it.
    fn redactor_repr(&self, r: &Redactor, idx: usize) -> String {
        let a = &self.annotations[idx];
        let class = match r.kind {
            RedactorKind::Blot => "RedactedBlot",
            RedactorKind::Hash => "RedactedHash",
        };
        let regex = r.regex.as_deref().map_or("None".to_string(), repr_str);
        format!(
            "{class}({}, ApiNamespace({}), {regex})",
            repr_str(&a.ast.name),
            repr_str(&a.namespace)
        )
    }

    pub(super) fn redactor_str(&self, r: &Redactor, alias: AliasId) -> String {
        let name = &self.alias_ast[alias.0 as usize].name;
        let idx = self
            .annotations
            .iter()
            .position(|a| matches!(&a.kind, AnnotationKind::Redacted(x) if x == r));
        idx.map_or_else(|| name.clone(), |i| self.redactor_repr(r, i))
    }

    /// `str()` of a built-in annotation object.
    pub(super) fn annotation_str(&self, idx: usize, kind: &AnnotationKind) -> String {
        let a = &self.annotations[idx];
        let (n, ns) = (repr_str(&a.ast.name), repr_str(&a.namespace));
        match kind {
            AnnotationKind::Deprecated => format!("Deprecated({n}, ApiNamespace({ns}))"),
            AnnotationKind::Preview => format!("Preview({n}, ApiNamespace({ns}))"),
            AnnotationKind::Omitted(c) => {
                format!(
                    "Omitted({n}, ApiNamespace({ns}), {})",
                    constant_pyval(c).repr()
                )
            }
            AnnotationKind::Redacted(r) => self.redactor_repr(r, idx),
            AnnotationKind::Custom { .. } => a.ast.name.clone(),
        }
    }
}

impl Builder<'_> {
    /// Python's `repr` of what a name stands for, where Stone prints it.
    fn sym_repr(&self, sym: &Sym) -> Option<String> {
        match sym {
            Sym::Struct(id) => Some(self.type_repr(&DataType::Struct(*id), 0)),
            Sym::Union(id) => Some(self.type_repr(&DataType::Union(*id), 0)),
            Sym::Alias(id) => Some(self.type_repr(&DataType::Alias(*id), 0)),
            Sym::Builtin(b) => Some(format!("<class 'stone.ir.data_types.{}'>", b.name())),
            _ => None,
        }
    }

    /// `repr()` of a Stone data type object.
    fn type_repr(&self, t: &DataType, depth: usize) -> String {
        if depth > 20 {
            return "...".into();
        }
        match t {
            DataType::Int32 { .. }
            | DataType::Int64 { .. }
            | DataType::UInt32 { .. }
            | DataType::UInt64 { .. }
            | DataType::Float32 { .. }
            | DataType::Float64 { .. } => format!("{}()", t.kind_name()),
            DataType::Struct(id) => {
                let s = self.api.struct_(*id);
                if !self.struct_done[id.0 as usize] {
                    return format!("Struct({}, None)", repr_str(&s.name));
                }
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| {
                        let caller = f
                            .omitted_caller
                            .as_ref()
                            .map_or("None".into(), |c| constant_pyval(c).repr());
                        format!(
                            "StructField({}, {}, {caller})",
                            repr_str(&f.name),
                            self.type_repr(&f.data_type, depth + 1)
                        )
                    })
                    .collect();
                format!("Struct({}, [{}])", repr_str(&s.name), fields.join(", "))
            }
            DataType::Union(id) => {
                let u = self.api.union(*id);
                if !self.union_done[id.0 as usize] {
                    return format!("Union({}, None)", repr_str(&u.name));
                }
                let fields: Vec<String> = u
                    .variants
                    .iter()
                    .map(|f| {
                        let caller = f
                            .omitted_caller
                            .as_ref()
                            .map_or("None".into(), |c| constant_pyval(c).repr());
                        let catch_all = if f.catch_all { "True" } else { "False" };
                        format!(
                            "UnionField({}, {}, {catch_all}, {caller})",
                            repr_str(&f.name),
                            self.type_repr(&f.data_type, depth + 1)
                        )
                    })
                    .collect();
                format!("Union({}, [{}])", repr_str(&u.name), fields.join(", "))
            }
            DataType::Alias(id) => {
                let a = self.api.alias(*id);
                let inner = if self.alias_done[id.0 as usize] {
                    self.type_repr(&a.data_type, depth + 1)
                } else {
                    "None".into()
                };
                format!("Alias({}, {inner})", repr_str(&a.name))
            }
            other => other.kind_name().to_string(),
        }
    }
}
