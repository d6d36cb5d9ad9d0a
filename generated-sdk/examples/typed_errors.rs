//! Handle typed errors: a path that is not there, and rate limiting.
//! `cargo run --example typed_errors -- /no/such/file`.

mod common;

use dropbox::files::{GetMetadataArg, GetMetadataError, LookupError};
use dropbox::Error;

#[tokio::main]
async fn main() {
    let args = common::args(1, "typed_errors /DROPBOX/PATH");
    let client = common::client();
    match dropbox::files::get_metadata(&client, &GetMetadataArg::new(args[0].clone())).await {
        Ok(meta) => println!("found {}", meta.name()),
        // The route's own error, typed: match on what you can act on.
        Err(Error::Route {
            error: GetMetadataError::Path(LookupError::NotFound),
            ..
        }) => {
            println!("{} does not exist", args[0]);
        }
        Err(Error::Route {
            error: GetMetadataError::Path(other),
            summary,
            ..
        }) => {
            println!("cannot look at {}: {other:?} ({summary})", args[0]);
        }
        // Retries are on by default; past them, Dropbox says how long to wait.
        Err(Error::RateLimit {
            retry_after,
            reason,
            ..
        }) => {
            println!(
                "rate limited ({reason:?}): try again in {} s",
                retry_after.as_secs()
            );
        }
        Err(Error::Auth { error, .. }) => println!("the token was refused: {error:?}"),
        Err(other) => println!("failed: {other}"),
    }
}
