//! Share a file with a link, reusing the existing link if there is one:
//! `cargo run --example share_link -- /dropbox/path`.

mod common;

use dropbox::sharing::{
    CreateSharedLinkWithSettingsArg, CreateSharedLinkWithSettingsError, ListSharedLinksArg,
    RequestedLinkAccessLevel, SharedLinkAlreadyExistsMetadata, SharedLinkMetadata,
    SharedLinkSettings,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::args(1, "share_link /DROPBOX/PATH");
    let client = common::client();
    let path = args[0].clone();
    let settings = SharedLinkSettings::new()
        .with_access(RequestedLinkAccessLevel::Viewer)
        .with_allow_download(true);
    let arg = CreateSharedLinkWithSettingsArg::new(path.clone()).with_settings(settings);
    let link: SharedLinkMetadata =
        match dropbox::sharing::create_shared_link_with_settings(&client, &arg).await {
            Ok(link) => link,
            // The path has a link already: Dropbox usually says which.
            Err(dropbox::Error::Route {
                error: CreateSharedLinkWithSettingsError::SharedLinkAlreadyExists(existing),
                ..
            }) => match existing {
                Some(SharedLinkAlreadyExistsMetadata::Metadata(link)) => link,
                // When it does not, ask for the path's own links.
                _ => {
                    let links = dropbox::sharing::list_shared_links(
                        &client,
                        &ListSharedLinksArg::new()
                            .with_path(path.clone())
                            .with_direct_only(true),
                    )
                    .await?;
                    links
                        .links
                        .into_iter()
                        .next()
                        .ok_or("a link exists but none is listed")?
                }
            },
            Err(e) => return Err(e.into()),
        };
    println!("{}: {}", link.name(), link.url());
    Ok(())
}
