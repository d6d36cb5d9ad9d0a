//! Paged routes: a route and its `.../continue` partner as one stream.
//!
//! The pairing rule (stated for users in the runtime's `client::paging`):
//! a route `R` pairs with the route named `R/continue` that returns the same
//! result type; that result is a struct with a `cursor` field (a string,
//! maybe nullable) and a `has_more` flag, or a nullable cursor that is
//! absent on the last page; and the continue route's argument is a struct
//! whose only required field is `cursor`.

use super::naming;
use super::routes::{auth_trait, is_preview};
use super::types::Context;
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// How a paged route's result is read.
struct Paging<'a> {
    first: &'a Route,
    next: &'a Route,
    /// The result struct and its fields of interest.
    cursor: &'a StructField,
    has_more: Option<&'a StructField>,
    /// The one list field, if there is exactly one.
    entries: Option<&'a StructField>,
}

/// Every paged route, as `ns.name:version`, and whether it also has an
/// entry stream (its result has exactly one list): the functions this
/// module adds, for `diff` to compare.
pub fn paged_routes(api: &Api) -> std::collections::BTreeMap<String, bool> {
    api.namespaces
        .values()
        .flat_map(|ns| {
            ns.routes
                .iter()
                .filter_map(|id| paging(api, ns, api.route(*id)))
                .map(|p| {
                    let r = p.first;
                    (
                        format!("{}.{}:{}", r.namespace, r.name, r.version),
                        p.entries.is_some(),
                    )
                })
        })
        .collect()
}

fn paging<'a>(api: &'a Api, ns: &'a Namespace, first: &'a Route) -> Option<Paging<'a>> {
    let continue_name = format!("{}/continue", first.name);
    let next = ns
        .routes
        .iter()
        .map(|id| api.route(*id))
        .find(|r| r.name == continue_name && r.result == first.result)?;
    let DataType::Struct(result) = api.unalias(&first.result) else {
        return None;
    };
    let fields = api.struct_fields_in_order(*result);
    let field = |name: &str| fields.iter().copied().find(|f| f.name == name);
    let is_string = |t: &DataType| matches!(api.unalias(t), DataType::String { .. });
    let cursor = field("cursor")?;
    let cursor_ok = match api.unalias(&cursor.data_type) {
        DataType::Nullable(inner) => is_string(inner),
        t => is_string(t),
    };
    let has_more =
        field("has_more").filter(|f| matches!(api.unalias(&f.data_type), DataType::Boolean));
    // Without `has_more`, only a cursor that can be absent says where
    // the pages end.
    if !cursor_ok || (has_more.is_none() && !cursor.data_type.is_nullable()) {
        return None;
    }
    let DataType::Struct(arg) = api.unalias(&next.arg) else {
        return None;
    };
    let required: Vec<&str> = api
        .all_struct_fields(*arg)
        .iter()
        .filter(|f| !f.data_type.is_nullable() && f.default.is_none())
        .map(|f| f.name.as_str())
        .collect();
    if required != ["cursor"] {
        return None;
    }
    let lists: Vec<&StructField> = fields
        .iter()
        .copied()
        .filter(|f| matches!(api.unalias(&f.data_type), DataType::List { .. }))
        .collect();
    Some(Paging {
        first,
        next,
        cursor,
        has_more,
        entries: (lists.len() == 1).then(|| lists[0]),
    })
}

impl<'a> Context<'a> {
    /// `{route}_pages` and `{route}_stream` for every paged route.
    pub fn pagination(&self, ns: &Namespace) -> Vec<TokenStream> {
        ns.routes
            .iter()
            .filter_map(|id| paging(self.api, ns, self.api.route(*id)))
            .map(|p| self.paged_fns(&p))
            .collect()
    }

    fn paged_fns(&self, p: &Paging) -> TokenStream {
        let (first, next) = (p.first, p.next);
        let first_name = naming::route(&first.name, first.version);
        let next_name = naming::route(&next.name, next.version);
        let first_fn = format_ident!("{}", first_name);
        let next_fn = format_ident!("{}", next_name);
        let pages_fn = format_ident!("{}_pages", first_name);
        let stream_fn = format_ident!("{}_stream", first_name);
        let result = self.rust_type(&first.result);
        let first_error = self.rust_type(&first.error);
        let next_error = self.rust_type(&next.error);
        let next_arg = self.rust_type(&next.arg);
        let has_arg = !matches!(first.arg, DataType::Void);
        let arg_ty = self.rust_type(&first.arg);
        let arg_param = has_arg.then(|| quote!(arg: &'a #arg_ty,));
        let arg_value = has_arg.then(|| quote!(arg));
        // The client must be allowed both calls.
        let first_auth = auth_trait(first);
        let next_auth = auth_trait(next);
        let client_ty = if first_auth.to_string() == next_auth.to_string() {
            quote!(impl #first_auth)
        } else {
            quote!((impl #first_auth + #next_auth))
        };
        let cursor = format_ident!("{}", naming::field(&p.cursor.name));
        let cursor_of = match (p.has_more, p.cursor.data_type.is_nullable()) {
            (Some(h), true) => {
                let h = format_ident!("{}", naming::field(&h.name));
                quote!(|p: &#result| if p.#h { p.#cursor.clone() } else { ::std::option::Option::None })
            }
            (Some(h), false) => {
                let h = format_ident!("{}", naming::field(&h.name));
                quote!(|p: &#result| p.#h.then(|| p.#cursor.clone()))
            }
            (None, _) => quote!(|p: &#result| p.#cursor.clone()),
        };
        let deprecated = first.deprecated.is_some().then(|| quote!(#[deprecated]));
        let preview =
            (is_preview(first) || is_preview(next)).then(|| quote!(#[cfg(feature = "preview")]));
        let item = quote! {
            crate::client::Error<crate::client::PageError<#first_error, #next_error>>
        };
        let pages_doc = format!(
            " Every page of [`{first_name}`], then of [`{next_name}`] with the cursor, until the last page."
        );
        let pages = quote! {
            #[doc = #pages_doc] #deprecated #preview
            pub fn #pages_fn<'a>(
                client: &'a #client_ty,
                #arg_param
            ) -> impl crate::client::paging::Stream<Item = ::std::result::Result<#result, #item>> + 'a {
                crate::client::paging::pages(
                    #first_fn(client, #arg_value),
                    move |cursor| async move { #next_fn(client, &<#next_arg>::new(cursor)).await },
                    #cursor_of,
                )
            }
        };
        let Some(entries) = p.entries else {
            return pages;
        };
        let DataType::List { of, .. } = self.api.unalias(&entries.data_type) else {
            return pages;
        };
        let entry = self.rust_type(of);
        let entries_field = format_ident!("{}", naming::field(&entries.name));
        let stream_doc = format!(
            " Every entry of `{}` of every page of [`{first_name}`] and [`{next_name}`]: the cursor followed until the last page.",
            entries.name
        );
        quote! {
            #pages
            #[doc = #stream_doc] #deprecated #preview
            pub fn #stream_fn<'a>(
                client: &'a #client_ty,
                #arg_param
            ) -> impl crate::client::paging::Stream<Item = ::std::result::Result<#entry, #item>> + 'a {
                crate::client::paging::entries(#pages_fn(client, #arg_value), |p: #result| p.#entries_field)
            }
        }
    }
}
