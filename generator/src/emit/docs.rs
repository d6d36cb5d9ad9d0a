//! Stone docs -> rustdoc: references become code spans or links, and text
//! that Markdown would take for HTML or links is escaped.

use fancy_regex::Regex;
use std::sync::OnceLock;

fn doc_ref() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r":(?P<tag>[A-z]+):`(?P<val>.*?)`").expect("valid regex"))
}

fn bare_url() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"https?://[^\s<>()\[\]`]*[^\s<>()\[\]`.,;:!?'"]"#).expect("valid regex")
    })
}

/// Plain text: URLs become autolinks, Markdown syntax is escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut last = 0;
    for m in bare_url().find_iter(text).flatten() {
        escape_markdown(&mut out, &text[last..m.start()]);
        out.push('<');
        out.push_str(m.as_str());
        out.push('>');
        last = m.end();
    }
    escape_markdown(&mut out, &text[last..]);
    out
}

fn escape_markdown(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' | '>' | '[' | ']' | '*' | '_' | '`' | '#' | '|' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// A Stone doc as rustdoc Markdown, without links.
#[cfg(test)]
pub fn rustdoc(raw: &str) -> String {
    rustdoc_linked(raw, &|_, _| None)
}

/// A Stone doc as rustdoc Markdown; `:type:` and `:field:` references that
/// `link(tag, value)` resolves (to a Rust path; empty where the name itself
/// resolves) become intra-doc links.
pub fn rustdoc_linked(raw: &str, link: &dyn Fn(&str, &str) -> Option<String>) -> String {
    let text = crate::ir::doc_unwrap_paragraphs(raw);
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for caps in doc_ref().captures_iter(&text).flatten() {
        let whole = caps.get(0).expect("match");
        out.push_str(&escape(&text[last..whole.start()]));
        let tag = caps.name("tag").map_or("", |m| m.as_str());
        let val = caps.name("val").map_or("", |m| m.as_str());
        match tag {
            "link" => match val.rsplit_once(' ') {
                Some((title, url)) => out.push_str(&format!("[{}]({url})", escape(title))),
                None => out.push_str(&format!("`{val}`")),
            },
            "type" | "field" | "route" => match link(tag, val) {
                Some(path) if path.is_empty() => out.push_str(&format!("[`{val}`]")),
                Some(path) => out.push_str(&format!("[`{val}`]({path})")),
                None => out.push_str(&format!("`{val}`")),
            },
            _ => out.push_str(&format!("`{}`", val.replace('`', ""))),
        }
        last = whole.end();
    }
    out.push_str(&escape(&text[last..]));
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::{rustdoc, rustdoc_linked};

    #[test]
    fn references_urls_and_markdown() {
        assert_eq!(
            rustdoc("See :type:`Metadata` and :field:`path`."),
            "See `Metadata` and `path`."
        );
        assert_eq!(
            rustdoc(":link:`the docs https://example.com/x`"),
            "[the docs](https://example.com/x)"
        );
        assert_eq!(
            rustdoc("e.g., https://accounts.google.com)."),
            "e.g., <https://accounts.google.com>)."
        );
        assert_eq!(rustdoc("a <b> [c] *d*"), "a \\<b\\> \\[c\\] \\*d\\*");
        assert_eq!(rustdoc("two\nlines"), "two lines");
        let link =
            |_: &str, v: &str| (v == "Metadata").then(|| "crate::files::Metadata".to_string());
        assert_eq!(
            rustdoc_linked("See :type:`Metadata`.", &link),
            "See [`Metadata`](crate::files::Metadata)."
        );
    }
}
