//! The SDK's JSON decoding, as a server's reply reaches it: the first byte
//! picks a type, the rest (UTF-8) is decoded as it. Nothing may panic or
//! overflow the stack, and what decodes must encode to JSON that decodes
//! to the same value.
#![no_main]

use dropbox::wire::{from_str, to_string, Decode, Encode};
use libfuzzer_sys::fuzz_target;

fn round_trip<T: Decode + Encode + PartialEq + std::fmt::Debug>(text: &str) {
    if let Ok(value) = from_str::<T>(text) {
        let json = to_string(&value);
        let back: T = from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(back, value, "{json}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    use dropbox::{auth, files};
    match which % 10 {
        0 => round_trip::<files::Metadata>(text),
        1 => round_trip::<files::ListFolderResult>(text),
        2 => round_trip::<files::LookupError>(text),
        3 => round_trip::<files::GetMetadataError>(text),
        4 => round_trip::<files::UploadSessionFinishError>(text),
        5 => round_trip::<files::SearchV2Result>(text),
        6 => round_trip::<files::RelocationBatchV2JobStatus>(text),
        7 => round_trip::<auth::AuthError>(text),
        8 => round_trip::<auth::RateLimitError>(text),
        _ => round_trip::<files::FileMetadata>(text),
    }
});
