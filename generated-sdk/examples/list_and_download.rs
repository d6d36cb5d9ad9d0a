//! List a folder page by page, then download its newest file:
//! `cargo run --example list_and_download -- /dropbox/folder [LOCAL_DIR]`.

mod common;

use dropbox::files::{DownloadArg, FileMetadata, ListFolderArg, ListFolderContinueArg, Metadata};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::args(1, "list_and_download /DROPBOX/FOLDER [LOCAL_DIR]");
    let client = common::client();
    // The root is "" to the API.
    let folder = if args[0] == "/" {
        String::new()
    } else {
        args[0].clone()
    };

    let mut page =
        dropbox::files::list_folder(&client, &ListFolderArg::new(folder).with_limit(100)).await?;
    let mut newest: Option<FileMetadata> = None;
    let mut pages = 1;
    loop {
        for entry in &page.entries {
            match entry {
                Metadata::File(f) => {
                    println!("{:>12}  {}  {}", f.size, f.server_modified, f.name);
                    if newest
                        .as_ref()
                        .is_none_or(|n| f.server_modified > n.server_modified)
                    {
                        newest = Some(f.clone());
                    }
                }
                Metadata::Folder(d) => println!("{:>12}  {}/", "", d.name),
                Metadata::Deleted(d) => println!("{:>12}  (deleted) {}", "", d.name),
                // A kind of entry a later spec may add.
                other => println!("{:>12}  {}", "?", other.name()),
            }
        }
        if !page.has_more {
            break;
        }
        page = dropbox::files::list_folder_continue(
            &client,
            &ListFolderContinueArg::new(page.cursor.clone()),
        )
        .await?;
        pages += 1;
    }
    println!("{pages} page(s)");

    let Some(file) = newest else {
        println!("no file to download");
        return Ok(());
    };
    let local = std::path::Path::new(args.get(1).map_or(".", String::as_str)).join(&file.name);
    let download =
        dropbox::files::download(&client, &DownloadArg::new(file.id.clone()), None).await?;
    let mut out = tokio::fs::File::create(&local).await?;
    let n = download.body.copy_to(&mut out).await?;
    println!(
        "downloaded the newest file, {}, to {} ({n} bytes)",
        file.name,
        local.display()
    );
    Ok(())
}
