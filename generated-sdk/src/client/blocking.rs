//! A blocking client for scripts (feature `blocking`): the same routes, run
//! to completion on a runtime of the client's own.
//!
//! ```no_run
//! use dropbox::client::{Blocking, Credentials, UserClient};
//!
//! let client = Blocking::new(UserClient::new(Credentials::access_token("...")))?;
//! let usage = dropbox::users::blocking::get_space_usage(&client)?;
//! println!("{} bytes used", usage.used);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Do not use it inside an async runtime: call the async routes there.

use super::{DownloadBody, Error};

/// A client of any kind (`UserClient`, `TeamClient`, ...) with a runtime
/// that runs each call to completion.
#[derive(Debug)]
pub struct Blocking<C> {
    client: C,
    runtime: tokio::runtime::Runtime,
}

impl<C> Blocking<C> {
    /// Wrap a client; fails only when the OS refuses the runtime's
    /// resources.
    pub fn new(client: C) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Blocking { client, runtime })
    }

    /// The async client inside.
    pub fn client(&self) -> &C {
        &self.client
    }

    /// Run a future (a route call, a body read) to completion.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// A download's whole content.
    pub fn read_body(&self, body: DownloadBody) -> Result<Vec<u8>, Error<()>> {
        self.block_on(body.bytes())
    }

    /// Write a download's content to `w` as it arrives; the bytes written.
    pub fn copy_body(
        &self,
        mut body: DownloadBody,
        w: &mut impl std::io::Write,
    ) -> Result<u64, Error<()>> {
        let route = body.route();
        let mut n = 0;
        while let Some(chunk) = self.block_on(body.chunk())? {
            w.write_all(&chunk)
                .map_err(|source| Error::Io { route, source })?;
            n += chunk.len() as u64;
        }
        Ok(n)
    }
}
