//! One place for names: the Rust name of every namespace, type, field and
//! variant, and the wire name it stands for.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust's keywords (strict, reserved and edition-dependent): a name that is
/// one gets a trailing `_` (`async` -> `async_`).
pub const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

fn unkeyword(s: String) -> String {
    if KEYWORDS.contains(&s.as_str()) {
        s + "_"
    } else {
        s
    }
}

fn identifier(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

/// A namespace's module name (and cargo feature).
pub fn module(ns: &str) -> String {
    unkeyword(identifier(ns))
}

/// A struct, union or alias name: the spec's own (already UpperCamelCase).
pub fn type_name(name: &str) -> String {
    unkeyword(identifier(name))
}

/// A struct field name.
pub fn field(name: &str) -> String {
    unkeyword(identifier(&name.to_snake_case()))
}

/// A union variant name: `not_found` -> `NotFound`.
pub fn variant(tag: &str) -> String {
    unkeyword(identifier(&tag.to_upper_camel_case()))
}

/// A route's function: `list_folder/continue` -> `list_folder_continue`,
/// version 2 -> `_v2` (as its URL).
pub fn route(name: &str, version: u32) -> String {
    let base = identifier(&name.to_snake_case());
    if version > 1 {
        format!("{base}_v{version}")
    } else {
        unkeyword(base)
    }
}

/// The variant that keeps a tag this SDK does not know (open unions).
pub const UNKNOWN_VARIANT: &str = "Unrecognized";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_gets_a_trailing_underscore() {
        for kw in KEYWORDS {
            assert_eq!(module(kw), format!("{kw}_"), "module {kw}");
            if kw.chars().all(|c| c.is_ascii_lowercase()) {
                assert_eq!(field(kw), format!("{kw}_"), "field {kw}");
            }
        }
        assert_eq!(module("async"), "async_");
        assert_eq!(type_name("Self"), "Self_");
    }

    #[test]
    fn names_follow_rust_conventions() {
        assert_eq!(module("files"), "files");
        assert_eq!(field("path_lower"), "path_lower");
        assert_eq!(field("client-modified"), "client_modified");
        assert_eq!(variant("not_found"), "NotFound");
        assert_eq!(variant("other"), "Other");
        assert_eq!(type_name("FileMetadata"), "FileMetadata");
        assert_eq!(route("list_folder/continue", 1), "list_folder_continue");
        assert_eq!(route("move", 1), "move_");
        assert_eq!(route("move", 2), "move_v2");
        assert_eq!(route("get_metadata", 1), "get_metadata");
    }
}
