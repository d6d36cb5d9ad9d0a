//! Search file names and contents: `cargo run --example search -- QUERY`.

mod common;

use dropbox::files::{Metadata, MetadataV2, SearchOptions, SearchV2Arg, SearchV2ContinueArg};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::args(1, "search QUERY");
    let client = common::client();
    let arg =
        SearchV2Arg::new(args[0].clone()).with_options(SearchOptions::new().with_max_results(50));
    let mut page = dropbox::files::search_v2(&client, &arg).await?;
    let mut found = 0;
    loop {
        for m in &page.matches {
            if let MetadataV2::Metadata(meta) = &m.metadata {
                let kind = match meta {
                    Metadata::File(_) => "file",
                    Metadata::Folder(_) => "folder",
                    Metadata::Deleted(_) => "deleted",
                    _ => "other",
                };
                println!(
                    "{kind:7} {}",
                    meta.path_display().as_deref().unwrap_or(meta.name())
                );
                found += 1;
            }
        }
        match (&page.cursor, page.has_more) {
            (Some(cursor), true) => {
                page = dropbox::files::search_continue_v2(
                    &client,
                    &SearchV2ContinueArg::new(cursor.clone()),
                )
                .await?;
            }
            _ => break,
        }
    }
    println!("{found} match(es)");
    Ok(())
}
