//! JSON text exactly as Python's `json.dumps(sort_keys=True,
//! ensure_ascii=False)` writes it (with `indent=1` or on one line), so that
//! our output can be compared with Stone's byte for byte.

use serde_json::Value;
use std::fmt::Write as _;

/// `json.dumps(v, sort_keys=True, ensure_ascii=False)`.
pub fn to_line(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, None, 0);
    out
}

/// `json.dumps(v, sort_keys=True, ensure_ascii=False, indent=1)`.
pub fn to_pretty(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, Some(1), 0);
    out
}

fn newline(out: &mut String, indent: Option<usize>, depth: usize) {
    if let Some(n) = indent {
        out.push('\n');
        spaces(out, n * depth);
    }
}

/// `n` spaces, in one copy for the depths JSON here has.
fn spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                ";
    match SPACES.get(..n) {
        Some(s) => out.push_str(s),
        None => out.extend(std::iter::repeat_n(' ', n)),
    }
}

fn write(out: &mut String, v: &Value, indent: Option<usize>, depth: usize) {
    let item_sep = if indent.is_some() { "," } else { ", " };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => {
                let _ = write!(out, "{i}");
            }
            (_, Some(u), _) => {
                let _ = write!(out, "{u}");
            }
            (_, _, Some(f)) => out.push_str(&crate::pyfmt::repr_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, indent, depth + 1);
                write(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, indent, depth + 1);
                write_str(out, k);
                out.push_str(": ");
                write(out, &map[*k], indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    write_str_body(out, s);
    out.push('"');
}

/// A string's characters, escaped, without the quotes.
fn write_str_body(out: &mut String, s: &str) {
    // Every character to escape is ASCII: the runs between them are copied
    // whole. They are looked for by blocks, a test without an early exit
    // that the compiler vectorizes; only a block with one is gone through
    // byte by byte (a multi-line doc has a line break on every line).
    let needs_escape = |b: &u8| *b < 0x20 || *b == b'"' || *b == b'\\';
    let bytes = s.as_bytes();
    let mut run = 0;
    for (n, block) in bytes.chunks(32).enumerate() {
        if !block.iter().fold(false, |seen, b| seen | needs_escape(b)) {
            continue;
        }
        for (k, b) in block.iter().enumerate() {
            if !needs_escape(b) {
                continue;
            }
            let i = n * 32 + k;
            out.push_str(&s[run..i]);
            run = i + 1;
            match b {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b'\n' => out.push_str("\\n"),
                b'\r' => out.push_str("\\r"),
                b'\t' => out.push_str("\\t"),
                0x08 => out.push_str("\\b"),
                0x0c => out.push_str("\\f"),
                b => {
                    let _ = write!(out, "\\u{b:04x}");
                }
            }
        }
    }
    out.push_str(&s[run..]);
}

/// Writes JSON as `json.dumps(..., indent=1)` does, straight from the
/// caller's data, without building a `Value` first. The caller gives each
/// object's keys in sorted order (as `sort_keys=True` leaves them).
pub struct Writer {
    out: String,
    /// One entry per open container: whether it has an item yet.
    open: Vec<bool>,
    /// A key was written: the next value belongs to it.
    after_key: bool,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        Writer {
            out: String::with_capacity(1 << 21),
            open: Vec::with_capacity(16),
            after_key: false,
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// A writer for a run of items inside containers opened elsewhere:
    /// `open` says, per open container, whether it has an item before the
    /// run. The text joins the outer writer's with `splice`.
    pub fn within(open: &[bool], capacity: usize) -> Self {
        Writer {
            out: String::with_capacity(capacity),
            open: open.to_vec(),
            after_key: false,
        }
    }

    /// Append a run of items written by a `within` writer to the current
    /// container.
    pub fn splice(&mut self, run: Writer) {
        if run.out.is_empty() {
            return;
        }
        self.out.push_str(&run.out);
        if let Some(has) = self.open.last_mut() {
            *has = true;
        }
    }

    /// Before an item of the current container: separator and indentation.
    fn item(&mut self) {
        // The comma, the line break and the indentation in one copy.
        const SEP: &str = ",\n                                ";
        let depth = self.open.len();
        if let Some(has) = self.open.last_mut() {
            let from = usize::from(!*has);
            *has = true;
            match SEP.get(from..2 + depth) {
                Some(sep) => self.out.push_str(sep),
                None => {
                    self.out.push_str(&SEP[from..2]);
                    spaces(&mut self.out, depth);
                }
            }
        }
    }

    fn close(&mut self, c: char) {
        if self.open.pop() == Some(true) {
            self.out.push('\n');
            spaces(&mut self.out, self.open.len());
        }
        self.out.push(c);
    }

    /// `"key": ` inside an object.
    pub fn key(&mut self, k: &str) -> &mut Self {
        self.item();
        // Keys are short names: looked at byte by byte, no block scan.
        if k.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            self.out.reserve(k.len() + 4);
            self.out.push('"');
            self.out.push_str(k);
            self.out.push_str("\": ");
        } else {
            write_str(&mut self.out, k);
            self.out.push_str(": ");
        }
        self.after_key = true;
        self
    }

    fn value_start(&mut self) {
        if self.after_key {
            self.after_key = false;
        } else {
            self.item();
        }
    }

    pub fn begin_object(&mut self) {
        self.value_start();
        self.out.push('{');
        self.open.push(false);
    }

    pub fn end_object(&mut self) {
        self.close('}');
    }

    pub fn begin_array(&mut self) {
        self.value_start();
        self.out.push('[');
        self.open.push(false);
    }

    pub fn end_array(&mut self) {
        self.close(']');
    }

    pub fn str(&mut self, s: &str) {
        self.value_start();
        write_str(&mut self.out, s);
    }

    /// A string value given in parts (written as their concatenation).
    pub fn str_parts(&mut self, parts: &[&str]) {
        self.value_start();
        self.out.push('"');
        for part in parts {
            write_str_body(&mut self.out, part);
        }
        self.out.push('"');
    }

    pub fn raw(&mut self, literal: &str) {
        self.value_start();
        self.out.push_str(literal);
    }

    pub fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    pub fn value(&mut self, v: &Value) {
        self.value_start();
        let depth = self.open.len();
        write(&mut self.out, v, Some(1), depth);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_as_json_dumps_does() {
        let mut out = String::new();
        write_str(&mut out, "a\"b\\c\nd\te\u{1}f\u{8}\u{c}\ré — ✓");
        assert_eq!(out, r#""a\"b\\c\nd\te\u0001f\b\f\ré — ✓""#);
    }

    #[test]
    fn the_writer_indents_and_separates_as_json_dumps_does() {
        let mut w = Writer::new();
        w.begin_object();
        w.key("a").begin_array();
        w.str("x");
        w.begin_object();
        w.key("q\"").bool(true);
        w.end_object();
        w.end_array();
        w.key("b").begin_object();
        w.end_object();
        w.end_object();
        let text = w.finish();
        let v: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(text, to_pretty(&v));
        assert_eq!(
            to_pretty(&v),
            "{\n \"a\": [\n  \"x\",\n  {\n   \"q\\\"\": true\n  }\n ],\n \"b\": {}\n}"
        );
    }
}
