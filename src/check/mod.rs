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
use crate::model::{LinkResults, LinkStats, LinkStatus, UrlId, permanent_target};
use crate::net::host::Budget;
use indicatif::{ProgressBar, ProgressStyle};
use regex::RegexSet;
use request::{Checker, Outcome};

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

/// The results of a network run.
#[derive(Debug, Clone, Default)]
pub struct LinkRun {
    /// Status by URL (as written in the list).
    pub results: LinkResults,
    /// Bodies of the pages asked for with `keep_body` (landing pages), by URL.
    pub bodies: BTreeMap<String, Vec<u8>>,
    /// Counts.
    pub stats: LinkStats,
    /// The failure streak of each status a request found, by id, for the cache
    /// ([`NOT_KEPT`] for one the cache does not keep: taken from it, vouched for by
    /// a registry, not requested).
    streaks: Vec<u32>,
}

/// In [`LinkRun::streaks`]: a status the cache does not keep.
const NOT_KEPT: u32 = u32::MAX;

impl LinkRun {
    /// Puts the statuses this run's requests found into `cache`, each with its streak
    /// of failing runs. [`crate::online::run`] calls it only when there is a cache
    /// file to save: a copy of every status would double what a long list's run keeps.
    pub fn remember(&self, cache: &mut Cache) {
        let checked = cache::now();
        for id in self.results.ids() {
            let failures = self.streaks.get(id as usize).copied().unwrap_or(NOT_KEPT);
            if failures == NOT_KEPT {
                continue;
            }
            let status = self
                .results
                .status(id)
                .expect("an id with a status")
                .clone();
            let entry = CacheEntry {
                checked,
                status,
                failures,
            };
            cache
                .entries
                .insert(self.results.urls().get(id).to_string(), entry);
        }
    }

    /// Records the streak of `id`'s status ([`NOT_KEPT`] if the cache keeps none).
    fn set_streak(&mut self, id: UrlId, failures: u32) {
        let at = id as usize;
        if self.streaks.len() <= at {
            self.streaks.resize(at + 1, NOT_KEPT);
        }
        self.streaks[at] = failures;
    }
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

/// Checks `urls` (deduplicated here), using and updating `cache` (see
/// [`LinkRun::remember`]).
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
            let id = check.intern(&url);
            check.submit(id, keep_body.contains(&url))?;
        }
    }
    let (run, cache) = check.finish_with_cache().await?;
    run.remember(cache);
    Ok(run)
}

/// What the check knows of one URL it was given.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    /// Handed over (submitted, or vouched for).
    given: bool,
    /// Its body is wanted (a landing page): fetched with GET, never from the cache.
    keep_body: bool,
    /// `network.exclude` names it (and `network.include` does not).
    excluded: bool,
    /// Its status came from the cache.
    from_cache: bool,
    /// A registry vouched for it: that is its status, whatever a request found.
    vouched: bool,
}

impl Seen {
    /// One byte, as [`LinkCheck`] keeps it per URL (a long list has one per row).
    fn pack(self) -> u8 {
        crate::memory::pack_flags([
            self.given,
            self.keep_body,
            self.excluded,
            self.from_cache,
            self.vouched,
        ])
    }

    fn unpack(bits: u8) -> Seen {
        let [given, keep_body, excluded, from_cache, vouched] = crate::memory::unpack_flags(bits);
        Seen {
            given,
            keep_body,
            excluded,
            from_cache,
            vouched,
        }
    }
}

/// What a task hands back: the URL's id, what the check found, the body if kept,
/// and whether the body was asked for.
type Checked = (UrlId, Outcome, Option<Vec<u8>>, bool);

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
    /// By id (the ids of `run.results`, which holds every URL interned), each a
    /// [`Seen::pack`]ed byte.
    seen: Vec<u8>,
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
            seen: Vec::new(),
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

    /// The id of `url`, the same for every handing over of the same URL (and for the
    /// callers' own records of it: see [`crate::model::Urls`]).
    pub fn intern(&mut self, url: &str) -> UrlId {
        let (id, new) = self.run.results.intern(url);
        if new {
            self.seen.push(Seen::default().pack());
        }
        id
    }

    /// Hands over a URL the caller has found [`checkable`] (by its [`LinkCheck::intern`]
    /// id); with `keep_body` its body is wanted too. A URL seen before costs one
    /// lookup; one first given without `keep_body` and then with it is fetched again
    /// for its body, and that answer is its status.
    pub fn submit(&mut self, id: UrlId, keep_body: bool) -> anyhow::Result<()> {
        let mut seen = Seen::unpack(self.seen[id as usize]);
        match seen {
            Seen { given: true, .. }
                if keep_body && !seen.keep_body && !seen.excluded && !seen.vouched =>
            {
                seen.keep_body = true;
                let from_cache = std::mem::take(&mut seen.from_cache);
                self.seen[id as usize] = seen.pack();
                // Taken from the cache a moment ago: it is fetched after all.
                if from_cache {
                    self.run.stats.cached -= 1;
                    self.run.results.unset(id);
                }
            }
            Seen { given: true, .. } => return Ok(()),
            Seen { given: false, .. } => {
                let url = self.run.results.urls().get(id);
                let excluded = self.exclude.is_match(url) && !self.include.is_match(url);
                let cached = (!excluded && !keep_body)
                    .then(|| self.cache.fresh(url, self.config.cache_ttl))
                    .flatten()
                    .cloned();
                seen = Seen {
                    given: true,
                    keep_body,
                    excluded,
                    from_cache: cached.is_some(),
                    ..Seen::default()
                };
                self.seen[id as usize] = seen.pack();
                if excluded {
                    self.run.stats.excluded += 1;
                    return Ok(());
                }
                if let Some(status) = cached {
                    self.run.stats.cached += 1;
                    self.run.results.set(id, status);
                    return Ok(());
                }
            }
        }
        self.start(id, keep_body)
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

    fn start(&mut self, id: UrlId, keep_body: bool) -> anyhow::Result<()> {
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
        let host = host_key(self.run.results.urls().get(id));
        self.waiting.push(id, host, keep_body);
        self.spawn_waiting(&checker);
        Ok(())
    }

    /// Starts tasks for waiting URLs while the window has room.
    fn spawn_waiting(&mut self, checker: &Arc<Checker>) {
        while self.tasks.len() < self.waiting.window
            && let Some((id, keep_body)) = self.waiting.pop()
        {
            // A copy for the task's while: the window bounds how many there are.
            let url = self.run.results.urls().get(id).to_string();
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
                (id, outcome, body, keep_body)
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
        let (id, outcome, body, keep_body) = joined?;
        self.waiting.done(host_key(self.run.results.urls().get(id)));
        if let Some(checker) = self.checker.clone() {
            self.spawn_waiting(&checker);
        }
        if let (Some(bar), Some(checker), Some(checking)) =
            (&self.bar, &self.checker, self.checking)
        {
            bar.inc(1);
            bar.set_message(reading(checker, checking, bar).line());
        }
        let seen = Seen::unpack(self.seen[id as usize]);
        let url = self.run.results.urls().get(id);
        if let Some(body) = body {
            self.run.bodies.insert(url.to_string(), body);
        }
        // A registry vouched for it meanwhile; or its body was asked for later, and
        // the body fetch's answer is its status.
        if seen.vouched || (seen.keep_body && !keep_body) {
            return Ok(true);
        }
        // Its streak before this run: the cache is only written when the run is done,
        // so a second result (a body fetched later) counts from the same streak.
        let before = self.cache.entries.get(url).map_or(0, |e| e.failures);
        let (status, failures) = judge(outcome, before, self.config.failure_threshold);
        self.run.results.set(id, status);
        self.run.set_streak(id, failures.unwrap_or(NOT_KEPT));
        Ok(true)
    }

    /// Records a link a registry vouches for: alive without a request, counted like
    /// any other. If it was handed over before (the same URL elsewhere in the list,
    /// not as a paper link), the registry's word replaces what was found or counted.
    pub fn vouched(&mut self, id: UrlId) {
        self.vouched_any = true;
        let mut seen = Seen::unpack(self.seen[id as usize]);
        if seen.vouched {
            return;
        }
        let (excluded, from_cache) = (seen.excluded, seen.from_cache);
        seen = Seen {
            given: true,
            vouched: true,
            keep_body: seen.keep_body,
            ..Seen::default()
        };
        self.seen[id as usize] = seen.pack();
        if excluded {
            self.run.stats.excluded -= 1;
        }
        if from_cache {
            self.run.stats.cached -= 1;
        }
        let status = LinkStatus::Ok {
            code: 200,
            hops: Vec::new(),
        };
        self.run.results.set(id, status);
        // The registry's word is not an answer to a request: not one for the cache.
        self.run.set_streak(id, NOT_KEPT);
    }

    /// Requests up to three links whose status came from the cache (they answered on
    /// an earlier run), until one answers: a warm cache leaves a scheduled run only its
    /// failing links to request, and their failing is no sign that the machine has no
    /// network when a link that worked still does. What they say is not their status.
    async fn ask_a_cached_link(&self, checker: &Arc<Checker>) {
        // The first in sorted order, so that a run asks the same links.
        let mut cached: Vec<&str> = (self.run.results.ids())
            .filter(|&id| Seen::unpack(self.seen[id as usize]).from_cache)
            .map(|id| self.run.results.urls().get(id))
            .collect();
        cached.sort_unstable();
        for url in cached.into_iter().take(3) {
            let asked = checker.check_keeping_body(url, false);
            let _ = tokio::time::timeout_at(self.budget.deadline, asked).await;
            if !checker.probe.failed_unanswered() {
                break;
            }
        }
    }

    /// Waits for every request still out and returns the run; an `Err` if the
    /// machine turned out to have no network. The statuses found are not in the
    /// cache: [`LinkRun::remember`] puts them there.
    pub async fn finish(self) -> anyhow::Result<LinkRun> {
        Ok(self.finish_with_cache().await?.0)
    }

    /// [`LinkCheck::finish`], handing back the cache too.
    async fn finish_with_cache(mut self) -> anyhow::Result<(LinkRun, &'c mut Cache)> {
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
        for (_, status) in run.results.iter() {
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
        Ok((run, self.cache))
    }
}

/// The URLs handed over and not yet given a task. A task per URL at once would
/// cost a few kilobytes per URL (a list of 300,000 links: close to a gigabyte); a URL
/// waiting costs its id. Tasks are started within a window (four times the global
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
    ready: VecDeque<String>,
}

#[derive(Default)]
struct HostQueue {
    urls: VecDeque<Queued>,
    running: usize,
    /// Whether the host is in `ready`.
    ready: bool,
}

/// A URL waiting: its id, and in the top bit whether its body is wanted. 4 bytes, not
/// 8: a host slower than the list is read holds every one of its URLs here. An id
/// never has that bit (a list of at most `source::MAX_LEN` bytes has fewer than 2^31
/// URLs: each takes at least a few bytes).
#[derive(Clone, Copy)]
struct Queued(u32);

impl Queued {
    const KEEP_BODY: u32 = 1 << 31;

    fn new(id: UrlId, keep_body: bool) -> Self {
        debug_assert!(id & Self::KEEP_BODY == 0, "URL id {id} out of range");
        Queued(id | if keep_body { Self::KEEP_BODY } else { 0 })
    }

    fn get(self) -> (UrlId, bool) {
        (self.0 & !Self::KEEP_BODY, self.0 & Self::KEEP_BODY != 0)
    }
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
            ready: VecDeque::new(),
        }
    }

    /// Queues `id`, a URL of `host` (its [`host_key`]).
    fn push(&mut self, id: UrlId, host: &str, keep_body: bool) {
        let queue = match self.hosts.get_mut(host) {
            Some(queue) => queue,
            None => self.hosts.entry(host.to_string()).or_default(),
        };
        queue.urls.push_back(Queued::new(id, keep_body));
        if !queue.ready && queue.running < self.per_host {
            queue.ready = true;
            self.ready.push_back(host.to_string());
        }
    }

    /// The next URL to start, its host's task counted.
    fn pop(&mut self) -> Option<(UrlId, bool)> {
        let host = self.ready.pop_front()?;
        let queue = self.hosts.get_mut(&host)?;
        let next = queue.urls.pop_front().map(Queued::get);
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

    /// A task of `host` (a [`host_key`]) has ended.
    fn done(&mut self, host: &str) {
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
/// one only after `threshold` consecutive failing runs. The status, and the streak to
/// keep in the cache (none for a URL not requested).
fn judge(outcome: Outcome, previous: u32, threshold: u32) -> (LinkStatus, Option<u32>) {
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
        Outcome::Skipped { reason } => return (LinkStatus::Skipped { reason }, None),
    };
    (status, Some(failures))
}

#[cfg(test)]
mod tests {
    use super::{Seen, Waiting, host_key};
    use crate::config::NetworkConfig;
    use crate::model::{UrlId, Urls};

    #[test]
    fn what_is_seen_of_a_url_survives_its_byte() {
        for bits in 0..32u8 {
            assert_eq!(Seen::unpack(bits).pack(), bits);
        }
        assert!(Seen::unpack(16).vouched && !Seen::unpack(15).vouched);
    }

    fn waiting(window: usize, per_host: usize) -> Waiting {
        let mut w = Waiting::new(&NetworkConfig::default());
        w.window = window;
        w.per_host = per_host;
        w
    }

    #[tokio::test]
    async fn the_cache_is_not_given_back_its_own_statuses_or_a_registry_s_word() {
        use crate::cache::{Cache, CacheEntry};
        use crate::model::LinkStatus;
        let config = NetworkConfig {
            exclude: vec!["^https://excluded\\.org/".into()],
            ..NetworkConfig::default()
        };
        let ok = |code| LinkStatus::Ok {
            code,
            hops: Vec::new(),
        };
        let mut cache = Cache::default();
        let entry = CacheEntry {
            checked: crate::cache::now(),
            status: ok(203),
            failures: 0,
        };
        cache
            .entries
            .insert("https://cached.org/".into(), entry.clone());
        let budget = super::Budget::new(
            config.run_budget,
            config.host_budget,
            config.retry_after_cap,
        );
        let mut check = super::LinkCheck::new(&config, budget, &mut cache, false).unwrap();
        for url in ["https://cached.org/", "https://excluded.org/a"] {
            let id = check.intern(url);
            check.submit(id, false).unwrap();
        }
        let vouched = check.intern("https://arxiv.org/abs/2101.00001");
        check.vouched(vouched);
        let run = check.finish().await.unwrap();
        // Every status is in the run, in the order first seen...
        let statuses: Vec<(&str, &LinkStatus)> = run.results.iter().collect();
        assert_eq!(
            statuses,
            [
                ("https://cached.org/", &ok(203)),
                ("https://arxiv.org/abs/2101.00001", &ok(200)),
            ]
        );
        assert_eq!((run.stats.cached, run.stats.excluded), (1, 1));
        // ...and none of them is a request's answer: the cache is left as it was.
        let mut remembered = Cache::default();
        remembered
            .entries
            .insert("https://cached.org/".into(), entry);
        let before = remembered.clone();
        run.remember(&mut remembered);
        assert_eq!(remembered, before);
    }

    #[test]
    fn hosts_take_turns_and_none_holds_more_than_its_share() {
        let mut w = waiting(10, 2);
        let mut urls = Urls::default();
        let mut push = |w: &mut Waiting, url: String, keep_body: bool| {
            let (id, _) = urls.intern(&url);
            w.push(id, host_key(&url), keep_body);
        };
        for i in 0..100 {
            push(&mut w, format!("https://a.org/{i}"), false);
        }
        push(&mut w, "https://b.org/1".into(), false);
        push(&mut w, "https://b.org/2".into(), true);
        push(&mut w, "https://b.org/3".into(), false);
        // Ids in the order pushed: a.org's 0 to 99, then b.org's 100 to 102.
        let mut started: Vec<(UrlId, bool)> = std::iter::from_fn(|| w.pop()).collect();
        // Two of each host, in turns; the rest waits for a task of its host to end.
        assert_eq!(started, [(0, false), (100, false), (1, false), (101, true)]);
        w.done("b.org");
        w.done("a.org");
        started.clear();
        started.extend(std::iter::from_fn(|| w.pop()));
        assert_eq!(started, [(102, false), (2, false)]);
        // A host with nothing left and nothing running is forgotten.
        w.done("b.org");
        w.done("b.org");
        assert!(!w.hosts.contains_key("b.org"));
        assert_eq!(host_key("http://h.org:8080?q#f"), "h.org:8080");
        assert_eq!(host_key("https://h.org"), "h.org");
    }
}
