//! The parser against GitHub's renderer: on every corpus file, cmark-gfm and
//! paperlint must agree on the number of table rows and on each row's link URLs.
//! Needs `../shared` and the `cmark-gfm` binary; says so and skips without them.

use crate::support::corpus_files;
use paperlint::model::LinkSyntax;
use regex::Regex;
use std::path::Path;
use std::process::Command;

/// Per body row: the destinations of its links (not images), as cmark-gfm renders them.
fn cmark_rows(path: &Path) -> Option<Vec<Vec<String>>> {
    let out = Command::new("cmark-gfm")
        .args([
            "-e",
            "table",
            "-e",
            "autolink",
            "-e",
            "footnotes",
            "-e",
            "strikethrough",
        ])
        .args(["-e", "tasklist", "-t", "xml"])
        .arg(path)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "cmark-gfm failed on {}",
        path.display()
    );
    let xml = String::from_utf8(out.stdout).expect("utf-8 xml");
    let token = Regex::new(
        r#"<table_header>|</table_header>|<table_row>|</table_row>|<link destination="([^"]*)""#,
    )
    .unwrap();
    let (mut rows, mut current, mut in_header) = (Vec::new(), None::<Vec<String>>, false);
    for c in token.captures_iter(&xml) {
        match c.get(0).unwrap().as_str() {
            "<table_header>" => in_header = true,
            "</table_header>" => in_header = false,
            "<table_row>" => current = Some(Vec::new()),
            "</table_row>" => rows.extend(current.take()),
            _ => {
                if let (Some(row), false) = (current.as_mut(), in_header) {
                    let url = unescape(&c[1]);
                    if !url.starts_with("mailto:") {
                        row.push(url);
                    }
                }
            }
        }
    }
    Some(rows)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn paperlint_rows(text: &str) -> Vec<Vec<String>> {
    let doc = paperlint::parse::parse(text);
    doc.tables
        .iter()
        .flat_map(|t| &t.rows)
        .map(|row| {
            row.cells
                .iter()
                .flat_map(|c| &c.links)
                .filter(|l| !l.image && l.syntax != LinkSyntax::Html)
                .map(|l| l.url.clone())
                .collect()
        })
        .collect()
}

#[test]
fn table_rows_and_links_agree_with_cmark_gfm_on_the_corpus() {
    let Some(files) = corpus_files() else { return };
    if Command::new("cmark-gfm").arg("--version").output().is_err() {
        eprintln!("skipping: cmark-gfm is not installed (apt-get install cmark-gfm)");
        return;
    }
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let ours = paperlint_rows(&text);
        let theirs = cmark_rows(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        if ours.len() != theirs.len() {
            failures.push(format!(
                "{name}: {} rows, cmark-gfm has {}",
                ours.len(),
                theirs.len()
            ));
            continue;
        }
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            if a != b {
                failures.push(format!("{name}: row {i}: ours {a:?}\n   cmark-gfm {b:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
