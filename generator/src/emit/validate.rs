//! `Validate` impls: the spec's constraints, checked before a value is sent,
//! with errors that name the field.

use super::naming;
use super::types::{Context, Item};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::HashSet;

/// Items whose values have a constraint somewhere inside (through fields,
/// variants, lists, maps and other items) and can be sent: a route's
/// argument or inside one. The SDK checks a value before it sends it; a
/// result or an error is only received, so its type's `Validate` is the
/// empty default, and costs no code.
pub(super) fn items_to_validate(cx: &Context) -> HashSet<Item> {
    let sent = sent_items(cx.api);
    let mut needs = constrained_items(cx);
    needs.retain(|item| sent.contains(item));
    needs
}

/// The items route arguments hold, directly or inside other items.
fn sent_items(api: &Api) -> HashSet<Item> {
    fn held(api: &Api, t: &DataType, out: &mut Vec<Item>) {
        match api.unalias(t) {
            DataType::Nullable(inner) => held(api, inner, out),
            DataType::List { of, .. } => held(api, of, out),
            DataType::Map { value, .. } => held(api, value, out),
            DataType::Struct(id) => out.push(Item::S(*id)),
            DataType::Union(id) => out.push(Item::U(*id)),
            _ => {}
        }
    }
    let mut todo = vec![];
    for route in &api.routes {
        held(api, &route.arg, &mut todo);
    }
    let mut sent = HashSet::new();
    while let Some(item) = todo.pop() {
        if sent.insert(item) {
            for t in item_types(api, item) {
                held(api, &t, &mut todo);
            }
        }
    }
    sent
}

/// Items whose values have a constraint somewhere inside.
fn constrained_items(cx: &Context) -> HashSet<Item> {
    let api = cx.api;
    let items: Vec<Item> = (0..api.structs.len())
        .map(|i| Item::S(StructId(i as u32)))
        .chain((0..api.unions.len()).map(|i| Item::U(UnionId(i as u32))))
        .collect();
    let mut needs: HashSet<Item> = HashSet::new();
    loop {
        let before = needs.len();
        for &item in &items {
            if !needs.contains(&item)
                && item_types(api, item)
                    .iter()
                    .any(|t| has_checks(api, t, &needs))
            {
                needs.insert(item);
            }
        }
        if needs.len() == before {
            return needs;
        }
    }
}

/// The data types an item holds (fields, variants, subtypes).
fn item_types(api: &Api, item: Item) -> Vec<DataType> {
    match item {
        Item::S(id) => {
            let s = api.struct_(id);
            match &s.subtypes {
                Some(subs) => subs
                    .tags
                    .iter()
                    .map(|(_, sub)| DataType::Struct(*sub))
                    .collect(),
                None => api
                    .all_struct_fields(id)
                    .iter()
                    .map(|f| f.data_type.clone())
                    .collect(),
            }
        }
        Item::U(id) => api
            .all_union_variants(id)
            .iter()
            .map(|v| v.data_type.clone())
            .collect(),
    }
}

fn has_checks(api: &Api, t: &DataType, needs: &HashSet<Item>) -> bool {
    match api.unalias(t) {
        DataType::String {
            min_length,
            max_length,
            pattern,
        } => {
            min_length.is_some()
                || max_length.is_some()
                || pattern.as_deref().is_some_and(|p| !p.is_empty())
        }
        DataType::Int32 {
            min_value,
            max_value,
        }
        | DataType::Int64 {
            min_value,
            max_value,
        }
        | DataType::UInt32 {
            min_value,
            max_value,
        }
        | DataType::UInt64 {
            min_value,
            max_value,
        } => min_value.is_some() || max_value.is_some(),
        DataType::Float32 { .. } | DataType::Float64 { .. } => true,
        DataType::List {
            of,
            min_items,
            max_items,
        } => min_items.is_some() || max_items.is_some() || has_checks(api, of, needs),
        DataType::Map { value, .. } => has_checks(api, value, needs),
        DataType::Nullable(inner) => has_checks(api, inner, needs),
        DataType::Struct(id) => needs.contains(&Item::S(*id)),
        DataType::Union(id) => needs.contains(&Item::U(*id)),
        _ => false,
    }
}

struct Gen<'a, 'c> {
    cx: &'c Context<'a>,
    needs: &'c HashSet<Item>,
    statics: Vec<TokenStream>,
}

impl Gen<'_, '_> {
    /// Statements checking the value `v` (a reference) of type `t`.
    fn check(&mut self, t: &DataType, v: TokenStream, path: &str, depth: usize) -> TokenStream {
        let api = self.cx.api;
        if !has_checks(api, t, self.needs) {
            return quote!();
        }
        let int = |v: &Option<i128>| match v {
            Some(x) => {
                let lit = proc_macro2::Literal::i128_unsuffixed(*x);
                quote!(::std::option::Option::Some(#lit))
            }
            None => quote!(::std::option::Option::None),
        };
        let count = |v: &Option<i128>| match v {
            Some(x) => {
                let lit = proc_macro2::Literal::u64_unsuffixed((*x).max(0) as u64);
                quote!(::std::option::Option::Some(#lit))
            }
            None => quote!(::std::option::Option::None),
        };
        match api.unalias(t) {
            DataType::String {
                min_length,
                max_length,
                pattern,
            } => {
                let pattern = match pattern.as_deref().filter(|p| !p.is_empty()) {
                    Some(p) => {
                        let name = format_ident!("PATTERN_{}", self.statics.len());
                        self.statics.push(quote!(static #name: crate::wire::Pattern = crate::wire::Pattern::new(#p);));
                        quote!(::std::option::Option::Some(&#name))
                    }
                    None => quote!(::std::option::Option::None),
                };
                let (min, max) = (count(min_length), count(max_length));
                try_(quote!(crate::wire::check_str(#path, #v, #min, #max, #pattern)))
            }
            DataType::Int32 {
                min_value,
                max_value,
            }
            | DataType::Int64 {
                min_value,
                max_value,
            }
            | DataType::UInt32 {
                min_value,
                max_value,
            }
            | DataType::UInt64 {
                min_value,
                max_value,
            } => {
                let (min, max) = (int(min_value), int(max_value));
                try_(quote!(crate::wire::check_int(#path, i128::from(*#v), #min, #max)))
            }
            DataType::Float32 {
                min_value,
                max_value,
            }
            | DataType::Float64 {
                min_value,
                max_value,
            } => {
                let f = |v: &Option<f64>| match v {
                    Some(x) => quote!(::std::option::Option::Some(#x)),
                    None => quote!(::std::option::Option::None),
                };
                let (min, max) = (f(min_value), f(max_value));
                try_(quote!(crate::wire::check_float(#path, f64::from(*#v), #min, #max)))
            }
            DataType::List {
                of,
                min_items,
                max_items,
            } => {
                let item = format_ident!("item{}", depth);
                let inner = self.check(of, quote!(#item), path, depth + 1);
                let size = (min_items.is_some() || max_items.is_some()).then(|| {
                    let (min, max) = (count(min_items), count(max_items));
                    try_(quote!(crate::wire::check_items(#path, (#v).len(), #min, #max)))
                });
                let each = (!inner.is_empty()).then(|| quote!(for #item in (#v).iter() { #inner }));
                quote!(#size #each)
            }
            DataType::Map { value, .. } => {
                let item = format_ident!("value{}", depth);
                let inner = self.check(value, quote!(#item), path, depth + 1);
                quote!(for #item in (#v).values() { #inner })
            }
            DataType::Nullable(inner) => {
                let x = format_ident!("some{}", depth);
                let inner = self.check(inner, quote!(#x), path, depth + 1);
                quote!(if let ::std::option::Option::Some(#x) = #v { #inner })
            }
            DataType::Struct(_) | DataType::Union(_) => {
                quote!(if let ::std::result::Result::Err(e) = crate::wire::Validate::validate(#v) { return ::std::result::Result::Err(e.within(#path)); })
            }
            _ => quote!(),
        }
    }
}

/// `check;` as an early return of its error: a `?` costs the compiler a
/// trait resolution each (`From`, `Try`), a `match` does not.
fn try_(check: TokenStream) -> TokenStream {
    quote!(if let ::std::result::Result::Err(e) = #check { return ::std::result::Result::Err(e); })
}

/// The `Validate` impl of a plain struct named `rust_name`, from its fields.
pub(super) fn validate_fields_impl(
    cx: &Context,
    needs: &HashSet<Item>,
    id: StructId,
    rust_name: &str,
) -> TokenStream {
    let s = cx.api.struct_(id);
    let ident = format_ident!("{}", rust_name);
    let mut g = Gen {
        cx,
        needs,
        statics: vec![],
    };
    let checks: Vec<TokenStream> = cx
        .fields_in_order(id)
        .iter()
        .map(|f| {
            let fname = format_ident!("{}", naming::field(&f.name));
            g.check(
                &f.data_type,
                quote!(&self.#fname),
                &format!("{}.{}", s.name, f.name),
                0,
            )
        })
        .collect();
    if !needs.contains(&Item::S(id)) || checks.iter().all(|c| c.is_empty()) {
        return quote!(impl crate::wire::Validate for #ident {});
    }
    let statics = g.statics;
    quote! {
        impl crate::wire::Validate for #ident {
            #[allow(unused_variables)]
            #[inline]
            fn validate(&self) -> ::std::result::Result<(), crate::wire::ValidationError> {
                #(#statics)*
                #(#checks)*
                ::std::result::Result::Ok(())
            }
        }
    }
}

/// The `Validate` impl of a union or a subtypes enum (a plain struct's is
/// `validate_fields_impl`'s).
pub(super) fn validate_impl(cx: &Context, needs: &HashSet<Item>, item: Item) -> TokenStream {
    let api = cx.api;
    let (name, body) = {
        let mut g = Gen {
            cx,
            needs,
            statics: vec![],
        };
        let (name, body) = match item {
            Item::S(id) => {
                let s = api.struct_(id);
                // A plain struct's impl comes from `validate_fields_impl`.
                let Some(subs) = &s.subtypes else {
                    return validate_fields_impl(cx, needs, id, &naming::type_name(&s.name));
                };
                let arms = subs.tags.iter().map(|(tag, sub)| {
                    let v = format_ident!("{}", naming::variant(tag));
                    let check = g.check(
                        &DataType::Struct(*sub),
                        quote!(x),
                        &format!("{}.{tag}", s.name),
                        0,
                    );
                    quote!(Self::#v(x) => { #check })
                });
                let body = quote!(match self { #(#arms)* #[allow(unreachable_patterns)] _ => {} });
                (&s.name, body)
            }
            Item::U(id) => {
                let u = api.union(id);
                let arms: Vec<TokenStream> = api
                    .all_union_variants(id)
                    .iter()
                    .filter(|v| v.data_type != DataType::Void)
                    .map(|v| {
                        let vn = format_ident!("{}", naming::variant(&v.name));
                        let check = g.check(
                            &v.data_type,
                            quote!(x),
                            &format!("{}.{}", u.name, v.name),
                            0,
                        );
                        quote!(Self::#vn(x) => { #check })
                    })
                    .collect();
                (
                    &u.name,
                    quote!(match self { #(#arms)* #[allow(unreachable_patterns)] _ => {} }),
                )
            }
        };
        let statics = g.statics;
        (name, quote!(#(#statics)* #body))
    };
    let ident = format_ident!("{}", naming::type_name(name));
    if !needs.contains(&item) {
        return quote!(impl crate::wire::Validate for #ident {});
    }
    quote! {
        impl crate::wire::Validate for #ident {
            #[allow(unused_variables)]
            #[inline]
            fn validate(&self) -> ::std::result::Result<(), crate::wire::ValidationError> {
                #body
                ::std::result::Result::Ok(())
            }
        }
    }
}
