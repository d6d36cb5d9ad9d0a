//! Decode a 2,000-entry `files::ListFolderResult` with both SDKs, many
//! times, and print the median time of each and the ratio.

use std::time::{Duration, Instant};

fn listing(entries: usize) -> String {
    let mut items = Vec::with_capacity(entries);
    for i in 0..entries {
        if i % 4 == 3 {
            items.push(format!(
                r#"{{".tag": "folder", "name": "Folder {i}", "id": "id:a4ayc_80_OEAAAAAAAA{i:04}", "path_lower": "/homework/folder {i}", "path_display": "/Homework/Folder {i}", "sharing_info": {{"read_only": false, "parent_shared_folder_id": "84528192421", "traverse_only": false, "no_access": false}}, "property_groups": []}}"#
            ));
        } else {
            items.push(format!(
                r#"{{".tag": "file", "name": "Prime_Numbers_{i}.txt", "id": "id:a4ayc_80_OEAAAAAAAAXw{i:04}", "client_modified": "2015-05-12T15:50:38Z", "server_modified": "2015-05-12T15:50:38Z", "rev": "a1c10ce0dd78", "size": {size}, "path_lower": "/homework/math/prime_numbers_{i}.txt", "path_display": "/Homework/math/Prime_Numbers_{i}.txt", "sharing_info": {{"read_only": true, "parent_shared_folder_id": "84528192421", "modified_by": "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"}}, "is_downloadable": true, "has_explicit_shared_members": false, "content_hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "file_lock_info": {{"is_lockholder": true, "lockholder_name": "Imaginary User", "created": "2015-05-12T15:50:38Z"}}}}"#,
                size = 7212 + i
            ));
        }
    }
    format!(r#"{{"entries": [{}], "cursor": "ZtkX9_EHj3x7PMkVuFIhwKYXEpwpLwyxp9vMKomUhllil9q7eWiAu", "has_more": false}}"#, items.join(", "))
}

fn median(mut f: impl FnMut() -> usize, runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let json = listing(2000);
    // Both must decode it, to the same number of entries.
    let ours: dropbox::files::ListFolderResult = dropbox::wire::from_str(&json).expect("ours decodes");
    let theirs: dropbox_sdk::files::ListFolderResult = serde_json::from_str(&json).expect("official decodes");
    assert_eq!(ours.entries.len(), 2000);
    assert_eq!(theirs.entries.len(), 2000);
    let runs = 200;
    let t_ours = median(|| dropbox::wire::from_str::<dropbox::files::ListFolderResult>(&json).map(|r| r.entries.len()).unwrap_or(0), runs);
    let t_theirs = median(
        || serde_json::from_str::<dropbox_sdk::files::ListFolderResult>(&json).map(|r| r.entries.len()).unwrap_or(0),
        runs,
    );
    println!("decode a 2,000-entry files::ListFolderResult ({} KiB of JSON), median of {runs}", json.len() / 1024);
    println!("| SDK | median |");
    println!("| --- | ---: |");
    println!("| dropbox-sdk 0.21.0 (serde_json) | {:.2} ms |", t_theirs.as_secs_f64() * 1e3);
    println!("| ours (dropbox::wire) | {:.2} ms |", t_ours.as_secs_f64() * 1e3);
    println!("ours is {:.2}x the official crate's speed", t_theirs.as_secs_f64() / t_ours.as_secs_f64());
}
