//! Whole front end: up to three files through `stone::compile`, then the
//! output paths (summary + examples on success, rendered errors on failure),
//! and through `stone::check_with` (the summary's path), which must agree.
//!
//! Input layout: the bytes are split on NUL (0x00) into at most 3 pieces
//! (the third piece keeps any further NULs); each piece is converted to
//! UTF-8 lossily and named `a.stone`, `b.stone`, `c.stone`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stone::source::SourceFile;

const NAMES: [&str; 3] = ["a.stone", "b.stone", "c.stone"];

fuzz_target!(|data: &[u8]| {
    let files: Vec<SourceFile> = data
        .splitn(3, |&b| b == 0)
        .zip(NAMES)
        .map(|(bytes, name)| SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned()))
        .collect();
    let compiled = match stone::compile(&files) {
        Ok(api) => {
            let _ = stone::summary::examples_jsonl(&api);
            Ok(stone::summary::summary(&api))
        }
        Err(errs) => {
            let _ = errs.first_as_json(&files);
            Err(errs.render(&files))
        }
    };
    // `xtask summary`'s path (examples checked without building their
    // values, the summary written beside the checks) must find exactly
    // what `compile` finds.
    let checked = stone::check_with(&files, stone::summary::summary_alone)
        .map(|(_, text)| text)
        .map_err(|errs| errs.render(&files));
    assert_eq!(compiled, checked, "check_with differs from compile");
});
