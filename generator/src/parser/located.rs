//! Where a parse failed, and the token Stone names there.

use super::lexer;
use crate::diagnostics::Diagnostic;
use crate::source::{LineIndex, Pos};
use pest::Parser as _;

/// The same grammar with named layout rules, run only on tokens that fail
/// to parse, to find where the failure is.
mod parser {
    #[derive(pest_derive::Parser)]
    #[grammar = "parser/stone.pest"]
    #[grammar = "parser/layout_located.pest"]
    pub struct LocatingParser;
}

/// The index of the token where `kinds` (tokens that do not parse) fails.
pub fn failure(kinds: &str) -> usize {
    let e = match parser::LocatingParser::parse(parser::Rule::spec, kinds) {
        Err(e) => e,
        Ok(_) => unreachable!("the two parsers accept the same language"),
    };
    match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    }
}

/// Name the token where the parse failed, as Stone's `p_error` does.
pub fn unexpected_token(
    file: u32,
    data: &str,
    lexed: &lexer::Lexed,
    index: &LineIndex,
    at: usize,
) -> Diagnostic {
    use lexer::kind;
    let tokens = &lexed.tokens;
    // An illegal character is no token of Stone's: the one after it is.
    let mut at = tokens[at.min(tokens.len())..]
        .iter()
        .position(|t| t.kind != kind::ILLEGAL)
        .map(|i| at + i);
    // A failure at the line break of a header that must open a block
    // (`struct S`, `attrs`, ...) is named by the token after the line
    // break, where the block's INDENT is missing or not expected.
    if let Some(i) = at.filter(|i| tokens[*i].kind == kind::NEWLINE) {
        let line_start = tokens[..i]
            .iter()
            .rposition(|t| matches!(t.kind, kind::NEWLINE | kind::INDENT | kind::DEDENT))
            .map_or(0, |j| j + 1);
        let opens_block = tokens.get(line_start).is_some_and(|t| {
            matches!(
                t.name(),
                "STRUCT" | "UNION" | "UNION_CLOSED" | "PATCH" | "ANNOTATION_TYPE" | "ATTRS"
            )
        });
        if opens_block {
            at = Some(i + 1).filter(|j| *j < tokens.len());
        }
    }
    match at.map(|i| &tokens[i]) {
        Some(t) => Diagnostic::new(
            Pos {
                line: t.line,
                ..index.pos(file, t.start)
            },
            format!(
                "Unexpected {} with value {}.",
                t.name(),
                lexed.repr(data, t)
            ),
        ),
        // Where the text ends: after the last token, as the text showed it.
        None => {
            let end = lexed.tokens.last().map_or(0, |t| t.end);
            Diagnostic::new(index.pos(file, end), "Unexpected end of file.")
        }
    }
}
