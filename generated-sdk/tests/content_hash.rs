//! Our content_hash against the official Python SDK's
//! (`dropbox.content_hash`, dropbox==12.2.4) on the same data: bytes,
//! files, streams, at and around the 4 MiB block boundaries.

use bytes::Bytes;
use dropbox::content_hash::{content_hash, content_hash_file, content_hash_stream, ContentHasher};
use std::path::PathBuf;
use std::process::Command;

const BLOCK: usize = 4 * 1024 * 1024;

/// The venv `.ci/run` makes; this test fails, saying how to make it, when
/// it is missing rather than passing without the oracle.
fn python() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join("target/venv/bin/python");
    let how = "create it with `python3 -m venv target/venv && \
               target/venv/bin/pip install stone==3.5.5 dropbox==12.2.4` \
               at the workspace root (or run .ci/run)";
    assert!(python.exists(), "{} is missing: {how}", python.display());
    let check = Command::new(&python)
        .args([
            "-c",
            "import dropbox, dropbox.content_hash; print(dropbox.__version__)",
        ])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "the venv has no Dropbox SDK ({}): {how}",
        String::from_utf8_lossy(&check.stderr).trim()
    );
    assert_eq!(
        String::from_utf8_lossy(&check.stdout).trim(),
        "12.2.4",
        "{how}"
    );
    python
}

/// What the Python SDK says for each file: `content_hash(bytes)` and the
/// `DropboxContentHasher` fed in 1000-byte reads.
fn python_hashes(files: &[PathBuf]) -> Vec<(String, String)> {
    let script = r#"
import sys
from dropbox.content_hash import DropboxContentHasher, content_hash
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    h = DropboxContentHasher()
    with open(path, "rb") as f:
        while True:
            piece = f.read(1000)
            if not piece:
                break
            h.update(piece)
    print(content_hash(data), h.hexdigest())
"#;
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (a, b) = l.split_once(' ').unwrap();
            (a.to_string(), b.to_string())
        })
        .collect()
}

#[tokio::test]
async fn our_content_hash_is_the_python_sdks() {
    let dir = std::env::temp_dir().join(format!("dropbox-content-hash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sizes = [
        0,
        1,
        1000,
        BLOCK - 1,
        BLOCK,
        BLOCK + 1,
        2 * BLOCK,
        3 * BLOCK + 12345,
    ];
    let mut rng = fastrand::Rng::with_seed(4);
    let mut cases = vec![];
    for size in sizes {
        let mut data = vec![0u8; size];
        rng.fill(&mut data);
        let path = dir.join(format!("{size}.bin"));
        std::fs::write(&path, &data).unwrap();
        cases.push((path, data));
    }
    let files: Vec<PathBuf> = cases.iter().map(|(p, _)| p.clone()).collect();
    let expected = python_hashes(&files);
    assert_eq!(expected.len(), cases.len());
    for ((path, data), (python, python_incremental)) in cases.iter().zip(&expected) {
        let size = data.len();
        assert_eq!(
            python, python_incremental,
            "Python disagrees with itself at {size}"
        );
        assert_eq!(&content_hash(data), python, "bytes, {size}");
        assert_eq!(
            &content_hash_file(path).await.unwrap(),
            python,
            "file, {size}"
        );
        // A stream in pieces that straddle the blocks.
        let pieces: Vec<std::io::Result<Bytes>> = data
            .chunks(BLOCK / 3 + 1)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let streamed = content_hash_stream(futures_util::stream::iter(pieces)).await;
        assert_eq!(&streamed.unwrap(), python, "stream, {size}");
        let mut hasher = ContentHasher::new();
        for piece in data.chunks(777) {
            hasher.update(piece);
        }
        assert_eq!(hasher.len(), size as u64);
        assert_eq!(&hasher.finish(), python, "incremental, {size}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_stream_error_is_returned() {
    let pieces = vec![
        Ok(Bytes::from_static(b"abc")),
        Err(std::io::Error::other("gone")),
    ];
    let err = content_hash_stream(futures_util::stream::iter(pieces))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "gone");
}
