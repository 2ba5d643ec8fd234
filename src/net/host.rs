//! Per-host politeness and patience: a semaphore for concurrency, a minimum interval
//! between requests that widens on 429/503 (honouring `Retry-After` and
//! `X-RateLimit-*`, never more than twice what the host asked) and narrows again after
//! successes, and a time [`Budget`]: a host whose pauses add up to more than
//! `network.host_budget`, that asks for a wait the run cannot afford, or that refused
//! each of its first [`REFUSALS_BEFORE_GIVING_UP`] requests is given up as a whole
//! ([`GiveUp`]), and nothing waits past the run's deadline (`network.run_budget`).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// A host that refused (429/503, or timed out on) each of its first this many
/// requests, with no answer in between, is not asked again in this run.
pub const REFUSALS_BEFORE_GIVING_UP: u32 = 6;

/// The time the network stages may take: a deadline for the whole run, an allowance
/// of waiting for each host, and the longest single pause honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// When the run must be over; nothing waits past it.
    pub deadline: Instant,
    /// The total a host's pauses may add up to (`network.host_budget`).
    pub per_host: Duration,
    /// The longest single pause a host may ask for (`network.retry_after_cap`).
    pub longest_pause: Duration,
}

impl Budget {
    /// A budget of `run` from now.
    pub fn new(run: Duration, per_host: Duration, longest_pause: Duration) -> Budget {
        let now = Instant::now();
        Budget {
            // A budget too large to add is as good as none (a year is plenty).
            deadline: now
                .checked_add(run)
                .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600)),
            per_host,
            longest_pause,
        }
    }

    /// No limit worth the name (tests, library callers that bring their own).
    pub fn unlimited() -> Budget {
        let year = Duration::from_secs(365 * 24 * 3600);
        Budget::new(year, year, year)
    }

    /// Time left before the deadline.
    pub fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}

/// Why a host is not asked any more in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiveUp {
    /// In a few words, naming the budget or the refusals.
    pub reason: String,
    /// The host did not answer at all (timeouts), rather than refusing: a failure
    /// that counts towards `link/broken` over several runs, not a rate limit.
    pub unresponsive: bool,
}

/// A duration in words for messages ("1day", "30s").
fn words(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs().max(1))).to_string()
}

/// The politeness state of one host.
#[derive(Debug)]
pub struct Host {
    permits: Semaphore,
    /// Requests allowed at once now.
    allowed: Mutex<usize>,
    /// Permits still to be forgotten when they are returned.
    owed: AtomicUsize,
    base_interval: Duration,
    state: Mutex<Pace>,
    active: AtomicUsize,
    budget: Budget,
    /// Wakes the requests waiting for their turn when the host is given up, so they
    /// end at once instead of at the start time they were waiting for.
    gave_up: tokio::sync::Notify,
}

#[derive(Debug)]
struct Pace {
    interval: Duration,
    next: Instant,
    /// When recent successful requests were sent, to estimate the rate a host tolerates.
    recent: VecDeque<Instant>,
    /// The best estimate (successes per window) of the current burst of refusals.
    burst_best: u32,
    /// When the first refused request of the current burst was sent.
    burst_sent: Option<Instant>,
    /// The interval measured at the last refusal: speeding up stops there, since the
    /// host has shown where its limit is.
    floor: Duration,
    /// Successes since the interval last changed.
    streak: u32,
    /// When the host last pushed back: answers to requests sent before then are
    /// part of the same burst and do not widen the interval again.
    last_slow_down: Option<Instant>,
    /// The pauses this host imposed, added up.
    paused: Duration,
    /// Refusals (and timeouts) so far.
    refusals: u32,
    /// Answers that were not refusals so far.
    answers: u32,
    /// Set once the host is given up; every later request gets it.
    given_up: Option<GiveUp>,
}

/// The window over which the tolerated rate is measured.
const RATE_WINDOW: Duration = Duration::from_secs(1);
/// Successes in a row before the interval is narrowed again.
const SPEED_UP_AFTER: u32 = 20;

/// Requests sent this close together were sent "at once" as far as a host can tell.
const SAME_INSTANT: Duration = Duration::from_millis(20);

/// The interval for `k` requests per rate window, with a 10% margin.
fn rate_interval(k: u32) -> Duration {
    (RATE_WINDOW / k.max(1)).mul_f64(1.1)
}

impl Pace {
    /// Successful requests sent in the rate window before `sent`. Requests sent a
    /// hair after it (the same burst, scheduled in another order) count too.
    fn tolerated_before(&self, sent: Instant) -> u32 {
        let end = sent + SAME_INSTANT;
        self.recent
            .iter()
            .filter(|t| **t <= end && end.duration_since(**t) < RATE_WINDOW)
            .count() as u32
    }

    /// Narrows the interval when more successes of the refused burst are now known.
    fn refine(&mut self) {
        let Some(sent) = self.burst_sent else { return };
        let tolerated = self.tolerated_before(sent);
        if tolerated > self.burst_best && tolerated >= 2 {
            self.burst_best = tolerated;
            self.interval = rate_interval(tolerated).clamp(MIN_BACKOFF_INTERVAL, MAX_INTERVAL);
            self.floor = self.interval;
        }
    }
}

/// Smallest interval a host is slowed to after a 429 without any hint.
const MIN_BACKOFF_INTERVAL: Duration = Duration::from_millis(50);
/// The interval a host that sends `Retry-After` may always be slowed to, however
/// short the wait it asks for.
const HINTED_INTERVAL_FLOOR: Duration = Duration::from_secs(1);
/// Longest interval adaptive slowing may reach.
const MAX_INTERVAL: Duration = Duration::from_secs(30);

impl Host {
    /// A host allowing `concurrency` requests at once, `interval` apart, with no
    /// budget to speak of.
    pub fn new(concurrency: usize, interval: Duration) -> Self {
        Host::with_budget(concurrency, interval, Budget::unlimited())
    }

    /// A host allowing `concurrency` requests at once, `interval` apart, within
    /// `budget`.
    pub fn with_budget(concurrency: usize, interval: Duration, budget: Budget) -> Self {
        Host {
            permits: Semaphore::new(concurrency.max(1)),
            allowed: Mutex::new(concurrency.max(1)),
            owed: AtomicUsize::new(0),
            base_interval: interval,
            state: Mutex::new(Pace {
                interval,
                next: Instant::now(),
                recent: VecDeque::new(),
                streak: 0,
                last_slow_down: None,
                burst_best: 0,
                burst_sent: None,
                floor: Duration::ZERO,
                paused: Duration::ZERO,
                refusals: 0,
                answers: 0,
                given_up: None,
            }),
            active: AtomicUsize::new(0),
            budget,
            gave_up: tokio::sync::Notify::new(),
        }
    }

    /// Why the host was given up, if it was.
    pub fn given_up(&self) -> Option<GiveUp> {
        self.state.lock().expect("pace lock").given_up.clone()
    }

    /// Waits for a free slot and for this host's next allowed start time; fails at
    /// once when the host is given up, or when that time is past the run's deadline.
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, GiveUp> {
        if let Some(g) = self.given_up() {
            return Err(g);
        }
        let mut permit = self
            .permits
            .acquire()
            .await
            .expect("host semaphore is never closed");
        // Pay back permits owed by a lowered limit before going on.
        while self.owed.load(Ordering::SeqCst) > 0 {
            if self
                .owed
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                permit.forget();
                permit = self
                    .permits
                    .acquire()
                    .await
                    .expect("host semaphore is never closed");
            }
        }
        loop {
            // Listening before the state is read: a give-up in between is not missed.
            let gave_up = self.gave_up.notified();
            tokio::pin!(gave_up);
            gave_up.as_mut().enable();
            let wait = {
                let mut pace = self.state.lock().expect("pace lock");
                if let Some(g) = &pace.given_up {
                    return Err(g.clone());
                }
                let now = Instant::now();
                if pace.next <= now {
                    pace.next = now + pace.interval;
                    None
                } else if pace.next > self.budget.deadline {
                    return Err(GiveUp {
                        reason: "its next request would come after network.run_budget ends".into(),
                        unresponsive: false,
                    });
                } else {
                    Some(pace.next)
                }
            };
            match wait {
                None => break,
                // Woken at the start time, or when the host is given up meanwhile.
                Some(at) => tokio::select! {
                    () = tokio::time::sleep_until(at) => {}
                    () = &mut gave_up => {}
                },
            }
        }
        Ok(permit)
    }

    /// Lowers the number of requests allowed at once to `limit` (a server's
    /// `x-concurrency-limit`); never raises it.
    pub fn limit_concurrency(&self, limit: usize) {
        let mut allowed = self.allowed.lock().expect("allowed lock");
        let limit = limit.max(1);
        if limit < *allowed {
            // Permits in use are forgotten as they come back.
            let excess = *allowed - limit;
            let forgotten = self.permits.forget_permits(excess);
            self.owed.fetch_add(excess - forgotten, Ordering::SeqCst);
            *allowed = limit;
        }
    }

    /// Marks a request as started; returns true when the host just became busy.
    pub fn start(&self) -> bool {
        self.active.fetch_add(1, Ordering::SeqCst) == 0
    }

    /// Marks a request as finished; returns true when the host just became idle.
    pub fn finish(&self) -> bool {
        self.active.fetch_sub(1, Ordering::SeqCst) == 1
    }

    /// The host said "too many requests" (or is unavailable): wait `hint` if given,
    /// and widen the interval. When enough requests sent in the second before the
    /// refused one succeeded, the new interval matches that rate (with a 10% margin),
    /// which is what the host tolerates; otherwise it doubles. Answers to requests
    /// sent before the slow-down belong to the same burst: they only refine the
    /// estimate (see [`Host::speed_up`]). `sent` is when the refused request started.
    fn slow_down(pace: &mut Pace, hint: Option<Duration>, sent: Instant) {
        let now = Instant::now();
        let same_burst = pace.last_slow_down.is_some_and(|t| sent <= t);
        if same_burst {
            pace.refine();
        } else {
            let tolerated = pace.tolerated_before(sent);
            pace.last_slow_down = Some(now);
            pace.burst_sent = Some(sent);
            pace.burst_best = tolerated;
            let widened = if tolerated >= 2 {
                rate_interval(tolerated).max(pace.interval)
            } else {
                pace.interval * 2
            };
            // Never more than twice what the host asked for, when it said (a second
            // at least: `Retry-After: 0` says nothing about the rate it tolerates).
            let most = hint.map_or(MAX_INTERVAL, |h| {
                (h * 2).clamp(HINTED_INTERVAL_FLOOR, MAX_INTERVAL)
            });
            pace.interval = widened.clamp(MIN_BACKOFF_INTERVAL, most);
            if tolerated >= 2 {
                pace.floor = pace.interval;
            }
            pace.streak = 0;
        }
        let until = now + hint.unwrap_or(pace.interval);
        Self::pause(pace, until);
    }

    /// Moves the next start to `until` (if later), counting the added wait.
    fn pause(pace: &mut Pace, until: Instant) {
        let from = pace.next.max(Instant::now());
        if until > from {
            pace.paused += until - from;
            pace.next = until;
        }
    }

    /// Gives the host up for `reason` (the first reason stays) and wakes the requests
    /// waiting for their turn; returns it.
    fn give_up(&self, pace: &mut Pace, reason: String, unresponsive: bool) -> GiveUp {
        let g = pace
            .given_up
            .get_or_insert(GiveUp {
                reason,
                unresponsive,
            })
            .clone();
        self.gave_up.notify_waiters();
        g
    }

    /// Whether a wait of `wait` (asked for by the host, `what`) fits the budget.
    fn affordable(&self, pace: &Pace, what: &str, wait: Duration) -> Result<(), String> {
        let b = &self.budget;
        let left_here = b.per_host.saturating_sub(pace.paused);
        if wait > b.longest_pause || wait > left_here {
            return Err(format!(
                "{what}, asked to wait {}: more than this run allows (network.host_budget {}, network.retry_after_cap {})",
                words(wait),
                words(b.per_host),
                words(b.longest_pause)
            ));
        }
        if Instant::now() + wait > b.deadline {
            return Err(format!(
                "{what}, asked to wait {}: past the end of network.run_budget",
                words(wait)
            ));
        }
        Ok(())
    }

    /// The host refused a request (`what`: "429 Too Many Requests") sent at `sent`,
    /// asking to wait `hint` (`Retry-After`, uncapped). Slows the host down (the
    /// interval widens, see `slow_down`) and returns why it is given up, if it now is: the wait is
    /// more than the budget allows, its pauses add up to more than its budget, or it
    /// refused each of its first [`REFUSALS_BEFORE_GIVING_UP`] requests.
    pub fn refused(&self, what: &str, hint: Option<Duration>, sent: Instant) -> Option<GiveUp> {
        let mut pace = self.state.lock().expect("pace lock");
        if let Some(g) = &pace.given_up {
            return Some(g.clone());
        }
        if let Some(wait) = hint
            && let Err(reason) = self.affordable(&pace, what, wait)
        {
            return Some(self.give_up(&mut pace, reason, false));
        }
        Self::slow_down(&mut pace, hint, sent);
        pace.refusals += 1;
        if pace.answers == 0 && pace.refusals >= REFUSALS_BEFORE_GIVING_UP {
            let reason = format!("{what} to each of its first {} requests", pace.refusals);
            return Some(self.give_up(&mut pace, reason, false));
        }
        if pace.paused > self.budget.per_host {
            let reason = format!(
                "{what}; its pauses add up to more than network.host_budget ({})",
                words(self.budget.per_host)
            );
            return Some(self.give_up(&mut pace, reason, false));
        }
        None
    }

    /// A request got no answer in time (`what`): counts like a refusal towards
    /// giving the host up, as unresponsive.
    pub fn unanswered(&self, what: &str) -> Option<GiveUp> {
        let mut pace = self.state.lock().expect("pace lock");
        if let Some(g) = &pace.given_up {
            return Some(g.clone());
        }
        pace.refusals += 1;
        if pace.answers == 0 && pace.refusals >= REFUSALS_BEFORE_GIVING_UP {
            let reason = format!("{what} on each of its first {} requests", pace.refusals);
            return Some(self.give_up(&mut pace, reason, true));
        }
        None
    }

    /// The host has no requests left until `at` (`X-RateLimit-Remaining: 0`); a
    /// wait the budget cannot afford gives the host up (returned).
    pub fn pause_until(&self, at: Instant) -> Option<GiveUp> {
        let mut pace = self.state.lock().expect("pace lock");
        let wait = at.saturating_duration_since(Instant::now());
        if let Err(reason) =
            self.affordable(&pace, "no requests left (X-RateLimit-Remaining: 0)", wait)
        {
            return Some(self.give_up(&mut pace, reason, false));
        }
        Self::pause(&mut pace, at);
        None
    }

    /// A success: remembered for the rate estimate; after a run of them the interval
    /// narrows by 5% towards the configured one (but not past the rate the host last
    /// showed it tolerates), so a host that was only briefly overloaded is not
    /// crawled forever.
    pub fn speed_up(&self, sent: Instant) {
        let mut pace = self.state.lock().expect("pace lock");
        pace.answers += 1;
        pace.recent.push_back(sent);
        if pace.recent.len() > 64 {
            pace.recent.pop_front();
        }
        // A late success of the burst that was refused: a better rate estimate.
        if pace.last_slow_down.is_some_and(|t| sent <= t) {
            pace.refine();
            return;
        }
        pace.streak += 1;
        let floor = pace.floor.max(self.base_interval);
        if pace.streak >= SPEED_UP_AFTER && pace.interval > floor {
            pace.streak = 0;
            pace.interval = (pace.interval.mul_f64(0.95)).max(floor);
        }
    }

    /// The current interval (for tests and progress).
    pub fn interval(&self) -> Duration {
        self.state.lock().expect("pace lock").interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn interval_spaces_requests_and_adapts() {
        let host = Host::new(4, Duration::from_millis(100));
        let t0 = Instant::now();
        drop(host.acquire().await.unwrap());
        drop(host.acquire().await.unwrap());
        drop(host.acquire().await.unwrap());
        assert_eq!(t0.elapsed(), Duration::from_millis(200));
        host.speed_up(Instant::now());
        assert_eq!(
            host.refused("429", Some(Duration::from_secs(2)), Instant::now()),
            None
        );
        assert_eq!(host.interval(), Duration::from_millis(200));
        let t1 = Instant::now();
        drop(host.acquire().await.unwrap());
        assert!(t1.elapsed() >= Duration::from_millis(1900));
        for _ in 0..400 {
            host.speed_up(Instant::now());
        }
        assert_eq!(host.interval(), Duration::from_millis(100));
    }

    #[tokio::test]
    async fn a_lowered_concurrency_limit_holds() {
        let host = Host::new(3, Duration::ZERO);
        let a = host.acquire().await.unwrap();
        let b = host.acquire().await.unwrap();
        // Two permits are out: the free one is forgotten now, one more is owed.
        host.limit_concurrency(1);
        drop(a);
        drop(b);
        let c = host.acquire().await.unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(50), host.acquire())
                .await
                .is_err(),
            "only one at a time now"
        );
        drop(c);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), host.acquire())
                .await
                .is_ok()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_limit_sets_the_interval_to_the_rate_that_worked() {
        let host = Host::new(4, Duration::ZERO);
        for _ in 0..4 {
            host.speed_up(Instant::now());
        }
        let sent = Instant::now();
        host.refused("429", Some(Duration::from_secs(1)), sent);
        // Four successes sent in the second before: 250 ms apart, plus a 10% margin.
        assert_eq!(host.interval(), Duration::from_millis(275));
        // A fifth success of the same burst comes in late: the estimate is refined,
        // and the burst's other refusals do not widen it again.
        host.speed_up(sent);
        host.refused("429", Some(Duration::from_secs(1)), sent);
        assert_eq!(host.interval(), Duration::from_millis(220));
        host.refused("429", Some(Duration::from_secs(1)), sent);
        assert_eq!(host.interval(), Duration::from_millis(220));
    }

    /// A host that answers every request with `429, Retry-After: 1` (after one
    /// success, so it is not given up at once): the interval stops at twice what it
    /// asked, where doubling alone would reach half a minute.
    #[tokio::test(start_paused = true)]
    async fn the_pause_stays_within_twice_what_the_host_asked() {
        let host = Host::new(1, Duration::ZERO);
        host.speed_up(Instant::now());
        for _ in 0..12 {
            let permit = host.acquire().await.unwrap();
            let sent = Instant::now();
            drop(permit);
            assert_eq!(
                host.refused("429", Some(Duration::from_secs(1)), sent),
                None
            );
            assert!(
                host.interval() <= Duration::from_secs(2),
                "{:?}",
                host.interval()
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_host_is_given_up_for_a_wait_beyond_the_budget_or_for_refusing_everything() {
        let budget = Budget::new(
            Duration::from_secs(600),
            Duration::from_secs(30),
            Duration::from_secs(60),
        );
        let patient = Host::with_budget(4, Duration::ZERO, budget);
        let g = patient
            .refused(
                "429 Too Many Requests",
                Some(Duration::from_secs(86400)),
                Instant::now(),
            )
            .expect("a day is beyond the budget");
        assert!(
            g.reason.contains("network.host_budget") && !g.unresponsive,
            "{}",
            g.reason
        );
        assert_eq!(patient.acquire().await.unwrap_err(), g, "no more requests");

        let storm = Host::with_budget(4, Duration::ZERO, budget);
        for i in 1..REFUSALS_BEFORE_GIVING_UP {
            assert_eq!(
                storm.refused("503", Some(Duration::from_millis(10)), Instant::now()),
                None,
                "{i}"
            );
        }
        let g = storm.refused("503", None, Instant::now()).unwrap();
        assert!(g.reason.contains("first 6 requests"), "{}", g.reason);

        // Pauses that add up past the host's budget.
        let slow = Host::with_budget(1, Duration::ZERO, budget);
        slow.speed_up(Instant::now());
        let mut given_up = None;
        for _ in 0..10 {
            given_up = slow.refused("429", Some(Duration::from_secs(20)), Instant::now());
            if given_up.is_some() {
                break;
            }
        }
        assert!(given_up.unwrap().reason.contains("host_budget"));

        let silent = Host::with_budget(4, Duration::ZERO, budget);
        for _ in 1..REFUSALS_BEFORE_GIVING_UP {
            assert_eq!(silent.unanswered("timed out"), None);
        }
        assert!(silent.unanswered("timed out").unwrap().unresponsive);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_waiting_for_their_turn_end_when_the_host_is_given_up() {
        let budget = Budget::new(
            Duration::from_secs(600),
            Duration::from_secs(60),
            Duration::from_secs(60),
        );
        let host = std::sync::Arc::new(Host::with_budget(4, Duration::ZERO, budget));
        // Asked to wait 20 s: the next request waits for that start time.
        assert_eq!(
            host.refused("429", Some(Duration::from_secs(20)), Instant::now()),
            None
        );
        let asked = Instant::now();
        let waiting = tokio::spawn({
            let host = host.clone();
            async move { host.acquire().await.map(drop) }
        });
        // Let it start waiting (the paused clock does not move while a task can run).
        tokio::task::yield_now().await;
        let g = host.unanswered("timed out");
        assert_eq!(g, None, "one refusal and one timeout are not six");
        for _ in 2..REFUSALS_BEFORE_GIVING_UP {
            host.unanswered("timed out");
        }
        let given_up = host.given_up().expect("six refusals in a row");
        assert_eq!(waiting.await.unwrap(), Err(given_up));
        // Woken by the give-up, not by its start time.
        assert!(Instant::now() < asked + Duration::from_secs(20));
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_waits_past_the_run_deadline() {
        let budget = Budget::new(
            Duration::from_secs(5),
            Duration::from_secs(60),
            Duration::from_secs(60),
        );
        let host = Host::with_budget(1, Duration::ZERO, budget);
        host.speed_up(Instant::now());
        let g = host
            .refused("429", Some(Duration::from_secs(10)), Instant::now())
            .unwrap();
        assert!(g.reason.contains("run_budget"), "{}", g.reason);
        let paced = Host::with_budget(1, Duration::from_secs(10), budget);
        drop(paced.acquire().await.unwrap());
        assert!(
            paced
                .acquire()
                .await
                .unwrap_err()
                .reason
                .contains("run_budget")
        );
    }
}
