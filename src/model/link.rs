//! Link health as data: a URL's [`LinkStatus`] (with the redirect [`Hop`]s it
//! followed) and the counts of a link-check run ([`LinkStats`]). A broken link is a
//! status value, never an error.

use serde::{Deserialize, Serialize};

/// One hop of a redirect chain, in the list's terms (remap undone).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hop {
    /// The status that redirected.
    pub code: u16,
    /// Where it pointed.
    pub to: String,
}

/// A URL's status after the failure history is applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum LinkStatus {
    /// Alive, possibly after redirects.
    Ok {
        /// Final status code.
        code: u16,
        /// Redirects followed.
        hops: Vec<Hop>,
    },
    /// Gone: report as `link/broken`.
    Broken {
        /// Why.
        reason: String,
    },
    /// Could not be verified: report as `link/unverified` (info).
    Unverified {
        /// Why.
        reason: String,
    },
    /// Not requested (private address, no network).
    Skipped {
        /// Why.
        reason: String,
    },
}

/// Counts of a network run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LinkStats {
    /// Distinct URLs considered (excluded ones aside).
    pub checked: usize,
    /// Alive without a permanent redirect.
    pub ok: usize,
    /// Broken.
    pub broken: usize,
    /// Alive behind a permanent redirect.
    pub redirects: usize,
    /// Unverified.
    pub unverified: usize,
    /// Not requested.
    pub skipped: usize,
    /// Taken from the cache.
    pub cached: usize,
    /// Excluded by `network.exclude`.
    pub excluded: usize,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// The permanent-redirect target of a chain: followed while hops are 301/308.
pub fn permanent_target(hops: &[Hop]) -> Option<&str> {
    hops.iter()
        .take_while(|h| h.code == 301 || h.code == 308)
        .last()
        .map(|h| h.to.as_str())
}
