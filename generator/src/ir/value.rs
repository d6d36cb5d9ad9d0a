//! Constant values of the IR: defaults and route attributes.

/// A default or attribute value as the spec gives it.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    Bool(bool),
    Int(i128),
    /// An integer beyond 128 bits, as written (it never passes a type check).
    BigInt(String),
    Float(f64),
    Str(String),
    Null,
    /// A void tag of a union, e.g. `= overwrite`.
    Tag(String),
}

impl Constant {
    /// The value as JSON (a tag as `{"tag": name}`, the summary's form).
    pub fn to_summary_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Constant::Bool(b) => Value::Bool(*b),
            Constant::Int(i) => int_json(*i),
            Constant::BigInt(s) => Value::String(s.clone()),
            Constant::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            Constant::Str(s) => Value::String(s.clone()),
            Constant::Null => Value::Null,
            Constant::Tag(t) => serde_json::json!({ "tag": t }),
        }
    }
}

/// An integer as JSON, exactly (i128 covers every Stone integer type).
pub fn int_json(i: i128) -> serde_json::Value {
    if let Ok(v) = i64::try_from(i) {
        v.into()
    } else if let Ok(v) = u64::try_from(i) {
        v.into()
    } else {
        serde_json::Value::String(i.to_string())
    }
}
