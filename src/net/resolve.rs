//! DNS resolution that refuses loopback, private, link-local and unspecified
//! addresses (unless `network.allow_private`, or the name is one the configuration
//! itself names), so a link in a pull request cannot make the bot probe the runner's
//! network. Used as reqwest's resolver, so the check holds for every connection,
//! redirects included, with no gap between check and connect. (With a proxy the
//! client resolves only the proxy: [`crate::net::guard`] covers that case.)

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The name did not resolve.
#[derive(Debug, thiserror::Error)]
#[error("no such host `{host}`")]
pub struct NoSuchHost {
    /// The name looked up.
    pub host: String,
}

/// Every address of the name is private.
#[derive(Debug, thiserror::Error)]
#[error("`{host}` resolves to a private address")]
pub struct PrivateAddress {
    /// The name looked up.
    pub host: String,
}

/// Whether an address may be contacted when private addresses are not allowed.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// reqwest resolver applying [`is_public`].
#[derive(Debug, Clone, Default)]
pub struct GuardedResolver {
    /// Allow private addresses.
    pub allow_private: bool,
    /// Names (lower-case) allowed to resolve anywhere: the configuration's endpoints.
    pub trusted: Arc<BTreeSet<String>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        // A connection to a name is coming, perhaps a TLS one: its roots are read
        // while the name is looked up.
        super::tls::read_roots_in_background();
        let host = name.as_str().to_string();
        let allow = self.allow_private || self.trusted.contains(&host.to_lowercase());
        Box::pin(async move {
            let looked_up = tokio::net::lookup_host(format!("{host}:0")).await;
            let found: Vec<SocketAddr> = match looked_up {
                Ok(addrs) => addrs.collect(),
                Err(_) => {
                    return Err(
                        Box::new(NoSuchHost { host }) as Box<dyn std::error::Error + Send + Sync>
                    );
                }
            };
            if found.is_empty() {
                return Err(Box::new(NoSuchHost { host }) as _);
            }
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allow || is_public(a.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(PrivateAddress { host }) as _);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name that resolves to loopback is refused after resolution.
    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused() {
        let guarded = GuardedResolver::default();
        let err = match guarded.resolve("localhost".parse().unwrap()).await {
            Ok(_) => panic!("localhost must be refused"),
            Err(e) => e,
        };
        assert!(err.downcast_ref::<PrivateAddress>().is_some(), "{err}");
        let open = GuardedResolver {
            allow_private: true,
            ..GuardedResolver::default()
        };
        assert!(open.resolve("localhost".parse().unwrap()).await.is_ok());
        let configured = GuardedResolver {
            trusted: Arc::new(["localhost".to_string()].into()),
            ..GuardedResolver::default()
        };
        assert!(
            configured
                .resolve("localhost".parse().unwrap())
                .await
                .is_ok()
        );
    }

    #[test]
    fn private_ranges_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.0.0.2",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
