//! A JSON writer for the generated encoders: compact output, keys in the
//! order the encoders give them.

pub struct Writer {
    out: String,
    /// Per open container: whether it has an element yet.
    first: Vec<bool>,
    /// Writing for `Debug`: secret fields' values are left out.
    redact: bool,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        Writer {
            out: String::with_capacity(256),
            first: Vec::new(),
            redact: false,
        }
    }

    /// A writer for `Debug` output: the value of a field that holds a
    /// secret (a password or a token, by its name) is written as
    /// `"<redacted>"`.
    pub fn redacting() -> Self {
        Writer {
            redact: true,
            ..Writer::new()
        }
    }

    /// Whether the value under `key` is to be left out.
    pub fn redacts(&self, key: &str) -> bool {
        self.redact && is_secret(key)
    }

    pub fn finish(self) -> String {
        self.out
    }

    fn sep(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if !std::mem::replace(first, false) {
                self.out.push(',');
            }
        }
    }

    pub fn begin_object(&mut self) {
        self.out.push('{');
        self.first.push(true);
    }

    pub fn end_object(&mut self) {
        self.first.pop();
        self.out.push('}');
    }

    pub fn key(&mut self, k: &str) {
        self.sep();
        self.string(k);
        self.out.push(':');
    }

    pub fn begin_array(&mut self) {
        self.out.push('[');
        self.first.push(true);
    }

    /// Before each array item.
    pub fn item(&mut self) {
        self.sep();
    }

    pub fn end_array(&mut self) {
        self.first.pop();
        self.out.push(']');
    }

    pub fn null(&mut self) {
        self.out.push_str("null");
    }

    pub fn bool(&mut self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }

    pub fn int(&mut self, i: i128) {
        use std::fmt::Write as _;
        let _ = write!(self.out, "{i}");
    }

    pub fn float(&mut self, f: f64) {
        use std::fmt::Write as _;
        if f.is_finite() {
            let _ = write!(self.out, "{f:?}");
        } else {
            self.out.push_str("null");
        }
    }

    pub fn raw(&mut self, json: &str) {
        self.out.push_str(json);
    }

    pub fn string(&mut self, s: &str) {
        self.out.push('"');
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            let esc = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            self.out.push_str(&s[start..i]);
            if esc.is_empty() {
                use std::fmt::Write as _;
                let _ = write!(self.out, "\\u{b:04x}");
            } else {
                self.out.push_str(esc);
            }
            start = i + 1;
        }
        self.out.push_str(&s[start..]);
        self.out.push('"');
    }
}

/// Whether a field (or union tag) of this name holds a secret that `Debug`
/// must not show: its last word is `password`, or any word is `token` or
/// `secret` (`oauth2_token`, `oauth1_token_secret`, `link_password`,
/// `set_password`, a shared link's `token_key`). Some flags and team-log
/// events are caught too (`require_password`); showing less there is the
/// safe side.
pub fn is_secret(key: &str) -> bool {
    key.rsplit('_').next() == Some("password")
        || key.split('_').any(|w| w == "token" || w == "secret")
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_field_names() {
        for secret in [
            "password",
            "link_password",
            "set_password",
            "oauth2_token",
            "oauth1_token_secret",
            "token_key",
        ] {
            assert!(super::is_secret(secret), "{secret}");
        }
        for plain in [
            "name",
            "password_required",
            "tokens_used",
            "dropbox_passwords_exported",
            "cursor",
        ] {
            assert!(!super::is_secret(plain), "{plain}");
        }
    }
}
