//! The fake server's integration tests, as one binary: each test binary
//! links the whole SDK, so one per file costs minutes of linking and
//! gigabytes of disk. Run one file's tests with
//! `cargo test -p fake-dropbox --test fake faults::`.

mod examples;
mod faults;
mod pagination;
mod protocol;
mod python_sdk;
mod sdk_routes;
mod transfer_helpers;
mod upload_sessions;
