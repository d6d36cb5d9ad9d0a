//! `cargo xtask bench compile`: how long the generated crate alone takes to
//! build (debug, its dependencies already built), next to the official
//! `dropbox-sdk` 0.21.0 from crates.io with the same namespaces and its
//! `async_routes` feature; for all namespaces and for `files` alone. Both
//! are built without incremental compilation, as a dependency is, and
//! timed alternately, three times each: the table has each one's median.
//!
//! The official crate has the routes and their client only. Ours has
//! helpers beyond them (transfer, watch, webhook, content_hash) behind its
//! `helpers` feature, on by default and in `full`: the `files` alone row
//! leaves them out (like with like), a third row times `files` with them;
//! the all-namespaces row (`full`) has them.

use crate::bench::workspace_root;
use std::path::Path;
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
fn time_crate(dir: &Path, package: &str, build: &[&str]) -> Result<Duration, String> {
    let mut clean = vec!["clean", "-p", package];
    if let Some(i) = build.iter().position(|a| *a == "--target-dir") {
        clean.extend_from_slice(&build[i..i + 2]);
    }
    cargo(dir, &clean)?;
    cargo(dir, build)
}

/// Timed builds per crate and row: official and ours alternate, so that a
/// machine busy with other work slows both alike; each side's median is
/// reported, and every sample printed.
const ROUNDS: usize = 3;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn official_project(dir: &Path, features: &[&str]) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let list: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    let toml = format!(
        "[package]\nname = \"official-bench\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n\
         [dependencies]\ndropbox-sdk = {{ version = \"=0.21.0\", default-features = false, features = [{}] }}\n",
        list.join(", ")
    );
    std::fs::write(dir.join("Cargo.toml"), toml).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), "pub use dropbox_sdk;\n").map_err(|e| e.to_string())
}

pub fn run() -> Result<(), String> {
    let root = workspace_root();
    let scratch = root.join("target/bench-compile");
    let ours_target = scratch.join("ours");
    let ours_target = ours_target.to_string_lossy().into_owned();
    let mut rows = vec![];
    for (label, official_features, ours_features) in [
        (
            "all namespaces",
            OFFICIAL_ALL.to_vec(),
            vec!["--features", "full"],
        ),
        (
            "files alone",
            vec!["dbx_files"],
            vec!["--no-default-features", "--features", "files"],
        ),
        (
            "files alone, ours with helpers",
            vec!["dbx_files"],
            vec!["--no-default-features", "--features", "files,helpers"],
        ),
    ] {
        let mut features = official_features.clone();
        features.push("async_routes");
        // One project per feature set: the two `files` rows share theirs.
        let name = match official_features.as_slice() {
            [one] => one.to_string(),
            _ => "all".to_string(),
        };
        let dir = scratch.join(format!("official-{name}"));
        official_project(&dir, &features)?;
        let mut build = vec!["build", "-p", "dropbox", "--target-dir", &ours_target];
        build.extend(ours_features.iter().copied());
        // Dependencies first, untimed.
        cargo(&dir, &["build"])?;
        cargo(&root, &build)?;
        let (mut official, mut ours) = (vec![], vec![]);
        for round in 1..=ROUNDS {
            eprintln!(
                "timing dropbox-sdk 0.21.0 and ours ({label}), round {round} of {ROUNDS} ..."
            );
            official.push(time_crate(&dir, "dropbox-sdk", &["build"])?);
            ours.push(time_crate(&root, "dropbox", &build)?);
        }
        let secs = |v: &[Duration]| {
            v.iter()
                .map(|d| format!("{:.1}", d.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "{label}: dropbox-sdk 0.21.0 {} s; ours {} s",
            secs(&official),
            secs(&ours)
        );
        rows.push((label, median(official), median(ours)));
    }
    // Our fixed cost, which no namespace choice removes: the runtime (HTTP
    // client, retries, tokens, OAuth2, wire format) and the `auth` and
    // `common` namespaces its errors use. The official crate, its default
    // features off, has no HTTP client; this says how much of a small
    // build's time is ours alone.
    let runtime_build = [
        "build",
        "-p",
        "dropbox",
        "--target-dir",
        &ours_target,
        "--no-default-features",
    ];
    cargo(&root, &runtime_build)?;
    let mut runtime = vec![];
    for round in 1..=ROUNDS {
        eprintln!(
            "timing ours with no namespace feature (the runtime), round {round} of {ROUNDS} ..."
        );
        runtime.push(time_crate(&root, "dropbox", &runtime_build)?);
    }
    let runtime = median(runtime);
    println!(
        "compile time of the SDK crate alone (debug, dependencies built; median of {ROUNDS} alternating builds)"
    );
    println!(
        "ours: `full` has the helpers (transfer, watch, webhook, content_hash); \
         `files` alone does not, like the official crate (helpers off: --no-default-features)"
    );
    println!("| namespaces | dropbox-sdk 0.21.0 | ours | ours / official |");
    println!("| --- | ---: | ---: | ---: |");
    for (label, official, ours) in rows {
        println!(
            "| {label} | {:.1} s | {:.1} s | {:.2} |",
            official.as_secs_f64(),
            ours.as_secs_f64(),
            ours.as_secs_f64() / official.as_secs_f64()
        );
    }
    println!(
        "ours with no namespace feature (runtime, `auth`, `common`): {:.1} s",
        runtime.as_secs_f64()
    );
    Ok(())
}
