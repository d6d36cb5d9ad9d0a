//! A pull reader over JSON text, for the generated decoders.

use std::borrow::Cow;
use std::fmt;

/// A decoding failure: what was wrong, and where in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub message: String,
    /// Byte offset into the JSON text.
    pub offset: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for DecodeError {}

/// How deep objects and arrays may nest. Dropbox's types nest a few levels
/// (serde_json's default limit is 128 too); each level costs a few
/// kilobytes of stack in a debug build, well within a thread's 2 MiB.
pub const MAX_DEPTH: usize = 128;

pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    /// Whether the container being read has had an element yet.
    first: Vec<bool>,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            first: Vec::new(),
        }
    }

    pub fn error(&self, message: String) -> DecodeError {
        DecodeError {
            message,
            offset: self.pos,
        }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Go back to a position saved with `pos()` (container state included:
    /// only within the same object).
    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn ws(&mut self) {
        let b = self.bytes();
        while self.pos < b.len() && matches!(b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes().get(self.pos).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), DecodeError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected '{}'", c as char)))
        }
    }

    /// After the value: only white space may remain.
    pub fn end(&mut self) -> Result<(), DecodeError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters after the value".into())),
        }
    }

    pub fn is_object(&mut self) -> bool {
        self.peek() == Some(b'{')
    }

    pub fn is_string(&mut self) -> bool {
        self.peek() == Some(b'"')
    }

    pub fn begin_object(&mut self) -> Result<(), DecodeError> {
        self.expect(b'{')?;
        self.enter()
    }

    /// Into a container just opened. Reading recurses once per level
    /// (`skip_value`, the decoders), so a few kilobytes of `[` would
    /// overflow the stack and abort the process: deeper input is refused.
    fn enter(&mut self) -> Result<(), DecodeError> {
        if self.first.len() >= MAX_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.first.push(true);
        Ok(())
    }

    /// The next key of the current object, or None at its end.
    pub fn next_key(&mut self) -> Result<Option<Cow<'a, str>>, DecodeError> {
        let first = self.first.last_mut().map(take_first).unwrap_or(true);
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                self.first.pop();
                return Ok(None);
            }
            Some(b',') if !first => self.pos += 1,
            _ if first => {}
            _ => return Err(self.error("expected ',' or '}'".into())),
        }
        let key = self.str_cow()?;
        self.expect(b':')?;
        Ok(Some(key))
    }

    pub fn begin_array(&mut self) -> Result<(), DecodeError> {
        self.expect(b'[')?;
        self.enter()
    }

    /// Whether another item of the current array follows.
    pub fn next_item(&mut self) -> Result<bool, DecodeError> {
        let first = self.first.last_mut().map(take_first).unwrap_or(true);
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                self.first.pop();
                Ok(false)
            }
            Some(b',') if !first => {
                self.pos += 1;
                Ok(true)
            }
            _ if first => Ok(true),
            _ => Err(self.error("expected ',' or ']'".into())),
        }
    }

    pub fn take_null(&mut self) -> Result<bool, DecodeError> {
        if self.peek() == Some(b'n') {
            if self.text[self.pos..].starts_with("null") {
                self.pos += 4;
                return Ok(true);
            }
            return Err(self.error("expected a value".into()));
        }
        Ok(false)
    }

    pub fn boolean(&mut self) -> Result<bool, DecodeError> {
        self.ws();
        let rest = &self.text[self.pos..];
        if rest.starts_with("true") {
            self.pos += 4;
            Ok(true)
        } else if rest.starts_with("false") {
            self.pos += 5;
            Ok(false)
        } else {
            Err(self.error("expected a boolean".into()))
        }
    }

    /// A number as JSON spells it: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
    /// (no `+`, no leading zero, digits on both sides of the point).
    fn number_text(&mut self) -> Result<&'a str, DecodeError> {
        self.ws();
        let b = self.bytes();
        let start = self.pos;
        let digits = |mut i: usize| {
            let from = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            (i > from).then_some(i)
        };
        let mut i = start + usize::from(b.get(start) == Some(&b'-'));
        i = match b.get(i) {
            Some(b'0') => Some(i + 1),
            Some(b'1'..=b'9') => digits(i),
            _ => None,
        }
        .ok_or_else(|| self.error("expected a number".into()))?;
        if b.get(i) == Some(&b'.') {
            i = digits(i + 1).ok_or_else(|| self.error("expected digits after '.'".into()))?;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
            i = digits(i + 1 + sign)
                .ok_or_else(|| self.error("expected digits in the exponent".into()))?;
        }
        self.pos = i;
        Ok(&self.text[start..i])
    }

    pub fn integer(&mut self) -> Result<i128, DecodeError> {
        let at = self.pos;
        let t = self.number_text()?;
        t.parse::<i128>().map_err(|_| DecodeError {
            message: format!("expected an integer, got {t}"),
            offset: at,
        })
    }

    pub fn float(&mut self) -> Result<f64, DecodeError> {
        let at = self.pos;
        let t = self.number_text()?;
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(DecodeError {
                message: format!("expected a finite number, got {t}"),
                offset: at,
            }),
        }
    }

    pub fn string(&mut self) -> Result<String, DecodeError> {
        self.str_cow().map(Cow::into_owned)
    }

    /// A string, borrowed from the input where it has no escapes.
    ///
    /// Inline: most strings (every key) have no escape, and this path is a
    /// few instructions once its callers need not set up a call to the
    /// whole escape loop (`escaped`), which is most of its cost otherwise.
    #[inline]
    pub fn str_cow(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        self.expect(b'"')?;
        let b = self.bytes();
        let start = self.pos;
        let i = find_string_special(b, start);
        if i < b.len() && b[i] == b'"' {
            self.pos = i + 1;
            return Ok(Cow::Borrowed(&self.text[start..i]));
        }
        self.escaped(start, i)
    }

    /// The rest of a string that has an escape, a control character or no
    /// end: `start` is its first byte, `i` the first of those.
    #[cold]
    #[inline(never)]
    fn escaped(&mut self, start: usize, i: usize) -> Result<Cow<'a, str>, DecodeError> {
        let b = self.bytes();
        let mut out = String::from(&self.text[start..i]);
        self.pos = i;
        loop {
            let Some(&c) = b.get(self.pos) else {
                return Err(self.error("unterminated string".into()));
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    let e = *b
                        .get(self.pos + 1)
                        .ok_or_else(|| self.error("unterminated escape".into()))?;
                    self.pos += 2;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let mut c = char::from_u32(hi);
                            // A high surrogate and a low one make one
                            // character; a surrogate alone is U+FFFD, and an
                            // escape after it is read on its own.
                            if (0xD800..0xDC00).contains(&hi)
                                && self.text[self.pos..].starts_with("\\u")
                            {
                                let back = self.pos;
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    c = char::from_u32(
                                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00),
                                    );
                                } else {
                                    self.pos = back;
                                }
                            }
                            out.push(c.unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.error("bad escape".into())),
                    }
                }
                0..=0x1f => {
                    return Err(
                        self.error("a control character in a string (JSON escapes them)".into())
                    )
                }
                _ => {
                    // Copy up to the next quote, backslash or control
                    // character at once.
                    let start = self.pos;
                    let j = find_string_special(b, start);
                    out.push_str(&self.text[start..j]);
                    self.pos = j;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let h = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape".into()))?;
        // Hex digits only (`from_str_radix` would take a sign).
        let value = h
            .chars()
            .try_fold(0, |n, c| Some(n * 16 + c.to_digit(16)?))
            .ok_or_else(|| self.error("bad \\u escape".into()))?;
        self.pos += 4;
        Ok(value)
    }

    /// Skip one value of any kind.
    pub fn skip_value(&mut self) -> Result<(), DecodeError> {
        match self.peek() {
            Some(b'{') => {
                self.begin_object()?;
                while self.next_key()?.is_some() {
                    self.skip_value()?;
                }
                Ok(())
            }
            Some(b'[') => {
                self.begin_array()?;
                while self.next_item()? {
                    self.skip_value()?;
                }
                Ok(())
            }
            Some(b'"') => self.str_cow().map(drop),
            Some(b't' | b'f') => self.boolean().map(drop),
            Some(b'n') => {
                if self.take_null()? {
                    Ok(())
                } else {
                    Err(self.error("expected a value".into()))
                }
            }
            Some(_) => self.number_text().map(drop),
            None => Err(self.error("unexpected end of input".into())),
        }
    }

    /// The next value's text, consumed.
    pub fn raw_value(&mut self) -> Result<&'a str, DecodeError> {
        self.ws();
        let start = self.pos;
        self.skip_value()?;
        Ok(&self.text[start..self.pos])
    }

    /// Whether the object starting here has a key other than `.tag`; the
    /// position is left unchanged.
    pub fn has_key_beside_tag(&mut self) -> Result<bool, DecodeError> {
        self.look_in_object(|_, k| Ok((k != ".tag").then_some(())))
            .map(|found| found.is_some())
    }

    /// The `.tag` of the object starting here, wherever it is among the
    /// keys; the position is left unchanged.
    pub fn peek_tag(&mut self) -> Result<Option<Cow<'a, str>>, DecodeError> {
        self.look_in_object(|r, k| match k {
            ".tag" => r.str_cow().map(Some),
            _ => Ok(None),
        })
    }

    /// Reads the keys of the object starting here until `at_key` (given
    /// each key, before its value) finds what it looks for; a key it
    /// passes over has its value skipped. The position (and container
    /// state) is then put back where it was.
    fn look_in_object<T>(
        &mut self,
        mut at_key: impl FnMut(&mut Self, &str) -> Result<Option<T>, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        let (start, depth) = (self.pos, self.first.len());
        self.begin_object()?;
        let mut found = None;
        while let Some(k) = self.next_key()? {
            found = at_key(self, &k)?;
            if found.is_some() {
                break;
            }
            self.skip_value()?;
        }
        self.pos = start;
        self.first.truncate(depth);
        Ok(found)
    }
}

/// The first `"`, `\\` or control character (which JSON does not allow
/// unescaped in a string) at or after `i`, or the end; eight bytes at a
/// time: JSON strings are mostly short keys and values without escapes.
fn find_string_special(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has = |x: u64, byte: u8| {
        let v = x ^ (ONES * u64::from(byte));
        v.wrapping_sub(ONES) & !v & HIGHS
    };
    // A byte below 0x20 (the high bit of each byte of `x` is left out:
    // UTF-8's bytes above 0x7f are never below 0x20).
    let control = |x: u64| x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
    let special = |c: u8| c == b'"' || c == b'\\' || c < 0x20;
    while let Some(chunk) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let hits = has(x, b'"') | has(x, b'\\') | control(x);
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && !special(b[i]) {
        i += 1;
    }
    i
}

/// Whether an element is the container's first (and mark it not).
fn take_first(flag: &mut bool) -> bool {
    std::mem::replace(flag, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Cow<'_, str>, DecodeError> {
        let mut r = Reader::new(json);
        let s = r.str_cow()?;
        r.end()?;
        Ok(s)
    }

    #[test]
    fn strings_without_escapes_are_borrowed_and_with_them_unescaped() {
        // Short and long (past the eight-byte scan), quote at each end.
        for plain in [
            "",
            "a",
            "Prime_Numbers_1.txt",
            "/homework/math/prime_numbers_1.txt",
        ] {
            let json = format!("\"{plain}\"");
            let got = read(&json).unwrap();
            assert!(matches!(got, Cow::Borrowed(s) if s == plain), "{plain}");
        }
        let cases = [
            (r#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{c}\n\r\t"),
            // An escape after a long plain run, and plain text after it.
            (
                r#""/Homework/math/caf\u00e9 menu.txt""#,
                "/Homework/math/café menu.txt",
            ),
            // A surrogate pair; a lone high or low surrogate (replaced), and
            // an escape after a lone high one read on its own.
            (r#""\ud83d\ude00 \ud83d!""#, "\u{1F600} \u{FFFD}!"),
            (r#""\ude00\ud83d\u0041""#, "\u{FFFD}\u{FFFD}A"),
        ];
        for (json, want) in cases {
            let got = read(json).unwrap();
            assert!(
                matches!(got, Cow::Owned(ref s) if s == want),
                "{json}: {got:?}"
            );
        }
    }

    #[test]
    fn broken_strings_are_errors_at_their_place() {
        for (json, message) in [
            (r#""no end"#, "unterminated string"),
            (r#""long enough to scan, no end"#, "unterminated string"),
            (r#""a\"#, "unterminated escape"),
            (r#""a\x""#, "bad escape"),
            (r#""a\u12zz""#, "bad \\u escape"),
            // `from_str_radix` alone would take a sign.
            (r#""a\u+123""#, "bad \\u escape"),
            (r#""a\u1"#, "short \\u escape"),
            (
                "\"tab\there\"",
                "a control character in a string (JSON escapes them)",
            ),
            (
                "\"a long run before it: \u{1}\"",
                "a control character in a string (JSON escapes them)",
            ),
            (
                "\"after an escape \\n, a newline\n\"",
                "a control character in a string (JSON escapes them)",
            ),
        ] {
            let e = read(json).unwrap_err();
            assert_eq!(e.message, message, "{json}");
            assert!(e.offset <= json.len(), "{json}: {}", e.offset);
        }
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_an_error_not_a_stack_overflow() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let limit = deep(MAX_DEPTH);
        let mut r = Reader::new(&limit);
        r.skip_value().unwrap();
        r.end().unwrap();
        // Far deeper than any stack holds, in an unknown field and alone.
        for json in [
            format!(r#"{{"x": {}}}"#, deep(100_000)),
            deep(MAX_DEPTH + 1),
            format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000)),
        ] {
            let e = Reader::new(&json).skip_value().unwrap_err();
            assert_eq!(e.message, "nested deeper than 128 levels");
        }
        // Through a generated decoder: a route error with a deep extra key.
        let json = format!(
            r#"{{".tag": "invalid_access_token", "x": {}}}"#,
            deep(100_000)
        );
        let e = crate::wire::from_str::<crate::auth::AuthError>(&json).unwrap_err();
        assert_eq!(e.message, "nested deeper than 128 levels");
    }

    #[test]
    fn numbers_are_read_as_json_spells_them() {
        for (json, want) in [
            ("0", 0.0),
            ("-0", 0.0),
            ("0.5", 0.5),
            ("-1.5e-3", -0.0015),
            ("1E+2", 100.0),
            ("12e2", 1200.0),
        ] {
            let mut r = Reader::new(json);
            assert_eq!(r.float().unwrap(), want, "{json}");
            r.end().unwrap();
        }
        assert_eq!(
            Reader::new("-170141183460469231731687303715884105728")
                .integer()
                .unwrap(),
            i128::MIN
        );
        // Each is refused by the number itself or leaves text behind it.
        for json in [
            "+5", "01", ".5", "1.", "-", "e", "1e", "1e+", "--1", "1-2", "0x10", "1.5.2",
            "Infinity", "NaN",
        ] {
            let mut r = Reader::new(json);
            let whole = r.float().and_then(|_| r.end());
            assert!(whole.is_err(), "{json}");
            let mut r = Reader::new(json);
            assert!(r.skip_value().and_then(|_| r.end()).is_err(), "{json}");
        }
    }

    #[test]
    fn an_escaped_key_reads_as_its_value() {
        let mut r = Reader::new(r#"{"n\u0061me": 1}"#);
        r.begin_object().unwrap();
        assert_eq!(r.next_key().unwrap().as_deref(), Some("name"));
    }
}
