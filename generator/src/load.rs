//! Spec sets from disk, and the whole front end in one call.

use crate::ast;
use crate::diagnostics::{Diagnostic, SpecErrors};
use crate::ir::Api;
use crate::source::{Pos, SourceFile};
use std::path::Path;

/// Read a spec set: each argument is a `.stone` file or a directory whose
/// `*.stone` files are taken in sorted order (as Stone's scripts do).
pub fn load_spec_set<P: AsRef<Path>>(args: &[P]) -> std::io::Result<Vec<SourceFile>> {
    let mut paths = vec![];
    for a in args {
        let a = a.as_ref();
        if a.is_dir() {
            // The entry's type comes with the listing: only a link (or
            // an entry of unknown type) costs a `stat` to follow.
            let is_file = |e: &std::fs::DirEntry| match e.file_type() {
                Ok(t) if !t.is_symlink() => t.is_file(),
                _ => e.path().is_file(),
            };
            let mut found: Vec<String> = std::fs::read_dir(a)?
                .filter_map(|e| e.ok())
                .filter(|e| Path::new(&e.file_name()).extension() == Some("stone".as_ref()))
                .filter(is_file)
                .map(|e| e.path().to_string_lossy().into_owned())
                .collect();
            found.sort();
            paths.extend(found);
        } else {
            paths.push(a.to_string_lossy().into_owned());
        }
    }
    paths
        .into_iter()
        .map(|p| {
            let bytes = read(&p).map_err(|e| std::io::Error::new(e.kind(), format!("{p}: {e}")))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{p}: not UTF-8: {e}"),
                )
            })?;
            // Most files have no `\r`: kept as read, without a copy.
            let text = if text.contains('\r') {
                universal_newlines(&text)
            } else {
                text
            };
            Ok(SourceFile::new(p, text))
        })
        .collect()
}

/// `std::fs::read`, less its last `read` call (the one that finds the end
/// of the file) for a regular file: it reads just the size `stat` gave.
/// With the `stat` in the listing gone too, four system calls a file
/// rather than six, which on this project's VM was a tenth of a
/// millisecond for the pinned spec's 25 files. Anything else (a pipe, a
/// file in /proc, which `stat` says is empty) is read to its end.
fn read(path: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let size = usize::try_from(meta.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    // As `std::fs::read` does: a size no allocation can hold (a sparse
    // file) is an error, not an abort.
    bytes.try_reserve_exact(size)?;
    if meta.is_file() && size > 0 {
        (&mut file).take(size as u64).read_to_end(&mut bytes)?;
    } else {
        file.read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

/// Python's text mode: `\r\n` and a lone `\r` read as `\n`.
pub fn universal_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Parse and validate a spec set into its IR. On error, every error found;
/// the first is the one Stone reports (its files parse in order and it
/// stops at the first file with an error).
pub fn compile(files: &[SourceFile]) -> Result<Api, SpecErrors> {
    compile_with(files, |_| ()).map(|(api, ())| api)
}

/// `compile`, with `early` run on the IR before its examples are built,
/// alongside the last checks (see `ir::build_api_with`): what reads no
/// examples, such as the summary, is ready when the checks are done.
pub fn compile_with<T: Send>(
    files: &[SourceFile],
    early: impl FnOnce(&Api) -> T + Send,
) -> Result<(Api, T), SpecErrors> {
    front_end(files, early, crate::ir::build_api_with)
}

/// `compile_with` for what reads no examples (the summary): the spec is
/// checked just as fully, with the same errors, but the examples' values
/// are not built (see `ir::check_api_with`): the IR's examples are empty.
pub fn check_with<T: Send>(
    files: &[SourceFile],
    early: impl FnOnce(&Api) -> T + Send,
) -> Result<(Api, T), SpecErrors> {
    front_end(files, early, crate::ir::check_api_with)
}

/// Parse `files`, then `build` their IR (handing it `early`).
fn front_end<E: Send, O: Send>(
    files: &[SourceFile],
    early: E,
    build: impl FnOnce(&[SourceFile], Vec<(u32, ast::File)>, E) -> Result<O, SpecErrors> + Send,
) -> Result<O, SpecErrors> {
    let mut asts = vec![];
    let mut errors: Vec<Diagnostic> = vec![];
    for (i, parsed) in parse_all(files).into_iter().enumerate() {
        match parsed {
            Ok(ast) => asts.push((i as u32, ast)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if let Some(errs) = SpecErrors::from_ordered(errors) {
        return Err(errs);
    }
    if files.is_empty() {
        let _ = Pos::default();
    }
    // The IR passes recurse along `extends` chains (bounded, but deep in a
    // debug build): give them a stack that does not depend on the caller's.
    // The result comes back through a slot, not `join` (see `threads`).
    let out = std::sync::Mutex::new(None);
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new().stack_size(crate::threads::DEEP_STACK);
        crate::threads::spawn_into(s, worker, &out, || build(files, asts, early));
    });
    crate::threads::take(out).expect("the build ran to its end")
}

type Parsed = Result<crate::ast::File, Vec<Diagnostic>>;

/// Parse every file, on as many threads as there are cores: files are
/// independent until the IR is built, and a big file is parsed in pieces
/// (see `parser::pieces`) so that no core waits on one file at the end.
/// Results come back in file order.
fn parse_all(files: &[SourceFile]) -> Vec<Parsed> {
    use crate::parser::pieces::{self, Piece};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    enum Out {
        Whole(Parsed),
        /// None: not a valid piece; the whole file is parsed again.
        Piece(Option<Piece>),
    }
    // Always on worker threads, whose stacks are large enough for the
    // deepest nesting the lexer lets through, whatever the caller's stack.
    let threads = crate::threads::cores().min(files.len()).max(1);
    let total: usize = files.iter().map(|f| f.text.len()).sum();
    // A few pieces per thread balance well; much smaller ones gain nothing.
    let size = (total / (threads * 4)).max(32 << 10);
    // (file, start, end, whole file?), in file order.
    let mut jobs: Vec<(usize, usize, usize, bool)> = vec![];
    for (i, f) in files.iter().enumerate() {
        let cuts = if threads > 1 {
            pieces::cuts(&f.text, size)
        } else {
            vec![]
        };
        if cuts.is_empty() {
            jobs.push((i, 0, f.text.len(), true));
            continue;
        }
        let mut start = 0;
        for end in cuts.into_iter().chain(std::iter::once(f.text.len())) {
            jobs.push((i, start, end, false));
            start = end;
        }
    }
    // Largest first, so that no thread is left with a big one at the end.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&j| std::cmp::Reverse(jobs[j].2 - jobs[j].1));
    let run = |j: usize| {
        let (i, start, end, whole) = jobs[j];
        if whole {
            Out::Whole(crate::parser::parse_file(i as u32, &files[i].text))
        } else {
            Out::Piece(pieces::parse_piece(i as u32, &files[i].text, start, end))
        }
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Out>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for w in 0..threads {
            let worker = std::thread::Builder::new().stack_size(16 << 20);
            let spawned = worker.spawn_scoped(s, || loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&j) = order.get(k) else { break };
                let out = run(j);
                results.lock().unwrap_or_else(|e| e.into_inner())[j] = Some(out);
            });
            // The first one runs here at once, this thread elsewhere (see
            // `threads::make_room`); the next one, here, when this waits.
            if spawned.is_ok() && w == 0 && threads > 1 {
                crate::threads::make_room();
            }
            // Without a thread, the jobs left over are run below.
            drop(spawned);
        }
    });
    let mut outs = results.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut parsed: Vec<Parsed> = Vec::with_capacity(files.len());
    let mut j = 0;
    while j < jobs.len() {
        let i = jobs[j].0;
        let mut file_pieces: Option<Vec<Piece>> = Some(vec![]);
        let mut whole = None;
        while j < jobs.len() && jobs[j].0 == i {
            match outs[j].take().unwrap_or_else(|| run(j)) {
                Out::Whole(p) => whole = Some(p),
                Out::Piece(p) => {
                    file_pieces = file_pieces.zip(p).map(|(mut v, p)| {
                        v.push(p);
                        v
                    })
                }
            }
            j += 1;
        }
        parsed.push(match (whole, file_pieces) {
            (Some(p), _) => p,
            (None, Some(ps)) => Ok(pieces::join(ps)),
            // A piece that is not valid: the whole file, for exact errors.
            (None, None) => crate::parser::parse_file(i as u32, &files[i].text),
        });
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> SourceFile {
        let text = format!(
            "namespace n\n\nalias X = {}String{}\n",
            "List(".repeat(levels),
            ")".repeat(levels)
        );
        SourceFile::new("deep.stone", text)
    }

    #[test]
    fn nesting_up_to_the_bound_compiles_and_beyond_it_is_an_error() {
        let limit = crate::parser::MAX_NESTING;
        assert!(compile(&[nested(limit)]).is_ok());
        let err = compile(&[nested(limit + 1)]).unwrap_err();
        assert_eq!(
            err.first.message,
            format!("Nesting is too deep (more than {limit} levels).")
        );
        assert_eq!(err.first.pos.line, 3);
    }

    #[test]
    fn crlf_and_lone_cr_read_as_line_feeds() {
        assert_eq!(universal_newlines("a\r\nb\rc\n"), "a\nb\nc\n");
    }
}

#[cfg(test)]
mod hierarchy_tests {
    use super::*;

    fn chain(n: usize) -> SourceFile {
        let mut text = String::from("namespace n\n\n");
        for i in 0..n {
            if i + 1 < n {
                text.push_str(&format!(
                    "struct S{i} extends S{}\n    f{i} String\n\n",
                    i + 1
                ));
            } else {
                text.push_str(&format!("struct S{i}\n    f{i} String\n"));
            }
        }
        SourceFile::new("chain.stone", text)
    }

    #[test]
    fn long_extends_chains_are_bounded_not_a_stack_overflow() {
        assert!(compile(&[chain(150)]).is_ok());
        let err = compile(&[chain(5000)]).unwrap_err();
        assert!(
            err.first.message.contains("too deep"),
            "{}",
            err.first.message
        );
    }
}

#[cfg(test)]
mod piece_tests {
    use super::*;

    /// A spec big enough to be parsed in pieces (with a second file, so
    /// that there is more than one job), with `bad` put in late.
    fn big(bad: &str) -> Vec<SourceFile> {
        let mut text = String::from("namespace n\n\n");
        for i in 0..4000 {
            if i == 3500 {
                text.push_str(bad);
            }
            text.push_str(&format!(
                "struct S{i}\n    \"Doc of S{i}.\"\n    f{i} String\n        \"A field.\"\n\n"
            ));
        }
        vec![
            SourceFile::new("big.stone", text),
            SourceFile::new("small.stone", "namespace m\n\nstruct Other\n    x Int32\n"),
        ]
    }

    #[test]
    fn errors_in_a_piece_are_those_of_the_whole_file() {
        let cases = [
            "struct Bad\n    f Strin g\n\n",
            "struct Bad\n    f String(\nmin_length=1)\n\n",
            "struct Bad\n   f String\n\n",
            "struct Bad\n    \"a\n\nstruct T\n\"\n    f String\n\n",
            "struct Bad\n    f String\n    f String\n\n",
            "struct Bad\n    f Strin\n\n",
        ];
        for bad in cases {
            let files = big(bad);
            let whole = crate::parser::parse_file(0, &files[0].text);
            match compile(&files) {
                Ok(_) => assert!(whole.is_ok(), "{bad:?}"),
                Err(e) => {
                    let want = match whole {
                        Err(w) => w[0].clone(),
                        Ok(_) => match compile(&files[..1]) {
                            Err(w) => w.first,
                            Ok(_) => panic!("{bad:?}: {:?} only in pieces", e.first),
                        },
                    };
                    assert_eq!(e.first, want, "{bad:?}");
                }
            }
        }
        assert!(compile(&big("")).is_ok());
    }
}

#[cfg(test)]
mod check_tests {
    use super::*;

    /// Structs `S0` .. `S{n-1}`, each example referring to the next one's,
    /// declared first to last or last to first: references are followed
    /// from a computed example no further, so only the first order nests
    /// them deeper than the bound.
    fn chain(n: usize, reversed: bool) -> SourceFile {
        let mut decls: Vec<String> = (0..n)
            .map(|i| {
                if i + 1 < n {
                    format!(
                        "struct S{i}\n    next S{}\n\n    example default\n        next = default\n",
                        i + 1
                    )
                } else {
                    format!("struct S{i}\n    v String\n\n    example default\n        v = \"x\"\n")
                }
            })
            .collect();
        if reversed {
            decls.reverse();
        }
        SourceFile::new(
            "chain.stone",
            format!("namespace n\n\n{}", decls.join("\n")),
        )
    }

    #[test]
    fn checking_examples_finds_what_building_them_finds() {
        for (n, reversed) in [(50, false), (250, false), (250, true)] {
            let files = [chain(n, reversed)];
            let built = compile(&files).map(|api| crate::summary::summary(&api));
            let checked = check_with(&files, crate::summary::summary).map(|(_, text)| text);
            match (built, checked) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(a), Err(b)) => {
                    assert!(a.first.message.contains("nest too deep"), "{n}");
                    assert_eq!(a.render(&files), b.render(&files));
                }
                (a, b) => panic!("{n} {reversed}: {:?} / {:?}", a.is_ok(), b.is_ok()),
            }
            assert_eq!(compile(&files).is_ok(), n < 200 || reversed, "{n}");
        }
    }
}
