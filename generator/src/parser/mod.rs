//! Text -> AST. The only module that knows pest.

mod lexer;
pub mod pieces;

pub use lexer::MAX_NESTING;

use crate::ast::*;
use crate::diagnostics::Diagnostic;
use crate::source::{LineIndex, Pos};
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "parser/stone.pest"]
#[grammar = "parser/layout_fast.pest"]
struct StoneParser;

/// The same grammar with named layout rules, run only on a spec that fails
/// to parse, to find where the failure is.
mod located {
    #[derive(pest_derive::Parser)]
    #[grammar = "parser/stone.pest"]
    #[grammar = "parser/layout_located.pest"]
    pub struct LocatingParser;
}

/// Parse one spec file. Errors come as Stone orders them: every lexical
/// error first, then the parse error or the checks Stone's parser makes.
pub fn parse_file(file: u32, text: &str) -> Result<File, Vec<Diagnostic>> {
    // Stone appends a line break so that the last line always ends.
    let data = format!("{text}\n");
    let mut lexed = lexer::lex(&data, false);
    // Only errors need this index: the AST's positions come from pest's.
    let index = || LineIndex::new(&data);
    let mut errors: Vec<Diagnostic> = lexed
        .errors
        .iter()
        .map(|(msg, line, offset)| {
            Diagnostic::new(
                Pos {
                    line: *line,
                    ..index().pos(file, *offset)
                },
                msg.clone(),
            )
        })
        .collect();
    if lexed.too_deep {
        return Err(errors);
    }
    match StoneParser::parse(Rule::spec, &data) {
        Err(_) => {
            // Rare: parse again to place the error, and tokenize to name it.
            let e = match located::LocatingParser::parse(located::Rule::spec, &data) {
                Err(e) => e,
                Ok(_) => unreachable!("the two parsers accept the same language"),
            };
            let offset = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            let tokens = lexer::lex(&data, true);
            errors.push(unexpected_token(file, &data, &tokens, &index(), offset));
            Err(errors)
        }
        Ok(mut pairs) => {
            let spec = pairs.next().expect("spec rule");
            let mut b = Builder {
                file,
                lines_before: 0,
                strings: std::mem::take(&mut lexed.strings),
                anonymous: vec![],
                errors: vec![],
            };
            let mut decls: Vec<Decl> = spec
                .into_inner()
                .peekable()
                .filter(|p| p.as_rule() != Rule::EOI)
                .map(|p| b.decl(p))
                .collect();
            decls.append(&mut b.anonymous);
            errors.append(&mut b.errors);
            if errors.is_empty() {
                Ok(File { decls })
            } else {
                Err(errors)
            }
        }
    }
}

/// Name the token where the parse failed, as Stone's `p_error` does.
fn unexpected_token(
    file: u32,
    data: &str,
    lexed: &lexer::Lexed,
    index: &LineIndex,
    offset: usize,
) -> Diagnostic {
    let mut at = lexed.tokens.iter().position(|t| t.start >= offset);
    // After a header that must open a block (`struct S`, `attrs`, ...) the
    // line break is fine for Stone's LALR parser: the token after it, where
    // the block's INDENT is missing, is the unexpected one.
    if let Some(i) = at.filter(|i| lexed.tokens[*i].kind == "NEWLINE") {
        let line_start = lexed.tokens[..i]
            .iter()
            .rposition(|t| matches!(t.kind, "NEWLINE" | "INDENT" | "DEDENT"))
            .map_or(0, |j| j + 1);
        let opens_block = matches!(
            lexed.tokens.get(line_start).map(|t| t.kind),
            Some("STRUCT" | "UNION" | "UNION_CLOSED" | "PATCH" | "ANNOTATION_TYPE" | "ATTRS")
        );
        if opens_block {
            at = Some(i + 1).filter(|j| *j < lexed.tokens.len());
        }
    }
    match at.map(|i| &lexed.tokens[i]) {
        Some(t) => Diagnostic::new(
            Pos {
                line: t.line,
                ..index.pos(file, t.start)
            },
            format!("Unexpected {} with value {}.", t.kind, lexed.repr(data, t)),
        ),
        None => Diagnostic::new(index.pos(file, offset), "Unexpected end of file."),
    }
}

struct Builder {
    file: u32,
    /// Lines of the file before the text pest parses (see `pieces`).
    lines_before: u32,
    /// String literals' values by offset, moved out as the AST takes them.
    strings: Vec<(usize, String)>,
    /// Nameless types defined in fields, in the order Stone appends them.
    anonymous: Vec<Decl>,
    /// Checks Stone's parser makes while it reduces (duplicates and the like).
    errors: Vec<Diagnostic>,
}

type P<'i> = Pair<'i, Rule>;
type Inner<'i> = std::iter::Peekable<pest::iterators::Pairs<'i, Rule>>;

impl Builder {
    fn pos(&self, p: &P) -> Pos {
        // pest indexes the lines of its input anyway: its line and column
        // (in characters, from 1) are the ones Stone reports.
        let (line, col) = p.line_col();
        Pos {
            file: self.file,
            line: self.lines_before + line as u32,
            col: col as u32,
        }
    }

    fn error(&mut self, pos: Pos, msg: String) {
        self.errors.push(Diagnostic::new(pos, msg));
    }

    fn decl(&mut self, p: P) -> Decl {
        let pos = self.pos(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner().peekable();
        match rule {
            Rule::namespace => {
                let name = it
                    .next()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                let doc = it.next().map(|p| self.doc(p));
                Decl::Namespace(Namespace { pos, name, doc })
            }
            Rule::import => Decl::Import(Import {
                pos,
                target: it
                    .next()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
            }),
            Rule::alias => {
                let name = it
                    .next()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                let type_ref = self.type_ref(it.next().expect("alias type"));
                let (annotations, doc) = self.annotations_and_doc(&mut it);
                Decl::Alias(Alias {
                    pos,
                    name,
                    type_ref,
                    annotations,
                    doc,
                })
            }
            Rule::annotation => {
                let name = it
                    .next()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                let mut names: Vec<String> = vec![];
                let mut args = (vec![], vec![]);
                for p in it {
                    match p.as_rule() {
                        Rule::ident => names.push(p.as_str().to_string()),
                        Rule::type_args => args = self.type_args(p),
                        _ => {}
                    }
                }
                let type_name = names.pop().unwrap_or_default();
                Decl::Annotation(Annotation {
                    pos,
                    name,
                    type_ns: names.pop(),
                    type_name,
                    args: args.0,
                    kwargs: args.1,
                })
            }
            Rule::annotation_type => {
                let name = it
                    .next()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                let doc = it
                    .next_if(|p| p.as_rule() == Rule::doc)
                    .map(|p| self.doc(p));
                let params = it.map(|p| self.field(p)).collect();
                Decl::AnnotationType(AnnotationType {
                    pos,
                    name,
                    doc,
                    params,
                })
            }
            Rule::struct_def => {
                let name = it
                    .next()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                Decl::Struct(self.type_body(pos, name, it, false))
            }
            Rule::union_def => {
                let closed = it.next().is_some_and(|k| k.as_str() == "union_closed");
                let name = it
                    .next()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                Decl::Union(self.type_body(pos, name, it, closed))
            }
            Rule::struct_patch | Rule::union_patch => {
                let closed = if rule == Rule::union_patch {
                    it.next().is_some_and(|k| k.as_str() == "union_closed")
                } else {
                    false
                };
                let name = it
                    .next()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                let (fields, examples) = self.fields_and_examples(it);
                let patch = Patch {
                    pos,
                    name,
                    fields,
                    examples,
                    closed,
                };
                if rule == Rule::union_patch {
                    Decl::UnionPatch(patch)
                } else {
                    Decl::StructPatch(patch)
                }
            }
            Rule::route => Decl::Route(self.route(pos, it)),
            r => unreachable!("not a declaration: {r:?}"),
        }
    }

    fn doc(&mut self, p: P) -> String {
        // `p_docstring_string`: trailing white space goes from every line.
        let value = self.string(p.into_inner().peekable().next().expect("doc string"));
        let mut out = String::with_capacity(value.len());
        for (i, line) in value.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(line.trim_end());
        }
        out
    }

    fn string(&mut self, p: P) -> String {
        let start = p.as_span().start();
        match self.strings.binary_search_by_key(&start, |(s, _)| *s) {
            Ok(i) => std::mem::take(&mut self.strings[i].1),
            Err(_) => {
                let raw = p.as_str();
                lexer::string_value(&raw[1..raw.len() - 1], 0)
            }
        }
    }

    fn literal(&mut self, p: P) -> Literal {
        match p.as_rule() {
            Rule::boolean => Literal::Bool(p.as_str() == "true"),
            Rule::null => Literal::Null,
            Rule::integer => match p.as_str().parse::<i128>() {
                Ok(v) => Literal::Int(v),
                Err(_) => Literal::BigInt(p.as_str().to_string()),
            },
            Rule::float => Literal::Float(p.as_str().parse().unwrap_or(f64::INFINITY)),
            Rule::string => Literal::Str(self.string(p)),
            r => unreachable!("not a literal: {r:?}"),
        }
    }

    fn is_literal(p: &P) -> bool {
        matches!(
            p.as_rule(),
            Rule::boolean | Rule::null | Rule::integer | Rule::float | Rule::string
        )
    }

    fn type_ref(&mut self, p: P) -> TypeRef {
        let pos = self.pos(&p);
        let mut names = vec![];
        let mut args = (vec![], vec![]);
        let mut nullable = false;
        for q in p.into_inner().peekable() {
            match q.as_rule() {
                Rule::ident => names.push(q.as_str().to_string()),
                Rule::type_args => args = self.type_args(q),
                Rule::nullable => nullable = true,
                _ => {}
            }
        }
        let name = names.pop().unwrap_or_default();
        TypeRef {
            pos,
            ns: names.pop(),
            name,
            args: args.0,
            kwargs: args.1,
            nullable,
        }
    }

    fn arg(&mut self, p: P) -> Arg {
        if Self::is_literal(&p) {
            Arg::Lit(self.literal(p))
        } else {
            Arg::Type(self.type_ref(p))
        }
    }

    /// `(pos, ..., kw=value, ...)`: positional arguments come first; a
    /// keyword given twice is an error at the comma before it, as in Stone.
    fn type_args(&mut self, p: P) -> (Vec<Arg>, Vec<(String, Arg)>) {
        let mut args = vec![];
        let mut kwargs: Vec<(String, Arg)> = vec![];
        for q in p.into_inner().peekable() {
            let qpos = self.pos(&q);
            match q.as_rule() {
                Rule::pos_arg => {
                    let inner = q.into_inner().peekable().next().expect("arg");
                    if !kwargs.is_empty() {
                        self.error(
                            qpos,
                            "Unexpected positional argument after keyword arguments.".into(),
                        );
                    }
                    let a = self.arg(inner);
                    args.push(a);
                }
                Rule::kw_arg => {
                    let mut it = q.into_inner().peekable();
                    let key = it
                        .next()
                        .map(|k| k.as_str().to_string())
                        .unwrap_or_default();
                    let value = self.arg(it.next().expect("kw value"));
                    if let Some(slot) = kwargs.iter_mut().find(|(k, _)| *k == key) {
                        self.error(
                            qpos,
                            format!("Keyword argument '{key}' defined more than once."),
                        );
                        slot.1 = value;
                    } else {
                        kwargs.push((key, value));
                    }
                }
                _ => {}
            }
        }
        (args, kwargs)
    }

    fn annotations_and_doc<'i>(
        &mut self,
        it: &mut Inner<'i>,
    ) -> (Vec<AnnotationRef>, Option<String>) {
        let mut annotations = vec![];
        while let Some(p) = it.next_if(|p| p.as_rule() == Rule::annotation_ref) {
            let pos = self.pos(&p);
            let mut names: Vec<String> = p
                .into_inner()
                .peekable()
                .map(|q| q.as_str().to_string())
                .collect();
            let name = names.pop().unwrap_or_default();
            annotations.push(AnnotationRef {
                pos,
                ns: names.pop(),
                name,
            });
        }
        let doc = it
            .next_if(|p| p.as_rule() == Rule::doc)
            .map(|p| self.doc(p));
        (annotations, doc)
    }

    fn extends(&mut self, p: P) -> Option<TypeRef> {
        let pos = self.pos(&p);
        let t = self.type_ref(p.into_inner().peekable().next().expect("extends type"));
        if t.nullable {
            self.error(pos, "Reference cannot be nullable.".into());
            return None;
        }
        Some(t)
    }

    /// The rest of a struct or union: extends, doc, subtypes, fields, examples.
    fn type_body<'i>(
        &mut self,
        pos: Pos,
        name: String,
        it: impl Iterator<Item = P<'i>>,
        closed: bool,
    ) -> TypeDef {
        let mut def = TypeDef {
            pos,
            name,
            extends: None,
            doc: None,
            subtypes: None,
            fields: vec![],
            examples: vec![],
            closed,
        };
        for p in it {
            match p.as_rule() {
                Rule::extends => def.extends = self.extends(p),
                Rule::doc => def.doc = Some(self.doc(p)),
                Rule::subtypes => {
                    let mut inner = p.into_inner().peekable();
                    let open = inner.next().is_some_and(|k| k.as_str() == "union");
                    let list = inner
                        .map(|f| {
                            let pos = self.pos(&f);
                            let mut fi = f.into_inner().peekable();
                            let name = fi
                                .next()
                                .map(|n| n.as_str().to_string())
                                .unwrap_or_default();
                            let type_ref = self.type_ref(fi.next().expect("subtype type"));
                            SubtypeField {
                                pos,
                                name,
                                type_ref,
                            }
                        })
                        .collect();
                    def.subtypes = Some((list, open));
                }
                Rule::field => {
                    let f = self.field(p);
                    def.fields.push(f);
                }
                Rule::example => {
                    let e = self.example(p);
                    self.add_example(&mut def.examples, e);
                }
                _ => {}
            }
        }
        def
    }

    fn fields_and_examples<'i>(
        &mut self,
        it: impl Iterator<Item = P<'i>>,
    ) -> (Vec<Field>, Vec<Example>) {
        let mut fields = vec![];
        let mut examples = vec![];
        for p in it {
            match p.as_rule() {
                Rule::field => fields.push(self.field(p)),
                Rule::example => {
                    let e = self.example(p);
                    self.add_example(&mut examples, e);
                }
                _ => {}
            }
        }
        (fields, examples)
    }

    /// Examples are kept by label: a repeated label is an error, and the
    /// later example takes the earlier one's place (an OrderedDict in Stone).
    fn add_example(&mut self, examples: &mut Vec<Example>, e: Example) {
        if let Some(slot) = examples.iter_mut().find(|x| x.label == e.label) {
            self.error(
                e.pos,
                format!(
                    "Example with label '{}' already defined on line {}.",
                    e.label, slot.pos.line
                ),
            );
            *slot = e;
        } else {
            examples.push(e);
        }
    }

    fn field(&mut self, p: P) -> Field {
        let pos = self.pos(&p);
        let mut it = p.into_inner().peekable();
        let name = it
            .next()
            .map(|n| n.as_str().to_string())
            .unwrap_or_default();
        let type_ref = it
            .next_if(|p| p.as_rule() == Rule::type_ref)
            .map(|t| self.type_ref(t));
        let default = it
            .next_if(|p| p.as_rule() == Rule::default)
            .map(|d| self.default_value(d.into_inner().peekable().next().expect("default")));
        let (annotations, doc) = self.annotations_and_doc(&mut it);
        if let Some(anon) = it.next() {
            let anon_pos = self.pos(&anon);
            let type_name = type_ref
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default();
            let decl = if anon.as_rule() == Rule::anon_union {
                let mut inner = anon.into_inner().peekable();
                let closed = inner.next().is_some_and(|k| k.as_str() == "union_closed");
                Decl::Union(self.type_body(anon_pos, type_name, inner, closed))
            } else {
                Decl::Struct(self.type_body(
                    anon_pos,
                    type_name,
                    anon.into_inner().peekable(),
                    false,
                ))
            };
            self.anonymous.push(decl);
        }
        Field {
            pos,
            name,
            type_ref,
            default,
            annotations,
            doc,
        }
    }

    fn default_value(&mut self, p: P) -> DefaultValue {
        if p.as_rule() == Rule::tag_ref {
            let pos = self.pos(&p);
            let tag = p
                .into_inner()
                .peekable()
                .next()
                .map(|i| i.as_str().to_string())
                .unwrap_or_default();
            DefaultValue::Tag { pos, tag }
        } else {
            DefaultValue::Lit(self.literal(p))
        }
    }

    fn example(&mut self, p: P) -> Example {
        let pos = self.pos(&p);
        let mut it = p.into_inner().peekable();
        let label = it
            .next()
            .map(|n| n.as_str().to_string())
            .unwrap_or_default();
        let doc = it
            .next_if(|p| p.as_rule() == Rule::doc)
            .map(|p| self.doc(p));
        let mut fields: Vec<ExampleField> = vec![];
        for f in it {
            let fpos = self.pos(&f);
            let mut fi = f.into_inner().peekable();
            let name = fi
                .next()
                .map(|n| n.as_str().to_string())
                .unwrap_or_default();
            let value = self.ex_value(fi.next().expect("example value"));
            if let Some(slot) = fields.iter_mut().find(|x| x.name == name) {
                self.error(
                    pos,
                    format!("Example with label '{label}' defines field '{name}' more than once."),
                );
                slot.value = value;
            } else {
                fields.push(ExampleField {
                    pos: fpos,
                    name,
                    value,
                });
            }
        }
        Example {
            pos,
            label,
            doc,
            fields,
        }
    }

    fn ex_value(&mut self, p: P) -> ExValue {
        match p.as_rule() {
            Rule::ex_ref => {
                let pos = self.pos(&p);
                ExValue::Ref {
                    pos,
                    label: p.as_str().to_string(),
                }
            }
            Rule::ex_list => ExValue::List(
                p.into_inner()
                    .peekable()
                    .map(|q| self.ex_value(q))
                    .collect(),
            ),
            Rule::ex_map => {
                let mut pairs: Vec<(ExValue, ExValue)> = vec![];
                for pair in p.into_inner().peekable() {
                    let mut kv = pair.into_inner().peekable();
                    let kp = kv.next().expect("key");
                    let kpos = self.pos(&kp);
                    let key = self.ex_value(kp);
                    let value = self.ex_value(kv.next().expect("value"));
                    if matches!(key, ExValue::List(_) | ExValue::Map(_)) {
                        self.error(
                            kpos,
                            format!(
                                "{} is an invalid hash key because it cannot be hashed.",
                                ex_repr(&key)
                            ),
                        );
                        continue;
                    }
                    if let Some(slot) = pairs.iter_mut().find(|(k, _)| same_key(k, &key)) {
                        slot.1 = value;
                    } else {
                        pairs.push((key, value));
                    }
                }
                ExValue::Map(pairs)
            }
            _ => ExValue::Lit(self.literal(p)),
        }
    }

    fn route<'i>(&mut self, pos: Pos, mut it: Inner<'i>) -> Route {
        let name = it
            .next()
            .map(|n| n.as_str().to_string())
            .unwrap_or_default();
        let version = match it.next_if(|p| p.as_rule() == Rule::route_version) {
            Some(v) => self.version(v),
            None => 1,
        };
        let io = it.next().expect("route io");
        let mut types: Vec<TypeRef> = io
            .into_inner()
            .peekable()
            .map(|t| self.type_ref(t))
            .collect();
        let error = if types.len() > 2 { types.pop() } else { None };
        let result = types.pop().expect("result type");
        let arg = types.pop().expect("arg type");
        let deprecated = it.next_if(|p| p.as_rule() == Rule::deprecation).map(|d| {
            let mut di = d.into_inner().peekable();
            di.next().map(|n| {
                let v = di.next().map_or(1, |v| self.version(v));
                (n.as_str().to_string(), v)
            })
        });
        let doc = it
            .next_if(|p| p.as_rule() == Rule::doc)
            .map(|p| self.doc(p));
        let mut attrs: Vec<AttrField> = vec![];
        if let Some(a) = it.next() {
            for f in a.into_inner().peekable() {
                let fpos = self.pos(&f);
                let mut fi = f.into_inner().peekable();
                let name = fi
                    .next()
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_default();
                let value = self.default_value(fi.next().expect("attr value"));
                if attrs.iter().any(|x| x.name == name) {
                    self.error(fpos, format!("Attribute '{name}' defined more than once."));
                }
                attrs.push(AttrField {
                    pos: fpos,
                    name,
                    value,
                });
            }
        }
        Route {
            pos,
            name,
            version,
            deprecated,
            arg,
            result,
            error,
            doc,
            attrs,
        }
    }

    fn version(&mut self, p: P) -> i128 {
        let n = p.into_inner().peekable().next().expect("version number");
        let pos = self.pos(&n);
        let v = match self.literal(n) {
            Literal::Int(v) => v,
            _ => 0,
        };
        if v <= 0 {
            self.error(pos, "Version number should be a positive integer.".into());
        }
        v
    }
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
