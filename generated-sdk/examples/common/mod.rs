//! What every example shares: a client from the environment.
//!
//! - `DROPBOX_TOKEN`: an access token; or `DROPBOX_REFRESH_TOKEN` with
//!   `DROPBOX_APP_KEY` (and `DROPBOX_APP_SECRET` unless the app uses PKCE);
//! - `DROPBOX_BASE_URL` (optional): one server for all hosts, e.g. a local
//!   fake Dropbox.

use dropbox::client::{Config, Credentials, UserClient};

pub fn client() -> UserClient {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut config = Config::default().with_user_agent("dropbox-rust-examples/0.1");
    if let Some(url) = var("DROPBOX_BASE_URL") {
        config = config.with_base_urls(url);
    }
    let credentials = if let Some(token) = var("DROPBOX_TOKEN") {
        Credentials::access_token(token)
    } else if let (Some(refresh), Some(key)) =
        (var("DROPBOX_REFRESH_TOKEN"), var("DROPBOX_APP_KEY"))
    {
        let c = Credentials::refresh_token(refresh, key);
        match var("DROPBOX_APP_SECRET") {
            Some(secret) => c.with_app_secret(secret),
            None => c,
        }
    } else {
        eprintln!("set DROPBOX_TOKEN, or DROPBOX_REFRESH_TOKEN and DROPBOX_APP_KEY");
        std::process::exit(2);
    };
    UserClient::with_config(credentials, config)
}

/// The command line's arguments after the program's name, or the usage.
pub fn args(count: usize, usage: &str) -> Vec<String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < count {
        eprintln!("usage: {usage}");
        std::process::exit(2);
    }
    args
}
