//! `entry/year-invalid` and `entry/order`.

use super::{Report, Rows, Sink, excerpt};
use crate::model::{Entry, RuleId, TableOrder};
use std::collections::BTreeMap;

/// The latest year accepted: next year (lists announce accepted papers early).
pub(crate) fn latest_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // 365.2425 days a year is exact enough to find the calendar year.
    1970 + (secs / 31_556_952) as i32 + 1
}

/// A year cell that holds text but no plausible year.
pub(crate) fn year_invalid(sink: &mut Sink<'_>, e: &Entry, latest: i32) {
    let Some(text) = &e.year_text else { return };
    let message = match e.year {
        None => format!("year column holds `{}`, not a year", excerpt(text, 40)),
        Some(y) if y > latest => format!("year {y} is in the future"),
        Some(_) => return,
    };
    let offset = e
        .cells
        .iter()
        .find(|c| &c.text == text)
        .map_or(e.span.start, |c| c.span.start);
    sink.push(Report {
        rule: RuleId::EntryYearInvalid,
        subject: e.into(),
        offset,
        message,
        url: None,
        fix: None,
    });
}

/// `entry/order`: rows that break the year order of a table that is otherwise sorted. The rows kept
/// are a longest monotone run (newest-first or oldest-first, whichever is longer), so
/// the row reported is the one out of place, not its innocent neighbour. Tables where
/// more than a fifth of the rows would be out of place are not sorted by year at all
/// and stay quiet.
///
/// Judged when the file is read; until then each table keeps, per row with a year,
/// the year, where it is written and the row.
#[derive(Default)]
pub(crate) struct Order {
    tables: BTreeMap<usize, Vec<Dated>>,
}

/// A row with a year, as [`Order`] keeps it: 12 bytes, since a long list keeps one
/// per row (offsets fit in 32 bits: `source::MAX_LEN`).
struct Dated {
    year: i32,
    /// Where the year is written (the first cell that names it), else the row start.
    at: u32,
    row: u32,
}

impl Order {
    pub(crate) fn entry<'a>(&mut self, rows: &mut Rows<'a>, e: &Entry<'a>) {
        let (Some(year), Some(t)) = (e.year, e.table) else {
            return;
        };
        let at = super::offset32(year_offset(e, year));
        let row = rows.keep(e);
        self.tables
            .entry(t)
            .or_default()
            .push(Dated { year, at, row });
    }

    pub(crate) fn finish(self, sink: &mut Sink<'_>, rows: &Rows<'_>) {
        for dated in self.tables.values() {
            let n = dated.len();
            // (Not a set of the years: on a long table, collecting one sorts a copy.)
            let one_year = dated.iter().all(|d| d.year == dated[0].year);
            if n < 4 || one_year {
                continue;
            }
            // The longer direction is found by the runs' lengths, and only its run is
            // built: a long table judged at the end of its file holds one run at most.
            let year = |i: u32| dated[i as usize].year;
            let newest_first = run_length(n, year, true) >= run_length(n, year, false);
            let (kept, direction) = if newest_first {
                (longest_monotone(n, year, true), TableOrder::NewestFirst)
            } else {
                (longest_monotone(n, year, false), TableOrder::OldestFirst)
            };
            let out_of_place = n - kept.len();
            if out_of_place == 0 || out_of_place * 5 > n {
                continue;
            }
            let mut keep = vec![false; n];
            for &i in &kept {
                keep[i as usize] = true;
            }
            drop(kept);
            // The kept rows around each row out of place, in one pass: the last kept
            // row before it, and the next one after it (which only moves forward).
            let mut before = None;
            let mut next = 0;
            for (i, d) in dated.iter().enumerate() {
                if keep[i] {
                    before = Some(d.year);
                    continue;
                }
                next = next.max(i + 1);
                while next < n && !keep[next] {
                    next += 1;
                }
                let after = dated.get(next).map(|d| d.year);
                let context = match (before, after) {
                    (Some(b), Some(a)) if b == a => format!("between {b} entries"),
                    (Some(b), Some(a)) => format!("between {b} and {a} entries"),
                    (Some(b), None) => format!("after {b} entries"),
                    (None, Some(a)) => format!("before {a} entries"),
                    (None, None) => String::new(),
                };
                let report = Report {
                    rule: RuleId::EntryOrder,
                    subject: rows.subject(d.row),
                    offset: d.at as usize,
                    message: format!(
                        "{} entry {context} in a table otherwise sorted {}",
                        d.year,
                        direction.as_str()
                    ),
                    url: None,
                    fix: None,
                };
                sink.push_in_order(report, direction);
            }
        }
    }
}

/// Where a row's year is written: the first cell whose text names it.
fn year_offset(e: &Entry, year: i32) -> usize {
    // Written into a buffer on the stack: this runs for every dated row.
    let mut buf = [0u8; 12];
    let len = {
        let mut w = &mut buf[..];
        let _ = std::io::Write::write_fmt(&mut w, format_args!("{year}"));
        12 - w.len()
    };
    let digits = std::str::from_utf8(&buf[..len]).unwrap_or_default();
    e.cells
        .iter()
        .find(|c| c.text.contains(digits))
        .map_or(e.span.start, |c| c.span.start)
}

/// Indices of a longest subsequence of `n` years (`year(i)` for index `i`) that is
/// non-increasing (`newest_first`) or non-decreasing, by patience sorting in
/// O(n log n): a hostile table with hundreds of thousands of rows must not stall the
/// linter. Indices are 32-bit (a table has fewer rows than its file has bytes,
/// `source::MAX_LEN`): the run of a long table is judged when its file is read, beside
/// everything else a check holds then.
fn longest_monotone(n: usize, year: impl Fn(u32) -> i32, newest_first: bool) -> Vec<u32> {
    const NONE: u32 = u32::MAX;
    let key = |i: u32| if newest_first { -year(i) } else { year(i) };
    // tails[k]: index of the smallest possible last element of a run of length k + 1.
    let mut tails: Vec<u32> = Vec::new();
    let mut prev = vec![NONE; n];
    for (i, prev_i) in (0..).zip(prev.iter_mut()) {
        let pos = tails.partition_point(|&t| key(t) <= key(i));
        if pos > 0 {
            *prev_i = tails[pos - 1];
        }
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut i = tails.last().copied().unwrap_or(NONE);
    while i != NONE {
        out.push(i);
        i = prev[i as usize];
    }
    out.reverse();
    out
}

/// The length of [`longest_monotone`]'s run, without building it.
fn run_length(n: usize, year: impl Fn(u32) -> i32, newest_first: bool) -> usize {
    let key = |i: u32| if newest_first { -year(i) } else { year(i) };
    let mut tails: Vec<u32> = Vec::new();
    for i in (0..).take(n) {
        let pos = tails.partition_point(|&t| key(t) <= key(i));
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    tails.len()
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint_md, rules_and_lines};

    fn table(years: &[&str]) -> String {
        let mut md = String::from("|Year|Title|\n|-|-|\n");
        for (i, y) in years.iter().enumerate() {
            md.push_str(&format!(
                "|{y}|[P{i}](https://arxiv.org/abs/2301.{:05})|\n",
                i + 1
            ));
        }
        md
    }

    #[test]
    fn reports_the_row_out_of_place_not_its_neighbour() {
        let md = table(&[
            "2023", "2022", "2021", "2020", "2020", "2021", "2020", "2019",
        ]);
        assert_eq!(rules_and_lines(&md), vec![("entry/order", 8)]);
        assert_eq!(
            lint_md(&md)[0].message,
            "2021 entry between 2020 entries in a table otherwise sorted newest first"
        );
        let md = table(&["2023", "2019", "2022", "2022", "2021", "2020"]);
        assert_eq!(rules_and_lines(&md), vec![("entry/order", 4)]);
    }

    #[test]
    fn unsorted_or_tiny_tables_stay_quiet() {
        assert!(
            rules_and_lines(&table(&["2020", "2023", "2019", "2022", "2018", "2021"])).is_empty()
        );
        assert!(rules_and_lines(&table(&["2020", "2023", "2021"])).is_empty());
        assert!(rules_and_lines(&table(&["2019", "2020", "2021", "2022", "2023"])).is_empty());
    }

    #[test]
    fn longest_runs_are_found_in_n_log_n() {
        let years: Vec<i32> = (0..200_000).map(|i| 2000 + (i * 7919 % 26)).collect();
        let year = |i: u32| years[i as usize];
        let run = super::longest_monotone(years.len(), year, true);
        assert!(
            run.windows(2)
                .all(|w| w[0] < w[1] && years[w[0] as usize] >= years[w[1] as usize])
        );
        assert_eq!(run.len(), super::run_length(years.len(), year, true));
        let small = [2023, 2019, 2022, 2022, 2021, 2020];
        let year = |i: u32| small[i as usize];
        assert_eq!(
            super::longest_monotone(small.len(), year, true),
            vec![0, 2, 3, 4, 5]
        );
        assert_eq!(
            (
                super::run_length(6, year, true),
                super::run_length(6, year, false)
            ),
            (5, 3)
        );
    }

    #[test]
    fn invalid_years() {
        let md = table(&["2023", "soon", "2999"]);
        assert_eq!(
            rules_and_lines(&md),
            vec![("entry/year-invalid", 4), ("entry/year-invalid", 5)]
        );
    }
}
