//! `entry/duplicate`: the same paper listed twice, by arXiv id, DOI or normalised URL.

use super::{Report, Rows, Sink, excerpt};
use crate::model::RuleId;
use crate::model::Severity;
use crate::model::{Entry, EntrySource};
use crate::scholarly::{normalized_url, paper_id};
use hashbrown::HashTable;
use siphasher::sip::SipHasher13;
use std::hash::Hasher;

/// What a paper link is compared by: its arXiv id or DOI, else its normalised URL.
fn key_of(url: &str) -> Option<String> {
    paper_id(url)
        .map(|paper| paper.key())
        .or_else(|| normalized_url(url))
}

/// A key's 64-bit hash, which stands for the key: the rule keeps no copy of any key
/// or link (on a list of short rows the copies were a seventh of the peak memory).
/// Two of a list's keys share it with a chance of about n²/2^65: one in four hundred
/// million for the 290,000 links of a 16 MB list of short rows.
fn hash_of(key: &str) -> u64 {
    let mut hasher = SipHasher13::new();
    hasher.write(key.as_bytes());
    hasher.finish()
}

/// The first listing of a key: its hash in two halves and the kept row, 12 bytes
/// (a `u64` would align the slot to 16). A long list keeps one per paper.
#[derive(Clone, Copy)]
struct First {
    hash: [u32; 2],
    row: u32,
}

impl First {
    fn hash(&self) -> u64 {
        u64::from(self.hash[0]) | u64::from(self.hash[1]) << 32
    }
}

/// `entry/duplicate`: every later row whose paper link names a paper already listed,
/// pointing at the first occurrence. Only table rows and list items take part: a
/// paragraph that mentions a paper is not a second listing of it. A paper listed
/// again under another heading is often deliberate (it fits two categories), so that
/// is reported as info.
pub(crate) struct Duplicates {
    /// The first listing of each key, found by the key's hash (random already, so
    /// it is the table's hash too).
    first: HashTable<First>,
}

impl Duplicates {
    /// Room for `keys` first listings.
    pub(crate) fn with_capacity(keys: usize) -> Self {
        Duplicates {
            first: HashTable::with_capacity(keys),
        }
    }

    pub(crate) fn entry<'a>(&mut self, sink: &mut Sink<'_>, rows: &mut Rows<'a>, e: &Entry<'a>) {
        if e.source == EntrySource::Paragraph {
            return;
        }
        let mut seen_here = Vec::new();
        for l in e.paper_links() {
            let Some(key) = key_of(&l.url) else { continue };
            let hash = hash_of(&key);
            if seen_here.contains(&hash) {
                continue;
            }
            seen_here.push(hash);
            let original = match self.first.find(hash, |f| f.hash() == hash) {
                Some(f) => f.row,
                None => {
                    let row = rows.keep(e);
                    let first = First {
                        hash: [hash as u32, (hash >> 32) as u32],
                        row,
                    };
                    self.first.insert_unique(hash, first, First::hash);
                    continue;
                }
            };
            let line = sink.source.position(rows.start(original)).line;
            let what = match rows.title(original) {
                Some(t) => format!(" (`{}`)", excerpt(t, 50)),
                None => String::new(),
            };
            let shown = if key.starts_with("arXiv:") || key.starts_with("doi:") {
                key.clone()
            } else {
                "this URL".into()
            };
            let section = rows.section(original);
            let same_section = **section == *e.section;
            let cap = if same_section {
                Severity::Error
            } else {
                Severity::Info
            };
            let elsewhere = if same_section {
                String::new()
            } else {
                format!(
                    " under `{}`",
                    section
                        .last()
                        .map_or(crate::text::NO_HEADING, String::as_str)
                )
            };
            sink.push_capped(
                Report {
                    rule: RuleId::EntryDuplicate,
                    subject: e.into(),
                    offset: l.anchor(),
                    message: format!("same paper ({shown}) as line {line}{what}{elsewhere}"),
                    url: Some(l.url.to_string()),
                    fix: None,
                },
                cap,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint_md, rules_and_lines};

    #[test]
    fn the_first_listing_is_named_by_its_rendered_title() {
        // The first title is rendered (markup and an entity removed), so it is not a
        // slice of the source: the rule keeps a copy of it, not a place.
        let md = "|Title|\n|-|\n|[**Bold** &amp; *new*](https://arxiv.org/abs/2405.03162)|\n|[Plain](https://arxiv.org/abs/2405.03162)|\n|[Again](https://arxiv.org/abs/2405.03162)|\n";
        let messages: Vec<String> = lint_md(md).into_iter().map(|f| f.message).collect();
        assert_eq!(
            messages,
            [
                "same paper (arXiv:2405.03162) as line 3 (`Bold & new`)",
                "same paper (arXiv:2405.03162) as line 3 (`Bold & new`)"
            ]
        );
    }

    #[test]
    fn same_arxiv_id_in_other_forms_is_a_duplicate() {
        let md = "|Title|\n|-|\n|[A](https://arxiv.org/abs/2405.03162)|\n|[B](https://arxiv.org/pdf/2405.03162v2.pdf)|\n|[C](https://github.com/x/y) [D](https://github.com/x/y)|\n";
        let dups: Vec<_> = rules_and_lines(md)
            .into_iter()
            .filter(|(r, _)| *r == "entry/duplicate")
            .collect();
        assert_eq!(dups, vec![("entry/duplicate", 4)]);
        assert_eq!(
            lint_md(md)[0].message,
            "same paper (arXiv:2405.03162) as line 3 (`A`)"
        );
    }

    #[test]
    fn a_paper_listed_under_another_heading_is_info() {
        let md = "## A\n- [P](https://arxiv.org/abs/2301.00001)\n## B\n- [P again](https://arxiv.org/abs/2301.00001)\n";
        let f = lint_md(md);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::model::Severity::Info);
        assert_eq!(
            f[0].message,
            "same paper (arXiv:2301.00001) as line 2 (`P`) under `A`"
        );
    }

    #[test]
    fn code_links_and_repeats_within_a_row_are_not_duplicates() {
        let md = "|Title|Code|\n|-|-|\n|[A](https://x.org/a) [pdf](https://x.org/a/)|[c](https://github.com/o/r)|\n|[B](https://x.org/b)|[c](https://github.com/o/r)|\n";
        assert!(rules_and_lines(md).is_empty());
    }
}
