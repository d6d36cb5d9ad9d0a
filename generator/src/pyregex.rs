//! Python `re` patterns, compiled for Rust with the same meaning where the
//! two dialects differ in ways Stone specs use: `$` also matches before a
//! final line break, `\Z` is the very end. Matching is `re.match`: anchored
//! at the start only.

use fancy_regex::Regex;
use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Translate a Python pattern into an equivalent fancy-regex pattern.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('Z') if !in_class => out.push_str(r"\z"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // A `]` or `^]` right after `[` is literal in both dialects.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str(r"\]");
                    chars.next();
                }
            }
            '[' if in_class => out.push_str(r"\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '$' if !in_class => out.push_str(r"(?=\n?\z)"),
            c => out.push(c),
        }
    }
    out
}

/// A compiled Python pattern, used as `re.match` (anchored at the start).
#[derive(Debug)]
pub struct PyRegex(Regex);

type Compiled = Result<Arc<PyRegex>, String>;

/// Specs use a few dozen patterns thousands of times: each is compiled
/// once, by whichever thread asks first (a helper thread asks while the IR
/// is built, see `ir::build::beside`); a thread asking for a pattern being
/// compiled waits for it rather than compiling it again.
fn cell(pattern: &str) -> Arc<OnceLock<Compiled>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<OnceLock<Compiled>>>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(hit) = cache.get(pattern) {
        return hit.clone();
    }
    // Bounded, for long-running hosts fed many specs (a fuzzer).
    if cache.len() >= 1024 {
        cache.clear();
    }
    cache.entry(pattern.to_string()).or_default().clone()
}

impl PyRegex {
    pub fn new(pattern: &str) -> Compiled {
        cell(pattern)
            .get_or_init(|| {
                // No full DFA: building one is most of a compile, and a
                // pattern matches a handful of example strings at most.
                fancy_regex::RegexBuilder::new(&format!(r"\A(?:{})", translate(pattern)))
                    .delegate_dfa_size_limit(0)
                    .build()
                    .map(|r| Arc::new(PyRegex(r)))
                    .map_err(|e| e.to_string())
            })
            .clone()
    }

    /// `re.match(pattern, text) is not None`.
    pub fn matches_start(&self, text: &str) -> bool {
        self.0.is_match(text).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_matches_before_final_newline_like_python() {
        let r = PyRegex::new("^abc$").unwrap();
        assert!(r.matches_start("abc"));
        assert!(r.matches_start("abc\n"));
        assert!(!r.matches_start("abc\nd"));
    }

    #[test]
    fn match_is_anchored_at_start_only() {
        let r = PyRegex::new("[0-9a-f]+").unwrap();
        assert!(r.matches_start("abc-zzz"));
        assert!(!r.matches_start("zzz"));
    }

    #[test]
    fn spec_patterns_compile() {
        for p in [
            r"[^\/:?*<>]",
            r"(/(.|[\r\n])*)?",
            r"^['#&A-Za-z0-9._%+-]+@[A-Za-z0-9-][A-Za-z0-9.-]*\.[A-Za-z]{2,15}$",
            r"[\w]+",
        ] {
            PyRegex::new(p).unwrap();
        }
        assert!(PyRegex::new("(").is_err());
    }
}
