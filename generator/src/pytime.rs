//! CPython 3.11 `datetime.datetime.strptime` validation, reimplemented with std only.
//!
//! Stone checks Timestamp examples/defaults with `datetime.strptime(value, fmt)` and reports
//! the exception text, so we must accept exactly what CPython accepts and reproduce its
//! messages. We follow `Lib/_strptime.py` step by step for the C locale and `TZ=UTC`:
//! build the very regex text `TimeRE.pattern()` builds, parse it with a tiny regex front end
//! (so regex compile errors carry `re`'s group numbers and positions), run a backtracking
//! matcher with `re.match` semantics (first alternative leading to success wins, no end
//! anchor, IGNORECASE with `re`'s Unicode case folding, Unicode `\d`/`\s`), then replay
//! `_strptime`'s post-processing and the `date`/`timezone`/`datetime` constructor checks.
//!
//! Known approximation: `repr()` (used in "time data ... does not match" messages) escapes
//! every non-printable code point; we know controls, separators, format characters,
//! private use and the large unassigned blocks, but not every scattered unassigned one.

use std::fmt::Write as _;

/// `Ok(())` iff CPython 3.11's `datetime.datetime.strptime(value, format)` (C locale, UTC)
/// succeeds; otherwise the message of the exception it raises. These are `ValueError`s,
/// except that a directive repeated in `format` makes `re.compile` raise `re.error`
/// ("redefinition of group name ..."), whose message is reproduced too.
pub fn check_strptime(value: &str, format: &str) -> Result<(), String> {
    let pattern = pattern(format).map_err(|bad| match bad {
        None => format!("stray % in format '{format}'"),
        Some(c) => format!("'{c}' is a bad directive in format '{format}'"),
    })?;
    let mut parser = Parser {
        s: pattern.chars().collect(),
        i: 0,
        groups: 0,
        names: vec![],
    };
    let regex = parser.alternatives(true)?;
    let text: Vec<char> = value.chars().collect();
    let mut m = Matcher {
        text: &text,
        caps: vec![(0, 0); parser.names.len()],
    };
    let mut end = 0;
    if !m.node(&regex, 0, &mut |_, j| {
        end = j;
        true
    }) {
        return Err(format!(
            "time data {} does not match format {}",
            repr(value),
            repr(format)
        ));
    }
    if end != text.len() {
        return Err(format!(
            "unconverted data remains: {}",
            text[end..].iter().collect::<String>()
        ));
    }
    // Group names are directive letters; `found.groupdict()` is in definition order.
    let groups: Vec<(char, &[char])> = parser
        .names
        .iter()
        .zip(&m.caps)
        .map(|((n, _), &(a, b))| (n.chars().next().unwrap_or('?'), &text[a..b]))
        .collect();
    interpret(&groups)
}

/// `TimeRE.pattern()`: escape regex syntax, turn whitespace runs into `\s+`, then substitute
/// directives left to right. `Err(None)` is the IndexError of a trailing `%`; `Err(Some(c))`
/// the KeyError of an unknown directive (an escaping `\` is reported as `%`, like CPython).
fn pattern(format: &str) -> Result<String, Option<char>> {
    let mut escaped = String::new();
    let mut in_space = false;
    for c in format.chars() {
        if py_isspace(c) {
            if !in_space {
                escaped.push_str(r"\s+");
            }
            in_space = true;
            continue;
        }
        in_space = false;
        if r"\.^$*+?(){}[]|".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    let mut out = String::new();
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            let d = chars.next().ok_or(None)?;
            out.push_str(&directive(d).ok_or(Some(if d == '\\' { '%' } else { d }))?);
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// The `TimeRE` table for the C locale (names sorted longest first, as `__seqToRE` does) with
/// `TZ=UTC` (so `%Z` is `utc|gmt`). `%c %x %X` come from the C locale's `strftime` formats.
fn directive(d: char) -> Option<String> {
    let re = match d {
        'd' => r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
        'f' => r"(?P<f>[0-9]{1,6})",
        'H' => r"(?P<H>2[0-3]|[0-1]\d|\d)",
        'I' => r"(?P<I>1[0-2]|0[1-9]|[1-9])",
        'G' => r"(?P<G>\d\d\d\d)",
        'j' => r"(?P<j>36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9])",
        'm' => r"(?P<m>1[0-2]|0[1-9]|[1-9])",
        'M' => r"(?P<M>[0-5]\d|\d)",
        'S' => r"(?P<S>6[0-1]|[0-5]\d|\d)",
        'U' => r"(?P<U>5[0-3]|[0-4]\d|\d)",
        'W' => r"(?P<W>5[0-3]|[0-4]\d|\d)",
        'w' => r"(?P<w>[0-6])",
        'u' => r"(?P<u>[1-7])",
        'V' => r"(?P<V>5[0-3]|0[1-9]|[1-4]\d|\d)",
        'y' => r"(?P<y>\d\d)",
        'Y' => r"(?P<Y>\d\d\d\d)",
        'z' => r"(?P<z>[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|(?-i:Z))",
        'A' => "(?P<A>wednesday|thursday|saturday|tuesday|monday|friday|sunday)",
        'a' => "(?P<a>mon|tue|wed|thu|fri|sat|sun)",
        'B' => "(?P<B>september|february|november|december|january|october|august|march|april|june|july|may)",
        'b' => "(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
        'p' => "(?P<p>am|pm)",
        'Z' => "(?P<Z>utc|gmt)",
        '%' => "%",
        'c' => return pattern("%a %b %d %H:%M:%S %Y").ok(),
        'x' => return pattern("%m/%d/%y").ok(),
        'X' => return pattern("%H:%M:%S").ok(),
        _ => return None,
    };
    Some(re.to_string())
}

/// Regex syntax tree for the subset `TimeRE` produces.
enum Node {
    /// A literal; the flag says whether IGNORECASE applies (it does except inside `(?-i:)`).
    Lit(char, bool),
    Set(Vec<(char, char)>),
    Digit,
    Space,
    /// Alternatives; `Some(slot)` for named (capturing) groups.
    Group(Vec<Vec<Node>>, Option<usize>),
    /// Greedy `{lo,hi}`.
    Rep(Box<Node>, usize, usize),
}

/// Parses the pattern text. Group numbering and duplicate-name errors mirror `re._parser`.
struct Parser {
    s: Vec<char>,
    i: usize,
    groups: usize,
    names: Vec<(String, usize)>,
}

impl Parser {
    /// Parses up to (and consuming) an unmatched `)` or the end of the pattern.
    fn alternatives(&mut self, icase: bool) -> Result<Node, String> {
        let mut alts = vec![vec![]];
        while let Some(&c) = self.s.get(self.i) {
            self.i += 1;
            let atom = match c {
                ')' => break,
                '|' => {
                    alts.push(vec![]);
                    continue;
                }
                '(' => self.group(icase)?,
                '[' => self.set(),
                '\\' => {
                    let e = self.s.get(self.i).copied().unwrap_or('\\');
                    self.i += 1;
                    match e {
                        'd' => Node::Digit,
                        's' => Node::Space,
                        _ => Node::Lit(e, icase),
                    }
                }
                _ => Node::Lit(c, icase),
            };
            let (lo, hi) = match self.s.get(self.i) {
                Some('?') => (0, 1),
                Some('+') => (1, usize::MAX),
                Some('{') => {
                    let close = self.s[self.i..]
                        .iter()
                        .position(|&c| c == '}')
                        .map_or(self.s.len(), |p| self.i + p);
                    let body: String = self.s[self.i + 1..close].iter().collect();
                    self.i = close;
                    let (lo, hi) = body.split_once(',').unwrap_or((&body, &body));
                    (lo.parse().unwrap_or(0), hi.parse().unwrap_or(usize::MAX))
                }
                _ => {
                    alts.last_mut().unwrap().push(atom);
                    continue;
                }
            };
            self.i += 1;
            alts.last_mut()
                .unwrap()
                .push(Node::Rep(Box::new(atom), lo, hi));
        }
        Ok(Node::Group(alts, None))
    }

    fn group(&mut self, icase: bool) -> Result<Node, String> {
        let ahead: String = self.s[self.i..].iter().take(4).collect();
        if ahead.starts_with("?P<") {
            let start = self.i + 3;
            let end = self.s[start..]
                .iter()
                .position(|&c| c == '>')
                .map_or(self.s.len(), |p| start + p);
            let name: String = self.s[start..end].iter().collect();
            self.i = end + 1;
            self.groups += 1;
            if let Some((_, old)) = self.names.iter().find(|(n, _)| *n == name) {
                let (new, name) = (self.groups, repr(&name));
                return Err(format!("redefinition of group name {name} as group {new}; was group {old} at position {start}"));
            }
            self.names.push((name, self.groups));
            let slot = self.names.len() - 1;
            let Node::Group(alts, _) = self.alternatives(icase)? else {
                unreachable!()
            };
            Ok(Node::Group(alts, Some(slot)))
        } else if ahead == "?-i:" {
            self.i += 4;
            self.alternatives(false)
        } else {
            self.groups += 1;
            self.alternatives(icase)
        }
    }

    fn set(&mut self) -> Node {
        let mut ranges = vec![];
        while let Some(&c) = self.s.get(self.i) {
            self.i += 1;
            if c == ']' {
                break;
            }
            match (self.s.get(self.i), self.s.get(self.i + 1)) {
                (Some('-'), Some(&hi)) if hi != ']' => {
                    ranges.push((c, hi));
                    self.i += 2;
                }
                _ => ranges.push((c, c)),
            }
        }
        Node::Set(ranges)
    }
}

type Cont<'k, 'a> = dyn FnMut(&mut Matcher<'a>, usize) -> bool + 'k;

/// Backtracking matcher in continuation-passing style: each node offers its possible ends
/// in `re`'s priority order and the first one for which the rest of the pattern succeeds
/// wins, exactly like `sre` (which may stop short of the end of the text).
struct Matcher<'a> {
    text: &'a [char],
    caps: Vec<(usize, usize)>,
}

impl<'a> Matcher<'a> {
    fn seq(&mut self, nodes: &[Node], i: usize, k: &mut Cont<'_, 'a>) -> bool {
        match nodes.split_first() {
            None => k(self, i),
            Some((n, rest)) => self.node(n, i, &mut |m: &mut Self, j| m.seq(rest, j, k)),
        }
    }

    fn node(&mut self, n: &Node, i: usize, k: &mut Cont<'_, 'a>) -> bool {
        match n {
            Node::Group(alts, slot) => alts.iter().any(|alt| {
                self.seq(alt, i, &mut |m: &mut Self, j| match *slot {
                    None => k(m, j),
                    Some(s) => {
                        let old = std::mem::replace(&mut m.caps[s], (i, j));
                        k(m, j) || {
                            m.caps[s] = old;
                            false
                        }
                    }
                })
            }),
            // Single-character repeats: take as many as possible, then give back one by one.
            Node::Rep(inner, lo, hi) if !matches!(**inner, Node::Group(..)) => {
                let n = self.text[i..]
                    .iter()
                    .take(*hi)
                    .take_while(|&&c| single(inner, c))
                    .count();
                (*lo..=n).rev().any(|c| k(self, i + c))
            }
            Node::Rep(inner, lo, hi) => self.repeat(inner, *lo, *hi, i, k),
            _ => i < self.text.len() && single(n, self.text[i]) && k(self, i + 1),
        }
    }

    /// Greedy repeat of a group: one more iteration is tried before stopping.
    fn repeat(
        &mut self,
        inner: &Node,
        lo: usize,
        hi: usize,
        i: usize,
        k: &mut Cont<'_, 'a>,
    ) -> bool {
        (hi > 0
            && self.node(inner, i, &mut |m: &mut Self, j| {
                m.repeat(inner, lo.saturating_sub(1), hi - 1, j, k)
            }))
            || (lo == 0 && k(self, i))
    }
}

fn single(n: &Node, c: char) -> bool {
    match n {
        Node::Lit(p, icase) => *p == c || (*icase && fold_eq(*p, c)),
        Node::Set(ranges) => ranges.iter().any(|&(a, b)| (a..=b).contains(&c)),
        Node::Digit => digit(c).is_some(),
        Node::Space => py_isspace(c),
        _ => false,
    }
}

/// `re` IGNORECASE for str patterns: a cased pattern char matches any char with the same
/// simple lowercase, plus the extra equivalences of `re/_casefix.py` (e.g. `s` ~ `ſ`).
fn fold_eq(p: char, c: char) -> bool {
    const CASEFIX: &str = "iı sſ µμ \u{345}ι\u{1fbe} ΐ\u{1fd3} ΰ\u{1fe3} βϐ εϵ θϑ κϰ πϖ ρϱ ςσ φϕ в\u{1c80} д\u{1c81} \
        о\u{1c82} с\u{1c83} т\u{1c84}\u{1c85} ъ\u{1c86} ѣ\u{1c87} \u{1c88}\u{a64b} \u{1e61}\u{1e9b} \u{fb05}\u{fb06}";
    // CPython's simple case mappings are the first char of the full mapping.
    let lower = |c: char| c.to_lowercase().next().unwrap_or(c);
    let (lp, lc) = (lower(p), lower(c));
    let cased = lp != p || p.to_uppercase().next() != Some(p);
    cased
        && (lp == lc
            || CASEFIX
                .split(' ')
                .any(|class| class.contains(lp) && class.contains(lc)))
}

/// `str.isspace()` / `re`'s Unicode `\s`.
fn py_isspace(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\x1c'..=' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
        )
}

/// Value of a Unicode decimal digit (category Nd, Unicode 14), which `re`'s `\d` and `int()`
/// both accept. Every Nd block is a contiguous run 0..=9; these are the zeros.
fn digit(c: char) -> Option<i64> {
    const ZEROS: [u32; 66] = [
        0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
        0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
        0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0,
        0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0,
        0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0,
        0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
    ];
    let u = c as u32;
    ZEROS
        .iter()
        .find(|&&z| (z..z + 10).contains(&u))
        .map(|&z| i64::from(u - z))
}

/// `int(s)` for the strings `_strptime` converts (digits, maybe surrounded by whitespace).
fn py_int(s: &[char]) -> Result<i64, String> {
    let start = s.iter().position(|&c| !py_isspace(c)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&c| !py_isspace(c))
        .map_or(start, |p| p + 1);
    let digits: Option<Vec<i64>> = s[start..end].iter().map(|&c| digit(c)).collect();
    match digits {
        Some(d) if !d.is_empty() => Ok(d.iter().fold(0, |acc, d| acc * 10 + d)),
        _ => Err(format!(
            "invalid literal for int() with base 10: {}",
            repr(&s.iter().collect::<String>())
        )),
    }
}

/// Python's `repr()` of a str.
fn repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\t' => out.push_str(r"\t"),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            _ if c == q => {
                out.push('\\');
                out.push(c);
            }
            _ if printable(c) => out.push(c),
            _ if (c as u32) < 0x100 => write!(out, "\\x{:02x}", c as u32).unwrap(),
            _ if (c as u32) < 0x10000 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            _ => write!(out, "\\U{:08x}", c as u32).unwrap(),
        }
    }
    out.push(q);
    out
}

/// Approximation of `str.isprintable()` (see the module docs).
fn printable(c: char) -> bool {
    let u = c as u32;
    !(u < 0x20 || (0x7f..=0xa0).contains(&u) || (c != ' ' && py_isspace(c)))
        && !matches!(
            u,
            0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890 | 0x891 | 0x8e2 | 0x180e
        )
        && !matches!(u, 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x206f | 0xd800..=0xf8ff | 0xfeff)
        && !matches!(u, 0xfff0..=0xfffb | 0xfffe | 0xffff | 0x110bd | 0x110cd | 0x13430..=0x13438)
        && !matches!(u, 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a | 0x2fa1e..=0x2ffff | 0x3134b..=0xe00ff)
        && !matches!(u, 0xe01f0..)
}

const A_DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const F_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const A_MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const F_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `list.index(found.lower())`: `re`'s case folding can match text (`ſun`, `frİ`) whose
/// `str.lower()` is not a C-locale name, which makes CPython raise from `list.index`.
fn index(names: &[&str], s: &[char]) -> Result<i64, String> {
    let low = s.iter().collect::<String>().to_lowercase();
    let pos = names.iter().position(|&n| n == low);
    pos.map(|p| p as i64)
        .ok_or_else(|| format!("{} is not in list", repr(&low)))
}

/// `%z` handling of `_strptime`, returning the offset in microseconds.
fn parse_z(orig: &[char]) -> Result<i64, String> {
    if orig == ['Z'] {
        return Ok(0);
    }
    let mut z = orig.to_vec();
    if z[3] == ':' {
        z.remove(3);
        if z.len() > 5 {
            if z[5] != ':' {
                return Err(format!(
                    "Inconsistent use of : in {}",
                    orig.iter().collect::<String>()
                ));
            }
            z.remove(5);
        }
    }
    // `int(z[5:7] or 0)`: without the colon normalisation above this may see `:3` and fail.
    let secs = if z.len() > 5 {
        py_int(&z[5..z.len().min(7)])?
    } else {
        0
    };
    let secs = py_int(&z[1..3])? * 3600 + py_int(&z[3..5])? * 60 + secs;
    let mut frac: Vec<char> = z.get(8..).unwrap_or(&[]).to_vec();
    frac.resize(6.max(frac.len()), '0');
    let us = secs * 1_000_000 + py_int(&frac)?;
    Ok(if z[0] == '-' { -us } else { us })
}

/// The part of `_strptime` after the regex match, plus `_strptime_datetime`'s constructors.
fn interpret(groups: &[(char, &[char])]) -> Result<(), String> {
    let (mut year, mut iso_year, mut iso_week, mut week_of_year) = (None, None, None, None);
    let (mut weekday, mut julian, mut gmtoff, mut week_starts_mon) = (None, None, None, false);
    let (mut month, mut day, mut hour, mut minute, mut second) = (1, 1, 0, 0, 0);
    for &(key, s) in groups {
        match key {
            'y' => year = Some(py_int(s).map(|y| if y <= 68 { y + 2000 } else { y + 1900 })?),
            'Y' => year = Some(py_int(s)?),
            'G' => iso_year = Some(py_int(s)?),
            'm' => month = py_int(s)?,
            'B' => month = index(&F_MONTHS, s)? + 1,
            'b' => month = index(&A_MONTHS, s)? + 1,
            'd' => day = py_int(s)?,
            'H' => hour = py_int(s)?,
            'I' => {
                hour = py_int(s)?;
                let p = groups.iter().find(|g| g.0 == 'p');
                let ampm = p
                    .map(|p| p.1.iter().collect::<String>().to_lowercase())
                    .unwrap_or_default();
                if (ampm.is_empty() || ampm == "am") && hour == 12 {
                    hour = 0;
                } else if ampm == "pm" && hour != 12 {
                    hour += 12;
                }
            }
            'M' => minute = py_int(s)?,
            'S' => second = py_int(s)?,
            'A' => weekday = Some(index(&F_DAYS, s)?),
            'a' => weekday = Some(index(&A_DAYS, s)?),
            'w' => weekday = Some((py_int(s)? + 6) % 7),
            'u' => weekday = Some(py_int(s)? - 1),
            'j' => julian = Some(py_int(s)?),
            'U' | 'W' => {
                week_of_year = Some(py_int(s)?);
                week_starts_mon = key == 'W';
            }
            'V' => iso_week = Some(py_int(s)?),
            'z' => gmtoff = Some(parse_z(s)?),
            _ => {} // %f, %p, %Z cannot make strptime fail.
        }
    }
    const WEEKDAYS: &str = "directive ('%A', '%a', '%w', or '%u').";
    if year.is_none() && iso_year.is_some() {
        if iso_week.is_none() || weekday.is_none() {
            return Err(format!("ISO year directive '%G' must be used with the ISO week directive '%V' and a weekday {WEEKDAYS}"));
        }
        if julian.is_some() {
            return Err("Day of the year directive '%j' is not compatible with ISO year directive '%G'. Use '%Y' instead.".into());
        }
    } else if week_of_year.is_none() && iso_week.is_some() {
        return Err(if weekday.is_none() {
            format!("ISO week directive '%V' must be used with the ISO year directive '%G' and a weekday {WEEKDAYS}")
        } else {
            "ISO week directive '%V' is incompatible with the year directive '%Y'. Use the ISO year '%G' instead.".into()
        });
    }
    // Feb 29 without a year is computed in 1904 but handed to datetime() as 1900, which then
    // rejects it ("day is out of range for month") -- CPython 3.11 behaviour.
    let leap_year_fix = year.is_none() && month == 2 && day == 29;
    let mut year = year.unwrap_or(if leap_year_fix { 1904 } else { 1900 });
    if let (None, Some(wd)) = (julian, weekday) {
        if let Some(week) = week_of_year {
            julian = Some(julian_from_u_or_w(year, week, wd, week_starts_mon)?);
        } else if let (Some(iy), Some(iw)) = (iso_year, iso_week) {
            let (y, j) = julian_from_v(iy, iw, wd + 1)?;
            (year, julian) = (y, Some(j));
        }
        if let Some(j) = julian.filter(|&j| j <= 0) {
            year -= 1;
            julian = Some(j + if is_leap(year) { 366 } else { 365 });
        }
    }
    match julian {
        None => check_date(year, month, day)?,
        Some(j) => {
            check_date(year, 1, 1)?;
            (year, month, day) = from_ordinal(j - 1 + ordinal(year, 1, 1))?;
        }
    }
    if leap_year_fix {
        year = 1900;
    }
    if let Some(off) = gmtoff.filter(|off: &i64| off.abs() >= 86_400_000_000) {
        let (days, rem) = (
            off.div_euclid(86_400_000_000),
            off.rem_euclid(86_400_000_000),
        );
        let mut parts = vec![];
        for (v, unit) in [
            (days, "days"),
            (rem / 1_000_000, "seconds"),
            (rem % 1_000_000, "microseconds"),
        ] {
            if v != 0 {
                parts.push(format!("{unit}={v}"));
            }
        }
        let td = if parts.is_empty() {
            "0".to_string()
        } else {
            parts.join(", ")
        };
        return Err(format!("offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not datetime.timedelta({td})."));
    }
    check_date(year, month, day)?;
    for (v, max, name) in [
        (hour, 23, "hour"),
        (minute, 59, "minute"),
        (second, 59, "second"),
    ] {
        if !(0..=max).contains(&v) {
            return Err(format!("{name} must be in 0..{max}"));
        }
    }
    Ok(())
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 => 28 + i64::from(is_leap(y)),
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The argument checks of the `date()` / `datetime()` constructors.
fn check_date(y: i64, m: i64, d: i64) -> Result<(), String> {
    if !(1..=9999).contains(&y) {
        Err(format!("year {y} is out of range"))
    } else if !(1..=12).contains(&m) {
        Err("month must be in 1..12".into())
    } else if d < 1 || d > days_in_month(y, m) {
        Err("day is out of range for month".into())
    } else {
        Ok(())
    }
}

/// `date(y, m, d).toordinal()` (proleptic Gregorian, 0001-01-01 is 1).
fn ordinal(y: i64, m: i64, d: i64) -> i64 {
    let p = y - 1;
    p * 365 + p / 4 - p / 100 + p / 400 + (1..m).map(|k| days_in_month(y, k)).sum::<i64>() + d
}

/// `date(y, m, d).weekday()`, Monday is 0.
fn weekday(y: i64, m: i64, d: i64) -> i64 {
    (ordinal(y, m, d) + 6) % 7
}

/// `date.fromordinal(n)`, walking 400/100/4/1-year cycles like CPython's `ord_to_ymd`.
fn from_ordinal(n: i64) -> Result<(i64, i64, i64), String> {
    if n < 1 {
        return Err("ordinal must be >= 1".into());
    }
    let r = n - 1;
    let (n400, r) = (r / 146_097, r % 146_097);
    let (n100, r) = (r / 36_524, r % 36_524);
    let (n4, r) = (r / 1_461, r % 1_461);
    let (n1, mut r) = (r / 365, r % 365);
    let mut year = n400 * 400 + n100 * 100 + n4 * 4 + n1 + 1;
    if n1 == 4 || n100 == 4 {
        (year, r) = (year - 1, 365); // December 31st of a leap year
    }
    check_date(year, 1, 1)?;
    let mut month = 1;
    while r >= days_in_month(year, month) {
        r -= days_in_month(year, month);
        month += 1;
    }
    Ok((year, month, r + 1))
}

/// `_calc_julian_from_U_or_W`.
fn julian_from_u_or_w(
    year: i64,
    week: i64,
    mut day_of_week: i64,
    week_starts_mon: bool,
) -> Result<i64, String> {
    check_date(year, 1, 1)?;
    let mut first_weekday = weekday(year, 1, 1);
    if !week_starts_mon {
        first_weekday = (first_weekday + 1) % 7;
        day_of_week = (day_of_week + 1) % 7;
    }
    let week_0_length = (7 - first_weekday) % 7;
    Ok(if week == 0 {
        1 + day_of_week - first_weekday
    } else {
        1 + week_0_length + 7 * (week - 1) + day_of_week
    })
}

/// `_calc_julian_from_V`: (year, day of year) for an ISO year, week and weekday (1..=7).
fn julian_from_v(mut iso_year: i64, iso_week: i64, iso_weekday: i64) -> Result<(i64, i64), String> {
    check_date(iso_year, 1, 4)?;
    let mut julian = iso_week * 7 + iso_weekday - (weekday(iso_year, 1, 4) + 4);
    if julian < 1 {
        julian += ordinal(iso_year, 1, 1);
        iso_year -= 1;
        check_date(iso_year, 1, 1)?;
        julian -= ordinal(iso_year, 1, 1);
    }
    Ok((iso_year, julian))
}
