//! The Rust the emitter writes for each accepted fixture spec (one
//! construct each), as insta snapshots. The whole SDK is not snapshotted:
//! the checked-in crate is its own golden file (see xtask's regen test).

use std::path::Path;

#[test]
fn emitted_rust_for_each_accepted_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/accept");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 30);
    for dir in dirs {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("fixture")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".stone"))
            .collect();
        names.sort();
        let files: Vec<_> = names
            .iter()
            .map(|n| {
                let text = std::fs::read_to_string(dir.join(n)).expect("read");
                stone::source::SourceFile::new(n.clone(), stone::load::universal_newlines(&text))
            })
            .collect();
        let api = stone::compile(&files).expect("accepted fixture compiles");
        let generated = stone::emit::generate(&api);
        let mut text = String::new();
        for (path, content) in generated
            .iter()
            .filter(|(p, _)| p.starts_with("src/gen/") && *p != "src/gen/mod.rs")
        {
            text.push_str(&format!(
                "==> {path}\n{}\n",
                content.trim_start_matches(stone::emit::HEADER)
            ));
        }
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots/emit");
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name, text));
    }
}
