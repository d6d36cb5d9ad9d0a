//! Values checked against types, with Stone's messages: `check` for
//! defaults, attributes and annotation parameters (a ValueError in Stone),
//! `check_example` for example fields (an InvalidSpec at the field's line).

use super::resolve::{generic_type_name, FLOAT32_MAX};
use super::*;
use crate::ast::{ExValue, Literal};
use crate::pyfmt::{percent_f, repr_float, repr_str};
use crate::pyregex::PyRegex;

/// A value as Stone's Python code sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PyVal<'a> {
    Bool(bool),
    Int(i128),
    BigInt(&'a str),
    Float(f64),
    Str(&'a str),
    Null,
    /// A union tag resolved against its union (`TagRef`).
    Tag(&'a str),
    /// A bare identifier where a value was expected (`AstTagRef`).
    AstTag(&'a str),
    /// A reference to an example (`AstExampleRef`).
    Ref(&'a str),
    List(&'a [ExValue]),
    Map(&'a [(ExValue, ExValue)]),
}

impl<'a> PyVal<'a> {
    pub fn from_lit(l: &'a Literal) -> PyVal<'a> {
        match l {
            Literal::Bool(b) => PyVal::Bool(*b),
            Literal::Int(i) => PyVal::Int(*i),
            Literal::BigInt(s) => PyVal::BigInt(s),
            Literal::Float(f) => PyVal::Float(*f),
            Literal::Str(s) => PyVal::Str(s),
            Literal::Null => PyVal::Null,
        }
    }

    pub fn from_ex(v: &'a ExValue) -> PyVal<'a> {
        match v {
            ExValue::Lit(l) => PyVal::from_lit(l),
            ExValue::List(items) => PyVal::List(items),
            ExValue::Map(pairs) => PyVal::Map(pairs),
            ExValue::Ref { label, .. } => PyVal::Ref(label),
        }
    }

    /// `repr(value)`.
    pub fn repr(&self) -> String {
        match self {
            PyVal::Bool(true) => "True".into(),
            PyVal::Bool(false) => "False".into(),
            PyVal::Int(i) => i.to_string(),
            PyVal::BigInt(s) => s.to_string(),
            PyVal::Float(f) => repr_float(*f),
            PyVal::Str(s) => repr_str(s),
            PyVal::Null => "None".into(),
            PyVal::Tag(t) => format!("TagRef({})", repr_str(t)),
            PyVal::AstTag(t) => format!("AstTagRef({})", repr_str(t)),
            PyVal::Ref(_) | PyVal::List(_) | PyVal::Map(_) => match self {
                PyVal::Ref(l) => format!("AstExampleRef({})", repr_str(l)),
                PyVal::List(items) => crate::parser::ex_repr(&ExValue::List(items.to_vec())),
                PyVal::Map(pairs) => crate::parser::ex_repr(&ExValue::Map(pairs.to_vec())),
                _ => unreachable!(),
            },
        }
    }

    /// `'%s' % value`.
    pub fn str(&self) -> String {
        match self {
            PyVal::Str(s) => s.to_string(),
            other => other.repr(),
        }
    }

    /// `'%d' % value` for a Python integral (bools included).
    fn int(&self) -> Option<i128> {
        match self {
            PyVal::Int(i) => Some(*i),
            PyVal::Bool(b) => Some(i128::from(*b)),
            _ => None,
        }
    }
}

impl Builder<'_> {
    /// `DataType.check(val)`: Ok, or the ValueError's message. `None` where
    /// Stone itself has no check for the type (it would crash).
    pub(super) fn check_value(&self, dt: &DataType, v: PyVal) -> Result<(), String> {
        // Alias chains may be long: follow them without recursing.
        let dt = self.api.unalias(dt);
        match dt {
            DataType::Alias(a) => self.check_value(&self.api.alias(*a).data_type.clone(), v),
            DataType::Nullable(inner) => match v {
                PyVal::Null => Ok(()),
                _ => self.check_value(inner, v),
            },
            DataType::Void => match v {
                PyVal::Null => Ok(()),
                _ => Err("void type can only be null".into()),
            },
            DataType::Bytes => match v {
                PyVal::Str(_) => Ok(()),
                _ => Err(format!("{} is not valid bytes", v.repr())),
            },
            DataType::Int32 {
                min_value,
                max_value,
            }
            | DataType::Int64 {
                min_value,
                max_value,
            }
            | DataType::UInt32 {
                min_value,
                max_value,
            }
            | DataType::UInt64 {
                min_value,
                max_value,
            } => {
                let (lo, hi) = match dt {
                    DataType::Int32 { .. } => (-(1i128 << 31), (1i128 << 31) - 1),
                    DataType::UInt32 { .. } => (0, (1i128 << 32) - 1),
                    DataType::Int64 { .. } => (-(1i128 << 63), (1i128 << 63) - 1),
                    _ => (0, (1i128 << 64) - 1),
                };
                if let PyVal::BigInt(s) = v {
                    return Err(format!("{s} is not within range [{lo}, {hi}]"));
                }
                let Some(i) = v.int() else {
                    return Err(format!("{} is not a valid integer", generic_type_name(&v)));
                };
                if !(lo..=hi).contains(&i) {
                    return Err(format!("{i} is not within range [{lo}, {hi}]"));
                }
                if let Some(m) = min_value.filter(|m| i < *m) {
                    return Err(format!("{i} is less than {m}"));
                }
                if let Some(m) = max_value.filter(|m| i > *m) {
                    return Err(format!("{i} is greater than {m}"));
                }
                Ok(())
            }
            DataType::Float32 {
                min_value,
                max_value,
            }
            | DataType::Float64 {
                min_value,
                max_value,
            } => {
                let f = match v {
                    PyVal::Float(f) => f,
                    PyVal::BigInt(s) => return Err(format!("{s} is too large for float")),
                    PyVal::Int(_) | PyVal::Bool(_) => {
                        let f = v.int().unwrap_or(0) as f64;
                        if f.is_infinite() {
                            return Err(format!("{} is too large for float", v.repr()));
                        }
                        f
                    }
                    _ => {
                        return Err(format!(
                            "{} is not a valid real number",
                            generic_type_name(&v)
                        ))
                    }
                };
                if f.is_nan() || f.is_infinite() {
                    return Err(format!("{} values are not supported", percent_f(f)));
                }
                if matches!(dt, DataType::Float32 { .. }) {
                    if f < -FLOAT32_MAX {
                        return Err(format!(
                            "{} is less than {}",
                            percent_f(f),
                            percent_f(-FLOAT32_MAX)
                        ));
                    }
                    if f > FLOAT32_MAX {
                        return Err(format!(
                            "{} is greater than {}",
                            percent_f(f),
                            percent_f(FLOAT32_MAX)
                        ));
                    }
                }
                if let Some(m) = min_value.filter(|m| f < *m) {
                    return Err(format!("{} is less than {}", percent_f(f), percent_f(m)));
                }
                if let Some(m) = max_value.filter(|m| f > *m) {
                    // Stone prints min_value here (a slip in its message).
                    return Err(format!(
                        "{} is greater than {}",
                        percent_f(f),
                        percent_f(min_value.unwrap_or(m))
                    ));
                }
                Ok(())
            }
            DataType::Boolean => match v {
                PyVal::Bool(_) => Ok(()),
                _ => Err(format!("{} is not a valid boolean", v.repr())),
            },
            DataType::String {
                min_length,
                max_length,
                pattern,
            } => {
                let PyVal::Str(s) = v else {
                    return Err(format!("{} is not a valid string", generic_type_name(&v)));
                };
                let len = s.chars().count() as i128;
                if let Some(m) = max_length.filter(|m| len > *m) {
                    return Err(format!("'{s}' has more than {m} character(s)"));
                }
                if let Some(m) = min_length.filter(|m| len < *m) {
                    return Err(format!("'{s}' has fewer than {m} character(s)"));
                }
                if let Some(p) = pattern.as_deref().filter(|p| !p.is_empty()) {
                    if !PyRegex::new(p).is_ok_and(|r| r.matches_start(s)) {
                        return Err(format!("'{s}' did not match pattern '{p}'"));
                    }
                }
                Ok(())
            }
            DataType::Timestamp { format } => match v {
                PyVal::Str(s) => crate::pytime::check_strptime(s, format),
                _ => Err("timestamp must be specified as a string".into()),
            },
            DataType::Union(id) => match v {
                PyVal::Tag(tag) => {
                    let variants = self.api.all_union_variants(*id);
                    match variants.iter().find(|f| f.name == tag) {
                        Some(f) if f.data_type != DataType::Void => {
                            Err(format!("invalid reference to non-void option '{tag}'"))
                        }
                        Some(_) => Ok(()),
                        None => Err(format!("invalid reference to unknown tag '{tag}'")),
                    }
                }
                _ => Err(format!(
                    "{} is not a tag of union '{}'",
                    v.repr(),
                    self.api.union(*id).name
                )),
            },
            DataType::Struct(id) => Err(format!(
                "a value of struct '{}' cannot be given here",
                self.api.struct_(*id).name
            )),
            DataType::List { .. } | DataType::Map { .. } => Err(format!(
                "a value of type {} cannot be given here",
                dt.kind_name()
            )),
        }
    }

    /// `DataType.check_example(ex_field)`: the message of the InvalidSpec.
    pub(super) fn check_example(&self, dt: &DataType, v: &ExValue) -> Result<(), String> {
        let pv = PyVal::from_ex(v);
        let dt = self.api.unalias(dt);
        match dt {
            DataType::Alias(a) => self.check_example(&self.api.alias(*a).data_type.clone(), v),
            DataType::Nullable(inner) => match pv {
                PyVal::Null => Ok(()),
                _ => self.check_example(inner, v),
            },
            DataType::Void => match pv {
                PyVal::Null => Ok(()),
                _ => Err("example of void type must be null".into()),
            },
            DataType::Bytes => match pv {
                PyVal::Str(_) => Ok(()),
                _ => Err(format!("'{}' is not valid bytes", pv.str())),
            },
            DataType::List {
                of,
                min_items,
                max_items,
            } => {
                let ExValue::List(items) = v else {
                    return Err(format!("{} is not a valid list", generic_type_name(&pv)));
                };
                let n = items.len() as i128;
                if let Some(m) = max_items.filter(|m| n > *m) {
                    return Err(format!("list has more than {m} item(s)"));
                }
                if let Some(m) = min_items.filter(|m| n < *m) {
                    return Err(format!("list has fewer than {m} item(s)"));
                }
                items
                    .iter()
                    .try_for_each(|item| self.check_example(of, item))
            }
            DataType::Map { key, value } => {
                let ExValue::Map(pairs) = v else {
                    return Err(format!("{} is not a valid map", generic_type_name(&pv)));
                };
                for (k, val) in pairs {
                    self.check_example(key, k)?;
                    self.check_example(value, val)?;
                }
                Ok(())
            }
            DataType::Struct(_) | DataType::Union(_) => match pv {
                PyVal::Ref(_) => Ok(()),
                _ => {
                    let name = match dt {
                        DataType::Struct(id) => &self.api.struct_(*id).name,
                        DataType::Union(id) => &self.api.union(*id).name,
                        _ => unreachable!(),
                    };
                    Err(format!("example must reference label of '{name}'"))
                }
            },
            _ => self.check_value(dt, pv),
        }
    }
}
