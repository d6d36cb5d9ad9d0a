//! Fixture tests: every folder under `tests/fixtures/accept` and
//! `tests/fixtures/reject` is a small spec set with `stone.json`, the output
//! of Dropbox's Stone 3.5.5 for it (see `tests/fixtures/README.md`).
//!
//! - accepted sets: our IR summary equals Stone's, and is snapshotted;
//! - rejected sets: our first error has Stone's file, line and message, and
//!   every rendered diagnostic is snapshotted;
//! - sets Stone crashes on: we reject them with a proper error (snapshotted).

use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture_dirs(kind: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The fixture's files, named as Stone's oracle was given them (bare names).
fn load(dir: &Path) -> Vec<stone::source::SourceFile> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".stone"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(&n)).expect("read fixture");
            stone::source::SourceFile::new(n, stone::load::universal_newlines(&text))
        })
        .collect()
}

fn oracle(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("stone.json")).expect("stone.json");
    serde_json::from_str(&text).expect("stone.json is JSON")
}

fn name(dir: &Path) -> String {
    dir.file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned()
}

fn snapshot(kind: &str, name: &str, content: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("snapshots/{kind}"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name.to_string(), content));
}

/// Valid specs on which Stone 3.5.5 crashes (its bugs, not the spec's):
/// we accept them.
const ACCEPTED_DESPITE_STONE_CRASH: &[&str] = &[
    // Two positional arguments to a custom annotation: Stone looks the
    // second one up among keyword arguments (KeyError).
    "crash_annotation_positional_args",
    // A union example giving `null` to a nullable struct tag: Stone calls
    // dict.update(None).
    "crash_union_example_null_struct",
];

/// Fixtures where our first error has Stone's file and line but words the
/// message differently, and why.
const SAME_PLACE_OTHER_WORDS: &[&str] = &[
    // The regex error text is Python's `re` module's own.
    "string_bad_pattern",
];

#[test]
fn accepted_fixtures_match_stone_summary() {
    let dirs = fixture_dirs("accept");
    assert!(
        dirs.len() >= 30,
        "expected the accept fixtures, found {}",
        dirs.len()
    );
    let mut mismatches = vec![];
    let mut snapshots = vec![];
    for dir in &dirs {
        let files = load(dir);
        match stone::compile(&files) {
            Ok(api) => {
                let text = stone::summary::summary(&api);
                let ours: Value = serde_json::from_str(&text).expect("summary is JSON");
                if ours != oracle(dir) {
                    mismatches.push(format!("{}: summary differs from Stone's", name(dir)));
                }
                snapshots.push((name(dir), text.trim_end().to_string()));
            }
            Err(e) => mismatches.push(format!("{}: rejected:\n{}", name(dir), e.render(&files))),
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} accept fixtures differ:\n{}",
        mismatches.len(),
        dirs.len(),
        mismatches.join("\n")
    );
    for (name, content) in snapshots {
        snapshot("accept", &name, &content);
    }
}

#[test]
fn rejected_fixtures_match_stone_error() {
    let dirs = fixture_dirs("reject");
    assert!(
        dirs.len() >= 100,
        "expected the reject fixtures, found {}",
        dirs.len()
    );
    let mut mismatches = vec![];
    let mut snapshots = vec![];
    for dir in &dirs {
        let files = load(dir);
        let expected = oracle(dir);
        let accept_expected = ACCEPTED_DESPITE_STONE_CRASH.contains(&name(dir).as_str());
        let errors = match stone::compile(&files) {
            Ok(api) if accept_expected => {
                snapshots.push((
                    name(dir),
                    stone::summary::summary(&api).trim_end().to_string(),
                ));
                continue;
            }
            Ok(_) => {
                mismatches.push(format!("{}: accepted, Stone says {expected}", name(dir)));
                continue;
            }
            Err(e) if accept_expected => {
                mismatches.push(format!(
                    "{}: valid, but rejected:\n{}",
                    name(dir),
                    e.render(&files)
                ));
                continue;
            }
            Err(e) => e,
        };
        snapshots.push((name(dir), errors.render(&files)));
        let Some(want) = expected.get("error") else {
            // Stone crashes on this spec: any clear error of ours will do.
            assert!(
                expected.get("crash").is_some(),
                "{}: stone.json has neither error nor crash",
                name(dir)
            );
            continue;
        };
        let got = errors.first_as_json(&files)["error"].clone();
        let same_path = want["path"].is_null() || want["path"] == got["path"];
        let same_words = want["message"] == got["message"]
            || SAME_PLACE_OTHER_WORDS.contains(&name(dir).as_str());
        if !same_path || want["line"] != got["line"] || !same_words {
            mismatches.push(format!("{}:\n  stone: {want}\n  ours:  {got}", name(dir)));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} reject fixtures differ:\n{}",
        mismatches.len(),
        dirs.len(),
        mismatches.join("\n")
    );
    for (name, content) in snapshots {
        snapshot("reject", &name, &content);
    }
}

/// `check_with` (the summary's path: examples checked, their values not
/// built, the summary written on one thread) must find exactly what
/// `compile` finds: the same summary, or the same errors in the same
/// order, on every fixture.
#[test]
fn check_with_agrees_with_compile_on_every_fixture() {
    let mut dirs = fixture_dirs("accept");
    dirs.extend(fixture_dirs("reject"));
    let mut mismatches = vec![];
    for dir in &dirs {
        let (compiled, checked) = compile_and_check(&load(dir));
        if compiled != checked {
            mismatches.push(name(dir));
        }
    }
    assert!(mismatches.is_empty(), "check_with differs: {mismatches:?}");
}

/// A valid spec whose examples recurse deep: 199 structs in a chain, each
/// example referring to the next through 40 nested lists (some 8,000
/// levels of `json_value`). The threads that check examples must have the
/// stack for it: on a thread of the default 2 MiB, `check_with` once
/// overflowed and aborted the process.
#[test]
fn deep_example_chains_do_not_overflow_a_stack() {
    let (chain, depth) = (199, 40);
    let mut text = String::from("namespace deep\n\n");
    for i in 0..chain {
        let list = |inner: String| format!("{}{inner}{}", "List(".repeat(depth), ")".repeat(depth));
        let value = format!("{}default{}", "[".repeat(depth), "]".repeat(depth));
        text += &format!(
            "struct S{i}\n    next {}\n    example default\n        next = {value}\n\n",
            list(format!("S{}", i + 1))
        );
    }
    text += &format!("struct S{chain}\n    x Int32\n    example default\n        x = 1\n");
    let (compiled, checked) =
        compile_and_check(&[stone::source::SourceFile::new("deep.stone", text)]);
    assert!(compiled.is_ok(), "the spec is valid: {compiled:?}");
    assert_eq!(compiled, checked);
}

/// The summary, or the rendered errors, by both of the front end's paths:
/// `compile` and `check_with` (the summary's: examples checked, their
/// values not built, the summary written on one thread).
fn compile_and_check(
    files: &[stone::source::SourceFile],
) -> (Result<String, String>, Result<String, String>) {
    let compiled = stone::compile(files)
        .map(|api| stone::summary::summary(&api))
        .map_err(|e| e.render(files));
    let checked = stone::check_with(files, stone::summary::summary_alone)
        .map(|(_, text)| text)
        .map_err(|e| e.render(files));
    (compiled, checked)
}
