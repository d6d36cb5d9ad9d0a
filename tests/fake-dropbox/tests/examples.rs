//! Every example program of the SDK (generated-sdk/examples) and the
//! quickstart, run as their own processes against the fake server, checked
//! by their output and by the fake's state.

use fake_dropbox::{FakeDropbox, RunningFake};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/debug/examples`, next to this test's own executable.
fn examples_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .and_then(Path::parent)
        .unwrap()
        .join("examples")
}

/// Build the SDK's examples and the quickstart once.
fn build_examples() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "build",
            "--quiet",
            "-p",
            "dropbox",
            "--examples",
            "-p",
            "fake-dropbox",
            "--example",
            "quickstart",
        ])
        .status()
        .unwrap();
    assert!(status.success(), "the examples build");
}

/// Run an example with the fake's URL and token; its stdout.
async fn run(fake: &RunningFake, name: &str, args: &[&str]) -> String {
    let exe = examples_dir().join(name);
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let url = fake.base_url();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&exe)
            .args(&args)
            .env("DROPBOX_TOKEN", "ex-token")
            .env("DROPBOX_BASE_URL", url)
            .env_remove("DROPBOX_REFRESH_TOKEN")
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", exe.display()))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_runs_against_the_fake() {
    tokio::task::spawn_blocking(build_examples).await.unwrap();
    let fake = FakeDropbox::builder()
        .token("ex-token")
        .start()
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("fake-dropbox-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let local = dir.join("notes.txt");
    std::fs::write(&local, b"meeting notes\n").unwrap();

    // upload_file: add with autorename, so a second upload gets a new name.
    let out = run(
        &fake,
        "upload_file",
        &[local.to_str().unwrap(), "/Work/notes.txt"],
    )
    .await;
    assert!(
        out.starts_with("uploaded /Work/notes.txt (14 bytes"),
        "{out}"
    );
    assert_eq!(
        fake.file("/work/notes.txt").unwrap().to_vec(),
        b"meeting notes\n"
    );
    std::fs::write(&local, b"other notes\n").unwrap();
    let out = run(
        &fake,
        "upload_file",
        &[local.to_str().unwrap(), "/Work/notes.txt"],
    )
    .await;
    assert!(out.starts_with("uploaded /Work/notes (1).txt"), "{out}");

    // list_and_download: lists, downloads the newest file.
    let down = dir.join("down");
    std::fs::create_dir_all(&down).unwrap();
    let out = run(
        &fake,
        "list_and_download",
        &["/work", down.to_str().unwrap()],
    )
    .await;
    assert!(
        out.contains("notes.txt") && out.contains("1 page(s)"),
        "{out}"
    );
    assert!(out.contains("downloaded the newest file"), "{out}");

    // share_link: a link, then the same link again on shared_link_already_exists.
    let first = run(&fake, "share_link", &["/work/notes.txt"]).await;
    let second = run(&fake, "share_link", &["/work/notes.txt"]).await;
    assert!(
        first.starts_with("notes.txt: https://www.dropbox.com/scl/fi/"),
        "{first}"
    );
    assert_eq!(first, second);

    // search: both files match by name.
    let out = run(&fake, "search", &["notes"]).await;
    assert!(out.ends_with("2 match(es)\n"), "{out}");

    // typed_errors: not found, typed.
    let out = run(&fake, "typed_errors", &["/no/such/file"]).await;
    assert_eq!(out, "/no/such/file does not exist\n");

    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickstart_embeds_a_fake_without_credentials() {
    tokio::task::spawn_blocking(build_examples).await.unwrap();
    let exe = examples_dir().join("quickstart");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(exe)
            .env_remove("DROPBOX_TOKEN")
            .env_remove("DROPBOX_REFRESH_TOKEN")
            .env_remove("DROPBOX_APP_KEY")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("no DROPBOX_TOKEN: using an embedded fake Dropbox"),
        "{stdout}"
    );
    assert!(stdout.contains("downloaded: Hello from Rust!"), "{stdout}");
    assert!(stdout.contains("not found, as expected"), "{stdout}");

    // With a token it talks to the server DROPBOX_BASE_URL names (here a
    // fake standing in for Dropbox): the credentials path is taken.
    let fake = FakeDropbox::builder().token("real").start().await.unwrap();
    let exe = examples_dir().join("quickstart");
    let url = fake.base_url();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(exe)
            .env("DROPBOX_TOKEN", "real")
            .env("DROPBOX_BASE_URL", url)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("using your Dropbox"), "{stdout}");
    assert_eq!(
        fake.file("/quickstart/hello.txt").unwrap().to_vec(),
        b"Hello from Rust!\n"
    );
}
