//! `dbx`: a small Dropbox command line on the SDK's helpers.
//!
//! ```text
//! cargo run --example dbx -- ls [/folder]
//! cargo run --example dbx -- get /dropbox/file [LOCAL]
//! cargo run --example dbx -- put LOCAL /dropbox/file
//! cargo run --example dbx -- share /dropbox/path
//! cargo run --example dbx -- search QUERY
//! cargo run --example dbx -- watch [/folder]
//! ```
//!
//! Transfers show a progress bar on stderr. The client comes from
//! `DROPBOX_TOKEN` (and optionally `DROPBOX_BASE_URL`), as for every example.

mod common;

use dropbox::files::{self, CommitInfo, ListFolderArg, ListFolderContinueArg, Metadata, WriteMode};
use dropbox::transfer::{DownloadOptions, Progress, UploadOptions};
use futures_util::StreamExt;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const USAGE: &str = "dbx ls [/FOLDER] | get /PATH [LOCAL] | put LOCAL /PATH | share /PATH | search QUERY | watch [/FOLDER]";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::args(1, USAGE);
    let client = common::client();
    let arg = |i: usize| args.get(i).cloned();
    match (args[0].as_str(), arg(1), arg(2)) {
        ("ls", folder, None) => ls(&client, &api_path(folder.as_deref().unwrap_or(""))).await,
        ("get", Some(remote), local) => {
            let name = remote.rsplit('/').next().unwrap_or("download").to_string();
            get(&client, &remote, &local.unwrap_or(name)).await
        }
        ("put", Some(local), Some(remote)) => put(&client, &local, &remote).await,
        ("share", Some(path), None) => share(&client, &path).await,
        ("search", Some(query), None) => search(&client, &query).await,
        ("watch", folder, None) => watch(&client, &api_path(folder.as_deref().unwrap_or(""))).await,
        _ => {
            eprintln!("usage: {USAGE}");
            std::process::exit(2);
        }
    }
}

/// The API names the root "", not "/".
fn api_path(p: &str) -> String {
    if p == "/" {
        String::new()
    } else {
        p.to_string()
    }
}

fn describe(entry: &Metadata) -> String {
    let path = entry
        .path_display()
        .clone()
        .unwrap_or_else(|| entry.name().clone());
    match entry {
        Metadata::File(f) => format!("{:>12}  {path}", f.size),
        Metadata::Folder(_) => format!("{:>12}  {path}/", "-"),
        Metadata::Deleted(_) => format!("{:>12}  {path}", "deleted"),
        #[allow(unreachable_patterns)]
        _ => format!("{:>12}  {path}", "?"),
    }
}

async fn ls(
    client: &dropbox::client::UserClient,
    folder: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut page = files::list_folder(client, &ListFolderArg::new(folder.to_string())).await?;
    loop {
        for entry in &page.entries {
            println!("{}", describe(entry));
        }
        if !page.has_more {
            return Ok(());
        }
        let next = ListFolderContinueArg::new(page.cursor.clone());
        page = files::list_folder_continue(client, &next).await?;
    }
}

async fn get(
    client: &dropbox::client::UserClient,
    remote: &str,
    local: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let bar = ProgressBar::new(format!("get {remote}"));
    // A range per core (at least two): each range's content is hashed as
    // it arrives, so more ranges than cores only compete for them.
    let ranges = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let options = DownloadOptions::default()
        .with_parallel_ranges(32 << 20, ranges)
        .with_progress(move |p| bar.draw(p));
    let meta = dropbox::transfer::download_file(client, remote, local, &options).await?;
    eprintln!();
    println!(
        "{local}: {} bytes, content_hash {}",
        meta.size,
        meta.content_hash.unwrap_or_default()
    );
    Ok(())
}

async fn put(
    client: &dropbox::client::UserClient,
    local: &str,
    remote: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let bar = ProgressBar::new(format!("put {local}"));
    let options = UploadOptions::default().with_progress(move |p| bar.draw(p));
    let commit = CommitInfo::new(remote.to_string())
        .with_mode(WriteMode::Add)
        .with_autorename(true);
    let meta = dropbox::transfer::upload_file(client, local, commit, &options).await?;
    eprintln!();
    println!(
        "{}: {} bytes, rev {}",
        meta.path_display.as_deref().unwrap_or(&meta.name),
        meta.size,
        meta.rev
    );
    Ok(())
}

async fn share(
    client: &dropbox::client::UserClient,
    path: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use dropbox::sharing::{
        CreateSharedLinkWithSettingsArg, CreateSharedLinkWithSettingsError, ListSharedLinksArg,
        SharedLinkAlreadyExistsMetadata,
    };
    let arg = CreateSharedLinkWithSettingsArg::new(path.to_string());
    let link = match dropbox::sharing::create_shared_link_with_settings(client, &arg).await {
        Ok(link) => link,
        Err(dropbox::Error::Route {
            error:
                CreateSharedLinkWithSettingsError::SharedLinkAlreadyExists(Some(
                    SharedLinkAlreadyExistsMetadata::Metadata(link),
                )),
            ..
        }) => link,
        Err(dropbox::Error::Route {
            error: CreateSharedLinkWithSettingsError::SharedLinkAlreadyExists(_),
            ..
        }) => {
            let arg = ListSharedLinksArg::new()
                .with_path(path.to_string())
                .with_direct_only(true);
            let links = dropbox::sharing::list_shared_links(client, &arg).await?;
            links
                .links
                .into_iter()
                .next()
                .ok_or("a link exists but none is listed")?
        }
        Err(e) => return Err(e.into()),
    };
    println!("{}", link.url());
    Ok(())
}

async fn search(
    client: &dropbox::client::UserClient,
    query: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let result = files::search_v2(client, &files::SearchV2Arg::new(query.to_string())).await?;
    for m in &result.matches {
        if let files::MetadataV2::Metadata(meta) = &m.metadata {
            println!("{}", describe(meta));
        }
    }
    if result.has_more {
        println!("(more matches: refine the query)");
    }
    Ok(())
}

async fn watch(
    client: &dropbox::client::UserClient,
    folder: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let folder = ListFolderArg::new(folder.to_string()).with_recursive(true);
    eprintln!(
        "watching {} (Ctrl-C to stop)",
        if folder.path.is_empty() {
            "/"
        } else {
            &folder.path
        }
    );
    let changes = dropbox::watch::watch(client, folder, dropbox::watch::WatchOptions::default());
    let mut changes = std::pin::pin!(changes);
    while let Some(page) = changes.next().await {
        for entry in page? {
            println!("{}", describe(&entry));
        }
    }
    Ok(())
}

/// A one-line bar on stderr, redrawn at most ten times a second.
struct ProgressBar {
    label: String,
    started: Instant,
    last_drawn: Mutex<Option<Instant>>,
}

impl ProgressBar {
    fn new(label: String) -> Self {
        ProgressBar {
            label,
            started: Instant::now(),
            last_drawn: Mutex::new(None),
        }
    }

    fn draw(&self, p: Progress) {
        let mut last = self.last_drawn.lock().unwrap_or_else(|e| e.into_inner());
        let finished = p.total == Some(p.done);
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) && !finished {
            return;
        }
        *last = Some(Instant::now());
        const WIDTH: usize = 30;
        let mib = |b: u64| b as f64 / (1 << 20) as f64;
        let rate = mib(p.done) / self.started.elapsed().as_secs_f64().max(1e-3);
        let line = match p.total {
            Some(total) if total > 0 => {
                let filled = (p.done.min(total) as f64 / total as f64 * WIDTH as f64) as usize;
                format!(
                    "{} [{}{}] {:5.1}% {:.1}/{:.1} MiB {:.1} MiB/s",
                    self.label,
                    "#".repeat(filled),
                    ".".repeat(WIDTH - filled),
                    p.done as f64 * 100.0 / total as f64,
                    mib(p.done),
                    mib(total),
                    rate
                )
            }
            _ => format!("{} {:.1} MiB {:.1} MiB/s", self.label, mib(p.done), rate),
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
    }
}
