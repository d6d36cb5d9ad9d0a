//! Encode/Decode impls: Stone's JSON for each struct and union, as small
//! non-generic functions over the SDK's wire reader and writer.

use super::naming;
use super::types::{Context, Item};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub(super) fn struct_impls(cx: &Context, id: StructId, fields: &[&StructField]) -> TokenStream {
    let s = cx.api.struct_(id);
    let name = format_ident!("{}", naming::type_name(&s.name));
    let item = Item::S(id);
    let encodes = fields.iter().map(|f| {
        let fname = format_ident!("{}", naming::field(&f.name));
        let key = &f.name;
        if f.data_type.is_nullable() {
            quote! {
                if let ::std::option::Option::Some(v) = &self.#fname {
                    w.key(#key);
                    v.encode(w);
                }
            }
        } else {
            quote! {
                w.key(#key);
                self.#fname.encode(w);
            }
        }
    });
    let vars: Vec<_> = (0..fields.len()).map(|i| format_ident!("f{}", i)).collect();
    let decls = fields.iter().zip(&vars).map(|(f, v)| {
        let ty = cx.field_type(item, &f.data_type);
        if f.data_type.is_nullable() {
            quote!(let mut #v: #ty = ::std::option::Option::None;)
        } else {
            quote!(let mut #v: ::std::option::Option<#ty> = ::std::option::Option::None;)
        }
    });
    let arms = fields.iter().zip(&vars).map(|(f, v)| {
        let key = &f.name;
        if f.data_type.is_nullable() {
            quote!(#key => #v = crate::wire::Decode::decode(r)?,)
        } else {
            quote!(#key => #v = ::std::option::Option::Some(crate::wire::Decode::decode(r)?),)
        }
    });
    let inits = fields.iter().zip(&vars).map(|(f, v)| {
        let fname = format_ident!("{}", naming::field(&f.name));
        if f.data_type.is_nullable() {
            quote!(#fname: #v)
        } else if f.default.is_some() {
            quote!(#fname: match #v { ::std::option::Option::Some(v) => v, ::std::option::Option::None => defaults.#fname })
        } else {
            let msg = format!("missing field '{}' of {}", f.name, s.name);
            quote!(#fname: #v.ok_or_else(|| r.error(::std::string::String::from(#msg)))?)
        }
    });
    // Defaults come from `new` with placeholder required values: simplest
    // is a value built field by field, so build defaults only if needed.
    let has_defaults = fields.iter().any(|f| f.default.is_some());
    let defaults = has_defaults.then(|| {
        let decl = fields.iter().filter(|f| f.default.is_some()).map(|f| {
            let fname = format_ident!("{}", naming::field(&f.name));
            let ty = cx.field_type(item, &f.data_type);
            quote!(#fname: #ty,)
        });
        let inits = fields.iter().filter(|f| f.default.is_some()).map(|f| {
            let fname = format_ident!("{}", naming::field(&f.name));
            let v = cx_default(cx, item, f);
            quote!(#fname: #v)
        });
        quote! {
            struct Defaults { #(#decl)* }
            let defaults = Defaults { #(#inits),* };
        }
    });
    quote! {
        impl crate::wire::EncodeFields for #name {
            #[allow(unused_variables)]
            fn encode_fields(&self, w: &mut crate::wire::Writer) {
                #(#encodes)*
            }
        }
        impl crate::wire::Encode for #name {
            fn encode(&self, w: &mut crate::wire::Writer) {
                w.begin_object();
                self.encode_fields(w);
                w.end_object();
            }
        }
        impl crate::wire::DecodeFields for #name {
            fn decode_fields(r: &mut crate::wire::Reader<'_>, at: usize) -> ::std::result::Result<Self, crate::wire::DecodeError> {
                r.set_pos(at);
                r.begin_object()?;
                #(#decls)*
                while let ::std::option::Option::Some(k) = r.next_key()? {
                    match &*k {
                        #(#arms)*
                        _ => r.skip_value()?,
                    }
                }
                #defaults
                ::std::result::Result::Ok(Self { #(#inits),* })
            }
        }
        impl crate::wire::Decode for #name {
            fn decode(r: &mut crate::wire::Reader<'_>) -> ::std::result::Result<Self, crate::wire::DecodeError> {
                let at = r.pos();
                <Self as crate::wire::DecodeFields>::decode_fields(r, at)
            }
        }
    }
}

fn cx_default(cx: &Context, item: Item, f: &StructField) -> TokenStream {
    cx.default_value(item, f)
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
        quote!(::std::option::Option::Some(#tag) => ::std::result::Result::Ok(Self::#v(<#t as crate::wire::DecodeFields>::decode_fields(r, at)?)),)
    });
    let (unknown_encode, unknown_decode) = if subs.catch_all {
        (
            quote!(Self::#unknown(u) => u.encode(w),),
            quote! {
                ::std::option::Option::Some(tag) => {
                    let tag = ::std::string::String::from(tag);
                    let raw = ::std::string::String::from(r.raw_value()?);
                    ::std::result::Result::Ok(Self::#unknown(crate::wire::Unknown { tag, raw }))
                }
            },
        )
    } else {
        (quote!(), quote!())
    };
    let err = format!("unknown or missing subtype tag for {}", s.name);
    quote! {
        impl crate::wire::Encode for #name {
            fn encode(&self, w: &mut crate::wire::Writer) {
                match self {
                    #(#encodes)*
                    #unknown_encode
                }
            }
        }
        impl crate::wire::Decode for #name {
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
    let inner = match t {
        DataType::Nullable(i) => i.as_ref(),
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
    let item = Item::U(id);
    let all = cx.api.all_union_variants(id);
    let open = all.iter().any(|v| v.catch_all);
    let unknown = format_ident!("{}", naming::UNKNOWN_VARIANT);
    let mut encodes = vec![];
    let mut bare = vec![];
    let mut decodes = vec![];
    for v in &all {
        let vn = format_ident!("{}", naming::variant(&v.name));
        let tag = &v.name;
        let nullable = v.data_type.is_nullable();
        match shape(cx.api, &v.data_type) {
            Shape::Void => {
                encodes.push(quote! {
                    Self::#vn => { w.begin_object(); w.key(".tag"); w.string(#tag); w.end_object(); }
                });
                bare.push(quote!(#tag => ::std::result::Result::Ok(Self::#vn),));
                decodes.push(
                    quote!(#tag => { r.skip_value()?; ::std::result::Result::Ok(Self::#vn) }),
                );
            }
            Shape::Flat => {
                let t = cx.rust_type(match &v.data_type {
                    DataType::Nullable(i) => i,
                    o => o,
                });
                let boxed = cx.boxed(item, &v.data_type);
                let value = quote!(<#t as crate::wire::DecodeFields>::decode_fields(r, at)?);
                let value = if boxed {
                    quote!(::std::boxed::Box::new(#value))
                } else {
                    value
                };
                if nullable {
                    encodes.push(quote! {
                        Self::#vn(x) => {
                            w.begin_object(); w.key(".tag"); w.string(#tag);
                            if let ::std::option::Option::Some(x) = x { x.encode_fields(w); }
                            w.end_object();
                        }
                    });
                    bare.push(quote!(#tag => ::std::result::Result::Ok(Self::#vn(::std::option::Option::None)),));
                    decodes.push(quote!(#tag => ::std::result::Result::Ok(Self::#vn(::std::option::Option::Some(#value))),));
                } else {
                    encodes.push(quote! {
                        Self::#vn(x) => { w.begin_object(); w.key(".tag"); w.string(#tag); x.encode_fields(w); w.end_object(); }
                    });
                    // A bare tag: the struct with no fields given (fine
                    // where all of them are optional).
                    let empty = quote!(<#t as crate::wire::DecodeFields>::decode_fields(&mut crate::wire::Reader::new("{}"), 0)?);
                    let empty = if boxed {
                        quote!(::std::boxed::Box::new(#empty))
                    } else {
                        empty
                    };
                    bare.push(quote!(#tag => ::std::result::Result::Ok(Self::#vn(#empty)),));
                    decodes.push(quote!(#tag => ::std::result::Result::Ok(Self::#vn(#value)),));
                }
            }
            Shape::Nested => {
                let missing = format!("missing value of tag '{}' of {}", v.name, u.name);
                if nullable {
                    encodes.push(quote! {
                        Self::#vn(x) => {
                            w.begin_object(); w.key(".tag"); w.string(#tag);
                            if let ::std::option::Option::Some(x) = x { w.key(#tag); x.encode(w); }
                            w.end_object();
                        }
                    });
                    bare.push(quote!(#tag => ::std::result::Result::Ok(Self::#vn(::std::option::Option::None)),));
                    decodes.push(quote! {
                        #tag => {
                            r.begin_object()?;
                            let mut value = ::std::option::Option::None;
                            while let ::std::option::Option::Some(k) = r.next_key()? {
                                if k == #tag { value = crate::wire::Decode::decode(r)?; } else { r.skip_value()?; }
                            }
                            ::std::result::Result::Ok(Self::#vn(value))
                        }
                    });
                } else {
                    encodes.push(quote! {
                        Self::#vn(x) => { w.begin_object(); w.key(".tag"); w.string(#tag); w.key(#tag); x.encode(w); w.end_object(); }
                    });
                    decodes.push(quote! {
                        #tag => {
                            r.begin_object()?;
                            let mut value = ::std::option::Option::None;
                            while let ::std::option::Option::Some(k) = r.next_key()? {
                                if k == #tag { value = ::std::option::Option::Some(crate::wire::Decode::decode(r)?); } else { r.skip_value()?; }
                            }
                            ::std::result::Result::Ok(Self::#vn(value.ok_or_else(|| r.error(::std::string::String::from(#missing)))?))
                        }
                    });
                }
            }
        }
    }
    let unknown_tag = format!("unknown tag for {}", u.name);
    let (unknown_encode, unknown_bare, unknown_obj) = if open {
        (
            quote!(Self::#unknown(u) => u.encode(w),),
            quote! {
                other => {
                    let mut raw = crate::wire::Writer::new();
                    raw.string(other);
                    ::std::result::Result::Ok(Self::#unknown(crate::wire::Unknown { tag: ::std::string::String::from(other), raw: raw.finish() }))
                }
            },
            quote! {
                _ => {
                    let tag = ::std::string::String::from(&*tag);
                    let raw = ::std::string::String::from(r.raw_value()?);
                    ::std::result::Result::Ok(Self::#unknown(crate::wire::Unknown { tag, raw }))
                }
            },
        )
    } else {
        (
            quote!(),
            quote!(_ => ::std::result::Result::Err(r.error(::std::string::String::from(#unknown_tag))),),
            quote!(_ => ::std::result::Result::Err(r.error(::std::string::String::from(#unknown_tag))),),
        )
    };
    let missing_tag = format!("missing .tag for {}", u.name);
    quote! {
        impl crate::wire::Encode for #name {
            fn encode(&self, w: &mut crate::wire::Writer) {
                match self {
                    #(#encodes)*
                    #unknown_encode
                }
            }
        }
        impl crate::wire::Decode for #name {
            #[allow(unreachable_patterns, unused_variables)]
            fn decode(r: &mut crate::wire::Reader<'_>) -> ::std::result::Result<Self, crate::wire::DecodeError> {
                if r.is_string() {
                    let tag = r.string()?;
                    return match tag.as_str() {
                        #(#bare)*
                        #unknown_bare
                    };
                }
                let at = r.pos();
                let tag = r.peek_tag()?.ok_or_else(|| r.error(::std::string::String::from(#missing_tag)))?;
                match &*tag {
                    #(#decodes)*
                    #unknown_obj
                }
            }
        }
    }
}
