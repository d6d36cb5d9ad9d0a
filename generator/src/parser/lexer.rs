//! A mirror of Stone's tokenizer (stone/frontend/lexer.py, on ply.lex).
//!
//! Its tokens are what the pest grammar parses: each is one ASCII character
//! of `Lexed::kinds` (see `kind`), so pest decides the structure over about
//! one character in ten of the text, and the tokens give the values. This
//! pass also gives what only a scan of the text can give exactly as Stone
//! does:
//! - lexical errors, all of them, which Stone reports before any parse error
//!   (illegal characters, indents not divisible by 4, line continuations
//!   that do not indent by one step);
//! - the value of each string literal (escapes resolved, the current block's
//!   indentation removed once from each line, Stone's quirks included);
//! - the token found where the parse failed, to name it as Stone does.

use crate::pyfmt::{repr_float, repr_str};

/// The character each token kind is in `Lexed::kinds`, the text the pest
/// grammar reads (`stone.pest` names them in the same way).
pub mod kind {
    pub const ID: u8 = b'i';
    pub const STRING: u8 = b's';
    pub const INTEGER: u8 = b'n';
    pub const FLOAT: u8 = b'f';
    pub const BOOLEAN: u8 = b'b';
    pub const NULL: u8 = b'z';
    pub const PATH: u8 = b'/';
    pub const NEWLINE: u8 = b'\n';
    pub const INDENT: u8 = b'>';
    pub const DEDENT: u8 = b'<';
    /// Not one of Stone's tokens: an illegal character, where the parse
    /// must fail (Stone's tokenizer skips it after the error).
    pub const ILLEGAL: u8 = b'!';
    pub const UNION: u8 = b'u';
    pub const UNION_CLOSED: u8 = b'c';
}

/// Keywords (their lengths are listed where words are looked up): the
/// word, Stone's token type, and its character in `kinds`
/// (Stone's KEYWORD class covers five words, which its grammar tells apart
/// by value: each has a character of its own here).
const KEYWORDS: &[(&str, &str, u8)] = &[
    ("alias", "KEYWORD", b'A'),
    ("annotation", "ANNOTATION", b'Y'),
    ("annotation_type", "ANNOTATION_TYPE", b'T'),
    ("attrs", "ATTRS", b'W'),
    ("by", "BY", b'B'),
    ("deprecated", "DEPRECATED", b'E'),
    ("doc", "KEYWORD", b'O'),
    ("example", "KEYWORD", b'X'),
    ("error", "KEYWORD", b'R'),
    ("extends", "EXTENDS", b'x'),
    ("import", "IMPORT", b'M'),
    ("namespace", "KEYWORD", b'S'),
    ("patch", "PATCH", b'P'),
    ("route", "ROUTE", b'U'),
    ("struct", "STRUCT", b'K'),
    ("union", "UNION", kind::UNION),
    ("union_closed", "UNION_CLOSED", kind::UNION_CLOSED),
];

#[derive(Clone, Debug)]
pub struct Token {
    /// Its character in `Lexed::kinds` (see `kind`).
    pub kind: u8,
    pub line: u32,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// Stone's token type name (ID, KEYWORD, NEWLINE, INDENT, ...).
    pub fn name(&self) -> &'static str {
        match self.kind {
            kind::ID => "ID",
            kind::STRING => "STRING",
            kind::INTEGER => "INTEGER",
            kind::FLOAT => "FLOAT",
            kind::BOOLEAN => "BOOLEAN",
            kind::NULL => "NULL",
            kind::PATH => "PATH",
            kind::NEWLINE => "NEWLINE",
            kind::INDENT => "INDENT",
            kind::DEDENT => "DEDENT",
            b'(' => "LPAR",
            b')' => "RPAR",
            b'.' => "DOT",
            b'[' => "LBRACKET",
            b']' => "RBRACKET",
            b'?' => "Q",
            b'{' => "LBRACE",
            b'}' => "RBRACE",
            b':' => "COLON",
            b'=' => "EQ",
            b',' => "COMMA",
            b'@' => "AT",
            k => KEYWORDS
                .iter()
                .find(|(_, _, c)| *c == k)
                .map_or("ILLEGAL", |(_, name, _)| name),
        }
    }
}

#[derive(Default)]
pub struct Lexed {
    /// Set when the input nests deeper than `MAX_NESTING`: the parser must
    /// not run on it (its recursion follows the nesting).
    pub too_deep: bool,
    pub tokens: Vec<Token>,
    /// One character per token (its `kind`): the text pest parses.
    pub kinds: String,
    /// (message, line, byte offset) in the order Stone meets them.
    pub errors: Vec<(String, u32, usize)>,
    /// String literal start offset -> value.
    /// String literals' values by start offset, in order.
    pub strings: Vec<(usize, String)>,
    /// A bracket or parenthesis is still open at the end.
    pub open_at_end: bool,
}

/// Brackets or blocks nested deeper than this are an error. Real specs nest
/// a few levels; the bound keeps every recursive pass shallow.
pub const MAX_NESTING: usize = 100;

struct Lexer<'a> {
    data: &'a str,
    pos: usize,
    line: u32,
    cur_indent: i64,
    parens: usize,
    /// Open `(`, `[` and `{`, for the nesting bound.
    brackets: usize,
    out: Lexed,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Python's `str.isspace`, which `lstrip()` uses.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.splitlines()` line boundaries.
fn split_py_lines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let boundary = matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if boundary {
            lines.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' {
                if let Some(&(_, '\n')) = iter.peek() {
                    iter.next();
                    end += 1;
                }
            }
            start = end;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// Resolve a string literal's escapes and remove the block's indentation as
/// Stone's `t_ANY_STRING` does (the first occurrence in each line, anywhere).
pub fn string_value(raw_inner: &str, cur_indent: i64) -> String {
    let unescaped;
    let s: &str = if raw_inner.contains('\\') {
        let mut out = String::with_capacity(raw_inner.len());
        let mut escaped = false;
        for c in raw_inner.chars() {
            if escaped {
                out.push(match c {
                    'n' => '\n',
                    't' => '\t',
                    c => c,
                });
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else {
                out.push(c);
            }
        }
        unescaped = out;
        &unescaped
    } else {
        raw_inner
    };
    // Real blocks nest a few levels: no allocation for their indentation.
    const SPACES: &str = "                                                                ";
    let width = (cur_indent.max(0) * 4) as usize;
    let deep;
    let indent: &str = match SPACES.get(..width) {
        Some(spaces) => spaces,
        None => {
            deep = " ".repeat(width);
            &deep
        }
    };
    // The common case, only `\n` breaks: one pass, one allocation.
    // Only a control character or a non-ASCII one can be another break
    // (a branch-free scan by blocks first; the exact test when it finds one).
    let suspect = |b: &u8| (*b < 0x20 && *b != b'\n' && *b != b'\t') || *b >= 0x80;
    let other_breaks = s
        .as_bytes()
        .chunks(32)
        .any(|block| block.iter().fold(false, |seen, b| seen | suspect(b)))
        && s.chars().any(|c| {
            matches!(
                c,
                '\r' | '\u{b}' | '\u{c}' | '\u{1c}'..='\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
            )
        });
    if !other_breaks {
        let body = s.strip_suffix('\n').unwrap_or(s);
        let mut out = String::with_capacity(body.len());
        for (i, line) in body.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            // Usually the indentation starts the line: no search needed.
            let at = if indent.is_empty() {
                None
            } else if line.starts_with(indent) {
                Some(0)
            } else {
                find_spaces(line, indent.len())
            };
            match at {
                Some(at) => {
                    out.push_str(&line[..at]);
                    out.push_str(&line[at + indent.len()..]);
                }
                None => out.push_str(line),
            }
        }
        return out;
    }
    split_py_lines(s)
        .into_iter()
        .map(|l| l.replacen(indent, "", 1))
        .collect::<Vec<_>>()
        .join("\n")
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.data[self.pos..]
    }

    fn push(&mut self, kind: u8, start: usize, end: usize, line: u32) {
        // Blank lines between two line breaks (only spaces on them, or a
        // comment) end no logical line: one NEWLINE stands for them all.
        if kind == kind::NEWLINE && self.out.kinds.as_bytes().last() == Some(&kind::NEWLINE) {
            return;
        }
        self.out.kinds.push(char::from(kind));
        self.out.tokens.push(Token {
            kind,
            start,
            end,
            line,
        });
    }

    fn open_bracket(&mut self, offset: usize) {
        self.brackets += 1;
        if self.brackets > MAX_NESTING {
            self.nesting_error(offset);
        }
    }

    fn nesting_error(&mut self, offset: usize) {
        if !self.out.too_deep {
            self.out.too_deep = true;
            let msg = format!("Nesting is too deep (more than {MAX_NESTING} levels).");
            self.error(msg, self.line, offset);
        }
    }

    fn error(&mut self, msg: String, line: u32, offset: usize) {
        self.out.errors.push((msg, line, offset));
    }

    /// `_get_next_line_indent_delta`: the indentation change (in steps) of
    /// the line starting at `next`, or None where it does not count.
    fn next_line_delta(&mut self, next: usize) -> Option<i64> {
        if next >= self.data.len() {
            return None;
        }
        let bytes = &self.data.as_bytes()[next..];
        let spaces = bytes.iter().take_while(|&&b| b == b' ').count();
        let indent = match bytes.get(spaces) {
            // The common case: spaces, then a visible ASCII character.
            Some(&b) if b.is_ascii_graphic() => {
                if b == b'#' {
                    return None;
                }
                spaces as i64
            }
            _ => {
                let line = self.data[next..].split('\n').next().unwrap_or("");
                let stripped = line.trim_start_matches(is_py_space);
                if stripped.is_empty() || stripped.starts_with('#') {
                    return None;
                }
                (line.chars().count() - stripped.chars().count()) as i64
            }
        };
        if indent % 4 > 0 {
            self.error("Indent is not divisible by 4.".into(), self.line, next);
            return None;
        }
        Some((indent - self.cur_indent * 4).div_euclid(4))
    }

    /// INDENT/DEDENT tokens before the line starting at `next`.
    fn dents(&mut self, newline_line: u32, next: usize) {
        let Some(delta) = self.next_line_delta(next) else {
            return;
        };
        if delta == 0 {
            return;
        }
        let kind = if delta > 0 {
            kind::INDENT
        } else {
            kind::DEDENT
        };
        for _ in 0..delta.abs() {
            self.push(kind, next, next, newline_line + 1);
        }
        self.cur_indent += delta;
        if delta > 0 && self.cur_indent > MAX_NESTING as i64 {
            self.nesting_error(next);
        }
    }

    /// Inside parentheses, a continuation line must be indented one step.
    fn check_continuation(&mut self, next: usize) {
        if let Some(delta) = self.next_line_delta(next) {
            if delta != 1 {
                self.error(
                    "Line continuation must increment indent by 1.".into(),
                    self.line,
                    next,
                );
            }
        }
    }

    /// A run of `breaks` line breaks (after a comment: `start` is the
    /// comment's) ending at `end`.
    fn newline_run(
        &mut self,
        start: usize,
        end: usize,
        breaks: usize,
        token_line: u32,
        emit: bool,
    ) {
        self.line += breaks as u32;
        if self.parens > 0 {
            self.check_continuation(end);
        } else {
            if emit {
                self.push(kind::NEWLINE, start, end, token_line);
            }
            self.dents(token_line, end);
        }
    }

    fn run(mut self) -> Lexed {
        while self.pos < self.data.len() {
            let rest = self.rest();
            let b = rest.as_bytes()[0];
            let c = if b.is_ascii() {
                char::from(b)
            } else {
                rest.chars().next().unwrap_or('\0')
            };
            let start = self.pos;
            let line = self.line;
            if c == ' ' || c == '\t' {
                // A whole run at once (indentation is most of the spaces).
                self.pos += rest
                    .bytes()
                    .take_while(|&b| b == b' ' || b == b'\t')
                    .count();
                continue;
            }
            if c == '(' || c == ')' {
                if c == '(' {
                    self.parens += 1;
                    self.open_bracket(start);
                } else {
                    self.parens = self.parens.saturating_sub(1);
                    self.brackets = self.brackets.saturating_sub(1);
                }
                self.pos += 1;
                self.push(b, start, start + 1, line);
                continue;
            }
            // Only `true`, `false` and `null` start with these.
            let may_be_literal = matches!(c, 't' | 'f' | 'n');
            let prev_is_word = || match start.checked_sub(1).map(|i| self.data.as_bytes()[i]) {
                None => false,
                Some(p) if p.is_ascii() => p.is_ascii_alphanumeric() || p == b'_',
                Some(_) => self.data[..start].chars().next_back().is_some_and(is_word),
            };
            if may_be_literal && !prev_is_word() {
                let literal = [
                    ("true", kind::BOOLEAN),
                    ("false", kind::BOOLEAN),
                    ("null", kind::NULL),
                ]
                .into_iter()
                .find(|(w, _)| {
                    rest.starts_with(w) && !rest[w.len()..].chars().next().is_some_and(is_word)
                });
                if let Some((word, kind)) = literal {
                    self.pos += word.len();
                    self.push(kind, start, self.pos, line);
                    continue;
                }
            }
            if c.is_ascii_alphabetic() || c == '_' {
                let len = rest
                    .bytes()
                    .position(|ch| !(ch.is_ascii_alphanumeric() || ch == b'_' || ch == b'-'))
                    .unwrap_or(rest.len());
                let word = &rest[..len];
                let mut kind = kind::ID;
                // Every keyword starts with a lower-case letter from a to u,
                // and has one of a few lengths.
                if matches!(b, b'a'..=b'u') && matches!(len, 2 | 3 | 5..=7 | 9 | 10 | 12 | 15) {
                    if let Some((_, _, k)) = KEYWORDS.iter().find(|(w, _, _)| *w == word) {
                        if !(word == "annotation_type" && self.cur_indent > 0) {
                            kind = *k;
                        }
                    }
                }
                self.pos += len;
                self.push(kind, start, self.pos, line);
                continue;
            }
            if c == '/' {
                let len = 1 + rest[1..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || "/_-".contains(ch)))
                    .unwrap_or(rest.len() - 1);
                self.pos += len;
                self.push(kind::PATH, start, self.pos, line);
                continue;
            }
            if let Some((len, is_float)) = number_len(rest) {
                self.pos += len;
                let kind = if is_float { kind::FLOAT } else { kind::INTEGER };
                self.push(kind, start, self.pos, line);
                continue;
            }
            if c == '"' {
                if let Some(len) = string_len(rest) {
                    let raw = &rest[..len];
                    let value = string_value(&raw[1..len - 1], self.cur_indent);
                    self.line += count_newlines(raw);
                    self.pos += len;
                    self.push(kind::STRING, start, self.pos, line);
                    self.out.strings.push((start, value));
                    continue;
                }
            }
            if c == '#' {
                // `[#][^\n]*\n+`: the comment takes the line breaks after it.
                let body = rest.find('\n').unwrap_or(rest.len());
                let nls = leading_newlines(&rest[body..]);
                if nls > 0 {
                    let end = start + body + nls;
                    self.pos = end;
                    if self.parens > 0 {
                        self.newline_run(start, end, nls, line, false);
                        continue;
                    }
                    let before = self.data[..start].trim_end_matches(' ');
                    let full_line = before.ends_with('\n');
                    let partial = !full_line && !before.is_empty();
                    self.line += nls as u32;
                    if full_line || partial {
                        if partial {
                            self.push(kind::NEWLINE, end - 1, end, line);
                        }
                        self.dents(line, end);
                    }
                    continue;
                }
            }
            if c == '\n' {
                let len = leading_newlines(rest);
                self.pos += len;
                self.newline_run(start, start + len, len, line, true);
                continue;
            }
            // These characters are their own kinds.
            if matches!(c, '.' | '[' | ']' | '?' | '{' | '}' | ':' | '=' | ',' | '@') {
                match c {
                    '[' | '{' => self.open_bracket(start),
                    ']' | '}' => self.brackets = self.brackets.saturating_sub(1),
                    _ => {}
                }
                self.pos += 1;
                self.push(b, start, self.pos, line);
                continue;
            }
            self.push(kind::ILLEGAL, start, start + c.len_utf8(), line);
            self.error(
                format!("Illegal character {}.", repr_str(&c.to_string())),
                line,
                start,
            );
            self.pos += c.len_utf8();
        }
        self.out.open_at_end = self.parens > 0 || self.brackets > 0;
        if self.cur_indent > 0 {
            let end = self.data.len();
            if self
                .out
                .tokens
                .last()
                .is_some_and(|t| t.kind != kind::NEWLINE)
            {
                self.push(kind::NEWLINE, end, end, self.line);
            }
            for _ in 0..self.cur_indent {
                self.push(kind::DEDENT, end, end, self.line);
            }
        }
        self.out
    }
}

impl Lexed {
    /// A string literal's value, by its start offset.
    pub fn string_at(&self, start: usize) -> Option<&str> {
        let i = self
            .strings
            .binary_search_by_key(&start, |(s, _)| *s)
            .ok()?;
        Some(&self.strings[i].1)
    }

    /// The token's value as Python's `repr` shows it in Stone's messages.
    pub fn repr(&self, data: &str, t: &Token) -> String {
        let text = data.get(t.start..t.end).unwrap_or("");
        match t.kind {
            kind::BOOLEAN => if text == "true" { "True" } else { "False" }.into(),
            kind::NULL => "<object object>".into(),
            kind::INDENT | kind::DEDENT => "'\\t'".into(),
            kind::NEWLINE if text.is_empty() => "'\\n'".into(),
            kind::FLOAT => repr_float(text.parse::<f64>().unwrap_or(f64::INFINITY)),
            kind::INTEGER => {
                let digits = text.trim_start_matches('-').trim_start_matches('0');
                match (digits.is_empty(), text.starts_with('-')) {
                    (true, _) => "0".into(),
                    (false, true) => format!("-{digits}"),
                    (false, false) => digits.into(),
                }
            }
            kind::STRING => repr_str(self.string_at(t.start).unwrap_or("")),
            _ => repr_str(text),
        }
    }
}

/// `-?\d+(\.\d*(e-?\d+)?|e-?\d+)` (float) or `-?\d+` (integer).
fn number_len(s: &str) -> Option<(usize, bool)> {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let n = digits(i);
    if n == 0 {
        return None;
    }
    i += n;
    let exponent = |at: usize| -> Option<usize> {
        if b.get(at) != Some(&b'e') {
            return None;
        }
        let mut j = at + 1;
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        let n = digits(j);
        (n > 0).then_some(j + n)
    };
    if b.get(i) == Some(&b'.') {
        let j = i + 1 + digits(i + 1);
        return Some((exponent(j).unwrap_or(j), true));
    }
    if let Some(end) = exponent(i) {
        return Some((end, true));
    }
    Some((i, false))
}

/// `\"([^\\"]|(\\.))*\"`: an escape never takes a line break. (Bytes
/// suffice: every byte of a multi-byte character is above ASCII, and an
/// escape followed by one is never a line break.)
fn string_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    while let Some(at) = memchr::memchr2(b'"', b'\\', &b[i..]) {
        i += at;
        if b[i] == b'"' {
            return Some(i + 1);
        }
        match b.get(i + 1) {
            Some(b'\n') | None => return None,
            Some(_) => i += 2,
        }
    }
    None
}

/// Where `n` spaces first occur in `line` (the start of its first run of
/// at least `n`): `line.find(" ".repeat(n))` without a substring searcher
/// to set up for each line.
fn find_spaces(line: &str, n: usize) -> Option<usize> {
    let mut run = 0;
    for (i, &b) in line.as_bytes().iter().enumerate() {
        if b == b' ' {
            run += 1;
            if run == n {
                return Some(i + 1 - n);
            }
        } else {
            run = 0;
        }
    }
    None
}

/// How many line breaks `s` starts with (runs are short: no SIMD setup).
fn leading_newlines(s: &str) -> usize {
    s.bytes().take_while(|&b| b == b'\n').count()
}

fn count_newlines(s: &str) -> u32 {
    memchr::memchr_iter(b'\n', s.as_bytes()).count() as u32
}

/// Tokenize `data` (the file text with Stone's extra trailing newline).
pub fn lex(data: &str) -> Lexed {
    Lexer {
        data,
        pos: 0,
        line: 1,
        cur_indent: 0,
        parens: 0,
        brackets: 0,
        // About one token in ten bytes of a spec (doc strings are long):
        // room for them all at once rather than copies as the lists grow.
        out: Lexed {
            tokens: Vec::with_capacity(data.len() / 8 + 16),
            kinds: String::with_capacity(data.len() / 8 + 16),
            ..Lexed::default()
        },
    }
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_values_follow_stone() {
        // The block's indentation goes once from each line, wherever it is.
        assert_eq!(string_value("a\n        b    c", 1), "a\n    b    c");
        assert_eq!(string_value("a\nb    c", 1), "a\nbc");
        // Escapes, and `\n` escapes split lines too.
        assert_eq!(
            string_value(r#"say \"hi\"\\ \t\nx"#, 0),
            "say \"hi\"\\ \t\nx"
        );
        // splitlines() drops one final empty line and splits on \r too.
        assert_eq!(string_value("a\n", 0), "a");
        assert_eq!(string_value("a\n\n", 0), "a\n");
        assert_eq!(string_value("a\r\nb\rc", 0), "a\nb\nc");
        assert_eq!(string_value("", 2), "");
        // The first run of enough spaces, wherever it is in the line.
        assert_eq!(string_value("a  b      c", 1), "a  b  c");
        assert_eq!(find_spaces("ab  c    d", 4), Some(5));
        assert_eq!(find_spaces("   ", 4), None);
        // The length filter in front of the keyword table lets every one by.
        for (word, _, k) in KEYWORDS {
            let l = lex(&format!("{word}\n"));
            assert_eq!(l.tokens[0].kind, *k, "{word}");
        }
    }

    #[test]
    fn lexical_errors_are_stones() {
        let l = lex("namespace a\nstruct S\n   f String\n");
        assert_eq!(
            l.errors,
            vec![("Indent is not divisible by 4.".to_string(), 3, 21)]
        );
        let l = lex("alias A = String(\n    min_length=1,\n        max_length=2)\n");
        assert_eq!(
            l.errors[0].0,
            "Line continuation must increment indent by 1."
        );
        assert_eq!(l.errors[0].1, 3);
        let l = lex("a * b\n");
        assert_eq!(l.errors, vec![("Illegal character '*'.".to_string(), 1, 2)]);
    }
}
