//! How paperlint reaches people, checked where it can break: the published crate's
//! contents and metadata, the release workflow building every asset `install.sh` and
//! cargo-binstall ask for, the Action installing through `install.sh` with a cache, and
//! the pre-commit hook running the real binary.

use crate::cli::{example, paperlint};
use std::path::PathBuf;
use std::process::Command;

fn repo_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The targets the release workflow builds, as `install.sh` names them.
const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

#[test]
fn the_packaged_crate_has_its_licences_and_metadata_and_no_warnings() {
    let output = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        !stderr.contains("warning"),
        "cargo package warns:\n{stderr}"
    );
    let files = String::from_utf8_lossy(&output.stdout);
    let files: Vec<&str> = files.lines().collect();
    for needed in [
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "README.md",
        "config.toml",
        "src/main.rs",
    ] {
        assert!(files.contains(&needed), "{needed} is not packaged");
    }
    for kept_out in ["fuzz/", "target/", ".github/", ".ci/", "node_modules/"] {
        assert!(
            !files.iter().any(|f| f.starts_with(kept_out)),
            "{kept_out} is packaged"
        );
    }
    let manifest: toml::Table = repo_file("Cargo.toml").parse().unwrap();
    let package = manifest["package"].as_table().unwrap();
    for key in [
        "description",
        "license",
        "repository",
        "homepage",
        "readme",
        "keywords",
        "categories",
        "rust-version",
    ] {
        assert!(package.contains_key(key), "Cargo.toml has no `{key}`");
    }
    assert_eq!(package["license"].as_str(), Some("MIT OR Apache-2.0"));
    let dist = manifest["profile"]["dist"].as_table().unwrap();
    assert_eq!(dist["lto"].as_str(), Some("thin"));
    assert_eq!(dist["codegen-units"].as_integer(), Some(1));
    assert_eq!(dist["strip"].as_bool(), Some(true));
}

#[test]
fn every_asset_install_sh_and_binstall_ask_for_is_built_by_the_release_workflow() {
    let release = repo_file(".github/workflows/release.yml");
    let install = repo_file("install.sh");
    for target in TARGETS {
        assert!(
            release.contains(&format!("- target: {target}\n")),
            "the release workflow does not build {target}"
        );
    }
    // install.sh derives these from the platform; each must be one of the built targets.
    for (os, arch, target) in [
        ("Linux", "x86_64", "%s-unknown-linux-musl"),
        ("macOS", "aarch64", "%s-apple-darwin"),
        ("Windows", "x86_64", "x86_64-pc-windows-msvc"),
    ] {
        assert!(
            install.contains(target),
            "install.sh lost its {os} {arch} mapping"
        );
    }
    // The asset names, in the workflow, in install.sh and in the binstall metadata.
    assert!(release.contains(r#"asset="paperlint-$TARGET.tar.gz""#));
    assert!(release.contains(r#"asset="paperlint-$TARGET.zip""#));
    assert!(install.contains(r#"asset="paperlint-$target.tar.gz""#));
    assert!(install.contains(r#"asset="paperlint-$target.zip""#));
    let manifest: toml::Table = repo_file("Cargo.toml").parse().unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    assert_eq!(
        binstall["pkg-url"].as_str(),
        Some("{ repo }/releases/download/v{ version }/paperlint-{ target }{ archive-suffix }")
    );
    assert_eq!(
        binstall["overrides"]["x86_64-pc-windows-msvc"]["pkg-fmt"].as_str(),
        Some("zip")
    );
    // Releases are made from version tags, the ones install.sh accepts as releases.
    assert!(release.contains("tags:\n      - \"v[0-9]+.[0-9]+.[0-9]+*\""));
}

#[test]
fn the_action_installs_through_install_sh_into_a_cached_folder() {
    let action = repo_file("action.yml");
    assert!(action.contains(r#"run: sh "$GITHUB_ACTION_PATH/install.sh""#));
    assert!(
        !action.contains("cargo install"),
        "the action must not compile on every job"
    );
    assert!(action.contains("uses: actions/cache@v4"));
    assert!(action.contains("path: ${{ runner.temp }}/paperlint/bin"));
    assert!(action.contains("PAPERLINT_INSTALL_DIR: ${{ runner.temp }}/paperlint/bin"));
    assert!(action.contains("if: steps.cache.outputs.cache-hit != 'true'"));
    assert!(action.contains(r#""$RUNNER_TEMP/paperlint/bin/paperlint""#));
}

/// A value of the single hook in `.pre-commit-hooks.yaml` (a flat mapping).
fn hook_value(hooks: &str, key: &str) -> String {
    hooks
        .lines()
        .find_map(|l| {
            l.trim_start_matches("- ")
                .trim()
                .strip_prefix(&format!("{key}: "))
        })
        .unwrap_or_else(|| panic!("no `{key}` in .pre-commit-hooks.yaml"))
        .to_owned()
}

#[test]
fn the_pre_commit_hook_runs_the_offline_check_on_readmes() {
    let hooks = repo_file(".pre-commit-hooks.yaml");
    assert_eq!(hook_value(&hooks, "id"), "paperlint");
    assert_eq!(hook_value(&hooks, "language"), "rust");
    let files = regex::Regex::new(&hook_value(&hooks, "files")).unwrap();
    for (path, matched) in [
        ("README.md", true),
        ("docs/README.md", true),
        ("CHANGELOG.md", false),
        ("NOT_README.md", false),
    ] {
        assert_eq!(files.is_match(path), matched, "{path}");
    }
    // pre-commit runs `entry` with the staged files appended.
    let entry = hook_value(&hooks, "entry");
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("paperlint"));
    let args: Vec<&str> = words.collect();
    assert!(
        args.contains(&"--offline"),
        "a commit must not wait on the network"
    );
    let failing = paperlint().args(&args).arg(example()).output().unwrap();
    assert_eq!(
        failing.status.code(),
        Some(1),
        "errors in the list fail the commit"
    );
    assert!(String::from_utf8_lossy(&failing.stdout).contains("url/malformed"));
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("README.md");
    std::fs::write(
        &clean,
        "# Papers\n\n| Year | Title |\n|---|---|\n| 2024 | [A](https://example.org/a) |\n",
    )
    .unwrap();
    paperlint().args(&args).arg(&clean).assert().success();
}

#[test]
fn one_tls_stack_rustls_with_ring() {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(tree.lines().any(|l| l.starts_with("rustls v0.23")));
    assert!(tree.lines().any(|l| l.starts_with("ring v")));
    for other in [
        "aws-lc-rs",
        "aws-lc-sys",
        "openssl",
        "native-tls",
        "hyper-tls",
    ] {
        assert!(
            !tree.lines().any(|l| l.starts_with(&format!("{other} v"))),
            "{other} is compiled besides rustls with ring"
        );
    }
    // reqwest has no provider of its own: every client must come from
    // net::client_builder, which installs ring first.
    let mut files = Vec::new();
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    for file in files {
        if file.ends_with("net/mod.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for bypass in ["Client::builder()", "Client::new()", "reqwest::get("] {
            assert!(
                !text.contains(bypass),
                "{}: builds an HTTP client without net::client_builder",
                file.display()
            );
        }
    }
}
