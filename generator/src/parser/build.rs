//! Pairs and tokens -> AST.
//!
//! pest gives a pair for each rule the AST needs to tell apart (a field, a
//! type reference, an example...); names and literals are single tokens,
//! which the fast grammar leaves silent (no pair for each of them). pest's
//! pairs are read once into a flat list of `Node`s (preorder), and a
//! node's children are read as `El`s: its child nodes and, between them,
//! the tokens that carry a value.

use super::lexer::{kind, Token};
use super::{ex_repr, same_key, Rule};
use crate::ast::*;
use crate::diagnostics::Diagnostic;
use crate::source::{LineIndex, Pos};
use pest::iterators::Pairs;
use std::iter::Peekable;

/// A pair: its rule and its range of tokens. Plain data, where pest's
/// `Pair` is reference-counted and finds its span through its queue.
#[derive(Clone, Copy, Debug)]
pub(super) struct Node {
    pub rule: Rule,
    pub start: usize,
    pub end: usize,
    /// Its first child is the next node; this is the index after its
    /// descendants (its next sibling, if it has one).
    next: usize,
    index: usize,
}

/// pest's pairs as a flat list of nodes, in preorder.
pub(super) fn flatten(pairs: Pairs<Rule>) -> Vec<Node> {
    let tokens = pairs.tokens();
    let mut nodes: Vec<Node> = Vec::with_capacity(tokens.len() / 2);
    let mut open: Vec<usize> = vec![];
    for t in tokens {
        match t {
            pest::Token::Start { rule, pos } => {
                open.push(nodes.len());
                nodes.push(Node {
                    rule,
                    start: pos.pos(),
                    end: pos.pos(),
                    next: 0,
                    index: nodes.len(),
                });
            }
            pest::Token::End { pos, .. } => {
                let i = open.pop().expect("balanced tokens");
                nodes[i].end = pos.pos();
                nodes[i].next = nodes.len();
            }
        }
    }
    nodes
}

type P = Node;

/// A child of a node: a node of its own, or a token with a value.
pub(super) enum El<'a> {
    Pair(P),
    Tok(&'a Token),
}

/// The children of a node, in order (see `El`).
pub(super) struct Elems<'a> {
    tokens: &'a [Token],
    nodes: &'a [Node],
    /// The next child node, if any is left (`next_child < last`).
    next_child: usize,
    last: usize,
    at: usize,
    end: usize,
}

impl<'a> Iterator for Elems<'a> {
    type Item = El<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.at < self.end {
            if self.next_child < self.last && self.nodes[self.next_child].start == self.at {
                let p = self.nodes[self.next_child];
                self.next_child = p.next;
                self.at = p.end.max(self.at + 1);
                return Some(El::Pair(p));
            }
            let t = &self.tokens[self.at];
            self.at += 1;
            // Keywords, punctuation and layout only shape the pairs.
            let value = matches!(
                t.kind,
                kind::ID
                    | kind::STRING
                    | kind::INTEGER
                    | kind::FLOAT
                    | kind::BOOLEAN
                    | kind::NULL
                    | kind::PATH
                    | kind::UNION
                    | kind::UNION_CLOSED
                    | b'?'
            );
            if value {
                return Some(El::Tok(t));
            }
        }
        None
    }
}

type Els<'a> = Peekable<Elems<'a>>;

/// Take the next child if it is a node of `rule`.
fn next_pair(it: &mut Els, rule: Rule) -> Option<P> {
    match it.next_if(|e| matches!(e, El::Pair(p) if p.rule == rule)) {
        Some(El::Pair(p)) => Some(p),
        _ => None,
    }
}

pub(super) struct Builder<'a> {
    pub file: u32,
    /// Lines of the file before the text parsed (see `pieces`).
    pub lines_before: u32,
    pub data: &'a str,
    /// The tokens of `data`: a pair's span is a range of them.
    pub tokens: &'a [Token],
    /// pest's pairs (see `flatten`).
    pub nodes: &'a [Node],
    pub index: &'a LineIndex<'a>,
    /// String literals' values by offset, moved out as the AST takes them.
    pub strings: Vec<(usize, String)>,
    /// Nameless types defined in fields, in the order Stone appends them.
    pub anonymous: Vec<Decl>,
    /// Checks Stone's parser makes while it reduces (duplicates and the like).
    pub errors: Vec<Diagnostic>,
}

impl<'a> Builder<'a> {
    pub fn elems(&self, p: P) -> Els<'a> {
        Elems {
            tokens: self.tokens,
            nodes: self.nodes,
            next_child: p.index + 1,
            last: p.next,
            at: p.start,
            end: p.end,
        }
        .peekable()
    }

    /// How many child nodes of `p` are of `rule` (any rule: None), to
    /// size a list.
    pub fn count(&self, p: P, rule: Option<Rule>) -> usize {
        let mut n = 0;
        let mut i = p.index + 1;
        while i < p.next {
            n += usize::from(rule.is_none_or(|r| self.nodes[i].rule == r));
            i = self.nodes[i].next;
        }
        n
    }

    fn text(&self, t: &Token) -> &'a str {
        &self.data[t.start..t.end]
    }

    /// The next child's text, where it is a name.
    fn name(&self, it: &mut Els) -> String {
        match it.next_if(|e| matches!(e, El::Tok(t) if t.kind == kind::ID)) {
            Some(El::Tok(t)) => self.text(t).to_string(),
            _ => String::new(),
        }
    }

    /// Whether the next child is `union_closed` (taken if it is either
    /// union keyword).
    fn closed(&self, it: &mut Els) -> bool {
        match it.next_if(
            |e| matches!(e, El::Tok(t) if matches!(t.kind, kind::UNION | kind::UNION_CLOSED)),
        ) {
            Some(El::Tok(t)) => t.kind == kind::UNION_CLOSED,
            _ => false,
        }
    }

    fn tok_pos(&self, t: &Token) -> Pos {
        let mut pos = self.index.pos(self.file, t.start);
        pos.line += self.lines_before;
        pos
    }

    /// Where the pair's first token is.
    fn pos(&self, p: &P) -> Pos {
        self.tok_pos(&self.tokens[p.start])
    }

    fn el_pos(&self, e: &El) -> Pos {
        match e {
            El::Pair(p) => self.pos(p),
            El::Tok(t) => self.tok_pos(t),
        }
    }

    /// The start of the line of the pair's first token: where a field, an
    /// example or an attribute is (in a block, its line is its position).
    fn line_pos(&self, p: &P) -> Pos {
        let line = self.index.line_of(self.tokens[p.start].start);
        Pos::line_start(self.file, self.lines_before + line)
    }

    fn error(&mut self, pos: Pos, msg: String) {
        self.errors.push(Diagnostic::new(pos, msg));
    }

    pub fn decl(&mut self, p: P) -> Decl {
        let pos = self.pos(&p);
        let rule = p.rule;
        let mut it = self.elems(p);
        match rule {
            Rule::namespace => {
                let name = self.name(&mut it);
                let doc = next_pair(&mut it, Rule::doc).map(|p| self.doc(p));
                Decl::Namespace(Namespace { pos, name, doc })
            }
            Rule::import => Decl::Import(Import {
                pos,
                target: self.name(&mut it),
            }),
            Rule::alias => {
                let name = self.name(&mut it);
                let t = next_pair(&mut it, Rule::type_ref).expect("alias type");
                let type_ref = self.type_ref(t);
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
                let name = self.name(&mut it);
                let mut names: Vec<String> = vec![];
                let mut args = (vec![], vec![]);
                for e in it {
                    match e {
                        El::Tok(t) => names.push(self.text(t).to_string()),
                        El::Pair(p) => args = self.type_args(p),
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
                let name = self.name(&mut it);
                let doc = next_pair(&mut it, Rule::doc).map(|p| self.doc(p));
                let mut params = vec![];
                while let Some(f) = next_pair(&mut it, Rule::field) {
                    params.push(self.field(f));
                }
                Decl::AnnotationType(AnnotationType {
                    pos,
                    name,
                    doc,
                    params,
                })
            }
            Rule::struct_def => {
                let name = self.name(&mut it);
                let fields = self.count(p, Some(Rule::field));
                Decl::Struct(self.type_body(pos, name, it, false, fields))
            }
            Rule::union_def => {
                let closed = self.closed(&mut it);
                let name = self.name(&mut it);
                let fields = self.count(p, Some(Rule::field));
                Decl::Union(self.type_body(pos, name, it, closed, fields))
            }
            Rule::struct_patch | Rule::union_patch => {
                let closed = self.closed(&mut it);
                let name = self.name(&mut it);
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
        let value = match self.elems(p).next() {
            Some(El::Tok(t)) => self.string(t),
            _ => String::new(),
        };
        // Usually there is none: the value as it is.
        if value.split('\n').all(|l| l.trim_end().len() == l.len()) {
            return value;
        }
        let mut out = String::with_capacity(value.len());
        for (i, line) in value.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(line.trim_end());
        }
        out
    }

    fn string(&mut self, t: &Token) -> String {
        // The lexer has the value of every string token.
        self.strings
            .binary_search_by_key(&t.start, |(s, _)| *s)
            .map(|i| std::mem::take(&mut self.strings[i].1))
            .unwrap_or_default()
    }

    fn literal(&mut self, t: &Token) -> Literal {
        let text = self.text(t);
        match t.kind {
            kind::BOOLEAN => Literal::Bool(text == "true"),
            kind::NULL => Literal::Null,
            kind::INTEGER => match text.parse::<i128>() {
                Ok(v) => Literal::Int(v),
                Err(_) => Literal::BigInt(text.to_string()),
            },
            kind::FLOAT => Literal::Float(text.parse().unwrap_or(f64::INFINITY)),
            kind::STRING => Literal::Str(self.string(t)),
            k => unreachable!("not a literal: {:?}", char::from(k)),
        }
    }

    fn type_ref(&mut self, p: P) -> TypeRef {
        let pos = self.pos(&p);
        // `name` or `ns.name`: the last name is the type's.
        let (mut ns, mut name) = (None, None);
        let mut args = (vec![], vec![]);
        let mut nullable = false;
        for e in self.elems(p) {
            match e {
                El::Tok(t) if t.kind == b'?' => nullable = true,
                El::Tok(t) => ns = name.replace(self.text(t)),
                El::Pair(q) => args = self.type_args(q),
            }
        }
        TypeRef {
            pos,
            ns: ns.map(str::to_string),
            name: name.unwrap_or_default().to_string(),
            args: args.0,
            kwargs: args.1,
            nullable,
        }
    }

    fn arg(&mut self, e: Option<El>) -> Arg {
        match e.expect("argument") {
            El::Tok(t) => Arg::Lit(self.literal(t)),
            El::Pair(p) => Arg::Type(self.type_ref(p)),
        }
    }

    /// `(pos, ..., kw=value, ...)`: positional arguments come first; a
    /// keyword given twice is an error at the comma before it, as in Stone.
    fn type_args(&mut self, p: P) -> (Vec<Arg>, Vec<(String, Arg)>) {
        let mut args = vec![];
        let mut kwargs: Vec<(String, Arg)> = vec![];
        for e in self.elems(p) {
            let El::Pair(q) = e else { continue };
            let qpos = self.pos(&q);
            let rule = q.rule;
            let mut it = self.elems(q);
            if rule == Rule::pos_arg {
                if !kwargs.is_empty() {
                    self.error(
                        qpos,
                        "Unexpected positional argument after keyword arguments.".into(),
                    );
                }
                let a = self.arg(it.next());
                args.push(a);
            } else {
                let key = self.name(&mut it);
                let value = self.arg(it.next());
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
        }
        (args, kwargs)
    }

    fn annotations_and_doc(&mut self, it: &mut Els) -> (Vec<AnnotationRef>, Option<String>) {
        let mut annotations = vec![];
        while let Some(p) = next_pair(it, Rule::annotation_ref) {
            let pos = self.pos(&p);
            let mut names: Vec<String> = self
                .elems(p)
                .filter_map(|e| match e {
                    El::Tok(t) => Some(self.text(t).to_string()),
                    El::Pair(_) => None,
                })
                .collect();
            let name = names.pop().unwrap_or_default();
            annotations.push(AnnotationRef {
                pos,
                ns: names.pop(),
                name,
            });
        }
        let doc = next_pair(it, Rule::doc).map(|p| self.doc(p));
        (annotations, doc)
    }

    fn extends(&mut self, p: P) -> Option<TypeRef> {
        let pos = self.pos(&p);
        let t = next_pair(&mut self.elems(p), Rule::type_ref).expect("extends type");
        let t = self.type_ref(t);
        if t.nullable {
            self.error(pos, "Reference cannot be nullable.".into());
            return None;
        }
        Some(t)
    }

    /// The rest of a struct or union: extends, doc, subtypes, fields, examples.
    fn type_body(
        &mut self,
        pos: Pos,
        name: String,
        it: Els,
        closed: bool,
        fields: usize,
    ) -> TypeDef {
        let mut def = TypeDef {
            pos,
            name,
            extends: None,
            doc: None,
            subtypes: None,
            fields: Vec::with_capacity(fields),
            examples: vec![],
            closed,
        };
        for e in it {
            let El::Pair(p) = e else { continue };
            match p.rule {
                Rule::extends => def.extends = self.extends(p),
                Rule::doc => def.doc = Some(self.doc(p)),
                Rule::subtypes => {
                    let mut inner = self.elems(p);
                    let open = matches!(inner.next(), Some(El::Tok(t)) if t.kind == kind::UNION);
                    let mut list = vec![];
                    while let Some(f) = next_pair(&mut inner, Rule::subtype_field) {
                        let pos = self.line_pos(&f);
                        let mut fi = self.elems(f);
                        let name = self.name(&mut fi);
                        let t = next_pair(&mut fi, Rule::type_ref).expect("subtype type");
                        let type_ref = self.type_ref(t);
                        list.push(SubtypeField {
                            pos,
                            name,
                            type_ref,
                        });
                    }
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

    fn fields_and_examples(&mut self, it: Els) -> (Vec<Field>, Vec<Example>) {
        let mut fields = vec![];
        let mut examples = vec![];
        for e in it {
            let El::Pair(p) = e else { continue };
            match p.rule {
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
        let mut it = self.elems(p);
        let name = self.name(&mut it);
        let type_ref = next_pair(&mut it, Rule::type_ref).map(|t| self.type_ref(t));
        let default =
            next_pair(&mut it, Rule::default).map(|d| self.default_value(self.elems(d).next()));
        let (annotations, doc) = self.annotations_and_doc(&mut it);
        if let Some(El::Pair(anon)) = it.next() {
            let anon_pos = self.line_pos(&anon);
            let type_name = type_ref
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default();
            let is_union = anon.rule == Rule::anon_union;
            let fields = self.count(anon, Some(Rule::field));
            let mut inner = self.elems(anon);
            let decl = if is_union {
                let closed = self.closed(&mut inner);
                Decl::Union(self.type_body(anon_pos, type_name, inner, closed, fields))
            } else {
                Decl::Struct(self.type_body(anon_pos, type_name, inner, false, fields))
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

    /// A literal, or a tag (a name) of a union.
    fn default_value(&mut self, e: Option<El>) -> DefaultValue {
        match e {
            Some(El::Tok(t)) if t.kind == kind::ID => DefaultValue::Tag {
                pos: self.tok_pos(t),
                tag: self.text(t).to_string(),
            },
            Some(El::Tok(t)) => DefaultValue::Lit(self.literal(t)),
            _ => unreachable!("a default is one token"),
        }
    }

    fn example(&mut self, p: P) -> Example {
        let pos = self.line_pos(&p);
        let mut it = self.elems(p);
        let label = self.name(&mut it);
        let doc = next_pair(&mut it, Rule::doc).map(|p| self.doc(p));
        let mut fields: Vec<ExampleField> = vec![];
        while let Some(f) = next_pair(&mut it, Rule::example_field) {
            let fpos = self.line_pos(&f);
            let mut fi = self.elems(f);
            let name = self.name(&mut fi);
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

    fn ex_value(&mut self, e: El) -> ExValue {
        match e {
            El::Tok(t) if t.kind == kind::ID => ExValue::Ref {
                pos: self.tok_pos(t),
                label: self.text(t).to_string(),
            },
            El::Tok(t) => ExValue::Lit(self.literal(t)),
            El::Pair(p) if p.rule == Rule::ex_list => {
                let items = self.elems(p);
                ExValue::List(items.map(|e| self.ex_value(e)).collect())
            }
            El::Pair(p) => {
                let mut pairs: Vec<(ExValue, ExValue)> = vec![];
                for pair in self.elems(p) {
                    let El::Pair(pair) = pair else { continue };
                    let mut kv = self.elems(pair);
                    let k = kv.next().expect("key");
                    let kpos = self.el_pos(&k);
                    let key = self.ex_value(k);
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
        }
    }

    fn route(&mut self, pos: Pos, mut it: Els) -> Route {
        let name = next_pair(&mut it, Rule::route_name)
            .map(|n| self.route_name(n))
            .unwrap_or_default();
        let version = match next_pair(&mut it, Rule::route_version) {
            Some(v) => self.version(v),
            None => 1,
        };
        let io = next_pair(&mut it, Rule::route_io).expect("route io");
        let mut types: Vec<TypeRef> = vec![];
        for e in self.elems(io) {
            if let El::Pair(t) = e {
                types.push(self.type_ref(t));
            }
        }
        let error = if types.len() > 2 { types.pop() } else { None };
        let result = types.pop().expect("result type");
        let arg = types.pop().expect("arg type");
        let deprecated = next_pair(&mut it, Rule::deprecation).map(|d| {
            let mut di = self.elems(d);
            next_pair(&mut di, Rule::route_name).map(|n| {
                let by = self.route_name(n);
                let v = next_pair(&mut di, Rule::route_version).map_or(1, |v| self.version(v));
                (by, v)
            })
        });
        let doc = next_pair(&mut it, Rule::doc).map(|p| self.doc(p));
        let mut attrs: Vec<AttrField> = vec![];
        if let Some(a) = next_pair(&mut it, Rule::attrs) {
            let mut fields = self.elems(a);
            while let Some(f) = next_pair(&mut fields, Rule::attr_field) {
                let fpos = self.line_pos(&f);
                let mut fi = self.elems(f);
                let name = self.name(&mut fi);
                let value = self.default_value(fi.next());
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
    fn route_name(&self, p: P) -> String {
        let mut out = String::new();
        for e in self.elems(p) {
            if let El::Tok(t) = e {
                out.push_str(self.text(t));
            }
        }
        out
    }

    fn version(&mut self, p: P) -> i128 {
        let Some(El::Tok(n)) = self.elems(p).next() else {
            unreachable!("a version is a number")
        };
        let pos = self.tok_pos(n);
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
