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

use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    let mut check = LinkCheck::new(config, budget, cache, progress)?;
    for url in urls {
        if checkable(&url) {
            let keep = keep_body.contains(&url);
            check.submit(url, keep)?;
        }
    }
    check.finish().await
}

/// What the check knows of one URL it was given.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    /// Its body is wanted (a landing page): fetched with GET, never from the cache.
    keep_body: bool,
    /// `network.exclude` names it (and `network.include` does not).
    excluded: bool,
    /// Its status came from the cache.
    from_cache: bool,
    /// A registry vouched for it: that is its status, whatever a request found.
    vouched: bool,
    /// Its failure streak before this run, once its first result was remembered: a
    /// second result (the body fetch of a URL first checked without) counts from it.
    failures_before: Option<u32>,
}

/// What a task hands back: the URL, what the check found, the body if kept, and
/// whether the body was asked for.
type Checked = (String, Outcome, Option<Vec<u8>>, bool);

/// A link check that takes URLs while it runs: each distinct URL is looked up in the
/// cache, or its request starts at once (or as soon as the window of tasks has room,
/// see `Waiting`), so the first requests leave while the rest of the list is still
/// being read, and a registry's verdict can release the links it did not vouch for
/// later. [`LinkCheck::next`] consumes one result (progress, failure
/// history, statistics); [`LinkCheck::finish`] waits for the rest.
pub struct LinkCheck<'c> {
    config: &'c NetworkConfig,
    budget: Budget,
    cache: &'c mut Cache,
    include: RegexSet,
    exclude: RegexSet,
    /// Built at the first URL that needs a request (a run all from the cache makes
    /// no client).
    checker: Option<Arc<Checker>>,
    seen: HashMap<String, Seen>,
    tasks: tokio::task::JoinSet<Checked>,
    /// URLs waiting for a task, by host (see [`Waiting`]).
    waiting: Waiting,
    run: LinkRun,
    progress: bool,
    bar: Option<ProgressBar>,
    started: Instant,
    /// When the first request was started (the progress line's rate counts from it).
    checking: Option<Instant>,
    /// A registry vouched for a link: it answered, so the network works.
    vouched_any: bool,
}

impl<'c> LinkCheck<'c> {
    /// A check with nothing to do yet, within `budget`, using and updating `cache`;
    /// with `progress`, a progress bar from its first request on.
    pub fn new(
        config: &'c NetworkConfig,
        budget: Budget,
        cache: &'c mut Cache,
        progress: bool,
    ) -> anyhow::Result<Self> {
        Ok(LinkCheck {
            include: RegexSet::new(&config.include)?,
            exclude: RegexSet::new(&config.exclude)?,
            config,
            budget,
            cache,
            checker: None,
            seen: HashMap::new(),
            tasks: tokio::task::JoinSet::new(),
            waiting: Waiting::new(config),
            run: LinkRun::default(),
            progress,
            bar: None,
            started: Instant::now(),
            checking: None,
            vouched_any: false,
        })
    }

    /// Hands over a URL the caller has found [`checkable`]; with `keep_body` its body
    /// is wanted too. A URL seen before costs one lookup; one first given without
    /// `keep_body` and then with it is fetched again for its body, and that answer
    /// is its status.
    pub fn submit(&mut self, url: String, keep_body: bool) -> anyhow::Result<()> {
        match self.seen.get_mut(&url) {
            Some(seen) if keep_body && !seen.keep_body && !seen.excluded && !seen.vouched => {
                seen.keep_body = true;
                // Taken from the cache a moment ago: it is fetched after all.
                if seen.from_cache {
                    seen.from_cache = false;
                    self.run.stats.cached -= 1;
                    self.run.results.remove(&url);
                }
            }
            Some(_) => return Ok(()),
            None => {
                let excluded = self.exclude.is_match(&url) && !self.include.is_match(&url);
                let cached = (!excluded && !keep_body)
                    .then(|| self.cache.fresh(&url, self.config.cache_ttl))
                    .flatten()
                    .cloned();
                self.seen.insert(
                    url.clone(),
                    Seen {
                        keep_body,
                        excluded,
                        from_cache: cached.is_some(),
                        ..Seen::default()
                    },
                );
                if excluded {
                    self.run.stats.excluded += 1;
                    return Ok(());
                }
                if let Some(status) = cached {
                    self.run.stats.cached += 1;
                    self.run.results.insert(url, status);
                    return Ok(());
                }
            }
        }
        self.start(url, keep_body)
    }

    /// Builds the HTTP client now rather than at the first URL: loading the system's
    /// root certificates takes a while, which can pass while the list is read.
    pub fn prepare(&mut self) -> anyhow::Result<Arc<Checker>> {
        match &self.checker {
            Some(c) => Ok(c.clone()),
            None => {
                let c = Arc::new(Checker::with_budget(self.config, self.budget)?);
                self.checker = Some(c.clone());
                Ok(c)
            }
        }
    }

    fn start(&mut self, url: String, keep_body: bool) -> anyhow::Result<()> {
        let checker = self.prepare()?;
        let checking = *self.checking.get_or_insert_with(Instant::now);
        if self.progress {
            let bar = self.bar.get_or_insert_with(|| {
                let bar = ProgressBar::new(0);
                // The numbers are all in the message (progress::Reading): indicatif's
                // own rate and ETA show empty or jittery digits before the first answers.
                bar.set_style(
                    ProgressStyle::with_template("{bar:30} {msg}").expect("valid template"),
                );
                bar
            });
            bar.inc_length(1);
            bar.set_message(reading(&checker, checking, bar).line());
        }
        self.waiting.push(url, keep_body);
        self.spawn_waiting(&checker);
        Ok(())
    }

    /// Starts tasks for waiting URLs while the window has room.
    fn spawn_waiting(&mut self, checker: &Arc<Checker>) {
        while self.tasks.len() < self.waiting.window
            && let Some((url, keep_body)) = self.waiting.pop()
        {
            let checker = checker.clone();
            let deadline = self.budget.deadline;
            self.tasks.spawn(async move {
                let checked = checker.check_keeping_body(&url, keep_body);
                let (outcome, body) = tokio::time::timeout_at(deadline, checked)
                    .await
                    .unwrap_or_else(|_| {
                        let reason = "not checked within network.run_budget".to_string();
                        (Outcome::Blocked { reason }, None)
                    });
                (url, outcome, body, keep_body)
            });
        }
    }

    /// Resolves when the link check has declared the network down (never before it
    /// has made its first request).
    pub fn network_down(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let checker = self.checker.clone();
        async move {
            match checker {
                Some(checker) => checker.probe.wait_down().await,
                None => std::future::pending().await,
            }
        }
    }

    /// Whether requests are still out.
    pub fn pending(&self) -> bool {
        !self.tasks.is_empty()
    }

    /// Waits for one request to end and takes in its result; `false` when none is out.
    pub async fn next(&mut self) -> anyhow::Result<bool> {
        let Some(joined) = self.tasks.join_next().await else {
            return Ok(false);
        };
        let (url, outcome, body, keep_body) = joined?;
        self.waiting.done(&url);
        if let Some(checker) = self.checker.clone() {
            self.spawn_waiting(&checker);
        }
        if let (Some(bar), Some(checker), Some(checking)) =
            (&self.bar, &self.checker, self.checking)
        {
            bar.inc(1);
            bar.set_message(reading(checker, checking, bar).line());
        }
        let seen = self.seen.get_mut(&url).expect("every task's URL was seen");
        if let Some(body) = body {
            self.run.bodies.insert(url.clone(), body);
        }
        // A registry vouched for it meanwhile; or its body was asked for later, and
        // the body fetch's answer is its status.
        if seen.vouched || (seen.keep_body && !keep_body) {
            return Ok(true);
        }
        let before = *seen
            .failures_before
            .get_or_insert_with(|| self.cache.entries.get(&url).map_or(0, |e| e.failures));
        let status = remember(
            self.cache,
            &url,
            outcome,
            before,
            self.config.failure_threshold,
        );
        self.run.results.insert(url, status);
        Ok(true)
    }

    /// Records a link a registry vouches for: alive without a request, counted like
    /// any other. If it was handed over before (the same URL elsewhere in the list,
    /// not as a paper link), the registry's word replaces what was found or counted.
    pub fn vouched(&mut self, url: String) {
        self.vouched_any = true;
        let seen = self.seen.entry(url.clone()).or_default();
        if seen.vouched {
            return;
        }
        seen.vouched = true;
        if std::mem::take(&mut seen.excluded) {
            self.run.stats.excluded -= 1;
        }
        if std::mem::take(&mut seen.from_cache) {
            self.run.stats.cached -= 1;
        }
        let status = LinkStatus::Ok {
            code: 200,
            hops: Vec::new(),
        };
        self.run.results.insert(url, status);
    }

    /// Requests up to three links whose status came from the cache (they answered on
    /// an earlier run), until one answers: a warm cache leaves a scheduled run only its
    /// failing links to request, and their failing is no sign that the machine has no
    /// network when a link that worked still does. What they say is not their status.
    async fn ask_a_cached_link(&self, checker: &Arc<Checker>) {
        // In the order of the results (sorted), so that a run asks the same links.
        let cached = self
            .run
            .results
            .keys()
            .filter(|url| self.seen.get(*url).is_some_and(|seen| seen.from_cache))
            .take(3);
        for url in cached {
            let asked = checker.check_keeping_body(url, false);
            let _ = tokio::time::timeout_at(self.budget.deadline, asked).await;
            if !checker.probe.failed_unanswered() {
                break;
            }
        }
    }

    /// Waits for every request still out and returns the run; an `Err` if the
    /// machine turned out to have no network.
    pub async fn finish(mut self) -> anyhow::Result<LinkRun> {
        while self.next().await? {}
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        // Nothing answered and nothing was vouched for, yet requests failed to
        // resolve or connect: no evidence that a link is broken, and every sign of a
        // machine without network (however few hosts the list has), unless a link
        // that answered on an earlier run (taken from the cache) answers now.
        if let Some(checker) = self.checker.clone()
            && !checker.probe.is_down()
            && checker.probe.failed_unanswered()
            && !self.vouched_any
        {
            self.ask_a_cached_link(&checker).await;
        }
        if let Some(checker) = &self.checker
            && (checker.probe.is_down() || (checker.probe.failed_unanswered() && !self.vouched_any))
        {
            let hosts = checker.probe.failed_hosts().join(", ");
            return Err(NoNetwork { hosts }.into());
        }
        let mut run = self.run;
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
        run.stats.seconds = self.started.elapsed().as_secs_f64();
        Ok(run)
    }
}

/// The URLs handed over and not yet given a task. A task per URL at once would
/// cost a few kilobytes per URL (a list of 300,000 links: close to a gigabyte); a URL
/// waiting costs its string. Tasks are started within a window (four times the global
/// limit), at most twice a host's limit for any one host so that a host with
/// thousands of links never fills the window while other hosts' links wait; hosts
/// take turns, each host's URLs in the order given.
struct Waiting {
    /// Tasks out at once.
    window: usize,
    /// Tasks out at once for one host.
    per_host: usize,
    hosts: HashMap<String, HostQueue>,
    /// Hosts with URLs waiting and room for a task, in turn.
    ready: std::collections::VecDeque<String>,
}

#[derive(Default)]
struct HostQueue {
    urls: std::collections::VecDeque<(String, bool)>,
    running: usize,
    /// Whether the host is in `ready`.
    ready: bool,
}

impl Waiting {
    fn new(config: &NetworkConfig) -> Self {
        let host_limit = config
            .hosts
            .values()
            .filter_map(|h| h.concurrency)
            .chain([config.host_concurrency])
            .max()
            .unwrap_or(1);
        let per_host = 2 * host_limit.max(1);
        Waiting {
            window: (4 * config.concurrency.max(1)).max(per_host),
            per_host,
            hosts: HashMap::new(),
            ready: std::collections::VecDeque::new(),
        }
    }

    fn push(&mut self, url: String, keep_body: bool) {
        let host = host_key(&url).to_string();
        let queue = self.hosts.entry(host.clone()).or_default();
        queue.urls.push_back((url, keep_body));
        if !queue.ready && queue.running < self.per_host {
            queue.ready = true;
            self.ready.push_back(host);
        }
    }

    /// The next URL to start, its host's task counted.
    fn pop(&mut self) -> Option<(String, bool)> {
        let host = self.ready.pop_front()?;
        let queue = self.hosts.get_mut(&host)?;
        let next = queue.urls.pop_front();
        if next.is_some() {
            queue.running += 1;
        }
        if !queue.urls.is_empty() && queue.running < self.per_host {
            self.ready.push_back(host);
        } else {
            queue.ready = false;
        }
        next.or_else(|| self.pop())
    }

    /// A task of `url`'s host has ended.
    fn done(&mut self, url: &str) {
        let host = host_key(url);
        let Some(queue) = self.hosts.get_mut(host) else {
            return;
        };
        queue.running = queue.running.saturating_sub(1);
        if !queue.ready && !queue.urls.is_empty() {
            queue.ready = true;
            self.ready.push_back(host.to_string());
        } else if queue.running == 0 && queue.urls.is_empty() {
            self.hosts.remove(host);
        }
    }
}

/// What [`Waiting`] groups a URL by: its authority as written (`host:port`); a URL
/// without one is a group of its own.
fn host_key(url: &str) -> &str {
    crate::scholarly::authority(url).unwrap_or(url)
}

/// The progress line now.
fn reading(checker: &Checker, checking: Instant, bar: &ProgressBar) -> progress::Reading {
    progress::Reading {
        done: bar.position(),
        total: bar.length().unwrap_or(0),
        elapsed: checking.elapsed(),
        hosts_in_flight: checker
            .hosts_in_flight
            .load(std::sync::atomic::Ordering::Relaxed),
    }
}

/// Applies the failure history: a definitive failure is broken at once; a transient
/// one only after `threshold` consecutive failing runs.
fn remember(
    cache: &mut Cache,
    url: &str,
    outcome: Outcome,
    previous: u32,
    threshold: u32,
) -> LinkStatus {
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

#[cfg(test)]
mod tests {
    use super::{Waiting, host_key};
    use crate::config::NetworkConfig;

    fn waiting(window: usize, per_host: usize) -> Waiting {
        let mut w = Waiting::new(&NetworkConfig::default());
        w.window = window;
        w.per_host = per_host;
        w
    }

    #[test]
    fn hosts_take_turns_and_none_holds_more_than_its_share() {
        let mut w = waiting(10, 2);
        for i in 0..100 {
            w.push(format!("https://a.org/{i}"), false);
        }
        w.push("https://b.org/1".into(), false);
        w.push("https://b.org/2".into(), true);
        w.push("https://b.org/3".into(), false);
        let mut started: Vec<String> = std::iter::from_fn(|| w.pop().map(|(u, _)| u)).collect();
        // Two of each host, in turns; the rest waits for a task of its host to end.
        assert_eq!(
            started,
            [
                "https://a.org/0",
                "https://b.org/1",
                "https://a.org/1",
                "https://b.org/2"
            ]
        );
        w.done("https://b.org/1");
        w.done("https://a.org/0");
        started.clear();
        started.extend(std::iter::from_fn(|| w.pop().map(|(u, _)| u)));
        assert_eq!(started, ["https://b.org/3", "https://a.org/2"]);
        // A host with nothing left and nothing running is forgotten.
        w.done("https://b.org/2");
        w.done("https://b.org/3");
        assert!(!w.hosts.contains_key("b.org"));
        assert_eq!(host_key("http://h.org:8080?q#f"), "h.org:8080");
        assert_eq!(host_key("https://h.org"), "h.org");
    }
}
