//! `paper/not-found`, `paper/title-mismatch`, `paper/year-mismatch`,
//! `paper/published`, `paper/venue-mismatch`: a row compared with what the
//! registries say about the paper it links.

use super::{Report, Sink, excerpt};
use crate::config::{Config, VenueEntryKind};
use crate::model::{Entry, Fix, Link, Paper, PaperRef, Resolution, RuleId, Severity, VenueTruth};
use crate::scholarly::identify;
use crate::text::{TitleMatch, compare};
use crate::venue::{Agreement, Difference, VenueCell, VenueKind, VenueModel, VenueSpec};
use regex::Regex;
use std::borrow::Cow;
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
pub fn paper_of<'a, 's>(
    e: &'a Entry<'s>,
    papers: &'a BTreeMap<PaperRef, Resolution>,
) -> Option<(&'a Link<'s>, &'a Resolution)> {
    e.paper_links().find_map(|l| {
        let r = identify(&l.url)?;
        Some((l, papers.get(&r)?))
    })
}

/// The findings of one entry against the registries' word on its paper. `model` is
/// [`venue_model`]'s, made once per file.
///
/// `venues` is the venue truth (Semantic Scholar, DBLP) by arXiv id: where it knows an
/// arXiv paper, it, not the record's own comments, says where the paper went (the
/// venue-truth rules compare it), so the comments are not compared again.
pub(super) fn entry(
    sink: &mut Sink<'_>,
    e: &Entry,
    papers: &BTreeMap<PaperRef, Resolution>,
    venues: &BTreeMap<String, VenueTruth>,
    model: &VenueModel,
) {
    let Some((link, resolution)) = paper_of(e, papers) else {
        return;
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
            let versioned = crate::scholarly::arxiv_explicit_version(&link.url).and_then(|v| {
                match papers.get(&PaperRef::Arxiv(v)) {
                    Some(Resolution::Found { paper }) => Some(paper.titles.clone()),
                    _ => None,
                }
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
            title(sink, e, link, paper, offset);
            let placed = match identify(&link.url) {
                Some(PaperRef::Arxiv(id)) => matches!(
                    venues.get(&id),
                    Some(VenueTruth::Published { .. } | VenueTruth::PreprintOnly)
                ),
                _ => false,
            };
            // The venue truth's placements may be among the record's venues too;
            // only the record's own journal_ref stays ours to compare.
            let without_comment;
            let paper = if placed && paper.source == "arXiv" {
                without_comment = Paper {
                    comment: None,
                    venues: if paper.published_as.is_some() {
                        paper.venues.clone()
                    } else {
                        Vec::new()
                    },
                    ..paper.clone()
                };
                &without_comment
            } else {
                paper
            };
            let venue_years: Vec<i32> = if paper.source == "arXiv" {
                registry_venues(model, paper)
                    .iter()
                    .filter_map(|(_, c)| c.year)
                    .collect()
            } else {
                Vec::new()
            };
            year(sink, e, paper, &venue_years, offset, link);
            venue(sink, e, paper, offset, link, model);
        }
    }
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
            subject: e.into(),
            offset,
            message,
            url: Some(link.url.to_string()),
            fix,
        },
        cap,
    );
}

/// The year a row gives against every date the registry knows. A row may give the
/// preprint year or any publication year. One year below the publication with no
/// preprint date known (the preprint came first), or one above the arXiv v1 with no
/// publication date known (the venue year of a paper posted the year before), is at
/// most info; any other year is a mismatch.
fn year(
    sink: &mut Sink<'_>,
    e: &Entry,
    paper: &Paper,
    venue_years: &[i32],
    offset: usize,
    link: &Link,
) {
    let Some(row) = e.year else { return };
    let mut published: Vec<i32> = paper
        .year
        .into_iter()
        .chain(paper.years.iter().copied())
        .chain(venue_years.iter().copied())
        .collect();
    published.sort_unstable();
    published.dedup();
    let preprint = paper.preprint_year;
    if preprint == Some(row)
        || published.contains(&row)
        || (preprint.is_none() && published.is_empty())
    {
        return;
    }
    let first_published = published.first().copied();
    let near = (preprint.is_none() && first_published == Some(row + 1))
        || (published.is_empty() && preprint == Some(row - 1));
    let mut said = Vec::new();
    if let Some(p) = preprint {
        said.push(format!("first posted {p}"));
    }
    if !published.is_empty() {
        let years: Vec<String> = published.iter().map(i32::to_string).collect();
        said.push(format!("published {}", years.join(", ")));
    }
    let message = if near {
        format!(
            "year {row} is not a year {} gives ({}); likely the {} year, which it does not know",
            paper.source,
            said.join("; "),
            if preprint.is_none() {
                "preprint"
            } else {
                "venue"
            }
        )
    } else {
        format!(
            "year {row} does not match {} ({})",
            paper.source,
            said.join("; ")
        )
    };
    sink.push_capped(
        Report {
            rule: RuleId::PaperYearMismatch,
            subject: e.into(),
            offset,
            message,
            url: Some(link.url.to_string()),
            fix: None,
        },
        if near {
            Severity::Info
        } else {
            Severity::Error
        },
    );
}

/// Venue strings of an arXiv record: its `journal_ref`, and the clauses of its
/// comments that say where it was accepted ("Published at ICLR 2023", "NeurIPS 2022
/// camera-ready"), not where an earlier or later version went ("Extended version of
/// our CVPR paper").
fn arxiv_venue_strings(paper: &Paper) -> Vec<String> {
    static URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\S+://\S+|\S+\.(?:com|org|io|net)\S*").unwrap());
    static ACCEPTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:accepted|published|to appear|appears?|appeared|presented|camera[- ]ready|in proceedings)\b").unwrap()
    });
    static ELSEWHERE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:extend(?:s|ed)?|extension|version of|previous|preliminary|earlier|based on|submitted|submission|under review|superse\w+|journal version|short version|long version)\b").unwrap()
    });
    let mut out: Vec<String> = paper.venues.clone();
    if let Some(comment) = &paper.comment {
        let comment = URL.replace_all(comment, " ");
        for clause in comment.split([';', '\n']).flat_map(|c| c.split(". ")) {
            let clause = clause.trim();
            if clause.is_empty() || ELSEWHERE.is_match(clause) {
                continue;
            }
            let starts_with_venue = VenueModel::builtin()
                .parse(clause.split([',', '(']).next().unwrap_or(""))
                .venue()
                .is_some();
            if ACCEPTED.is_match(clause) || starts_with_venue {
                out.push(clause.to_string());
            }
        }
    }
    out
}

/// The venue strings to compare a row with, read with the venue model. For an arXiv
/// record (self-reported, free text) only when they name one venue and no other.
fn registry_venues<'m>(model: &'m VenueModel, paper: &Paper) -> Vec<(String, VenueCell<'m>)> {
    if paper.source != "arXiv" {
        return paper
            .venues
            .iter()
            .map(|v| (v.clone(), model.parse(v)))
            .collect();
    }
    let cells: Vec<(String, VenueCell<'m>)> = arxiv_venue_strings(paper)
        .into_iter()
        .map(|v| {
            let cell = model.parse(&v);
            (v, cell)
        })
        .filter(|(_, c)| c.venue().is_some() && !c.is_preprint() && !c.unpublished)
        .collect();
    let named: Vec<&str> = cells
        .iter()
        .flat_map(|(_, c)| c.venues.iter().map(|v| v.acronym.as_str()))
        .collect();
    if named.is_empty() || named.iter().any(|v| *v != named[0]) {
        return Vec::new();
    }
    cells
}

/// The venue model with the config's venues and aliases.
pub(super) fn venue_model(config: &Config) -> Cow<'static, VenueModel> {
    let aliases = &config.metadata.venue_aliases;
    if config.venues.known.is_empty() && aliases.is_empty() {
        return Cow::Borrowed(VenueModel::builtin());
    }
    let venues: BTreeMap<String, VenueSpec> = config
        .venues
        .known
        .iter()
        .map(|(acronym, v)| {
            let kind = match v.kind {
                VenueEntryKind::Conference => VenueKind::Conference,
                VenueEntryKind::Journal => VenueKind::Journal,
                VenueEntryKind::Workshop => VenueKind::Workshop,
                VenueEntryKind::Preprint => VenueKind::Preprint,
                VenueEntryKind::Series => VenueKind::Series,
            };
            let spec = VenueSpec {
                acronym: acronym.clone(),
                kind,
                names: v.names.clone(),
                aliases: v.aliases.clone(),
                dblp: v.dblp.clone(),
            };
            (acronym.clone(), spec)
        })
        .collect();
    Cow::Owned(VenueModel::builtin().extended(&venues, aliases))
}

fn venue(
    sink: &mut Sink<'_>,
    e: &Entry,
    paper: &Paper,
    offset: usize,
    link: &Link,
    model: &VenueModel,
) {
    let Some(row) = &e.venue else { return };
    let row_cell = model.parse(row);
    if row_cell.is_preprint() || row_cell.venue().is_none() && PREPRINT.is_match(row) {
        if let Some(published) = &paper.published_as {
            let year = paper.year.map(|y| format!(" ({y})")).unwrap_or_default();
            sink.push(Report {
                rule: RuleId::PaperPublished,
                subject: e.into(),
                offset,
                message: format!(
                    "listed as `{row}`, but the preprint was published: {}{year}",
                    excerpt(published, 100)
                ),
                url: Some(link.url.to_string()),
                fix: None,
            });
        }
        return;
    }
    let registry = registry_venues(model, paper);
    let mut difference = None;
    for (text, cell) in &registry {
        match model.compare(&row_cell, cell) {
            Agreement::Same => return,
            // An arXiv record's own words ("CHIL 2020 Workshop") are too loose to hold a
            // row to a track: only another venue altogether counts.
            Agreement::Different(Difference::Track { .. }) if paper.source == "arXiv" => {}
            Agreement::Different(d) if difference.is_none() => difference = Some((text, d)),
            _ => {}
        }
    }
    let Some((text, difference)) = difference else {
        return;
    };
    let why = match difference {
        Difference::Venue { row, registry } => format!("{row} is not {registry}"),
        Difference::Track { row, registry } => format!(
            "{} is not {}",
            row.map_or("the main track".to_string(), |t| format!("the {t} track")),
            registry.map_or("the main track".to_string(), |t| format!("the {t} track"))
        ),
    };
    let whose = if paper.source == "arXiv" {
        "arXiv record's".to_string()
    } else {
        format!("{}'s", paper.source)
    };
    sink.push(Report {
        rule: RuleId::PaperVenueMismatch,
        subject: e.into(),
        offset,
        message: format!(
            "venue `{}` does not match the {whose} `{}` ({why})",
            excerpt(row, 60),
            excerpt(text, 100),
        ),
        url: Some(link.url.to_string()),
        fix: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arxiv_comments_name_a_venue_only_when_accepted_there() {
        let paper = |comment: &str| Paper {
            source: "arXiv".into(),
            comment: Some(comment.into()),
            ..Paper::default()
        };
        let m = VenueModel::builtin();
        let named = |comment: &str| -> Vec<String> {
            registry_venues(m, &paper(comment))
                .iter()
                .filter_map(|(_, c)| c.venue().map(|v| v.acronym.clone()))
                .collect()
        };
        assert_eq!(
            named("Published at ICLR 2023. V2: added PaLM results"),
            ["ICLR"]
        );
        assert_eq!(named("NeurIPS 2022"), ["NeurIPS"]);
        assert_eq!(named("CVPR 2018 camera-ready"), ["CVPR"]);
        assert_eq!(named("9 pages, 3 figures; accepted by AAAI 2021"), ["AAAI"]);
        assert!(named("15 pages, 5 figures").is_empty());
        assert!(named("Extended version of our CVPR 2021 paper").is_empty());
        assert!(named("Extended NeurIPS submission").is_empty());
        assert!(named("Code: https://github.com/ACL/x").is_empty());
        // Two venues named: ambiguous, so nothing is compared.
        assert!(
            named("Accepted at ICML 2023; an earlier version at the NeurIPS 2022 workshop").len()
                <= 1
        );
        assert!(named("Accepted at ICML 2023 and NeurIPS 2022").is_empty());
    }
}
