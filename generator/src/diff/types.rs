//! Data types as text, two ways: as the spec writes them (constraints
//! included), to say what changed, and as the Rust type the emitter gives
//! them, to say whether the change breaks the generated API.

use crate::ir::{Api, Constant, DataType};

/// Aliases nest at most this deep in any real spec; the bound only keeps a
/// malformed IR from recursing without end.
const MAX_ALIAS_DEPTH: usize = 64;

/// The type as the spec writes it: `List(String(max_length=255), min_items=1)`,
/// `files.Metadata`, `UInt64?` for a nullable one.
pub fn spec_text(api: &Api, t: &DataType) -> String {
    let mut out = String::new();
    write_spec(api, t, &mut out);
    out
}

fn write_spec(api: &Api, t: &DataType, out: &mut String) {
    let args = |out: &mut String, name: &str, params: &[(&str, Option<String>)]| {
        out.push_str(name);
        let given: Vec<String> = params
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
            .collect();
        if !given.is_empty() {
            out.push('(');
            out.push_str(&given.join(", "));
            out.push(')');
        }
    };
    let int = |v: &Option<i128>| v.map(|v| v.to_string());
    let float = |v: &Option<f64>| v.map(|v| v.to_string());
    match t {
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
        } => args(
            out,
            t.kind_name(),
            &[("min_value", int(min_value)), ("max_value", int(max_value))],
        ),
        DataType::Float32 {
            min_value,
            max_value,
        }
        | DataType::Float64 {
            min_value,
            max_value,
        } => args(
            out,
            t.kind_name(),
            &[
                ("min_value", float(min_value)),
                ("max_value", float(max_value)),
            ],
        ),
        DataType::String {
            min_length,
            max_length,
            pattern,
        } => args(
            out,
            "String",
            &[
                ("min_length", int(min_length)),
                ("max_length", int(max_length)),
                ("pattern", pattern.as_ref().map(|p| format!("\"{p}\""))),
            ],
        ),
        DataType::Timestamp { format } => out.push_str(&format!("Timestamp(\"{format}\")")),
        DataType::List {
            of,
            min_items,
            max_items,
        } => {
            out.push_str("List(");
            write_spec(api, of, out);
            for (k, v) in [("min_items", min_items), ("max_items", max_items)] {
                if let Some(v) = v {
                    out.push_str(&format!(", {k}={v}"));
                }
            }
            out.push(')');
        }
        DataType::Map { key, value } => {
            out.push_str("Map(");
            write_spec(api, key, out);
            out.push_str(", ");
            write_spec(api, value, out);
            out.push(')');
        }
        DataType::Nullable(inner) => {
            write_spec(api, inner, out);
            out.push('?');
        }
        DataType::Struct(_) | DataType::Union(_) | DataType::Alias(_) => {
            out.push_str(&api.qualified_name(t).unwrap_or_default());
        }
        DataType::Boolean | DataType::Bytes | DataType::Void => out.push_str(t.kind_name()),
    }
}

/// The Rust type the emitter gives a data type (`emit/types.rs`,
/// `rust_type`), written compactly: aliases resolved (a Rust type alias is
/// the same type as its target), constraints dropped (they are checked at
/// run time by `Validate`, whatever the type). Boxing of recursive fields
/// is not modelled: it depends on the whole type graph.
pub fn rust_text(api: &Api, t: &DataType) -> String {
    let mut out = String::new();
    write_rust(api, t, &mut out, 0);
    out
}

fn write_rust(api: &Api, t: &DataType, out: &mut String, depth: usize) {
    match t {
        DataType::Boolean => out.push_str("bool"),
        DataType::Bytes => out.push_str("Bytes"),
        DataType::Int32 { .. } => out.push_str("i32"),
        DataType::Int64 { .. } => out.push_str("i64"),
        DataType::UInt32 { .. } => out.push_str("u32"),
        DataType::UInt64 { .. } => out.push_str("u64"),
        DataType::Float32 { .. } => out.push_str("f32"),
        DataType::Float64 { .. } => out.push_str("f64"),
        DataType::String { .. } => out.push_str("String"),
        // The two formats Dropbox uses are typed; another keeps its text.
        DataType::Timestamp { format } => out.push_str(match format.as_str() {
            "%Y-%m-%dT%H:%M:%SZ" => "DateTime",
            "%Y-%m-%d" => "Date",
            _ => "String",
        }),
        DataType::Void => out.push_str("()"),
        DataType::List { of, .. } => {
            out.push_str("Vec<");
            write_rust(api, of, out, depth);
            out.push('>');
        }
        DataType::Map { value, .. } => {
            out.push_str("BTreeMap<String, ");
            write_rust(api, value, out, depth);
            out.push('>');
        }
        DataType::Nullable(inner) => {
            out.push_str("Option<");
            write_rust(api, inner, out, depth);
            out.push('>');
        }
        DataType::Alias(id) if depth < MAX_ALIAS_DEPTH => {
            write_rust(api, &api.alias(*id).data_type, out, depth + 1)
        }
        DataType::Struct(_) | DataType::Union(_) | DataType::Alias(_) => {
            out.push_str(&api.qualified_name(t).unwrap_or_default());
        }
    }
}

/// A default or route attribute as the spec writes it (`none` for no value).
pub fn constant_text(c: Option<&Constant>) -> String {
    match c {
        None | Some(Constant::Null) => "none".into(),
        Some(Constant::Bool(b)) => b.to_string(),
        Some(Constant::Int(i)) => i.to_string(),
        Some(Constant::BigInt(s)) => s.clone(),
        Some(Constant::Float(f)) => f.to_string(),
        Some(Constant::Str(s)) => format!("\"{s}\""),
        Some(Constant::Tag(t)) => t.clone(),
    }
}

/// Text in backticks for markdown (and readable in JSON); a text holding a
/// backtick gets double ones.
pub fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// A type change `old -> new`, and whether the Rust type changed with it.
/// `None` where the spec's text is the same (an alias's own change is
/// reported on the alias, not on every field that names it).
pub fn type_change(
    old_api: &Api,
    old: &DataType,
    new_api: &Api,
    new: &DataType,
) -> Option<(String, bool)> {
    let (before, after) = (spec_text(old_api, old), spec_text(new_api, new));
    if before == after {
        return None;
    }
    let rust_changed = rust_text(old_api, old) != rust_text(new_api, new);
    let mut text = format!("type {} -> {}", code(&before), code(&after));
    match (old.is_nullable(), new.is_nullable()) {
        (true, false) => text.push_str(" (no longer nullable)"),
        (false, true) => text.push_str(" (now nullable)"),
        _ if !rust_changed => text.push_str(" (same Rust type)"),
        _ => {}
    }
    Some((text, rust_changed))
}
