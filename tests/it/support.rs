//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The `shared/` folder that CI places beside the repository, if it is there.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.is_dir().then_some(dir)
}

/// Every corpus README, or `None` (with a note on stderr) when `../shared` is absent.
pub fn corpus_files() -> Option<Vec<PathBuf>> {
    let Some(dir) = shared_dir() else {
        eprintln!("skipping: ../shared is not beside the repository");
        return None;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("corpus"))
        .expect("corpus dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("MANIFEST.md"))
        .collect();
    files.sort();
    Some(files)
}

/// Runs `cmd`, expects exit `code` and returns its standard output parsed as JSON.
pub fn json_output(cmd: &mut assert_cmd::Command, code: i32) -> serde_json::Value {
    let out = cmd.assert().code(code).get_output().stdout.clone();
    serde_json::from_slice(&out).expect("JSON on stdout")
}
