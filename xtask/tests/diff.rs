//! `cargo xtask diff` on real history: the markdown is snapshotted, and the
//! items it says were added or removed are exactly those that the expected
//! IR summaries (`../shared/reference/expected`, Dropbox's own Stone output)
//! of the two sides differ by, computed here without the diff code. Also:
//! git revisions as sides, errors, and speed.

mod common;

use common::{pinned_spec, shared};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// The real binary, from `dir` (so that the sides can be named relatively,
/// as the snapshots show them).
fn xtask_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run xtask");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// `(change, item, path)` of every addition and removal between two
/// expected summaries, from their JSON alone.
fn summary_added_and_removed(old: &str, new: &str) -> BTreeSet<(String, String, String)> {
    let items = |name: &str| -> BTreeSet<(String, String)> {
        let path = shared()
            .join("reference/expected")
            .join(format!("{name}.summary.json"));
        let text = std::fs::read_to_string(&path).expect("expected summary");
        let summary: Value = serde_json::from_str(&text).expect("summary is JSON");
        let mut out = BTreeSet::new();
        let keys = |v: &Value| -> Vec<String> {
            v.as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        let namespaces = &summary["namespaces"];
        for ns in keys(namespaces) {
            let n = &namespaces[&ns];
            out.insert(("namespace".into(), ns.clone()));
            for a in keys(&n["aliases"]) {
                out.insert(("alias".into(), format!("{ns}.{a}")));
            }
            for (kind, members, member_kind) in [
                ("struct", "fields", "field"),
                ("union", "variants", "variant"),
            ] {
                let types = &n[format!("{kind}s")];
                for t in keys(types) {
                    out.insert((kind.into(), format!("{ns}.{t}")));
                    for m in types[&t][members].as_array().into_iter().flatten() {
                        let m = m["name"].as_str().expect("member name");
                        out.insert((member_kind.into(), format!("{ns}.{t}.{m}")));
                    }
                }
            }
            for r in keys(&n["routes"]) {
                out.insert(("route".into(), format!("{ns}.{r}")));
            }
        }
        out
    };
    let (old, new) = (items(old), items(new));
    let tag = |change: &str, set: BTreeSet<&(String, String)>| {
        set.into_iter()
            .map(|(item, path)| (change.to_string(), item.clone(), path.clone()))
            .collect::<Vec<_>>()
    };
    let mut out: BTreeSet<_> = tag("added", new.difference(&old).collect())
        .into_iter()
        .collect();
    out.extend(tag("removed", old.difference(&new).collect()));
    out
}

fn json_added_and_removed(json: &Value) -> BTreeSet<(String, String, String)> {
    json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"] != "changed")
        .map(|c| {
            let s = |k: &str| c[k].as_str().expect("string").to_string();
            (s("change"), s("item"), s("path"))
        })
        .collect()
}

fn snapshot(name: &str, content: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name.to_string(), content));
}

/// One pair: `old` a history revision, `new` a revision or the pinned spec
/// (`dropbox-api-spec`); each by its name under `../shared`.
fn check_pair(old: &str, new: &str) {
    check_pair_with(old, new, true);
}

fn check_pair_with(old: &str, new: &str, snapshotted: bool) {
    let shared = shared();
    let dir = |name: &str| {
        if name == "dropbox-api-spec" {
            name.to_string()
        } else {
            format!("spec-history/{name}")
        }
    };
    let (old_dir, new_dir) = (dir(old), dir(new));
    let md = xtask_in(&shared, &["diff", &old_dir, &new_dir]);
    assert!(md.ok, "{}", md.stderr);
    if snapshotted {
        snapshot(&format!("diff__{old}__{new}"), &md.stdout);
    }

    let json = xtask_in(&shared, &["diff", &old_dir, &new_dir, "--format", "json"]);
    assert!(json.ok, "{}", json.stderr);
    let json: Value = serde_json::from_str(&json.stdout).expect("diff JSON");
    let ours = json_added_and_removed(&json);
    let theirs = summary_added_and_removed(old, new);
    let only_ours: Vec<_> = ours.difference(&theirs).collect();
    let only_theirs: Vec<_> = theirs.difference(&ours).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "{old} -> {new}: reported but not in the summaries: {only_ours:#?}\nin the summaries but not reported: {only_theirs:#?}"
    );
    assert!(!ours.is_empty(), "{old} -> {new}: real history changes");
    // The verdict follows from the changes.
    let breaking = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .any(|c| c["breaking"] == true);
    assert_eq!(json["semver"] == "major", breaking);
}

#[test]
fn latest_revision_to_pinned_spec() {
    pinned_spec();
    check_pair("20260731-b6bb8e8", "dropbox-api-spec");
}

#[test]
fn revision_2022_to_2026() {
    check_pair("20221011-18963b8", "20260731-b6bb8e8");
}

/// The other steps of the history, and its whole span: the items added and
/// removed against the summaries (not snapshotted: the 2017 diffs list
/// thousands of changes).
#[test]
fn every_other_history_step_against_the_summaries() {
    pinned_spec();
    check_pair_with("20170830-5ac2767", "20210122-cce31b9", false);
    check_pair_with("20210122-cce31b9", "20221011-18963b8", false);
    check_pair_with("20170830-5ac2767", "dropbox-api-spec", false);
}

/// The bar is a second for any pair, the command's whole run: about 0.1 s
/// in release for the pair with the most changes (2017 -> pinned; README).
/// Here the diff and its rendering are timed alone, in process, on that
/// pair: under the bar in a release build, and in a debug build (unoptimized,
/// about 0.5 s) under a looser bound that still catches a quadratic slip.
#[test]
fn the_largest_pair_diffs_well_under_a_second() {
    let load = |dir: &Path| {
        let files = stone::load_spec_set(&[dir]).expect("spec files");
        stone::compile(&files).unwrap_or_else(|e| panic!("{}", e.render(&files)))
    };
    let old = load(&shared().join("spec-history/20170830-5ac2767"));
    let new = load(&pinned_spec());
    let t = std::time::Instant::now();
    let diff = stone::diff::diff(&old, &new);
    let diffed = t.elapsed();
    let text = stone::diff::render::markdown(&diff, "old", "new");
    let json = stone::diff::render::json(&diff);
    let elapsed = t.elapsed();
    eprintln!(
        "2017 -> pinned: {} changes, diff {diffed:?}, with rendering {elapsed:?}",
        diff.changes.len()
    );
    assert!(diff.changes.len() > 5000 && !text.is_empty() && !json.is_empty());
    let bound = if cfg!(debug_assertions) { 5.0 } else { 1.0 };
    assert!(
        elapsed.as_secs_f64() < bound,
        "diff and render of 2017 -> pinned took {elapsed:?}"
    );
}

/// A scratch git repository holding two revisions of the spec, committed in
/// order; its path.
fn git_repo_with(revisions: &[&Path]) -> std::path::PathBuf {
    let repo = std::env::temp_dir().join(format!("diff-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(&repo).expect("scratch repo");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    for (i, spec) in revisions.iter().enumerate() {
        for e in std::fs::read_dir(&repo).expect("repo").flatten() {
            if e.path().extension().is_some_and(|x| x == "stone") {
                std::fs::remove_file(e.path()).expect("clear");
            }
        }
        for e in std::fs::read_dir(spec).expect("spec").flatten() {
            std::fs::copy(e.path(), repo.join(e.file_name())).expect("copy");
        }
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", &format!("revision {i}")]);
    }
    repo
}

#[test]
fn git_revisions_diff_as_their_directories_do() {
    let shared = shared();
    let old = shared.join("spec-history/20260731-b6bb8e8");
    let new = pinned_spec();
    let repo = git_repo_with(&[&old, &new]);
    let repo_arg = repo.to_str().expect("utf-8");
    let by_rev = xtask_in(
        &shared,
        &[
            "diff", "HEAD~1", "HEAD", "--repo", repo_arg, "--format", "json",
        ],
    );
    assert!(by_rev.ok, "{}", by_rev.stderr);
    let by_dir = xtask_in(
        &shared,
        &[
            "diff",
            old.to_str().expect("utf-8"),
            new.to_str().expect("utf-8"),
            "--format",
            "json",
        ],
    );
    assert!(by_dir.ok, "{}", by_dir.stderr);
    assert_eq!(by_rev.stdout, by_dir.stdout);
    // A revision the repository lacks, and a directory that is no repository.
    let bad = xtask_in(
        &shared,
        &["diff", "no-such-rev", "HEAD", "--repo", repo_arg],
    );
    assert!(!bad.ok);
    assert!(
        bad.stderr
            .contains("\"no-such-rev\" is neither a directory nor a revision")
            && bad.stderr.contains("no such revision"),
        "{}",
        bad.stderr
    );
    let not_repo = std::env::temp_dir();
    let bad = xtask_in(
        &shared,
        &[
            "diff",
            "HEAD~1",
            "HEAD",
            "--repo",
            not_repo.to_str().expect("utf-8"),
        ],
    );
    assert!(!bad.ok);
    assert!(
        bad.stderr.contains("is neither a directory nor a revision"),
        "{}",
        bad.stderr
    );
    let _ = std::fs::remove_dir_all(&repo);
}

#[test]
fn a_bad_spec_shows_the_front_ends_errors() {
    let dir = std::env::temp_dir().join(format!("diff-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch");
    std::fs::write(
        dir.join("bad.stone"),
        "namespace bad\n\nstruct S\n    f Strin\n",
    )
    .expect("write");
    let run = xtask_in(
        &shared(),
        &["diff", dir.to_str().expect("utf-8"), "dropbox-api-spec"],
    );
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("bad.stone:4:7: Symbol 'Strin' is undefined."),
        "{}",
        run.stderr
    );
    let usage = xtask_in(&shared(), &["diff", "only-one"]);
    assert!(!usage.ok && usage.stderr.contains("usage: cargo xtask diff"));
    let _ = std::fs::remove_dir_all(&dir);
}
