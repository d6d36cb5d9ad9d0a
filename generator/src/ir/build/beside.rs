//! The work done on a second thread beside the IR passes: the pattern
//! regexes while the passes run, then the examples and doc references
//! while the caller's `early` (the summary) reads the IR (see `build`).

use super::examples::ExampleResults;
use super::*;
use crate::pyregex::PyRegex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long the helper spins, once its regexes are compiled, waiting for
/// the passes to end before it sleeps (see `threads::Handoff`): they take
/// about 4 ms on the pinned spec, the regexes about 2.
const SPIN: Duration = Duration::from_millis(8);

/// What the helper is handed when the passes are done.
pub(super) struct Checks<'s, 'a> {
    this: &'s Builder<'a>,
    /// The types' AST, for the examples: freed as soon as they are checked.
    asts: Mutex<Option<(Vec<ast::TypeDef>, Vec<ast::TypeDef>)>>,
    /// The next namespace whose doc references are to be checked.
    next_ns: AtomicUsize,
    /// Each namespace's doc reference results, in namespace order.
    doc_refs: Vec<Mutex<Vec<R<()>>>>,
}

impl<'s, 'a> Checks<'s, 'a> {
    pub(super) fn new(
        this: &'s Builder<'a>,
        structs: Vec<ast::TypeDef>,
        unions: Vec<ast::TypeDef>,
    ) -> Self {
        Checks {
            this,
            asts: Mutex::new(Some((structs, unions))),
            next_ns: AtomicUsize::new(0),
            doc_refs: this.ns_order.iter().map(|_| Mutex::new(vec![])).collect(),
        }
    }

    /// Check doc references a namespace at a time until none is left:
    /// run by both threads, each taking the next namespace when free.
    pub(super) fn share_doc_refs(&self) {
        loop {
            let i = self.next_ns.fetch_add(1, Ordering::Relaxed);
            let Some(ns) = self.this.ns_order.get(i) else {
                break;
            };
            let results = self.this.doc_ref_results_in(ns);
            *self.doc_refs[i].lock().unwrap_or_else(|e| e.into_inner()) = results;
        }
    }

    /// Every doc reference result, in namespace order.
    pub(super) fn into_doc_refs(self) -> Vec<R<()>> {
        self.doc_refs
            .into_iter()
            .flat_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect()
    }
}

/// The helper's work: `patterns` compiled (for the passes to find ready; a
/// pattern being compiled here when a pass asks for it is waited for, not
/// compiled twice), then the examples checked and doc references shared
/// once the passes hand over the IR. None if the passes failed.
pub(super) fn helper(patterns: &[String], handoff: &Handoff<Checks>) -> Option<ExampleResults> {
    for p in patterns {
        let _ = PyRegex::new(p);
    }
    // On one core, spinning would only take time from the passes.
    let spin = if crate::threads::cores() > 1 {
        SPIN
    } else {
        Duration::ZERO
    };
    let checks = handoff.wait(spin)?;
    let taken = checks.asts.lock().unwrap_or_else(|e| e.into_inner()).take();
    let (structs, unions) = taken?;
    let examples = checks.this.example_results(&structs, &unions);
    drop((structs, unions));
    checks.share_doc_refs();
    Some(examples)
}

/// The `pattern=` arguments of every type reference, in file order: the
/// regexes the passes will compile.
pub(super) fn string_patterns(asts: &[(u32, ast::File)]) -> Vec<String> {
    fn type_ref(t: &ast::TypeRef, out: &mut Vec<String>) {
        for a in t.args.iter().chain(t.kwargs.iter().map(|(_, a)| a)) {
            if let ast::Arg::Type(t) = a {
                type_ref(t, out);
            }
        }
        for (k, a) in &t.kwargs {
            if let (true, ast::Arg::Lit(ast::Literal::Str(p))) = (k == "pattern", a) {
                if !p.is_empty() && !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
    }
    let fields = |fields: &[ast::Field], out: &mut Vec<String>| {
        for t in fields.iter().filter_map(|f| f.type_ref.as_ref()) {
            type_ref(t, out);
        }
    };
    let mut out = vec![];
    for decl in asts.iter().flat_map(|(_, f)| &f.decls) {
        match decl {
            ast::Decl::Alias(a) => type_ref(&a.type_ref, &mut out),
            ast::Decl::Struct(d) | ast::Decl::Union(d) => fields(&d.fields, &mut out),
            ast::Decl::StructPatch(p) | ast::Decl::UnionPatch(p) => fields(&p.fields, &mut out),
            ast::Decl::AnnotationType(a) => fields(&a.params, &mut out),
            _ => {}
        }
    }
    out
}
