//! AST -> IR, pass by pass in the order of Stone's `IRGenerator`, so that the
//! first error found is the one Stone reports. Each pass goes on past a bad
//! item to collect more errors; a pass that found errors ends the build,
//! since later passes read what it made.

mod annotations;
mod beside;

/// A doc's text with single line breaks joined (Stone's `doc_unwrap`).
pub fn doc_unwrap_paragraphs(raw: &str) -> String {
    populate::doc_unwrap(raw)
}

mod checks;
mod declare;
mod doc_refs;
mod examples;
mod populate;
mod redactors;
mod resolve;
mod routes;
mod subtypes;

use super::*;
use crate::ast;
use crate::diagnostics::{Diagnostic, SpecErrors};
use crate::source::SourceFile;
use crate::threads::{take, try_spawn_into, GiveUpOnDrop, Handoff};
use std::sync::Mutex;
// FxHash: the maps are keyed by short names and small ids, hashed often.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// A name in a namespace's environment (Stone's `Environment`).
#[derive(Clone, Debug)]
pub(crate) enum Sym {
    Builtin(Builtin),
    Struct(StructId),
    Union(UnionId),
    Alias(AliasId),
    /// Every version of a route name.
    Routes(BTreeMap<u32, RouteId>),
    Annotation(usize),
    AnnotationType(usize),
    /// An imported namespace.
    Namespace(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    Bytes,
    Boolean,
    Float32,
    Float64,
    Int32,
    Int64,
    List,
    Map,
    String,
    Timestamp,
    UInt32,
    UInt64,
    Void,
}

impl Builtin {
    const ALL: [(&'static str, Builtin); 13] = [
        ("Bytes", Builtin::Bytes),
        ("Boolean", Builtin::Boolean),
        ("Float32", Builtin::Float32),
        ("Float64", Builtin::Float64),
        ("Int32", Builtin::Int32),
        ("Int64", Builtin::Int64),
        ("List", Builtin::List),
        ("Map", Builtin::Map),
        ("String", Builtin::String),
        ("Timestamp", Builtin::Timestamp),
        ("UInt32", Builtin::UInt32),
        ("UInt64", Builtin::UInt64),
        ("Void", Builtin::Void),
    ];

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, b)| *b == self)
            .map_or("?", |(n, _)| n)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum TypeKey {
    S(StructId),
    U(UnionId),
}

/// What a canonical name was first taken by (for name-clash messages).
#[derive(Clone, Debug)]
pub(crate) struct Canon {
    kind: &'static str,
    name: String,
    pos: Pos,
    /// Whether this item is a route (routes may share a name across versions).
    is_route: bool,
    /// The struct or union declaration it names, for patches.
    type_decl: Option<(TypeKey, bool)>,
}

/// A custom annotation declared with `annotation X = Type(...)`, or a builtin one.
#[derive(Clone, Debug)]
pub(crate) struct AnnotationB {
    ast: ast::Annotation,
    namespace: String,
    kind: AnnotationKind,
}

#[derive(Clone, Debug)]
pub(crate) enum AnnotationKind {
    Deprecated,
    Preview,
    Omitted(Constant),
    Redacted(Redactor),
    /// Parameters filled in when the annotation type is known.
    Custom {
        type_ns: Option<String>,
        type_name: String,
        resolved: Option<CustomAnnotation>,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct AnnotationTypeB {
    name: String,
    namespace: String,
    params: Vec<ParamB>,
}

#[derive(Clone, Debug)]
pub(crate) struct ParamB {
    name: String,
    data_type: DataType,
    default: Option<Constant>,
}

#[derive(Default)]
pub(crate) struct NamespaceB {
    doc: Option<String>,
    types: Vec<TypeKey>,
    aliases: Vec<AliasId>,
    routes: Vec<RouteId>,
    annotations: Vec<usize>,
    imports: Vec<String>,
}

pub(crate) struct Builder<'a> {
    files: &'a [SourceFile],
    api: Api,
    struct_ast: Vec<ast::TypeDef>,
    union_ast: Vec<ast::TypeDef>,
    struct_done: Vec<bool>,
    union_done: Vec<bool>,
    /// Struct -> (subtype fields as written, open) until they are checked.
    alias_ast: Vec<ast::Alias>,
    alias_done: Vec<bool>,
    route_ast: Vec<ast::Route>,
    annotations: Vec<AnnotationB>,
    annotation_types: Vec<AnnotationTypeB>,
    /// Namespaces in the order Stone first meets them.
    ns_order: Vec<String>,
    ns: HashMap<String, NamespaceB>,
    envs: HashMap<String, HashMap<String, Sym>>,
    canonical: HashMap<String, Canon>,
    /// Patches by canonical name (a later patch of the same name replaces
    /// an earlier one, as in Stone's dict), with their namespace.
    patches: Vec<(String, ast::Decl, String)>,
    in_progress: HashSet<TypeKey>,
    /// Every error so far, each pass's in the order found.
    errors: Vec<Diagnostic>,
    /// Whether examples are built, or only checked (see `check_api_with`).
    example_values: bool,
}

/// Build the IR of a spec set from its parsed files (in file order).
pub fn build_api(files: &[SourceFile], asts: Vec<(u32, ast::File)>) -> Result<Api, SpecErrors> {
    build_api_with(files, asts, |_| ()).map(|(api, ())| api)
}

/// `build_api`, handing the IR to `early` as soon as all of it but the
/// examples is built: `early` runs on a thread of its own while the last
/// checks (examples, doc references, redactors) run, and its result is
/// returned with the IR if they pass. `early` must not read examples
/// (they are empty then); the summary does not.
pub fn build_api_with<T: Send>(
    files: &[SourceFile],
    asts: Vec<(u32, ast::File)>,
    early: impl FnOnce(&Api) -> T + Send,
) -> Result<(Api, T), SpecErrors> {
    build(files, asts, early, true)
}

/// `build_api_with` for what reads no examples: every check is made (the
/// examples are checked and their references followed, with the same
/// errors), but no example value is built: the IR's examples are empty.
pub fn check_api_with<T: Send>(
    files: &[SourceFile],
    asts: Vec<(u32, ast::File)>,
    early: impl FnOnce(&Api) -> T + Send,
) -> Result<(Api, T), SpecErrors> {
    build(files, asts, early, false)
}

fn build<T: Send>(
    files: &[SourceFile],
    asts: Vec<(u32, ast::File)>,
    early: impl FnOnce(&Api) -> T + Send,
    example_values: bool,
) -> Result<(Api, T), SpecErrors> {
    let mut b = Builder {
        files,
        api: Api::default(),
        struct_ast: vec![],
        union_ast: vec![],
        struct_done: vec![],
        union_done: vec![],
        alias_ast: vec![],
        alias_done: vec![],
        route_ast: vec![],
        annotations: vec![],
        annotation_types: vec![],
        ns_order: vec![],
        ns: HashMap::default(),
        envs: HashMap::default(),
        canonical: HashMap::default(),
        patches: vec![],
        in_progress: HashSet::default(),
        errors: vec![],
        example_values,
    };
    // One thread beside this one, started now (at once: this thread moves
    // to the other core, see `threads::make_room`) rather than when the
    // passes are done (it then often started 1-3 ms late, as long as the
    // examples take): it compiles the pattern regexes while the passes
    // run (each costs as much as type-checking a few hundred fields),
    // waits for them spinning (see `threads::Handoff`), then checks the
    // examples, then doc references.
    let patterns = beside::string_patterns(&asts);
    let handoff = Handoff::new();
    let checked = Mutex::new(None);
    let early = std::thread::scope(|s| {
        // However this ends (an early return, a panic), the helper is not
        // left waiting, nor the scope with it.
        let give_up = GiveUpOnDrop(&handoff);
        let helper = || beside::helper(&patterns, &handoff);
        // The examples recurse as deep as the passes (see `DEEP_STACK`).
        let builder = std::thread::Builder::new().stack_size(crate::threads::DEEP_STACK);
        let spawned = try_spawn_into(s, builder, &checked, helper);
        if spawned.is_ok() {
            crate::threads::make_room();
        }
        let out = b.run(asts, early, &handoff);
        drop(give_up);
        // No thread to be had: its work is done here, after the passes.
        if let Err(helper) = spawned {
            *checked.lock().unwrap_or_else(|e| e.into_inner()) = Some(helper());
        }
        out
    });
    let doc_refs = handoff.into_inner().map(beside::Checks::into_doc_refs);
    // A thread that panicked has made the scope panic: it ran.
    let examples = take(checked).flatten();
    let early = early.and_then(|out| {
        b.finish(examples, doc_refs.unwrap_or_default())?;
        Ok(out)
    });
    let early = early.map_err(|()| {
        SpecErrors::from_ordered(std::mem::take(&mut b.errors)).expect("errors were recorded")
    })?;
    Ok((b.api, early))
}

type R<T> = Result<T, Diagnostic>;

impl<'a> Builder<'a> {
    /// Every pass up to the examples; then the IR but for its examples
    /// is handed to the helper (see `build`), and `early` is run on it
    /// here while the examples are checked there.
    fn run<'s, T: Send>(
        &'s mut self,
        asts: Vec<(u32, ast::File)>,
        early: impl FnOnce(&Api) -> T + Send,
        handoff: &Handoff<beside::Checks<'s, 'a>>,
    ) -> Result<T, ()> {
        let imports = self.declare_all(asts);
        self.phase_end()?;
        self.add_imports(&imports);
        self.phase_end()?;
        self.merge_patches();
        self.phase_end()?;
        self.populate_type_attributes();
        self.phase_end()?;
        self.populate_field_defaults();
        self.phase_end()?;
        self.populate_enumerated_subtypes();
        self.phase_end()?;
        self.populate_routes();
        self.phase_end()?;
        // The last three passes only check (and the first finds examples):
        // the rest of the IR is final, so `early` can read it meanwhile.
        // The examples and doc references are checked beside it, their
        // errors taken in pass order after (`finish`).
        self.normalize();
        // The types' AST is for the examples only: moved out, to be freed
        // as soon as they are checked rather than at the end.
        let structs = std::mem::take(&mut self.struct_ast);
        let unions = std::mem::take(&mut self.union_ast);
        let this = &*self;
        let checks = handoff.give(Some(beside::Checks::new(this, structs, unions)));
        let out = early(&this.api);
        // Doc references a namespace at a time, on whichever thread is
        // free: here after the summary, there after the examples.
        if let Some(checks) = checks {
            checks.share_doc_refs();
        }
        Ok(out)
    }

    /// The last three passes' errors, in pass order: examples, doc
    /// references (checked beside `early`), and redactors (brief, checked
    /// here).
    fn finish(
        &mut self,
        examples: Option<examples::ExampleResults>,
        doc_refs: Vec<R<()>>,
    ) -> Result<(), ()> {
        let redactors = self.redactor_results();
        if let Some(examples) = examples {
            self.apply_examples(examples);
        }
        self.phase_end()?;
        for r in doc_refs {
            self.record(r);
        }
        self.phase_end()?;
        for r in redactors {
            self.record(r);
        }
        self.phase_end()
    }

    fn phase_end(&self) -> Result<(), ()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(())
        }
    }

    /// Record an item's error and go on with the next item.
    fn record<T>(&mut self, r: R<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    fn path(&self, pos: Pos) -> &str {
        self.files
            .get(pos.file as usize)
            .map_or("<unknown>", |f| f.path.as_str())
    }

    /// `path:line`, as Stone writes where something was first defined.
    fn at(&self, pos: Pos) -> String {
        format!("{}:{}", self.path(pos), pos.line)
    }

    fn env(&self, ns: &str) -> &HashMap<String, Sym> {
        self.envs.get(ns).expect("namespace environment exists")
    }

    fn ensure_namespace(&mut self, name: &str) {
        if !self.ns.contains_key(name) {
            self.ns_order.push(name.to_string());
            self.ns.insert(name.to_string(), NamespaceB::default());
            let env = Builtin::ALL
                .iter()
                .map(|(n, b)| (n.to_string(), Sym::Builtin(*b)))
                .collect();
            self.envs.insert(name.to_string(), env);
        }
    }

    fn add_import(&mut self, ns: &str, imported: &str) {
        if ns != imported {
            if let Some(n) = self.ns.get_mut(ns) {
                if !n.imports.iter().any(|i| i == imported) {
                    n.imports.push(imported.to_string());
                }
            }
        }
    }

    fn type_name(&self, k: TypeKey) -> &str {
        match k {
            TypeKey::S(id) => &self.api.structs[id.0 as usize].name,
            TypeKey::U(id) => &self.api.unions[id.0 as usize].name,
        }
    }

    fn type_pos(&self, k: TypeKey) -> Pos {
        match k {
            TypeKey::S(id) => self.api.structs[id.0 as usize].pos,
            TypeKey::U(id) => self.api.unions[id.0 as usize].pos,
        }
    }

    /// Stone's `normalize`: namespaces, types, aliases and routes sorted.
    fn normalize(&mut self) {
        for name in &self.ns_order {
            let Some(nb) = self.ns.get(name) else {
                continue;
            };
            if name == "stone_cfg" {
                continue;
            }
            let mut structs = vec![];
            let mut unions = vec![];
            for k in &nb.types {
                match k {
                    TypeKey::S(id) => structs.push(*id),
                    TypeKey::U(id) => unions.push(*id),
                }
            }
            structs.sort_by(|a, b| self.api.struct_(*a).name.cmp(&self.api.struct_(*b).name));
            unions.sort_by(|a, b| self.api.union(*a).name.cmp(&self.api.union(*b).name));
            let mut aliases = nb.aliases.clone();
            aliases.sort_by(|a, b| self.api.alias(*a).name.cmp(&self.api.alias(*b).name));
            let mut routes = nb.routes.clone();
            routes.sort_by(|a, b| {
                let (ra, rb) = (self.api.route(*a), self.api.route(*b));
                (&ra.name, ra.version).cmp(&(&rb.name, rb.version))
            });
            let mut imports = nb.imports.clone();
            imports.sort();
            imports.retain(|i| i != "stone_cfg");
            self.api.namespaces.insert(
                name.clone(),
                Namespace {
                    name: name.clone(),
                    doc: nb.doc.clone(),
                    structs,
                    unions,
                    aliases,
                    routes,
                    imports,
                },
            );
        }
    }
}
