//! The one reader of rate-limit headers: `Retry-After` (seconds or an HTTP date),
//! `X-RateLimit-Remaining`/`X-RateLimit-Reset` (GitHub and many APIs: the reset is
//! epoch seconds or seconds to wait), Crossref's `x-rate-limit-limit`/
//! `x-rate-limit-interval` and `x-concurrency-limit`. Every wait is capped.

use http::HeaderMap;
use http::header::RETRY_AFTER;
use std::time::{Duration, SystemTime};

/// What a response's headers say about the pace a server wants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateLimit {
    /// `Retry-After`, capped.
    pub retry_after: Option<Duration>,
    /// `X-RateLimit-Remaining: 0`: no requests left until the reset.
    pub exhausted: bool,
    /// With `exhausted`, the wait until `X-RateLimit-Reset`, capped.
    pub reset_in: Option<Duration>,
    /// `x-rate-limit-limit` requests per `x-rate-limit-interval`: the interval one
    /// request may take.
    pub interval: Option<Duration>,
    /// `x-concurrency-limit`: requests allowed at once.
    pub concurrency: Option<usize>,
}

impl RateLimit {
    /// Reads the headers; waits longer than `cap` are cut to `cap`.
    pub fn read(headers: &HeaderMap, cap: Duration) -> RateLimit {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().trim_end_matches('s').parse::<f64>().ok())
                .filter(|n| n.is_finite())
        };
        let exhausted = num("x-ratelimit-remaining").is_some_and(|r| r <= 0.0);
        let reset_in = if exhausted {
            num("x-ratelimit-reset").and_then(|reset| {
                let now = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .ok()?
                    .as_secs_f64();
                // Epoch seconds are large; small values are seconds to wait.
                let wait = if reset > 1e9 { reset - now } else { reset };
                Some(Duration::from_secs_f64(wait.max(0.0)).min(cap))
            })
        } else {
            None
        };
        let interval = match (num("x-rate-limit-limit"), num("x-rate-limit-interval")) {
            (Some(limit), Some(interval)) if limit > 0.0 && interval >= 0.0 => {
                Some(Duration::from_secs_f64(interval / limit).min(cap))
            }
            _ => None,
        };
        RateLimit {
            retry_after: retry_after(headers, cap),
            exhausted,
            reset_in,
            interval,
            concurrency: num("x-concurrency-limit")
                .filter(|&n| n >= 0.0)
                .map(|n| n as usize),
        }
    }
}

/// `Retry-After` as seconds or an HTTP date, capped.
pub fn retry_after(headers: &HeaderMap, cap: Duration) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => httpdate::parse_http_date(value)
            .ok()?
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    };
    Some(wait.min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_dates_with_a_cap() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(
            retry_after(&h, Duration::from_secs(60)),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&h, Duration::from_secs(3)),
            Some(Duration::from_secs(3))
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        h.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let d = retry_after(&h, Duration::from_secs(60)).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
    }

    #[test]
    fn x_ratelimit_reset_gives_the_wait() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("5"));
        let cap = Duration::from_secs(60);
        assert_eq!(
            RateLimit::read(&h, cap).reset_in,
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            RateLimit::read(&h, Duration::from_secs(2)).reset_in,
            Some(Duration::from_secs(2))
        );
        let epoch = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 10;
        h.insert(
            "x-ratelimit-reset",
            HeaderValue::from_str(&epoch.to_string()).unwrap(),
        );
        let at = RateLimit::read(&h, cap).reset_in.unwrap();
        assert!(at > Duration::from_secs(8) && at <= Duration::from_secs(10));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("3"));
        let rl = RateLimit::read(&h, cap);
        assert!(!rl.exhausted);
        assert_eq!(rl.reset_in, None);
    }

    #[test]
    fn crossref_pace_and_concurrency() {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", HeaderValue::from_static("50"));
        h.insert("x-rate-limit-interval", HeaderValue::from_static("1s"));
        h.insert("x-concurrency-limit", HeaderValue::from_static("5"));
        let rl = RateLimit::read(&h, Duration::from_secs(60));
        assert_eq!(rl.interval, Some(Duration::from_millis(20)));
        assert_eq!(rl.concurrency, Some(5));
        assert_eq!(rl.retry_after, None);
        assert!(!rl.exhausted);
    }
}
