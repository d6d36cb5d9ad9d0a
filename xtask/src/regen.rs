//! `cargo xtask regen [--check] [--from OLD]`: write the generated parts of
//! the SDK crate (`generated-sdk/`) from the pinned spec, or check that they
//! are current.
//!
//! A regen ends with what changed: the files it rewrote, and the API changes
//! (`stone::diff`) since the spec the checked-in crate was made from. That
//! spec is the one the superproject's HEAD pins (`git rev-parse
//! HEAD:stone-specs`, read from the submodule's own history): the freshness
//! test keeps the checked-in crate equal to what that spec gives, and while
//! a maintainer moves the submodule the pin stays put until they commit.
//! `--from OLD` (a directory or a revision of `stone-specs`) names another;
//! with neither at hand (no git, an empty submodule), the line says so. No
//! file records the spec: the pin already does.

use crate::bench::workspace_root;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The generated files, by path under `generated-sdk/`.
pub fn generated_files(spec: &Path) -> Result<std::collections::BTreeMap<String, String>, String> {
    Ok(stone::emit::generate(&compile(spec)?))
}

fn compile(spec: &Path) -> Result<stone::ir::Api, String> {
    let files = stone::load_spec_set(&[spec]).map_err(|e| e.to_string())?;
    stone::compile(&files).map_err(|e| e.render(&files))
}

/// Files under `dir` that regen owns (`src/gen/*.rs`, `tests/gen/*.rs`).
fn owned_files(sdk: &Path) -> Vec<String> {
    let mut out = vec![];
    for sub in ["src/gen", "tests/gen"] {
        if let Ok(entries) = std::fs::read_dir(sdk.join(sub)) {
            for e in entries.flatten() {
                out.push(format!("{sub}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    out
}

/// The files that differ from what regen makes (stale, missing or extra).
pub fn stale_files(sdk: &Path, spec: &Path) -> Result<Vec<String>, String> {
    let want = generated_files(spec)?;
    let mut stale: Vec<String> = want
        .iter()
        .filter(|(path, text)| {
            std::fs::read_to_string(sdk.join(path)).ok().as_deref() != Some(text.as_str())
        })
        .map(|(p, _)| p.clone())
        .collect();
    stale.extend(
        owned_files(sdk)
            .into_iter()
            .filter(|p| !want.contains_key(p)),
    );
    stale.sort();
    Ok(stale)
}

pub fn run(args: &[String]) -> ExitCode {
    let root = workspace_root();
    let mut sdk = root.join("generated-sdk");
    let spec: PathBuf = root.join("stone-specs");
    let mut check = false;
    let mut from: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.clone().next()) {
            ("--check", _) => check = true,
            ("--from", Some(old)) => {
                from = Some(old.clone());
                it.next();
            }
            ("--sdk", Some(dir)) => {
                sdk = PathBuf::from(dir);
                it.next();
            }
            _ => {
                eprintln!(
                    "regen: unknown option {a:?} (usage: cargo xtask regen [--check] [--sdk DIR] [--from OLD])"
                );
                return ExitCode::from(2);
            }
        }
    }
    let t = std::time::Instant::now();
    if check {
        return match stale_files(&sdk, &spec) {
            Ok(stale) if stale.is_empty() => {
                println!("generated-sdk is up to date");
                ExitCode::SUCCESS
            }
            Ok(stale) => {
                eprintln!("generated-sdk is stale; run `cargo xtask regen`. Differing files:");
                for s in stale {
                    eprintln!("  generated-sdk/{s}");
                }
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("regen: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let api = match compile(&spec) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("regen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let want = stone::emit::generate(&api);
    let mut changed: Vec<String> = vec![];
    for extra in owned_files(&sdk)
        .into_iter()
        .filter(|p| !want.contains_key(p))
    {
        let _ = std::fs::remove_file(sdk.join(&extra));
        changed.push(extra);
    }
    for (path, text) in &want {
        let full = sdk.join(path);
        if std::fs::read_to_string(&full).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if let Some(dir) = full.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = std::fs::write(&full, text) {
            eprintln!("regen: {}: {e}", full.display());
            return ExitCode::FAILURE;
        }
        changed.push(path.clone());
    }
    changed.sort();
    let summary = format!(
        "regen: {} files, {} changed{}, in {:.0} ms\n{}\n",
        want.len(),
        changed.len(),
        changed_names(&changed),
        t.elapsed().as_secs_f64() * 1e3,
        api_line(&root, from.as_deref(), &api)
    );
    // Through write_out: a closed pipe (`| head`) is no reason to panic.
    crate::write_out(&summary);
    ExitCode::SUCCESS
}

/// ` (files, sharing, Cargo.toml)`: modules by name, other files by path;
/// at most eight.
fn changed_names(changed: &[String]) -> String {
    if changed.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = changed
        .iter()
        .map(|p| {
            p.strip_prefix("src/gen/")
                .and_then(|m| m.strip_suffix(".rs"))
                .unwrap_or(p)
        })
        .collect();
    let more = names.len().saturating_sub(8);
    let mut text = names[..names.len() - more].join(", ");
    if more > 0 {
        text.push_str(&format!(", {more} more"));
    }
    format!(" ({text})")
}

/// `regen: API since OLD: 1 breaking, 12 additive, 0 docs-only, 40 doc
/// texts -> major (cargo xtask diff OLD stone-specs lists them)`.
fn api_line(root: &Path, from: Option<&str>, new: &stone::ir::Api) -> String {
    let repo = root.join("stone-specs");
    let (label, old) = match from {
        Some(old) => (old.to_string(), crate::diff::compile_side(old, &repo)),
        None => match pinned_revision(root) {
            Ok(rev) => (short(&rev), crate::diff::compile_side(&rev, &repo)),
            Err(why) => ("the pinned spec".to_string(), Err(why)),
        },
    };
    let old = match old {
        Ok(api) => api,
        Err(why) => {
            // The first line's last clause says why (a front end's errors
            // follow it, for `cargo xtask diff` to show).
            let first = why.lines().next().unwrap_or_default();
            let why = first.rsplit(": ").next().unwrap_or(first);
            return format!(
                "regen: API changes since {label} unknown ({why}); `cargo xtask regen --from OLD` or `cargo xtask diff OLD stone-specs` lists them"
            );
        }
    };
    let diff = stone::diff::diff(&old, new);
    use stone::diff::Impact;
    format!(
        "regen: API since {label}: {} breaking, {} additive, {} docs-only, {} doc texts -> {} (`cargo xtask diff {label} stone-specs` lists them)",
        diff.count(Impact::Breaking),
        diff.count(Impact::Additive),
        diff.count(Impact::DocsOnly),
        diff.doc_changes,
        diff.semver().as_str()
    )
}

/// The spec revision the superproject's HEAD pins (the gitlink).
fn pinned_revision(root: &Path) -> Result<String, String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--verify", "--quiet", "HEAD:stone-specs"])
        .output()
        .map_err(|e| format!("running git: {e}"))?;
    if !out.status.success() {
        return Err("no stone-specs pinned at HEAD".into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn short(rev: &str) -> String {
    rev.chars().take(7).collect()
}
