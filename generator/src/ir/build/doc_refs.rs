//! Pass 10: references in docs (`:type:`, `:field:`, `:route:`, `:val:`,
//! `:link:`) must name something that exists.

use super::*;
use fancy_regex::Regex;
use std::sync::OnceLock;

/// The references in a doc, as `(tag, value)`: the matches of Stone's
/// ``:(?P<tag>[A-z]+):`(?P<val>.*?)` `` in order, found by hand (a regex
/// search with captures cost more than the rest of the pass). `[A-z]` is
/// the ASCII range `A`..=`z`, which holds `` ` `` but not `:`, so a tag is
/// the longest run of those bytes; `.` stops at a line break.
fn doc_refs(doc: &str) -> impl Iterator<Item = (&str, &str)> {
    let b = doc.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(at) = b[from..].iter().position(|&c| c == b':') {
            let s = from + at;
            let tag_end = s
                + 1
                + b[s + 1..]
                    .iter()
                    .take_while(|c| (b'A'..=b'z').contains(c))
                    .count();
            if tag_end > s + 1 && b[tag_end..].starts_with(b":`") {
                let val_start = tag_end + 2;
                let close = b[val_start..].iter().position(|&c| c == b'`' || c == b'\n');
                if let Some(len) = close.filter(|&l| b[val_start + l] == b'`') {
                    from = val_start + len + 1;
                    return Some((&doc[s + 1..tag_end], &doc[val_start..val_start + len]));
                }
            }
            from = s + 1;
        }
        None
    })
}

fn doc_val_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"^(null|true|false|-?\d+(\.\d*)?(e-?\d+)?|"[^\\"]*")(?=\n?\z)"#)
            .expect("valid regex")
    })
}

/// Python's `int()` of a route version in a doc reference.
fn py_int(s: &str) -> Option<u32> {
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    t.replace('_', "").parse::<u32>().ok()
}

impl Builder<'_> {
    /// The pass's results for one namespace, in order (the pass's are
    /// those of each namespace in `ns_order`); it reads the IR only.
    pub(super) fn doc_ref_results_in(&self, ns: &str) -> Vec<R<()>> {
        let mut results = vec![];
        if ns != "stone_cfg" {
            let nb = &self.ns[ns];
            // A reference needs a backtick: most docs have none.
            let mut check = |doc: &Option<String>, pos: Pos, context: Option<TypeKey>| {
                if let Some(doc) = doc.as_deref().filter(|d| d.contains('`')) {
                    let at = Pos::line_start(pos.file, pos.line + 1);
                    results.push(self.check_doc(ns, &populate::doc_unwrap(doc), at, context));
                }
            };
            for &key in &nb.types {
                match key {
                    TypeKey::S(id) => {
                        let s = self.api.struct_(id);
                        check(&s.doc, s.pos, Some(key));
                        for f in &s.fields {
                            check(&f.doc, f.pos, Some(key));
                        }
                    }
                    TypeKey::U(id) => {
                        let u = self.api.union(id);
                        check(&u.doc, u.pos, Some(key));
                        for f in &u.variants {
                            check(&f.doc, f.pos, Some(key));
                        }
                    }
                }
            }
            for &id in &nb.routes {
                let route = self.api.route(id);
                check(&route.doc, route.pos, None);
            }
        }
        results
    }

    fn field_names(&self, t: &DataType) -> Option<Vec<String>> {
        match t {
            DataType::Struct(id) => Some(
                self.api
                    .all_struct_fields(*id)
                    .iter()
                    .map(|f| f.name.clone())
                    .collect(),
            ),
            DataType::Union(id) => Some(
                self.api
                    .all_union_variants(*id)
                    .iter()
                    .map(|f| f.name.clone())
                    .collect(),
            ),
            _ => None,
        }
    }

    fn sym_type(sym: &Sym) -> Option<DataType> {
        match sym {
            Sym::Struct(id) => Some(DataType::Struct(*id)),
            Sym::Union(id) => Some(DataType::Union(*id)),
            Sym::Alias(id) => Some(DataType::Alias(*id)),
            _ => None,
        }
    }

    fn check_doc(&self, ns: &str, doc: &str, at: Pos, context: Option<TypeKey>) -> R<()> {
        let err = |m: String| Diagnostic::new(at, m);
        let env = self.env(ns);
        for (tag, val) in doc_refs(doc) {
            match tag {
                "field" => {
                    let names = if let Some((type_name, field_name)) = val.split_once('.') {
                        let unknown =
                            || err(format!("Bad doc reference to unknown field '{val}'."));
                        match env.get(type_name) {
                            None => {
                                return Err(err(format!(
                                    "Bad doc reference to field {field_name} of unknown type '{type_name}'."
                                )))
                            }
                            Some(Sym::Routes(_)) => {
                                return Err(err(format!(
                                    "Bad doc reference to field '{field_name}' of route '{type_name}'."
                                )))
                            }
                            Some(Sym::Namespace(target)) => {
                                let (t, f) = field_name.split_once('.').ok_or_else(unknown)?;
                                let sym = self.env(target).get(t).ok_or_else(unknown)?;
                                let dt = Self::sym_type(sym).ok_or_else(unknown)?;
                                let names = self.field_names(self.api.unalias(&dt)).ok_or_else(unknown)?;
                                if !names.iter().any(|n| n == f) {
                                    return Err(unknown());
                                }
                                continue;
                            }
                            Some(sym) => {
                                let dt = Self::sym_type(sym).ok_or_else(unknown)?;
                                let dt = match dt {
                                    DataType::Alias(a) => self.api.alias(a).data_type.clone(),
                                    other => other,
                                };
                                let names = self.field_names(&dt).ok_or_else(unknown)?;
                                (names, field_name)
                            }
                        }
                    } else {
                        let names = match context {
                            Some(TypeKey::S(id)) => self.field_names(&DataType::Struct(id)),
                            Some(TypeKey::U(id)) => self.field_names(&DataType::Union(id)),
                            None => None,
                        };
                        (names.unwrap_or_default(), val)
                    };
                    if !names.0.iter().any(|n| n == names.1) {
                        return Err(err(format!("Bad doc reference to unknown field '{val}'.")));
                    }
                }
                "link" => {
                    let chars: Vec<char> = val.chars().collect();
                    let space = chars
                        .iter()
                        .rposition(|c| *c == ' ')
                        .map_or(-1, |i| i as i64);
                    if !(1 < space && space < chars.len() as i64 - 1) {
                        return Err(err(format!(
                            "Bad doc reference to link (need a title and uri separated by a space): '{val}'."
                        )));
                    }
                }
                "route" => {
                    let (target_env, val) = match val.split_once('.') {
                        Some((target, rest)) => match env.get(target) {
                            Some(Sym::Namespace(n)) => (self.env(n), rest),
                            _ => {
                                return Err(err(format!(
                                    "Unknown doc reference to namespace '{target}'."
                                )))
                            }
                        },
                        None => (env, val),
                    };
                    let (name, version) = match val.split_once(':') {
                        Some((n, v)) => (
                            n,
                            py_int(v).ok_or_else(|| {
                                err(format!("Invalid route representation: {val}"))
                            })?,
                        ),
                        None => (val, 1),
                    };
                    match target_env.get(name) {
                        None => {
                            return Err(err(format!("Unknown doc reference to route '{name}'.")))
                        }
                        Some(Sym::Routes(versions)) => {
                            if !versions.contains_key(&version) {
                                return Err(err(format!(
                                    "Doc reference to route '{name}' has undefined version {version}."
                                )));
                            }
                        }
                        Some(_) => {
                            return Err(err(format!(
                                "Doc reference to type '{name}' is not a route."
                            )))
                        }
                    }
                }
                "type" => {
                    let (target_env, val) = match val.split_once('.') {
                        Some((target, rest)) => match env.get(target) {
                            Some(Sym::Namespace(n)) => (self.env(n), rest),
                            _ => {
                                return Err(err(format!(
                                    "Unknown doc reference to namespace '{target}'."
                                )))
                            }
                        },
                        None => (env, val),
                    };
                    match target_env.get(val) {
                        None => return Err(err(format!("Unknown doc reference to type '{val}'."))),
                        Some(Sym::Struct(_) | Sym::Union(_)) => {}
                        Some(_) => {
                            return Err(err(format!(
                                "Doc reference to type '{val}' is not a struct or union."
                            )))
                        }
                    }
                }
                "val" => {
                    if !doc_val_re().is_match(val).unwrap_or(false) {
                        return Err(err(format!("Bad doc reference value '{val}'.")));
                    }
                }
                other => return Err(err(format!("Unknown doc reference tag '{other}'."))),
            }
        }
        Ok(())
    }
}
