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

/// Build the SDK's examples and the quickstart once, with every feature as
/// the README's test command has them, so that the build reuses what
/// `cargo test` already made instead of making a second SDK.
fn build_examples() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "build",
            "--quiet",
            "--all-features",
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

    // dbx: put (a session: 20 MiB, over one 16 MiB chunk), ls, get, share,
    // search; then watch sees a change made while it waits.
    let big: Vec<u8> = (0..20u32 << 20).map(|i| (i % 251) as u8).collect();
    let big_path = dir.join("big.bin");
    std::fs::write(&big_path, &big).unwrap();
    let out = run(
        &fake,
        "dbx",
        &["put", big_path.to_str().unwrap(), "/Big/big.bin"],
    )
    .await;
    assert!(
        out.starts_with("/Big/big.bin: 20971520 bytes, rev "),
        "{out}"
    );
    assert_eq!(fake.file("/big/big.bin").unwrap().to_vec(), big);
    let out = run(&fake, "dbx", &["ls", "/big"]).await;
    assert_eq!(out.trim(), "20971520  /Big/big.bin");
    let got = dir.join("got.bin");
    let out = run(
        &fake,
        "dbx",
        &["get", "/big/big.bin", got.to_str().unwrap()],
    )
    .await;
    assert!(out.contains(&fake_dropbox::content_hash(&big)), "{out}");
    assert_eq!(std::fs::read(&got).unwrap(), big);
    let out = run(&fake, "dbx", &["share", "/big/big.bin"]).await;
    assert!(out.starts_with("https://www.dropbox.com/scl/fi/"), "{out}");
    let out = run(&fake, "dbx", &["search", "big"]).await;
    assert!(out.contains("/Big/big.bin"), "{out}");
    let watched = watch_one_change(&fake).await;
    assert!(watched.contains("/Watched/new.txt"), "{watched}");

    std::fs::remove_dir_all(&dir).ok();
}

/// `dbx watch /`: a file written while it waits shows up on its output.
async fn watch_one_change(fake: &RunningFake) -> String {
    use std::io::BufRead as _;
    let mut child = Command::new(examples_dir().join("dbx"))
        .args(["watch", "/"])
        .env("DROPBOX_TOKEN", "ex-token")
        .env("DROPBOX_BASE_URL", fake.base_url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Its lines up to the file's (its folder, new too, may come first).
    let line = tokio::task::spawn_blocking(move || {
        let mut seen = String::new();
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line?;
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("new.txt") {
                break;
            }
        }
        Ok::<String, std::io::Error>(seen)
    });
    // Time for it to take its cursor and start its long poll.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    fake.put_file("/Watched/new.txt", b"hi".to_vec()).unwrap();
    let line = tokio::time::timeout(std::time::Duration::from_secs(30), line).await;
    let _ = child.kill();
    let _ = child.wait();
    line.expect("a change within 30 s").unwrap().unwrap()
}

/// The examples the test above runs, against `generated-sdk/examples`:
/// a new example must be added to a test here.
#[test]
fn every_example_program_is_run_by_a_test() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../generated-sdk/examples");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "dbx",
            "list_and_download",
            "search",
            "share_link",
            "typed_errors",
            "upload_file",
            "webhook_server"
        ]
    );
}

/// The webhook example: it answers Dropbox's challenge and accepts only
/// notifications signed with the app secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_example_checks_signatures() {
    tokio::task::spawn_blocking(build_examples).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(examples_dir().join("webhook_server"))
        .arg(&addr)
        .env("DROPBOX_APP_SECRET", "s3cret")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let url = format!("http://{addr}/webhook");
    let mut challenge = None;
    for _ in 0..100 {
        if let Ok(r) = http.get(format!("{url}?challenge=abc123")).send().await {
            challenge = Some((r.status().as_u16(), r.text().await.unwrap()));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let body = br#"{"list_folder": {"accounts": ["dbid:1"]}}"#.to_vec();
    let signed = http
        .post(&url)
        .header(
            "X-Dropbox-Signature",
            dropbox::webhook::signature("s3cret", &body),
        )
        .body(body.clone())
        .send()
        .await
        .map(|r| r.status().as_u16());
    let forged = http
        .post(&url)
        .header(
            "X-Dropbox-Signature",
            dropbox::webhook::signature("other", &body),
        )
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(challenge, Some((200, "abc123".to_string())));
    assert_eq!(signed.unwrap(), 200);
    assert_eq!(forged.unwrap(), 403);
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
