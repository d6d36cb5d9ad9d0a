//! Text -> AST. The only module that knows pest.

mod lexer;
mod located;
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

/// Parse one spec file. Errors come as Stone orders them: every lexical
/// error first, then the parse error or the checks Stone's parser makes.
pub fn parse_file(file: u32, text: &str) -> Result<File, Vec<Diagnostic>> {
    // Stone appends a line break so that the last line always ends.
    let data = format!("{text}\n");
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
        Ok(mut pairs) => pairs.next().expect("spec rule"),
        Err(_) => {
            // Rare: parse again to place the error.
            return Err(located::failure(&lexed.kinds));
        }
    };
    let mut b = Builder {
        file,
        lines_before,
        data,
        tokens: &lexed.tokens,
        index,
        strings: std::mem::take(&mut lexed.strings),
        anonymous: vec![],
        errors: vec![],
    };
    let decls: Vec<Decl> = spec
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| b.decl(p))
        .collect();
    Ok(Parsed {
        decls,
        anonymous: b.anonymous,
        errors: b.errors,
    })
}

struct Builder<'a> {
    file: u32,
    /// Lines of the file before the text parsed (see `pieces`).
    lines_before: u32,
    data: &'a str,
    /// The tokens of `data`: a pair's span is a range of them.
    tokens: &'a [lexer::Token],
    index: &'a LineIndex<'a>,
    /// String literals' values by offset, moved out as the AST takes them.
    strings: Vec<(usize, String)>,
    /// Nameless types defined in fields, in the order Stone appends them.
    anonymous: Vec<Decl>,
    /// Checks Stone's parser makes while it reduces (duplicates and the like).
    errors: Vec<Diagnostic>,
}

type P<'i> = Pair<'i, Rule>;
type Inner<'i> = std::iter::Peekable<pest::iterators::Pairs<'i, Rule>>;

impl<'a> Builder<'a> {
    /// The first token of a pair.
    fn token(&self, p: &P) -> &'a lexer::Token {
        &self.tokens[p.as_span().start()]
    }

    /// The text of a one-token pair (a name, a literal).
    fn text(&self, p: &P) -> &'a str {
        let t = self.token(p);
        &self.data[t.start..t.end]
    }

    fn name(&self, p: &P) -> String {
        self.text(p).to_string()
    }

    /// Where the pair's first token is.
    fn pos(&self, p: &P) -> Pos {
        let mut pos = self.index.pos(self.file, self.token(p).start);
        pos.line += self.lines_before;
        pos
    }

    /// The start of the line of the pair's first token: where a field, an
    /// example or an attribute is (in a block, its line is its position).
    fn line_pos(&self, p: &P) -> Pos {
        let line = self.index.line_of(self.token(p).start);
        Pos::line_start(self.file, self.lines_before + line)
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
                let name = it.next().map(|p| self.name(&p)).unwrap_or_default();
                let doc = it.next().map(|p| self.doc(p));
                Decl::Namespace(Namespace { pos, name, doc })
            }
            Rule::import => Decl::Import(Import {
                pos,
                target: it.next().map(|p| self.name(&p)).unwrap_or_default(),
            }),
            Rule::alias => {
                let name = it.next().map(|p| self.name(&p)).unwrap_or_default();
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
                let name = it.next().map(|p| self.name(&p)).unwrap_or_default();
                let mut names: Vec<String> = vec![];
                let mut args = (vec![], vec![]);
                for p in it {
                    match p.as_rule() {
                        Rule::ident => names.push(self.name(&p)),
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
                let name = it.next().map(|p| self.name(&p)).unwrap_or_default();
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
                let name = it.next().map(|p| self.name(&p)).unwrap_or_default();
                Decl::Struct(self.type_body(pos, name, it, false))
            }
            Rule::union_def => {
                let closed = it
                    .next()
                    .is_some_and(|k| self.token(&k).kind == lexer::kind::UNION_CLOSED);
                let name = it.next().map(|p| self.name(&p)).unwrap_or_default();
                Decl::Union(self.type_body(pos, name, it, closed))
            }
            Rule::struct_patch | Rule::union_patch => {
                let closed = if rule == Rule::union_patch {
                    it.next()
                        .is_some_and(|k| self.token(&k).kind == lexer::kind::UNION_CLOSED)
                } else {
                    false
                };
                let name = it.next().map(|p| self.name(&p)).unwrap_or_default();
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
        // The lexer has the value of every string token.
        let start = self.token(&p).start;
        self.strings
            .binary_search_by_key(&start, |(s, _)| *s)
            .map(|i| std::mem::take(&mut self.strings[i].1))
            .unwrap_or_default()
    }

    fn literal(&mut self, p: P) -> Literal {
        match p.as_rule() {
            Rule::boolean => Literal::Bool(self.text(&p) == "true"),
            Rule::null => Literal::Null,
            Rule::integer => match self.text(&p).parse::<i128>() {
                Ok(v) => Literal::Int(v),
                Err(_) => Literal::BigInt(self.name(&p)),
            },
            Rule::float => Literal::Float(self.text(&p).parse().unwrap_or(f64::INFINITY)),
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
                Rule::ident => names.push(self.name(&q)),
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
                    let key = it.next().map(|k| self.name(&k)).unwrap_or_default();
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
            let mut names: Vec<String> = p.into_inner().peekable().map(|q| self.name(&q)).collect();
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
                    let open = inner
                        .next()
                        .is_some_and(|k| self.token(&k).kind == lexer::kind::UNION);
                    let list = inner
                        .map(|f| {
                            let pos = self.line_pos(&f);
                            let mut fi = f.into_inner().peekable();
                            let name = fi.next().map(|n| self.name(&n)).unwrap_or_default();
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
        let pos = self.line_pos(&p);
        let mut it = p.into_inner().peekable();
        let name = it.next().map(|n| self.name(&n)).unwrap_or_default();
        let type_ref = it
            .next_if(|p| p.as_rule() == Rule::type_ref)
            .map(|t| self.type_ref(t));
        let default = it
            .next_if(|p| p.as_rule() == Rule::default)
            .map(|d| self.default_value(d.into_inner().peekable().next().expect("default")));
        let (annotations, doc) = self.annotations_and_doc(&mut it);
        if let Some(anon) = it.next() {
            let anon_pos = self.line_pos(&anon);
            let type_name = type_ref
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default();
            let decl = if anon.as_rule() == Rule::anon_union {
                let mut inner = anon.into_inner().peekable();
                let closed = inner
                    .next()
                    .is_some_and(|k| self.token(&k).kind == lexer::kind::UNION_CLOSED);
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
                .map(|i| self.name(&i))
                .unwrap_or_default();
            DefaultValue::Tag { pos, tag }
        } else {
            DefaultValue::Lit(self.literal(p))
        }
    }

    fn example(&mut self, p: P) -> Example {
        let pos = self.line_pos(&p);
        let mut it = p.into_inner().peekable();
        let label = it.next().map(|n| self.name(&n)).unwrap_or_default();
        let doc = it
            .next_if(|p| p.as_rule() == Rule::doc)
            .map(|p| self.doc(p));
        let mut fields: Vec<ExampleField> = vec![];
        for f in it {
            let fpos = self.line_pos(&f);
            let mut fi = f.into_inner().peekable();
            let name = fi.next().map(|n| self.name(&n)).unwrap_or_default();
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
                    label: self.name(&p),
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
        let name = it.next().map(|n| self.route_name(&n)).unwrap_or_default();
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
                (self.route_name(&n), v)
            })
        });
        let doc = it
            .next_if(|p| p.as_rule() == Rule::doc)
            .map(|p| self.doc(p));
        let mut attrs: Vec<AttrField> = vec![];
        if let Some(a) = it.next() {
            for f in a.into_inner().peekable() {
                let fpos = self.line_pos(&f);
                let mut fi = f.into_inner().peekable();
                let name = fi.next().map(|n| self.name(&n)).unwrap_or_default();
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

    /// A route's name: the name and the path after it (`ID PATH?`).
    fn route_name(&self, p: &P) -> String {
        p.clone()
            .into_inner()
            .map(|q| self.text(&q))
            .collect::<Vec<_>>()
            .concat()
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
