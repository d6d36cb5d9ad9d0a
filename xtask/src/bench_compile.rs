//! `cargo xtask bench compile`: how long the generated crate alone takes to
//! build (debug, its dependencies already built), next to the official
//! `dropbox-sdk` 0.21.0 from crates.io with the same namespaces and its
//! `async_routes` feature; for all namespaces and for `files` alone. Each
//! crate is built as a user builds it: a dependency of a one-line project
//! of its own (ours by path, with this workspace's `Cargo.lock`), without
//! incremental compilation and with full debug info; the two are timed
//! alternately, three times each, and the table has each one's median.
//!
//! The official crate has the routes and their client only. Ours has
//! helpers beyond them (transfer, watch, webhook, content_hash) behind its
//! `helpers` feature, on by default and in `full`: the `files` alone row
//! leaves them out (like with like), a third row times `files` with them;
//! the all-namespaces row (`full`) has them. A fourth row gives the
//! official crate its own HTTP client (`default_async_client`, on
//! reqwest), as ours always has one.

use crate::bench::workspace_root;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const OFFICIAL_ALL: &[&str] = &[
    "dbx_account",
    "dbx_account_id",
    "dbx_async",
    "dbx_auth",
    "dbx_check",
    "dbx_common",
    "dbx_contacts",
    "dbx_file_properties",
    "dbx_file_requests",
    "dbx_files",
    "dbx_openid",
    "dbx_paper",
    "dbx_riviera",
    "dbx_secondary_emails",
    "dbx_seen_state",
    "dbx_sharing",
    "dbx_team",
    "dbx_team_common",
    "dbx_team_log",
    "dbx_team_policies",
    "dbx_users",
    "dbx_users_common",
];

fn cargo(dir: &Path, args: &[&str]) -> Result<Duration, String> {
    let t = Instant::now();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        // Both crates as a user builds them: a crates.io dependency is
        // never built incrementally, so neither is ours here.
        .env("CARGO_INCREMENTAL", "0")
        // A user's debug build has full debug info; our workspace trims
        // its own (CI's disk), which must not flatter our crate here.
        .env("CARGO_PROFILE_DEV_DEBUG", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!(
            "cargo {} failed in {}",
            args.join(" "),
            dir.display()
        ));
    }
    Ok(t.elapsed())
}

/// Clean only the crate and time its build (its dependencies are built).
fn time_crate(dir: &Path, package: &str, target: &str) -> Result<Duration, String> {
    cargo(dir, &["clean", "-p", package, "--target-dir", target])?;
    cargo(dir, &["build", "--target-dir", target])
}

/// Timed builds per crate and row: official and ours alternate, so that a
/// machine busy with other work slows both alike; each side's median is
/// reported, and every sample printed.
const ROUNDS: usize = 3;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn quoted(features: &[&str]) -> String {
    let list: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    list.join(", ")
}

/// A one-line library project, its own workspace, whose one dependency is
/// the crate to time.
fn project(dir: &Path, dependency: &str, lib: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let toml = format!(
        "[package]\nname = \"bench-project\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\n{dependency}\n"
    );
    std::fs::write(dir.join("Cargo.toml"), toml).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), format!("pub use {lib};\n")).map_err(|e| e.to_string())
}

/// The official crate, with `async_routes` and these features.
fn official(scratch: &Path, features: &[&str]) -> Result<PathBuf, String> {
    let mut all = features.to_vec();
    all.push("async_routes");
    let dir = scratch.join(format!("official-{}", name(features)));
    let dependency = format!(
        "dropbox-sdk = {{ version = \"=0.21.0\", default-features = false, features = [{}] }}",
        quoted(&all)
    );
    project(&dir, &dependency, "dropbox_sdk")?;
    Ok(dir)
}

/// Ours, by path, with these features and no others; the workspace's
/// `Cargo.lock` pins its dependencies to the versions its tests run with.
fn ours(scratch: &Path, root: &Path, features: &[&str]) -> Result<PathBuf, String> {
    let dir = scratch.join(format!("ours-{}", name(features)));
    let dependency = format!(
        "dropbox = {{ path = {:?}, default-features = false, features = [{}] }}",
        root.join("generated-sdk").display().to_string(),
        quoted(features)
    );
    project(&dir, &dependency, "dropbox")?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    Ok(dir)
}

fn name(features: &[&str]) -> String {
    match features {
        [] => "none".to_string(),
        [one] => one.to_string(),
        more if more.len() > 3 => "all".to_string(),
        more => more.join("-"),
    }
}

fn secs(v: &[Duration]) -> String {
    v.iter()
        .map(|d| format!("{:.1}", d.as_secs_f64()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run() -> Result<(), String> {
    let root = workspace_root();
    let scratch = root.join("target/bench-compile");
    // One target directory per side: every project of a side builds its
    // dependencies with the same features, so they are built once.
    let official_target = scratch.join("official-target").display().to_string();
    let ours_target = scratch.join("ours-target").display().to_string();
    let rows: [(&str, Vec<&str>, Vec<&str>); 4] = [
        ("all namespaces", OFFICIAL_ALL.to_vec(), vec!["full"]),
        ("`files` alone", vec!["dbx_files"], vec!["files"]),
        (
            "`files`, ours with `helpers`",
            vec!["dbx_files"],
            vec!["files", "helpers"],
        ),
        (
            "`files`, the official crate with its HTTP client",
            vec!["dbx_files", "default_async_client"],
            vec!["files"],
        ),
    ];
    let mut table = vec![];
    for (label, official_features, ours_features) in rows {
        let official_dir = official(&scratch, &official_features)?;
        let ours_dir = ours(&scratch, &root, &ours_features)?;
        // Dependencies first, untimed.
        cargo(&official_dir, &["build", "--target-dir", &official_target])?;
        cargo(&ours_dir, &["build", "--target-dir", &ours_target])?;
        let (mut theirs, mut mine) = (vec![], vec![]);
        for round in 1..=ROUNDS {
            eprintln!(
                "timing dropbox-sdk 0.21.0 and ours ({label}), round {round} of {ROUNDS} ..."
            );
            theirs.push(time_crate(&official_dir, "dropbox-sdk", &official_target)?);
            mine.push(time_crate(&ours_dir, "dropbox", &ours_target)?);
        }
        println!(
            "{label}: dropbox-sdk 0.21.0 {} s; ours {} s",
            secs(&theirs),
            secs(&mine)
        );
        table.push((label, median(theirs), median(mine)));
    }
    // Our fixed cost, which no namespace choice removes: the runtime (HTTP
    // client, retries, tokens, OAuth2, wire format) and the `auth` and
    // `common` namespaces its errors use. The official crate, its default
    // features off, has no HTTP client; this says how much of a small
    // build's time is ours alone.
    let runtime_dir = ours(&scratch, &root, &[])?;
    cargo(&runtime_dir, &["build", "--target-dir", &ours_target])?;
    let mut runtime = vec![];
    for round in 1..=ROUNDS {
        eprintln!(
            "timing ours with no namespace feature (the runtime), round {round} of {ROUNDS} ..."
        );
        runtime.push(time_crate(&runtime_dir, "dropbox", &ours_target)?);
    }
    println!("ours with no namespace feature: {} s", secs(&runtime));
    let runtime = median(runtime);
    println!(
        "compile time of the SDK crate alone (debug, dependencies built; median of {ROUNDS} alternating builds)"
    );
    println!(
        "ours: `full` has the helpers (transfer, watch, webhook, content_hash); \
         the `files` rows do not, like the official crate, but for the one that says so"
    );
    println!("| namespaces | dropbox-sdk 0.21.0 | ours | ours / official |");
    println!("| --- | ---: | ---: | ---: |");
    for (label, theirs, mine) in table {
        println!(
            "| {label} | {:.1} s | {:.1} s | {:.2} |",
            theirs.as_secs_f64(),
            mine.as_secs_f64(),
            mine.as_secs_f64() / theirs.as_secs_f64()
        );
    }
    println!(
        "ours with no namespace feature (runtime, `auth`, `common`): {:.1} s",
        runtime.as_secs_f64()
    );
    Ok(())
}
