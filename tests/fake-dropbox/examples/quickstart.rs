//! The SDK in five calls: `cargo run --example quickstart`.
//!
//! With `DROPBOX_TOKEN` (or `DROPBOX_REFRESH_TOKEN` and `DROPBOX_APP_KEY`,
//! plus `DROPBOX_APP_SECRET` unless the app uses PKCE) it talks to your
//! Dropbox; without them, to a fake Dropbox started inside this program,
//! so that it runs anywhere.

use dropbox::client::{Config, Credentials, UserClient};
use dropbox::files::{
    DownloadArg, GetMetadataArg, GetMetadataError, ListFolderArg, LookupError, UploadArg, WriteMode,
};

fn var(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

/// Credentials from the environment, if there are any.
fn credentials() -> Option<Credentials> {
    if let Some(token) = var("DROPBOX_TOKEN") {
        return Some(Credentials::access_token(token));
    }
    let (refresh, key) = (var("DROPBOX_REFRESH_TOKEN")?, var("DROPBOX_APP_KEY")?);
    let c = Credentials::refresh_token(refresh, key);
    Some(match var("DROPBOX_APP_SECRET") {
        Some(secret) => c.with_app_secret(secret),
        None => c,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive to the end of main: dropping it stops the fake server.
    let mut _fake = None;
    let client = match credentials() {
        Some(credentials) => {
            let mut config = Config::default();
            if let Some(url) = var("DROPBOX_BASE_URL") {
                config = config.with_base_urls(url);
            }
            println!("using your Dropbox");
            UserClient::with_config(credentials, config)
        }
        None => {
            let fake = fake_dropbox::FakeDropbox::builder()
                .token("quickstart")
                .start()
                .await?;
            println!(
                "no DROPBOX_TOKEN: using an embedded fake Dropbox at {}",
                fake.base_url()
            );
            let client = UserClient::with_config(
                Credentials::access_token("quickstart"),
                fake.client_config(),
            );
            _fake = Some(fake);
            client
        }
    };

    let account = dropbox::users::get_current_account(&client).await?;
    println!("hello, {}", account.name.display_name);

    let arg = UploadArg::new("/quickstart/hello.txt".into()).with_mode(WriteMode::Overwrite);
    let meta = dropbox::files::upload(&client, &arg, b"Hello from Rust!\n".to_vec()).await?;
    println!(
        "uploaded {} ({} bytes, rev {})",
        meta.name, meta.size, meta.rev
    );

    let list =
        dropbox::files::list_folder(&client, &ListFolderArg::new("/quickstart".into())).await?;
    for entry in &list.entries {
        println!("  {}", entry.name());
    }

    let download =
        dropbox::files::download(&client, &DownloadArg::new(meta.id.clone()), None).await?;
    let text = String::from_utf8(download.body.bytes().await?)?;
    println!("downloaded: {}", text.trim_end());

    match dropbox::files::get_metadata(&client, &GetMetadataArg::new("/quickstart/missing".into()))
        .await
    {
        Err(dropbox::Error::Route {
            error: GetMetadataError::Path(LookupError::NotFound),
            ..
        }) => println!("/quickstart/missing: not found, as expected"),
        other => println!("/quickstart/missing: {other:?}"),
    }
    Ok(())
}
