//! Venue truth for arXiv-linked rows: `paper/published` (info: listed as a preprint,
//! or a bullet naming no venue, but Semantic Scholar or DBLP places the paper),
//! `paper/venue-mismatch` (the row names another venue, or the main conference for a
//! workshop paper) and `paper/year-mismatch` for a venue cell naming another edition
//! (`ICLR 2020` for an ICLR 2021 paper). Only confident placements speak; preprints
//! and unplaced papers stay silent, and so do rows whose arXiv record has a
//! `journal_ref` (the registry rules compare those).
//!
//! The fixes (applied with `fix.venues`) rewrite the venue cell in the list's own
//! style: the style most of its venue cells use (`ICLR 2022`, `NeurIPS'23`, `CVPR22`,
//! bare `CVPR`).

use super::{Report, Sink, excerpt, paper_of};
use crate::model::{Entry, EntrySource, Fix, PaperRef, Placement, Resolution, RuleId, VenueTruth};
use crate::scholarly::identify;
use crate::venue::{Agreement, VenueCell, VenueModel};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// How a list writes a venue with its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum VenueStyle {
    /// `ICLR 2022`
    SpaceYear,
    /// `NeurIPS'23`
    ApostropheYear,
    /// `CVPR22`
    JoinedYear,
    /// `ICLR-2022`
    DashYear,
    /// `ICLR, 2022`
    CommaYear,
    /// `CVPR`
    Bare,
}

static STYLES: LazyLock<Vec<(VenueStyle, Regex)>> = LazyLock::new(|| {
    let word = r"[A-Za-z][A-Za-z0-9&./-]*?";
    [
        (
            VenueStyle::SpaceYear,
            format!(r"^{word}\s+(?:19|20)[0-9]{{2}}$"),
        ),
        (
            VenueStyle::ApostropheYear,
            format!(r"^{word}\s?['’][0-9]{{2}}$"),
        ),
        (
            VenueStyle::JoinedYear,
            r"^[A-Za-z][A-Za-z&]*[A-Za-z][0-9]{2}$".to_string(),
        ),
        (
            VenueStyle::DashYear,
            format!(r"^{word}-(?:19|20)[0-9]{{2}}$"),
        ),
        (
            VenueStyle::CommaYear,
            format!(r"^{word},\s*(?:19|20)[0-9]{{2}}$"),
        ),
        (VenueStyle::Bare, r"^[A-Za-z][A-Za-z0-9&-]*$".to_string()),
    ]
    .into_iter()
    .map(|(s, re)| (s, Regex::new(&re).unwrap()))
    .collect()
});

/// The style of one venue cell that names a known venue and nothing else.
pub(crate) fn style_of(cell: &str, model: &VenueModel) -> Option<VenueStyle> {
    let text = cell.trim();
    let parsed = model.parse(text);
    if parsed.venue().is_none() || parsed.is_preprint() || !parsed.tracks.is_empty() {
        return None;
    }
    STYLES
        .iter()
        .find(|(_, re)| re.is_match(text))
        .map(|(s, _)| *s)
}

/// How many venue cells of a file use each style, tallied entry by entry.
#[derive(Debug, Default)]
struct StyleTally(BTreeMap<VenueStyle, usize>);

impl StyleTally {
    fn entry(&mut self, e: &Entry, model: &VenueModel) {
        if let Some(s) = e.venue.as_deref().and_then(|v| style_of(v, model)) {
            *self.0.entry(s).or_default() += 1;
        }
    }

    /// The style most venue cells use (ties to the first in [`VenueStyle`] order;
    /// `ICLR 2022` when no cell shows one).
    fn list_style(&self) -> VenueStyle {
        self.0
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map_or(VenueStyle::SpaceYear, |(s, _)| *s)
    }
}

/// A venue written in a style.
pub(crate) fn render(acronym: &str, year: Option<i32>, style: VenueStyle) -> String {
    let Some(y) = year else {
        return acronym.to_string();
    };
    match style {
        VenueStyle::SpaceYear => format!("{acronym} {y}"),
        VenueStyle::ApostropheYear => format!("{acronym}'{:02}", y % 100),
        VenueStyle::JoinedYear => format!("{acronym}{:02}", y % 100),
        VenueStyle::DashYear => format!("{acronym}-{y}"),
        VenueStyle::CommaYear => format!("{acronym}, {y}"),
        VenueStyle::Bare => acronym.to_string(),
    }
}

/// The cell text with its edition year replaced (`ICLR 2020` → `ICLR 2021`,
/// `NeurIPS'19` → `NeurIPS'20`), when the year is written once.
pub(crate) fn with_year(cell: &str, from: i32, to: i32) -> Option<String> {
    let long = from.to_string();
    if cell.matches(&long).count() == 1 {
        return Some(cell.replacen(&long, &to.to_string(), 1));
    }
    let short = Regex::new(&format!(r"(['’]|[A-Za-z]){:02}\b", from % 100)).ok()?;
    let found: Vec<_> = short.find_iter(cell).collect();
    if found.len() != 1 {
        return None;
    }
    let m = found[0];
    let lead = &cell[m.start()..m.end() - 2];
    Some(format!(
        "{}{lead}{:02}{}",
        &cell[..m.start()],
        to % 100,
        &cell[m.end()..]
    ))
}

/// How a placement reads in a message and a cell: the venue model's acronym (with
/// the publication track when there is one), else the source's name.
fn display(p: &Placement, model: &VenueModel) -> (String, bool) {
    let cell = model.parse(&p.venue);
    match cell.venue() {
        Some(v) if cell.publication_tracks().is_empty() => (v.acronym.clone(), true),
        Some(v) => {
            let tracks: Vec<&str> = cell
                .publication_tracks()
                .iter()
                .map(|t| t.name.as_str())
                .collect();
            (format!("{} {}", v.acronym, tracks.join(" ")), false)
        }
        None => (p.venue.clone(), false),
    }
}

fn named(p: &Placement, model: &VenueModel) -> String {
    let (name, _) = display(p, model);
    match p.year {
        Some(y) => format!("{name} {y}"),
        None => name,
    }
}

/// The venue-truth findings of one file, entry by entry. A fix that rewrites a
/// preprint's venue cell takes the list's own style, a majority over every venue cell
/// of the file, known only once the file is read: such fixes are completed in
/// [`Truths::finish`], so the entries need not be kept.
#[derive(Debug, Default)]
pub(super) struct Truths {
    styles: StyleTally,
    /// Findings whose fix waits for the list's style: where in the sink, and the
    /// venue and year it names.
    unstyled: Vec<(usize, String, Option<i32>)>,
}

impl Truths {
    /// The findings of one entry (none while `venues` is empty).
    pub(super) fn entry(
        &mut self,
        sink: &mut Sink<'_>,
        e: &Entry,
        papers: &BTreeMap<PaperRef, Resolution>,
        venues: &BTreeMap<String, VenueTruth>,
    ) {
        if venues.is_empty() {
            return;
        }
        let model = VenueModel::builtin();
        self.styles.entry(e, model);
        let Some((link, Resolution::Found { paper })) = paper_of(e, papers) else {
            return;
        };
        // arXiv's journal_ref already says where; the registry rules compare it.
        if paper.published_as.is_some() {
            return;
        }
        let Some(PaperRef::Arxiv(id)) = identify(&link.url) else {
            return;
        };
        let Some(truth @ VenueTruth::Published { placements }) = venues.get(&id) else {
            return;
        };
        let Some(main) = truth.main_placement() else {
            return;
        };
        let source_name = &main.source;
        let Some(row) = e.venue.as_deref().filter(|v| !v.trim().is_empty()) else {
            // A table without a venue column is not claiming anything; a bullet that
            // names no venue is.
            if e.source != EntrySource::Table {
                let message = format!(
                    "published at {} ({source_name}); the entry names no venue",
                    named(main, model)
                );
                sink.push(Report::for_link(
                    RuleId::PaperPublished,
                    e,
                    link,
                    message,
                    None,
                ));
            }
            return;
        };
        let cell = model.parse(row);
        if cell.is_preprint() || cell.unpublished {
            let (name, plain) = display(main, model);
            let fix = e
                .venue_span
                .as_ref()
                .filter(|_| plain && cell.is_preprint() && !main.workshop)
                .map(|span| Fix {
                    start: span.start,
                    end: span.end,
                    // Written in the list's style in `finish`.
                    replacement: String::new(),
                });
            let styled = fix.is_some();
            let message = format!(
                "listed as `{}`, but published at {} ({source_name})",
                excerpt(row, 60),
                named(main, model)
            );
            let before = sink.findings.len();
            sink.push(Report::for_link(
                RuleId::PaperPublished,
                e,
                link,
                message,
                fix,
            ));
            if styled && sink.findings.len() > before {
                self.unstyled.push((before, name, main.year));
            }
            return;
        }
        if cell.venue().is_none() {
            return;
        }
        compare_venue(sink, e, link, row, &cell, placements, model);
    }

    /// Writes the waiting fixes in the style most of the file's venue cells use.
    pub(super) fn finish(self, sink: &mut Sink<'_>) {
        let style = self.styles.list_style();
        for (at, name, year) in self.unstyled {
            if let Some(fix) = sink.findings[at].fix.as_mut() {
                fix.replacement = render(&name, year, style);
            }
        }
    }
}

/// A row naming a known venue against the placements: the same venue with another
/// edition year, or another venue altogether (every placement positively different).
fn compare_venue(
    sink: &mut Sink<'_>,
    e: &Entry,
    link: &crate::model::Link,
    row: &str,
    cell: &VenueCell<'_>,
    placements: &[Placement],
    model: &VenueModel,
) {
    let mut differences = 0;
    for p in placements {
        let agreement = std::iter::once(p.venue.as_str())
            .chain(p.names.iter().map(String::as_str))
            .map(|name| model.compare(cell, &model.parse(name)))
            .find(|a| *a != Agreement::Unknown)
            .unwrap_or(Agreement::Unknown);
        match agreement {
            Agreement::Same => {
                // A journal's volume year says little about the edition; a
                // conference's year is the edition.
                if let (Some(y), Some(py), false) = (cell.year, p.year, p.journal)
                    && y != py
                {
                    let fix = e.venue_span.as_ref().and_then(|span| {
                        Some(Fix {
                            start: span.start,
                            end: span.end,
                            replacement: with_year(row, y, py)?,
                        })
                    });
                    let message = format!(
                        "venue `{}` names the {y} edition, but the paper appeared at {} ({})",
                        excerpt(row, 60),
                        named(p, model),
                        p.source
                    );
                    sink.push(Report::for_link(
                        RuleId::PaperYearMismatch,
                        e,
                        link,
                        message,
                        fix,
                    ));
                }
                return;
            }
            Agreement::Different(_) => differences += 1,
            Agreement::Unknown => {}
        }
    }
    if differences == placements.len() && differences > 0 {
        let list: Vec<String> = placements.iter().map(|p| named(p, model)).collect();
        let message = format!(
            "venue `{}` does not match where the paper was published: {} ({})",
            excerpt(row, 60),
            list.join(", "),
            placements[0].source
        );
        sink.push(Report::for_link(
            RuleId::PaperVenueMismatch,
            e,
            link,
            message,
            None,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_of_venue_cells() {
        let m = VenueModel::builtin();
        let cases = [
            ("ICLR 2022", Some(VenueStyle::SpaceYear)),
            ("NeurIPS'23", Some(VenueStyle::ApostropheYear)),
            ("CVPR22", Some(VenueStyle::JoinedYear)),
            ("CVPR", Some(VenueStyle::Bare)),
            ("ICML-2021", Some(VenueStyle::DashYear)),
            ("arXiv", None),
            ("EMNLP 2023 Findings", None),
            ("Some Workshop Nobody Knows", None),
        ];
        for (cell, want) in cases {
            assert_eq!(style_of(cell, m), want, "{cell}");
        }
    }

    #[test]
    fn rendering_and_year_rewrites() {
        assert_eq!(
            render("ICLR", Some(2022), VenueStyle::SpaceYear),
            "ICLR 2022"
        );
        assert_eq!(
            render("NeurIPS", Some(2023), VenueStyle::ApostropheYear),
            "NeurIPS'23"
        );
        assert_eq!(render("CVPR", Some(2021), VenueStyle::Bare), "CVPR");
        assert_eq!(render("CVPR", Some(2009), VenueStyle::JoinedYear), "CVPR09");
        assert_eq!(
            with_year("ICLR 2020", 2020, 2021).as_deref(),
            Some("ICLR 2021")
        );
        assert_eq!(
            with_year("NeurIPS'19", 2019, 2020).as_deref(),
            Some("NeurIPS'20")
        );
        assert_eq!(
            with_year("CVPR19 (Oral)", 2019, 2020).as_deref(),
            Some("CVPR20 (Oral)")
        );
        assert_eq!(with_year("ICLR", 2020, 2021), None);
    }
}
