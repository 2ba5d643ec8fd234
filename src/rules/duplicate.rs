//! `entry/duplicate`: the same paper listed twice, by arXiv id, DOI or normalised URL.

use super::{Report, Sink, excerpt};
use crate::model::RuleId;
use crate::model::Severity;
use crate::model::{Entry, EntrySource, Link};
use crate::scholarly::{normalized_url, paper_id};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// What a paper link is compared by: its arXiv id or DOI, else its normalised URL.
fn key_of(url: &str) -> Option<String> {
    paper_id(url)
        .map(|paper| paper.key())
        .or_else(|| normalized_url(url))
}

/// A key's 64-bit hash: the map of first listings holds this, not a copy of every key
/// (on a list of short rows the copies were a seventh of the peak memory).
fn hash_of(key: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// Reports every later row whose paper link names a paper already listed, pointing at
/// the first occurrence. Only table rows and list items take part: a paragraph that
/// mentions a paper is not a second listing of it. A paper listed again under another
/// heading is often deliberate (it fits two categories), so that is reported as info.
pub(crate) fn duplicate(sink: &mut Sink<'_>, entries: &[Entry]) {
    // The first listing of each key by its hash; a hit is confirmed by the original
    // link's own key, and keys whose hashes collide keep their first listing aside.
    let mut first: HashMap<u64, (&Entry, &Link)> = HashMap::new();
    let mut collided: HashMap<String, &Entry> = HashMap::new();
    for e in entries
        .iter()
        .filter(|e| e.source != EntrySource::Paragraph)
    {
        let mut seen_here = Vec::new();
        for l in e.paper_links() {
            let Some(key) = key_of(&l.url) else { continue };
            if seen_here.contains(&key) {
                continue;
            }
            seen_here.push(key.clone());
            let hash = hash_of(&key);
            let listed = match first.get(&hash) {
                None => {
                    first.insert(hash, (e, l));
                    None
                }
                Some(&(original, link)) if key_of(&link.url).as_ref() == Some(&key) => {
                    Some(original)
                }
                Some(_) => match collided.get(&key) {
                    Some(&original) => Some(original),
                    None => {
                        collided.insert(key.clone(), e);
                        None
                    }
                },
            };
            if let Some(original) = listed {
                let line = sink.source.position(original.span.start).line;
                let what = match &original.title {
                    Some(t) => format!(" (`{}`)", excerpt(t, 50)),
                    None => String::new(),
                };
                let shown = if key.starts_with("arXiv:") || key.starts_with("doi:") {
                    key.clone()
                } else {
                    "this URL".into()
                };
                let same_section = original.section == e.section;
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
                        original
                            .section
                            .last()
                            .map_or(crate::text::NO_HEADING, String::as_str)
                    )
                };
                sink.push_capped(
                    Report {
                        rule: RuleId::EntryDuplicate,
                        entry: e,
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
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint_md, rules_and_lines};

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
