//! The offline pipeline of one file: [`parse`](crate::parse) →
//! [`extract`](crate::extract) → [`rules`](crate::rules). Pure: text in, data out.

use crate::config::Config;
use crate::model::{Entry, Finding};
use crate::source::Source;

/// The result of linting one file. Its entries borrow from the file's [`Source`],
/// which the caller keeps.
#[derive(Debug, Clone)]
pub struct Linted<'a> {
    /// Every entry extracted.
    pub entries: Vec<Entry<'a>>,
    /// The findings, in source order.
    pub findings: Vec<Finding>,
}

/// Extracts the entries of one file; they borrow from `source`.
pub fn entries<'a>(source: &'a Source, config: &Config) -> Vec<Entry<'a>> {
    crate::extract::entries(&source.text, &config.columns)
}

/// [`entries`], handing each batch of new entries to `batch` as the file is read (the
/// network stages take a long file's links while the rest is parsed).
pub fn entries_in_batches<'a>(
    source: &'a Source,
    config: &Config,
    batch: impl FnMut(&[Entry<'a>]),
) -> Vec<Entry<'a>> {
    crate::extract::entries_in_batches(&source.text, &config.columns, batch)
}

/// What [`lint_as_read`] tells of one file: its findings and how many entries and
/// links it has.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// The findings, in source order.
    pub findings: Vec<Finding>,
    /// Entries read.
    pub entries: usize,
    /// Links of those entries.
    pub links: usize,
}

/// [`lint`] as the file is read, keeping no entry: each batch is linted and freed
/// while the parser reads on (`rules::Linter`), so a long list costs the memory of
/// what the rules remember of it, not of its entries. The findings are `lint`'s.
pub fn lint_as_read(source: &Source, config: &Config) -> Tally {
    let mut linter = crate::rules::Linter::new(source, config);
    let (mut entries, mut links) = (0, 0);
    crate::extract::for_each_batch(&source.text, &config.columns, |batch| {
        entries += batch.len();
        links += batch.iter().map(|e| e.links.len()).sum::<usize>();
        linter.entries(&batch);
    });
    Tally {
        findings: linter.finish(),
        entries,
        links,
    }
}

/// [`lint_as_read`], handing each batch of entries to `also` as soon as it is read (an
/// online run sends its links to the network stages, which start on them while the
/// rest of the file is read). The rules run on a thread of their own, a few batches
/// behind, so the batches reach `also` at the pace of the parser alone, as they do
/// when the entries are kept and linted afterwards.
pub fn lint_handing_on<'a>(
    source: &'a Source,
    config: &Config,
    mut also: impl FnMut(&[Entry<'a>]),
) -> Tally {
    /// Batches read but not yet linted, at most: enough to even out the two paces,
    /// few enough that they weigh nothing beside the file.
    const AHEAD: usize = 4;
    std::thread::scope(|scope| {
        let (batches, linted) = std::sync::mpsc::sync_channel::<Vec<Entry<'a>>>(AHEAD);
        let linting = scope.spawn(move || {
            let mut linter = crate::rules::Linter::new(source, config);
            for batch in linted {
                linter.entries(&batch);
            }
            linter.finish()
        });
        let (mut entries, mut links) = (0, 0);
        crate::extract::for_each_batch(&source.text, &config.columns, |batch| {
            also(&batch);
            entries += batch.len();
            links += batch.iter().map(|e| e.links.len()).sum::<usize>();
            // Only a panic of the rules closes the channel; `join` passes it on.
            let _ = batches.send(batch);
        });
        drop(batches);
        let findings = linting
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Tally {
            findings,
            entries,
            links,
        }
    })
}

/// Parses, extracts and runs the offline rules on one file.
pub fn lint<'a>(source: &'a Source, config: &Config) -> Linted<'a> {
    let entries = entries(source, config);
    let findings = crate::rules::lint(source, &entries, config);
    Linted { entries, findings }
}

/// Runs `work` on every item, on as many threads as the machine has cores, and returns
/// the results in the items' order. Files are independent, so a run over many files
/// takes about as long as its largest ones: the heaviest items (by `weight`, e.g. the
/// file size) are started first so that no thread is left with a big one at the end.
/// A panic in `work` is passed on to the caller. A result may borrow from its item
/// (entries from their source).
pub fn in_parallel<'t, T: Sync, R: Send>(
    items: &'t [T],
    weight: impl Fn(&T) -> usize,
    work: impl Fn(&'t T) -> R + Sync,
) -> Vec<R> {
    // One item needs no pool, and no look at the machine's cores (which reads cgroup
    // files: a list checked on its own skips that on its way to the report).
    let threads = match items.len() {
        0 | 1 => 1,
        n => std::thread::available_parallelism().map_or(1, |c| c.get().min(n)),
    };
    if threads <= 1 {
        return items.iter().map(work).collect();
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(weight(&items[i])));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = order.get(n) else { break };
                        done.push((i, work(&items[i])));
                    }
                    done
                })
            })
            .collect();
        for worker in workers {
            let done = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (i, r) in done {
                results[i] = Some(r);
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every item was worked on"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::in_parallel;
    use crate::config::Config;
    use crate::source::Source;

    /// A list long enough for several batches, with a finding of every rule that
    /// judges only once the file is read, and rows that name rows of earlier batches.
    fn long_list() -> String {
        let mut md = String::from("# Papers\n\n| Year | Title | Venue |\n|-|-|-|\n");
        for i in 0..700 {
            let year = if i < 350 || i == 500 { 2024 } else { 2023 };
            let venue = if i % 97 == 0 { "Neurips" } else { "NeurIPS" };
            let id = if i == 650 { 3 } else { i };
            if i == 600 {
                md.push_str("| 2023 | An unlinked paper | NeurIPS |\n");
            } else {
                md.push_str(&format!(
                    "| {year} | [Paper {i}](https://arxiv.org/abs/2401.{id:05}) | {venue} |\n"
                ));
            }
        }
        md.push_str("\n## Bullets\n\n");
        for i in 0..300 {
            let id = if i == 299 { 10 } else { 1000 + i };
            md.push_str(&format!(
                "- [Bullet {i}](https://arxiv.org/abs/2402.{id:05})\n  - [code](https://github.com/a/b{i})\n"
            ));
        }
        md
    }

    #[test]
    fn linting_as_read_finds_what_linting_the_whole_file_finds() {
        let mut lists = vec![long_list()];
        lists.extend(crate::source::corpus_texts().into_iter().map(|(_, md)| md));
        let config = Config::default();
        for (n, md) in lists.into_iter().enumerate() {
            let source = Source::new("t.md", md);
            let whole = super::lint(&source, &config);
            let read = super::lint_as_read(&source, &config);
            assert_eq!(read.findings, whole.findings, "list {n}");
            assert_eq!(read.entries, whole.entries.len(), "list {n}");
            let links: usize = whole.entries.iter().map(|e| e.links.len()).sum();
            assert_eq!(read.links, links, "list {n}");
            if n == 0 {
                let rules: std::collections::BTreeSet<&str> =
                    read.findings.iter().map(|f| f.rule.as_str()).collect();
                for rule in [
                    "entry/duplicate",
                    "entry/order",
                    "entry/missing-link",
                    "venue/spelling",
                ] {
                    assert!(rules.contains(rule), "{rule} in {rules:?}");
                }
            }
        }
    }

    #[test]
    fn parallel_results_keep_the_items_order() {
        let items: Vec<usize> = (0..100).collect();
        // Heaviest first in the schedule, yet the results come back in item order.
        let out = in_parallel(&items, |&i| i, |&i| i * 2);
        assert_eq!(out, (0..100).map(|i| i * 2).collect::<Vec<_>>());
        assert!(in_parallel(&[] as &[usize], |_| 0, |&i| i).is_empty());
    }

    #[test]
    #[should_panic(expected = "item 7")]
    fn a_panic_in_a_worker_reaches_the_caller() {
        let items: Vec<usize> = (0..20).collect();
        in_parallel(&items, |_| 1, |&i| assert!(i != 7, "item 7"));
    }
}
