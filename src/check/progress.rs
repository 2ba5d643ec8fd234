//! The link check's progress line on a terminal: `done/total URLs`, the rate with as
//! many digits as it deserves, the time left, and the hosts still being waited on. A
//! segment with nothing to say yet (no rate before the first answer) is left out
//! rather than shown empty.

use std::time::Duration;

/// One reading of the run, rendered as the bar's message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// URLs answered so far.
    pub done: u64,
    /// URLs to check in this run.
    pub total: u64,
    /// Time since the run started.
    pub elapsed: Duration,
    /// Hosts with a request in flight.
    pub hosts_in_flight: usize,
}

impl Reading {
    /// `12/40 URLs · 3.4/s · 8s left · 2 hosts`, leaving out what is not known yet.
    pub fn line(&self) -> String {
        let mut parts = vec![format!("{}/{} URLs", self.done, self.total)];
        let seconds = self.elapsed.as_secs_f64();
        if self.done > 0 && seconds > 0.0 {
            let rate = self.done as f64 / seconds;
            parts.push(format!("{}/s", rate_text(rate)));
            let left = self.total.saturating_sub(self.done);
            if left > 0 {
                parts.push(format!("{} left", duration_text(left as f64 / rate)));
            }
        }
        match self.hosts_in_flight {
            0 => {}
            1 => parts.push("1 host".to_owned()),
            n => parts.push(format!("{n} hosts")),
        }
        parts.join(" · ")
    }
}

/// A rate with two significant digits at most (`0.42`, `3.4`, `57`, `1200`).
pub fn rate_text(rate: f64) -> String {
    if !rate.is_finite() || rate <= 0.0 {
        "0".to_owned()
    } else if rate < 1.0 {
        format!("{rate:.2}")
    } else if rate < 10.0 {
        format!("{rate:.1}")
    } else {
        format!("{}", rate.round() as u64)
    }
}

/// A time left, coarse as such estimates are: `8s`, `2m 05s`, `1h 12m`.
pub fn duration_text(seconds: f64) -> String {
    let s = if seconds.is_finite() {
        seconds.ceil().max(0.0) as u64
    } else {
        u64::MAX
    };
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..360_000 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        _ => "a long time".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_keep_two_significant_digits() {
        for (rate, text) in [
            (0.0, "0"),
            (f64::NAN, "0"),
            (0.4234, "0.42"),
            (3.4567, "3.5"),
            (9.94, "9.9"),
            (57.3, "57"),
            (1234.5, "1235"),
        ] {
            assert_eq!(rate_text(rate), text, "{rate}");
        }
    }

    #[test]
    fn times_left_are_coarse() {
        for (seconds, text) in [
            (0.0, "0s"),
            (7.2, "8s"),
            (59.0, "59s"),
            (125.0, "2m 05s"),
            (4320.0, "1h 12m"),
            (f64::INFINITY, "a long time"),
        ] {
            assert_eq!(duration_text(seconds), text, "{seconds}");
        }
    }

    #[test]
    fn the_line_leaves_out_what_is_not_known_yet() {
        let at = |done, secs, hosts| {
            Reading {
                done,
                total: 40,
                elapsed: Duration::from_secs(secs),
                hosts_in_flight: hosts,
            }
            .line()
        };
        assert_eq!(at(0, 0, 0), "0/40 URLs");
        assert_eq!(at(0, 3, 2), "0/40 URLs · 2 hosts");
        assert_eq!(at(10, 4, 1), "10/40 URLs · 2.5/s · 12s left · 1 host");
        assert_eq!(at(40, 8, 0), "40/40 URLs · 5.0/s");
        for line in [at(0, 0, 0), at(3, 1, 0), at(40, 8, 3)] {
            assert!(!line.contains("·  ·") && !line.ends_with("· "), "{line}");
        }
    }
}
