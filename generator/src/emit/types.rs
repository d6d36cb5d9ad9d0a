//! Structs, unions, aliases and enumerated subtypes as Rust items.

use super::{docs, naming, validate, wire};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::{HashMap, HashSet};

/// A user-defined type that becomes a Rust item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Item {
    S(StructId),
    U(UnionId),
}

pub(super) struct Context<'a> {
    pub api: &'a Api,
    /// Items that contain themselves by value: their fields of those types
    /// are boxed.
    reach: HashMap<Item, HashSet<Item>>,
    /// Items with a constraint somewhere inside: they get a `validate`.
    validate: HashSet<Item>,
}

impl<'a> Context<'a> {
    pub fn new(api: &'a Api) -> Self {
        let mut cx = Context {
            api,
            reach: HashMap::new(),
            validate: HashSet::new(),
        };
        let items: Vec<Item> = (0..api.structs.len())
            .map(|i| Item::S(StructId(i as u32)))
            .chain((0..api.unions.len()).map(|i| Item::U(UnionId(i as u32))))
            .collect();
        for item in items {
            let mut seen = HashSet::new();
            let mut todo: Vec<Item> = cx.direct(item);
            while let Some(i) = todo.pop() {
                if seen.insert(i) {
                    todo.extend(cx.direct(i));
                }
            }
            cx.reach.insert(item, seen);
        }
        cx.validate = validate::items_to_validate(&cx);
        cx
    }

    /// The item a field of this type holds by value, if any (through
    /// aliases and nullables, not through lists or maps).
    fn held(&self, t: &DataType) -> Option<Item> {
        match self.api.unalias(t) {
            DataType::Nullable(inner) => self.held(inner),
            DataType::Struct(id) => Some(Item::S(*id)),
            DataType::Union(id) => Some(Item::U(*id)),
            _ => None,
        }
    }

    /// Items held by value directly by this one.
    fn direct(&self, item: Item) -> Vec<Item> {
        match item {
            Item::S(id) => {
                let s = self.api.struct_(id);
                let mut out: Vec<Item> = self
                    .api
                    .all_struct_fields(id)
                    .iter()
                    .filter_map(|f| self.held(&f.data_type))
                    .collect();
                if let Some(subs) = &s.subtypes {
                    out.extend(subs.tags.iter().map(|(_, sub)| Item::S(*sub)));
                }
                out
            }
            Item::U(id) => self
                .api
                .all_union_variants(id)
                .iter()
                .filter_map(|v| self.held(&v.data_type))
                .collect(),
        }
    }

    fn needs_box(&self, container: Item, t: &DataType) -> bool {
        self.held(t).is_some_and(|held| {
            held == container
                || self
                    .reach
                    .get(&held)
                    .is_some_and(|r| r.contains(&container))
        })
    }

    /// The Rust type of a data type, with fully qualified paths.
    pub fn rust_type(&self, t: &DataType) -> TokenStream {
        match t {
            DataType::Boolean => quote!(bool),
            DataType::Bytes => quote!(crate::wire::Bytes),
            DataType::Int32 { .. } => quote!(i32),
            DataType::Int64 { .. } => quote!(i64),
            DataType::UInt32 { .. } => quote!(u32),
            DataType::UInt64 { .. } => quote!(u64),
            DataType::Float32 { .. } => quote!(f32),
            DataType::Float64 { .. } => quote!(f64),
            DataType::String { .. } => quote!(::std::string::String),
            // The two formats Dropbox uses are typed; another keeps its text.
            DataType::Timestamp { format } => match format.as_str() {
                "%Y-%m-%dT%H:%M:%SZ" => quote!(crate::wire::DateTime),
                "%Y-%m-%d" => quote!(crate::wire::Date),
                _ => quote!(::std::string::String),
            },
            DataType::Void => quote!(()),
            DataType::List { of, .. } => {
                let of = self.rust_type(of);
                quote!(::std::vec::Vec<#of>)
            }
            DataType::Map { value, .. } => {
                let v = self.rust_type(value);
                quote!(::std::collections::BTreeMap<::std::string::String, #v>)
            }
            DataType::Nullable(inner) => {
                let inner = self.rust_type(inner);
                quote!(::std::option::Option<#inner>)
            }
            DataType::Struct(_) | DataType::Union(_) | DataType::Alias(_) => {
                let (ns, name) = match t {
                    DataType::Struct(id) => (
                        &self.api.struct_(*id).namespace,
                        &self.api.struct_(*id).name,
                    ),
                    DataType::Union(id) => {
                        (&self.api.union(*id).namespace, &self.api.union(*id).name)
                    }
                    DataType::Alias(id) => {
                        (&self.api.alias(*id).namespace, &self.api.alias(*id).name)
                    }
                    _ => unreachable!(),
                };
                let m = format_ident!("{}", naming::module(ns));
                let n = format_ident!("{}", naming::type_name(name));
                quote!(crate::#m::#n)
            }
        }
    }

    /// A field's type in `container`, boxed where it would recurse.
    pub fn field_type(&self, container: Item, t: &DataType) -> TokenStream {
        if self.needs_box(container, t) {
            match t {
                DataType::Nullable(inner) => {
                    let inner = self.rust_type(inner);
                    quote!(::std::option::Option<::std::boxed::Box<#inner>>)
                }
                other => {
                    let t = self.rust_type(other);
                    quote!(::std::boxed::Box<#t>)
                }
            }
        } else {
            self.rust_type(t)
        }
    }

    pub fn boxed(&self, container: Item, t: &DataType) -> bool {
        self.needs_box(container, t)
    }

    /// A doc whose `:type:` references link to the types they name, where
    /// the namespace's cargo feature has them.
    fn doc(&self, ns: &str, doc: &Option<String>) -> TokenStream {
        self.doc_in(ns, None, doc)
    }

    /// A doc in the context of a type (for `:field:` references).
    fn doc_in(&self, ns: &str, context: Option<Item>, doc: &Option<String>) -> TokenStream {
        doc_attr_linked(doc, &|tag, val| self.link(ns, context, tag, val))
    }

    /// The Rust path a doc reference (`:type:`, `:field:`, `:route:`) links
    /// to, where the namespace's cargo feature has it (empty where the name
    /// itself resolves).
    fn link(&self, ns: &str, context: Option<Item>, tag: &str, val: &str) -> Option<String> {
        if tag == "field" {
            return self.field_link(ns, context, val);
        }
        if tag == "route" {
            return super::routes::route_link(self.api, ns, val);
        }
        let (target_ns, name) = match val.split_once('.') {
            Some((n, t)) => (n, t),
            None => (ns, val),
        };
        if target_ns != ns && !super::feature_deps(self.api, ns).contains(target_ns) {
            return None;
        }
        let namespace = self.api.namespaces.get(target_ns)?;
        let exists = namespace
            .structs
            .iter()
            .any(|id| self.api.struct_(*id).name == name)
            || namespace
                .unions
                .iter()
                .any(|id| self.api.union(*id).name == name);
        // In the same module the name itself resolves (an explicit
        // target would be redundant to rustdoc).
        exists.then(|| {
            if target_ns == ns {
                String::new()
            } else {
                format!(
                    "crate::{}::{}",
                    naming::module(target_ns),
                    naming::type_name(name)
                )
            }
        })
    }

    /// Whether an item has a `Validate` impl (a constraint somewhere inside).
    pub fn validates(&self, item: Item) -> bool {
        self.validate.contains(&item)
    }

    /// A route's doc as rustdoc, its references linked.
    pub fn route_doc_text(&self, r: &Route) -> Option<String> {
        let doc = r.doc.as_deref()?;
        Some(docs::rustdoc_linked(doc, &|tag, val| {
            self.link(&r.namespace, None, tag, val)
        }))
    }

    /// The Rust path of a field or variant named by a `:field:` reference:
    /// `name` (of the type in context) or `Type.name` (in this namespace).
    fn field_link(&self, ns: &str, context: Option<Item>, val: &str) -> Option<String> {
        let namespace = self.api.namespaces.get(ns)?;
        let (item, field) = match val.split_once('.') {
            Some((type_name, field)) if !field.contains('.') => {
                let s = namespace
                    .structs
                    .iter()
                    .find(|id| self.api.struct_(**id).name == type_name)
                    .map(|id| Item::S(*id));
                let u = namespace
                    .unions
                    .iter()
                    .find(|id| self.api.union(**id).name == type_name)
                    .map(|id| Item::U(*id));
                (s.or(u)?, field)
            }
            Some(_) => return None,
            None => (context?, val),
        };
        let m = naming::module(ns);
        match item {
            Item::S(id) => {
                let s = self.api.struct_(id);
                if s.namespace != ns {
                    return None;
                }
                let owner = if s.subtypes.is_some() {
                    base_name(&s.name)
                } else {
                    naming::type_name(&s.name)
                };
                self.fields_in_order(id)
                    .iter()
                    .any(|f| f.name == field)
                    .then(|| format!("crate::{m}::{owner}::{}", naming::field(field)))
            }
            Item::U(id) => {
                let u = self.api.union(id);
                if u.namespace != ns {
                    return None;
                }
                self.api
                    .all_union_variants(id)
                    .iter()
                    .any(|v| v.name == field)
                    .then(|| {
                        format!(
                            "crate::{m}::{}::{}",
                            naming::type_name(&u.name),
                            naming::variant(field)
                        )
                    })
            }
        }
    }

    /// One namespace's module.
    pub fn namespace(&self, ns: &Namespace) -> TokenStream {
        let mut items = vec![];
        for id in &ns.aliases {
            items.push(self.alias(*id));
        }
        for id in &ns.structs {
            items.push(self.struct_(*id));
        }
        for id in &ns.unions {
            items.push(self.union(*id));
        }
        items.push(self.routes(ns));
        quote! {
            #![allow(clippy::all, deprecated, unused_imports, non_camel_case_types)]
            use crate::wire::{Decode as _, Encode as _};
            #(#items)*
        }
    }

    fn alias(&self, id: AliasId) -> TokenStream {
        let a = self.api.alias(id);
        let name = format_ident!("{}", naming::type_name(&a.name));
        let target = self.rust_type(&a.data_type);
        let doc = self.doc(&a.namespace, &a.doc);
        quote! {
            #doc
            pub type #name = #target;
        }
    }

    fn struct_(&self, id: StructId) -> TokenStream {
        let s = self.api.struct_(id);
        if s.subtypes.is_some() {
            let base = self.plain_struct(id, &base_name(&s.name));
            let enum_ = self.subtypes_enum(id);
            return quote!(#enum_ #base);
        }
        self.plain_struct(id, &naming::type_name(&s.name))
    }

    /// A struct as a Rust struct named `rust_name` (the spec's name, or
    /// `{Name}Base` for the fields a subtypes enum's variants share).
    fn plain_struct(&self, id: StructId, rust_name: &str) -> TokenStream {
        let s = self.api.struct_(id);
        let name = format_ident!("{}", rust_name);
        let name_str = rust_name.to_string();
        let item = Item::S(id);
        let doc = if s.subtypes.is_some() {
            let text = format!(
                " The fields every subtype of [`{}`] has.",
                naming::type_name(&s.name)
            );
            quote!(#[doc = #text])
        } else {
            self.doc_in(&s.namespace, Some(item), &s.doc)
        };
        // Fields in declaration order, ancestors' first.
        let fields = self.fields_in_order(id);
        let decls = fields.iter().map(|f| {
            let fname = format_ident!("{}", naming::field(&f.name));
            let ty = self.field_type(item, &f.data_type);
            let doc = self.doc_in(&s.namespace, Some(item), &f.doc);
            let deprecated = f.deprecated.then(|| quote!(#[deprecated]));
            quote! { #doc #deprecated pub #fname: #ty, }
        });
        let required: Vec<&StructField> = fields
            .iter()
            .copied()
            .filter(|f| self.is_required(f))
            .collect();
        let params = required.iter().map(|f| {
            let fname = format_ident!("{}", naming::field(&f.name));
            let ty = self.field_type(item, &f.data_type);
            quote!(#fname: #ty)
        });
        let inits = fields.iter().map(|f| {
            let fname = format_ident!("{}", naming::field(&f.name));
            if f.data_type.is_nullable() {
                quote!(#fname: ::std::option::Option::None)
            } else if self.is_required(f) {
                quote!(#fname)
            } else {
                let v = self.default_value(item, f);
                quote!(#fname: #v)
            }
        });
        let setters = fields.iter().filter(|f| !self.is_required(f)).map(|f| {
            let fname = format_ident!("{}", naming::field(&f.name));
            let setter = format_ident!("with_{}", naming::field(&f.name).trim_end_matches('_'));
            let (ty, value) = match &f.data_type {
                DataType::Nullable(inner) => {
                    let t = self.rust_type(inner);
                    if self.boxed(item, &f.data_type) {
                        (
                            t,
                            quote!(::std::option::Option::Some(::std::boxed::Box::new(value))),
                        )
                    } else {
                        (t, quote!(::std::option::Option::Some(value)))
                    }
                }
                other => (self.field_type(item, other), quote!(value)),
            };
            let doc = format!(" Sets `{}`.", f.name);
            quote! {
                #[doc = #doc]
                #[inline]
                pub fn #setter(mut self, value: #ty) -> Self {
                    self.#fname = #value;
                    self
                }
            }
        });
        let new_doc = " A value with the required fields; the others are unset or default.";
        let wire = wire::struct_impls(self, id, &fields, rust_name);
        let validate = validate::validate_fields_impl(self, &self.validate, id, rust_name);
        let std_impls = std_impls(&name, &name_str);
        quote! {
            #doc
            #[derive(Clone)]
            #[non_exhaustive]
            pub struct #name {
                #(#decls)*
            }
            impl #name {
                #[doc = #new_doc]
                #[allow(clippy::too_many_arguments)]
                #[inline]
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits),* }
                }
                #(#setters)*
            }
            #wire
            #validate
            #std_impls
        }
    }

    /// Fields of a struct and its ancestors, ancestors first, each in
    /// declaration order.
    pub fn fields_in_order(&self, id: StructId) -> Vec<&'a StructField> {
        self.api.struct_fields_in_order(id)
    }

    /// A struct that enumerates its subtypes: an enum over them.
    fn subtypes_enum(&self, id: StructId) -> TokenStream {
        let s = self.api.struct_(id);
        let subs = s.subtypes.as_ref().expect("subtypes");
        let name = format_ident!("{}", naming::type_name(&s.name));
        let name_str = naming::type_name(&s.name);
        let doc = self.doc(&s.namespace, &s.doc);
        let variants = subs.tags.iter().map(|(tag, sub)| {
            let v = format_ident!("{}", naming::variant(tag));
            let t = self.rust_type(&DataType::Struct(*sub));
            quote!(#v(#t),)
        });
        let base = format_ident!("{}", base_name(&s.name));
        let unknown_v = format_ident!("{}", naming::UNKNOWN_VARIANT);
        let unknown = subs.catch_all.then(|| {
            quote! {
                /// A subtype this SDK does not know: the fields all subtypes
                /// share, and the value as sent (written back unchanged).
                #unknown_v(#base, crate::wire::Unknown),
            }
        });
        // Accessors for the fields every subtype shares, where each holds
        // them as the same Rust type.
        let accessors = s.fields.iter().filter_map(|f| {
            let ty = self.field_type(Item::S(id), &f.data_type);
            let same = subs.tags.iter().all(|(_, sub)| {
                self.field_type(Item::S(*sub), &f.data_type).to_string() == ty.to_string()
            });
            if !same {
                return None;
            }
            let fname = format_ident!("{}", naming::field(&f.name));
            let arms = subs.tags.iter().map(|(tag, _)| {
                let v = format_ident!("{}", naming::variant(tag));
                quote!(Self::#v(x) => &x.#fname,)
            });
            let unknown_arm = subs
                .catch_all
                .then(|| quote!(Self::#unknown_v(x, _) => &x.#fname,));
            let doc = self.doc(&s.namespace, &f.doc);
            Some(quote! {
                #doc
                #[inline]
                pub fn #fname(&self) -> &#ty {
                    match self {
                        #(#arms)*
                        #unknown_arm
                    }
                }
            })
        });
        let wire = wire::subtypes_impls(self, id);
        let validate = validate::validate_impl(self, &self.validate, Item::S(id));
        let std_impls = std_impls(&name, &name_str);
        quote! {
            #doc
            #[derive(Clone)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                #unknown
            }
            impl #name {
                #(#accessors)*
            }
            #wire
            #validate
            #std_impls
        }
    }

    fn union(&self, id: UnionId) -> TokenStream {
        let u = self.api.union(id);
        let name = format_ident!("{}", naming::type_name(&u.name));
        let name_str = naming::type_name(&u.name);
        let item = Item::U(id);
        let doc = self.doc_in(&u.namespace, Some(Item::U(id)), &u.doc);
        let all = self.api.all_union_variants(id);
        let variants = all.iter().map(|v| {
            let vn = format_ident!("{}", naming::variant(&v.name));
            let doc = self.doc_in(&u.namespace, Some(item), &v.doc);
            let deprecated = v.deprecated.then(|| quote!(#[deprecated]));
            if v.data_type == DataType::Void {
                quote!(#doc #deprecated #vn,)
            } else {
                let t = self.field_type(item, &v.data_type);
                quote!(#doc #deprecated #vn(#t),)
            }
        });
        let open = all.iter().any(|v| v.catch_all);
        let unknown = open.then(|| {
            let u = format_ident!("{}", naming::UNKNOWN_VARIANT);
            quote! {
                /// A tag this SDK does not know, with its value as sent.
                #u(crate::wire::Unknown),
            }
        });
        let non_exhaustive = open.then(|| quote!(#[non_exhaustive]));
        let wire = wire::union_impls(self, id);
        let validate = validate::validate_impl(self, &self.validate, item);
        let std_impls = std_impls(&name, &name_str);
        quote! {
            #doc
            #[derive(Clone)]
            #non_exhaustive
            pub enum #name {
                #(#variants)*
                #unknown
            }
            #wire
            #validate
            #std_impls
        }
    }

    /// A field's default as a Rust expression of its (possibly boxed) type.
    pub fn default_value(&self, item: Item, f: &StructField) -> TokenStream {
        match &f.default {
            Some(d) => self.constant(&f.data_type, d, self.boxed(item, &f.data_type)),
            None if self.defaults_to_empty(f) => {
                let t = self.rust_type(&f.data_type);
                if self.boxed(item, &f.data_type) {
                    quote!(::std::boxed::Box::new(#t::new()))
                } else {
                    quote!(#t::new())
                }
            }
            None => quote!(::std::default::Default::default()),
        }
    }

    /// Whether a field without a default of its own still has one, as in
    /// Stone's Python serialisers: a plain struct none of whose fields is
    /// required has a default, the struct with no field given, so such a
    /// field may be absent (or null) and reads as that. (A struct with
    /// enumerated subtypes has no such value here.)
    pub fn defaults_to_empty(&self, f: &StructField) -> bool {
        let DataType::Struct(id) = self.api.unalias(&f.data_type) else {
            return false;
        };
        f.default.is_none()
            && self.api.struct_(*id).subtypes.is_none()
            && self
                .api
                .all_struct_fields(*id)
                .iter()
                .all(|g| g.data_type.is_nullable() || g.default.is_some())
    }

    /// Whether a field must be given: not nullable, and no default, neither
    /// its own nor an empty struct's ([`defaults_to_empty`](Self::defaults_to_empty)).
    pub fn is_required(&self, f: &StructField) -> bool {
        !f.data_type.is_nullable() && f.default.is_none() && !self.defaults_to_empty(f)
    }

    /// A default value as a Rust expression of the field's type.
    fn constant(&self, t: &DataType, c: &Constant, boxed: bool) -> TokenStream {
        let v = match (self.api.unalias(t), c) {
            (DataType::Union(id), Constant::Tag(tag)) => {
                let ty = self.rust_type(&DataType::Union(*id));
                let v = format_ident!("{}", naming::variant(tag));
                quote!(#ty::#v)
            }
            (_, Constant::Bool(b)) => quote!(#b),
            (DataType::Float32 { .. }, Constant::Float(f)) => {
                let f = *f as f32;
                quote!(#f)
            }
            (DataType::Float32 { .. }, Constant::Int(i)) => {
                let f = *i as f32;
                quote!(#f)
            }
            (_, Constant::Float(f)) => quote!(#f),
            (DataType::Float64 { .. }, Constant::Int(i)) => {
                let f = *i as f64;
                quote!(#f)
            }
            (DataType::Int32 { .. }, Constant::Int(i)) => {
                let i = *i as i32;
                quote!(#i)
            }
            (DataType::Int64 { .. }, Constant::Int(i)) => {
                let i = *i as i64;
                quote!(#i)
            }
            (DataType::UInt32 { .. }, Constant::Int(i)) => {
                let i = *i as u32;
                quote!(#i)
            }
            (DataType::UInt64 { .. }, Constant::Int(i)) => {
                let i = *i as u64;
                quote!(#i)
            }
            // The typed timestamps (`wire::DateTime`, `wire::Date`): the
            // default as a count from the Unix epoch, added without a call
            // that could fail.
            (DataType::Timestamp { format }, Constant::Str(s))
                if matches!(format.as_str(), "%Y-%m-%dT%H:%M:%SZ" | "%Y-%m-%d") =>
            {
                match crate::pytime::strptime_epoch_seconds(s, format).ok() {
                    Some(secs) if format == "%Y-%m-%d" => {
                        let days = secs / 86_400;
                        quote!(crate::wire::DateTime::UNIX_EPOCH
                            .saturating_add(crate::time::Duration::days(#days))
                            .date())
                    }
                    Some(secs) => quote!(crate::wire::DateTime::UNIX_EPOCH
                        .saturating_add(crate::time::Duration::seconds(#secs))),
                    None => quote!(::std::default::Default::default()),
                }
            }
            (DataType::Bytes, Constant::Str(s)) => {
                let b = proc_macro2::Literal::byte_string(s.as_bytes());
                quote!(crate::wire::Bytes(#b.to_vec()))
            }
            (_, Constant::Str(s)) => quote!(::std::string::String::from(#s)),
            _ => quote!(::std::default::Default::default()),
        };
        if boxed {
            quote!(::std::boxed::Box::new(#v))
        } else {
            v
        }
    }
}

pub(super) fn doc_attr_linked(
    doc: &Option<String>,
    link: &dyn Fn(&str, &str) -> Option<String>,
) -> TokenStream {
    match doc {
        Some(d) => {
            let text = format!(" {}", docs::rustdoc_linked(d, link));
            quote!(#[doc = #text])
        }
        None => quote!(),
    }
}

/// `Debug` and `PartialEq` through the wire format: one small body each per
/// type instead of a derived one per field, which keeps the crate quick to
/// compile. Two values are equal when their JSON is.
fn std_impls(name: &proc_macro2::Ident, name_str: &str) -> TokenStream {
    quote! {
        impl ::std::fmt::Debug for #name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                crate::wire::debug(#name_str, self, f)
            }
        }
        impl ::std::cmp::PartialEq for #name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                crate::wire::same(self, other)
            }
        }
    }
}

/// The Rust name of the struct of fields a subtypes enum's variants share.
pub(super) fn base_name(name: &str) -> String {
    format!("{}Base", naming::type_name(name))
}
