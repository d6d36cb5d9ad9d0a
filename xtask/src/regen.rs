//! `cargo xtask regen [--check]`: write the generated parts of the SDK crate
//! (`generated-sdk/`) from the pinned spec, or check that they are current.

use crate::bench::workspace_root;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The generated files, by path under `generated-sdk/`.
pub fn generated_files(spec: &Path) -> Result<std::collections::BTreeMap<String, String>, String> {
    let files = stone::load_spec_set(&[spec]).map_err(|e| e.to_string())?;
    let api = stone::compile(&files).map_err(|e| e.render(&files))?;
    Ok(stone::emit::generate(&api))
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
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.clone().next()) {
            ("--check", _) => check = true,
            ("--sdk", Some(dir)) => {
                sdk = PathBuf::from(dir);
                it.next();
            }
            _ => {
                eprintln!(
                    "regen: unknown option {a:?} (usage: cargo xtask regen [--check] [--sdk DIR])"
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
    let want = match generated_files(&spec) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("regen: {e}");
            return ExitCode::FAILURE;
        }
    };
    for extra in owned_files(&sdk)
        .into_iter()
        .filter(|p| !want.contains_key(p))
    {
        let _ = std::fs::remove_file(sdk.join(extra));
    }
    let mut written = 0;
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
        written += 1;
    }
    println!(
        "regen: {} files, {written} changed, in {:.0} ms",
        want.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    ExitCode::SUCCESS
}
