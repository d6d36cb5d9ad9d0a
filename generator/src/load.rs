//! Spec sets from disk, and the whole front end in one call.

use crate::diagnostics::{Diagnostic, SpecErrors};
use crate::ir::Api;
use crate::source::{Pos, SourceFile};
use std::path::Path;

/// Read a spec set: each argument is a `.stone` file or a directory whose
/// `*.stone` files are taken in sorted order (as Stone's scripts do).
pub fn load_spec_set<P: AsRef<Path>>(args: &[P]) -> std::io::Result<Vec<SourceFile>> {
    let mut paths = vec![];
    for a in args {
        let a = a.as_ref();
        if a.is_dir() {
            let mut found: Vec<String> = std::fs::read_dir(a)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "stone") && p.is_file())
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            found.sort();
            paths.extend(found);
        } else {
            paths.push(a.to_string_lossy().into_owned());
        }
    }
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{p}: {e}")))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{p}: not UTF-8: {e}"),
                )
            })?;
            Ok(SourceFile::new(p, universal_newlines(&text)))
        })
        .collect()
}

/// Python's text mode: `\r\n` and a lone `\r` read as `\n`.
pub fn universal_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Parse and validate a spec set into its IR. On error, every error found;
/// the first is the one Stone reports (its files parse in order and it
/// stops at the first file with an error).
pub fn compile(files: &[SourceFile]) -> Result<Api, SpecErrors> {
    let mut asts = vec![];
    let mut errors: Vec<Diagnostic> = vec![];
    for (i, f) in files.iter().enumerate() {
        match crate::parser::parse_file(i as u32, &f.text) {
            Ok(ast) => asts.push((i as u32, ast)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if let Some(errs) = SpecErrors::from_ordered(errors) {
        return Err(errs);
    }
    if files.is_empty() {
        let _ = Pos::default();
    }
    crate::ir::build_api(files, asts)
}
