//! The SDK against the fake server: each route's semantics, end to end.

use dropbox::client::{ByteRange, Credentials, UserClient};
use dropbox::files::{
    CreateFolderArg, DeleteArg, DownloadArg, GetMetadataArg, GetMetadataError, ListFolderArg,
    ListFolderContinueArg, ListFolderLongpollArg, ListRevisionsArg, LookupError, Metadata,
    MetadataV2, RelocationArg, RelocationError, RestoreArg, SearchOptions, SearchV2Arg,
    SearchV2ContinueArg, UploadArg, UploadError, WriteConflictError, WriteError, WriteMode,
};
use dropbox::Error;
use fake_dropbox::{content_hash, FakeDropbox, RunningFake};
use std::time::Duration;

async fn fake() -> (RunningFake, UserClient) {
    let fake = FakeDropbox::builder()
        .token("t")
        .longpoll_max_wait(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let client = UserClient::with_config(Credentials::access_token("t"), fake.client_config());
    (fake, client)
}

async fn put(
    client: &UserClient,
    path: &str,
    data: &[u8],
    mode: WriteMode,
) -> Result<dropbox::files::FileMetadata, Error<UploadError>> {
    let arg = UploadArg::new(path.into()).with_mode(mode);
    dropbox::files::upload(client, &arg, data.to_vec()).await
}

fn conflict(e: &Error<UploadError>) -> Option<&WriteError> {
    match e {
        Error::Route {
            error: UploadError::Path(f),
            ..
        } => Some(&f.reason),
        _ => None,
    }
}

#[tokio::test]
async fn upload_modes_conflicts_and_autorename() {
    let (fake, client) = fake().await;
    let first = put(&client, "/Docs/Report.txt", b"v1", WriteMode::Add)
        .await
        .unwrap();
    assert_eq!(first.path_display.as_deref(), Some("/Docs/Report.txt"));
    assert_eq!(first.path_lower.as_deref(), Some("/docs/report.txt"));
    assert!(first.id.starts_with("id:"));
    assert_eq!(
        first.content_hash.as_deref(),
        Some(content_hash(b"v1").as_str())
    );
    assert!(first.rev.len() >= 9);

    // add: the same content is no change; other content conflicts.
    let again = put(&client, "/docs/report.TXT", b"v1", WriteMode::Add)
        .await
        .unwrap();
    assert_eq!(again.rev, first.rev);
    let err = put(&client, "/docs/report.txt", b"v2", WriteMode::Add)
        .await
        .unwrap_err();
    assert!(
        matches!(
            conflict(&err),
            Some(WriteError::Conflict(WriteConflictError::File))
        ),
        "{err:?}"
    );

    // autorename picks a free name.
    let arg = UploadArg::new("/docs/report.txt".into()).with_autorename(true);
    let renamed = dropbox::files::upload(&client, &arg, b"v2".to_vec())
        .await
        .unwrap();
    assert_eq!(
        renamed.path_display.as_deref(),
        Some("/Docs/report (1).txt")
    );

    // update: only from the current rev.
    let updated = put(
        &client,
        "/docs/report.txt",
        b"v3",
        WriteMode::Update(first.rev.clone()),
    )
    .await
    .unwrap();
    assert_ne!(updated.rev, first.rev);
    assert_eq!(updated.id, first.id, "a file keeps its id across revisions");
    let stale = put(
        &client,
        "/docs/report.txt",
        b"v4",
        WriteMode::Update(first.rev.clone()),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        conflict(&stale),
        Some(WriteError::Conflict(WriteConflictError::File))
    ));

    // overwrite always writes; a folder in the way is a conflict.
    put(&client, "/docs/report.txt", b"v5", WriteMode::Overwrite)
        .await
        .unwrap();
    assert_eq!(fake.file("/DOCS/REPORT.TXT").unwrap().to_vec(), b"v5");
    let folder = put(&client, "/docs", b"x", WriteMode::Overwrite)
        .await
        .unwrap_err();
    assert!(matches!(
        conflict(&folder),
        Some(WriteError::Conflict(WriteConflictError::Folder))
    ));
    let under_file = put(&client, "/docs/report.txt/inner", b"x", WriteMode::Add)
        .await
        .unwrap_err();
    assert!(matches!(
        conflict(&under_file),
        Some(WriteError::Conflict(WriteConflictError::FileAncestor))
    ));

    // A wrong content_hash is refused.
    let arg = UploadArg::new("/h.txt".into()).with_content_hash(content_hash(b"other"));
    let err = dropbox::files::upload(&client, &arg, b"data".to_vec())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Route {
                error: UploadError::ContentHashMismatch,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn quota_is_enforced_and_reported() {
    let fake = FakeDropbox::builder()
        .token("t")
        .quota(1000)
        .start()
        .await
        .unwrap();
    let client = UserClient::with_config(Credentials::access_token("t"), fake.client_config());
    put(&client, "/a", &[0; 600], WriteMode::Add).await.unwrap();
    let err = put(&client, "/b", &[0; 600], WriteMode::Add)
        .await
        .unwrap_err();
    assert!(
        matches!(conflict(&err), Some(WriteError::InsufficientSpace)),
        "{err:?}"
    );
    let usage = dropbox::users::get_space_usage(&client).await.unwrap();
    assert_eq!(usage.used, 600);
    match usage.allocation {
        dropbox::users::SpaceAllocation::Individual(a) => assert_eq!(a.allocated, 1000),
        other => panic!("{other:?}"),
    }
    // Overwriting with less frees space.
    put(&client, "/a", &[0; 100], WriteMode::Overwrite)
        .await
        .unwrap();
    put(&client, "/b", &[0; 600], WriteMode::Add).await.unwrap();
    let account = dropbox::users::get_current_account(&client).await.unwrap();
    assert_eq!(account.account_id, fake_dropbox::ACCOUNT_ID);
    assert_eq!(account.email, fake_dropbox::ACCOUNT_EMAIL);
}

#[tokio::test]
async fn download_with_and_without_range_and_by_rev() {
    let (_fake, client) = fake().await;
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let meta = put(&client, "/Data.bin", &data, WriteMode::Add)
        .await
        .unwrap();
    let d = dropbox::files::download(&client, &DownloadArg::new("/data.BIN".into()), None)
        .await
        .unwrap();
    assert_eq!(d.result.rev, meta.rev);
    assert_eq!(d.result.content_hash, meta.content_hash);
    assert_eq!(d.body.bytes().await.unwrap(), data);
    let part = dropbox::files::download(
        &client,
        &DownloadArg::new(meta.id.clone()),
        Some(ByteRange::Span(10, 19)),
    )
    .await
    .unwrap();
    assert_eq!(part.body.bytes().await.unwrap(), &data[10..20]);
    let tail = dropbox::files::download(
        &client,
        &DownloadArg::new("/data.bin".into()),
        Some(ByteRange::Last(5)),
    )
    .await
    .unwrap();
    assert_eq!(tail.body.bytes().await.unwrap(), &data[data.len() - 5..]);
    // An old revision stays downloadable.
    put(&client, "/data.bin", b"new", WriteMode::Overwrite)
        .await
        .unwrap();
    let old = dropbox::files::download(
        &client,
        &DownloadArg::new(format!("rev:{}", meta.rev)),
        None,
    )
    .await
    .unwrap();
    assert_eq!(old.body.bytes().await.unwrap(), data);
    let missing = dropbox::files::download(&client, &DownloadArg::new("/nope".into()), None)
        .await
        .unwrap_err();
    assert!(matches!(
        missing,
        Error::Route {
            error: dropbox::files::DownloadError::Path(LookupError::NotFound),
            ..
        }
    ));
}

#[tokio::test]
async fn metadata_folders_delete_move_copy() {
    let (_fake, client) = fake().await;
    let folder =
        dropbox::files::create_folder_v2(&client, &CreateFolderArg::new("/Projects".into()))
            .await
            .unwrap();
    assert_eq!(folder.metadata.path_display.as_deref(), Some("/Projects"));
    let again =
        dropbox::files::create_folder_v2(&client, &CreateFolderArg::new("/projects".into()))
            .await
            .unwrap_err();
    assert!(matches!(again, Error::Route { .. }), "{again:?}");
    put(&client, "/projects/a.txt", b"a", WriteMode::Add)
        .await
        .unwrap();
    // An existing parent keeps its own casing.
    let m = dropbox::files::get_metadata(&client, &GetMetadataArg::new("/PROJECTS/A.TXT".into()))
        .await
        .unwrap();
    assert_eq!(m.path_display().as_deref(), Some("/Projects/a.txt"));
    let by_id =
        dropbox::files::get_metadata(&client, &GetMetadataArg::new(folder.metadata.id.clone()))
            .await
            .unwrap();
    assert!(matches!(by_id, Metadata::Folder(_)));

    let copied = dropbox::files::copy_v2(
        &client,
        &RelocationArg::new("/projects".into(), "/Backup/Projects".into()),
    )
    .await
    .unwrap();
    assert_eq!(
        copied.metadata.path_display().as_deref(),
        Some("/Backup/Projects")
    );
    let moved = dropbox::files::move_v2(
        &client,
        &RelocationArg::new("/projects/a.txt".into(), "/moved.txt".into()),
    )
    .await
    .unwrap();
    assert_eq!(moved.metadata.name(), "moved.txt");
    let into_itself = dropbox::files::move_v2(
        &client,
        &RelocationArg::new("/backup".into(), "/backup/inner".into()),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        into_itself,
        Error::Route {
            error: RelocationError::CantMoveFolderIntoItself,
            ..
        }
    ));
    let taken = dropbox::files::copy_v2(
        &client,
        &RelocationArg::new("/moved.txt".into(), "/backup/projects/a.txt".into()),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            taken,
            Error::Route {
                error: RelocationError::To(WriteError::Conflict(_)),
                ..
            }
        ),
        "{taken:?}"
    );

    let deleted = dropbox::files::delete_v2(&client, &DeleteArg::new("/backup".into()))
        .await
        .unwrap();
    assert!(matches!(deleted.metadata, Metadata::Folder(_)));
    let gone = dropbox::files::get_metadata(
        &client,
        &GetMetadataArg::new("/backup/projects/a.txt".into()),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        gone,
        Error::Route {
            error: GetMetadataError::Path(LookupError::NotFound),
            ..
        }
    ));
    let with_deleted =
        GetMetadataArg::new("/backup/projects/a.txt".into()).with_include_deleted(true);
    assert!(matches!(
        dropbox::files::get_metadata(&client, &with_deleted)
            .await
            .unwrap(),
        Metadata::Deleted(_)
    ));
}

#[tokio::test]
async fn list_folder_pages_changes_and_longpoll() {
    let (fake, client) = fake().await;
    for i in 0..7 {
        fake.put_file(&format!("/Pages/f{i}.txt"), format!("{i}").into_bytes())
            .unwrap();
    }
    fake.put_file("/Pages/sub/deep.txt", b"d".to_vec()).unwrap();
    let mut page =
        dropbox::files::list_folder(&client, &ListFolderArg::new("/pages".into()).with_limit(3))
            .await
            .unwrap();
    let mut names = vec![];
    let mut pages = 1;
    loop {
        assert!(page.entries.len() <= 3);
        names.extend(page.entries.iter().map(|e| e.name().to_string()));
        if !page.has_more {
            break;
        }
        page = dropbox::files::list_folder_continue(
            &client,
            &ListFolderContinueArg::new(page.cursor.clone()),
        )
        .await
        .unwrap();
        pages += 1;
    }
    assert_eq!(pages, 3, "8 entries by 3: three pages");
    assert_eq!(names.len(), 8);
    assert!(names.contains(&"sub".to_string()) && !names.contains(&"deep.txt".to_string()));

    // Nothing changed: an empty page. Then changes, deletions included.
    let cursor = page.cursor.clone();
    let none =
        dropbox::files::list_folder_continue(&client, &ListFolderContinueArg::new(cursor.clone()))
            .await
            .unwrap();
    assert!(none.entries.is_empty() && !none.has_more);
    let poll =
        dropbox::files::list_folder_longpoll(&client, &ListFolderLongpollArg::new(cursor.clone()))
            .await
            .unwrap();
    assert!(!poll.changes, "a quiet folder times out without changes");

    let waiter = {
        let client = client.clone();
        let cursor = cursor.clone();
        tokio::spawn(async move {
            let start = std::time::Instant::now();
            let r =
                dropbox::files::list_folder_longpoll(&client, &ListFolderLongpollArg::new(cursor))
                    .await;
            (r, start.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    dropbox::files::delete_v2(&client, &DeleteArg::new("/pages/f0.txt".into()))
        .await
        .unwrap();
    let (r, waited) = waiter.await.unwrap();
    assert!(r.unwrap().changes);
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_millis(1900),
        "{waited:?}"
    );
    put(&client, "/pages/new.txt", b"n", WriteMode::Add)
        .await
        .unwrap();
    put(&client, "/elsewhere.txt", b"e", WriteMode::Add)
        .await
        .unwrap();
    let changes =
        dropbox::files::list_folder_continue(&client, &ListFolderContinueArg::new(cursor))
            .await
            .unwrap();
    let kinds: Vec<(String, bool)> = changes
        .entries
        .iter()
        .map(|e| (e.name().to_string(), matches!(e, Metadata::Deleted(_))))
        .collect();
    assert_eq!(
        kinds,
        vec![("f0.txt".into(), true), ("new.txt".into(), false)]
    );

    // Recursive listings include everything below, parents first.
    let all = dropbox::files::list_folder(
        &client,
        &ListFolderArg::new(String::new()).with_recursive(true),
    )
    .await
    .unwrap();
    let paths: Vec<String> = all
        .entries
        .iter()
        .filter_map(|e| e.path_lower().clone())
        .collect();
    let sub = paths.iter().position(|p| p == "/pages/sub").unwrap();
    let deep = paths
        .iter()
        .position(|p| p == "/pages/sub/deep.txt")
        .unwrap();
    assert!(sub < deep);
    let latest = dropbox::files::list_folder_get_latest_cursor(
        &client,
        &ListFolderArg::new("/pages".into()),
    )
    .await
    .unwrap();
    let empty =
        dropbox::files::list_folder_continue(&client, &ListFolderContinueArg::new(latest.cursor))
            .await
            .unwrap();
    assert!(empty.entries.is_empty());
    let not_folder =
        dropbox::files::list_folder(&client, &ListFolderArg::new("/elsewhere.txt".into()))
            .await
            .unwrap_err();
    assert!(matches!(
        not_folder,
        Error::Route {
            error: dropbox::files::ListFolderError::Path(LookupError::NotFolder),
            ..
        }
    ));
}

#[tokio::test]
async fn search_with_continue() {
    let (fake, client) = fake().await;
    for i in 0..5 {
        fake.put_file(&format!("/notes/Meeting {i}.txt"), b"agenda".to_vec())
            .unwrap();
    }
    fake.put_file("/notes/other.txt", b"the meeting minutes".to_vec())
        .unwrap();
    fake.put_file("/photos/pic.jpg", b"jpeg".to_vec()).unwrap();
    let arg =
        SearchV2Arg::new("meeting".into()).with_options(SearchOptions::new().with_max_results(2));
    let mut page = dropbox::files::search_v2(&client, &arg).await.unwrap();
    let mut found = vec![];
    loop {
        for m in &page.matches {
            if let MetadataV2::Metadata(meta) = &m.metadata {
                found.push(meta.name().to_string());
            }
        }
        match (&page.cursor, page.has_more) {
            (Some(c), true) => {
                page = dropbox::files::search_continue_v2(
                    &client,
                    &SearchV2ContinueArg::new(c.clone()),
                )
                .await
                .unwrap()
            }
            _ => break,
        }
    }
    assert_eq!(found.len(), 6, "five by name, one by content: {found:?}");
    let names_only = SearchV2Arg::new("meeting".into())
        .with_options(SearchOptions::new().with_filename_only(true));
    assert_eq!(
        dropbox::files::search_v2(&client, &names_only)
            .await
            .unwrap()
            .matches
            .len(),
        5
    );
}

#[tokio::test]
async fn revisions_and_restore() {
    let (_fake, client) = fake().await;
    let v1 = put(&client, "/r.txt", b"one", WriteMode::Add)
        .await
        .unwrap();
    put(&client, "/r.txt", b"two", WriteMode::Overwrite)
        .await
        .unwrap();
    let revs = dropbox::files::list_revisions(&client, &ListRevisionsArg::new("/r.txt".into()))
        .await
        .unwrap();
    assert_eq!(revs.entries.len(), 2);
    assert!(!revs.is_deleted);
    assert_eq!(revs.entries[1].rev, v1.rev, "newest first");
    let restored =
        dropbox::files::restore(&client, &RestoreArg::new("/r.txt".into(), v1.rev.clone()))
            .await
            .unwrap();
    assert_eq!(restored.content_hash, v1.content_hash);
    assert_ne!(restored.rev, v1.rev);
    dropbox::files::delete_v2(&client, &DeleteArg::new("/r.txt".into()))
        .await
        .unwrap();
    let after = dropbox::files::list_revisions(&client, &ListRevisionsArg::new("/r.txt".into()))
        .await
        .unwrap();
    assert!(after.is_deleted && after.server_deleted.is_some());
    assert_eq!(after.entries.len(), 3);
    let bad = dropbox::files::restore(
        &client,
        &RestoreArg::new("/r.txt".into(), "0123456789abcdef".into()),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        bad,
        Error::Route {
            error: dropbox::files::RestoreError::InvalidRevision,
            ..
        }
    ));
}
