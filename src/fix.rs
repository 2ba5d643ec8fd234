//! `paperlint fix`: the fixes of the findings applied as exact byte edits. Nothing
//! outside the edited ranges changes; overlapping edits are skipped with a message,
//! never merged; the file is replaced atomically (temporary file in the same folder,
//! permissions and owner kept, then rename), so a failed write leaves the original
//! intact. A symlink's target is edited and the link kept; a read-only file is left
//! alone.

use crate::config::FixConfig;
use crate::model::Finding;
use crate::model::{Entry, RuleId, TableOrder};
use crate::source::Source;
use regex::Regex;
use std::sync::LazyLock;

/// One edit to apply, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// New text.
    pub replacement: String,
    /// The rule behind it.
    pub rule: String,
    /// 1-based line of the edit in the original file.
    pub line: usize,
    /// Why, in one line.
    pub reason: String,
}

/// The outcome of applying edits to one text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The new text.
    pub text: String,
    /// The edits made, in file order.
    pub done: Vec<Edit>,
    /// Edits left out, each with why.
    pub skipped: Vec<(Edit, String)>,
}

/// One file's repair: its source, the fixed text and the edits made.
pub struct Repair<'a> {
    /// The file as read.
    pub source: &'a Source,
    /// The text after the fixes.
    pub fixed: String,
    /// What changed, in file order.
    pub done: Vec<Edit>,
}

/// The rules whose fixes apply: `--rule` if given, else the config's list (plus
/// `paper/title-mismatch` with `fix.titles`, `paper/published` and
/// `paper/year-mismatch` with `fix.venues`).
pub fn enabled_rules(config: &FixConfig, only: &[RuleId]) -> Vec<RuleId> {
    if !only.is_empty() {
        return only.to_vec();
    }
    let mut rules = config.rules.clone();
    if config.titles {
        rules.push(RuleId::PaperTitleMismatch);
    }
    if config.venues {
        rules.push(RuleId::PaperPublished);
        rules.push(RuleId::PaperYearMismatch);
    }
    rules
}

/// The edits for the findings of one file.
pub fn edits(findings: &[Finding], rules: &[RuleId]) -> Vec<Edit> {
    findings
        .iter()
        .filter(|f| rules.contains(&f.rule))
        .filter_map(|f| {
            let fix = f.fix.as_ref()?;
            Some(Edit {
                start: fix.start,
                end: fix.end,
                replacement: fix.replacement.clone(),
                rule: f.rule.to_string(),
                line: f.line,
                reason: f.message.clone(),
            })
        })
        .collect()
}

/// `https://arxiv.org/pdf/ID[vN][.pdf]` links rewritten to `https://arxiv.org/abs/ID[vN]`.
pub fn arxiv_abs_edits(text: &str, entries: &[Entry], source: &crate::source::Source) -> Vec<Edit> {
    static PDF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^https?://(?:www\.|export\.)?arxiv\.org/pdf/([a-z-]*/?[0-9]{4,7}(?:\.[0-9]{4,5})?(?:v[0-9]+)?)(?:\.pdf)?$").unwrap()
    });
    let mut out = Vec::new();
    for l in entries.iter().flat_map(|e| &e.links) {
        let Some(span) = &l.url_span else { continue };
        if text[span.clone()] != l.url {
            continue;
        }
        if let Some(c) = PDF.captures(&l.url) {
            out.push(Edit {
                start: span.start,
                end: span.end,
                replacement: format!("https://arxiv.org/abs/{}", &c[1]),
                rule: "fix/arxiv-abs".into(),
                line: source.position(span.start).line,
                reason: "arXiv PDF link to its abstract page".into(),
            });
        }
    }
    out
}

/// The repair of one linted file under `config`: the fixes of the enabled rules
/// (`only` if given), arXiv abstract links with `fix.arxiv_abs`, then, with `fix.sort`,
/// tables re-sorted on the text the other fixes produced (the sort's edits in `done`
/// refer to that text).
pub fn repair(
    source: &crate::source::Source,
    linted: &crate::pipeline::Linted<'_>,
    config: &crate::config::Config,
    only: &[RuleId],
) -> Applied {
    let rules = enabled_rules(&config.fix, only);
    let mut edits = edits(&linted.findings, &rules);
    if config.fix.arxiv_abs && only.is_empty() {
        edits.extend(arxiv_abs_edits(&source.text, &linted.entries, source));
    }
    let mut applied = apply(&source.text, edits);
    if config.fix.sort && (only.is_empty() || only.iter().any(|r| r == "entry/order")) {
        let after = crate::source::Source::new(source.path.clone(), applied.text.clone());
        let relinted = crate::pipeline::lint(&after, config);
        let sorted = apply(
            &after.text,
            sort_edits(&after.text, &relinted.entries, &relinted.findings, &after),
        );
        applied.text = sorted.text;
        applied.done.extend(sorted.done);
        applied.skipped.extend(sorted.skipped);
    }
    applied
}

/// Applies edits: sorted by position, identical duplicates merged, an edit that
/// overlaps one already taken skipped with the reason.
pub fn apply(text: &str, mut edits: Vec<Edit>) -> Applied {
    edits.sort_by(|a, b| (a.start, a.end, &a.replacement).cmp(&(b.start, b.end, &b.replacement)));
    edits.dedup_by(|b, a| a.start == b.start && a.end == b.end && a.replacement == b.replacement);
    let mut out = Applied::default();
    let mut kept: Vec<Edit> = Vec::new();
    for e in edits {
        if e.end > text.len()
            || !text.is_char_boundary(e.start)
            || !text.is_char_boundary(e.end)
            || e.start > e.end
        {
            out.skipped
                .push((e, "the edit does not fit the file".into()));
            continue;
        }
        if text[e.start..e.end] == e.replacement {
            continue; // already fixed
        }
        // Two insertions at one point, or ranges that cross: never merged.
        if let Some(prev) = kept.last()
            && (e.start < prev.end || (e.start == prev.start && e.start == e.end))
        {
            let why = format!("overlaps the {} fix at line {}", prev.rule, prev.line);
            out.skipped.push((e, why));
            continue;
        }
        kept.push(e);
    }
    let mut result = String::with_capacity(text.len());
    let mut at = 0;
    for e in &kept {
        result.push_str(&text[at..e.start]);
        result.push_str(&e.replacement);
        at = e.end;
    }
    result.push_str(&text[at..]);
    out.text = result;
    out.done = kept;
    out
}

/// A unified diff of one file, for `--dry-run`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let path = path.trim_start_matches("./").trim_start_matches('/');
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Re-sorts the tables whose rows `entry/order` finds out of place, by year in the
/// direction the table mostly follows (stable: rows of one year keep their order).
/// A table with a row that has no year is left alone.
pub fn sort_edits(
    text: &str,
    entries: &[Entry],
    findings: &[Finding],
    source: &crate::source::Source,
) -> Vec<Edit> {
    let mut out = Vec::new();
    // Each table with its own direction, as `entry/order` found it.
    let tables: std::collections::BTreeMap<usize, TableOrder> = findings
        .iter()
        .filter(|f| f.rule == RuleId::EntryOrder)
        .filter_map(|f| {
            let table = entries
                .iter()
                .find(|e| e.span.start <= f.offset && f.offset < e.span.end)?
                .table?;
            Some((table, f.table_order?))
        })
        .collect();
    for (t, order) in tables {
        let rows: Vec<&Entry> = entries.iter().filter(|e| e.table == Some(t)).collect();
        if rows.iter().any(|e| e.year.is_none()) || rows.len() < 2 {
            continue;
        }
        let mut sorted = rows.clone();
        sorted.sort_by_key(|e| match order {
            TableOrder::NewestFirst => -e.year.unwrap_or(0),
            TableOrder::OldestFirst => e.year.unwrap_or(0),
        });
        let (start, end) = (rows[0].span.start, rows[rows.len() - 1].span.end);
        // Each row keeps its own bytes, line ending included; the last row of the
        // file may lack a newline, so one is carried over to where it is needed.
        let line = |e: &Entry| {
            let s = &text[e.span.clone()];
            if s.ends_with('\n') {
                s.to_string()
            } else {
                format!("{s}\n")
            }
        };
        let mut block: String = sorted.iter().map(|e| line(e)).collect();
        if !text[start..end].ends_with('\n') {
            block.pop();
        }
        if block != text[start..end] {
            out.push(Edit {
                start,
                end,
                replacement: block,
                rule: "entry/order".into(),
                line: source.position(start).line,
                reason: "table re-sorted by year".into(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, replacement: &str) -> Edit {
        Edit {
            start,
            end,
            replacement: replacement.into(),
            rule: "r".into(),
            line: 1,
            reason: String::new(),
        }
    }

    #[test]
    fn edits_touch_only_their_bytes_and_overlaps_are_skipped() {
        let text = "ab\r\ncd\tef\u{00e9}";
        let a = apply(
            text,
            vec![edit(4, 6, "XY"), edit(0, 1, "Z"), edit(5, 7, "no")],
        );
        assert_eq!(a.text, "Zb\r\nXY\tef\u{00e9}");
        assert_eq!(a.skipped.len(), 1);
        assert!(a.skipped[0].1.starts_with("overlaps the r fix"));
        // Identical edits are one edit; an edit already in place is nothing to do.
        let b = apply(
            text,
            vec![edit(0, 1, "Z"), edit(0, 1, "Z"), edit(4, 6, "cd")],
        );
        assert_eq!(
            (b.text.as_str(), b.done.len(), b.skipped.len()),
            ("Zb\r\ncd\tef\u{00e9}", 1, 0)
        );
    }
}
