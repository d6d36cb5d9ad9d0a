//! Stone's constraints (lengths, patterns, ranges, list sizes), checked
//! before a value leaves: generated `validate` methods call these.

use std::fmt;
use std::sync::OnceLock;

/// A value that breaks a constraint of the spec, with the field it is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Where: `Type.field`, outermost first (`CommitInfo.path`).
    pub path: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(path: &str, message: String) -> Self {
        ValidationError {
            path: path.to_string(),
            message,
        }
    }

    /// The same error, seen from an enclosing field.
    pub fn within(mut self, outer: &str) -> Self {
        self.path = if self.path.is_empty() {
            outer.to_string()
        } else {
            format!("{outer} > {}", self.path)
        };
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ValidationError {}

/// A Stone pattern, compiled on first use; it must match the whole string.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<regex::Regex>>,
}

impl Pattern {
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    fn is_match(&self, s: &str) -> bool {
        let re = self
            .compiled
            .get_or_init(|| regex::Regex::new(&format!(r"\A(?:{})\z", self.source)).ok());
        // A pattern the regex engine cannot take is not enforced here: the
        // server still checks it.
        re.as_ref().is_none_or(|re| re.is_match(s))
    }
}

pub fn check_str(
    path: &str,
    s: &str,
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<&Pattern>,
) -> Result<(), ValidationError> {
    let len = s.chars().count() as u64;
    if let Some(min) = min_length.filter(|m| len < *m) {
        return Err(ValidationError::new(
            path,
            format!("has {len} characters, fewer than {min}"),
        ));
    }
    if let Some(max) = max_length.filter(|m| len > *m) {
        return Err(ValidationError::new(
            path,
            format!("has {len} characters, more than {max}"),
        ));
    }
    if let Some(p) = pattern.filter(|p| !p.is_match(s)) {
        return Err(ValidationError::new(
            path,
            format!("{s:?} does not match the pattern {}", p.source),
        ));
    }
    Ok(())
}

pub fn check_int(
    path: &str,
    v: i128,
    min: Option<i128>,
    max: Option<i128>,
) -> Result<(), ValidationError> {
    if let Some(min) = min.filter(|m| v < *m) {
        return Err(ValidationError::new(
            path,
            format!("{v} is less than {min}"),
        ));
    }
    if let Some(max) = max.filter(|m| v > *m) {
        return Err(ValidationError::new(
            path,
            format!("{v} is more than {max}"),
        ));
    }
    Ok(())
}

pub fn check_float(
    path: &str,
    v: f64,
    min: Option<f64>,
    max: Option<f64>,
) -> Result<(), ValidationError> {
    if !v.is_finite() {
        return Err(ValidationError::new(
            path,
            format!("{v} is not a finite number"),
        ));
    }
    if let Some(min) = min.filter(|m| v < *m) {
        return Err(ValidationError::new(
            path,
            format!("{v} is less than {min}"),
        ));
    }
    if let Some(max) = max.filter(|m| v > *m) {
        return Err(ValidationError::new(
            path,
            format!("{v} is more than {max}"),
        ));
    }
    Ok(())
}

pub fn check_items(
    path: &str,
    len: usize,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ValidationError> {
    let len = len as u64;
    if let Some(min) = min.filter(|m| len < *m) {
        return Err(ValidationError::new(
            path,
            format!("has {len} items, fewer than {min}"),
        ));
    }
    if let Some(max) = max.filter(|m| len > *m) {
        return Err(ValidationError::new(
            path,
            format!("has {len} items, more than {max}"),
        ));
    }
    Ok(())
}

/// A value whose constraints can be checked: the spec's constraints on a
/// value a route sends (its argument and what it holds), checked before
/// the request goes out. Types only ever received (results, errors) have
/// the default, which accepts everything.
pub trait Validate {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        (**self).validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static PATH: Pattern = Pattern::new("(/(.|[\\r\\n])*)?|id:.*");

    #[test]
    fn constraints() {
        assert!(check_str("A.p", "/a", None, None, Some(&PATH)).is_ok());
        let e = check_str("A.p", "a", None, None, Some(&PATH)).unwrap_err();
        assert_eq!(e.path, "A.p");
        assert!(check_str("A.s", "héé", Some(1), Some(3), None).is_ok());
        assert!(check_str("A.s", "héllo", Some(1), Some(3), None).is_err());
        assert!(check_int("A.n", 5, Some(1), Some(10)).is_ok());
        assert_eq!(
            check_int("A.n", 11, Some(1), Some(10)).unwrap_err().message,
            "11 is more than 10"
        );
        assert!(check_items("A.l", 0, Some(1), None).is_err());
        assert_eq!(
            ValidationError::new("B.x", "bad".into()).within("A.b").path,
            "A.b > B.x"
        );
    }
}
