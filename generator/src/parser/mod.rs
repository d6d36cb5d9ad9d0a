//! Text -> AST. The only module that knows pest.

mod build;
mod lexer;
mod located;
pub mod pieces;

pub use lexer::MAX_NESTING;

use crate::ast::*;
use crate::diagnostics::Diagnostic;
use crate::source::{LineIndex, Pos};
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "parser/stone.pest"]
#[grammar = "parser/layout_fast.pest"]
struct StoneParser;

/// `text` and a line break, in one allocation of the final size
/// (`format!` would allocate for the text, then again, twice as big, for
/// the line break, copying the text twice).
fn with_line_break(text: &str) -> String {
    let mut data = String::with_capacity(text.len() + 1);
    data.push_str(text);
    data.push('\n');
    data
}

/// Parse one spec file. Errors come as Stone orders them: every lexical
/// error first, then the parse error or the checks Stone's parser makes.
pub fn parse_file(file: u32, text: &str) -> Result<File, Vec<Diagnostic>> {
    // Stone appends a line break so that the last line always ends.
    let data = with_line_break(text);
    let mut lexed = lexer::lex(&data);
    let index = LineIndex::new(&data);
    let mut errors: Vec<Diagnostic> = lexed
        .errors
        .iter()
        .map(|(msg, line, offset)| {
            Diagnostic::new(
                Pos {
                    line: *line,
                    ..index.pos(file, *offset)
                },
                msg.clone(),
            )
        })
        .collect();
    if lexed.too_deep {
        return Err(errors);
    }
    match parse_tokens(file, &data, &mut lexed, &index, 0) {
        Err(at) => {
            errors.push(located::unexpected_token(file, &data, &lexed, &index, at));
            Err(errors)
        }
        Ok(mut parsed) => {
            parsed.decls.append(&mut parsed.anonymous);
            errors.append(&mut parsed.errors);
            if errors.is_empty() {
                Ok(File {
                    decls: parsed.decls,
                })
            } else {
                Err(errors)
            }
        }
    }
}

/// A file's (or a piece's) declarations, as its tokens parse.
struct Parsed {
    decls: Vec<Decl>,
    /// Nameless types defined in fields, in the order Stone appends them.
    anonymous: Vec<Decl>,
    /// Checks Stone's parser makes while it reduces (duplicates and the like).
    errors: Vec<Diagnostic>,
}

/// Parse the tokens of `data` (lexed) and build their declarations; on a
/// parse error, the index of the token where it failed. `lines_before`:
/// lines of the file before `data` (see `pieces`).
fn parse_tokens(
    file: u32,
    data: &str,
    lexed: &mut lexer::Lexed,
    index: &LineIndex,
    lines_before: u32,
) -> Result<Parsed, usize> {
    let spec = match StoneParser::parse(Rule::spec, &lexed.kinds) {
        Ok(pairs) => pairs,
        Err(_) => {
            // Rare: parse again to place the error.
            return Err(located::failure(&lexed.kinds));
        }
    };
    let nodes = build::flatten(spec);
    let mut b = build::Builder {
        file,
        lines_before,
        data,
        tokens: &lexed.tokens,
        nodes: &nodes,
        index,
        strings: std::mem::take(&mut lexed.strings),
        anonymous: vec![],
        errors: vec![],
    };
    let spec = nodes[0];
    let mut decls = Vec::with_capacity(b.count(spec, None));
    for e in b.elems(spec) {
        if let build::El::Pair(p) = e {
            if p.rule != Rule::EOI {
                decls.push(b.decl(p));
            }
        }
    }
    Ok(Parsed {
        decls,
        anonymous: b.anonymous,
        errors: b.errors,
    })
}

/// Python dict key equality for the keys an example map can hold.
fn same_key(a: &ExValue, b: &ExValue) -> bool {
    match (a, b) {
        (ExValue::Lit(x), ExValue::Lit(y)) => x == y,
        _ => false,
    }
}

/// `repr` of an example value, for messages.
pub fn ex_repr(v: &ExValue) -> String {
    match v {
        ExValue::Lit(l) => lit_repr(l),
        ExValue::List(items) => format!(
            "[{}]",
            items.iter().map(ex_repr).collect::<Vec<_>>().join(", ")
        ),
        ExValue::Map(pairs) => format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{}: {}", ex_repr(k), ex_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExValue::Ref { label, .. } => format!("AstExampleRef({})", crate::pyfmt::repr_str(label)),
    }
}

/// `repr` of a literal as Python shows the value Stone holds.
pub fn lit_repr(l: &Literal) -> String {
    match l {
        Literal::Bool(true) => "True".into(),
        Literal::Bool(false) => "False".into(),
        Literal::Int(i) => i.to_string(),
        Literal::BigInt(s) => s.clone(),
        Literal::Float(f) => crate::pyfmt::repr_float(*f),
        Literal::Str(s) => crate::pyfmt::repr_str(s),
        Literal::Null => "None".into(),
    }
}
