//! `fake-dropbox --addr 127.0.0.1:PORT`: the fake Dropbox server in the
//! foreground (`cargo xtask fake-dropbox` runs it), until interrupted.

use std::process::ExitCode;

const USAGE: &str = "usage: fake-dropbox [--addr 127.0.0.1:PORT] [--token TOKEN]";

#[tokio::main]
async fn main() -> ExitCode {
    let mut addr = "127.0.0.1:8765".to_string();
    let mut token = "fake-token".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let slot = match a.as_str() {
            "--addr" => &mut addr,
            "--token" => &mut token,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => {
                eprintln!("unknown argument {a:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        let Some(v) = args.next() else {
            eprintln!("{a} needs a value\n{USAGE}");
            return ExitCode::from(2);
        };
        *slot = v;
    }
    let Ok(addr) = addr.parse() else {
        eprintln!("--addr: {addr:?} is not an address like 127.0.0.1:8765");
        return ExitCode::from(2);
    };
    let fake = match fake_dropbox::FakeDropbox::builder()
        .token(token.clone())
        .app("fake-app-key", "fake-app-secret")
        .refresh_token("fake-refresh-token", "fake-app-key")
        .start_on(addr)
        .await
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The token is the fake's own, printed on purpose: it is useless elsewhere.
    println!("fake Dropbox listening on {}", fake.base_url());
    println!("  DROPBOX_BASE_URL={}", fake.base_url());
    println!("  DROPBOX_TOKEN={token}");
    println!("  or DROPBOX_REFRESH_TOKEN=fake-refresh-token DROPBOX_APP_KEY=fake-app-key DROPBOX_APP_SECRET=fake-app-secret");
    println!("routes: {}", fake_dropbox::implemented_routes().join(", "));
    println!("Ctrl-C to stop");
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
