//! What the xtask tests share (each test binary uses a part of it).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// `../shared` beside the checkout (or `$STONE_SHARED_DIR`). Its absence is
/// a failure, not a skip: these tests are acceptance bars.
pub fn shared() -> PathBuf {
    let dir = std::env::var_os("STONE_SHARED_DIR")
        .map_or_else(|| workspace().join("../shared"), PathBuf::from);
    assert!(
        dir.join("reference/expected").is_dir(),
        "{} has no reference/expected: set STONE_SHARED_DIR",
        dir.display()
    );
    dir
}

/// The pinned spec: the `stone-specs` submodule, filled from the shared
/// copy when it is empty (as in CI and fresh clones).
pub fn pinned_spec() -> PathBuf {
    let dir = workspace().join("stone-specs");
    let has_specs = |d: &Path| {
        std::fs::read_dir(d).is_ok_and(|it| {
            it.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "stone"))
        })
    };
    if !has_specs(&dir) {
        std::fs::create_dir_all(&dir).expect("create stone-specs");
        for e in std::fs::read_dir(shared().join("dropbox-api-spec"))
            .expect("shared spec")
            .flatten()
        {
            // Write then rename, so that concurrent tests never see half a file.
            let tmp = dir.join(format!(
                ".{}.{}",
                e.file_name().to_string_lossy(),
                std::process::id()
            ));
            std::fs::copy(e.path(), &tmp).expect("copy spec file");
            std::fs::rename(&tmp, dir.join(e.file_name())).expect("rename spec file");
        }
    }
    dir
}
