//! `venue/spelling`: one venue written several ways (`ArXiv` and `arXiv`).

use super::{Report, Sink};
use crate::model::Entry;
use crate::model::Fix;
use crate::model::RuleId;
use std::collections::BTreeMap;

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

/// Reports venue cells whose spelling differs from the list's usual one for the same
/// venue (same letters and digits, ignoring case, spaces and punctuation), with a fix
/// to the preferred spelling (built in or configured), else the most frequent one.
/// A tie with no preferred spelling is not reported.
pub(crate) fn spelling(sink: &mut Sink<'_>, entries: &[Entry]) {
    let src = &sink.source.text;
    let mut groups: BTreeMap<String, Vec<(&Entry, &str)>> = BTreeMap::new();
    for e in entries {
        let (Some(venue), Some(span)) = (&e.venue, &e.venue_span) else {
            continue;
        };
        // Only plain-text cells: a cell with markup cannot be rewritten safely.
        if &src[span.clone()] != venue
            || venue.chars().count() > 60
            || !venue.chars().any(char::is_alphabetic)
        {
            continue;
        }
        groups.entry(key(venue)).or_default().push((e, venue));
    }
    let preferred: Vec<String> = PREFERRED
        .iter()
        .map(|s| s.to_string())
        .chain(sink.config.venues.preferred.iter().cloned())
        .collect();
    for (k, uses) in groups {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (_, v) in &uses {
            match counts.iter_mut().find(|(s, _)| s == v) {
                Some((_, n)) => *n += 1,
                None => counts.push((v, 1)),
            }
        }
        if counts.len() < 2 {
            continue;
        }
        let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let leaders: Vec<&str> = counts
            .iter()
            .filter(|(_, n)| *n == most)
            .map(|(s, _)| *s)
            .collect();
        // With no preferred spelling and a tie, which one is right is a guess: stay quiet.
        let Some(canonical) = preferred
            .iter()
            .rev()
            .find(|p| key(p) == k)
            .cloned()
            .or_else(|| (leaders.len() == 1).then(|| leaders[0].to_string()))
        else {
            continue;
        };
        let others: Vec<String> = counts
            .iter()
            .filter(|(s, _)| *s != canonical)
            .map(|(s, n)| format!("`{s}` ×{n}"))
            .collect();
        for (e, v) in uses.iter().filter(|(_, v)| *v != canonical) {
            let span = e.venue_span.clone().unwrap_or_default();
            sink.push(Report {
                rule: RuleId::VenueSpelling,
                entry: e,
                offset: span.start,
                message: format!(
                    "venue `{v}` is spelled `{canonical}` elsewhere in this list (spellings: {})",
                    others.join(", ")
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

#[cfg(test)]
mod tests {
    use crate::rules::testing::lint_md;

    #[test]
    fn mixed_spellings_are_fixed_to_the_preferred_one() {
        let md = "|Title|Venue|\n|-|-|\n|[A](https://x.org/a)|ArXiv|\n|[B](https://x.org/b)|arXiv|\n|[C](https://x.org/c)|ArXiv|\n|[D](https://x.org/d)|Nature Medicine|\n";
        let f = lint_md(md);
        let got: Vec<_> = f
            .iter()
            .map(|f| (f.line, f.fix.clone().unwrap().replacement))
            .collect();
        assert_eq!(
            got,
            vec![(3, "arXiv".to_string()), (5, "arXiv".to_string())]
        );
    }

    #[test]
    fn one_consistent_spelling_is_fine() {
        let md =
            "|Title|Venue|\n|-|-|\n|[A](https://x.org/a)|ArXiv|\n|[B](https://x.org/b)|ArXiv|\n";
        assert!(lint_md(md).is_empty());
    }
}
