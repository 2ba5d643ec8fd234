//! `paperlint fix`, run for real on copies of lists: exact edits, dry runs,
//! idempotence, preserved bytes; and property tests on random lists.

use crate::cli::{example, paperlint};
use proptest::prelude::*;

fn copy_example() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("awesome-medical-llms.md");
    std::fs::copy(example(), &path).unwrap();
    (dir, path)
}

/// Byte ranges where two texts differ, as (start in old, end in old, replacement).
fn changes(old: &str, new: &str) -> Vec<(String, String)> {
    let diff = similar::TextDiff::from_chars(old, new);
    let mut out = Vec::new();
    let (mut removed, mut added) = (String::new(), String::new());
    for c in diff.iter_all_changes() {
        match c.tag() {
            similar::ChangeTag::Equal => {
                if !removed.is_empty() || !added.is_empty() {
                    out.push((std::mem::take(&mut removed), std::mem::take(&mut added)));
                }
            }
            similar::ChangeTag::Delete => removed.push_str(c.value()),
            similar::ChangeTag::Insert => added.push_str(c.value()),
        }
    }
    if !removed.is_empty() || !added.is_empty() {
        out.push((removed, added));
    }
    out
}

#[test]
fn fixing_the_example_repairs_the_six_acl_links_and_nothing_else() {
    let (_dir, path) = copy_example();
    let before = std::fs::read_to_string(&path).unwrap();
    paperlint()
        .args(["fix", "--offline"])
        .arg(&path)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("6 fixes"));
    let after = std::fs::read_to_string(&path).unwrap();
    // Every change is "org/" put into an ACL Anthology host; everything else is the same.
    let diffs = changes(&before, &after);
    assert_eq!(diffs.len(), 6, "{diffs:?}");
    assert!(
        diffs
            .iter()
            .all(|(removed, added)| removed.is_empty() && added == "org/"),
        "{diffs:?}"
    );
    assert_eq!(after.len(), before.len() + 6 * 4);
    // `check` no longer reports them; a second `fix` changes nothing.
    paperlint()
        .args(["check", "--offline", "--format", "json"])
        .arg(&path)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("url/malformed").not());
    paperlint()
        .args(["fix", "--offline"])
        .arg(&path)
        .assert()
        .code(0)
        .stderr(predicates::str::contains("nothing to fix"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let (dir, path) = copy_example();
    let before = std::fs::read_to_string(&path).unwrap();
    let out = paperlint()
        .current_dir(dir.path())
        .args(["fix", "--offline", "--dry-run", "awesome-medical-llms.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn only_the_rules_asked_for_are_fixed() {
    let (_dir, path) = copy_example();
    let before = std::fs::read_to_string(&path).unwrap();
    paperlint()
        .args(["fix", "--offline", "--rule", "venue/spelling"])
        .arg(&path)
        .assert()
        .code(0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    paperlint()
        .args(["fix", "--offline", "--rule", "no/such-rule"])
        .arg(&path)
        .assert()
        .code(2);
}

#[test]
fn line_endings_bom_tabs_and_non_ascii_are_preserved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.md");
    let text = "\u{feff}# 论文\r\n\r\n|Year|Title|Venue|\r\n|---|---|---|\r\n|2023\t|[模型 ü](https://aclanthology.2023.acl-long.1/)|ACL|\r\n|2022|[B](https://arxiv.org/abs/2201.00001)|arXiv|\r\n|2021|[C](https://arxiv.org/abs/2101.00001)|ArXiv|\r\n|2020|[D](https://arxiv.org/abs/2001.00001)|arXiv|";
    std::fs::write(&path, text).unwrap();
    paperlint()
        .args(["fix", "--offline"])
        .arg(&path)
        .assert()
        .code(0);
    let after = std::fs::read_to_string(&path).unwrap();
    let expected = text
        .replace("aclanthology.2023", "aclanthology.org/2023")
        .replace("|ArXiv|", "|arXiv|");
    assert_eq!(after, expected);
}

#[test]
fn sorting_is_opt_in_and_moves_whole_rows() {
    let (dir, path) = copy_example();
    std::fs::write(dir.path().join("paperlint.toml"), "[fix]\nsort = true\n").unwrap();
    paperlint()
        .current_dir(dir.path())
        .args(["fix", "--offline", "awesome-medical-llms.md"])
        .assert()
        .code(0);
    let after = std::fs::read_to_string(&path).unwrap();
    paperlint()
        .args(["check", "--offline", "--format", "json"])
        .arg(&path)
        .assert()
        .stdout(predicates::str::contains("entry/order").not());
    let mut a: Vec<&str> = after.lines().collect();
    let before = std::fs::read_to_string(example())
        .unwrap()
        .replace("aclanthology.20", "aclanthology.org/20");
    let mut b: Vec<&str> = before.lines().collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same rows, only in another order");
}

/// Each table is re-sorted in its own direction: a list with one table newest first
/// and one oldest first keeps both directions.
#[test]
fn sorting_keeps_each_tables_own_direction() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("paperlint.toml"), "[fix]\nsort = true\n").unwrap();
    let table = |years: &[i32], tag: &str| {
        let mut t = String::from("|Year|Title|\n|---|---|\n");
        for (i, y) in years.iter().enumerate() {
            t.push_str(&format!(
                "|{y}|[{tag} {y}](https://arxiv.org/abs/{}.{:05})|\n",
                y % 100 * 100 + 1,
                i + if tag == "new" { 100 } else { 200 }
            ));
        }
        t
    };
    let text = format!(
        "# List\n\n## Newest first\n\n{}\n## Oldest first\n\n{}",
        table(&[2024, 2023, 2019, 2022, 2021, 2020], "new"),
        table(&[2018, 2019, 2024, 2020, 2021, 2022], "old"),
    );
    let path = dir.path().join("list.md");
    std::fs::write(&path, &text).unwrap();
    paperlint()
        .current_dir(dir.path())
        .args(["fix", "--offline", "list.md"])
        .assert()
        .code(0);
    let after = std::fs::read_to_string(&path).unwrap();
    let years = |heading: &str| -> Vec<i32> {
        after
            .split(heading)
            .nth(1)
            .unwrap()
            .lines()
            .skip_while(|l| !l.starts_with("|---"))
            .skip(1)
            .take_while(|l| l.starts_with('|'))
            .map(|l| l[1..5].parse().unwrap())
            .collect()
    };
    assert_eq!(
        years("## Newest first"),
        vec![2024, 2023, 2022, 2021, 2020, 2019]
    );
    assert_eq!(
        years("## Oldest first"),
        vec![2018, 2019, 2020, 2021, 2022, 2024]
    );
}

/// A random table row: good links, ACL hosts without `.org/`, venue spellings.
fn row() -> impl Strategy<Value = String> {
    let year = 2015..2025i32;
    let url = prop_oneof![
        (1000..9999u32).prop_map(|n| format!("https://arxiv.org/abs/2301.{n:05}")),
        (1..400u32).prop_map(|n| format!("https://aclanthology.2022.emnlp-main.{n}/")),
        (1..400u32).prop_map(|n| format!("https://aclanthology.2021.findings-acl.{n}.pdf")),
        Just("https://www.nature.com/articles/s41586-023-06291-2".to_string()),
    ];
    let venue = prop_oneof![
        Just("arXiv"),
        Just("ArXiv"),
        Just("EMNLP"),
        Just("Nature"),
        Just("")
    ];
    let pad = prop_oneof![Just(""), Just(" "), Just("\t")];
    (year, "[A-Za-z ü论]{1,20}", url, venue, pad)
        .prop_map(|(y, t, u, v, p)| format!("|{y}{p}|[{t}]({u})|{v}|"))
}

fn fix_text(text: &str) -> (String, Vec<paperlint::fix::Edit>) {
    let config = paperlint::config::Config::default();
    let source = paperlint::source::Source::new("t.md", text.to_string());
    let applied = paperlint::fix::repair(&source, &paperlint::lint(&source, &config), &config, &[]);
    (applied.text, applied.done)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn fixes_keep_every_other_byte_and_are_idempotent(rows in prop::collection::vec(row(), 1..30), crlf in any::<bool>()) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let text = format!("## S{nl}|Year|Title|Venue|{nl}|---|---|---|{nl}{}{nl}", rows.join(nl));
        let (fixed, done) = fix_text(&text);
        // Outside the edited ranges, the bytes are the original ones, in order.
        let mut at = 0;
        let mut rebuilt = String::new();
        for e in &done {
            rebuilt.push_str(&text[at..e.start]);
            rebuilt.push_str(&e.replacement);
            at = e.end;
        }
        rebuilt.push_str(&text[at..]);
        prop_assert_eq!(&rebuilt, &fixed);
        prop_assert!(done.windows(2).all(|w| w[0].end <= w[1].start));
        // A second pass has nothing left to do.
        let (again, more) = fix_text(&fixed);
        prop_assert!(more.is_empty(), "{:?}", more);
        prop_assert_eq!(again, fixed);
    }

    #[test]
    fn any_text_and_any_edits_never_panic(text in "\\PC{0,200}", edits in prop::collection::vec((0..220usize, 0..40usize, "[a-z|\\n]{0,5}"), 0..8)) {
        let edits: Vec<paperlint::fix::Edit> = edits
            .into_iter()
            .map(|(start, len, replacement)| paperlint::fix::Edit { start, end: start + len, replacement, rule: "r".into(), line: 1, reason: String::new() })
            .collect();
        let applied = paperlint::fix::apply(&text, edits);
        prop_assert!(applied.done.len() + applied.skipped.len() <= 8);
        let _ = paperlint::parse::parse(&text);
    }
}

use predicates::prelude::PredicateBooleanExt;
