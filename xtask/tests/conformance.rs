//! The front end against Dropbox's own Stone 3.5.5 on real specs: the
//! pinned spec (`stone-specs/`, filled from `../shared/dropbox-api-spec`
//! where the submodule is empty) and every published revision in
//! `../shared/spec-history`, compared with the oracle output in
//! `../shared/reference/expected/`. These run the real `cargo xtask`
//! binary, so the command line, exit codes and output bytes are tested too.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{pinned_spec, shared};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn xtask(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("run xtask");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(shared().join("reference/expected").join(name)).expect("expected file")
}

fn assert_summary_equals(spec: &Path, expected_file: &str) {
    let run = xtask(&["summary", spec.to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 0, "{}: {}", spec.display(), run.stderr);
    let want = expected(expected_file);
    let ours: serde_json::Value = serde_json::from_str(&run.stdout).expect("summary is JSON");
    let theirs: serde_json::Value = serde_json::from_str(&want).expect("expected is JSON");
    assert!(
        ours == theirs,
        "{}: summary differs from Stone's as JSON",
        spec.display()
    );
    // Byte for byte too: same key order, indentation and number forms.
    assert!(
        run.stdout == want,
        "{}: summary equal as JSON but not as text",
        spec.display()
    );
}

#[test]
fn pinned_spec_summary_equals_stone() {
    assert_summary_equals(&pinned_spec(), "dropbox-api-spec.summary.json");
}

#[test]
fn every_valid_history_revision_summary_equals_stone() {
    let mut revisions: Vec<PathBuf> = std::fs::read_dir(shared().join("spec-history"))
        .expect("spec-history")
        .flatten()
        .map(|e| e.path())
        .collect();
    revisions.sort();
    let mut checked = 0;
    for rev in revisions {
        let name = rev
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let want = expected(&format!("{name}.summary.json"));
        if serde_json::from_str::<serde_json::Value>(&want)
            .expect("json")
            .get("error")
            .is_some()
        {
            continue; // the invalid revision has its own test
        }
        assert_summary_equals(&rev, &format!("{name}.summary.json"));
        checked += 1;
    }
    assert!(
        checked >= 4,
        "expected at least 4 valid revisions, checked {checked}"
    );
}

#[test]
fn invalid_revision_is_rejected_where_stone_rejects_it() {
    let rev = shared().join("spec-history/20160524-630d02f");
    let run = xtask(&["summary", rev.to_str().expect("utf-8")]);
    assert_eq!(run.code, 1, "an invalid spec set exits 1");
    let ours: serde_json::Value = serde_json::from_str(&run.stdout).expect("error JSON on stdout");
    let theirs: serde_json::Value =
        serde_json::from_str(&expected("20160524-630d02f.summary.json")).expect("json");
    assert_eq!(ours, theirs);
    assert_eq!(ours["error"]["path"], "async.stone");
    assert_eq!(ours["error"]["line"], 97);
    // stderr: every error as path:line:col: message, the line and a caret.
    let first = run.stderr.lines().next().expect("stderr has errors");
    assert!(
        first.ends_with("async.stone:97:10: Illegal character '*'."),
        "{first}"
    );
    assert!(
        run.stderr.contains("97 |     other*\n   |          ^"),
        "{}",
        run.stderr
    );
    let reported = run
        .stderr
        .lines()
        .filter(|l| l.contains(": Illegal character '*'."))
        .count();
    assert!(
        reported > 50,
        "every illegal character in every file is reported, got {reported}"
    );
}

#[test]
fn examples_equal_stone_examples_as_a_set() {
    let run = xtask(&["examples", pinned_spec().to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let parse = |text: &str| -> Vec<serde_json::Value> {
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    };
    let mut ours = parse(&run.stdout);
    let mut theirs = parse(&expected("dropbox-api-spec.examples.jsonl"));
    assert_eq!(ours.len(), 4754, "one line per example");
    let key = |v: &serde_json::Value| v.to_string();
    ours.sort_by_key(key);
    theirs.sort_by_key(key);
    assert!(ours == theirs, "examples differ from Stone's");
    // Void tags are examples of themselves, as Stone adds them.
    assert!(ours
        .iter()
        .any(|v| v["type"] == "WriteMode" && v["value"] == serde_json::json!({".tag": "add"})));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(xtask(&["summary"]).code, 2);
    assert_eq!(xtask(&["no-such-command"]).code, 2);
    let missing = xtask(&["summary", "/nonexistent/spec.stone"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("/nonexistent/spec.stone"),
        "{}",
        missing.stderr
    );
}
