//! Dropbox's official Python SDK (dropbox==12.2.4) runs the common tasks
//! against the fake server: the fake speaks Dropbox's protocol as Dropbox's
//! own client expects it.
//!
//! Needs `target/venv` with the SDK, which `.ci/run` makes:
//! `python3 -m venv target/venv && target/venv/bin/pip install dropbox==12.2.4`.

use fake_dropbox::FakeDropbox;
use std::path::PathBuf;
use std::process::Command;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv's Python, with the SDK importable: or a failure saying how to
/// make it (never a skip: a missing venv must not pass as a success).
fn python() -> PathBuf {
    let python = workspace_root().join("target/venv/bin/python");
    let how = "create it with: python3 -m venv target/venv && target/venv/bin/pip install dropbox==12.2.4 (as .ci/run does)";
    assert!(python.exists(), "{} is missing; {how}", python.display());
    let version = Command::new(&python)
        .args(["-c", "import dropbox; print(dropbox.__version__)"])
        .output()
        .expect("the venv's python runs");
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    assert_eq!(
        version, "12.2.4",
        "target/venv has no dropbox 12.2.4 (found {version:?}); {how}"
    );
    python
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_runs_the_common_tasks() {
    let python = python();
    let fake = FakeDropbox::builder()
        .token("py-token")
        .app("py-key", "py-secret")
        .refresh_token("py-refresh", "py-key")
        .start()
        .await
        .unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python_sdk.py");
    let url = fake.base_url();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("FAKE_DROPBOX_URL", url)
            .env("FAKE_DROPBOX_TOKEN", "py-token")
            .env("FAKE_DROPBOX_REFRESH_TOKEN", "py-refresh")
            .env("FAKE_DROPBOX_APP_KEY", "py-key")
            .env("FAKE_DROPBOX_APP_SECRET", "py-secret")
            .output()
            .expect("python runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the Python SDK failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.trim_end().ends_with("python sdk: all tasks passed"),
        "{stdout}"
    );
    // What the script did is in the fake's state.
    assert_eq!(
        fake.file("/py/hello.txt").unwrap().to_vec(),
        b"hello from python\n"
    );
    assert_eq!(fake.file("/py/session.bin").unwrap().len(), 2005);
    assert_eq!(
        fake.file("/py/refreshed.txt").unwrap().to_vec(),
        b"refreshed"
    );
}
