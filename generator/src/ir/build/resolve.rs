//! Type references -> data types (Stone's `_resolve_type` and
//! `_instantiate_data_type`), with the parameter checks of each primitive.

use super::checks::PyVal;
use super::*;
use crate::ast::{Arg, Literal};
use crate::pyfmt::percent_f;
use crate::pyregex::PyRegex;

/// A resolved type argument: a value or a type.
enum ArgV {
    Lit(Literal),
    Type(DataType),
}

impl ArgV {
    fn as_int(&self) -> Option<i128> {
        match self {
            ArgV::Lit(Literal::Int(i)) => Some(*i),
            ArgV::Lit(Literal::Bool(b)) => Some(i128::from(*b)),
            _ => None,
        }
    }

    fn big(&self) -> Option<&str> {
        match self {
            ArgV::Lit(Literal::BigInt(s)) => Some(s),
            _ => None,
        }
    }

    fn as_real(&self) -> Option<f64> {
        match self {
            ArgV::Lit(Literal::Float(f)) => Some(*f),
            _ => self.as_int().map(|i| i as f64),
        }
    }
}

/// Parameter names of each built-in type's constructor, and how many are
/// required (Stone introspects `__init__` for these).
fn params(b: Builtin) -> (&'static [&'static str], usize) {
    match b {
        Builtin::Bytes | Builtin::Boolean | Builtin::Void => (&[], 0),
        Builtin::Int32
        | Builtin::Int64
        | Builtin::UInt32
        | Builtin::UInt64
        | Builtin::Float32
        | Builtin::Float64 => (&["min_value", "max_value"], 0),
        Builtin::String => (&["min_length", "max_length", "pattern"], 0),
        Builtin::Timestamp => (&["fmt"], 1),
        Builtin::List => (&["data_type", "min_items", "max_items"], 1),
        Builtin::Map => (&["key_data_type", "value_data_type"], 2),
    }
}

fn int_range(b: Builtin) -> (i128, i128) {
    match b {
        Builtin::Int32 => (-(1 << 31), (1 << 31) - 1),
        Builtin::UInt32 => (0, (1 << 32) - 1),
        Builtin::Int64 => (-(1 << 63), (1 << 63) - 1),
        _ => (0, (1 << 64) - 1),
    }
}

pub(super) const FLOAT32_MAX: f64 = 3.40282e38;

/// How many structs or unions may be populated inside one another (through
/// `extends` and enumerated subtypes).
const MAX_HIERARCHY: usize = 200;

impl Builder<'_> {
    /// Resolve `type_ref` in namespace `ns`. With `enforce`, a struct or
    /// union it names is populated first (needed for `extends`).
    pub(super) fn resolve_type(
        &mut self,
        ns: &str,
        t: &ast::TypeRef,
        enforce: bool,
    ) -> R<DataType> {
        let err = |msg: String| Diagnostic::new(t.pos, msg);
        // Most references are local: borrow the namespace name then.
        let mut env_ns = std::borrow::Cow::Borrowed(ns);
        if let Some(target) = &t.ns {
            match self.env(ns).get(target) {
                None => return Err(err(format!("Namespace '{target}' is not imported"))),
                Some(Sym::Namespace(n)) => env_ns = std::borrow::Cow::Owned(n.clone()),
                Some(_) => return Err(err(format!("'{target}' is not a namespace."))),
            }
        }
        let sym = match self.env(&env_ns).get(&t.name) {
            // Route versions are never a type: no need to copy them.
            Some(Sym::Routes(_)) => Some(Sym::Routes(BTreeMap::new())),
            other => other.cloned(),
        };
        let Some(sym) = sym else {
            return Err(err(format!("Symbol '{}' is undefined.", t.name)));
        };
        let has_args = !t.args.is_empty() || !t.kwargs.is_empty();
        let mut data_type = match sym {
            Sym::Builtin(Builtin::Void) if t.nullable => {
                return Err(err("Void cannot be marked nullable.".into()))
            }
            Sym::Builtin(b) => {
                let mut args = vec![];
                for a in &t.args {
                    args.push(self.resolve_arg(&env_ns, a)?);
                }
                let mut kwargs = vec![];
                for (k, a) in &t.kwargs {
                    kwargs.push((k.clone(), self.resolve_arg(&env_ns, a)?));
                }
                instantiate(b, args, kwargs).map_err(err)?
            }
            Sym::Routes(_) => return Err(err("A route cannot be referenced here.".into())),
            _ if has_args => {
                return Err(err(format!(
                    "Attributes cannot be specified for instantiated type '{}'.",
                    t.name
                )));
            }
            Sym::Struct(id) => DataType::Struct(id),
            Sym::Union(id) => DataType::Union(id),
            Sym::Alias(id) => DataType::Alias(id),
            Sym::Annotation(_) | Sym::AnnotationType(_) | Sym::Namespace(_) => {
                return Err(err(format!("Symbol '{}' is not a type.", t.name)));
            }
        };
        if t.ns.is_some()
            && matches!(
                data_type,
                DataType::Struct(_) | DataType::Union(_) | DataType::Alias(_)
            )
        {
            self.add_import(ns, &env_ns);
        }
        if enforce {
            let key = match data_type {
                DataType::Struct(id) if !self.struct_done[id.0 as usize] => Some(TypeKey::S(id)),
                DataType::Union(id) if !self.union_done[id.0 as usize] => Some(TypeKey::U(id)),
                _ => None,
            };
            if let Some(key) = key {
                // Stone recurses here too (and stops at Python's recursion
                // limit); a bound keeps our stack shallow.
                if self.in_progress.len() > MAX_HIERARCHY {
                    return Err(err(format!(
                        "The type hierarchy above '{}' is too deep (more than {MAX_HIERARCHY} levels).",
                        t.name
                    )));
                }
                if self.in_progress.contains(&key) {
                    return Err(err(format!(
                        "Unresolvable circular reference for type '{}'.",
                        t.name
                    )));
                }
                self.in_progress.insert(key);
                let r = self.populate_type(&env_ns, key);
                self.in_progress.remove(&key);
                r?;
            }
        }
        if t.nullable {
            if self.unalias_resolved(&data_type).is_nullable() {
                return Err(err(
                    "Cannot mark reference to nullable type as nullable.".into()
                ));
            }
            data_type = DataType::Nullable(Box::new(data_type));
        }
        Ok(data_type)
    }

    fn resolve_arg(&mut self, ns: &str, a: &Arg) -> R<ArgV> {
        Ok(match a {
            Arg::Lit(l) => ArgV::Lit(l.clone()),
            Arg::Type(t) => ArgV::Type(self.resolve_type(ns, t, false)?),
        })
    }

    /// Behind aliases that are already resolved (a forward alias stops).
    pub(super) fn unalias_resolved<'t>(&'t self, mut t: &'t DataType) -> &'t DataType {
        let mut seen = 0;
        while let DataType::Alias(a) = t {
            if !self.alias_done[a.0 as usize] || seen > self.api.aliases.len() {
                break;
            }
            t = &self.api.alias(*a).data_type;
            seen += 1;
        }
        t
    }
}

/// Build a primitive or container from its arguments, as Stone's data type
/// constructors do, with their messages.
fn instantiate(
    b: Builtin,
    args: Vec<ArgV>,
    kwargs: Vec<(String, ArgV)>,
) -> Result<DataType, String> {
    let class = b.name();
    let (names, required) = params(b);
    if required > args.len() {
        return Err(format!(
            "Missing positional argument '{}' for '{class}' type",
            names[args.len()]
        ));
    }
    if required < args.len() {
        return Err(format!("Too many positional arguments for '{class}' type"));
    }
    let mut slots: Vec<Option<ArgV>> = args.into_iter().map(Some).collect();
    slots.resize_with(names.len(), || None);
    for (k, v) in kwargs {
        let Some(i) = names.iter().position(|n| *n == k) else {
            return Err(format!("Unknown argument '{k}' to '{class}' type."));
        };
        if i < required {
            return Err(format!(
                "Positional argument '{k}' cannot be specified as a keyword argument."
            ));
        }
        slots[i] = Some(v);
    }
    let bad = |msg: String| format!("Bad argument to '{class}' type: {msg}");
    let mut slots = slots.into_iter();
    let mut next = || slots.next().flatten();
    Ok(match b {
        Builtin::Bytes => DataType::Bytes,
        Builtin::Boolean => DataType::Boolean,
        Builtin::Void => DataType::Void,
        Builtin::Int32 | Builtin::Int64 | Builtin::UInt32 | Builtin::UInt64 => {
            let (lo, hi) = int_range(b);
            let min = next();
            let max = next();
            let min_value = match &min {
                None => None,
                Some(v) => {
                    if let Some(big) = v.big() {
                        // Beyond 128 bits: out of every Stone integer range.
                        return Err(bad(if big.starts_with('-') {
                            format!("min_value cannot be less than the minimum value for this type ({big} < {lo})")
                        } else {
                            format!("min_value {big} is out of range for this type")
                        }));
                    }
                    let i = v
                        .as_int()
                        .ok_or_else(|| bad("min_value must be an integral number".into()))?;
                    if i < lo {
                        return Err(bad(format!(
                            "min_value cannot be less than the minimum value for this type ({i} < {lo})"
                        )));
                    }
                    Some(i)
                }
            };
            let max_value = match &max {
                None => None,
                Some(v) => {
                    if let Some(big) = v.big() {
                        return Err(bad(if big.starts_with('-') {
                            format!("max_value {big} is out of range for this type")
                        } else {
                            format!("max_value cannot be greater than the maximum value for this type ({big} < {hi})")
                        }));
                    }
                    let i = v
                        .as_int()
                        .ok_or_else(|| bad("max_value must be an integral number".into()))?;
                    if i > hi {
                        return Err(bad(format!(
                            "max_value cannot be greater than the maximum value for this type ({i} < {hi})"
                        )));
                    }
                    Some(i)
                }
            };
            match b {
                Builtin::Int32 => DataType::Int32 {
                    min_value,
                    max_value,
                },
                Builtin::Int64 => DataType::Int64 {
                    min_value,
                    max_value,
                },
                Builtin::UInt32 => DataType::UInt32 {
                    min_value,
                    max_value,
                },
                _ => DataType::UInt64 {
                    min_value,
                    max_value,
                },
            }
        }
        Builtin::Float32 | Builtin::Float64 => {
            let limit = (b == Builtin::Float32).then_some(FLOAT32_MAX);
            let min = next();
            let max = next();
            let min_value = match &min {
                None => None,
                Some(v) => {
                    if v.big().is_some() {
                        return Err(bad("min_value is too small for a float".into()));
                    }
                    let f = v
                        .as_real()
                        .ok_or_else(|| bad("min_value must be a real number".into()))?;
                    if f.is_infinite() && v.as_int().is_some() {
                        return Err(bad("min_value is too small for a float".into()));
                    }
                    if let Some(l) = limit {
                        if f < -l {
                            return Err(bad(format!(
                                "min_value cannot be less than the minimum value for this type ({} < {})",
                                percent_f(f),
                                percent_f(-l)
                            )));
                        }
                    }
                    Some(f)
                }
            };
            let max_value = match &max {
                None => None,
                Some(v) => {
                    if v.big().is_some() {
                        return Err(bad("max_value is too large for a float".into()));
                    }
                    let f = v
                        .as_real()
                        .ok_or_else(|| bad("max_value must be a real number".into()))?;
                    if f.is_infinite() && v.as_int().is_some() {
                        return Err(bad("max_value is too large for a float".into()));
                    }
                    if let Some(l) = limit {
                        if f > l {
                            return Err(bad(format!(
                                "max_value cannot be greater than the maximum value for this type ({} < {})",
                                percent_f(f),
                                percent_f(l)
                            )));
                        }
                    }
                    Some(f)
                }
            };
            if b == Builtin::Float32 {
                DataType::Float32 {
                    min_value,
                    max_value,
                }
            } else {
                DataType::Float64 {
                    min_value,
                    max_value,
                }
            }
        }
        Builtin::String => {
            let (min, max, pattern) = (next(), next(), next());
            let min_length = match &min {
                None => None,
                Some(v) => {
                    let i = v
                        .as_int()
                        .ok_or_else(|| bad("min_length must be an integral number".into()))?;
                    if i < 0 {
                        return Err(bad("min_length must be >= 0".into()));
                    }
                    Some(i)
                }
            };
            let max_length = match &max {
                None => None,
                Some(v) => {
                    let i = v
                        .as_int()
                        .ok_or_else(|| bad("max_length must be an integral number".into()))?;
                    if i < 1 {
                        return Err(bad("max_length must be > 0".into()));
                    }
                    Some(i)
                }
            };
            if let (Some(lo), Some(hi)) = (min_length, max_length) {
                if lo != 0 && hi < lo {
                    return Err(bad("max_length must be >= min_length".into()));
                }
            }
            let pattern = match pattern {
                None => None,
                Some(ArgV::Lit(Literal::Str(p))) => {
                    if !p.is_empty() {
                        PyRegex::new(&p).map_err(|e| {
                            bad(format!(
                                "could not compile regex pattern {}: {e}",
                                crate::pyfmt::repr_str(&p)
                            ))
                        })?;
                    }
                    Some(p)
                }
                Some(ArgV::Lit(Literal::Int(0) | Literal::Bool(false))) => None,
                Some(_) => return Err(bad("pattern must be a string".into())),
            };
            DataType::String {
                min_length,
                max_length,
                pattern,
            }
        }
        Builtin::Timestamp => match next() {
            Some(ArgV::Lit(Literal::Str(format))) => DataType::Timestamp { format },
            _ => return Err(bad("format must be a string".into())),
        },
        Builtin::List => {
            let of = match next() {
                Some(ArgV::Type(t)) => t,
                _ => return Err(bad("data_type must be a type".into())),
            };
            let items = |v: Option<ArgV>, name: &str| -> Result<Option<i128>, String> {
                match v {
                    None => Ok(None),
                    Some(v) => v
                        .as_int()
                        .map(Some)
                        .ok_or_else(|| bad(format!("{name} must be an integral number"))),
                }
            };
            let min_items = items(next(), "min_items")?;
            let max_items = items(next(), "max_items")?;
            if min_items.is_some_and(|m| m < 0) {
                return Err(bad("min_items must be >= 0".into()));
            }
            if max_items.is_some_and(|m| m < 1) {
                return Err(bad("max_items must be > 0".into()));
            }
            if let (Some(lo), Some(hi)) = (min_items, max_items) {
                if lo != 0 && hi < lo {
                    return Err(bad("max_length must be >= min_length".into()));
                }
            }
            DataType::List {
                of: Box::new(of),
                min_items,
                max_items,
            }
        }
        Builtin::Map => {
            let key = match next() {
                Some(ArgV::Type(t @ DataType::String { .. })) => t,
                _ => {
                    return Err(bad(
                        "Only String primitives are supported as key types.".into()
                    ))
                }
            };
            let value = match next() {
                Some(ArgV::Type(t)) => t,
                _ => return Err(bad("value_data_type must be a type".into())),
            };
            DataType::Map {
                key: Box::new(key),
                value: Box::new(value),
            }
        }
    })
}

/// Stone's `generic_type_name`, for messages about a value of the wrong kind.
pub(super) fn generic_type_name(v: &PyVal) -> &'static str {
    match v {
        PyVal::Ref(_) => "reference",
        PyVal::Int(_) | PyVal::BigInt(_) | PyVal::Bool(_) => "integer",
        PyVal::Float(_) => "float",
        PyVal::List(_) => "list",
        PyVal::Str(_) => "string",
        PyVal::Null => "null",
        PyVal::Map(_) => "dict",
        PyVal::Tag(_) => "TagRef",
        PyVal::AstTag(_) => "AstTagRef",
    }
}
