//! Link health over the network: every distinct URL checked once, concurrently and
//! politely (global and per-host limits, adaptive slowing), with a persistent cache
//! and a failure history so that one bad night does not cry wolf.
//!
//! Tasks wait for their host's permit before the global one, so a slow or strict host
//! never holds global slots that other hosts could use. One consumer collects results,
//! updates the progress bar and the statistics: no shared counters to lock.

pub mod progress;
pub mod request;

use crate::cache::{self, Cache, CacheEntry};
use crate::config::NetworkConfig;
use crate::model::{LinkStats, LinkStatus, permanent_target};
use crate::net::host::Budget;
use indicatif::{ProgressBar, ProgressStyle};
use regex::RegexSet;
use request::{Checker, Outcome};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

/// The results of a network run.
#[derive(Debug, Clone, Default)]
pub struct LinkRun {
    /// Status by URL (as written in the list).
    pub results: BTreeMap<String, LinkStatus>,
    /// Bodies of the pages asked for with `keep_body` (landing pages), by URL.
    pub bodies: BTreeMap<String, Vec<u8>>,
    /// Counts.
    pub stats: LinkStats,
}

/// Every host failed to resolve or connect: the machine has no network.
#[derive(Debug, thiserror::Error)]
#[error(
    "no network: {hosts} failed to resolve or connect and nothing answered; run with --offline to check the list without the network"
)]
pub struct NoNetwork {
    /// Some of the hosts that failed.
    pub hosts: String,
}

/// Whether a URL is one the link checker requests (http or https, well formed).
pub fn checkable(url: &str) -> bool {
    let u = url.trim();
    (u.starts_with("http://") || u.starts_with("https://"))
        && crate::scholarly::url_problem(u).is_none()
}

/// Checks `urls` (deduplicated here), using and updating `cache`.
pub async fn run(
    urls: impl IntoIterator<Item = String>,
    config: &NetworkConfig,
    cache: &mut Cache,
    progress: bool,
) -> anyhow::Result<LinkRun> {
    run_keeping_bodies(urls, &BTreeSet::new(), config, cache, progress).await
}

/// Like [`run`]; the URLs in `keep_body` are fetched with GET (never taken from the
/// cache) and their bodies returned, for the metadata stage.
pub async fn run_keeping_bodies(
    urls: impl IntoIterator<Item = String>,
    keep_body: &BTreeSet<String>,
    config: &NetworkConfig,
    cache: &mut Cache,
    progress: bool,
) -> anyhow::Result<LinkRun> {
    let budget = Budget::new(
        config.run_budget,
        config.host_budget,
        config.retry_after_cap,
    );
    run_within(urls, keep_body, config, budget, cache, progress).await
}

/// Like [`run_keeping_bodies`], within `budget` (shared with the other network
/// stages): a URL not done by its deadline is unverified, never broken.
pub async fn run_within(
    urls: impl IntoIterator<Item = String>,
    keep_body: &BTreeSet<String>,
    config: &NetworkConfig,
    budget: Budget,
    cache: &mut Cache,
    progress: bool,
) -> anyhow::Result<LinkRun> {
    let started = Instant::now();
    let urls: BTreeSet<String> = urls.into_iter().filter(|u| checkable(u)).collect();
    let include = RegexSet::new(&config.include)?;
    let exclude = RegexSet::new(&config.exclude)?;
    let mut run = LinkRun::default();
    let mut todo = Vec::new();
    for url in urls {
        if exclude.is_match(&url) && !include.is_match(&url) {
            run.stats.excluded += 1;
            continue;
        }
        match cache
            .fresh(&url, config.cache_ttl)
            .filter(|_| !keep_body.contains(&url))
        {
            Some(status) => {
                run.stats.cached += 1;
                run.results.insert(url, status.clone());
            }
            None => todo.push(url),
        }
    }
    let checker = Arc::new(Checker::with_budget(config, budget)?);
    let bar = if progress && !todo.is_empty() {
        let bar = ProgressBar::new(todo.len() as u64);
        // The numbers are all in the message (progress::Reading): indicatif's own
        // rate and ETA show empty or jittery digits before the first answers.
        bar.set_style(ProgressStyle::with_template("{bar:30} {msg}").expect("valid template"));
        bar
    } else {
        ProgressBar::hidden()
    };
    let total = todo.len() as u64;
    let checking = Instant::now();
    let reading = |done: u64| progress::Reading {
        done,
        total,
        elapsed: checking.elapsed(),
        hosts_in_flight: checker
            .hosts_in_flight
            .load(std::sync::atomic::Ordering::Relaxed),
    };
    bar.set_message(reading(0).line());
    let mut tasks = tokio::task::JoinSet::new();
    for url in todo {
        let checker = checker.clone();
        let keep = keep_body.contains(&url);
        tasks.spawn(async move {
            let checked = checker.check_keeping_body(&url, keep);
            let (outcome, body) = tokio::time::timeout_at(budget.deadline, checked)
                .await
                .unwrap_or_else(|_| {
                    let reason = "not checked within network.run_budget".to_string();
                    (Outcome::Blocked { reason }, None)
                });
            (url, outcome, body)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let (url, outcome, body) = joined?;
        if let Some(body) = body {
            run.bodies.insert(url.clone(), body);
        }
        bar.inc(1);
        bar.set_message(reading(bar.position()).line());
        let status = remember(cache, &url, outcome, config.failure_threshold);
        run.results.insert(url, status);
    }
    bar.finish_and_clear();
    if checker.probe.is_down() {
        let hosts = checker.probe.failed_hosts().join(", ");
        return Err(NoNetwork { hosts }.into());
    }
    for status in run.results.values() {
        match status {
            LinkStatus::Ok { hops, .. } if permanent_target(hops).is_some() => {
                run.stats.redirects += 1
            }
            LinkStatus::Ok { .. } => run.stats.ok += 1,
            LinkStatus::Broken { .. } => run.stats.broken += 1,
            LinkStatus::Unverified { .. } => run.stats.unverified += 1,
            LinkStatus::Skipped { .. } => run.stats.skipped += 1,
        }
    }
    run.stats.checked = run.results.len();
    run.stats.seconds = started.elapsed().as_secs_f64();
    Ok(run)
}

/// Applies the failure history: a definitive failure is broken at once; a transient
/// one only after `threshold` consecutive failing runs.
fn remember(cache: &mut Cache, url: &str, outcome: Outcome, threshold: u32) -> LinkStatus {
    let previous = cache.entries.get(url).map_or(0, |e| e.failures);
    let (status, failures) = match outcome {
        Outcome::Alive { code, hops } => (LinkStatus::Ok { code, hops }, 0),
        Outcome::Gone { reason } => (LinkStatus::Broken { reason }, previous + 1),
        Outcome::Blocked { reason } => (LinkStatus::Unverified { reason }, previous),
        Outcome::Transient { reason } => {
            let failures = previous + 1;
            if failures >= threshold.max(1) {
                (
                    LinkStatus::Broken {
                        reason: format!("{reason}; failed on {failures} consecutive runs"),
                    },
                    failures,
                )
            } else {
                (
                    LinkStatus::Unverified {
                        reason: format!(
                            "{reason} (failure {failures} of {threshold} before it is reported broken)"
                        ),
                    },
                    failures,
                )
            }
        }
        Outcome::Skipped { reason } => return LinkStatus::Skipped { reason },
    };
    cache.entries.insert(
        url.to_string(),
        CacheEntry {
            checked: cache::now(),
            status: status.clone(),
            failures,
        },
    );
    status
}
