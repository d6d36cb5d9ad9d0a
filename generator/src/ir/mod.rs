//! The intermediate representation: a whole API, every name resolved and
//! every rule checked. It is the contract between the front end and the
//! emitters; it holds no parser types.
//!
//! User-defined types live in arenas (`Api::structs`, `Api::unions`,
//! `Api::aliases`, `Api::routes`) and are referred to by index, so that
//! recursive and forward references need no shared pointers. Namespaces list
//! their members sorted by name, as Stone's `normalize` leaves them.

mod build;

pub use build::doc_unwrap_paragraphs;
pub mod value;

pub use build::{build_api, build_api_with, check_api_with};
pub use value::Constant;

use crate::source::Pos;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StructId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnionId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AliasId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RouteId(pub u32);

#[derive(Clone, Debug, Default)]
pub struct Api {
    /// By name; `stone_cfg` is not among them (it only shapes route attrs).
    pub namespaces: BTreeMap<String, Namespace>,
    pub structs: Vec<Struct>,
    pub unions: Vec<Union>,
    pub aliases: Vec<Alias>,
    pub routes: Vec<Route>,
    /// The fields of `stone_cfg.Route`: the attributes every route has.
    pub route_schema: Vec<RouteAttrSpec>,
}

#[derive(Clone, Debug, Default)]
pub struct Namespace {
    pub name: String,
    /// Every file's namespace doc, unwrapped, each ending in a newline.
    pub doc: Option<String>,
    /// Sorted by name.
    pub structs: Vec<StructId>,
    pub unions: Vec<UnionId>,
    pub aliases: Vec<AliasId>,
    /// Sorted by name, then version.
    pub routes: Vec<RouteId>,
    /// Namespaces whose types, aliases or annotations this one uses.
    pub imports: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DataType {
    Boolean,
    Bytes,
    Int32 {
        min_value: Option<i128>,
        max_value: Option<i128>,
    },
    Int64 {
        min_value: Option<i128>,
        max_value: Option<i128>,
    },
    UInt32 {
        min_value: Option<i128>,
        max_value: Option<i128>,
    },
    UInt64 {
        min_value: Option<i128>,
        max_value: Option<i128>,
    },
    Float32 {
        min_value: Option<f64>,
        max_value: Option<f64>,
    },
    Float64 {
        min_value: Option<f64>,
        max_value: Option<f64>,
    },
    String {
        min_length: Option<i128>,
        max_length: Option<i128>,
        pattern: Option<String>,
    },
    Timestamp {
        format: String,
    },
    Void,
    List {
        of: Box<DataType>,
        min_items: Option<i128>,
        max_items: Option<i128>,
    },
    Map {
        key: Box<DataType>,
        value: Box<DataType>,
    },
    Nullable(Box<DataType>),
    Struct(StructId),
    Union(UnionId),
    Alias(AliasId),
}

impl DataType {
    /// Stone's name for a primitive or container (`String`, `List`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self {
            DataType::Boolean => "Boolean",
            DataType::Bytes => "Bytes",
            DataType::Int32 { .. } => "Int32",
            DataType::Int64 { .. } => "Int64",
            DataType::UInt32 { .. } => "UInt32",
            DataType::UInt64 { .. } => "UInt64",
            DataType::Float32 { .. } => "Float32",
            DataType::Float64 { .. } => "Float64",
            DataType::String { .. } => "String",
            DataType::Timestamp { .. } => "Timestamp",
            DataType::Void => "Void",
            DataType::List { .. } => "List",
            DataType::Map { .. } => "Map",
            DataType::Nullable(_) => "Nullable",
            DataType::Struct(_) => "Struct",
            DataType::Union(_) => "Union",
            DataType::Alias(_) => "Alias",
        }
    }

    pub fn is_nullable(&self) -> bool {
        matches!(self, DataType::Nullable(_))
    }
}

/// `RedactedBlot` or `RedactedHash`, with its optional regex.
#[derive(Clone, Debug, PartialEq)]
pub struct Redactor {
    pub kind: RedactorKind,
    pub regex: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedactorKind {
    Blot,
    Hash,
}

/// A custom annotation applied to a field or alias, its parameters filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomAnnotation {
    pub name: String,
    pub namespace: String,
    pub annotation_type: String,
    pub annotation_type_namespace: String,
    pub params: Vec<(String, Constant)>,
}

#[derive(Clone, Debug)]
pub struct Struct {
    pub name: String,
    pub namespace: String,
    pub pos: Pos,
    pub doc: Option<String>,
    pub parent: Option<StructId>,
    /// Own fields, in declaration order (patches appended).
    pub fields: Vec<StructField>,
    /// Enumerated subtypes (tag, struct), if this struct lists them.
    pub subtypes: Option<EnumeratedSubtypes>,
    /// Direct subtypes, whether enumerated or not.
    pub children: Vec<StructId>,
    pub examples: Vec<Example>,
}

#[derive(Clone, Debug)]
pub struct EnumeratedSubtypes {
    pub tags: Vec<(String, StructId)>,
    /// An open (`union`) list: an unknown subtype decodes as this struct.
    pub catch_all: bool,
}

#[derive(Clone, Debug)]
pub struct StructField {
    pub name: String,
    pub pos: Pos,
    pub data_type: DataType,
    pub doc: Option<String>,
    pub default: Option<Constant>,
    pub deprecated: bool,
    pub preview: bool,
    /// `@Omitted("caller")`: the caller kind (a string in every real spec;
    /// Stone keeps any literal).
    pub omitted_caller: Option<Constant>,
    pub redactor: Option<Redactor>,
    pub custom_annotations: Vec<CustomAnnotation>,
}

#[derive(Clone, Debug)]
pub struct Union {
    pub name: String,
    pub namespace: String,
    pub pos: Pos,
    pub doc: Option<String>,
    pub closed: bool,
    pub parent: Option<UnionId>,
    /// Own variants in order; an open union without an open parent ends
    /// with the implicit catch-all `other`.
    pub variants: Vec<UnionVariant>,
    pub examples: Vec<Example>,
}

#[derive(Clone, Debug)]
pub struct UnionVariant {
    pub name: String,
    pub pos: Pos,
    /// `DataType::Void` for a tag without a value.
    pub data_type: DataType,
    pub doc: Option<String>,
    pub catch_all: bool,
    pub deprecated: bool,
    pub preview: bool,
    /// `@Omitted("caller")`: the caller kind (a string in every real spec;
    /// Stone keeps any literal).
    pub omitted_caller: Option<Constant>,
    pub redactor: Option<Redactor>,
    pub custom_annotations: Vec<CustomAnnotation>,
}

#[derive(Clone, Debug)]
pub struct Alias {
    pub name: String,
    pub namespace: String,
    pub pos: Pos,
    pub doc: Option<String>,
    pub data_type: DataType,
    pub redactor: Option<Redactor>,
    pub custom_annotations: Vec<CustomAnnotation>,
}

/// An example of a struct or union, as its wire JSON.
#[derive(Clone, Debug)]
pub struct Example {
    pub label: String,
    pub text: Option<String>,
    pub value: serde_json::Value,
}

#[derive(Clone, Debug)]
pub struct Route {
    pub name: String,
    pub version: u32,
    pub namespace: String,
    pub pos: Pos,
    pub doc: Option<String>,
    /// Deprecated, optionally by another route (name, version).
    pub deprecated: Option<Option<(String, u32)>>,
    pub arg: DataType,
    pub result: DataType,
    pub error: DataType,
    /// Every attribute of `stone_cfg.Route`, defaults filled in.
    pub attrs: BTreeMap<String, Constant>,
}

#[derive(Clone, Debug)]
pub struct RouteAttrSpec {
    pub name: String,
    pub data_type: DataType,
    pub default: Option<Constant>,
    pub doc: Option<String>,
}

impl Api {
    pub fn struct_(&self, id: StructId) -> &Struct {
        &self.structs[id.0 as usize]
    }
    pub fn union(&self, id: UnionId) -> &Union {
        &self.unions[id.0 as usize]
    }
    pub fn alias(&self, id: AliasId) -> &Alias {
        &self.aliases[id.0 as usize]
    }
    pub fn route(&self, id: RouteId) -> &Route {
        &self.routes[id.0 as usize]
    }

    /// Fields of a struct and its ancestors, ancestors first, required
    /// fields before optional ones (Stone's `all_fields`).
    pub fn all_struct_fields(&self, id: StructId) -> Vec<&StructField> {
        let chain = self.struct_ancestry(id);
        let fields = || chain.iter().flat_map(|s| self.struct_(*s).fields.iter());
        let optional = |f: &&StructField| f.data_type.is_nullable() || f.default.is_some();
        fields()
            .filter(|f| !optional(f))
            .chain(fields().filter(optional))
            .collect()
    }

    /// A struct and its ancestors, the root first.
    pub fn struct_ancestry(&self, id: StructId) -> Vec<StructId> {
        let mut chain = vec![id];
        while let Some(p) = self.struct_(*chain.last().expect("non-empty")).parent {
            if chain.contains(&p) {
                break;
            }
            chain.push(p);
        }
        chain.reverse();
        chain
    }

    /// Fields of a struct and its ancestors, the root's first, each in
    /// declaration order.
    pub fn struct_fields_in_order(&self, id: StructId) -> Vec<&StructField> {
        self.struct_ancestry(id)
            .into_iter()
            .flat_map(|s| self.struct_(s).fields.iter())
            .collect()
    }

    /// Variants of a union and its ancestors, ancestors first.
    pub fn all_union_variants(&self, id: UnionId) -> Vec<&UnionVariant> {
        let mut chain = vec![id];
        while let Some(p) = self.union(*chain.last().expect("non-empty")).parent {
            if chain.contains(&p) {
                break;
            }
            chain.push(p);
        }
        chain
            .iter()
            .rev()
            .flat_map(|u| self.union(*u).variants.iter())
            .collect()
    }

    /// The type behind aliases (not behind nullables).
    pub fn unalias<'a>(&'a self, mut t: &'a DataType) -> &'a DataType {
        for _ in 0..=self.aliases.len() {
            match t {
                DataType::Alias(a) => t = &self.alias(*a).data_type,
                _ => break,
            }
        }
        t
    }

    /// The qualified name `ns.Name` of a struct, union or alias type.
    pub fn qualified_name(&self, t: &DataType) -> Option<String> {
        match t {
            DataType::Struct(id) => Some(format!(
                "{}.{}",
                self.struct_(*id).namespace,
                self.struct_(*id).name
            )),
            DataType::Union(id) => Some(format!(
                "{}.{}",
                self.union(*id).namespace,
                self.union(*id).name
            )),
            DataType::Alias(id) => Some(format!(
                "{}.{}",
                self.alias(*id).namespace,
                self.alias(*id).name
            )),
            _ => None,
        }
    }
}
