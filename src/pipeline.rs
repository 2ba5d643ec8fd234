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
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
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
