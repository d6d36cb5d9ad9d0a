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
//! non-printable code points; we classify every assigned code point of Unicode 14 like
//! CPython, but print scattered unassigned ones raw where CPython would escape them.

use std::fmt::Write as _;
use std::rc::Rc;

/// `Ok(())` iff CPython 3.11's `datetime.datetime.strptime(value, format)` (C locale, UTC)
/// succeeds; otherwise the message of the exception it raises. These are `ValueError`s,
/// except that a directive repeated in `format` makes `re.compile` raise `re.error`
/// ("redefinition of group name ..."), whose message is reproduced too.
pub fn check_strptime(value: &str, format: &str) -> Result<(), String> {
    strptime_epoch_seconds(value, format).map(drop)
}

/// What [`check_strptime`] checks, and the time `strptime` reads: seconds
/// from the Unix epoch, the naive time taken as UTC (a `%z` offset is
/// checked, not applied).
pub fn strptime_epoch_seconds(value: &str, format: &str) -> Result<i64, String> {
    // A spec has a few formats for many values: each is compiled once (per
    // thread; `_strptime` caches its `TimeRE` patterns as well).
    thread_local! {
        static COMPILED: std::cell::RefCell<rustc_hash::FxHashMap<String, Rc<Compiled>>> =
            Default::default();
    }
    let cached = COMPILED.with(|c| c.borrow().get(format).cloned());
    let compiled = match cached {
        Some(c) => c,
        None => {
            let c = Rc::new(compile(format));
            COMPILED.with(|m| {
                let mut m = m.borrow_mut();
                // Bounded, for long-running hosts fed many specs (a fuzzer).
                if m.len() >= 256 {
                    m.clear();
                }
                m.insert(format.to_string(), c.clone());
            });
            c
        }
    };
    let (regex, names) = compiled.as_ref().as_ref().map_err(Clone::clone)?;
    let text: Vec<char> = value.chars().collect();
    let mut m = Matcher {
        text: &text,
        caps: vec![(0, 0); names.len()],
    };
    // The outermost continuation accepts the first complete match, as `re.match` does.
    let mut end = None;
    m.node(regex, 0, &mut |_, j| end.replace(j).is_none());
    let (v, f) = (repr(value), repr(format));
    let end = end.ok_or_else(|| format!("time data {v} does not match format {f}"))?;
    if end != text.len() {
        let rest: String = text[end..].iter().collect();
        return Err(format!("unconverted data remains: {rest}"));
    }
    // Group names are directive letters; `found.groupdict()` is in definition order.
    let mut groups = vec![];
    for ((name, _), &(a, b)) in names.iter().zip(&m.caps) {
        groups.push((name.chars().next().unwrap_or('?'), &text[a..b]));
    }
    interpret(&groups)
}

/// A format's regex and its named groups, or the error compiling it.
type Compiled = Result<(Node, Vec<(String, usize)>), String>;

fn compile(format: &str) -> Compiled {
    let pattern = pattern(format).map_err(|bad| match bad {
        None => format!("stray % in format '{format}'"),
        Some(c) => format!("'{c}' is a bad directive in format '{format}'"),
    })?;
    let mut parser = Parser {
        s: pattern.chars().collect(),
        ..Parser::default()
    };
    let regex = Node::Group(parser.alternatives(true)?, None);
    Ok((regex, parser.names))
}

/// `TimeRE.pattern()`: escape regex syntax, turn whitespace runs into `\s+`, then substitute
/// directives left to right. `Err(None)` is the IndexError of a trailing `%`; `Err(Some(c))`
/// the KeyError of an unknown directive (an escaping `\` is reported as `%`, like CPython).
fn pattern(format: &str) -> Result<String, Option<char>> {
    let mut escaped = String::new();
    for c in format.chars() {
        if !py_isspace(c) {
            escaped.extend(r"\.^$*+?(){}[]|".contains(c).then_some('\\'));
            escaped.push(c);
        } else if !escaped.ends_with(r"\s+") {
            escaped.push_str(r"\s+");
        }
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
    /// Greedy `{lo,hi}` of a single-character node, or `?` (`{0,1}`) of a group.
    Rep(Box<Node>, usize, usize),
}

/// Parses the pattern text. Group numbering and duplicate-name errors mirror `re._parser`.
#[derive(Default)]
struct Parser {
    s: Vec<char>,
    i: usize,
    groups: usize,
    names: Vec<(String, usize)>,
}

impl Parser {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.s.get(self.i + ahead).copied()
    }

    /// Parses up to (and consuming) an unmatched `)` or the end of the pattern.
    fn alternatives(&mut self, icase: bool) -> Result<Vec<Vec<Node>>, String> {
        let mut alts = vec![vec![]];
        while let Some(c) = self.peek(0) {
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
                    self.i += 1;
                    match self.s.get(self.i - 1) {
                        Some('d') => Node::Digit,
                        Some('s') => Node::Space,
                        e => Node::Lit(e.copied().unwrap_or('\\'), icase),
                    }
                }
                _ => Node::Lit(c, icase),
            };
            let atom = match self.peek(0) {
                Some('?') => Node::Rep(Box::new(atom), 0, 1),
                Some('+') => Node::Rep(Box::new(atom), 1, usize::MAX),
                Some('{') => {
                    self.i += 4; // `{1,6}` (%f and %z) is the only counted repeat in `TimeRE`
                    Node::Rep(Box::new(atom), 1, 6)
                }
                _ => {
                    self.i -= 1; // no quantifier: undo the skip below
                    atom
                }
            };
            self.i += 1;
            alts.last_mut().expect("never empty").push(atom);
        }
        Ok(alts)
    }

    fn group(&mut self, icase: bool) -> Result<Node, String> {
        let ahead: String = self.s[self.i..].iter().take(4).collect();
        if ahead.starts_with("?P<") {
            let start = self.i + 3;
            let name: String = self.s[start..].iter().take_while(|&&c| c != '>').collect();
            self.i = start + name.chars().count() + 1;
            self.groups += 1;
            if let Some((_, old)) = self.names.iter().find(|(n, _)| *n == name) {
                let (new, name) = (self.groups, repr(&name));
                return Err(format!("redefinition of group name {name} as group {new}; was group {old} at position {start}"));
            }
            self.names.push((name, self.groups));
            let slot = self.names.len() - 1;
            Ok(Node::Group(self.alternatives(icase)?, Some(slot)))
        } else if ahead == "?-i:" {
            self.i += 4;
            Ok(Node::Group(self.alternatives(false)?, None))
        } else {
            self.groups += 1;
            Ok(Node::Group(self.alternatives(icase)?, None))
        }
    }

    fn set(&mut self) -> Node {
        let mut ranges = vec![];
        while let Some(c) = self.peek(0).filter(|&c| c != ']') {
            let range = self.peek(1) == Some('-') && self.peek(2).is_some_and(|c| c != ']');
            let hi = if range { self.peek(2).unwrap_or(c) } else { c };
            ranges.push((c, hi));
            self.i += if range { 3 } else { 1 };
        }
        self.i += 1;
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
            // Group repeats only come from `(...)?`: try the group first (greedy), then skip it.
            Node::Rep(inner, lo, _) if matches!(**inner, Node::Group(..)) => {
                self.node(inner, i, k) || (*lo == 0 && k(self, i))
            }
            // Single-character repeats: take as many as possible, then give back one by one.
            Node::Rep(inner, lo, hi) => {
                let rest = self.text[i..].iter().take(*hi);
                let n = rest.take_while(|&&c| single(inner, c)).count();
                (*lo..=n).rev().any(|c| k(self, i + c))
            }
            _ => i < self.text.len() && single(n, self.text[i]) && k(self, i + 1),
        }
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
    let same_class = |class: &str| class.contains(lp) && class.contains(lc);
    cased && (lp == lc || CASEFIX.split(' ').any(same_class))
}

/// `str.isspace()`, which is also `re`'s Unicode `\s`.
fn py_isspace(c: char) -> bool {
    let u = c as u32;
    matches!(u, 0x09..=0x0d | 0x1c..=0x20 | 0x85 | 0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028)
        || matches!(u, 0x2029 | 0x202f | 0x205f | 0x3000)
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
    let zero = ZEROS.iter().find(|&&z| (z..z + 10).contains(&u))?;
    Some(i64::from(u - zero))
}

/// `int(s)` for the strings `_strptime` converts (digits, maybe surrounded by whitespace).
fn py_int(s: &[char]) -> Result<i64, String> {
    let text = String::from_iter(s);
    let digits: Option<Vec<i64>> = text.trim_matches(py_isspace).chars().map(digit).collect();
    match digits {
        Some(d) if !d.is_empty() => Ok(d.iter().fold(0, |acc, d| acc * 10 + d)),
        _ => Err(format!(
            "invalid literal for int() with base 10: {}",
            repr(&text)
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
        let _ = match c {
            '\\' | '\t' | '\n' | '\r' => write!(out, "{}", c.escape_default()),
            _ if c == q => write!(out, "\\{c}"),
            _ if printable(c) => write!(out, "{c}"),
            _ if (c as u32) < 0x100 => write!(out, "\\x{:02x}", c as u32),
            _ if (c as u32) < 0x10000 => write!(out, "\\u{:04x}", c as u32),
            _ => write!(out, "\\U{:08x}", c as u32),
        };
    }
    out.push(q);
    out
}

/// Approximation of `str.isprintable()` (see the module docs): inclusive code point ranges
/// of controls, format characters, surrogates, private use and large unassigned blocks.
fn printable(c: char) -> bool {
    const NOT: [u32; 40] = [
        0x0, 0x1f, 0x7f, 0xa0, 0xad, 0xad, 0x600, 0x605, 0x61c, 0x61c, 0x6dd, 0x6dd, 0x70f, 0x70f,
        0x890, 0x891, 0x8e2, 0x8e2, 0x180e, 0x180e, 0x200b, 0x200f, 0x202a, 0x202e, 0x2060, 0x206f,
        0xd800, 0xf8ff, 0xfeff, 0xfeff, 0xfff0, 0xfffb, 0xfffe, 0xffff, 0x110bd, 0x110bd, 0x110cd,
        0x110cd, 0x13430, 0x13438,
    ];
    const NOT_ASTRAL: [u32; 8] = [
        0x1bca0, 0x1bca3, 0x1d173, 0x1d17a, 0x2fa1e, 0x2ffff, 0x3134b, 0xe00ff,
    ];
    let u = c as u32;
    let listed = NOT
        .chunks(2)
        .chain(NOT_ASTRAL.chunks(2))
        .any(|r| (r[0]..=r[1]).contains(&u));
    !listed && u < 0xe01f0 && (c == ' ' || !py_isspace(c)) // separators (Zs, Zl, Zp) are spaces
}

const A_DAYS: &str = "mon tue wed thu fri sat sun";
const F_DAYS: &str = "monday tuesday wednesday thursday friday saturday sunday";
const A_MONTHS: &str = "jan feb mar apr may jun jul aug sep oct nov dec";
const F_MONTHS: &str =
    "january february march april may june july august september october november december";

/// `list.index(found.lower())`: `re`'s case folding can match text (`ſun`, `frİ`) whose
/// `str.lower()` is not a C-locale name, which makes CPython raise from `list.index`.
fn index(names: &str, s: &[char]) -> Result<i64, String> {
    let low = String::from_iter(s).to_lowercase();
    let pos = names.split(' ').position(|n| n == low).map(|p| p as i64);
    pos.ok_or_else(|| format!("{} is not in list", repr(&low)))
}

/// `%z` handling of `_strptime`, returning the offset in microseconds.
fn parse_z(orig: &[char]) -> Result<i64, String> {
    if orig == ['Z'] {
        return Ok(0);
    }
    let mut z = orig.to_vec();
    if z[3] == ':' {
        z.remove(3);
        if z.len() > 5 && z.remove(5) != ':' {
            return Err(format!(
                "Inconsistent use of : in {}",
                String::from_iter(orig)
            ));
        }
    }
    // `int(z[5:7] or 0)`: without a colon at [3], a colon at [5] makes this see `:3` and fail.
    let secs = if z.len() > 5 {
        py_int(&z[5..z.len().min(7)])?
    } else {
        0
    };
    let secs = py_int(&z[1..3])? * 3600 + py_int(&z[3..5])? * 60 + secs;
    let mut frac: Vec<char> = z.get(8..).unwrap_or_default().to_vec();
    frac.resize(6.max(frac.len()), '0');
    let us = secs * 1_000_000 + py_int(&frac)?;
    Ok(if z[0] == '-' { -us } else { us })
}

/// The part of `_strptime` after the regex match, plus `_strptime_datetime`'s constructors;
/// the time read, as seconds from the Unix epoch.
fn interpret(groups: &[(char, &[char])]) -> Result<i64, String> {
    let (mut year, mut iso_year, mut iso_week, mut week_of_year) = (None, None, None, None);
    let (mut weekday, mut julian, mut gmtoff, mut week_starts_mon) = (None, None, None, false);
    let (mut month, mut day, mut hour, mut minute, mut second) = (1, 1, 0, 0, 0);
    for &(key, s) in groups {
        let num = py_int(s); // only consumed by the numeric directives
        match key {
            'y' => year = Some(num.map(|y| if y <= 68 { y + 2000 } else { y + 1900 })?),
            'Y' => year = Some(num?),
            'G' => iso_year = Some(num?),
            'm' => month = num?,
            'B' => month = index(F_MONTHS, s)? + 1,
            'b' => month = index(A_MONTHS, s)? + 1,
            'd' => day = num?,
            'H' => hour = num?,
            'I' => {
                hour = num?;
                let p = groups.iter().find(|g| g.0 == 'p');
                let ampm = p
                    .map(|p| String::from_iter(p.1).to_lowercase())
                    .unwrap_or_default();
                if (ampm.is_empty() || ampm == "am") && hour == 12 {
                    hour = 0;
                } else if ampm == "pm" && hour != 12 {
                    hour += 12;
                }
            }
            'M' => minute = num?,
            'S' => second = num?,
            'A' => weekday = Some(index(F_DAYS, s)?),
            'a' => weekday = Some(index(A_DAYS, s)?),
            'w' => weekday = Some((num? + 6) % 7),
            'u' => weekday = Some(num? - 1),
            'j' => julian = Some(num?),
            'U' | 'W' => (week_of_year, week_starts_mon) = (Some(num?), key == 'W'),
            'V' => iso_week = Some(num?),
            'z' => gmtoff = Some(parse_z(s)?),
            _ => {} // %f, %p, %Z cannot make strptime fail.
        }
    }
    const WEEKDAY: &str = "a weekday directive ('%A', '%a', '%w', or '%u').";
    if year.is_none() && iso_year.is_some() {
        if iso_week.is_none() || weekday.is_none() {
            return Err(format!("ISO year directive '%G' must be used with the ISO week directive '%V' and {WEEKDAY}"));
        }
        if julian.is_some() {
            return Err("Day of the year directive '%j' is not compatible with ISO year directive '%G'. Use '%Y' instead.".into());
        }
    } else if week_of_year.is_none() && iso_week.is_some() && weekday.is_none() {
        return Err(format!(
            "ISO week directive '%V' must be used with the ISO year directive '%G' and {WEEKDAY}"
        ));
    } else if week_of_year.is_none() && iso_week.is_some() {
        return Err("ISO week directive '%V' is incompatible with the year directive '%Y'. Use the ISO year '%G' instead.".into());
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
            check_date(year, 1, 1)?; // `date(year, 1, 1)` is built first
            (year, month, day) = from_ordinal(j - 1 + ordinal(year, 1, 1))?;
        }
    }
    if leap_year_fix {
        year = 1900;
    }
    // timezone(timedelta) accepts offsets strictly inside +-24h; its message shows repr(delta).
    const DAY_US: i64 = 86_400_000_000;
    if let Some(off) = gmtoff.filter(|off: &i64| off.abs() >= DAY_US) {
        let (days, rem) = (off.div_euclid(DAY_US), off.rem_euclid(DAY_US));
        let parts = [
            (days, "days"),
            (rem / 1_000_000, "seconds"),
            (rem % 1_000_000, "microseconds"),
        ];
        let td: Vec<String> = parts
            .iter()
            .filter(|p| p.0 != 0)
            .map(|(v, u)| format!("{u}={v}"))
            .collect();
        let td = td.join(", ");
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
    let days = ordinal(year, month, day) - ordinal(1970, 1, 1);
    Ok(days * 86_400 + hour * 3_600 + minute * 60 + second)
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

/// The argument checks (and messages) of the `date()` / `datetime()` constructors.
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

/// `date.fromordinal(n)`.
fn from_ordinal(n: i64) -> Result<(i64, i64, i64), String> {
    if n < 1 {
        return Err("ordinal must be >= 1".into());
    }
    let mut year = (n - 1) * 400 / 146_097 + 1; // 146097 days per 400 years; may be off by one
    while ordinal(year, 1, 1) > n {
        year -= 1;
    }
    while ordinal(year + 1, 1, 1) <= n {
        year += 1;
    }
    check_date(year, 1, 1)?;
    let (mut month, mut rest) = (1, n - ordinal(year, 1, 1));
    while rest >= days_in_month(year, month) {
        (rest, month) = (rest - days_in_month(year, month), month + 1);
    }
    Ok((year, month, rest + 1))
}

/// `_calc_julian_from_U_or_W`: day of year from week number and weekday (Monday is 0).
fn julian_from_u_or_w(year: i64, week: i64, wd: i64, week_starts_mon: bool) -> Result<i64, String> {
    check_date(year, 1, 1)?;
    // %U weeks start on Sunday: shift the view so that Sunday is day 0.
    let shift = i64::from(!week_starts_mon);
    let (first_weekday, wd) = ((weekday(year, 1, 1) + shift) % 7, (wd + shift) % 7);
    let week_0_length = (7 - first_weekday) % 7;
    Ok(if week == 0 {
        1 + wd - first_weekday
    } else {
        1 + week_0_length + 7 * (week - 1) + wd
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

#[cfg(test)]
mod tests {
    use super::*;

    const F: &str = "%Y-%m-%dT%H:%M:%SZ"; // Dropbox's timestamp format

    fn err(value: &str, format: &str) -> String {
        check_strptime(value, format).expect_err("CPython rejects this")
    }

    #[test]
    fn dropbox_timestamps() {
        assert_eq!(check_strptime("2015-05-12T15:50:38Z", F), Ok(()));
        assert_eq!(check_strptime("2015-05-12t15:50:38z", F), Ok(())); // IGNORECASE
        let no_match = "time data '2015-05-12' does not match format '%Y-%m-%dT%H:%M:%SZ'";
        assert_eq!(err("2015-05-12", F), no_match);
        assert_eq!(
            err("2015-05-12T15:50:38Z!", F),
            "unconverted data remains: !"
        );
        assert_eq!(
            err("2015-02-29T00:00:00Z", F),
            "day is out of range for month"
        );
        assert_eq!(err("2015-05-12T23:59:60Z", F), "second must be in 0..59");
        assert_eq!(err("0000-01-01T00:00:00Z", F), "year 0 is out of range");
    }

    #[test]
    fn the_time_read_counts_from_the_epoch() {
        let at = strptime_epoch_seconds;
        assert_eq!(at("1970-01-01", "%Y-%m-%d"), Ok(0));
        assert_eq!(at("2020-02-29", "%Y-%m-%d"), Ok(1_582_934_400));
        assert_eq!(at("2015-05-12T15:50:38Z", F), Ok(1_431_445_838));
        assert_eq!(at("1969-12-31T23:59:59Z", F), Ok(-1));
        // strptime's own reading: one digit for a month or a day.
        assert_eq!(at("2020-3-1", "%Y-%m-%d"), Ok(1_583_020_800));
        assert!(at("soon", "%Y-%m-%d").is_err());
    }

    #[test]
    fn format_errors_come_first_and_in_format_order() {
        assert_eq!(err("1", "%q"), "'q' is a bad directive in format '%q'");
        assert_eq!(err("1", "%e"), "'e' is a bad directive in format '%e'"); // not in 3.11
        assert_eq!(err("1", "%Y% "), "'%' is a bad directive in format '%Y% '");
        assert_eq!(err("1", "%Y%"), "stray % in format '%Y%'");
        // Pattern building fails before `re.compile` could see the duplicate group.
        let bad_q = "'q' is a bad directive in format '%Y%Y%q'";
        assert_eq!(err("1", "%Y%Y%q"), bad_q);
        let redefined = "redefinition of group name 'Y' as group 2; was group 1 at position 19";
        assert_eq!(err("2015", "%Y%Y"), redefined);
    }

    #[test]
    fn regex_text_is_timere_pattern() {
        // Must equal CPython's `_strptime._TimeRE_cache.pattern(...)`: `re.error` positions
        // index into it.
        let x = r"(?P<H>2[0-3]|[0-1]\d|\d):(?P<M>[0-5]\d|\d):(?P<S>6[0-1]|[0-5]\d|\d)";
        assert_eq!(pattern("%X").as_deref(), Ok(x));
        assert_eq!(pattern("a.b \t%%(|").as_deref(), Ok(r"a\.b\s+%\(\|"));
    }

    #[test]
    fn python_repr() {
        assert_eq!(repr("a'b"), "\"a'b\"");
        assert_eq!(repr("a'\"b"), r#"'a\'"b'"#);
        let s = "\t\x01é\u{a0}\u{200b}😀\\";
        assert_eq!(repr(s), r"'\t\x01é\xa0\u200b😀\\'");
        assert_eq!(repr("\u{e000}\u{f0000}"), r"'\ue000\U000f0000'");
    }

    #[test]
    fn calendar_is_proleptic_gregorian() {
        assert_eq!((ordinal(1, 1, 1), ordinal(9999, 12, 31)), (1, 3_652_059));
        assert_eq!(weekday(2015, 5, 12), 1); // a Tuesday
                                             // 0004-02-29, 0004-12-31, 0400-12-31, 2000-12-31 (ends of 4/400-year cycles), 2001-01-01
        let edges = [1155, 1461, 146_097, 730_485, 730_486];
        for n in (1..=3_652_059).step_by(97).chain(edges) {
            let (y, m, d) = from_ordinal(n).unwrap();
            assert_eq!(ordinal(y, m, d), n);
        }
        let too_late = "year 10000 is out of range".to_string();
        assert_eq!(from_ordinal(3_652_060), Err(too_late));
    }

    #[test]
    fn long_whitespace_runs_do_not_recurse() {
        let spaces = " ".repeat(100_000);
        assert_eq!(check_strptime(&format!("2015{spaces}05"), "%Y %m"), Ok(()));
    }

    #[test]
    fn agrees_with_cpython() {
        let mut bad = vec![];
        for &(v, f, want) in CASES {
            let want = match want {
                "~" => format!("time data '{v}' does not match format '{f}'"),
                _ => want.to_string(),
            };
            let got = check_strptime(v, f).err().unwrap_or_default();
            if got != want {
                bad.push(format!("{v:?} {f:?}: got {got:?}, want {want:?}"));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// (value, format, CPython 3.11.7's message or "" for success), computed under
    /// `TZ=UTC LC_ALL=C` with `datetime.datetime.strptime(value, format)` and `str(exc)`.
    /// "~" abbreviates "time data 'value' does not match format 'format'".
    #[rustfmt::skip]
    const CASES: &[(&str, &str, &str)] = &[
        ("2015-05-12T15:50:38Z", F, ""), ("2015-05-12", F, "~"), ("2015-05-12T15:50:38", F, "~"), ("2015-05-12T15:50:38Zxyz", F, "unconverted data remains: xyz"),
        ("2015-05-12t15:50:38z", F, ""), ("2015-05-12 15:50:38Z", F, "~"), ("2015-05-12T15:50:38.123Z", F, "~"), ("2016-02-29T00:00:00Z", F, ""),
        ("2015-02-29T00:00:00Z", F, "day is out of range for month"), ("1900-02-29T00:00:00Z", F, "day is out of range for month"), ("2000-02-29T00:00:00Z", F, ""),
        ("2100-02-29T00:00:00Z", F, "day is out of range for month"), ("2015-04-31T00:00:00Z", F, "day is out of range for month"), ("2015-13-01T00:00:00Z", F, "~"),
        ("2015-00-10T00:00:00Z", F, "~"), ("2015-1-2T3:4:5Z", F, ""), ("2015-05-12T24:00:00Z", F, "~"), ("2015-05-12T23:60:00Z", F, "~"),
        ("2015-05-12T23:59:60Z", F, "second must be in 0..59"), ("2015-05-12T23:59:61Z", F, "second must be in 0..59"), ("2015-05-12T23:59:62Z", F, "~"),
        ("0000-01-01T00:00:00Z", F, "year 0 is out of range"), ("0001-01-01T00:00:00Z", F, ""), ("9999-12-31T23:59:59Z", F, ""), ("15-05-12T15:50:38Z", F, "~"),
        ("20150-05-12T15:50:38Z", F, "~"), (" 2015-05-12T15:50:38Z", F, "~"), ("2015-05-12T15:50:38Z ", F, "unconverted data remains:  "),
        ("2015-05- 2T15:50:38Z", F, ""), ("2015-05-012T15:50:38Z", F, "~"), ("2015-05-32T00:00:00Z", F, "~"), ("2015-05-00T00:00:00Z", F, "~"),
        ("\u{ff12}\u{ff10}\u{ff11}\u{ff15}-05-12T15:50:38Z", F, ""),
        ("\u{662}\u{660}\u{661}\u{665}-\u{660}\u{665}-\u{661}\u{662}T\u{661}\u{665}:\u{665}\u{660}:\u{663}\u{668}Z", F, "time data '\u{662}\u{660}\u{661}\u{665}-\u{660}\u{665}-\u{661}\u{662}T\u{661}\u{665}:\u{665}\u{660}:\u{663}\u{668}Z' does not match format '%Y-%m-%dT%H:%M:%SZ'"),
        ("", F, "~"), ("Z", F, "~"), ("2015-05-12T15:50:38+00:00", F, "~"),
        ("2015-05-12T15:50:38\u{17f}", F, "time data '2015-05-12T15:50:38\u{17f}' does not match format '%Y-%m-%dT%H:%M:%SZ'"), ("2015-05-12T1:2:3Z", F, ""),
        ("2015-05-12T15:50Z", F, "~"), ("2015-05-12T15:50:38ZZ", F, "unconverted data remains: Z"), ("2015-05-12T15:50:38Z\n", F, "unconverted data remains: \n"),
        ("2015-05-12T15:50:38\tZ", F, "time data '2015-05-12T15:50:38\\tZ' does not match format '%Y-%m-%dT%H:%M:%SZ'"), ("2015/05/12T15:50:38Z", F, "~"),
        ("2015-05-12T15:50:38z", F, ""), ("2015-05-12T15:50:3Z", F, ""), ("2015-05-12T15:5:38Z", F, ""), ("2015-5-12T15:50:38Z", F, ""), ("2015-05-1T15:50:38Z", F, ""),
        ("'2015-05-12T15:50:38Z'", F, "time data \"'2015-05-12T15:50:38Z'\" does not match format '%Y-%m-%dT%H:%M:%SZ'"),
        ("2015-05-12T15:50:38Z'x\"", F, "unconverted data remains: 'x\""), ("2015-05-12T15:50:38Z\\", F, "unconverted data remains: \\"),
        ("2015-05-12T15:50:38Z\u{e9}", F, "unconverted data remains: \u{e9}"),
        ("2015-05-12\u{a0}T15:50:38Z", F, "time data '2015-05-12\\xa0T15:50:38Z' does not match format '%Y-%m-%dT%H:%M:%SZ'"),
        ("2015-05-12T15:50:38Z\u{0}", F, "unconverted data remains: \u{0}"), ("null", F, "~"),
        ("2015-05-12T15:50:38Z\u{200b}", F, "unconverted data remains: \u{200b}"), ("2015-05-12T15:50:38Z\u{1f600}", F, "unconverted data remains: \u{1f600}"),
        ("1970-01-01T00:00:00Z", F, ""), ("2038-01-19T03:14:08Z", F, ""), ("2015-05-12T15:50:38 Z", F, "~"), ("2015-05-12T09:05:07Z", F, ""),
        ("2015-05-12T9:05:07Z", F, ""), ("2015-05-12T0:0:0Z", F, ""), ("2015-01-29T12:00:00Z", F, ""), ("2015-01-30T12:00:00Z", F, ""), ("2015-01-31T12:00:00Z", F, ""),
        ("2015-02-29T12:00:00Z", F, "day is out of range for month"), ("2015-02-30T12:00:00Z", F, "day is out of range for month"),
        ("2015-02-31T12:00:00Z", F, "day is out of range for month"), ("2015-04-29T12:00:00Z", F, ""), ("2015-04-30T12:00:00Z", F, ""),
        ("2015-04-31T12:00:00Z", F, "day is out of range for month"), ("2015-09-29T12:00:00Z", F, ""), ("2015-09-30T12:00:00Z", F, ""),
        ("2015-09-31T12:00:00Z", F, "day is out of range for month"), ("2015-12-29T12:00:00Z", F, ""), ("2015-12-30T12:00:00Z", F, ""), ("2015-12-31T12:00:00Z", F, ""),
        ("2016-01-29T12:00:00Z", F, ""), ("2016-01-30T12:00:00Z", F, ""), ("2016-01-31T12:00:00Z", F, ""), ("2016-02-29T12:00:00Z", F, ""),
        ("2016-02-30T12:00:00Z", F, "day is out of range for month"), ("2016-02-31T12:00:00Z", F, "day is out of range for month"), ("2016-04-29T12:00:00Z", F, ""),
        ("2016-04-30T12:00:00Z", F, ""), ("2016-04-31T12:00:00Z", F, "day is out of range for month"), ("2016-09-29T12:00:00Z", F, ""), ("2016-09-30T12:00:00Z", F, ""),
        ("2016-09-31T12:00:00Z", F, "day is out of range for month"), ("2016-12-29T12:00:00Z", F, ""), ("2016-12-30T12:00:00Z", F, ""), ("2016-12-31T12:00:00Z", F, ""),
        ("2015:05-12T5:50:38Z", F, "~"), ("2015-05-13T15:50:38Z", F, ""), ("2015-05-122T15:50:38Z", F, "~"), ("2015-0--12T15:50:38Z", F, "~"),
        ("2015-05-1ZT15:50:38Z", F, "~"), ("2015-051-12T15::0:38Z", F, "~"), ("2015-05-12T17:50:8Z", F, ""), ("2015-05-12T105:5T:38Z", F, "~"),
        ("2315-05-12T15t50:38Z", F, "~"), ("29015-05-12T15:50:38Z", F, "~"), ("2015-05-12T15:5030Z", F, "~"), ("2015-05-12T:5:50:38Z", F, "~"),
        ("205-05-12T15:50:438Z", F, "~"), ("2015-05-12T15:80:384Z", F, "~"), ("2015-05-12:15:50:38Z", F, "~"), ("22015z05-12T15:50:38Z", F, "~"),
        ("2015-05-11T15:50:8Z", F, ""), ("2015-05-1215:30:38Z", F, "~"), ("2015Z05-12T15:50:38Z", F, "~"), ("2015-05-12Z15:50:38Z", F, "~"),
        ("2Z15-05-12T15:50:938Z", F, "~"), ("2095-05-12T1550:38Z", F, "~"), ("2015-Z05-12T15:50:38Z6", F, "~"), ("201:-05-12T15:0:38Z", F, "~"),
        ("2015-05-12T75:50:38Z", F, "~"), ("2015-05-12T15:5038Z9", F, "~"), ("2015-05-12T15:50:380Z", F, "~"), ("2015-05-2T15:50:38Z", F, ""),
        ("2015-005-12T15:50:38Z", F, "~"), ("2015-05-T2T15:50:38Z5", F, "~"), ("2015-05-12415:50:38Z", F, "~"), ("2015-05-12z85:50:38Z", F, "~"),
        ("2015-05-12T1::50:388Z", F, "~"), ("2015-05-12TT15:50:38Z", F, "~"), ("2015-05T-12T15:50:38Z", F, "~"),
        ("2015-05-1T15:50:3zZ", F, "unconverted data remains: Z"), ("2015-05-12T-15:50:38", F, "~"), ("2015-05-12T15:50:3Z", F, ""), ("015-05-12T15:50:38Z", F, "~"),
        ("2015-05-12T15:50:Z38Z", F, "~"), ("2015-05-12", "%Y-%m-%d", ""), ("2015-05-12T15:50:38.123456Z", "%Y-%m-%dT%H:%M:%S.%fZ", ""),
        ("2015-05-12T15:50:38.1234567Z", "%Y-%m-%dT%H:%M:%S.%fZ", "~"), ("2015-05-12T15:50:38.Z", "%Y-%m-%dT%H:%M:%S.%fZ", "~"),
        ("2015-05-12T15:50:38+0100", "%Y-%m-%dT%H:%M:%S%z", ""), ("2015-05-12T15:50:38+01:00", "%Y-%m-%dT%H:%M:%S%z", ""),
        ("2015-05-12T15:50:38Z", "%Y-%m-%dT%H:%M:%S%z", ""), ("2015-05-12T15:50:38z", "%Y-%m-%dT%H:%M:%S%z", "~"),
        ("2015-05-12T15:50:38-23:59:59.999999", "%Y-%m-%dT%H:%M:%S%z", ""),
        ("+2400", "%z", "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not datetime.timedelta(days=1)."),
        ("-2400", "%z", "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not datetime.timedelta(days=-1)."),
        ("+9959", "%z", "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not datetime.timedelta(days=4, seconds=14340)."),
        ("-240000.5", "%z", "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not datetime.timedelta(days=-2, seconds=86399, microseconds=500000)."),
        ("+01:0030", "%z", "Inconsistent use of : in +01:0030"), ("+0100:30", "%z", "invalid literal for int() with base 10: ':3'"), ("+01:00:30", "%z", ""),
        ("+010030.25", "%z", ""), ("+01:00:30.25", "%z", ""), ("+0160", "%z", "~"), ("+01", "%z", "~"), ("-0000", "%z", ""),
        ("Tue, 12 May 2015 15:50:38 GMT", "%a, %d %b %Y %H:%M:%S %Z", ""), ("tue, 12 may 2015 15:50:38 utc", "%a, %d %b %Y %H:%M:%S %Z", ""),
        ("Tue, 12 May 2015 15:50:38 EST", "%a, %d %b %Y %H:%M:%S %Z", "~"), ("Tuesday 12 May 2015", "%A %d %B %Y", ""), ("Tues 12 May 2015", "%a %d %b %Y", "~"),
        ("Sunday, September 13 2020", "%A, %B %d %Y", ""), ("Septembre 13", "%B %d", "~"), ("\u{17f}un", "%a", "'\u{17f}un' is not in list"),
        ("fr\u{130}", "%a", "'fri\u{307}' is not in list"), ("AUGU\u{17f}T", "%B", "'augu\u{17f}t' is not in list"), ("\u{212a}ey", "key", ""),
        ("Tue May 12 15:50:38 2015", "%c", ""), ("Tue May  2 15:50:38 2015", "%c", ""), ("tue   may 12 15:50:38 2015x", "%c", "unconverted data remains: x"),
        ("05/12/15", "%x", ""), ("15:50:38", "%X", ""), ("05/12/15 15:50:38", "%x %X", ""), ("5/2/69", "%x", ""), ("12/31/68", "%x", ""), ("1999 366", "%Y %j", ""),
        ("2000 366", "%Y %j", ""), ("2015 367", "%Y %j", "unconverted data remains: 7"), ("9999 366", "%Y %j", "year 10000 is out of range"),
        ("2015 000", "%Y %j", "~"), ("2015 1", "%Y %j", ""), ("2015 0001", "%Y %j", "~"), ("2015 05 3", "%Y %U %w", ""), ("2015 00 0", "%Y %U %w", ""),
        ("2015 00 1", "%Y %W %w", ""), ("0001 00 0", "%Y %U %w", "year 0 is out of range"), ("9999 53 6", "%Y %U %w", "year 10000 is out of range"),
        ("2015 53 6", "%Y %W %u", ""), ("2015 20", "%Y %U", ""), ("2015-W20-2", "%G-W%V-%u", ""), ("2015-W00-1", "%G-W%V-%u", "~"), ("2015-W53-7", "%G-W%V-%u", ""),
        ("0001-W01-1", "%G-W%V-%u", ""), ("0000-W01-1", "%G-W%V-%u", "year 0 is out of range"), ("9999-W53-7", "%G-W%V-%u", "year 10000 is out of range"),
        ("2015-W20", "%G-W%V", "ISO year directive '%G' must be used with the ISO week directive '%V' and a weekday directive ('%A', '%a', '%w', or '%u')."),
        ("2015", "%G", "ISO year directive '%G' must be used with the ISO week directive '%V' and a weekday directive ('%A', '%a', '%w', or '%u')."),
        ("2015 20 2 100", "%G %V %u %j", "Day of the year directive '%j' is not compatible with ISO year directive '%G'. Use '%Y' instead."),
        ("20 2", "%V %u", "ISO week directive '%V' is incompatible with the year directive '%Y'. Use the ISO year '%G' instead."),
        ("20", "%V", "ISO week directive '%V' must be used with the ISO year directive '%G' and a weekday directive ('%A', '%a', '%w', or '%u')."),
        ("2015 20 2", "%Y %V %u", "ISO week directive '%V' is incompatible with the year directive '%Y'. Use the ISO year '%G' instead."),
        ("2015 20 2 3", "%G %V %u %U", ""), ("12:30 AM", "%I:%M %p", ""), ("12:30 pm", "%I:%M %p", ""), ("1:30 PM", "%I:%M %p", ""), ("13:30 PM", "%I:%M %p", "~"),
        ("11", "%I", ""), ("02-29", "%m-%d", "day is out of range for month"), ("02-28", "%m-%d", ""), ("Feb 29", "%b %d", "day is out of range for month"),
        ("29", "%d", ""), ("311", "%d", "unconverted data remains: 1"), ("1231", "%m%d", ""), ("1112015", "%m%d%Y", ""), ("20150512", "%Y%m%d", ""),
        ("2015512", "%Y%m%d", ""), ("123", "%H%M", ""), ("99", "%y", ""), ("00", "%y", ""), ("6", "%w", ""), ("7", "%w", "~"), ("7", "%u", ""), ("0", "%u", "~"),
        ("0", "%d", "~"), (" 5", "%d", ""), ("  5", "%d", "~"), ("5", " %d", "~"), ("x", "", "unconverted data remains: x"), ("", "", ""), ("", "%Y", "~"),
        ("2015", "%Y%", "stray % in format '%Y%'"), ("2015", "%", "stray % in format '%'"), ("%", "%%", ""), ("%2015", "%%%Y", ""),
        ("1", "%%%", "stray % in format '%%%'"), ("1", "%e", "'e' is a bad directive in format '%e'"), ("1", "%q", "'q' is a bad directive in format '%q'"),
        ("1", "% ", "'%' is a bad directive in format '% '"), ("1", "%(", "'%' is a bad directive in format '%('"),
        ("1", "%\\", "'%' is a bad directive in format '%\\'"), ("1", "%E", "'E' is a bad directive in format '%E'"),
        ("1", "%\u{e9}", "'\u{e9}' is a bad directive in format '%\u{e9}'"), ("1", "%Y%q%", "'q' is a bad directive in format '%Y%q%'"),
        ("2015", "%Y%Y", "redefinition of group name 'Y' as group 2; was group 1 at position 19"),
        ("x", "%c%Y", "redefinition of group name 'Y' as group 8; was group 7 at position 227"),
        ("x", "%H%X", "redefinition of group name 'H' as group 2; was group 1 at position 28"), ("x", "%q%Y%Y", "'q' is a bad directive in format '%q%Y%Y'"),
        ("x", "%Y%m%Y%", "stray % in format '%Y%m%Y%'"), ("2015 05", "%Y\t\n%m", ""), ("2015\u{3000}\u{b}05", "%Y %m", ""),
        ("2015\u{200b}05", "%Y %m", "time data '2015\\u200b05' does not match format '%Y %m'"), ("2015.05", "%Y.%m", ""), ("2015x05", "%Y.%m", "~"),
        ("(2015)", "(%Y)", ""), ("[2015]|$^", "[%Y]|$^", ""), ("2015*+?{}", "%Y*+?{}", ""), ("a\\b2015", "a\\b%Y", ""), ("\\s2015", "\\s%Y", ""), ("T", "t", ""),
        ("\u{130}", "i", ""), ("\u{131}", "I", ""), ("\u{17f}", "S", ""), ("\u{df}", "S", "time data '\u{df}' does not match format 'S'"), ("\u{1e9e}", "\u{df}", ""),
        ("\u{b5}", "\u{39c}", ""), ("\u{3c2}", "\u{3a3}", ""), ("2015-05-12 15:50:38", "%Y-%m-%d %H:%M:%S", ""), ("2015-05-12   15:50:38", "%Y-%m-%d %H:%M:%S", ""),
        ("2015-05-1215:50:38", "%Y-%m-%d %H:%M:%S", "~"), ("2015-05-12T15:50:38.000000+05:30", "%Y-%m-%dT%H:%M:%S.%f%z", ""),
        ("May 12, 2015 at 3:50 PM", "%B %d, %Y at %I:%M %p", ""), ("Mon Jan  5 2015", "%a %b %d %Y", ""), ("0:0:0", "%H:%M:%S", ""), ("69284", "%m%d%Y", "~"),
        ("20", "%Y%j", "~"), ("01523975", "%d%m%y", "unconverted data remains: 975"), ("74", "%H%M%S", "~"), ("7885871", "%d%m%y", "unconverted data remains: 871"),
        ("57819979", "%d%H", "unconverted data remains: 819979"), ("374558", "%m%d%Y", ""), ("277", "%m%d", "unconverted data remains: 7"),
        ("56237224", "%j%Y", "unconverted data remains: 24"), ("2809", "%m%d%Y", "~"), ("7", "%d%H", "~"), ("34", "%m%d%Y", "~"), ("6", "%j%Y", "~"),
        ("45", "%d%H", ""), ("32", "%d%H", ""), ("86", "%j%Y", "~"), ("983659", "%Y%j", ""), ("852", "%d%m%y", "~"),
        ("423751", "%d%m%y", "unconverted data remains: 51"), ("83752346", "%m%d%Y", "unconverted data remains: 46"), ("026", "%j%Y", "~"),
        ("96510", "%d%H", "unconverted data remains: 510"),
    ];
}
