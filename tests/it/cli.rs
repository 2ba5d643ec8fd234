//! The binary, run for real: exit codes, formats, configuration and bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

pub fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/awesome-medical-llms.md")
}

pub fn paperlint() -> Command {
    let mut cmd = Command::cargo_bin("paperlint").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A repository with `list_text` as its README.md and `config_text` as its
/// paperlint.toml.
pub fn site(list_text: &str, config_text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), list_text).unwrap();
    std::fs::write(dir.path().join("paperlint.toml"), config_text).unwrap();
    dir
}

/// The rule of each finding of a JSON report, in report order.
pub fn rules_of(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .expect("a report has findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("a finding names its rule"))
        .collect()
}

/// The findings of a JSON report that are of `rule`, in report order.
pub fn with_rule<'r>(report: &'r Value, rule: &'r str) -> impl Iterator<Item = &'r Value> {
    report["findings"]
        .as_array()
        .expect("a report has findings")
        .iter()
        .filter(move |f| f["rule"] == rule)
}

/// `paperlint check --format json` in `dir`; the output and the parsed report.
pub fn check_json(dir: &Path, env: &[(&str, &str)]) -> (Output, Value) {
    let mut cmd = paperlint();
    cmd.current_dir(dir).args(["check", "--format", "json"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, report)
}

#[test]
fn example_list_reports_the_acl_links_and_the_year_out_of_order() {
    let out = paperlint()
        .args(["check", "--offline", "--format", "json"])
        .arg(example())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let malformed: Vec<(u64, &str)> = findings
        .iter()
        .filter(|f| f["rule"] == "url/malformed")
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["fix"]["replacement"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        malformed,
        vec![
            (27, "https://aclanthology.org/2022.findings-emnlp.398/"),
            (30, "https://aclanthology.org/2022.bionlp-1.9.pdf"),
            (31, "https://aclanthology.org/2021.bionlp-1.20.pdf"),
            (32, "https://aclanthology.org/2020.clinicalnlp-1.17/"),
            (33, "https://aclanthology.org/2020.emnlp-main.379/"),
            (49, "https://aclanthology.org/2022.emnlp-main.256.pdf"),
        ]
    );
    assert!(
        findings
            .iter()
            .all(|f| f["severity"] != "error" || f["rule"] == "url/malformed")
    );
    let order: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "entry/order")
        .collect();
    assert_eq!(order.len(), 1);
    assert_eq!(
        (order[0]["line"].as_u64(), order[0]["severity"].as_str()),
        (Some(34), Some("warning"))
    );
    // Nothing else at warning or error level: no false alarms on the fine rows.
    assert_eq!(
        findings.iter().filter(|f| f["severity"] != "info").count(),
        7
    );
    assert_eq!(report["version"], 1);
    assert_eq!(report["summary"]["errors"], 6);
}

#[test]
fn fixes_point_at_exactly_the_broken_bytes() {
    let text = std::fs::read_to_string(example()).unwrap();
    let out = paperlint()
        .args(["check", "--offline", "--format", "json"])
        .arg(example())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for f in report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["fix"].is_null())
    {
        let (start, end) = (
            f["fix"]["start"].as_u64().unwrap() as usize,
            f["fix"]["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[start..end], f["url"].as_str().unwrap());
    }
}

#[test]
fn fail_on_changes_the_exit_code() {
    paperlint()
        .args(["check", "--offline", "--fail-on", "never"])
        .arg(example())
        .assert()
        .code(0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ok.md");
    std::fs::write(
        &file,
        "|Year|Title|\n|-|-|\n|2023|[A](https://arxiv.org/abs/2301.00001)|\n|2024|B|\n",
    )
    .unwrap();
    paperlint()
        .args(["check", "--offline"])
        .arg(&file)
        .assert()
        .code(0);
    paperlint()
        .args(["check", "--offline", "--fail-on", "warning"])
        .arg(&file)
        .assert()
        .code(0);
    std::fs::write(
        &file,
        "|Year|Title|\n|-|-|\n|soon|[A](https://arxiv.org/abs/2301.00001)|\n",
    )
    .unwrap();
    paperlint()
        .args(["check", "--offline", "--fail-on", "warning"])
        .arg(&file)
        .assert()
        .code(1);
}

#[test]
fn github_format_prints_workflow_commands() {
    paperlint()
        .args(["check", "--offline", "--format", "github"])
        .arg(example())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("::error file=").and(predicate::str::contains(",line=27,col=67,title=url/malformed::host `aclanthology.2022.findings-emnlp.398` has no real top-level domain (fix: https://aclanthology.org/2022.findings-emnlp.398/)")))
        .stdout(predicate::str::contains("::warning file=").and(predicate::str::contains(",line=34,")));
}

#[test]
fn output_file_receives_the_report_without_colour() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.md");
    paperlint()
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["check", "--offline", "--format", "human", "--output"])
        .arg(&out)
        .arg(example())
        .assert()
        .code(1)
        .stdout("");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("url/malformed") && !text.contains('\u{1b}'),
        "{text}"
    );
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let colored = paperlint()
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["check", "--offline"])
        .arg(example())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&colored.stdout).contains('\u{1b}'));
    let plain = paperlint()
        .args(["check", "--offline"])
        .arg(example())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\u{1b}'));
}

#[test]
fn entries_json_has_the_documented_shape() {
    let out = paperlint()
        .args(["entries", "--format", "json"])
        .arg(example())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let entries: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let row = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["line"] == 27)
        .unwrap();
    assert_eq!(
        row["section"],
        serde_json::json!(["Awesome-Medical-LLMs", "Large-Language Models"])
    );
    assert_eq!(row["cells"][0], "2022");
    assert_eq!(row["year"], 2022);
    assert_eq!(
        row["title"],
        "ClinicalT5: A Generative Language Model for Clinical Text"
    );
    assert_eq!(row["venue"], "EMNLP");
    assert_eq!(
        row["links"][0]["url"],
        "https://aclanthology.2022.findings-emnlp.398/"
    );
    assert_eq!(row["links"][0]["kind"], "paper");
    assert_eq!(
        (
            row["links"][0]["line"].as_u64(),
            row["links"][0]["column"].as_u64()
        ),
        (Some(27), Some(67))
    );
    // Padded cells are trimmed: `|2022 |` gives `2022`.
    let padded = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["line"] == 28)
        .unwrap();
    assert_eq!(padded["cells"][0], "2022");
}

#[test]
fn entries_csv_has_one_row_per_entry() {
    let out = paperlint()
        .args(["entries", "--format", "csv"])
        .arg(example())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let json = paperlint()
        .args(["entries"])
        .arg(example())
        .output()
        .unwrap();
    let count = serde_json::from_slice::<serde_json::Value>(&json.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    assert_eq!(rows.len(), count);
    assert!(rows.iter().any(|r| &r[6]
        == "BioGPT: Generative Pre-trained Transformer for Biomedical Text Generation and Mining"));
}

#[test]
fn missing_file_and_directory_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.md");
    paperlint()
        .args(["check", "--offline"])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::ends_with("nope.md: no such file\n"));
    paperlint()
        .args(["check", "--offline"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("is a directory, not a markdown file")
                .and(predicate::str::is_match("^[^\n]*\n$").unwrap()),
        );
}

#[test]
fn a_missing_file_does_not_hide_the_others() {
    let dir = tempfile::tempdir().unwrap();
    paperlint()
        .args(["check", "--offline", "--format", "json"])
        .arg(dir.path().join("nope.md"))
        .arg(example())
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "aclanthology.org/2022.findings-emnlp.398",
        ));
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.md");
    std::fs::write(&file, b"|T|\n|-|\n|caf\xe9|\n").unwrap();
    paperlint()
        .args(["check", "--offline"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.md:3:5: invalid UTF-8 at byte offset 12",
        ));
}

#[test]
fn empty_file_and_file_without_tables_are_fine_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.md");
    std::fs::write(&empty, "").unwrap();
    paperlint()
        .args(["check", "--offline"])
        .arg(&empty)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "no problems in 1 file (0 entries checked)",
        ))
        .stderr(predicate::str::contains(
            "empty.md: no tables or links found",
        ));
    let prose = dir.path().join("prose.md");
    std::fs::write(&prose, "# Notes\n\nJust words, no tables.\n").unwrap();
    paperlint()
        .args(["check", "--offline"])
        .arg(&prose)
        .assert()
        .code(0);
}

#[test]
fn a_50_mb_file_is_refused_clearly_and_a_raised_limit_reads_a_big_one() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.md");
    let row = "|2023|[A paper title](https://arxiv.org/abs/2301.00001)|arXiv|\n";
    let mut text = String::from("|Year|Title|Venue|\n|-|-|-|\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(row);
    }
    std::fs::write(&big, &text).unwrap();
    paperlint()
        .args(["check", "--offline"])
        .arg(&big)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "more than the limit of 16777216 bytes (raise check.max_file_size to read it)",
        ));
    // Reading a big file is a benchmark matter; here 4 MB shows the limit is honoured.
    text.truncate(text[..4 * 1024 * 1024].rfind('\n').unwrap() + 1);
    std::fs::write(&big, &text).unwrap();
    let config = dir.path().join("big.toml");
    std::fs::write(&config, "[check]\nmax_file_size = 4_000_000\n").unwrap();
    paperlint()
        .args(["check", "--offline", "--config"])
        .arg(&config)
        .arg(&big)
        .assert()
        .code(2);
    std::fs::write(
        &config,
        "[check]\nmax_file_size = 100_000_000\n\n[rules]\n\"entry/duplicate\" = \"off\"\n",
    )
    .unwrap();
    paperlint()
        .args([
            "check",
            "--offline",
            "--quiet",
            "--format",
            "json",
            "--config",
        ])
        .arg(&config)
        .arg(&big)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"findings\": 0"));
}

#[test]
fn broken_config_names_the_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "[check]\nfail_on = \"error\"\n\n[rules]\n\"url/malformed\" = \"warning\"\ncolour = \"off\"\n").unwrap();
    paperlint()
        .args(["check", "--offline", "--config"])
        .arg(&config)
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "c.toml:6:1: unknown rule `colour`",
        ));
    std::fs::write(&config, "[rules]\n\"url/malformed\" = true\n").unwrap();
    paperlint()
        .args(["check", "--offline", "--config"])
        .arg(&config)
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("c.toml:2:19: `url/malformed`: "));
    std::fs::write(&config, "[check]\nfail_onn = \"error\"\n").unwrap();
    paperlint()
        .args(["check", "--offline", "--config"])
        .arg(&config)
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "c.toml:2:1: unknown field `fail_onn`",
        ));
    paperlint()
        .args(["check", "--offline", "--config"])
        .arg(dir.path().join("none.toml"))
        .arg(example())
        .assert()
        .code(2);
}

#[test]
fn config_is_discovered_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(example(), dir.path().join("README.md")).unwrap();
    std::fs::write(
        dir.path().join("paperlint.toml"),
        "[rules]\n\"url/malformed\" = \"off\"\n",
    )
    .unwrap();
    // A config.toml beside it is never read (it may be a static site's).
    std::fs::write(dir.path().join("config.toml"), "not toml at all [").unwrap();
    paperlint()
        .current_dir(dir.path())
        .args(["check", "--offline", "--format", "json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("url/malformed").not());
}

#[test]
fn the_documented_config_toml_is_valid_and_matches_the_defaults() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let config = paperlint::config::Config::parse(&text, "config.toml").unwrap();
    let defaults = paperlint::config::Config::default();
    assert_eq!(config.check, defaults.check);
    assert_eq!(config.columns, defaults.columns);
    assert_eq!(config.venues, defaults.venues);
    assert_eq!(config.network, defaults.network);
    assert_eq!(config.metadata, defaults.metadata);
    assert_eq!(config.github, defaults.github);
    assert_eq!(config.fix, defaults.fix);
    for rule in paperlint::model::RULES {
        assert!(
            text.contains(&format!("\"{}\"", rule.id)),
            "config.toml documents {}",
            rule.id
        );
    }
    for rule in paperlint::model::RULES {
        assert_eq!(config.severity(rule.id), Some(rule.default), "{}", rule.id);
    }
    // Every key is documented by a comment just above it.
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with('#') || t.starts_with('[') || !t.contains(" = ") {
            continue;
        }
        assert!(
            i > 0 && lines[i - 1].trim().starts_with('#'),
            "config.toml line {}: key without a comment above it: {t}",
            i + 1
        );
    }
}

#[test]
fn rules_lists_every_rule() {
    let out = paperlint()
        .arg("rules")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for rule in paperlint::model::RULES {
        assert!(text.contains(rule.name));
    }
}
