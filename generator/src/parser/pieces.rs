//! A big file parsed in pieces, on as many threads as there are pieces.
//!
//! One file of the Dropbox spec (`team_log.stone`) is nearly half of it:
//! parsed whole, it keeps one core busy while the other has run out of
//! files. A file is a run of top-level declarations, each starting at a
//! line of its own with no indentation, and each parses the same whatever
//! comes before it (no block and no bracket is open between two of them).
//! So a run of whole declarations parses on its own to the declarations
//! the whole file gives there.
//!
//! Only a valid piece is kept: one whose lexer ends with no bracket open
//! and that has no error of any kind. Anything else (a split inside a
//! string, a spec with an error) makes the caller parse the whole file
//! with `parse_file`, which places every error exactly.

use super::{lexer, parse_tokens, with_line_break};
use crate::ast::{Decl, File};
use crate::source::LineIndex;

/// A run of whole top-level declarations, parsed.
pub struct Piece {
    decls: Vec<Decl>,
    /// Nameless types defined in fields: a file lists them after all of
    /// its declarations.
    anonymous: Vec<Decl>,
}

/// Where to cut `text` into pieces of about `size` bytes: offsets of lines
/// that start a declaration after a blank line (`\n\n` then a letter), the
/// first at or after each multiple of `size`. Empty for a small file.
pub fn cuts(text: &str, size: usize) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out: Vec<usize> = vec![];
    let mut target = size.max(1);
    while target + size / 2 < b.len() {
        let from = target.max(out.last().map_or(0, |c| c + 1));
        let found = b[from..]
            .windows(3)
            .position(|w| w[0] == b'\n' && w[1] == b'\n' && w[2].is_ascii_lowercase());
        let Some(at) = found.map(|i| from + i + 2) else {
            break;
        };
        if at + size / 2 >= b.len() {
            break;
        }
        out.push(at);
        target = at + size;
    }
    out
}

/// Parse `text[start..end]` of a file (`end` is a cut, or the end of the
/// file, where Stone's extra final line break is added). None where the
/// piece is not a valid run of whole declarations.
pub fn parse_piece(file: u32, text: &str, start: usize, end: usize) -> Option<Piece> {
    let last;
    let data: &str = if end >= text.len() {
        last = with_line_break(&text[start..]);
        &last
    } else {
        &text[start..end]
    };
    let mut lexed = lexer::lex(data);
    if !lexed.errors.is_empty() || lexed.too_deep || lexed.open_at_end {
        return None;
    }
    let lines_before = memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count() as u32;
    let index = LineIndex::new(data);
    let parsed = parse_tokens(file, data, &mut lexed, &index, lines_before).ok()?;
    parsed.errors.is_empty().then_some(Piece {
        decls: parsed.decls,
        anonymous: parsed.anonymous,
    })
}

/// The file the pieces (in order) make.
pub fn join(mut pieces: Vec<Piece>) -> File {
    let total = pieces
        .iter()
        .map(|p| p.decls.len() + p.anonymous.len())
        .sum();
    let mut decls = Vec::with_capacity(total);
    for p in &mut pieces {
        decls.append(&mut p.decls);
    }
    for p in &mut pieces {
        decls.append(&mut p.anonymous);
    }
    File { decls }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(n: usize) -> String {
        let mut text = String::from("namespace n\n\n");
        for i in 0..n {
            text.push_str(&format!(
                "struct S{i}\n    \"Doc\n\n    of S{i}.\"\n    f{i} String\n        \"A field.\"\n    g{i} U{i}\n        union\n            a\n            b Int32\n\n# c\n\nalias A{i} = List(\n    String)\n\n"
            ));
        }
        text
    }

    #[test]
    fn pieces_join_to_the_whole_file() {
        let text = spec(40);
        let whole = super::super::parse_file(0, &text).expect("valid");
        let cuts = cuts(&text, 500);
        assert!(cuts.len() > 3, "{cuts:?}");
        let bounds: Vec<usize> = std::iter::once(0)
            .chain(cuts.iter().copied())
            .chain(std::iter::once(text.len()))
            .collect();
        let pieces = bounds
            .windows(2)
            .map(|w| parse_piece(0, &text, w[0], w[1]).expect("valid piece"))
            .collect();
        assert_eq!(format!("{:?}", join(pieces)), format!("{whole:?}"));
    }

    #[test]
    fn a_cut_inside_a_string_or_a_bad_piece_is_refused() {
        let text = "namespace n\n\nstruct S\n    \"a\n\nstruct T\n\"\n    f String\n";
        let at = text.find("struct T").expect("cut");
        assert!(parse_piece(0, text, 0, at).is_none());
        assert!(parse_piece(0, "namespace n\n\nstruct S\n    f Strin g\n", 0, 40).is_none());
    }
}
