//! Errors in a spec set: where, what, and how they are shown.

use crate::source::{Pos, SourceFile};
use std::fmt::Write as _;

/// One error in a spec. `pos.line` is the line Stone 3.5.5 reports for the
/// same error; the column points at the offending token where we know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub pos: Pos,
    pub message: String,
}

impl Diagnostic {
    pub fn new(pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            pos,
            message: message.into(),
        }
    }
}

/// Every error found in a spec set. `first` is the one Stone would report
/// (its passes run in a fixed order and stop at the first error); `all`
/// holds every error we found, sorted by file and position.
#[derive(Clone, Debug)]
pub struct SpecErrors {
    pub first: Diagnostic,
    pub all: Vec<Diagnostic>,
}

impl SpecErrors {
    /// From errors in the order Stone's passes would meet them.
    pub fn from_ordered(errors: Vec<Diagnostic>) -> Option<SpecErrors> {
        let first = errors.first()?.clone();
        let mut all = errors;
        all.sort_by(|a, b| a.pos.cmp(&b.pos).then_with(|| a.message.cmp(&b.message)));
        all.dedup();
        Some(SpecErrors { first, all })
    }

    /// `{"error": {"path", "line", "message"}}`, as Stone's summary script prints it.
    pub fn first_as_json(&self, files: &[SourceFile]) -> serde_json::Value {
        let path = files
            .get(self.first.pos.file as usize)
            .map(|f| f.file_name().to_string());
        serde_json::json!({"error": {
            "line": self.first.pos.line,
            "message": self.first.message,
            "path": path,
        }})
    }

    /// Every error as `path:line:col: message`, the source line and a caret.
    pub fn render(&self, files: &[SourceFile]) -> String {
        let mut out = String::new();
        for d in &self.all {
            render_one(&mut out, d, files);
        }
        out
    }
}

pub fn render_one(out: &mut String, d: &Diagnostic, files: &[SourceFile]) {
    let file = files.get(d.pos.file as usize);
    let path = file.map_or("<unknown>", |f| f.path.as_str());
    let _ = writeln!(out, "{path}:{}:{}: {}", d.pos.line, d.pos.col, d.message);
    if let Some(text) = file.and_then(|f| f.line_text(d.pos.line)) {
        let text = text.trim_end_matches('\r');
        let gutter = d.pos.line.to_string();
        let pad = " ".repeat(gutter.len());
        let caret_at: String = text
            .chars()
            .take(d.pos.col.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, "{pad} |\n{gutter} | {text}\n{pad} | {caret_at}^");
    }
}
