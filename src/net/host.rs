//! Per-host politeness: a semaphore for concurrency and a minimum interval between
//! requests that widens on 429/503 (honouring `Retry-After` and `X-RateLimit-*`) and
//! narrows again after successes.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

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
/// Longest interval adaptive slowing may reach.
const MAX_INTERVAL: Duration = Duration::from_secs(30);

impl Host {
    /// A host allowing `concurrency` requests at once, `interval` apart.
    pub fn new(concurrency: usize, interval: Duration) -> Self {
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
            }),
            active: AtomicUsize::new(0),
        }
    }

    /// Waits for a free slot and for this host's next allowed start time.
    pub async fn acquire(&self) -> SemaphorePermit<'_> {
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
            let wait = {
                let mut pace = self.state.lock().expect("pace lock");
                let now = Instant::now();
                if pace.next <= now {
                    pace.next = now + pace.interval;
                    None
                } else {
                    Some(pace.next)
                }
            };
            match wait {
                None => break,
                Some(at) => tokio::time::sleep_until(at).await,
            }
        }
        permit
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
    pub fn slow_down(&self, hint: Option<Duration>, sent: Instant) {
        let mut pace = self.state.lock().expect("pace lock");
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
            pace.interval = widened.clamp(MIN_BACKOFF_INTERVAL, MAX_INTERVAL);
            if tolerated >= 2 {
                pace.floor = pace.interval;
            }
            pace.streak = 0;
        }
        let until = now + hint.unwrap_or(pace.interval);
        if until > pace.next {
            pace.next = until;
        }
    }

    /// The host has no requests left until `at` (`X-RateLimit-Remaining: 0`).
    pub fn pause_until(&self, at: Instant) {
        let mut pace = self.state.lock().expect("pace lock");
        if at > pace.next {
            pace.next = at;
        }
    }

    /// A success: remembered for the rate estimate; after a run of them the interval
    /// narrows by 5% towards the configured one (but not past the rate the host last
    /// showed it tolerates), so a host that was only briefly overloaded is not
    /// crawled forever.
    pub fn speed_up(&self, sent: Instant) {
        let mut pace = self.state.lock().expect("pace lock");
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
        drop(host.acquire().await);
        drop(host.acquire().await);
        drop(host.acquire().await);
        assert_eq!(t0.elapsed(), Duration::from_millis(200));
        host.slow_down(Some(Duration::from_secs(2)), Instant::now());
        assert_eq!(host.interval(), Duration::from_millis(200));
        let t1 = Instant::now();
        drop(host.acquire().await);
        assert!(t1.elapsed() >= Duration::from_millis(1900));
        for _ in 0..400 {
            host.speed_up(Instant::now());
        }
        assert_eq!(host.interval(), Duration::from_millis(100));
    }

    #[tokio::test]
    async fn a_lowered_concurrency_limit_holds() {
        let host = Host::new(3, Duration::ZERO);
        let a = host.acquire().await;
        let b = host.acquire().await;
        // Two permits are out: the free one is forgotten now, one more is owed.
        host.limit_concurrency(1);
        drop(a);
        drop(b);
        let c = host.acquire().await;
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
        host.slow_down(Some(Duration::from_secs(1)), sent);
        // Four successes sent in the second before: 250 ms apart, plus a 10% margin.
        assert_eq!(host.interval(), Duration::from_millis(275));
        // A fifth success of the same burst comes in late: the estimate is refined,
        // and the burst's other refusals do not widen it again.
        host.speed_up(sent);
        host.slow_down(Some(Duration::from_secs(1)), sent);
        assert_eq!(host.interval(), Duration::from_millis(220));
        host.slow_down(Some(Duration::from_secs(1)), sent);
        assert_eq!(host.interval(), Duration::from_millis(220));
    }
}
