//! The one address guard of every client (links, registries, GitHub): a request may
//! only go to a public address unless `network.allow_private` says otherwise or the
//! host is one the configuration names itself (a registry or API endpoint, a proxy).
//!
//! Two places enforce it. The resolver ([`crate::net::resolve`]) drops private answers
//! at connect time, for every connection, so nothing slips in between a check and the
//! connect. That is not enough with a proxy (`HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY`):
//! the client then never resolves the target, the proxy does. So before each request
//! and on every redirect hop, [`Guard::check`] resolves the name locally and refuses
//! it unless every address is public; only then may the proxy be asked. Redirects are
//! followed by hand ([`Guard::get`]) so that each hop passes here, and a hop that
//! leaves http(s) (`file:`, `ftp:`) ends the chain.
//!
//! A list names the same hosts thousands of times, and a system resolver that cannot
//! answer may take seconds to say so: each name is looked up once per guard, within
//! the connect limit, and every check of that name (those in flight included) shares
//! the one lookup and its verdict.

use crate::config::NetworkConfig;
use crate::net::resolve::{GuardedResolver, is_public};
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OnceCell;
use url::Url;

/// Why the guard refused a URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The URL is not http or https.
    #[error("`{0}` is not an http(s) address")]
    Scheme(String),
    /// The host is a loopback, private, link-local or unique-local address.
    #[error("`{0}` is a private address (network.allow_private)")]
    Private(String),
    /// The host is a name with such an address among its answers.
    #[error("`{0}` resolves to a private address (network.allow_private)")]
    PrivateName(String),
    /// With a proxy, the name must resolve locally before the proxy is asked.
    #[error(
        "`{0}` does not resolve here, so it is not sent to the proxy \
         (network.allow_private = true lets the proxy resolve it)"
    )]
    Unresolved(String),
    /// With a proxy, the local lookup of the name took longer than the connect limit.
    #[error(
        "`{host}` did not resolve here within {} (network.connect_timeout), so it is not \
         sent to the proxy (network.allow_private = true lets the proxy resolve it)",
        humantime::format_duration(*.after)
    )]
    LookupTimedOut {
        /// The name looked up.
        host: String,
        /// How long the lookup was given.
        after: Duration,
    },
}

/// A request the guard let through, or why not.
#[derive(Debug, thiserror::Error)]
pub enum GuardedError {
    /// The guard refused a hop.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The request failed.
    #[error("{0}")]
    Http(#[from] reqwest::Error),
    /// The server redirected more than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// A `Location` that is not a URL.
    #[error("redirect to an invalid URL `{0}`")]
    BadLocation(String),
}

/// What the local lookup of a name said, shared by every check of the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Every answer is public: the proxy may be asked.
    Public,
    /// An answer is private.
    Private,
    /// No answer.
    Unresolved,
    /// No answer within the connect limit.
    TimedOut,
}

/// A pending lookup of a name's addresses.
type Addresses = Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;

/// How the guard looks a name (and port) up: the system resolver, except in unit
/// tests, which script failures and hangs that no real resolver gives on demand.
type Lookup = fn(String, u16) -> Addresses;

/// The system resolver (in tokio's blocking pool).
fn system_lookup(host: String, port: u16) -> Addresses {
    Box::pin(async move {
        let addrs = tokio::net::lookup_host((host.as_str(), port)).await?;
        Ok(addrs.map(|a| a.ip()).collect())
    })
}

/// The guard of one client. Clones share the verdicts of the names looked up.
#[derive(Debug, Clone)]
pub struct Guard {
    allow_private: bool,
    /// Host names of the configured endpoints, for the resolver (which sees no port).
    trusted: Arc<BTreeSet<String>>,
    /// `host:port` of the configured endpoints: another port of the same host (a
    /// loopback proxy's neighbours) is not trusted.
    trusted_origins: Arc<BTreeSet<String>>,
    proxied: bool,
    /// The connect limit of the client, which also bounds a name's local lookup.
    connect_timeout: Duration,
    /// One lookup per name (lower-case), its verdict reused by every later check and
    /// awaited by the checks that arrive while it is in flight.
    verdicts: Arc<Mutex<HashMap<String, Arc<OnceCell<Verdict>>>>>,
    lookup: Lookup,
}

/// The environment variables a proxy is taken from (those the HTTP client reads).
const PROXY_VARIABLES: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The host (lower-cased, brackets removed) and port of a URL or of a bare
/// `host[:port]`.
fn host_of(endpoint: &str) -> Option<(String, u16)> {
    let endpoint = endpoint.trim();
    let parsed = Url::parse(endpoint)
        .ok()
        .filter(|u| u.has_host())
        .or_else(|| Url::parse(&format!("http://{endpoint}")).ok())?;
    let host = parsed.host_str()?.trim_matches(['[', ']']).to_lowercase();
    let port = parsed.port_or_known_default().unwrap_or(80);
    (!host.is_empty()).then_some((host, port))
}

fn origin(host: &str, port: u16) -> String {
    format!("{}:{port}", host.trim_matches(['[', ']']).to_lowercase())
}

impl Guard {
    /// A guard that refuses private addresses unless `network.allow_private`, except
    /// for the hosts of `endpoints` (URLs the configuration names) and of the proxies
    /// set in the environment. Its connect limit is `network.connect_timeout`, never
    /// longer than `cap` (the stage's whole-request limit).
    pub fn new<'a>(
        network: &NetworkConfig,
        cap: Duration,
        endpoints: impl IntoIterator<Item = &'a str>,
    ) -> Guard {
        let mut hosts: Vec<(String, u16)> = endpoints.into_iter().filter_map(host_of).collect();
        let mut proxied = false;
        for var in PROXY_VARIABLES {
            if let Some(proxy) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
                proxied = true;
                hosts.extend(host_of(&proxy));
            }
        }
        Guard {
            allow_private: network.allow_private,
            trusted: Arc::new(hosts.iter().map(|(h, _)| h.clone()).collect()),
            trusted_origins: Arc::new(hosts.iter().map(|(h, p)| origin(h, *p)).collect()),
            proxied,
            connect_timeout: network.connect_timeout.min(cap),
            verdicts: Arc::default(),
            lookup: system_lookup,
        }
    }

    /// How long establishing a connection may take, the name's lookup included.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Whether `host:port` is an endpoint the configuration names.
    pub fn trusts(&self, host: &str, port: u16) -> bool {
        self.trusted_origins.contains(&origin(host, port))
    }

    /// The resolver to install in the client (the connect-time half of the guard).
    pub fn resolver(&self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver {
            allow_private: self.allow_private,
            trusted: self.trusted.clone(),
        })
    }

    /// Whether `url` may be requested: http(s), and an address literal that is public
    /// (or allowed); with a proxy, a name too must resolve here, to public addresses
    /// only, since the proxy would otherwise resolve it unseen.
    pub async fn check(&self, url: &Url) -> Result<(), Refusal> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::Scheme(url.to_string()));
        }
        let host = url.host_str().unwrap_or_default();
        let bare = host.trim_matches(['[', ']']);
        let port = url.port_or_known_default().unwrap_or(80);
        if self.allow_private || self.trusts(bare, port) {
            return Ok(());
        }
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return match is_public(ip) {
                true => Ok(()),
                false => Err(Refusal::Private(bare.to_string())),
            };
        }
        if !self.proxied {
            return Ok(());
        }
        match self.verdict(bare, port).await {
            Verdict::Public => Ok(()),
            Verdict::Private => Err(Refusal::PrivateName(bare.to_string())),
            Verdict::Unresolved => Err(Refusal::Unresolved(bare.to_string())),
            Verdict::TimedOut => Err(Refusal::LookupTimedOut {
                host: bare.to_string(),
                after: self.connect_timeout,
            }),
        }
    }

    /// The verdict on the name `host`, from its one lookup. The port only completes
    /// the lookup's address: the answers are the name's, whatever the port.
    async fn verdict(&self, host: &str, port: u16) -> Verdict {
        let cell = self
            .verdicts
            .lock()
            .expect("verdicts lock")
            .entry(host.to_lowercase())
            .or_default()
            .clone();
        *cell
            .get_or_init(|| async {
                let lookup = (self.lookup)(host.to_string(), port);
                match tokio::time::timeout(self.connect_timeout, lookup).await {
                    Err(_) => Verdict::TimedOut,
                    Ok(Err(_)) => Verdict::Unresolved,
                    Ok(Ok(found)) if found.is_empty() => Verdict::Unresolved,
                    // The proxy may pick any of the answers: every one must be public.
                    Ok(Ok(found)) if found.iter().any(|ip| !is_public(*ip)) => Verdict::Private,
                    Ok(Ok(_)) => Verdict::Public,
                }
            })
            .await
    }

    /// GET `url` with `headers`, following up to `max_redirects` redirects by hand,
    /// each hop through [`Guard::check`]. The client must not follow redirects itself.
    pub async fn get(
        &self,
        client: &reqwest::Client,
        url: &str,
        headers: &[(&str, &str)],
        max_redirects: usize,
    ) -> Result<reqwest::Response, GuardedError> {
        let mut url = Url::parse(url).map_err(|_| GuardedError::BadLocation(url.to_string()))?;
        for _ in 0..=max_redirects {
            self.check(&url).await?;
            let mut request = client.get(url.clone());
            for (k, v) in headers {
                request = request.header(*k, *v);
            }
            let response = request.send().await?;
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok());
            match location {
                Some(to) if response.status().is_redirection() => {
                    url = url
                        .join(to)
                        .map_err(|_| GuardedError::BadLocation(to.to_string()))?;
                }
                _ => return Ok(response),
            }
        }
        Err(GuardedError::TooManyRedirects(max_redirects))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn open_guard(allow_private: bool) -> Guard {
        Guard {
            allow_private,
            trusted: Arc::new(["127.0.0.1".to_string(), "mirror.local".to_string()].into()),
            trusted_origins: Arc::new(
                ["127.0.0.1:8080".to_string(), "mirror.local:80".to_string()].into(),
            ),
            proxied: true,
            connect_timeout: Duration::from_secs(10),
            verdicts: Arc::default(),
            lookup: system_lookup,
        }
    }

    /// A proxied guard whose lookups are scripted by `lookup`.
    fn scripted_guard(lookup: Lookup) -> Guard {
        Guard {
            trusted: Arc::default(),
            trusted_origins: Arc::default(),
            lookup,
            ..open_guard(false)
        }
    }

    /// `count` checks of different pages on `host`, all at once.
    async fn check_pages(guard: &Guard, host: &str, count: usize) -> Vec<Result<(), Refusal>> {
        let urls: Vec<Url> = (0..count)
            .map(|i| Url::parse(&format!("https://{host}/p/{i}")).unwrap())
            .collect();
        futures::future::join_all(urls.iter().map(|u| guard.check(u))).await
    }

    #[tokio::test]
    async fn private_hops_and_other_schemes_are_refused_configured_hosts_are_not() {
        let guard = open_guard(false);
        let check = |u: &str| {
            let guard = guard.clone();
            let u = Url::parse(u).unwrap();
            async move { guard.check(&u).await }
        };
        assert_eq!(
            check("file:///etc/passwd").await,
            Err(Refusal::Scheme("file:///etc/passwd".into()))
        );
        assert_eq!(
            check("http://localhost:9/x").await,
            Err(Refusal::PrivateName("localhost".into()))
        );
        assert_eq!(
            check("http://[::1]/x").await,
            Err(Refusal::Private("::1".into()))
        );
        assert_eq!(
            check("http://10.1.2.3/x").await,
            Err(Refusal::Private("10.1.2.3".into()))
        );
        assert_eq!(check("http://93.184.216.34/x").await, Ok(()));
        assert_eq!(check("http://127.0.0.1:8080/api").await, Ok(()));
        assert_eq!(
            check("http://127.0.0.1:22/").await,
            Err(Refusal::Private("127.0.0.1".into())),
            "only the configured port of a configured host"
        );
        assert_eq!(check("http://mirror.local/api").await, Ok(()));
        assert!(
            open_guard(true)
                .check(&Url::parse("http://localhost/").unwrap())
                .await
                .is_ok()
        );
    }

    /// Lookups of the scripted resolvers below, one counter each (tests run in parallel).
    static FAILED_LOOKUPS: AtomicUsize = AtomicUsize::new(0);
    static HUNG_LOOKUPS: AtomicUsize = AtomicUsize::new(0);
    static ANSWERED_LOOKUPS: AtomicUsize = AtomicUsize::new(0);

    #[tokio::test]
    async fn a_name_is_looked_up_once_and_every_check_shares_its_verdict() {
        // A resolver that answers only after every check has started, then fails:
        // the checks that arrive meanwhile wait for the lookup in flight.
        let guard = scripted_guard(|host, _| {
            FAILED_LOOKUPS.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                tokio::task::yield_now().await;
                Err(std::io::Error::other(format!("{host}: no answer")))
            })
        });
        let verdicts = check_pages(&guard, "papers.invalid", 500).await;
        assert!(
            verdicts
                .iter()
                .all(|v| v == &Err(Refusal::Unresolved("papers.invalid".into()))),
            "{:?}",
            &verdicts[..3]
        );
        // Later checks, through a clone too (one per client), reuse the verdict.
        let later = check_pages(&guard.clone(), "Papers.INVALID", 3).await;
        assert!(later.iter().all(|v| v.is_err()), "{later:?}");
        assert_eq!(FAILED_LOOKUPS.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lookup_that_never_answers_is_given_up_at_the_connect_limit() {
        let guard = scripted_guard(|_, _| {
            HUNG_LOOKUPS.fetch_add(1, Ordering::SeqCst);
            Box::pin(std::future::pending())
        });
        // Paused time jumps to the limit as soon as nothing else can run; the outer
        // limit only turns a hang into a failure instead of a stuck test.
        let verdicts = tokio::time::timeout(
            Duration::from_secs(3600),
            check_pages(&guard, "slow.invalid", 50),
        )
        .await
        .expect("a hung lookup held the checks up");
        let refusal = Refusal::LookupTimedOut {
            host: "slow.invalid".into(),
            after: Duration::from_secs(10),
        };
        assert!(
            verdicts.iter().all(|v| v.as_ref() == Err(&refusal)),
            "{:?}",
            &verdicts[..3]
        );
        assert_eq!(HUNG_LOOKUPS.load(Ordering::SeqCst), 1);
        let message = refusal.to_string();
        assert!(
            message.contains("10s") && message.contains("network.allow_private = true"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn every_answer_must_be_public_and_each_name_has_its_own_verdict() {
        let guard = scripted_guard(|host, _| {
            ANSWERED_LOOKUPS.fetch_add(1, Ordering::SeqCst);
            let answers: &[&str] = match host.as_str() {
                "public.example" => &["93.184.216.34", "2606:4700::1111"],
                "mixed.example" => &["93.184.216.34", "10.0.0.7"],
                _ => &[],
            };
            let answers = answers.iter().map(|a| a.parse().unwrap()).collect();
            Box::pin(async move { Ok(answers) })
        });
        assert!(
            check_pages(&guard, "public.example", 20)
                .await
                .iter()
                .all(Result::is_ok)
        );
        assert!(
            check_pages(&guard, "mixed.example", 20)
                .await
                .iter()
                .all(|v| v == &Err(Refusal::PrivateName("mixed.example".into())))
        );
        assert!(
            check_pages(&guard, "empty.example", 20)
                .await
                .iter()
                .all(|v| v == &Err(Refusal::Unresolved("empty.example".into())))
        );
        assert_eq!(ANSWERED_LOOKUPS.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn endpoint_hosts_are_read_from_urls_and_bare_hosts() {
        assert_eq!(
            host_of("https://api.crossref.org"),
            Some(("api.crossref.org".into(), 443))
        );
        assert_eq!(host_of("http://[::1]:8080/x"), Some(("::1".into(), 8080)));
        assert_eq!(
            host_of("proxy.corp:3128"),
            Some(("proxy.corp".into(), 3128))
        );
        assert_eq!(host_of(""), None);
    }
}
