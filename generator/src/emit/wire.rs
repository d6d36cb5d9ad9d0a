//! Encode/Decode impls: Stone's JSON for each struct and union, as small
//! non-generic functions over the SDK's wire reader and writer.

use super::naming;
use super::types::{Context, Item};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// How many fields `wire::read_fields`'s mask of required fields covers.
const MASK_BITS: usize = 64;

pub(super) fn struct_impls(
    cx: &Context,
    id: StructId,
    fields: &[&StructField],
    rust_name: &str,
) -> TokenStream {
    let s = cx.api.struct_(id);
    let name = format_ident!("{}", rust_name);
    let item = Item::S(id);
    let encodes = fields.iter().map(|f| {
        let fname = format_ident!("{}", naming::field(&f.name));
        let key = &f.name;
        if f.data_type.is_nullable() {
            quote!(crate::wire::write_opt(w, #key, &self.#fname);)
        } else {
            quote!(crate::wire::write_field(w, #key, &self.#fname);)
        }
    });
    // Decoding: a local slot per field, and one call into the wire runtime
    // (`read_fields`) that reads the object into them through `dyn Slot`
    // and checks the required ones are there. The loop over the keys, its
    // matching and its `?`s are compiled once in the runtime, not per
    // struct: this function is its slots, one call and the result.
    // The slots are in the fields' order (the order Dropbox sends them in,
    // which `read_fields` tries first); a bit mask says which are required.
    let name_str = &s.name;
    // The mask has a bit for each of the first 64 fields; a required field
    // after them (Stone sets no limit) is checked by its own `let ... else`
    // below.
    let required_mask = proc_macro2::Literal::u64_unsuffixed(
        fields
            .iter()
            .enumerate()
            .filter(|(i, f)| *i < MASK_BITS && cx.is_required(f))
            .map(|(i, _)| 1u64 << i)
            .sum(),
    );
    let slots: Vec<_> = (0..fields.len()).map(|i| format_ident!("f{}", i)).collect();
    let slot_decls = fields.iter().zip(&slots).map(|(f, v)| match &f.data_type {
        DataType::Nullable(inner) => {
            let t = cx.rust_type(inner);
            let t = if cx.boxed(item, &f.data_type) {
                quote!(::std::boxed::Box<#t>)
            } else {
                t
            };
            quote!(let mut #v: crate::wire::Nullable<#t> = crate::wire::Nullable(::std::option::Option::None);)
        }
        // A field whose default is its empty struct reads null as absent.
        t if cx.defaults_to_empty(f) => {
            let ty = cx.field_type(item, t);
            quote!(let mut #v: crate::wire::Nullable<#ty> = crate::wire::Nullable(::std::option::Option::None);)
        }
        t => {
            let ty = cx.field_type(item, t);
            quote!(let mut #v: ::std::option::Option<#ty> = ::std::option::Option::None;)
        }
    });
    let keys = fields.iter().map(|f| &f.name);
    // Strings, booleans and u64s (most fields) have a slot kind of their
    // own, read without a call through `dyn Slot` (and built without an
    // unsizing coercion for the compiler to check); the rest are `Any`.
    let slot_refs = fields.iter().zip(&slots).map(|(f, v)| {
        let (nullable, t) = match &f.data_type {
            DataType::Nullable(inner) => (true, cx.api.unalias(inner)),
            t => (false, cx.api.unalias(t)),
        };
        let kind = match (nullable, t) {
            (false, DataType::String { .. }) => quote!(Str),
            (true, DataType::String { .. }) => quote!(NullableStr),
            (false, DataType::Boolean) => quote!(Bool),
            (false, DataType::UInt64 { .. }) => quote!(U64),
            _ => quote!(Any),
        };
        quote!(crate::wire::SlotRef::#kind(&mut #v))
    });
    let required: Vec<_> = fields
        .iter()
        .zip(&slots)
        .enumerate()
        .filter(|(_, (f, _))| cx.is_required(f))
        .collect();
    let req_vars: Vec<_> = required
        .iter()
        .filter(|(i, _)| *i < MASK_BITS)
        .map(|(_, (_, v))| v)
        .collect();
    let beyond_mask = required
        .iter()
        .filter(|(i, _)| *i >= MASK_BITS)
        .map(|(_, (f, v))| {
            let key = &f.name;
            quote! {
                let ::std::option::Option::Some(#v) = #v else {
                    return ::std::result::Result::Err(crate::wire::missing(r, #key, #name_str));
                };
            }
        });
    let inits = fields.iter().zip(&slots).map(|(f, v)| {
        let fname = format_ident!("{}", naming::field(&f.name));
        if f.data_type.is_nullable() {
            quote!(#fname: #v.0)
        } else if cx.defaults_to_empty(f) {
            let d = cx.default_value(item, f);
            quote!(#fname: match #v.0 { ::std::option::Option::Some(v) => v, ::std::option::Option::None => #d })
        } else if f.default.is_some() {
            let d = cx.default_value(item, f);
            quote!(#fname: match #v { ::std::option::Option::Some(v) => v, ::std::option::Option::None => #d })
        } else {
            quote!(#fname: #v)
        }
    });
    // `read_fields` has checked the required slots are filled: this `else`
    // is for the compiler.
    let take_masked = match req_vars.as_slice() {
        [] => quote!(),
        [v] => quote! {
            let ::std::option::Option::Some(#v) = #v else {
                return ::std::result::Result::Err(crate::wire::missing(r, "", #name_str));
            };
        },
        vs => quote! {
            let (#(::std::option::Option::Some(#vs)),*) = (#(#vs),*) else {
                return ::std::result::Result::Err(crate::wire::missing(r, "", #name_str));
            };
        },
    };
    quote! {
        // `encode` and `decode` are the traits' defaults (an object of
        // the fields): one function per impl to check, not two.
        impl crate::wire::Encode for #name {
            #[inline]
            #[allow(unused_variables)]
            fn encode_fields(&self, w: &mut crate::wire::Writer) {
                #(#encodes)*
            }
        }
        impl crate::wire::Decode for #name {
            #[inline]
            #[allow(unused_mut, unused_variables)]
            fn decode_fields(r: &mut crate::wire::Reader<'_>, at: usize) -> ::std::result::Result<Self, crate::wire::DecodeError> {
                #(#slot_decls)*
                if let ::std::result::Result::Err(e) = crate::wire::read_fields(
                    r,
                    at,
                    #name_str,
                    &[#(#keys),*],
                    #required_mask,
                    &mut [#(#slot_refs),*],
                ) {
                    return ::std::result::Result::Err(e);
                }
                #take_masked
                #(#beyond_mask)*
                ::std::result::Result::Ok(Self { #(#inits),* })
            }
        }
    }
}

/// A struct with enumerated subtypes: `.tag` names the subtype, whose
/// fields sit beside it.
pub(super) fn subtypes_impls(cx: &Context, id: StructId) -> TokenStream {
    let s = cx.api.struct_(id);
    let subs = s.subtypes.as_ref().expect("subtypes");
    let name = format_ident!("{}", naming::type_name(&s.name));
    let unknown = format_ident!("{}", naming::UNKNOWN_VARIANT);
    let encodes = subs.tags.iter().map(|(tag, _)| {
        let v = format_ident!("{}", naming::variant(tag));
        quote! {
            Self::#v(x) => {
                w.begin_object();
                w.key(".tag");
                w.string(#tag);
                x.encode_fields(w);
                w.end_object();
            }
        }
    });
    let decodes = subs.tags.iter().map(|(tag, sub)| {
        let v = format_ident!("{}", naming::variant(tag));
        let t = cx.rust_type(&DataType::Struct(*sub));
        quote!(::std::option::Option::Some(#tag) => ::std::result::Result::Ok(Self::#v(<#t as crate::wire::Decode>::decode_fields(r, at)?)),)
    });
    let base = format_ident!("{}", super::types::base_name(&s.name));
    let (unknown_encode, unknown_decode) = if subs.catch_all {
        (
            quote!(Self::#unknown(_, u) => u.encode(w),),
            quote! {
                // An unknown subtype decodes as the fields all share.
                ::std::option::Option::Some(tag) => {
                    let tag = ::std::string::String::from(tag);
                    let fields = <#base as crate::wire::Decode>::decode_fields(r, at)?;
                    r.set_pos(at);
                    let raw = ::std::string::String::from(r.raw_value()?);
                    ::std::result::Result::Ok(Self::#unknown(fields, crate::wire::Unknown { tag, raw }))
                }
            },
        )
    } else {
        (quote!(), quote!())
    };
    let err = format!("unknown or missing subtype tag for {}", s.name);
    quote! {
        impl crate::wire::Encode for #name {
            #[inline]
            fn encode(&self, w: &mut crate::wire::Writer) {
                match self {
                    #(#encodes)*
                    #unknown_encode
                }
            }
        }
        impl crate::wire::Decode for #name {
            #[inline]
            fn decode(r: &mut crate::wire::Reader<'_>) -> ::std::result::Result<Self, crate::wire::DecodeError> {
                let at = r.pos();
                let tag = r.peek_tag()?;
                match tag.as_deref() {
                    #(#decodes)*
                    #unknown_decode
                    _ => ::std::result::Result::Err(r.error(::std::string::String::from(#err))),
                }
            }
        }
    }
}

/// How a union variant's value sits on the wire.
enum Shape {
    Void,
    /// A plain struct: its fields beside `.tag`.
    Flat,
    /// Anything else: under a key named as the tag.
    Nested,
}

fn shape(api: &Api, t: &DataType) -> Shape {
    // Through aliases, as Stone's serialisers: a tag of an alias of a
    // struct is that struct's fields, flat.
    let inner = match api.unalias(t) {
        DataType::Nullable(i) => api.unalias(i),
        other => other,
    };
    match inner {
        DataType::Void => Shape::Void,
        DataType::Struct(id) if api.struct_(*id).subtypes.is_none() => Shape::Flat,
        _ => Shape::Nested,
    }
}

pub(super) fn union_impls(cx: &Context, id: UnionId) -> TokenStream {
    let u = cx.api.union(id);
    let name = format_ident!("{}", naming::type_name(&u.name));
    let name_str = &u.name;
    let item = Item::U(id);
    let all = cx.api.all_union_variants(id);
    let open = all.iter().any(|v| v.catch_all);
    let unknown = format_ident!("{}", naming::UNKNOWN_VARIANT);
    let mut encodes = vec![];
    let mut decodes = vec![];
    // Each arm is one call into the wire runtime, and one match serves a
    // bare string tag and an object alike (`at` says which): unions of a
    // thousand tags stay cheap to compile.
    for v in &all {
        let vn = format_ident!("{}", naming::variant(&v.name));
        let tag = &v.name;
        let nullable = v.data_type.is_nullable();
        let boxed = cx.boxed(item, &v.data_type);
        let deref = |x: TokenStream| if boxed { quote!(&**#x) } else { x };
        match shape(cx.api, &v.data_type) {
            Shape::Void => {
                encodes.push(quote!(Self::#vn => crate::wire::write_tag(w, #tag),));
                decodes.push(quote!(#tag => crate::wire::void_at(r, at, Self::#vn),));
            }
            Shape::Flat => {
                let t = cx.rust_type(match &v.data_type {
                    DataType::Nullable(i) => i,
                    o => o,
                });
                if nullable {
                    let inner = deref(quote!(v));
                    encodes.push(quote!(Self::#vn(x) => crate::wire::write_flat(w, #tag, x.as_ref().map(|v| #inner)),));
                    let read = quote!(crate::wire::read_flat_opt_at::<#t>(r, at));
                    decodes.push(if boxed {
                        quote!(#tag => #read.map(|v| Self::#vn(v.map(::std::boxed::Box::new))),)
                    } else {
                        quote!(#tag => #read.map(Self::#vn),)
                    });
                } else {
                    let inner = deref(quote!(x));
                    encodes.push(quote!(Self::#vn(x) => crate::wire::write_flat(w, #tag, ::std::option::Option::Some(#inner)),));
                    let read = quote!(crate::wire::read_flat_at::<#t>(r, at));
                    decodes.push(if boxed {
                        quote!(#tag => #read.map(|v| Self::#vn(::std::boxed::Box::new(v))),)
                    } else {
                        quote!(#tag => #read.map(Self::#vn),)
                    });
                }
            }
            Shape::Nested => {
                if nullable {
                    encodes.push(
                        quote!(Self::#vn(x) => crate::wire::write_nested(w, #tag, x.as_ref()),),
                    );
                    decodes.push(
                        quote!(#tag => crate::wire::read_nested_opt_at(r, at, #tag).map(Self::#vn),),
                    );
                } else {
                    encodes.push(quote!(Self::#vn(x) => crate::wire::write_nested(w, #tag, ::std::option::Option::Some(x)),));
                    decodes.push(quote!(#tag => crate::wire::read_nested_at(r, at, #tag, #name_str).map(Self::#vn),));
                }
            }
        }
    }
    let unknown_tag = format!("unknown tag for {}", u.name);
    let (unknown_encode, unknown_decode) = if open {
        (
            quote!(Self::#unknown(u) => u.encode(w),),
            quote!(other => crate::wire::read_unknown_at(r, at, other).map(Self::#unknown),),
        )
    } else {
        (
            quote!(),
            quote!(_ => ::std::result::Result::Err(r.error(::std::string::String::from(#unknown_tag))),),
        )
    };
    quote! {
        impl crate::wire::Encode for #name {
            #[inline]
            fn encode(&self, w: &mut crate::wire::Writer) {
                match self {
                    #(#encodes)*
                    #unknown_encode
                }
            }
        }
        impl crate::wire::Decode for #name {
            #[allow(unreachable_patterns, unused_variables)]
            #[inline]
            fn decode(r: &mut crate::wire::Reader<'_>) -> ::std::result::Result<Self, crate::wire::DecodeError> {
                let (tag, at) = match crate::wire::union_tag(r, #name_str) {
                    ::std::result::Result::Ok(x) => x,
                    ::std::result::Result::Err(e) => return ::std::result::Result::Err(e),
                };
                match &*tag {
                    #(#decodes)*
                    #unknown_decode
                }
            }
        }
    }
}
