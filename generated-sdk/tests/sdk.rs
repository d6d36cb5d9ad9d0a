//! The SDK's integration tests, as one binary: each test binary links the
//! whole SDK, so fifteen of them cost minutes of linking and gigabytes of
//! disk. Run one file's tests with `cargo test -p dropbox --test sdk client_errors::`.

mod support;
#[cfg(feature = "helpers")]
mod transfer_server;

mod client_blocking;
mod client_errors;
mod client_paging;
mod client_requests;
mod client_tokens;
#[cfg(feature = "helpers")]
mod content_hash;
mod examples;
mod secrets_in_debug;
mod structs;
mod subtypes;
#[cfg(feature = "helpers")]
mod transfer_download;
#[cfg(feature = "helpers")]
mod transfer_limits;
#[cfg(feature = "helpers")]
mod transfer_roundtrip;
#[cfg(feature = "helpers")]
mod transfer_upload;
mod unions;
mod validate;
#[cfg(feature = "helpers")]
mod watch;
