//! The syntax tree of one spec file, as written: names are not resolved yet.
//! Every node carries the position Stone reports errors at (its first token).

use crate::source::Pos;

/// A literal value: defaults, type arguments, attributes, examples.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Bool(bool),
    Int(i128),
    /// An integer beyond 128 bits (Python's are unbounded), as written.
    BigInt(String),
    Float(f64),
    Str(String),
    Null,
}

/// One file: its declarations in order, then the nameless types defined
/// inside fields (Stone appends those at the end of the file, innermost
/// first).
#[derive(Clone, Debug, Default)]
pub struct File {
    pub decls: Vec<Decl>,
}

// Declarations are made once each and kept in one Vec per file: the size of
// the largest variant costs nothing worth a Box per route.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Decl {
    Namespace(Namespace),
    Import(Import),
    Alias(Alias),
    Annotation(Annotation),
    AnnotationType(AnnotationType),
    Struct(TypeDef),
    Union(TypeDef),
    StructPatch(Patch),
    UnionPatch(Patch),
    Route(Route),
}

impl Decl {
    pub fn pos(&self) -> Pos {
        match self {
            Decl::Namespace(d) => d.pos,
            Decl::Import(d) => d.pos,
            Decl::Alias(d) => d.pos,
            Decl::Annotation(d) => d.pos,
            Decl::AnnotationType(d) => d.pos,
            Decl::Struct(d) | Decl::Union(d) => d.pos,
            Decl::StructPatch(d) | Decl::UnionPatch(d) => d.pos,
            Decl::Route(d) => d.pos,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Namespace {
    pub pos: Pos,
    pub name: String,
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Import {
    pub pos: Pos,
    pub target: String,
}

#[derive(Clone, Debug, Default)]
pub struct Alias {
    pub pos: Pos,
    pub name: String,
    pub type_ref: TypeRef,
    pub annotations: Vec<AnnotationRef>,
    pub doc: Option<String>,
}

/// `Name`, `ns.Name`, with arguments and `?`.
#[derive(Clone, Debug, Default)]
pub struct TypeRef {
    pub pos: Pos,
    pub ns: Option<String>,
    pub name: String,
    pub args: Vec<Arg>,
    pub kwargs: Vec<(String, Arg)>,
    pub nullable: bool,
}

#[derive(Clone, Debug)]
pub enum Arg {
    Lit(Literal),
    Type(TypeRef),
}

#[derive(Clone, Debug)]
pub struct Annotation {
    pub pos: Pos,
    pub name: String,
    pub type_ns: Option<String>,
    pub type_name: String,
    pub args: Vec<Arg>,
    pub kwargs: Vec<(String, Arg)>,
}

#[derive(Clone, Debug)]
pub struct AnnotationRef {
    pub pos: Pos,
    pub ns: Option<String>,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct AnnotationType {
    pub pos: Pos,
    pub name: String,
    pub doc: Option<String>,
    pub params: Vec<Field>,
}

/// A struct or a union (named, or defined inside a field).
#[derive(Clone, Debug, Default)]
pub struct TypeDef {
    pub pos: Pos,
    pub name: String,
    pub extends: Option<TypeRef>,
    pub doc: Option<String>,
    /// Enumerated subtypes of a struct, and whether the list is open
    /// (`union`) rather than closed (`union_closed`).
    pub subtypes: Option<(Vec<SubtypeField>, bool)>,
    pub fields: Vec<Field>,
    pub examples: Vec<Example>,
    /// For unions: `union_closed`.
    pub closed: bool,
}

#[derive(Clone, Debug)]
pub struct SubtypeField {
    pub pos: Pos,
    pub name: String,
    pub type_ref: TypeRef,
}

#[derive(Clone, Debug)]
pub struct Patch {
    pub pos: Pos,
    pub name: String,
    pub fields: Vec<Field>,
    pub examples: Vec<Example>,
    pub closed: bool,
}

/// A struct field, union variant or annotation-type parameter.
#[derive(Clone, Debug)]
pub struct Field {
    pub pos: Pos,
    pub name: String,
    /// None for a void variant (`name` alone on its line).
    pub type_ref: Option<TypeRef>,
    pub default: Option<DefaultValue>,
    pub annotations: Vec<AnnotationRef>,
    pub doc: Option<String>,
}

#[derive(Clone, Debug)]
pub enum DefaultValue {
    Lit(Literal),
    Tag { pos: Pos, tag: String },
}

#[derive(Clone, Debug)]
pub struct Example {
    pub pos: Pos,
    pub label: String,
    pub doc: Option<String>,
    /// By field name, in first-seen order (a repeated name keeps its place).
    pub fields: Vec<ExampleField>,
}

#[derive(Clone, Debug)]
pub struct ExampleField {
    pub pos: Pos,
    pub name: String,
    pub value: ExValue,
}

#[derive(Clone, Debug)]
pub enum ExValue {
    Lit(Literal),
    List(Vec<ExValue>),
    Map(Vec<(ExValue, ExValue)>),
    /// A reference to another example by its label.
    Ref {
        pos: Pos,
        label: String,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Route {
    pub pos: Pos,
    pub name: String,
    pub version: i128,
    /// `deprecated`, optionally `by name:version`.
    pub deprecated: Option<Option<(String, i128)>>,
    pub arg: TypeRef,
    pub result: TypeRef,
    pub error: Option<TypeRef>,
    pub doc: Option<String>,
    pub attrs: Vec<AttrField>,
}

#[derive(Clone, Debug)]
pub struct AttrField {
    pub pos: Pos,
    pub name: String,
    pub value: DefaultValue,
}
