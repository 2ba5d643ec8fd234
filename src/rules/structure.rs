//! `table/cell-count`, `entry/missing-link`, `entry/empty-link`.

use super::{Report, Rows, Sink, excerpt};
use crate::model::Fix;
use crate::model::RuleId;
use crate::model::{Entry, EntrySource, LinkKind};
use crate::parse::source_cell_spans;
use std::collections::BTreeMap;

/// A row whose source has a different number of cells than its header. Extra cells
/// that are empty or a `[//]: #` comment are deliberate and not reported; two rows
/// glued with `||` get a fix that splits them.
pub(crate) fn cell_count(sink: &mut Sink<'_>, e: &Entry) {
    if e.source != EntrySource::Table {
        return;
    }
    let src = &sink.source.text;
    let (have, want) = (e.source_cells, e.header_cells);
    if have == want {
        return;
    }
    let line = &src[e.span.clone()];
    let cells = source_cell_spans(line);
    let abs = |r: &std::ops::Range<usize>| e.span.start + r.start..e.span.start + r.end;
    if have < want {
        sink.push(Report {
            rule: RuleId::TableCellCount,
            subject: e.into(),
            offset: e.span.start,
            message: format!("row has {have} {}, the table has {want} columns; GitHub shows the missing ones empty", crate::text::noun(have, "cell")),
            url: None,
            fix: None,
        });
        return;
    }
    let dropped: Vec<&str> = cells[want..]
        .iter()
        .map(|r| line[r.clone()].trim())
        .filter(|t| !t.is_empty() && !t.starts_with("[//]:") && !t.starts_with("<!--"))
        .collect();
    if dropped.is_empty() {
        return;
    }
    let glued = cells
        .get(want)
        .filter(|r| line[(*r).clone()].trim().is_empty() && have > want + 1);
    let (message, fix) = match glued {
        Some(empty) => {
            let at = abs(empty);
            (
                format!(
                    "row has {have} cells, the table has {want} columns: two rows are glued together with `||`; GitHub drops the second (`{}`)",
                    excerpt(&dropped.join(" | "), 60)
                ),
                Some(Fix {
                    start: at.start,
                    end: at.end,
                    replacement: "\n".to_string(),
                }),
            )
        }
        None => (
            format!(
                "row has {have} cells, the table has {want} columns; GitHub drops `{}`",
                excerpt(&dropped.join(" | "), 60)
            ),
            None,
        ),
    };
    let offset = cells
        .get(want)
        .map_or(e.span.start, |r| abs(r).start.saturating_sub(1));
    sink.push(Report {
        rule: RuleId::TableCellCount,
        subject: e.into(),
        offset,
        message,
        url: None,
        fix,
    });
}

/// `entry/missing-link`: a row that names a paper but links nothing (badges and
/// images aside), in a table where two thirds of the rows have a link (so tables that
/// are not link lists, e.g. leaderboards, stay quiet). Judged when the file is read.
#[derive(Default)]
pub(crate) struct MissingLink {
    /// Per table: its rows, those with a link, and the rows to report if the table
    /// turns out to be a link list.
    tables: BTreeMap<usize, LinkCounts>,
}

#[derive(Default)]
struct LinkCounts {
    rows: usize,
    linked: usize,
    unlinked: Vec<u32>,
}

impl MissingLink {
    pub(crate) fn entry<'a>(&mut self, rows: &mut Rows<'a>, e: &Entry<'a>) {
        let Some(t) = e.table else { return };
        let counts = self.tables.entry(t).or_default();
        counts.rows += 1;
        if has_link(e) {
            counts.linked += 1;
        } else if e.title.is_some() && !e.links.iter().any(|l| l.url.trim().is_empty()) {
            // A row with an empty link is reported by `entry/empty-link` instead. A
            // row with an empty title cell lists something that has no paper (a tool,
            // a dataset); only a row that names a paper and does not link it is
            // reported.
            counts.unlinked.push(rows.keep(e));
        }
    }

    pub(crate) fn finish(self, sink: &mut Sink<'_>, rows: &Rows<'_>) {
        for counts in self.tables.values() {
            if counts.rows < 3 || counts.linked * 3 < counts.rows * 2 {
                continue;
            }
            for &row in &counts.unlinked {
                sink.push(Report {
                    rule: RuleId::EntryMissingLink,
                    subject: rows.subject(row),
                    offset: rows.start(row),
                    message: match rows.title(row) {
                        Some(t) => format!("`{}` has no link", excerpt(t, 60)),
                        None => "row has no link".to_string(),
                    },
                    url: None,
                    fix: None,
                });
            }
        }
    }
}

fn has_link(e: &Entry) -> bool {
    e.links
        .iter()
        .any(|l| !matches!(l.kind, LinkKind::Badge | LinkKind::Image) && !l.url.trim().is_empty())
}

/// A link or image whose target is empty: `[Coming soon]()`, `[![badge](…)]()`.
pub(crate) fn empty_link(sink: &mut Sink<'_>, e: &Entry) {
    for l in e.links.iter().filter(|l| l.url.trim().is_empty()) {
        let what = match l.kind {
            LinkKind::Badge => "badge links nowhere".to_string(),
            LinkKind::Image => "image has no source".to_string(),
            _ if l.text.is_empty() => "link has an empty target".to_string(),
            _ => format!("link `{}` has an empty target", excerpt(&l.text, 40)),
        };
        sink.push(Report {
            rule: RuleId::EntryEmptyLink,
            subject: e.into(),
            offset: l.span.start,
            message: what,
            url: None,
            fix: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint_md, rules_and_lines};

    #[test]
    fn short_rows_and_rows_with_lost_content_are_reported() {
        let md =
            "|A|B|C|\n|-|-|-|\n|a|b|\n|a|b|c|lost|\n|a|b|c||\n|a|b|c| [//]: #Recommend\n|a|b|c|\n";
        assert_eq!(
            rules_and_lines(md),
            vec![("table/cell-count", 3), ("table/cell-count", 4)]
        );
        let f = lint_md(md);
        assert!(
            f[1].message.contains("GitHub drops `lost`"),
            "{}",
            f[1].message
        );
    }

    #[test]
    fn glued_rows_get_a_fix_that_splits_them() {
        let md = "|A|B|\n|-|-|\n|a|b||c|d|\n";
        let f = lint_md(md);
        assert_eq!(f.len(), 1);
        let fix = f[0].fix.as_ref().expect("fix");
        let mut fixed = md.to_string();
        fixed.replace_range(fix.start..fix.end, &fix.replacement);
        assert_eq!(fixed, "|A|B|\n|-|-|\n|a|b|\n|c|d|\n");
    }

    #[test]
    fn missing_and_empty_links() {
        let md = "|Title|\n|-|\n|[A](https://arxiv.org/abs/2301.00001)|\n|[B](https://arxiv.org/abs/2301.00002)|\n|[C](https://arxiv.org/abs/2301.00003)|\n|[D](https://arxiv.org/abs/2301.00004)|\n|E only|\n|[Coming soon]()|\n";
        assert_eq!(
            rules_and_lines(md),
            vec![("entry/missing-link", 7), ("entry/empty-link", 8)]
        );
    }

    #[test]
    fn tables_that_are_not_link_lists_stay_quiet() {
        let md = "|Method|Score|\n|-|-|\n|A|1|\n|B|2|\n|[C](https://arxiv.org/abs/2301.00003)|3|\n";
        assert!(rules_and_lines(md).is_empty());
    }
}
