//! The distinct URLs of a run, each stored once, and their statuses.
//!
//! A list of 300,000 links used to keep each URL as a `String` in five maps (the
//! router's, the link check's, the waiting queue, the results and the cache), about
//! 570 bytes a URL. Here a URL is a few bytes of one shared buffer and a 4-byte
//! [`UrlId`]; everything else about it lives in vectors indexed by that id.

use super::LinkStatus;
use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

/// A URL's place in a run's [`Urls`].
pub type UrlId = u32;

/// Distinct URLs, interned: their text side by side in one buffer, found again
/// through a table of ids hashed by that text.
#[derive(Clone, Default)]
pub struct Urls {
    text: String,
    /// Where each URL ends in `text` (its start is where the one before ends).
    ends: Vec<u32>,
    table: HashTable<UrlId>,
    hasher: DefaultHashBuilder,
}

impl Urls {
    /// The id of `url`, given it now if it is new; `true` with it when it is.
    pub fn intern(&mut self, url: &str) -> (UrlId, bool) {
        let hash = self.hasher.hash_one(url);
        if let Some(id) = self.find_hashed(hash, url) {
            return (id, false);
        }
        let id = UrlId::try_from(self.ends.len()).expect("fewer than 4 billion URLs");
        self.text.push_str(url);
        // A list read from disk is under 4 GiB (`source::MAX_LEN`), and so are its URLs.
        let end = u32::try_from(self.text.len()).expect("the URLs of a list fit in 4 GiB");
        self.ends.push(end);
        let Urls {
            text,
            ends,
            table,
            hasher,
        } = self;
        table.insert_unique(hash, id, |&id| hasher.hash_one(&text[span(ends, id)]));
        (id, true)
    }

    fn find_hashed(&self, hash: u64, url: &str) -> Option<UrlId> {
        self.table.find(hash, |&id| self.get(id) == url).copied()
    }

    /// The id of `url`, if it was interned.
    pub fn find(&self, url: &str) -> Option<UrlId> {
        self.find_hashed(self.hasher.hash_one(url), url)
    }

    /// The URL of `id`.
    pub fn get(&self, id: UrlId) -> &str {
        &self.text[span(&self.ends, id)]
    }

    /// How many URLs there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Where URL `id` is in the text, given where each ends.
fn span(ends: &[u32], id: UrlId) -> std::ops::Range<usize> {
    let end = ends[id as usize] as usize;
    let start = id.checked_sub(1).map_or(0, |i| ends[i as usize] as usize);
    start..end
}

/// Statuses by URL, the URLs interned ([`Urls`]): what a link check found, looked up
/// by the URL as written in the list. Each distinct status is kept once (most links
/// share `200` or one `404` reason), and a URL's status is a 4-byte index.
#[derive(Clone, Default)]
pub struct LinkResults {
    urls: Urls,
    /// By id: an index into `distinct`, or [`NO_STATUS`].
    statuses: Vec<u32>,
    distinct: Vec<LinkStatus>,
    /// Indexes into `distinct`, hashed by the status.
    table: HashTable<u32>,
    /// Statuses set.
    count: usize,
}

/// In [`LinkResults::statuses`]: a URL without a status.
const NO_STATUS: u32 = u32::MAX;

impl LinkResults {
    /// The URLs the results are about (and any seen without one).
    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// The id of `url`, given it now if it is new; `true` with it when it is.
    pub fn intern(&mut self, url: &str) -> (UrlId, bool) {
        let (id, new) = self.urls.intern(url);
        if new {
            self.statuses.push(NO_STATUS);
        }
        (id, new)
    }

    /// The status of `id`, if it has one.
    pub fn status(&self, id: UrlId) -> Option<&LinkStatus> {
        let at = *self.statuses.get(id as usize)?;
        self.distinct.get(at as usize)
    }

    /// Sets (or replaces) the status of `id`.
    pub fn set(&mut self, id: UrlId, status: LinkStatus) {
        let hasher = &self.urls.hasher;
        let hash = hasher.hash_one(&status);
        let distinct = &mut self.distinct;
        let at = match self.table.find(hash, |&at| distinct[at as usize] == status) {
            Some(&at) => at,
            None => {
                let at = u32::try_from(distinct.len()).expect("fewer than 4 billion statuses");
                // Kept as a copy made here: the status was built by a request on
                // another thread, and a long list's thousands of kept statuses would
                // otherwise pin the memory each such thread frees in between (glibc
                // gives each thread its own arena): 14 MB on 290,000 links.
                distinct.push(status.clone());
                self.table
                    .insert_unique(hash, at, |&at| hasher.hash_one(&distinct[at as usize]));
                at
            }
        };
        let slot = &mut self.statuses[id as usize];
        self.count += usize::from(*slot == NO_STATUS);
        *slot = at;
    }

    /// Forgets the status of `id`.
    pub fn unset(&mut self, id: UrlId) {
        let slot = &mut self.statuses[id as usize];
        self.count -= usize::from(*slot != NO_STATUS);
        *slot = NO_STATUS;
    }

    /// The status of `url`, if it has one.
    pub fn get(&self, url: &str) -> Option<&LinkStatus> {
        self.status(self.urls.find(url)?)
    }

    /// Whether `url` has a status.
    pub fn contains_key(&self, url: &str) -> bool {
        self.get(url).is_some()
    }

    /// Sets the status of `url`.
    pub fn insert(&mut self, url: &str, status: LinkStatus) {
        let (id, _) = self.intern(url);
        self.set(id, status);
    }

    /// How many URLs have a status.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no URL has a status.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Each URL with a status, in the order they were first seen.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &LinkStatus)> {
        self.ids()
            .map(|id| (self.urls.get(id), self.status(id).expect("has one")))
    }

    /// The ids of the URLs with a status, in the order they were first seen.
    pub fn ids(&self) -> impl Iterator<Item = UrlId> + '_ {
        (0..self.statuses.len())
            .filter(|&i| self.statuses[i] != NO_STATUS)
            .map(|i| i as UrlId)
    }
}

impl std::fmt::Debug for LinkResults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_stored_once_and_found_by_its_text() {
        let mut urls = Urls::default();
        let many: Vec<String> = (0..5000)
            .map(|i| format!("https://h{}.org/{i}", i % 7))
            .collect();
        for (i, url) in many.iter().enumerate() {
            assert_eq!(urls.intern(url), (i as UrlId, true));
        }
        for (i, url) in many.iter().enumerate() {
            assert_eq!(urls.intern(url), (i as UrlId, false));
            assert_eq!(urls.find(url), Some(i as UrlId));
            assert_eq!(urls.get(i as UrlId), url);
        }
        assert_eq!(urls.len(), 5000);
        assert_eq!(urls.find("https://h0.org/1"), None);
        // The empty string is a URL like any other (the first, of no length).
        let mut urls = Urls::default();
        assert_eq!(urls.intern(""), (0, true));
        assert_eq!(urls.intern("a"), (1, true));
        assert_eq!((urls.get(0), urls.get(1)), ("", "a"));
    }

    #[test]
    fn results_count_what_has_a_status() {
        let ok = LinkStatus::Ok {
            code: 200,
            hops: Vec::new(),
        };
        let mut r = LinkResults::default();
        let (seen, _) = r.intern("https://a.org/seen");
        r.insert("https://a.org/ok", ok.clone());
        assert_eq!((r.len(), r.get("https://a.org/ok")), (1, Some(&ok)));
        assert!(!r.contains_key("https://a.org/seen"));
        r.set(seen, ok.clone());
        r.set(seen, ok.clone());
        assert_eq!(r.len(), 2);
        let urls: Vec<&str> = r.iter().map(|(u, _)| u).collect();
        assert_eq!(urls, ["https://a.org/seen", "https://a.org/ok"]);
        // One copy of a status however many URLs have it.
        assert_eq!(r.distinct.len(), 1);
        r.insert(
            "https://a.org/gone",
            LinkStatus::Broken {
                reason: "404".into(),
            },
        );
        assert_eq!((r.len(), r.distinct.len()), (3, 2));
        r.unset(seen);
        r.unset(seen);
        assert_eq!(r.len(), 2);
        assert_eq!(r.get("https://a.org/seen"), None);
        assert_eq!(
            format!("{r:?}"),
            r#"{"https://a.org/ok": Ok { code: 200, hops: [] }, "https://a.org/gone": Broken { reason: "404" }}"#
        );
    }
}
