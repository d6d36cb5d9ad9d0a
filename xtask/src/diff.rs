//! `cargo xtask diff OLD NEW [--format markdown|json] [--repo DIR]`: the API
//! changes between two spec sets and what they mean for the Rust SDK
//! (`stone::diff`). Each side is a directory of `.stone` files (or one
//! file) or, where no such path exists, a git revision of the spec
//! repository (`--repo`, by default the `stone-specs` submodule), read with
//! `git ls-tree` and `git cat-file` without checking anything out.

use crate::bench::workspace_root;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "usage: cargo xtask diff OLD NEW [--format markdown|json] [--repo DIR]\n  OLD, NEW: a directory of .stone files, or a git revision of the spec repository (--repo, default stone-specs/)";

pub fn run(args: &[String]) -> ExitCode {
    let mut sides = vec![];
    let mut json = false;
    let mut repo = workspace_root().join("stone-specs");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => match it.next().map(String::as_str) {
                Some("json") => json = true,
                Some("markdown") => json = false,
                other => {
                    eprintln!("diff: --format takes markdown or json, not {other:?}\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--repo" => match it.next() {
                Some(dir) => repo = PathBuf::from(dir),
                None => {
                    eprintln!("diff: --repo takes a directory\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            _ if a.starts_with("--") => {
                eprintln!("diff: unknown option {a:?}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => sides.push(a.clone()),
        }
    }
    let [old, new] = sides.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let (old_api, new_api) = match (compile_side(old, &repo), compile_side(new, &repo)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            eprint!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let diff = stone::diff::diff(&old_api, &new_api);
    let text = if json {
        stone::diff::render::json(&diff)
    } else {
        stone::diff::render::markdown(&diff, old, new)
    };
    crate::write_out(&text);
    ExitCode::SUCCESS
}

/// One side's IR; on a bad spec, every error rendered (`file:line:col:
/// message` with its source line), under a line naming the side.
pub fn compile_side(spec: &str, repo: &Path) -> Result<stone::ir::Api, String> {
    let files = load_side(spec, repo)?;
    stone::compile(&files).map_err(|e| format!("diff: {spec} has errors:\n{}", e.render(&files)))
}

/// A path's spec files, or a git revision's.
fn load_side(spec: &str, repo: &Path) -> Result<Vec<stone::source::SourceFile>, String> {
    if Path::new(spec).exists() {
        return stone::load_spec_set(&[spec]).map_err(|e| format!("diff: {e}\n"));
    }
    spec_at_revision(repo, spec).map_err(|why| {
        format!(
            "diff: {spec:?} is neither a directory nor a revision of the git repository {}: {why}\n",
            repo.display()
        )
    })
}

/// The `*.stone` files at the top of `rev`'s tree, in name order (as a
/// directory's are taken), each named `rev:file.stone` in messages.
pub fn spec_at_revision(repo: &Path, rev: &str) -> Result<Vec<stone::source::SourceFile>, String> {
    // An empty submodule directory lies inside the superproject: git would
    // answer for that repository instead. Only a repository's own top counts.
    let top = git(repo, &["rev-parse", "--show-toplevel"], None)?;
    let same = |a: &Path, b: &Path| a.canonicalize().ok() == b.canonicalize().ok();
    if !same(Path::new(top.trim()), repo) {
        return Err(format!(
            "{} is not a git repository of its own",
            repo.display()
        ));
    }
    if rev.starts_with('-') {
        return Err("a revision does not start with '-'".into());
    }
    let commit = git(
        repo,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
        None,
    )
    .map_err(|_| "no such revision".to_string())?;
    let listing = git(repo, &["ls-tree", "-z", commit.trim()], None)?;
    // `<mode> blob <sha>\t<name>`, NUL-separated.
    let mut blobs: Vec<(String, String)> = listing
        .split('\0')
        .filter_map(|entry| {
            let (meta, name) = entry.split_once('\t')?;
            let mut meta = meta.split(' ');
            let (_mode, kind, sha) = (meta.next()?, meta.next()?, meta.next()?);
            (kind == "blob" && name.ends_with(".stone"))
                .then(|| (name.to_string(), sha.to_string()))
        })
        .collect();
    blobs.sort();
    if blobs.is_empty() {
        return Err(format!("revision {rev} has no .stone files"));
    }
    // One `git cat-file --batch` for every file: `<sha> blob <size>\n`, the
    // bytes, `\n` each.
    let request: String = blobs.iter().map(|(_, sha)| format!("{sha}\n")).collect();
    let out = git_bytes(repo, &["cat-file", "--batch"], Some(request.as_bytes()))?;
    let mut rest = out.as_slice();
    let mut files = vec![];
    for (name, _) in &blobs {
        let header_end = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("short git cat-file output")?;
        let header = String::from_utf8_lossy(&rest[..header_end]).into_owned();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("unexpected git cat-file header {header:?}"))?;
        let body = rest
            .get(header_end + 1..header_end + 1 + size)
            .ok_or("short git cat-file output")?;
        let text = std::str::from_utf8(body).map_err(|e| format!("{name}: not UTF-8: {e}"))?;
        files.push(stone::source::SourceFile::new(
            format!("{rev}:{name}"),
            stone::load::universal_newlines(text),
        ));
        rest = rest.get(header_end + 2 + size..).unwrap_or_default();
    }
    Ok(files)
}

fn git(repo: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<String, String> {
    git_bytes(repo, args, stdin).map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn git_bytes(repo: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running git: {e}"))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // The request is a line per file, far below a pipe's buffer: writing
        // it all before reading cannot block.
        pipe.write_all(input)
            .map_err(|e| format!("writing to git: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("running git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err
            .trim()
            .lines()
            .next()
            .unwrap_or("git failed")
            .to_string());
    }
    Ok(out.stdout)
}
