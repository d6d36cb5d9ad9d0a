//! `cargo xtask bench`: the front end against Dropbox's Stone 3.5.5, side by
//! side in one run, on the pinned spec. Each tool parses, validates and
//! prints the IR summary, as a separate process, with its output checked
//! equal; the table gives the median wall time of each and the ratio.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

struct Options {
    runs: usize,
    stone_runs: usize,
    spec: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let root = workspace_root();
    let mut o = Options {
        runs: 30,
        stone_runs: 5,
        spec: root.join("stone-specs"),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--runs" => {
                o.runs = value("--runs")?
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?
            }
            "--stone-runs" => {
                o.stone_runs = value("--stone-runs")?
                    .parse()
                    .map_err(|e| format!("--stone-runs: {e}"))?
            }
            "--spec" => o.spec = PathBuf::from(value("--spec")?),
            other => {
                return Err(format!(
                    "unknown option {other:?} (options: --runs N, --stone-runs N, --spec DIR)"
                ))
            }
        }
    }
    if o.runs == 0 || o.stone_runs == 0 {
        return Err("--runs and --stone-runs must be at least 1".into());
    }
    Ok(o)
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The pinned spec, filled from `../shared` where the submodule is empty.
fn ensure_spec(spec: &Path) -> Result<(), String> {
    let has = std::fs::read_dir(spec).is_ok_and(|d| {
        d.flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "stone"))
    });
    if has {
        return Ok(());
    }
    let shared = workspace_root().join("../shared/dropbox-api-spec");
    std::fs::create_dir_all(spec).map_err(|e| e.to_string())?;
    for e in std::fs::read_dir(&shared)
        .map_err(|e| format!("{}: {e}", shared.display()))?
        .flatten()
    {
        std::fs::copy(e.path(), spec.join(e.file_name())).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A Python with stone 3.5.5: `$STONE_PYTHON`, or a venv under target/
/// (made here, from PyPI, if missing).
fn stone_python() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("STONE_PYTHON") {
        return Ok(PathBuf::from(p));
    }
    let venv = workspace_root().join("target/venv");
    let python = venv.join("bin/python");
    let has_stone = || {
        Command::new(&python)
            .args(["-c", "import stone"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has_stone() {
        eprintln!("installing stone==3.5.5 into {}", venv.display());
        let ok = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip"))
                .args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "stone==3.5.5",
                ])
                .status()
                .is_ok_and(|s| s.success());
        if !ok || !has_stone() {
            return Err(
                "could not install stone==3.5.5 (set STONE_PYTHON to a Python that has it)".into(),
            );
        }
    }
    Ok(python)
}

/// Run a command `n` times; the median wall time and the last stdout.
fn time(cmd: &mut dyn FnMut() -> Command, n: usize) -> Result<(Duration, Vec<u8>), String> {
    let mut times = vec![];
    let mut out = vec![];
    for _ in 0..n {
        let mut c = cmd();
        let t = Instant::now();
        let o = c.output().map_err(|e| e.to_string())?;
        times.push(t.elapsed());
        if !o.status.success() {
            return Err(format!(
                "{:?} failed: {}",
                c,
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        out = o.stdout;
    }
    times.sort();
    Ok((times[times.len() / 2], out))
}

pub fn run(args: &[String]) -> ExitCode {
    match bench(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("compile") => return crate::bench_compile::run(),
        Some("transfer") => return crate::bench_transfer::run(&args[1..]),
        _ => {}
    }
    let o = parse_args(args)?;
    if cfg!(debug_assertions) {
        eprintln!("warning: this xtask is a debug build; `cargo xtask` runs it in release mode");
    }
    ensure_spec(&o.spec)?;
    let python = stone_python()?;
    let oracle = workspace_root().join("../shared/reference/stone_ir_summary.py");
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let spec = o.spec.clone();

    let (ours, ours_out) = time(
        &mut || {
            let mut c = Command::new(&me);
            c.arg("summary").arg(&spec);
            c
        },
        o.runs,
    )?;
    let (stone, stone_out) = time(
        &mut || {
            let mut c = Command::new(&python);
            c.arg(&oracle).arg(&spec);
            c
        },
        o.stone_runs,
    )?;
    if ours_out != stone_out {
        return Err("the two summaries differ: the comparison would be meaningless".into());
    }
    let ratio = stone.as_secs_f64() / ours.as_secs_f64();
    println!(
        "front end: parse + validate + print the IR summary of {}",
        o.spec.display()
    );
    println!("| tool | median wall time | runs |");
    println!("| --- | ---: | ---: |");
    println!(
        "| Stone 3.5.5 (stone_ir_summary.py) | {:.1} ms | {} |",
        stone.as_secs_f64() * 1e3,
        o.stone_runs
    );
    println!(
        "| ours (cargo xtask summary) | {:.1} ms | {} |",
        ours.as_secs_f64() * 1e3,
        o.runs
    );
    println!("ratio: {ratio:.0}x faster (outputs byte-identical)");
    Ok(())
}
