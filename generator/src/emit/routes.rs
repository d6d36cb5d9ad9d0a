//! Routes as async functions of a client, one per route and version.
//!
//! Each function is a thin, generic shell over the runtime's non-generic
//! request machinery (`crate::client`): its generic parameter is only the
//! client kind, which the auth traits check at compile time (a user client
//! cannot call a team route), so that a route costs the compiler little.

use super::naming;
use super::types::{Context, Item};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The auth trait a route's `auth` attribute asks of its client; a route
/// with a `select_admin_mode` also takes a team admin's client.
pub(super) fn auth_trait(route: &Route) -> TokenStream {
    let auth = attr_str(route, "auth").unwrap_or("user");
    let admin = attr_str(route, "select_admin_mode").is_some();
    let mut kinds: Vec<&str> = auth.split(',').map(str::trim).collect();
    kinds.sort_unstable();
    match kinds.as_slice() {
        ["team"] => quote!(crate::client::TeamAuth),
        ["app"] => quote!(crate::client::AppAuth),
        ["noauth"] => quote!(crate::client::NoAuth),
        ["app", "user"] if admin => quote!(crate::client::AppOrUserOrAdminAuth),
        ["app", "user"] => quote!(crate::client::AppOrUserAuth),
        ["app", "team"] => quote!(crate::client::AppOrTeamAuth),
        _ if admin => quote!(crate::client::UserOrAdminAuth),
        // `user`, and anything the stone_cfg pattern may allow later: the
        // strictest sensible default.
        _ => quote!(crate::client::UserAuth),
    }
}

pub(super) fn attr_str<'r>(route: &'r Route, name: &str) -> Option<&'r str> {
    match route.attrs.get(name) {
        Some(Constant::Str(s)) => Some(s.as_str()),
        _ => None,
    }
}

fn attr_bool(route: &Route, name: &str) -> bool {
    matches!(route.attrs.get(name), Some(Constant::Bool(true)))
}

/// The URL path of a route after `/2/`: `files/move_v2`.
pub(super) fn url_path(route: &Route) -> String {
    if route.version > 1 {
        format!("{}/{}_v{}", route.namespace, route.name, route.version)
    } else {
        format!("{}/{}", route.namespace, route.name)
    }
}

/// Whether a route is only compiled with the `preview` feature.
pub(super) fn is_preview(route: &Route) -> bool {
    attr_bool(route, "is_preview")
}

impl Context<'_> {
    /// Every route of a namespace, as async functions, and their blocking
    /// twins in a `blocking` module (feature `blocking`).
    pub fn routes(&self, ns: &Namespace) -> TokenStream {
        if ns.routes.is_empty() {
            return quote!();
        }
        let routes = ns.routes.iter().map(|id| self.route(*id));
        let paged = self.pagination(ns);
        let blocking = ns.routes.iter().map(|id| self.blocking_route(*id));
        quote! {
            #(#routes)*
            #(#paged)*
            /// The routes of this namespace for [`Blocking`](crate::client::Blocking) clients.
            #[cfg(feature = "blocking")]
            pub mod blocking {
                #(#blocking)*
            }
        }
    }

    /// A route's blocking twin: the async function run to completion.
    fn blocking_route(&self, id: RouteId) -> TokenStream {
        let r = self.api.route(id);
        let name = naming::route(&r.name, r.version);
        let fn_name = format_ident!("{}", name);
        let style = attr_str(r, "style").unwrap_or("rpc");
        let auth_trait = auth_trait(r);
        let doc = format!(" The blocking [`{name}`](super::{name}).");
        let deprecated = r.deprecated.is_some().then(|| quote!(#[deprecated]));
        let preview = is_preview(r).then(|| quote!(#[cfg(feature = "preview")]));
        let result = self.rust_type(&r.result);
        let error = self.rust_type(&r.error);
        let has_arg = !matches!(r.arg, DataType::Void);
        let arg_ty = self.rust_type(&r.arg);
        let arg_param = has_arg.then(|| quote!(arg: &#arg_ty,));
        let arg_value = has_arg.then(|| quote!(arg,));
        let (extra_param, extra_value, result) = match style {
            "upload" => (
                quote!(body: impl ::std::convert::Into<crate::client::UploadBody>,),
                quote!(body),
                result,
            ),
            "download" => (
                quote!(range: ::std::option::Option<crate::client::ByteRange>,),
                quote!(range),
                quote!(crate::client::Download<#result>),
            ),
            _ => (quote!(), quote!(), result),
        };
        quote! {
            #[doc = #doc] #deprecated #preview
            pub fn #fn_name<C: #auth_trait>(
                client: &crate::client::Blocking<C>,
                #arg_param
                #extra_param
            ) -> ::std::result::Result<#result, crate::client::Error<#error>> {
                client.block_on(super::#fn_name(client.client(), #arg_value #extra_value))
            }
        }
    }

    fn route(&self, id: RouteId) -> TokenStream {
        let r = self.api.route(id);
        let fn_name = format_ident!("{}", naming::route(&r.name, r.version));
        let style = attr_str(r, "style").unwrap_or("rpc");
        let host = match attr_str(r, "host").unwrap_or("api") {
            "content" => quote!(crate::client::Host::Content),
            "notify" => quote!(crate::client::Host::Notify),
            _ => quote!(crate::client::Host::Api),
        };
        let auth = attr_str(r, "auth").unwrap_or("user");
        let noauth = auth.trim() == "noauth";
        let auth_trait = auth_trait(r);
        let path = url_path(r);

        let doc = self.route_doc(r, style, auth);
        let deprecated = match &r.deprecated {
            None => quote!(),
            Some(None) => quote!(#[deprecated]),
            Some(Some((by, version))) => {
                let note = format!("use `{}` instead", naming::route(by, *version));
                quote!(#[deprecated(note = #note)])
            }
        };
        let preview = is_preview(r).then(|| quote!(#[cfg(feature = "preview")]));

        let result = self.rust_type(&r.result);
        let error = self.rust_type(&r.error);
        let has_arg = !matches!(r.arg, DataType::Void);
        let arg_ty = self.rust_type(&r.arg);
        let arg_param = has_arg.then(|| quote!(arg: &'a #arg_ty,));
        let arg_value = if has_arg { quote!(arg) } else { quote!(&()) };
        // The argument's constraints are checked before anything is sent.
        let check = if self.arg_needs_validation(&r.arg) {
            quote!(<#arg_ty as crate::wire::Validate>::validate)
        } else {
            quote!(crate::client::unchecked)
        };
        let endpoint = quote! {
            &crate::client::Endpoint { path: #path, host: #host, noauth: #noauth }
        };
        let session = quote!(crate::client::Caller::session(client));
        // A plain function returning the runtime's future, not an `async
        // fn`: the only state machine is the runtime's generic one, built
        // where a route is used, which keeps this crate quick to compile.
        let (extra_param, call, result) = match style {
            "upload" => (
                quote!(body: impl ::std::convert::Into<crate::client::UploadBody>,),
                quote!(crate::client::upload(#session, #endpoint, #arg_value, #check, body.into())),
                result,
            ),
            "download" => (
                quote!(range: ::std::option::Option<crate::client::ByteRange>,),
                quote!(crate::client::download(#session, #endpoint, #arg_value, #check, range)),
                quote!(crate::client::Download<#result>),
            ),
            _ => (
                quote!(),
                quote!(crate::client::rpc(#session, #endpoint, #arg_value, #check)),
                result,
            ),
        };
        quote! {
            #doc #deprecated #preview
            pub fn #fn_name<'a>(
                client: &'a impl #auth_trait,
                #arg_param
                #extra_param
            ) -> impl ::std::future::Future<Output = ::std::result::Result<#result, crate::client::Error<#error>>> + 'a {
                #call
            }
        }
    }

    fn arg_needs_validation(&self, t: &DataType) -> bool {
        match self.api.unalias(t) {
            DataType::Struct(id) => self.validates(Item::S(*id)),
            DataType::Union(id) => self.validates(Item::U(*id)),
            _ => false,
        }
    }

    /// The spec's doc, then a line on how the route is called.
    fn route_doc(&self, r: &Route, style: &str, auth: &str) -> TokenStream {
        let spec_doc = self.route_doc_text(r);
        let host = attr_str(r, "host").unwrap_or("api");
        let mut facts = format!(
            "`POST /2/{}` ({style}, {host} host, {} auth",
            url_path(r),
            auth.replace(',', " or").replace("  ", " ")
        );
        if let Some(scope) = attr_str(r, "scope") {
            facts.push_str(&format!(", scope `{scope}`"));
        }
        if let Some(mode) = attr_str(r, "select_admin_mode") {
            facts.push_str(&format!(
                ", select admin mode `{mode}`: a team admin's client from `TeamClient::as_admin` may call it"
            ));
        }
        facts.push_str(").");
        if is_preview(r) {
            facts.push_str(" A preview route: it may change without notice (feature `preview`).");
        }
        let body = match style {
            "upload" => "\n\n The request body is the file's content: bytes, a file or a stream.",
            "download" => "\n\n The result comes with the file's content as a stream (`range` asks for part of it).",
            _ => "",
        };
        let text = match spec_doc {
            Some(d) => format!(" {d}\n\n {facts}{body}"),
            None => format!(" {facts}{body}"),
        };
        quote!(#[doc = #text])
    }
}

/// A `:route:` reference (`name`, `name:2`, `ns.name`) as the Rust path of
/// the route's function, where the referring namespace's build has it.
pub(super) fn route_link(api: &Api, ns: &str, val: &str) -> Option<String> {
    let (target_ns, rest) = match val.split_once('.') {
        Some((n, r)) => (n, r),
        None => (ns, val),
    };
    let (name, version) = match rest.rsplit_once(':') {
        Some((n, v)) => (n, v.parse::<u32>().ok()?),
        None => (rest, 1),
    };
    if target_ns != ns && !super::feature_deps(api, ns).contains(target_ns) {
        return None;
    }
    let namespace = api.namespaces.get(target_ns)?;
    let route = namespace
        .routes
        .iter()
        .map(|id| api.route(*id))
        .find(|r| r.name == name && r.version == version)?;
    // A preview route exists only with its feature: no link that a default
    // build could not resolve.
    if is_preview(route) {
        return None;
    }
    let rust_name = naming::route(name, version);
    // A label that is the function's own name in its own module resolves
    // by itself (rustdoc calls an explicit target redundant).
    if target_ns == ns && rust_name == val {
        return Some(String::new());
    }
    Some(format!("crate::{}::{rust_name}", naming::module(target_ns)))
}
