//! Checking one URL: remap, HEAD then GET, bounded body, redirects followed by hand
//! (chain recorded, loops detected), retries with backoff, and the classification
//! that keeps false alarms out (403/429/999/challenges are "unverified", not broken).

use crate::config::NetworkConfig;
use crate::model::Hop;
use crate::net::guard::{Guard, Refusal};
use crate::net::resolve::{NoSuchHost, PrivateAddress};
use crate::net::{self, Budget, GiveUp, Host, RateLimit};
use regex::Regex;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use url::Url;

/// What one check found, before the failure history is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The resource answered with an accepted status.
    Alive {
        /// Final status.
        code: u16,
        /// Redirects followed to get there.
        hops: Vec<Hop>,
    },
    /// It is gone for good: 404, 410, no such host, refused, bad certificate.
    Gone {
        /// Why, in a few words.
        reason: String,
    },
    /// The site would not let a bot see it (401/403/429/999, a challenge page), or a
    /// redirect loop: say so, never call it broken.
    Blocked {
        /// Why.
        reason: String,
    },
    /// It failed in a way that may pass (timeout, reset, 5xx), after all retries.
    Transient {
        /// Why.
        reason: String,
    },
    /// It was not requested.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// An HTTP response reduced to what the checker needs.
struct Answer {
    code: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A failure below HTTP.
enum Failure {
    /// No answer in time, on a connection that was made (or not known to be unmade:
    /// the request's own limit can end it while it still connects).
    Timeout,
    /// The connection itself was not made in time (`network.connect_timeout`, or the
    /// system's own limit): nothing at the address took it, as behind a firewall that
    /// drops packets. Evidence about the network, like a refusal, not an answer.
    ConnectTimeout,
    Reset(String),
    NoSuchHost(String),
    Refused,
    Unreachable,
    NoNetwork,
    Certificate(String),
    Private(String),
    Other(String),
}

impl Failure {
    fn from_reqwest(e: &reqwest::Error) -> Failure {
        if e.is_timeout() {
            return if e.is_connect() {
                Failure::ConnectTimeout
            } else {
                Failure::Timeout
            };
        }
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
        let mut text = String::new();
        while let Some(err) = source {
            if let Some(n) = err.downcast_ref::<NoSuchHost>() {
                return Failure::NoSuchHost(n.host.clone());
            }
            if let Some(p) = err.downcast_ref::<PrivateAddress>() {
                return Failure::Private(p.host.clone());
            }
            if let Some(io) = err.downcast_ref::<std::io::Error>() {
                match io.kind() {
                    std::io::ErrorKind::ConnectionRefused => return Failure::Refused,
                    std::io::ErrorKind::NetworkUnreachable
                    | std::io::ErrorKind::HostUnreachable => return Failure::Unreachable,
                    std::io::ErrorKind::TimedOut => return Failure::Timeout,
                    _ => {}
                }
            }
            text = err.to_string();
            source = err.source();
        }
        let lower = text.to_lowercase();
        if lower.contains("certificate") || lower.contains("unknownissuer") {
            Failure::Certificate(text)
        } else if lower.contains("reset")
            || lower.contains("closed")
            || lower.contains("incomplete")
            || lower.contains("broken pipe")
            || e.is_body()
            || e.is_request()
        {
            Failure::Reset(text)
        } else {
            Failure::Other(text)
        }
    }

    fn is_network_level(&self) -> bool {
        matches!(
            self,
            Failure::NoSuchHost(_)
                | Failure::Refused
                | Failure::Unreachable
                | Failure::ConnectTimeout
        )
    }
}

/// Early detection of "no network at all": several different hosts failed to resolve
/// or connect and nothing has answered yet.
///
/// Hosts named by a domain name are judged apart from hosts written as an address:
/// a name that does not resolve is evidence against its link only once some other
/// name has been resolved and answered. A machine whose names resolve nowhere while
/// something answers every request to an address (a sandbox's or a captive portal's
/// interceptor, which answers `404` to any address) has no network for the list's
/// names, and its address answers say nothing about them.
#[derive(Debug, Default)]
pub struct NetworkProbe {
    answered: AtomicBool,
    /// A host named by a domain name answered (or failed past its connection).
    name_answered: AtomicBool,
    failed_hosts: Mutex<FailedHosts>,
    down: AtomicBool,
    went_down: tokio::sync::Notify,
}

/// The hosts that failed at the network level, and how many of them are names.
#[derive(Debug, Default)]
struct FailedHosts {
    hosts: HashSet<String>,
    names: usize,
}

/// Whether `host` (as a URL writes it) is an IP address rather than a domain name.
fn is_address(host: &str) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok()
}

/// Distinct hosts that must fail at the network level, with no answer from any, before
/// the network is declared down.
const NO_NETWORK_HOSTS: usize = 3;

impl NetworkProbe {
    fn answered(&self, host: &str) {
        self.answered.store(true, Ordering::SeqCst);
        // Once a name has answered, no later answer changes anything.
        if !self.name_answered.load(Ordering::SeqCst) && !is_address(host) {
            self.name_answered.store(true, Ordering::SeqCst);
        }
    }

    fn failed(&self, host: &str) {
        let mut failed = self.failed_hosts.lock().expect("probe lock");
        if failed.hosts.insert(host.to_string()) && !is_address(host) {
            failed.names += 1;
        }
        if self.unanswered(&failed, NO_NETWORK_HOSTS) {
            self.down.store(true, Ordering::SeqCst);
            self.went_down.notify_waiters();
        }
    }

    /// At least `hosts` hosts failed with no answer that speaks for them: from any
    /// host, or for names, from a name.
    fn unanswered(&self, failed: &FailedHosts, hosts: usize) -> bool {
        (failed.hosts.len() >= hosts && !self.answered.load(Ordering::SeqCst))
            || (failed.names >= hosts && !self.name_answered.load(Ordering::SeqCst))
    }

    /// Whether the network has been declared down.
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }

    /// Whether requests failed at the network level and none was answered: on a
    /// list of one or two hosts the network is never declared down while the run
    /// goes on, and this is what such a run ends with when the machine has none.
    pub fn failed_unanswered(&self) -> bool {
        self.unanswered(&self.failed_hosts.lock().expect("probe lock"), 1)
    }

    /// Resolves when the network is declared down (at once if it already is), so
    /// requests in flight — a connect that hangs on a dead network — are abandoned.
    pub async fn wait_down(&self) {
        let notified = self.went_down.notified();
        if self.is_down() {
            return;
        }
        notified.await;
    }

    /// Some hosts that failed at the network level, sorted.
    pub fn failed_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .failed_hosts
            .lock()
            .expect("probe lock")
            .hosts
            .iter()
            .cloned()
            .collect();
        hosts.sort();
        hosts.truncate(5);
        hosts
    }
}

/// Checks URLs with shared limits; cheap to share behind an `Arc`.
pub struct Checker {
    client: reqwest::Client,
    config: NetworkConfig,
    guard: Guard,
    budget: Budget,
    remaps: Vec<(Regex, String)>,
    global: Semaphore,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    /// Hosts with a request in flight.
    pub hosts_in_flight: AtomicUsize,
    /// "No network" detection.
    pub probe: NetworkProbe,
    /// Hosts whose name did not resolve, with the outcome their URLs share: a name
    /// is looked up once, not once per URL.
    unresolved: Mutex<HashMap<String, String>>,
}

/// Statuses that mean "a bot is not welcome", never "broken".
const BLOCKING: &[u16] = &[401, 403, 429, 999];

impl Checker {
    /// Builds the HTTP client and limits from the configuration, with a budget that
    /// starts now.
    pub fn new(config: &NetworkConfig) -> anyhow::Result<Self> {
        let budget = Budget::new(
            config.run_budget,
            config.host_budget,
            config.retry_after_cap,
        );
        Self::with_budget(config, budget)
    }

    /// Builds the HTTP client and limits from the configuration, within `budget`
    /// (shared with the other network stages of the run).
    pub fn with_budget(config: &NetworkConfig, budget: Budget) -> anyhow::Result<Self> {
        // Remap targets are not trusted: they stand for the list's URLs.
        let guard = Guard::new(config, config.timeout, []);
        let agent = net::user_agent(&config.user_agent, &config.mailto);
        let client = net::guarded_builder(&agent, &guard, config)
            .pool_max_idle_per_host(config.host_concurrency)
            .build()?;
        let remaps = config
            .remap
            .iter()
            .map(|r| Ok((Regex::new(&r.pattern)?, r.replacement.clone())))
            .collect::<Result<Vec<_>, regex::Error>>()?;
        Ok(Checker {
            client,
            config: config.clone(),
            guard,
            budget,
            remaps,
            global: Semaphore::new(config.concurrency.max(1)),
            hosts: Mutex::new(HashMap::new()),
            hosts_in_flight: AtomicUsize::new(0),
            probe: NetworkProbe::default(),
            unresolved: Mutex::new(HashMap::new()),
        })
    }

    /// The URL actually requested for a URL of the list.
    pub fn remap(&self, url: &str) -> String {
        self.remapped(url).unwrap_or_else(|| url.to_string())
    }

    /// The first `network.remap` rewrite of `url`, if one applies.
    fn remapped(&self, url: &str) -> Option<String> {
        self.remaps
            .iter()
            .find(|(re, _)| re.is_match(url))
            .map(|(re, replacement)| re.replace(url, replacement.as_str()).into_owned())
    }

    fn host(&self, key: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().expect("hosts lock");
        hosts
            .entry(key.to_string())
            .or_insert_with(|| {
                let name = key.rsplit_once(':').map_or(key, |(h, _)| h);
                let over = self.config.hosts.get(name);
                Arc::new(Host::with_budget(
                    over.and_then(|h| h.concurrency)
                        .unwrap_or(self.config.host_concurrency),
                    over.and_then(|h| h.interval)
                        .unwrap_or(self.config.host_interval),
                    self.budget,
                ))
            })
            .clone()
    }

    fn accepted(&self, host: &str, code: StatusCode) -> bool {
        code.is_success()
            || self.config.accept.contains(&code.as_u16())
            || self
                .config
                .hosts
                .get(host)
                .is_some_and(|h| h.accept.contains(&code.as_u16()))
    }

    /// Checks one URL; with `keep_body`, GETs it directly and returns the (bounded)
    /// body of the final answer too, so a landing page is never fetched twice.
    pub async fn check_keeping_body(
        &self,
        original: &str,
        keep_body: bool,
    ) -> (Outcome, Option<Vec<u8>>) {
        let mut body = None;
        let outcome = self.follow(original, keep_body, &mut body).await;
        (outcome, body)
    }

    async fn follow(&self, original: &str, keep_body: bool, body: &mut Option<Vec<u8>>) -> Outcome {
        let Ok(mut logical) = Url::parse(original.trim()) else {
            return Outcome::Skipped {
                reason: "not a valid URL".into(),
            };
        };
        let mut hops = Vec::new();
        // The addresses of the chain, for loop detection: filled at the first
        // redirect, so a URL that answers directly allocates nothing for it.
        let mut seen: HashSet<String> = HashSet::new();
        loop {
            if self.probe.is_down() {
                return Outcome::Skipped {
                    reason: "no network".into(),
                };
            }
            // Parsed once: only a remapped URL is a new one.
            let request = match self.remapped(logical.as_str()).map(|u| Url::parse(&u)) {
                None => Cow::Borrowed(&logical),
                Some(Ok(request)) => Cow::Owned(request),
                Some(Err(_)) => {
                    return Outcome::Skipped {
                        reason: "remapped URL is not valid".into(),
                    };
                }
            };
            let answer = match self
                .fetch(&request, logical.host_str().unwrap_or_default(), keep_body)
                .await
            {
                Ok(a) => a,
                Err(outcome) => return outcome,
            };
            let code = answer.code;
            if code.is_redirection()
                && let Some(location) = answer.headers.get(LOCATION).and_then(|v| v.to_str().ok())
            {
                let Ok(next) = logical.join(location) else {
                    return Outcome::Blocked {
                        reason: format!(
                            "{} redirect to an invalid URL `{location}`",
                            code.as_u16()
                        ),
                    };
                };
                hops.push(Hop {
                    code: code.as_u16(),
                    to: next.to_string(),
                });
                // `file:`, `ftp:`, `mailto:`…: not a page this checker can see, and
                // not a failure that may pass.
                if !matches!(next.scheme(), "http" | "https") {
                    return Outcome::Blocked {
                        reason: format!(
                            "{} redirect to {next}, which is not an http(s) address",
                            code.as_u16()
                        ),
                    };
                }
                if seen.is_empty() {
                    seen.insert(logical.to_string());
                }
                if !seen.insert(next.to_string()) {
                    let chain: Vec<&str> = std::iter::once(original)
                        .chain(hops.iter().map(|h| h.to.as_str()))
                        .collect();
                    return Outcome::Blocked {
                        reason: format!("redirect loop: {}", chain.join(" → ")),
                    };
                }
                if hops.len() > self.config.max_redirects {
                    return Outcome::Blocked {
                        reason: format!("more than {} redirects", self.config.max_redirects),
                    };
                }
                logical = next;
                continue;
            }
            if keep_body && answer.code.is_success() {
                *body = Some(answer.body.clone());
            }
            return self.classify(request.host_str().unwrap_or_default(), answer, hops);
        }
    }

    fn classify(&self, host: &str, answer: Answer, hops: Vec<Hop>) -> Outcome {
        let code = answer.code;
        if let Some(vendor) = challenge(&answer) {
            return Outcome::Blocked {
                reason: format!("{} with a {vendor} bot challenge", status_text(code)),
            };
        }
        if self.accepted(host, code) {
            return Outcome::Alive {
                code: code.as_u16(),
                hops,
            };
        }
        match code.as_u16() {
            404 | 410 => Outcome::Gone {
                reason: status_text(code),
            },
            c if BLOCKING.contains(&c) => Outcome::Blocked {
                reason: format!(
                    "{} (the site blocks bots or rate-limits)",
                    status_text(code)
                ),
            },
            408 => Outcome::Transient {
                reason: status_text(code),
            },
            c if c >= 500 => Outcome::Transient {
                reason: status_text(code),
            },
            _ => Outcome::Blocked {
                reason: status_text(code),
            },
        }
    }

    /// One URL (no redirects), with retries; an `Err` is the final outcome.
    /// `logical_host` is the host as the list names it (before remap), for the
    /// no-network probe.
    async fn fetch(&self, url: &Url, logical_host: &str, get: bool) -> Result<Answer, Outcome> {
        let host_name = url.host_str().unwrap_or_default().to_string();
        if let Some(reason) = self
            .unresolved
            .lock()
            .expect("unresolved lock")
            .get(&host_name)
        {
            return Err(Outcome::Gone {
                reason: reason.clone(),
            });
        }
        if let Err(refusal) = self.guard.check(url).await {
            return Err(match refusal {
                Refusal::Private(_) | Refusal::PrivateName(_) => Outcome::Skipped {
                    reason: refusal.to_string(),
                },
                Refusal::Scheme(_) | Refusal::Unresolved(_) | Refusal::LookupTimedOut { .. } => {
                    Outcome::Blocked {
                        reason: refusal.to_string(),
                    }
                }
            });
        }
        let key = format!("{}:{}", host_name, url.port_or_known_default().unwrap_or(0));
        let host = self.host(&key);
        let headers = self
            .config
            .hosts
            .get(&host_name)
            .map(|h| h.headers.clone())
            .unwrap_or_default();
        let mut transient_left = self.config.retries;
        let mut limited_left = self.config.retries + 8;
        let mut attempt = 0u32;
        loop {
            if self.probe.is_down() {
                return Err(Outcome::Skipped {
                    reason: "no network".into(),
                });
            }
            let (sent, result) = {
                let _host_permit = host.acquire().await.map_err(given_up)?;
                let sent = tokio::time::Instant::now();
                let _global = self
                    .global
                    .acquire()
                    .await
                    .expect("global semaphore is never closed");
                if host.start() {
                    self.hosts_in_flight.fetch_add(1, Ordering::SeqCst);
                }
                let attempt = async {
                    if get {
                        self.send(Method::GET, url, &headers, self.config.timeout)
                            .await
                    } else {
                        self.request(url, &headers).await
                    }
                };
                let r = tokio::select! {
                    r = attempt => r,
                    () = self.probe.wait_down() => Err(Failure::NoNetwork),
                };
                if host.finish() {
                    self.hosts_in_flight.fetch_sub(1, Ordering::SeqCst);
                }
                (sent, r)
            };
            attempt += 1;
            match result {
                Ok(answer) => {
                    self.probe.answered(logical_host);
                    let code = answer.code.as_u16();
                    if code == 429 || code == 503 {
                        // A challenge page is an answer, not a request to wait.
                        if challenge(&answer).is_some() {
                            return Ok(answer);
                        }
                        // Uncapped: a wait beyond what the run allows gives up now.
                        let asked = RateLimit::read(&answer.headers, Duration::MAX).retry_after;
                        if let Some(g) = host.refused(&status_text(answer.code), asked, sent) {
                            return Err(given_up(g));
                        }
                        if limited_left > 0 {
                            limited_left -= 1;
                            continue;
                        }
                        return Ok(answer);
                    }
                    if let Some(wait) = RateLimit::read(&answer.headers, Duration::MAX).reset_in {
                        // This answer stands; the host's other links learn it is given up.
                        let _ = host.pause_until(tokio::time::Instant::now() + wait);
                    }
                    if (code >= 500 || code == 408) && transient_left > 0 {
                        transient_left -= 1;
                        self.backoff(attempt).await;
                        continue;
                    }
                    host.speed_up(sent);
                    return Ok(answer);
                }
                Err(failure) => {
                    if failure.is_network_level() {
                        self.probe.failed(logical_host);
                    } else if !matches!(failure, Failure::NoNetwork) {
                        // Abandoned because the network was declared down: no answer.
                        self.probe.answered(logical_host);
                    }
                    let unanswered = match failure {
                        Failure::Timeout => Some("timed out"),
                        Failure::ConnectTimeout => Some("took no connection"),
                        _ => None,
                    };
                    if let Some(what) = unanswered
                        && let Some(g) = host.unanswered(what)
                    {
                        return Err(given_up(g));
                    }
                    let transient = matches!(
                        failure,
                        Failure::Timeout
                            | Failure::ConnectTimeout
                            | Failure::Reset(_)
                            | Failure::Other(_)
                            | Failure::Unreachable
                    );
                    if transient && transient_left > 0 {
                        transient_left -= 1;
                        self.backoff(attempt).await;
                        continue;
                    }
                    return Err(match failure {
                        Failure::Timeout => Outcome::Transient {
                            reason: format!("timed out after {} attempts", attempt),
                        },
                        Failure::ConnectTimeout => Outcome::Transient {
                            reason: format!("no connection made in time after {attempt} attempts"),
                        },
                        Failure::Reset(e) => Outcome::Transient {
                            reason: format!("connection failed: {e}"),
                        },
                        Failure::Other(e) => Outcome::Transient { reason: e },
                        Failure::NoSuchHost(h) => {
                            let reason = format!("no such host `{h}`");
                            self.unresolved
                                .lock()
                                .expect("unresolved lock")
                                .insert(host_name.clone(), reason.clone());
                            Outcome::Gone { reason }
                        }
                        Failure::Refused => Outcome::Gone {
                            reason: "connection refused".into(),
                        },
                        Failure::Unreachable => Outcome::Transient {
                            reason: "network unreachable".into(),
                        },
                        Failure::NoNetwork => Outcome::Skipped {
                            reason: "no network".into(),
                        },
                        Failure::Certificate(e) => Outcome::Gone {
                            reason: format!("TLS certificate invalid: {e}"),
                        },
                        Failure::Private(h) => Outcome::Skipped {
                            reason: Refusal::PrivateName(h).to_string(),
                        },
                    });
                }
            }
        }
    }

    async fn backoff(&self, attempt: u32) {
        let base = self
            .config
            .backoff
            .saturating_mul(1 << attempt.min(6).saturating_sub(1));
        let jitter = base.mul_f64(fastrand::f64());
        // Wake early when the network is declared down: nothing is left to retry.
        let until = tokio::time::Instant::now() + base + jitter;
        while tokio::time::Instant::now() < until && !self.probe.is_down() {
            tokio::time::sleep(Duration::from_millis(50).min(until - tokio::time::Instant::now()))
                .await;
        }
    }

    /// HEAD, falling back to GET when HEAD is refused, unreliable or hangs. Only a
    /// success, a redirect, 404/410, 429 or a 503 with `Retry-After` is taken from HEAD: any other error status
    /// (405, 403, 501, 400, a 503 challenge page...) is asked again with GET, whose
    /// body tells a bot challenge from a real failure.
    async fn request(
        &self,
        url: &Url,
        headers: &std::collections::BTreeMap<String, String>,
    ) -> Result<Answer, Failure> {
        let head = self
            .send(Method::HEAD, url, headers, self.config.timeout / 2)
            .await;
        match head {
            Ok(a)
                if a.code.is_success()
                    || a.code.is_redirection()
                    || matches!(a.code.as_u16(), 404 | 410 | 429)
                    // "Unavailable, come back later": asking again at once is rude.
                    || (a.code.as_u16() == 503 && a.headers.contains_key(RETRY_AFTER)) =>
            {
                Ok(a)
            }
            Ok(_) | Err(Failure::Timeout) | Err(Failure::Reset(_)) => {
                self.send(Method::GET, url, headers, self.config.timeout)
                    .await
            }
            Err(e) => Err(e),
        }
    }

    async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: &std::collections::BTreeMap<String, String>,
        timeout: Duration,
    ) -> Result<Answer, Failure> {
        let mut builder = self
            .client
            .request(method.clone(), url.clone())
            .timeout(timeout);
        for (k, v) in headers {
            if let (Ok(k), Ok(v)) = (
                HeaderName::try_from(k.as_str()),
                HeaderValue::try_from(v.as_str()),
            ) {
                builder = builder.header(k, v);
            }
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| Failure::from_reqwest(&e))?;
        let code = response.status();
        // Taken, not copied: the body is read without them.
        let headers = std::mem::take(response.headers_mut());
        let mut body = Vec::new();
        if method == Method::GET {
            // Read a bounded prefix only: an endless or huge body is cut off here.
            while body.len() < self.config.max_body {
                match response.chunk().await {
                    Ok(Some(chunk)) => body.extend_from_slice(
                        &chunk[..chunk.len().min(self.config.max_body - body.len())],
                    ),
                    Ok(None) => break,
                    // The status is known; a body that breaks off does not change it.
                    Err(e) if e.is_timeout() && !body.is_empty() => break,
                    Err(e) => return Err(Failure::from_reqwest(&e)),
                }
            }
        }
        Ok(Answer {
            code,
            headers,
            body,
        })
    }
}

/// The outcome of a URL whose host was given up: unverified for a host that refused
/// or rate-limited, a transient failure (counted towards `link/broken` over runs) for
/// one that never answered.
fn given_up(g: GiveUp) -> Outcome {
    let reason = format!("gave up on the host: {}", g.reason);
    if g.unresponsive {
        Outcome::Transient { reason }
    } else {
        Outcome::Blocked { reason }
    }
}

fn status_text(code: StatusCode) -> String {
    match code.canonical_reason() {
        Some(r) => format!("{} {r}", code.as_u16()),
        None => code.as_u16().to_string(),
    }
}

/// A bot-challenge page (the resource may well exist behind it).
fn challenge(answer: &Answer) -> Option<&'static str> {
    let h = &answer.headers;
    if h.get("cf-mitigated")
        .is_some_and(|v| v.as_bytes() == b"challenge")
    {
        return Some("Cloudflare");
    }
    if answer.code.is_success() && answer.body.is_empty() {
        return None;
    }
    let head =
        String::from_utf8_lossy(&answer.body[..answer.body.len().min(16 * 1024)]).to_lowercase();
    let cloudflare = h
        .get("server")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cloudflare"));
    if (cloudflare || !answer.code.is_success())
        && (head.contains("challenge-platform")
            || head.contains("<title>just a moment")
            || head.contains("cf-chl"))
    {
        return Some("Cloudflare");
    }
    if !answer.code.is_success()
        && (head.contains("ddos-guard")
            || head.contains("captcha")
            || head.contains("checking your browser"))
    {
        return Some("bot-protection");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_resolve_nowhere_are_no_network_though_an_address_answers() {
        // An interceptor answers every request to an address; no name resolves.
        let probe = NetworkProbe::default();
        probe.answered("10.1.2.3");
        probe.failed("papers.example.org");
        assert!(
            probe.failed_unanswered(),
            "at the end: no evidence against the name"
        );
        assert!(!probe.is_down());
        probe.failed("b.example.org");
        probe.failed("[2001:db8::1]");
        assert!(
            !probe.is_down(),
            "two names and an address: not yet three names"
        );
        probe.failed("c.example.org");
        assert!(probe.is_down());
    }

    #[test]
    fn a_name_that_does_not_resolve_is_evidence_once_another_name_answered() {
        let probe = NetworkProbe::default();
        probe.answered("github.com");
        for host in ["a.example.org", "b.example.org", "c.example.org"] {
            probe.failed(host);
        }
        assert!(!probe.is_down());
        assert!(!probe.failed_unanswered());
    }

    #[test]
    fn an_address_that_fails_is_evidence_once_anything_answered() {
        let probe = NetworkProbe::default();
        probe.failed("127.0.0.1");
        assert!(probe.failed_unanswered());
        probe.answered("papers.example.org");
        assert!(!probe.failed_unanswered());
        let probe = NetworkProbe::default();
        for host in ["127.0.0.1", "127.0.0.2", "127.0.0.3"] {
            probe.failed(host);
        }
        assert!(
            probe.is_down(),
            "three addresses failing, nothing answering"
        );
    }

    #[test]
    fn cloudflare_challenges_are_recognised() {
        let mut headers = HeaderMap::new();
        headers.insert("server", HeaderValue::from_static("cloudflare"));
        let answer = Answer {
            code: StatusCode::FORBIDDEN,
            headers,
            body: b"<html><head><title>Just a moment...</title>".to_vec(),
        };
        assert_eq!(challenge(&answer), Some("Cloudflare"));
    }
}
