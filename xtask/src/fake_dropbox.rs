//! `cargo xtask fake-dropbox [--addr 127.0.0.1:PORT]`: run the fake Dropbox
//! server (tests/fake-dropbox) in the foreground.
//!
//! It runs the crate's own binary through cargo rather than linking the
//! server into xtask: xtask must keep building (to regenerate the SDK) even
//! when the generated SDK does not compile.

use std::process::{Command, ExitCode};

pub fn run(args: &[String]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "run",
            "--quiet",
            "--package",
            "fake-dropbox",
            "--bin",
            "fake-dropbox",
            "--",
        ])
        .args(args)
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
