//! Upload a local file: `cargo run --example upload_file -- LOCAL /dropbox/path`.
//!
//! The file is streamed from disk (and sent again from its start if a
//! retry is needed). Up to 150 MiB per request: larger files go through an
//! upload session.

mod common;

use dropbox::client::UploadBody;
use dropbox::files::{UploadArg, WriteMode};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::args(2, "upload_file LOCAL_FILE /DROPBOX/PATH");
    let client = common::client();
    let arg = UploadArg::new(args[1].clone())
        .with_mode(WriteMode::Add)
        .with_autorename(true);
    let meta = dropbox::files::upload(&client, &arg, UploadBody::file(&args[0])).await?;
    println!(
        "uploaded {} ({} bytes, rev {}, content_hash {})",
        meta.path_display.as_deref().unwrap_or(&meta.name),
        meta.size,
        meta.rev,
        meta.content_hash.as_deref().unwrap_or("-")
    );
    Ok(())
}
