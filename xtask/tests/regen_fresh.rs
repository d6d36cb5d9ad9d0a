//! The checked-in SDK (`generated-sdk/`) is what `cargo xtask regen` makes
//! from the pinned spec: this ordinary test fails, naming the files, when it
//! is stale (as rust-analyzer's codegen tests do).

mod common;

use std::process::Command;

#[test]
fn generated_sdk_is_up_to_date() {
    // The pinned spec may need filling from ../shared first (see conformance.rs).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("root")
        .to_path_buf();
    let spec = root.join("stone-specs");
    if !std::fs::read_dir(&spec).is_ok_and(|d| {
        d.flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "stone"))
    }) {
        let shared =
            std::env::var_os("STONE_SHARED_DIR").map_or_else(|| root.join("../shared"), Into::into);
        std::fs::create_dir_all(&spec).expect("stone-specs");
        for e in std::fs::read_dir(shared.join("dropbox-api-spec"))
            .expect("shared spec")
            .flatten()
        {
            let tmp = spec.join(format!(
                ".{}.{}",
                e.file_name().to_string_lossy(),
                std::process::id()
            ));
            std::fs::copy(e.path(), &tmp).expect("copy");
            std::fs::rename(&tmp, spec.join(e.file_name())).expect("rename");
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["regen", "--check"])
        .output()
        .expect("run xtask");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_stale_or_extra_file_is_named() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("root")
        .to_path_buf();
    let scratch = std::env::temp_dir().join(format!("regen-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    for sub in ["src/gen", "tests/gen"] {
        std::fs::create_dir_all(scratch.join(sub)).expect("scratch dir");
        for e in std::fs::read_dir(root.join("generated-sdk").join(sub))
            .expect("generated dir")
            .flatten()
        {
            std::fs::copy(e.path(), scratch.join(sub).join(e.file_name())).expect("copy");
        }
    }
    std::fs::copy(
        root.join("generated-sdk/Cargo.toml"),
        scratch.join("Cargo.toml"),
    )
    .expect("copy");
    let check = || {
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["regen", "--check", "--sdk"])
            .arg(&scratch)
            .output()
            .expect("run xtask");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(check().0, "an exact copy is up to date: {}", check().1);
    let files_rs = scratch.join("src/gen/files.rs");
    let text = std::fs::read_to_string(&files_rs).expect("files.rs");
    std::fs::write(
        &files_rs,
        text.replacen("pub struct", "pub(crate) struct", 1),
    )
    .expect("edit");
    std::fs::write(
        scratch.join("src/gen/leftover.rs"),
        "// no longer generated\n",
    )
    .expect("extra");
    let (ok, stderr) = check();
    assert!(!ok, "an edited copy is stale");
    assert!(
        stderr.contains("generated-sdk/src/gen/files.rs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("generated-sdk/src/gen/leftover.rs"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&scratch);
}

/// A regen ends with the files it changed and the API changes since a
/// given spec (here the revision before the pinned one).
#[test]
fn regen_ends_with_what_changed() {
    let root = common::workspace();
    common::pinned_spec();
    let scratch = std::env::temp_dir().join(format!("regen-summary-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    for sub in ["src/gen", "tests/gen"] {
        std::fs::create_dir_all(scratch.join(sub)).expect("scratch dir");
        for e in std::fs::read_dir(root.join("generated-sdk").join(sub))
            .expect("generated dir")
            .flatten()
        {
            std::fs::copy(e.path(), scratch.join(sub).join(e.file_name())).expect("copy");
        }
    }
    std::fs::copy(
        root.join("generated-sdk/Cargo.toml"),
        scratch.join("Cargo.toml"),
    )
    .expect("copy");
    std::fs::write(scratch.join("src/gen/leftover.rs"), "// stale\n").expect("extra");
    let old = common::shared().join("spec-history/20260731-b6bb8e8");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["regen", "--sdk"])
        .arg(&scratch)
        .arg("--from")
        .arg(&old)
        .output()
        .expect("run xtask");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(", 1 changed (leftover), in "), "{stdout}");
    assert!(
        stdout.contains(": 0 breaking, 131 additive, 0 docs-only, 0 doc texts -> minor ("),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
