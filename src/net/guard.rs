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

use crate::net::resolve::{GuardedResolver, is_public};
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;
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
    #[error("`{0}` does not resolve here, so it is not sent to the proxy")]
    Unresolved(String),
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

/// The guard of one client.
#[derive(Debug, Clone)]
pub struct Guard {
    allow_private: bool,
    /// Host names of the configured endpoints, for the resolver (which sees no port).
    trusted: Arc<BTreeSet<String>>,
    /// `host:port` of the configured endpoints: another port of the same host (a
    /// loopback proxy's neighbours) is not trusted.
    trusted_origins: Arc<BTreeSet<String>>,
    proxied: bool,
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
    /// A guard that refuses private addresses unless `allow_private`, except for the
    /// hosts of `endpoints` (URLs the configuration names) and of the proxies set in
    /// the environment.
    pub fn new<'a>(allow_private: bool, endpoints: impl IntoIterator<Item = &'a str>) -> Guard {
        let mut hosts: Vec<(String, u16)> = endpoints.into_iter().filter_map(host_of).collect();
        let mut proxied = false;
        for var in PROXY_VARIABLES {
            if let Some(proxy) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
                proxied = true;
                hosts.extend(host_of(&proxy));
            }
        }
        Guard {
            allow_private,
            trusted: Arc::new(hosts.iter().map(|(h, _)| h.clone()).collect()),
            trusted_origins: Arc::new(hosts.iter().map(|(h, p)| origin(h, *p)).collect()),
            proxied,
        }
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
        let found: Vec<IpAddr> = match tokio::net::lookup_host((bare, port)).await {
            Ok(addrs) => addrs.map(|a| a.ip()).collect(),
            Err(_) => Vec::new(),
        };
        if found.is_empty() {
            return Err(Refusal::Unresolved(bare.to_string()));
        }
        // The proxy may pick any of the answers: every one must be public.
        if found.iter().any(|ip| !is_public(*ip)) {
            return Err(Refusal::PrivateName(bare.to_string()));
        }
        Ok(())
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

    fn open_guard(allow_private: bool) -> Guard {
        Guard {
            allow_private,
            trusted: Arc::new(["127.0.0.1".to_string(), "mirror.local".to_string()].into()),
            trusted_origins: Arc::new(
                ["127.0.0.1:8080".to_string(), "mirror.local:80".to_string()].into(),
            ),
            proxied: true,
        }
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
