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
                .map(|l| l.url.to_string())
                .collect()
        })
        .collect()
}

#[test]
fn table_rows_and_links_agree_with_cmark_gfm_on_the_corpus() {
    let Some(files) = corpus_files() else { return };
    if Command::new("cmark-gfm").arg("--version").output().is_err() {
        // CI sets PAPERLINT_REQUIRE_CMARK so that a missing renderer fails loudly there.
        assert!(
            std::env::var_os("PAPERLINT_REQUIRE_CMARK").is_none(),
            "cmark-gfm is required here"
        );
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

fn lint_corpus_file(name: &str) -> Option<Vec<paperlint::model::Finding>> {
    let dir = crate::support::shared_dir()?;
    let source = paperlint::source::Source::load(&dir.join("corpus").join(name), u64::MAX).unwrap();
    Some(paperlint::lint(&source, &paperlint::config::Config::default()).findings)
}

/// Every corpus file parses and lints without panicking, and every span the parser
/// hands out (entries, cells, links, fixes) lies on character boundaries inside the file.
#[test]
fn every_corpus_file_survives_with_sound_spans() {
    let Some(files) = corpus_files() else { return };
    let config = paperlint::config::Config::default();
    for path in files {
        let source = paperlint::source::Source::load(&path, u64::MAX).unwrap();
        let text = &source.text;
        let ok = |r: &std::ops::Range<usize>| {
            r.start <= r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
        };
        let linted = paperlint::lint(&source, &config);
        for e in &linted.entries {
            assert!(ok(&e.span), "{}: entry span {:?}", path.display(), e.span);
            for c in &e.cells {
                assert!(
                    ok(&c.span) && c.source(text).trim() == c.source(text),
                    "{}: cell {:?}",
                    path.display(),
                    c.span
                );
            }
            for l in &e.links {
                assert!(ok(&l.span), "{}: link span", path.display());
                if let Some(s) = &l.url_span {
                    assert!(ok(s), "{}: url span {:?}", path.display(), s);
                }
            }
        }
        for f in &linted.findings {
            if let Some(fix) = &f.fix {
                assert!(ok(&(fix.start..fix.end)), "{}: fix {fix:?}", path.display());
            }
        }
    }
}

/// NomaDamas line 16: two rows glued with `||`; GitHub loses the KoLlama2 row.
#[test]
fn glued_rows_are_reported_with_a_split_fix() {
    let Some(findings) = lint_corpus_file("NomaDamas__awesome-korean-llm.md") else {
        return;
    };
    let glued: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == "table/cell-count")
        .collect();
    assert_eq!(glued.len(), 1);
    assert_eq!(glued[0].line, 16);
    assert!(glued[0].message.contains("glued") && glued[0].message.contains("KoLlama2"));
    assert_eq!(glued[0].fix.as_ref().unwrap().replacement, "\n");
}

/// horseee ends 214 rows with `| [//]: #Recommend`, a deliberate hidden cell.
#[test]
fn markdown_comment_cells_are_not_cell_count_noise() {
    let Some(findings) = lint_corpus_file("horseee__Awesome-Efficient-LLM.md") else {
        return;
    };
    assert_eq!(
        findings
            .iter()
            .filter(|f| f.rule == "table/cell-count")
            .count(),
        0
    );
}

/// burglarhobbit: PH-LLM and Med-Gemini share arXiv 2405.03162; BioGPT and another
/// row share an ACL Anthology URL.
#[test]
fn known_duplicates_are_found() {
    let Some(findings) =
        lint_corpus_file("burglarhobbit__Awesome-Medical-Large-Language-Models.md")
    else {
        return;
    };
    let dups: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == "entry/duplicate")
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        dups.iter().any(|m| m.contains("arXiv:2405.03162")),
        "{dups:?}"
    );
    assert!(dups.iter().any(|m| m.contains("BioGPT")), "{dups:?}");
}

/// BradyFU's `[Coming soon]()` placeholders are empty links.
#[test]
fn coming_soon_placeholders_are_empty_links() {
    let Some(findings) = lint_corpus_file("BradyFU__Awesome-Multimodal-Large-Language-Models.md")
    else {
        return;
    };
    let empty = findings
        .iter()
        .filter(|f| f.rule == "entry/empty-link" && f.message.contains("Coming soon"))
        .count();
    assert_eq!(empty, 18);
}

/// The 974 KB dair-ai file: 1,300 rows in 130 tables, all extracted.
#[test]
fn large_files_keep_every_row() {
    let Some(dir) = crate::support::shared_dir() else {
        return;
    };
    let source = paperlint::source::Source::load(
        &dir.join("corpus/dair-ai__ML-Papers-of-the-Week.md"),
        u64::MAX,
    )
    .unwrap();
    let doc = paperlint::parse::parse(&source.text);
    assert_eq!(doc.tables.len(), 130);
    assert_eq!(doc.tables.iter().map(|t| t.rows.len()).sum::<usize>(), 1300);
}
