//! The SDK's pagination streams against the fake server: each equal to
//! calling `.../continue` by hand, across several pages.

use dropbox::client::{Credentials, UserClient};
use dropbox::files::{
    ListFolderArg, ListFolderContinueArg, Metadata, MetadataV2, SearchOptions, SearchV2Arg,
    SearchV2ContinueArg,
};
use fake_dropbox::FakeDropbox;
use futures_util::StreamExt;

fn path_of(m: &Metadata) -> String {
    m.path_display().clone().unwrap_or_default()
}

#[tokio::test]
async fn list_folder_and_search_streams_equal_continue_by_hand() {
    let fake = FakeDropbox::builder().token("t").start().await.unwrap();
    for i in 0..11 {
        fake.put_file(
            &format!("/Reports/report-{i:02}.txt"),
            format!("report {i}").into_bytes(),
        )
        .unwrap();
    }
    let client = UserClient::with_config(Credentials::access_token("t"), fake.client_config());

    // list_folder, 4 entries a page: 3 pages at least.
    let arg = ListFolderArg::new("/reports".into()).with_limit(4);
    let mut by_hand = vec![];
    let mut pages = 1;
    let mut page = dropbox::files::list_folder(&client, &arg).await.unwrap();
    by_hand.extend(page.entries.iter().map(path_of));
    while page.has_more {
        page = dropbox::files::list_folder_continue(
            &client,
            &ListFolderContinueArg::new(page.cursor.clone()),
        )
        .await
        .unwrap();
        by_hand.extend(page.entries.iter().map(path_of));
        pages += 1;
    }
    assert!(pages >= 3, "{pages} pages");
    assert_eq!(by_hand.len(), 11);
    let streamed: Vec<String> = dropbox::files::list_folder_stream(&client, &arg)
        .map(|m| path_of(&m.unwrap()))
        .collect()
        .await;
    assert_eq!(streamed, by_hand);

    // search_v2, 4 matches a page.
    let arg =
        SearchV2Arg::new("report".into()).with_options(SearchOptions::new().with_max_results(4));
    let match_path = |m: &dropbox::files::SearchMatchV2| match &m.metadata {
        MetadataV2::Metadata(meta) => path_of(meta),
        other => panic!("{other:?}"),
    };
    let mut by_hand = vec![];
    let mut page = dropbox::files::search_v2(&client, &arg).await.unwrap();
    by_hand.extend(page.matches.iter().map(match_path));
    while let (true, Some(cursor)) = (page.has_more, page.cursor.clone()) {
        page = dropbox::files::search_continue_v2(&client, &SearchV2ContinueArg::new(cursor))
            .await
            .unwrap();
        by_hand.extend(page.matches.iter().map(match_path));
    }
    // The 11 files and their folder, "/Reports".
    assert_eq!(by_hand.len(), 12, "{by_hand:?}");
    let streamed: Vec<String> = dropbox::files::search_v2_stream(&client, &arg)
        .map(|m| match_path(&m.unwrap()))
        .collect()
        .await;
    assert_eq!(streamed, by_hand);
}
