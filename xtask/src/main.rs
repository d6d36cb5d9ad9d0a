//! `cargo xtask <command>`: the project's tasks.
//!
//! - `summary SPEC...`   the IR summary of a spec set (JSON), or its errors
//! - `examples SPEC...`  every example of every data type, one JSON a line
//! - `diff OLD NEW`      the API changes between two spec sets, and the semver bump
//! - `bench`             front-end speed against Stone 3.5.5
//! - `fake-dropbox`      a fake Dropbox server in the foreground

mod bench;
mod bench_compile;
mod bench_transfer;
mod check_sdk;
mod diff;
mod fake_dropbox;
mod regen;

// The front end allocates many small strings and vectors; mimalloc makes
// that a third cheaper than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <summary|examples> SPEC_DIR_OR_FILES...\n       cargo xtask diff OLD NEW [--format markdown|json] [--repo DIR]\n       cargo xtask regen [--check] [--from OLD]\n       cargo xtask check-sdk\n       cargo xtask bench [--runs N] | bench compile | bench transfer [--runs N]\n       cargo xtask fake-dropbox [--addr 127.0.0.1:PORT] [--token TOKEN]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match cmd.as_str() {
        // The summary reads no examples: it is written while they are checked.
        "summary" => front_end(rest, true, stone::summary::summary_alone),
        "examples" => front_end(rest, false, stone::summary::examples_jsonl),
        "bench" => bench::run(rest),
        "diff" => diff::run(rest),
        "regen" => regen::run(rest),
        "check-sdk" => check_sdk::run(rest),
        "fake-dropbox" => fake_dropbox::run(rest),
        _ => {
            eprintln!("unknown command {cmd:?}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Compile a spec set and print what `render` makes of its IR (`early`:
/// made before the examples are checked, and without their values, see
/// `stone::check_with`); on a bad spec, print the first error as JSON on
/// stdout (as Stone's script does), every error with its source line on
/// stderr, and exit 1.
fn front_end(specs: &[String], early: bool, render: fn(&stone::ir::Api) -> String) -> ExitCode {
    if specs.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let files = match stone::load_spec_set(specs) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let compiled = if early {
        stone::check_with(&files, render)
    } else {
        stone::compile(&files).map(|api| {
            let text = render(&api);
            (api, text)
        })
    };
    match compiled {
        Ok((api, text)) => {
            write_out(&text);
            // The process ends here: freeing the IR piece by piece would
            // only cost time.
            std::mem::forget(api);
            std::mem::forget(files);
            ExitCode::SUCCESS
        }
        Err(errors) => {
            println!(
                "{}",
                stone::pyjson::to_pretty(&errors.first_as_json(&files))
            );
            eprint!("{}", errors.render(&files));
            ExitCode::from(1)
        }
    }
}

/// All of the output in one write (stdout is line-buffered: the summary
/// has 80,000 lines).
fn write_out(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    // A pipe holds 64 KiB by default: the summary (1.8 MB) went through
    // it in some thirty rounds of the reader waking up to drain it while
    // this process waited. Grown (never shrunk: others may write to it
    // too) to the text's size up to 4 MiB, or to the most Linux lets an
    // unprivileged process ask for (1 MiB by default); on anything but a
    // pipe the calls fail, which is no matter.
    #[cfg(target_os = "linux")]
    if let Ok(now) = rustix::pipe::fcntl_getpipe_size(&out) {
        let want = text.len().min(4 << 20);
        if want > now && rustix::pipe::fcntl_setpipe_size(&out, want).is_err() {
            let _ = rustix::pipe::fcntl_setpipe_size(&out, want.min(1 << 20).max(now));
        }
    }
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`| head`) is not an error worth a panic.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: writing output: {e}");
        }
    }
}
