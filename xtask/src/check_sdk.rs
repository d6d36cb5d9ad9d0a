//! `cargo xtask check-sdk`: the generated SDK builds and documents without
//! a warning with `--features full` (with and without `preview` and
//! `blocking`), with each namespace's feature alone, and with the
//! `helpers` alone and with `files`.

use crate::bench::workspace_root;
use std::process::{Command, ExitCode};

fn cargo(args: &[&str], rustdoc_deny: bool) -> Result<(), String> {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.args(args).current_dir(workspace_root());
    // Warnings are errors here: the SDK must build and document cleanly.
    c.env("RUSTFLAGS", "-D warnings");
    if rustdoc_deny {
        c.env("RUSTDOCFLAGS", "-D warnings");
    }
    let status = c.status().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed", args.join(" ")))
    }
}

pub fn run(_args: &[String]) -> ExitCode {
    let manifest = workspace_root().join("generated-sdk/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    // The namespace features are the [features] entries other than these.
    let features: Vec<String> = text
        .split("[features]")
        .nth(1)
        .unwrap_or("")
        .lines()
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string()))
        .filter(|k| {
            !k.is_empty()
                && !["default", "full", "helpers", "preview", "blocking"].contains(&k.as_str())
                && !k.starts_with('[')
        })
        .collect();
    let target = workspace_root().join("target/check-sdk");
    let target = target.to_string_lossy().into_owned();
    let mut failures = vec![];
    let mut run = |args: Vec<&str>, doc: bool| {
        eprintln!("== cargo {}", args.join(" "));
        if let Err(e) = cargo(&args, doc) {
            failures.push(e);
        }
    };
    // `cargo check` and `cargo doc` of one feature set; `alone` leaves the
    // default features out.
    let mut check_and_doc = |features: &str, alone: bool| {
        for (cmd, doc) in [("check", false), ("doc", true)] {
            let mut args = vec![cmd, "-p", "dropbox"];
            if doc {
                args.push("--no-deps");
            }
            if alone {
                args.push("--no-default-features");
            }
            args.extend(["--features", features, "--target-dir", &target]);
            run(args, doc);
        }
    };
    for all in ["full", "full,preview,blocking"] {
        check_and_doc(all, false);
    }
    for f in &features {
        check_and_doc(f, true);
    }
    // The helpers without any namespace (webhook, content_hash), and with
    // `files` (transfer, watch) but not the rest.
    for helpers in ["helpers", "helpers,files"] {
        check_and_doc(helpers, true);
    }
    if failures.is_empty() {
        println!(
            "check-sdk: full (alone, and with preview and blocking), {} namespace features and the helpers (alone, with files) build and document without warnings",
            features.len()
        );
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "check-sdk: {} failures:\n  {}",
            failures.len(),
            failures.join("\n  ")
        );
        ExitCode::FAILURE
    }
}
