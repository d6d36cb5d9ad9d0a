//! `cargo xtask bench transfer`: a 1 GiB upload and download through the
//! fake Dropbox server (in its own process), by the SDK's transfer helpers
//! (the `dbx` example) and by the official Python SDK's
//! `dropbox.file_transfer` helpers, in the same run. Each transfer is its
//! own process, timed, its peak memory read by `/usr/bin/time`. The four
//! transfers run `--runs N` times (default 3), in turn, so that load from
//! elsewhere on the machine falls on both sides alike; the table gives
//! each one's median time and median peak memory.

use crate::bench::workspace_root;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SIZE: u64 = 1 << 30;
const TOKEN: &str = "bench-token";

fn cargo(args: &[&str]) -> Result<(), String> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(workspace_root())
        .status()
        .map_err(|e| e.to_string())?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("cargo {} failed", args.join(" ")))
}

/// 1 GiB of bytes that do not compress, made once.
fn test_data(path: &Path) -> Result<(), String> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == SIZE) {
        return Ok(());
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| e.to_string())?);
    let mut rng = fastrand::Rng::with_seed(42);
    let mut buf = vec![0u8; 1 << 20];
    for _ in 0..SIZE >> 20 {
        rng.fill(&mut buf);
        f.write_all(&buf).map_err(|e| e.to_string())?;
    }
    f.flush().map_err(|e| e.to_string())
}

fn same_content(a: &Path, b: &Path) -> Result<bool, String> {
    let open = |p: &Path| std::fs::File::open(p).map_err(|e| format!("{}: {e}", p.display()));
    let (mut fa, mut fb) = (open(a)?, open(b)?);
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let na = read_full(&mut fa, &mut ba)?;
        let nb = read_full(&mut fb, &mut bb)?;
        if na != nb || ba[..na] != bb[..nb] {
            return Ok(false);
        }
        if na == 0 {
            return Ok(true);
        }
    }
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> Result<usize, String> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]).map_err(|e| e.to_string())? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The fake server, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_fake(root: &Path) -> Result<(Server, String), String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(root.join("target/release/fake-dropbox"))
        .args(["--addr", &addr, "--token", TOKEN])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("fake-dropbox: {e}"))?;
    let server = Server(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        if start.elapsed() > Duration::from_secs(20) {
            return Err("the fake server did not start".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((server, format!("http://{addr}")))
}

/// Run a command under `/usr/bin/time`: its wall time and peak RSS (KiB).
fn measure(cmd: &[&str], envs: &[(&str, &str)]) -> Result<(Duration, u64), String> {
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("peak-rss-kib=%M")
        .args(cmd)
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("/usr/bin/time {}: {e}", cmd.join(" ")))?;
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("{} failed:\n{stderr}", cmd.join(" ")));
    }
    let rss = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak-rss-kib="))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no peak RSS in {stderr:?}"))?;
    Ok((wall, rss))
}

struct Row {
    tool: &'static str,
    op: &'static str,
    wall: Duration,
    rss_kib: u64,
}

fn median<T: Copy + Ord>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

/// `--runs N`, at least 1.
fn parse_runs(args: &[String]) -> Result<usize, String> {
    match args {
        [] => Ok(3),
        [flag, n] if flag == "--runs" => n
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--runs: {n:?} is not a positive number")),
        _ => Err("usage: cargo xtask bench transfer [--runs N]".into()),
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let runs = parse_runs(args)?;
    let root = workspace_root();
    let dir = root.join("target/bench-transfer");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let python = root.join("target/venv/bin/python");
    if !python.exists() {
        return Err(format!(
            "{} is missing: run .ci/run, or `python3 -m venv target/venv && target/venv/bin/pip install dropbox==12.2.4`",
            python.display()
        ));
    }
    eprintln!("building the fake server and the dbx example (release) ...");
    cargo(&[
        "build",
        "--release",
        "-p",
        "fake-dropbox",
        "--bin",
        "fake-dropbox",
    ])?;
    cargo(&["build", "--release", "-p", "dropbox", "--example", "dbx"])?;
    let data = dir.join("data-1GiB.bin");
    eprintln!("making {} ...", data.display());
    test_data(&data)?;
    let data_s = data.to_string_lossy().into_owned();
    let dbx = root.join("target/release/examples/dbx");
    let dbx = dbx.to_string_lossy().into_owned();
    let py = python.to_string_lossy().into_owned();
    let script = root.join("xtask/bench/transfer.py");
    let script = script.to_string_lossy().into_owned();
    let out: PathBuf = dir.join("out.bin");
    let out_s = out.to_string_lossy().into_owned();

    // Which environment a step's process gets: the fake's URL by the name
    // each side reads.
    const OURS: [&str; 2] = ["DROPBOX_BASE_URL", "DROPBOX_TOKEN"];
    const PY: [&str; 2] = ["FAKE_DROPBOX_URL", "FAKE_DROPBOX_TOKEN"];
    type Step<'a> = (&'static str, &'static str, Vec<&'a str>, [&'a str; 2]);
    let steps: Vec<Step> = vec![
        (
            "ours (dbx)",
            "upload",
            vec![&dbx, "put", &data_s, "/bench/ours.bin"],
            OURS,
        ),
        (
            "ours (dbx)",
            "download",
            vec![&dbx, "get", "/bench/ours.bin", &out_s],
            OURS,
        ),
        (
            "Python dropbox 12.2.4 file_transfer",
            "upload",
            vec![&py, &script, "upload", &data_s, "/bench/py.bin"],
            PY,
        ),
        (
            "Python dropbox 12.2.4 file_transfer",
            "download",
            vec![&py, &script, "download", "/bench/py.bin", &out_s],
            PY,
        ),
    ];
    let mut measured: Vec<Vec<(Duration, u64)>> = vec![vec![]; steps.len()];
    let mut server: Option<(Server, String)> = None;
    for run in 1..=runs {
        for (i, ((tool, op, cmd, names), m)) in steps.iter().zip(&mut measured).enumerate() {
            // A fresh fake for each tool's upload: it keeps every upload in
            // memory, and a second 1 GiB would cost it more (new memory
            // to fault in and clear) than the first, so the tool that
            // uploaded second would be slowed by the one before.
            if *op == "upload" {
                drop(server.take());
                server = Some(start_fake(&root)?);
            }
            let Some((_, url)) = &server else {
                return Err(format!("step {i} runs before an upload"));
            };
            let _ = std::fs::remove_file(&out);
            eprintln!("run {run}/{runs}: {tool}: {op} ...");
            let env = [(names[0], url.as_str()), (names[1], TOKEN)];
            let (wall, rss_kib) = measure(cmd, &env)?;
            if *op == "download" && !same_content(&data, &out)? {
                return Err(format!(
                    "{tool}: the downloaded file differs from the upload"
                ));
            }
            eprintln!(
                "  {:.2} s, {:.0} MiB",
                wall.as_secs_f64(),
                rss_kib as f64 / 1024.0
            );
            m.push((wall, rss_kib));
        }
    }
    drop(server);
    let _ = std::fs::remove_file(&out);
    let rows: Vec<Row> = steps
        .iter()
        .zip(measured)
        .map(|((tool, op, ..), m)| Row {
            tool,
            op,
            wall: median(m.iter().map(|x| x.0).collect()),
            rss_kib: median(m.iter().map(|x| x.1).collect()),
        })
        .collect();

    let mib = (SIZE >> 20) as f64;
    println!(
        "1 GiB through the fake server (each transfer its own process; medians of {runs} runs)"
    );
    println!("| tool | transfer | time | throughput | peak memory |");
    println!("| --- | --- | ---: | ---: | ---: |");
    for r in &rows {
        println!(
            "| {} | {} | {:.2} s | {:.0} MiB/s | {:.0} MiB |",
            r.tool,
            r.op,
            r.wall.as_secs_f64(),
            mib / r.wall.as_secs_f64(),
            r.rss_kib as f64 / 1024.0
        );
    }
    for op in ["upload", "download"] {
        let ours = rows
            .iter()
            .find(|r| r.op == op && r.tool.starts_with("ours"));
        let theirs = rows
            .iter()
            .find(|r| r.op == op && r.tool.starts_with("Python"));
        if let (Some(o), Some(t)) = (ours, theirs) {
            println!(
                "{op}: {:.1}x the throughput, {:.2}x the peak memory",
                t.wall.as_secs_f64() / o.wall.as_secs_f64(),
                o.rss_kib as f64 / t.rss_kib as f64
            );
        }
    }
    Ok(())
}
