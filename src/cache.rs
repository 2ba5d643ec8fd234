//! The persistent cache: one JSON file with each URL's last status, when it was
//! checked and its streak of consecutive transient failures. Written atomically; a
//! damaged file is set aside with a warning, never a reason to stop.

use crate::model::{LinkStatus, Resolution, VenueTruth};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// One URL's memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheEntry {
    /// Unix seconds of the last check.
    pub checked: u64,
    /// The status then.
    pub status: LinkStatus,
    /// Consecutive runs that ended in a failure.
    pub failures: u32,
}

/// One paper's resolved metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaEntry {
    /// Unix seconds of the resolution.
    pub checked: u64,
    /// What the registry said.
    pub resolution: Resolution,
}

/// Where one arXiv paper was published, as last told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VenueEntry {
    /// Unix seconds of the lookup.
    pub checked: u64,
    /// What Semantic Scholar and DBLP said.
    pub truth: VenueTruth,
}

/// The cache file's content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cache {
    /// Format version.
    pub version: u32,
    /// Entries by URL.
    pub entries: BTreeMap<String, CacheEntry>,
    /// Resolved metadata by paper key (`arXiv:ID`, `doi:DOI`, landing URL).
    #[serde(default)]
    pub metadata: BTreeMap<String, MetaEntry>,
    /// Venue truth by arXiv id (no version).
    #[serde(default)]
    pub venues: BTreeMap<String, VenueEntry>,
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Cache {
    /// Loads `path`; a missing file is an empty cache, a damaged one too (with a
    /// warning on stderr).
    pub fn load(path: &Path) -> Cache {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Cache::default(),
            Err(e) => {
                eprintln!(
                    "paperlint: warning: cannot read cache {}: {e}; starting afresh",
                    path.display()
                );
                return Cache::default();
            }
        };
        match serde_json::from_str::<Cache>(&text) {
            Ok(c) if c.version == 1 => c,
            _ => {
                eprintln!(
                    "paperlint: warning: cache {} is damaged or from another version; starting afresh",
                    path.display()
                );
                Cache::default()
            }
        }
    }

    /// A success younger than `ttl`, if any (failures are always re-checked).
    pub fn fresh(&self, url: &str, ttl: Duration) -> Option<&LinkStatus> {
        let e = self.entries.get(url)?;
        let young = now().saturating_sub(e.checked) < ttl.as_secs();
        (young && matches!(e.status, LinkStatus::Ok { .. })).then_some(&e.status)
    }

    /// Writes the cache atomically ([`crate::source::write_atomic`]: flushed, then renamed).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut cache = self.clone();
        cache.version = 1;
        crate::source::write_atomic(path, &serde_json::to_vec_pretty(&cache)?)
    }
}
