//! Network primitives shared by every stage that talks HTTP: the one HTTP client
//! builder and User-Agent ([`client_builder`], [`user_agent`]), the one reader of
//! rate-limit headers ([`ratelimit`]), the address guard of every client and every
//! redirect hop ([`guard`], with the resolver that refuses private addresses in
//! [`resolve`]), the TLS settings with the system's roots read once ([`tls`]) and
//! per-host pacing within the run's time budget ([`host`]). The
//! stages (`check`, `metadata`, `github`) build on these and never on each other's
//! internals.

pub mod guard;
pub mod host;
pub mod ratelimit;
pub mod resolve;
pub mod tls;

pub use guard::Guard;
pub use host::{Budget, GiveUp, Host};
pub use ratelimit::RateLimit;

/// The User-Agent of every request paperlint makes: `custom` when the config sets
/// one, else `paperlint/VERSION (…)`; a contact address is appended when known.
pub fn user_agent(custom: &str, mailto: &str) -> String {
    let mut agent = if custom.is_empty() {
        format!(
            "paperlint/{} (link checker for paper lists)",
            env!("CARGO_PKG_VERSION")
        )
    } else {
        custom.to_string()
    };
    if !mailto.is_empty() {
        agent.push_str(&format!(" mailto:{mailto}"));
    }
    agent
}

/// The HTTP client builder every stage starts from: the User-Agent set, rustls with
/// the system's roots read once per process, when first needed ([`tls`]), no other
/// policy (each stage adds its timeouts, redirects and resolver).
pub fn client_builder(user_agent: &str) -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .user_agent(user_agent)
        .tls_backend_preconfigured(tls::client_config())
}

/// A client builder under `guard`: names resolve through it, redirects are not
/// followed (each stage follows them by hand, hop by hop through the guard), the
/// guard's connect limit applies (the one its own lookups keep) and so does the read
/// timeout of `[network]`.
pub fn guarded_builder(
    user_agent: &str,
    guard: &Guard,
    network: &crate::config::NetworkConfig,
) -> reqwest::ClientBuilder {
    client_builder(user_agent)
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(guard.resolver())
        .connect_timeout(guard.connect_timeout())
        .read_timeout(network.read_timeout)
}

/// Makes ring the process's TLS crypto provider. One TLS stack serves every client:
/// rustls with ring, which the GitHub client (octocrab) is built with too, so no
/// second provider (aws-lc) is compiled. reqwest is built without a provider of its
/// own and uses this one.
pub fn install_crypto_provider() {
    // Fails only when a provider is installed already, which is the goal.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
