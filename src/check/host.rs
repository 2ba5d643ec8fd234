//! Per-host politeness: a semaphore for concurrency and a minimum interval between
//! requests that widens on 429/503 (honouring `Retry-After` and `X-RateLimit-*`) and
//! narrows again after successes.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// The politeness state of one host.
#[derive(Debug)]
pub struct Host {
    permits: Semaphore,
    base_interval: Duration,
    state: Mutex<Pace>,
    active: AtomicUsize,
}

#[derive(Debug)]
struct Pace {
    interval: Duration,
    next: Instant,
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
            base_interval: interval,
            state: Mutex::new(Pace {
                interval,
                next: Instant::now(),
            }),
            active: AtomicUsize::new(0),
        }
    }

    /// Waits for a free slot and for this host's next allowed start time.
    pub async fn acquire(&self) -> SemaphorePermit<'_> {
        let permit = self
            .permits
            .acquire()
            .await
            .expect("host semaphore is never closed");
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

    /// Marks a request as started; returns true when the host just became busy.
    pub fn start(&self) -> bool {
        self.active.fetch_add(1, Ordering::SeqCst) == 0
    }

    /// Marks a request as finished; returns true when the host just became idle.
    pub fn finish(&self) -> bool {
        self.active.fetch_sub(1, Ordering::SeqCst) == 1
    }

    /// The host said "too many requests" (or is unavailable): wait `hint` if given,
    /// and double the interval between requests.
    pub fn slow_down(&self, hint: Option<Duration>) {
        let mut pace = self.state.lock().expect("pace lock");
        pace.interval = (pace.interval * 2).clamp(MIN_BACKOFF_INTERVAL, MAX_INTERVAL);
        let now = Instant::now();
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

    /// A success: narrow the interval back towards the configured one.
    pub fn speed_up(&self) {
        let mut pace = self.state.lock().expect("pace lock");
        if pace.interval > self.base_interval {
            pace.interval = (pace.interval.mul_f64(0.9)).max(self.base_interval);
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
        host.slow_down(Some(Duration::from_secs(2)));
        assert_eq!(host.interval(), Duration::from_millis(200));
        let t1 = Instant::now();
        drop(host.acquire().await);
        assert!(t1.elapsed() >= Duration::from_millis(1900));
        for _ in 0..20 {
            host.speed_up();
        }
        assert_eq!(host.interval(), Duration::from_millis(100));
    }
}
