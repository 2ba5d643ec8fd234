//! `venue/spelling`: one venue written several ways (`ArXiv` and `arXiv`).

use super::{Report, Rows, Sink};
use crate::model::Entry;
use crate::model::Fix;
use crate::model::RuleId;
use crate::source::Source;
use std::collections::BTreeMap;
use std::ops::Range;

/// Spellings preferred when a list mixes several; the config adds more.
const PREFERRED: &[&str] = &[
    "arXiv",
    "bioRxiv",
    "medRxiv",
    "NeurIPS",
    "ICLR",
    "ICML",
    "CVPR",
    "ICCV",
    "ECCV",
    "ACL",
    "EMNLP",
    "NAACL",
    "COLING",
    "AAAI",
    "IJCAI",
    "KDD",
    "WWW",
    "SIGIR",
    "MICCAI",
    "TPAMI",
    "TMLR",
    "JMLR",
    "Nature",
    "Science",
    "Nature Medicine",
    "npj Digital Medicine",
    "OpenReview",
    "Interspeech",
    "ICASSP",
    "WACV",
    "BMVC",
    "ACM MM",
    "CHIL",
    "MLHC",
    "TMI",
    "MedIA",
    "JAMIA",
    "Bioinformatics",
];

fn key(venue: &str) -> String {
    venue
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `venue/spelling`: venue cells whose spelling differs from the list's usual one for the same
/// venue (same letters and digits, ignoring case, spaces and punctuation), with a fix
/// to the list's majority spelling. A preferred spelling (the venue model's acronyms,
/// the built-in list and `venues.preferred`) only breaks a tie, unless
/// `venues.prefer_everywhere` asks for it whatever the majority. A tie with no
/// preferred spelling among the spellings is not reported. Judged when the file is
/// read.
#[derive(Default)]
pub(crate) struct Spelling<'a> {
    /// Venue cells by the venue's key.
    groups: BTreeMap<String, Vec<VenueCell<'a>>>,
}

/// A venue cell as [`Spelling`] keeps it: the row, the cell's text and its span.
type VenueCell<'a> = (u32, &'a str, Range<usize>);

impl<'a> Spelling<'a> {
    pub(crate) fn entry(&mut self, source: &'a Source, rows: &mut Rows<'a>, e: &Entry<'a>) {
        let (Some(text), Some(span)) = (&e.venue, &e.venue_span) else {
            return;
        };
        // Only plain-text cells: a cell with markup cannot be rewritten safely. The
        // source's own text is kept, so that no cell is copied.
        let venue = &source.text[span.clone()];
        if text.as_ref() != venue
            || venue.chars().count() > 60
            || !venue.chars().any(char::is_alphabetic)
        {
            return;
        }
        let row = rows.keep(e);
        self.groups
            .entry(key(venue))
            .or_default()
            .push((row, venue, span.clone()));
    }

    pub(crate) fn finish(self, sink: &mut Sink<'_>, rows: &Rows<'_>) {
        let groups = self.groups;
        // Made at the first venue written two ways: a list without one (most lists,
        // and every list without a venue column) never builds the venue model here.
        let mut preferred: Option<Vec<String>> = None;
        let everywhere = sink.config.venues.prefer_everywhere;
        for (k, uses) in groups {
            let mut counts: Vec<(&str, usize)> = Vec::new();
            for (_, v, _) in &uses {
                match counts.iter_mut().find(|(s, _)| s == v) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((v, 1)),
                }
            }
            if counts.len() < 2 {
                continue;
            }
            let preferred = preferred.get_or_insert_with(|| {
                PREFERRED
                    .iter()
                    .map(|s| s.to_string())
                    .chain(
                        crate::venue::VenueModel::builtin()
                            .venues()
                            .iter()
                            .map(|v| v.acronym.clone()),
                    )
                    .chain(sink.config.venues.preferred.iter().cloned())
                    .collect()
            });
            counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            let most = counts[0].1;
            let leaders: Vec<&str> = counts
                .iter()
                .filter(|(_, n)| *n == most)
                .map(|(s, _)| *s)
                .collect();
            // The configured spellings come last in `preferred`, so they win over built-in ones.
            let preferred_here = preferred.iter().rev().find(|p| key(p) == k).cloned();
            let (canonical, why) = match (&preferred_here, leaders.as_slice()) {
                (Some(p), _) if everywhere => (p.clone(), "the preferred spelling".to_string()),
                (_, [one]) => (
                    one.to_string(),
                    "the spelling most rows of this list use".to_string(),
                ),
                // A tie: the preferred spelling decides, when it is one of the tied ones.
                (Some(p), tied) if tied.contains(&p.as_str()) => (
                    p.clone(),
                    "the preferred spelling, which breaks the tie".to_string(),
                ),
                // A tie with no preferred spelling among them: which is right is a guess.
                _ => continue,
            };
            let spellings: Vec<String> =
                counts.iter().map(|(s, n)| format!("`{s}` ×{n}")).collect();
            for (row, v, span) in uses.iter().filter(|(_, v, _)| *v != canonical) {
                sink.push(Report {
                    rule: RuleId::VenueSpelling,
                    subject: rows.subject(*row),
                    offset: span.start,
                    message: format!(
                        "venue `{v}` is one venue written {} ways in this list ({}); proposing `{canonical}`, {why}",
                        counts.len(),
                        spellings.join(", ")
                    ),
                    url: None,
                    fix: Some(Fix {
                        start: span.start,
                        end: span.end,
                        replacement: canonical.clone(),
                    }),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::model::Finding;
    use crate::source::Source;

    fn lint(venues: &[&str], config: &Config) -> Vec<Finding> {
        let mut md = String::from("|Title|Venue|\n|-|-|\n");
        for (i, v) in venues.iter().enumerate() {
            md.push_str(&format!("|[T{i}](https://x.org/{i})|{v}|\n"));
        }
        let source = Source::new("t.md", md);
        let doc = crate::parse::parse(&source.text);
        let entries = crate::extract::extract(doc, &source.text, &config.columns);
        crate::rules::lint(&source, &entries, config)
    }

    /// (venue cells, the rows reported (0-based), the spelling proposed)
    #[test]
    fn the_majority_spelling_wins_and_preferred_ones_break_ties() {
        let cases: &[(&[&str], &[usize], &str)] = &[
            // The case: `ArXiv` everywhere, `arxiv` once.
            (
                &["ArXiv", "ArXiv", "arxiv", "ArXiv", "Nature"],
                &[2],
                "ArXiv",
            ),
            (
                &["ArXiv", "arXiv", "ArXiv", "Nature Medicine"],
                &[1],
                "ArXiv",
            ),
            // A tie: the preferred spelling decides.
            (&["ArXiv", "arXiv"], &[0], "arXiv"),
            (&["Neurips", "NeurIPS", "NIPS"], &[0], "NeurIPS"),
            // A tie with no preferred spelling among them: quiet.
            (&["Foo Journal", "foo journal"], &[], ""),
            (&["ArXiv", "ArXiv"], &[], ""),
        ];
        for (venues, rows, want) in cases {
            let found = lint(venues, &Config::default());
            let got: Vec<usize> = found.iter().map(|f| f.line - 3).collect();
            assert_eq!(&got, rows, "{venues:?}");
            for f in &found {
                assert_eq!(f.fix.as_ref().unwrap().replacement, *want, "{venues:?}");
            }
        }
    }

    #[test]
    fn messages_state_the_counts_and_why() {
        let found = lint(&["ArXiv", "ArXiv", "arxiv", "ArXiv"], &Config::default());
        assert_eq!(
            found[0].message,
            "venue `arxiv` is one venue written 2 ways in this list (`ArXiv` ×3, `arxiv` ×1); proposing `ArXiv`, the spelling most rows of this list use"
        );
        let found = lint(&["ArXiv", "arXiv"], &Config::default());
        assert!(
            found[0]
                .message
                .ends_with("proposing `arXiv`, the preferred spelling, which breaks the tie"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn the_config_can_prefer_a_spelling_everywhere() {
        let mut config = Config::default();
        config.venues.prefer_everywhere = true;
        let found = lint(&["ArXiv", "ArXiv", "arXiv"], &config);
        let got: Vec<(usize, String)> = found
            .iter()
            .map(|f| (f.line - 3, f.fix.clone().unwrap().replacement))
            .collect();
        assert_eq!(got, [(0, "arXiv".to_string()), (1, "arXiv".to_string())]);
    }
}
