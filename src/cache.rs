//! The persistent cache: one JSON file with each URL's last status, when it was
//! checked and its streak of consecutive transient failures, and each paper's resolved
//! metadata. Several runs may share it (two lists checked by two jobs): a save takes
//! an advisory lock on a `.lock` file beside it, merges what is on disk (the newer
//! entry wins) and replaces the file atomically, so no run's results are lost. The
//! temporary file never outlives a save. A damaged file is renamed aside with a
//! warning, never a reason to stop; an entry dated in the future is never fresh.

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

/// Takes each of `theirs` that `ours` lacks or holds from an earlier check.
fn merge_newer<V>(
    ours: &mut BTreeMap<String, V>,
    theirs: BTreeMap<String, V>,
    checked: impl Fn(&V) -> u64,
) {
    for (key, value) in theirs {
        match ours.get(&key) {
            Some(mine) if checked(mine) >= checked(&value) => {}
            _ => {
                ours.insert(key, value);
            }
        }
    }
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether something checked at `checked` (Unix seconds) is younger than `ttl`. An
/// entry dated in the future (a clock that jumped, a file from elsewhere) is not.
pub fn is_fresh(checked: u64, ttl: Duration) -> bool {
    now()
        .checked_sub(checked)
        .is_some_and(|age| age < ttl.as_secs())
}

/// What was on disk.
enum OnDisk {
    Missing,
    Read(Cache),
    Unreadable(std::io::Error),
    Damaged,
}

fn read(path: &Path) -> OnDisk {
    match std::fs::read(path) {
        Ok(bytes) => match serde_json::from_slice::<Cache>(&bytes) {
            Ok(c) if c.version == 1 => OnDisk::Read(c),
            _ => OnDisk::Damaged,
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => OnDisk::Missing,
        Err(e) => OnDisk::Unreadable(e),
    }
}

/// Renames a damaged cache file aside (`NAME.damaged-UNIXSECONDS`), with a warning that
/// says where it went; if even that fails, says so and leaves it.
fn set_aside(path: &Path) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("cache");
    let aside = path.with_file_name(format!("{name}.damaged-{}", now()));
    match std::fs::rename(path, &aside) {
        Ok(()) => crate::output::say(format_args!(
            "warning: cache {} is damaged or from another version; moved to {} and starting afresh",
            path.display(),
            aside.display()
        )),
        Err(e) => crate::output::say(format_args!(
            "warning: cache {} is damaged or from another version and cannot be moved aside ({e}); starting afresh",
            path.display()
        )),
    }
}

impl Cache {
    /// Whether it holds nothing: no link status, no metadata, no venue truth.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.metadata.is_empty() && self.venues.is_empty()
    }

    /// Loads `path`; a missing file is an empty cache, an unreadable one too (with a
    /// warning), a damaged one is set aside (with a warning).
    pub fn load(path: &Path) -> Cache {
        match read(path) {
            OnDisk::Read(c) => c,
            OnDisk::Missing => Cache::default(),
            OnDisk::Unreadable(e) => {
                crate::output::say(format_args!(
                    "warning: cannot read cache {}: {e}; starting afresh",
                    path.display()
                ));
                Cache::default()
            }
            OnDisk::Damaged => {
                set_aside(path);
                Cache::default()
            }
        }
    }

    /// A success younger than `ttl`, if any (failures are always re-checked).
    pub fn fresh(&self, url: &str, ttl: Duration) -> Option<&LinkStatus> {
        let e = self.entries.get(url)?;
        (is_fresh(e.checked, ttl) && matches!(e.status, LinkStatus::Ok { .. })).then_some(&e.status)
    }

    /// Adds what `other` knows that this cache does not, or knows more recently.
    pub fn merge(&mut self, other: Cache) {
        merge_newer(&mut self.entries, other.entries, |e| e.checked);
        merge_newer(&mut self.metadata, other.metadata, |e| e.checked);
        merge_newer(&mut self.venues, other.venues, |e| e.checked);
    }

    /// Writes the cache: under an advisory lock on `PATH.lock`, merged with what
    /// another run wrote since this one loaded, through a temporary file in the same
    /// folder renamed into place (removed whatever happens).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if path.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "it is a directory",
            ));
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("cache");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("{name}.lock")))?;
        // Released when `lock` is dropped, after the rename.
        lock.lock()?;
        let mut cache = self.clone();
        cache.version = 1;
        match read(path) {
            OnDisk::Read(on_disk) => cache.merge(on_disk),
            OnDisk::Damaged => set_aside(path),
            OnDisk::Missing | OnDisk::Unreadable(_) => {}
        }
        crate::source::write_atomic(path, &serde_json::to_vec_pretty(&cache)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(checked: u64, code: u16) -> CacheEntry {
        CacheEntry {
            checked,
            status: LinkStatus::Ok {
                code,
                hops: Vec::new(),
            },
            failures: 0,
        }
    }

    #[test]
    fn the_newer_entry_wins_a_merge_and_nothing_is_dropped() {
        let mut ours = Cache::default();
        ours.entries.insert("a".into(), entry(10, 200));
        ours.entries.insert("b".into(), entry(5, 200));
        let mut theirs = Cache::default();
        theirs.entries.insert("b".into(), entry(7, 203));
        theirs.entries.insert("c".into(), entry(1, 200));
        ours.merge(theirs);
        let codes: Vec<(&str, u64)> = ours
            .entries
            .iter()
            .map(|(k, e)| (k.as_str(), e.checked))
            .collect();
        assert_eq!(codes, vec![("a", 10), ("b", 7), ("c", 1)]);
    }

    #[test]
    fn papers_and_venues_are_merged_too() {
        let found = |title: &str| Resolution::Found {
            paper: crate::model::Paper {
                titles: vec![title.into()],
                ..Default::default()
            },
        };
        let mut ours = Cache::default();
        ours.metadata.insert(
            "arXiv:1".into(),
            MetaEntry {
                checked: 5,
                resolution: found("old"),
            },
        );
        ours.venues.insert(
            "1".into(),
            VenueEntry {
                checked: 5,
                truth: VenueTruth::PreprintOnly,
            },
        );
        let mut theirs = Cache::default();
        theirs.metadata.insert(
            "arXiv:1".into(),
            MetaEntry {
                checked: 9,
                resolution: found("new"),
            },
        );
        theirs.venues.insert(
            "2".into(),
            VenueEntry {
                checked: 1,
                truth: VenueTruth::PreprintOnly,
            },
        );
        ours.merge(theirs);
        assert_eq!(ours.metadata["arXiv:1"].resolution, found("new"));
        // Another run's venue truth is kept beside this run's.
        assert_eq!(ours.venues.keys().collect::<Vec<_>>(), ["1", "2"]);
    }

    #[test]
    fn the_future_is_not_fresh() {
        let ttl = Duration::from_secs(3600);
        assert!(is_fresh(now() - 10, ttl));
        assert!(!is_fresh(now() - 7200, ttl));
        assert!(!is_fresh(now() + 10, ttl));
    }

    #[test]
    fn a_save_merges_with_what_another_run_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.json");
        let first = Cache::load(&path);
        let mut second = Cache::load(&path);
        let mut first = first;
        first.entries.insert("a".into(), entry(now(), 200));
        second.entries.insert("b".into(), entry(now(), 200));
        first.save(&path).unwrap();
        second.save(&path).unwrap();
        let merged = Cache::load(&path);
        assert_eq!(merged.entries.keys().collect::<Vec<_>>(), vec!["a", "b"]);
    }
}
