//! `paper/not-found`, `paper/title-mismatch`, `paper/year-mismatch`,
//! `paper/published`, `paper/venue-mismatch`: a row compared with what the
//! registries say about the paper it links.

use super::{Report, Sink, excerpt};
use crate::config::Config;
use crate::model::{Entry, Finding, Fix, Link, Paper, PaperRef, Resolution, RuleId, Severity};
use crate::scholarly::identify;
use crate::source::Source;
use crate::text::{TitleMatch, compare};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Venue names that mean "not (yet) published".
static PREPRINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(arxiv|preprint|corr|biorxiv|medrxiv|ssrn|techrxiv|chemrxiv|research square)\b",
    )
    .unwrap()
});

/// The paper behind an entry: its first paper link that names a resolved paper.
pub fn paper_of<'a>(
    e: &'a Entry,
    papers: &'a BTreeMap<PaperRef, Resolution>,
) -> Option<(&'a Link, &'a Resolution)> {
    e.paper_links().find_map(|l| {
        let r = identify(&l.url)?;
        Some((l, papers.get(&r)?))
    })
}

/// Findings for one file.
pub fn paper_findings(
    source: &Source,
    entries: &[Entry],
    papers: &BTreeMap<PaperRef, Resolution>,
    config: &Config,
) -> Vec<Finding> {
    let mut sink = Sink::new(source, config);
    for e in entries {
        let Some((link, resolution)) = paper_of(e, papers) else {
            continue;
        };
        let offset = link.anchor();
        let report = |rule, message: String, fix| Report::for_link(rule, e, link, message, fix);
        match resolution {
            Resolution::Missing { reason } => {
                sink.push(report(RuleId::PaperNotFound, reason.clone(), None))
            }
            Resolution::Unknown { .. } => {}
            Resolution::Found { paper } => {
                // A link to a given version is also right with that version's title
                // (papers get renamed between versions).
                let versioned =
                    crate::scholarly::arxiv_explicit_version(&link.url).and_then(|v| match papers
                        .get(&PaperRef::Arxiv(v))
                    {
                        Some(Resolution::Found { paper }) => Some(paper.titles.clone()),
                        _ => None,
                    });
                let with_version;
                let paper = match versioned {
                    Some(titles) => {
                        with_version = Paper {
                            titles: paper.titles.iter().cloned().chain(titles).collect(),
                            ..paper.clone()
                        };
                        &with_version
                    }
                    None => paper,
                };
                title(&mut sink, e, link, paper, offset);
                year(&mut sink, e, paper, offset, link);
                venue(&mut sink, e, paper, offset, link, config);
            }
        }
    }
    sink.findings
}

fn title(sink: &mut Sink<'_>, e: &Entry, link: &Link, paper: &Paper, offset: usize) {
    let Some(row) = &e.title else { return };
    let Some(current) = paper.titles.first() else {
        return;
    };
    // A short name ("BioGPT") is a label, not a title to compare.
    if row.split_whitespace().count() < 4 {
        return;
    }
    let best = paper
        .titles
        .iter()
        .map(|t| compare(row, t))
        .min_by_key(|m| match m {
            TitleMatch::Same => 0,
            TitleMatch::Minor => 1,
            TitleMatch::Different => 2,
        });
    let (cap, what) = match best {
        Some(TitleMatch::Same) | None => return,
        Some(TitleMatch::Minor) => (Severity::Info, "differs slightly from"),
        Some(TitleMatch::Different) => (Severity::Error, "is not"),
    };
    // The fix rewrites the link text, when the title is that text and plain.
    let fix = link
        .text_span
        .as_ref()
        .filter(|s| sink.source.text[(*s).clone()] == *row && link.text == *row)
        .map(|s| Fix {
            start: s.start,
            end: s.end,
            replacement: current.clone(),
        });
    let message = format!(
        "title `{}` {what} the {} title `{}`",
        excerpt(row, 80),
        paper.source,
        excerpt(current, 120)
    );
    sink.push_capped(
        Report {
            rule: RuleId::PaperTitleMismatch,
            entry: e,
            offset,
            message,
            url: Some(link.url.clone()),
            fix,
        },
        cap,
    );
}

fn year(sink: &mut Sink<'_>, e: &Entry, paper: &Paper, offset: usize, link: &Link) {
    let Some(row) = e.year else { return };
    let known: Vec<i32> = [paper.preprint_year, paper.year]
        .into_iter()
        .flatten()
        .collect();
    if known.is_empty() || known.contains(&row) {
        return;
    }
    let said = match (paper.preprint_year, paper.year) {
        (Some(p), Some(y)) if p != y => format!("preprint {p}, published {y}"),
        (Some(p), _) => p.to_string(),
        (None, Some(y)) => y.to_string(),
        _ => return,
    };
    sink.push(Report {
        rule: RuleId::PaperYearMismatch,
        entry: e,
        offset,
        message: format!("year {row} does not match {} ({said})", paper.source),
        url: Some(link.url.clone()),
        fix: None,
    });
}

fn venue(
    sink: &mut Sink<'_>,
    e: &Entry,
    paper: &Paper,
    offset: usize,
    link: &Link,
    config: &Config,
) {
    let Some(row) = &e.venue else { return };
    if PREPRINT.is_match(row) {
        if let Some(published) = &paper.published_as {
            let year = paper.year.map(|y| format!(" ({y})")).unwrap_or_default();
            sink.push(Report {
                rule: RuleId::PaperPublished,
                entry: e,
                offset,
                message: format!(
                    "listed as `{row}`, but the preprint was published: {}{year}",
                    excerpt(published, 100)
                ),
                url: Some(link.url.clone()),
                fix: None,
            });
        }
        return;
    }
    // arXiv's journal_ref is free text; only structured venues are compared.
    if paper.source == "arXiv" || paper.venues.is_empty() {
        return;
    }
    if paper
        .venues
        .iter()
        .any(|v| venue_matches(row, v, &config.metadata.venue_aliases))
    {
        return;
    }
    sink.push(Report {
        rule: RuleId::PaperVenueMismatch,
        entry: e,
        offset,
        message: format!(
            "venue `{}` does not match {}'s `{}`",
            excerpt(row, 60),
            paper.source,
            excerpt(&paper.venues[0], 100)
        ),
        url: Some(link.url.clone()),
        fix: None,
    });
}

/// Built-in aliases: canonical name (as registries write it) → names lists use.
const ALIASES: &[(&str, &[&str])] = &[
    ("Nature Medicine", &["Nat Med", "Nat. Med."]),
    (
        "npj Digital Medicine",
        &["NPJ Digit Med", "npj Digit. Med."],
    ),
    (
        "Nature Biomedical Engineering",
        &["Nat Biomed Eng", "Nat. Biomed. Eng."],
    ),
    (
        "Nature Machine Intelligence",
        &["Nat Mach Intell", "Nat. Mach. Intell."],
    ),
    (
        "Advances in Neural Information Processing Systems",
        &["NeurIPS", "NIPS"],
    ),
    (
        "International Conference on Learning Representations",
        &["ICLR"],
    ),
    ("International Conference on Machine Learning", &["ICML"]),
    (
        "Medical Image Computing and Computer Assisted Intervention",
        &["MICCAI"],
    ),
    (
        "Briefings in Bioinformatics",
        &["Brief Bioinform", "Brief. Bioinform."],
    ),
    (
        "Workshop on Biomedical Language Processing",
        &["BioNLP", "ACL-BioNLP"],
    ),
    (
        "Clinical Natural Language Processing Workshop",
        &["ClinicalNLP", "ACL-ClinicalNLP"],
    ),
    (
        "ACM Transactions on Computing for Healthcare",
        &["ACM TCH", "HEALTH"],
    ),
    ("Conference on Health, Inference, and Learning", &["CHIL"]),
    ("PLoS ONE", &["PLOS ONE", "PLoS One"]),
];

/// Words that do not tell venues apart.
const FILLER: &[&str] = &[
    "proceedings",
    "of",
    "the",
    "on",
    "in",
    "and",
    "for",
    "annual",
    "conference",
    "international",
    "workshop",
    "joint",
    "meeting",
    "st",
    "nd",
    "rd",
    "th",
    "ieee",
    "cvf",
    "acm",
    "volume",
    "part",
];

fn words(s: &str) -> Vec<String> {
    // Numbers and ordinals ("2022", "21st") say which edition, not which venue.
    let edition = |w: &str| {
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    };
    crate::text::loose(s)
        .split_whitespace()
        .filter(|w| !FILLER.contains(w) && !edition(w))
        .map(String::from)
        .collect()
}

/// Whether a row's venue names the registry's venue: equal words, an alias, the
/// acronym of its words, or an acronym (upper-case word) of the row found among
/// them. "Findings of …" is its own venue: it never matches the main conference.
pub fn venue_matches(row: &str, registry: &str, extra: &BTreeMap<String, Vec<String>>) -> bool {
    let (r, g) = (words(row), words(registry));
    if r.is_empty() || g.is_empty() {
        return true;
    }
    if r.contains(&"findings".to_string()) != g.contains(&"findings".to_string()) {
        return false;
    }
    if r == g {
        return true;
    }
    let aliases = ALIASES
        .iter()
        .map(|(c, a)| {
            (
                c.to_string(),
                a.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        })
        .chain(extra.iter().map(|(c, a)| (c.clone(), a.clone())));
    for (canonical, names) in aliases {
        let c = words(&canonical);
        let in_registry = !c.is_empty() && c.iter().all(|w| g.contains(w));
        if in_registry && (names.iter().any(|n| words(n) == r) || r == c) {
            return true;
        }
    }
    let acronym: String = g.iter().filter_map(|w| w.chars().next()).collect();
    let row_joined: String = r.concat();
    if acronym == row_joined {
        return true;
    }
    // "MICCAI" within "Medical Image Computing … – MICCAI 2023", "EMNLP" within
    // "Proceedings of EMNLP 2022": only for acronyms, so "Nature" ≠ "Nature Medicine".
    let is_acronym = |w: &str| {
        w.len() >= 3
            && w.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    let upper: Vec<String> = row
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| is_acronym(w))
        .map(|w| w.to_lowercase())
        .collect();
    !upper.is_empty() && upper.iter().all(|w| g.contains(w))
}

#[cfg(test)]
mod tests {
    use super::venue_matches;
    use std::collections::BTreeMap;

    #[test]
    fn venue_matching() {
        let none = BTreeMap::new();
        let yes = [
            ("Nature Medicine", "Nature Medicine"),
            ("Nat Med", "Nature Medicine"),
            (
                "NeurIPS",
                "Advances in Neural Information Processing Systems",
            ),
            (
                "MICCAI",
                "Medical Image Computing and Computer Assisted Intervention – MICCAI 2023",
            ),
            (
                "EMNLP",
                "Proceedings of the 2022 Conference on Empirical Methods in Natural Language Processing",
            ),
            (
                "ACL-BioNLP",
                "Proceedings of the 21st Workshop on Biomedical Language Processing",
            ),
            ("Bioinformatics", "Bioinformatics"),
            (
                "ICCV",
                "Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)",
            ),
        ];
        for (row, reg) in yes {
            assert!(venue_matches(row, reg, &none), "{row} / {reg}");
        }
        let no = [
            ("Nature", "Nature Medicine"),
            (
                "EMNLP",
                "Findings of the Association for Computational Linguistics: EMNLP 2022",
            ),
            (
                "CVPR",
                "Medical Image Computing and Computer Assisted Intervention",
            ),
        ];
        for (row, reg) in no {
            assert!(!venue_matches(row, reg, &none), "{row} / {reg}");
        }
        let extra = BTreeMap::from([("Journal of Foo".to_string(), vec!["JFoo".to_string()])]);
        assert!(venue_matches("JFoo", "Journal of Foo", &extra));
    }
}
