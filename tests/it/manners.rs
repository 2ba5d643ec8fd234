//! How the binary behaves around its work: shell completions and the man page, a
//! closed pipe, a missing default list, `rules --format json`, options that exist only
//! where they work, the closing summary of a link check said once, configuration
//! discovery that never takes a foreign file, and inline suppression comments.

use crate::cli::{example, paperlint};
use crate::support::json_output;
use predicates::prelude::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn completions_for_each_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = paperlint()
            .args(["completions", shell])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        for word in ["paperlint", "check", "entries", "offline"] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    paperlint().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_man_page_is_roff_with_every_subcommand() {
    let out = paperlint()
        .arg("man")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(".TH paperlint 1"),
        "{}",
        &text[..text.len().min(300)]
    );
    for word in ["check", "fix", "entries", "rules", "init", "completions"] {
        assert!(text.contains(word), "man page lacks {word}");
    }
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    // Enough entries that the output outgrows any pipe buffer, so paperlint is still
    // writing when the reader goes away.
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("big.md");
    let mut text = String::from("| Year | Title |\n|---|---|\n");
    for i in 0..5000 {
        text.push_str(&format!(
            "| 2020 | [Paper {i}](https://example.org/{i}) |\n"
        ));
    }
    std::fs::write(&list, text).unwrap();
    for args in [
        &["entries"][..],
        &["entries", "--format", "csv"],
        &["check", "--offline"],
    ] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("paperlint"))
            .args(args)
            .arg(&list)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is dropped here: `paperlint … | head -1`.
        let out = child.wait_with_output().unwrap();
        assert!(!first.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        if args[0] == "entries" {
            assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        }
        assert!(
            !stderr.contains("panicked")
                && !stderr.contains("Broken pipe")
                && !stderr.contains("os error 32"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn no_list_here_is_one_line_and_exit_2_without_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = paperlint()
        .current_dir(dir.path())
        .args(["check", "--offline"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("README.md")
                .and(predicate::str::is_match("^[^\n]*\n$").unwrap()),
        )
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(out).unwrap();
    assert!(!stdout.contains("no problems"), "{stdout}");
}

#[test]
fn fix_offers_no_output_option() {
    let help = paperlint()
        .args(["fix", "--help"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(!String::from_utf8(help).unwrap().contains("--output"));
    paperlint()
        .args(["fix", "--output", "x.md"])
        .assert()
        .code(2);
}

#[test]
fn rules_as_json_list_every_rule_with_its_default() {
    let out = paperlint()
        .args(["rules", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let rules: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rules = rules.as_array().expect("an array");
    assert_eq!(rules.len(), paperlint::model::RULES.len());
    for (json, rule) in rules.iter().zip(paperlint::model::RULES) {
        assert_eq!(json["id"], rule.name);
        assert_eq!(json["default"], rule.default.to_string());
        assert!(json["summary"].as_str().is_some_and(|s| !s.is_empty()));
    }
}

/// A list of two links served by wiremock, and a configuration that lets paperlint
/// reach loopback without touching a cache or the registries.
async fn local_list(dir: &std::path::Path) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/ok"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(path("/gone"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    std::fs::write(
        dir.join("README.md"),
        format!(
            "| Year | Title |\n|---|---|\n| 2021 | [A]({0}/ok) |\n| 2020 | [B]({0}/gone) |\n",
            server.uri()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("paperlint.toml"),
        "[network]\nallow_private = true\ncache = \"\"\n[metadata]\nenabled = false\n",
    )
    .unwrap();
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn the_link_summary_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let _server = local_list(dir.path()).await;
    let out = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || paperlint().current_dir(dir).arg("check").output().unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("links: ").count(), 1, "{stderr}");
    assert!(
        stderr.contains("links: 2 checked, 1 ok, 1 broken"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exclude_on_the_command_line_skips_urls_like_network_exclude() {
    let dir = tempfile::tempdir().unwrap();
    let server = local_list(dir.path()).await;
    let out = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || {
            paperlint()
                .current_dir(dir)
                .args(["check", "--exclude", "/gone$", "--format", "json"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("1 excluded"), "{stderr}");
    let requested: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert!(!requested.iter().any(|p| p == "/gone"), "{requested:?}");
    // A bad regex is one clear line.
    paperlint()
        .current_dir(dir.path())
        .args(["check", "--offline", "--exclude", "("])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--exclude"));
}

#[test]
fn a_foreign_config_toml_in_the_working_directory_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(example(), dir.path().join("README.md")).unwrap();
    // A Hugo site's configuration.
    std::fs::write(
        dir.path().join("config.toml"),
        "baseURL = \"https://example.org/\"\ntitle = \"My site\"\n",
    )
    .unwrap();
    paperlint()
        .current_dir(dir.path())
        .args(["check", "--offline"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("baseURL").not());
    // Named explicitly, it is read, and its first foreign key is the error.
    paperlint()
        .current_dir(dir.path())
        .args(["check", "--offline", "--config", "config.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("baseURL"));
}

#[test]
fn discovery_walks_up_to_the_repository_root_and_no_further() {
    let outer = tempfile::tempdir().unwrap();
    let off = "[rules]\n\"url/malformed\" = \"off\"\n";
    // Above the repository: never read.
    std::fs::write(outer.path().join("paperlint.toml"), "not toml [").unwrap();
    let repo = outer.path().join("repo");
    let sub = repo.join("lists/medical");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::create_dir(repo.join(".git")).unwrap();
    std::fs::copy(example(), sub.join("README.md")).unwrap();
    std::fs::write(repo.join(".paperlint.toml"), off).unwrap();
    let check_here = || {
        let mut cmd = paperlint();
        cmd.current_dir(&sub)
            .args(["check", "--offline", "--format", "json", "README.md"]);
        cmd
    };
    check_here()
        .assert()
        .code(0)
        .stdout(predicate::str::contains("url/malformed").not());
    // The lists a configuration names are found beside it, wherever paperlint runs.
    std::fs::write(
        repo.join(".paperlint.toml"),
        format!("{off}[check]\nfiles = [\"lists/medical/README.md\"]\n"),
    )
    .unwrap();
    let report = json_output(
        paperlint().current_dir(repo.join("lists")).args([
            "check",
            "--offline",
            "--format",
            "json",
        ]),
        0,
    );
    assert_eq!(report["summary"]["entries"], 30, "{report}");
    // paperlint.toml beside .paperlint.toml: the visible one wins.
    std::fs::write(repo.join("paperlint.toml"), "[rules]\n").unwrap();
    check_here()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("url/malformed"));
    // The nearest folder wins over the root.
    std::fs::write(sub.join("paperlint.toml"), off).unwrap();
    check_here().assert().code(0);
    // Outside any repository only the working directory is looked at.
    let lone = tempfile::tempdir().unwrap();
    std::fs::copy(example(), lone.path().join("README.md")).unwrap();
    paperlint()
        .current_dir(lone.path())
        .args(["check", "--offline"])
        .assert()
        .code(1);
}

#[test]
fn suppression_comments_silence_findings_and_the_summary_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.md");
    let text = std::fs::read_to_string(example()).unwrap();
    // Silence the year out of order where it occurs, and every malformed URL of the
    // list in one region.
    let text = format!("<!-- paperlint-disable url/malformed -->\n{text}");
    let text = text.replacen(
        "|2021|[Domain-Specific",
        "|2021 <!-- paperlint-disable-line entry/order -->|[Domain-Specific",
        1,
    );
    std::fs::write(&list, &text).unwrap();
    let report = json_output(
        paperlint()
            .args(["check", "--offline", "--format", "json"])
            .arg(&list),
        0,
    );
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
    assert_eq!(report["summary"]["silenced"], 7, "{report}");
    paperlint()
        .args(["check", "--offline"])
        .arg(&list)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("7 silenced by comments"));
    // Without the comments the same list has its seven findings.
    let report = json_output(
        paperlint()
            .args(["check", "--offline", "--format", "json"])
            .arg(example()),
        1,
    );
    assert_eq!(report["summary"]["silenced"], 0);
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(7));
}
