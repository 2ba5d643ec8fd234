//! The structural rules: from entries to findings. Rule ids and default severities
//! live in [`crate::model::RULES`]; the config may change a severity or switch a rule
//! off.
//!
//! The offline rules run as the file is read ([`Linter`]): they see each batch of
//! entries once and keep only what a later finding needs (a year per row for the
//! order of its table, a hash per paper link for duplicates, a venue cell per row for
//! spelling, and of the rows those name, where they start, their title and section).
//! A long list is therefore linted without its entries being kept.

mod duplicate;
mod link;
mod paper;
mod structure;
mod url;
mod venue;
mod venue_truth;
mod year;

use crate::config::Config;
use crate::model::{
    Entry, Finding, Fix, PaperRef, Resolution, RuleId, Section, Severity, TableOrder, VenueTruth,
};
use crate::source::Source;
use std::collections::BTreeMap;

pub use paper::paper_of;

/// Collects findings for one file, applying the configured severities.
pub struct Sink<'a> {
    source: &'a Source,
    /// The file as findings name it, made once.
    file: std::sync::Arc<str>,
    config: &'a Config,
    findings: Vec<Finding>,
}

/// The row a finding is about, as the finding names it.
#[derive(Clone, Copy)]
pub struct Subject<'e> {
    /// The row's heading path.
    pub section: &'e Section,
    /// The row's title, when it has one.
    pub title: Option<&'e str>,
}

impl<'e> From<&'e Entry<'e>> for Subject<'e> {
    fn from(e: &'e Entry<'e>) -> Self {
        Subject {
            section: &e.section,
            title: e.title.as_deref(),
        }
    }
}

/// What a rule says about one place; the sink adds position and severity.
pub struct Report<'e> {
    /// The rule.
    pub rule: RuleId,
    /// The row concerned.
    pub subject: Subject<'e>,
    /// Byte offset pointed at.
    pub offset: usize,
    /// One-line message.
    pub message: String,
    /// The URL concerned.
    pub url: Option<String>,
    /// The repair.
    pub fix: Option<Fix>,
}

impl<'e> Report<'e> {
    /// A report about a link, pointing at its destination.
    pub fn for_link(
        rule: RuleId,
        entry: &'e Entry<'e>,
        link: &crate::model::Link<'_>,
        message: String,
        fix: Option<Fix>,
    ) -> Self {
        Report {
            rule,
            subject: entry.into(),
            offset: link.anchor(),
            message,
            url: Some(link.url.to_string()),
            fix,
        }
    }
}

impl<'a> Sink<'a> {
    /// An empty sink for one file.
    pub fn new(source: &'a Source, config: &'a Config) -> Self {
        Sink {
            source,
            file: source.display_path().into(),
            config,
            findings: Vec::new(),
        }
    }

    fn enabled(&self, rule: RuleId) -> bool {
        self.config.severity(rule).is_some()
    }

    fn push(&mut self, r: Report<'_>) {
        self.push_capped(r, Severity::Error);
    }

    /// Like `push`, for an `entry/order` finding that carries its table's direction.
    fn push_in_order(&mut self, r: Report<'_>, order: TableOrder) {
        self.push(r);
        if let Some(f) = self.findings.last_mut() {
            f.table_order = Some(order);
        }
    }

    /// Like `push`, but never above `cap`: for findings of a rule that are likely
    /// deliberate (a paper listed again under another heading).
    fn push_capped(&mut self, r: Report<'_>, cap: Severity) {
        let Some(severity) = self.config.severity(r.rule) else {
            return;
        };
        let severity = severity.min(cap);
        let pos = self.source.position(r.offset);
        // `format!` guesses a message's capacity, often twice its length; a long list
        // keeps tens of thousands of findings until the report is written.
        let mut message = r.message;
        message.shrink_to_fit();
        self.findings.push(Finding {
            rule: r.rule,
            severity,
            file: self.file.clone(),
            line: pos.line,
            column: pos.column,
            section: r.subject.section.clone(),
            title: r.subject.title.map(String::from),
            url: r.url,
            message,
            fix: r.fix.map(Box::new),
            offset: r.offset,
            table_order: None,
        });
    }
}

/// Runs every enabled rule over the entries of one file. Findings come back in
/// source order.
pub fn lint(source: &Source, entries: &[Entry], config: &Config) -> Vec<Finding> {
    let mut linter = Linter::new(source, config);
    linter.entries(entries);
    linter.finish()
}

/// The offline rules of one file, run batch by batch as the file is read
/// (`extract::for_each_batch`): [`Linter::entries`] for each batch in source order,
/// then [`Linter::finish`]. The result is [`lint`]'s over all the entries at once.
pub struct Linter<'a> {
    sink: Sink<'a>,
    rows: Rows<'a>,
    cell_count: bool,
    empty_link: bool,
    /// The latest year `entry/year-invalid` accepts, when it is on.
    year_invalid: Option<i32>,
    malformed: bool,
    missing_link: Option<structure::MissingLink>,
    order: Option<year::Order>,
    duplicate: Option<duplicate::Duplicates>,
    spelling: Option<venue::Spelling<'a>>,
}

impl<'a> Linter<'a> {
    /// A linter for one file with the enabled rules of `config`.
    pub fn new(source: &'a Source, config: &'a Config) -> Self {
        let sink = Sink::new(source, config);
        let on = |rule| sink.enabled(rule);
        // What the rules keep grows with the rows: room for as many as the file can
        // have is asked for at once.
        let rows = source.rows_at_most();
        Linter {
            cell_count: on(RuleId::TableCellCount),
            empty_link: on(RuleId::EntryEmptyLink),
            year_invalid: on(RuleId::EntryYearInvalid).then(year::latest_year),
            malformed: on(RuleId::UrlMalformed),
            missing_link: on(RuleId::EntryMissingLink).then(Default::default),
            order: on(RuleId::EntryOrder).then(Default::default),
            duplicate: on(RuleId::EntryDuplicate)
                .then(|| duplicate::Duplicates::with_capacity(rows)),
            spelling: on(RuleId::VenueSpelling).then(Default::default),
            rows: Rows::new(&source.text, rows),
            sink,
        }
    }

    /// Lints the next entries of the file, in source order.
    pub fn entries(&mut self, batch: &[Entry<'a>]) {
        let sink = &mut self.sink;
        let rows = &mut self.rows;
        for e in batch {
            if self.cell_count {
                structure::cell_count(sink, e);
            }
            if let Some(rule) = self.missing_link.as_mut() {
                rule.entry(rows, e);
            }
            if self.empty_link {
                structure::empty_link(sink, e);
            }
            if let Some(latest) = self.year_invalid {
                year::year_invalid(sink, e, latest);
            }
            if let Some(rule) = self.order.as_mut() {
                rule.entry(rows, e);
            }
            if let Some(rule) = self.duplicate.as_mut() {
                rule.entry(sink, rows, e);
            }
            if self.malformed {
                url::malformed(sink, e);
            }
            if let Some(rule) = self.spelling.as_mut() {
                rule.entry(sink.source, rows, e);
            }
        }
    }

    /// The findings of the whole file, in source order.
    pub fn finish(mut self) -> Vec<Finding> {
        if let Some(rule) = self.missing_link.take() {
            rule.finish(&mut self.sink, &self.rows);
        }
        if let Some(rule) = self.order.take() {
            rule.finish(&mut self.sink, &self.rows);
        }
        if let Some(rule) = self.spelling.take() {
            rule.finish(&mut self.sink, &self.rows);
        }
        let mut findings = self.sink.findings;
        in_source_order(&mut findings);
        findings
    }
}

/// What the network stages found, as the network rules read it: each URL's status,
/// each paper's resolution, and the venue truth of arXiv papers by id.
#[derive(Clone, Copy)]
pub struct Verdicts<'v> {
    /// Link statuses by URL as written.
    pub links: &'v crate::model::LinkResults,
    /// Resolutions by paper reference.
    pub papers: &'v BTreeMap<PaperRef, Resolution>,
    /// Where arXiv papers were published, by arXiv id.
    pub venues: &'v BTreeMap<String, VenueTruth>,
}

/// The network rules of one file (`link/*`, `paper/*`), fed batch by batch like
/// [`Linter`]: [`NetworkLinter::entries`] for each batch in source order, then
/// [`NetworkLinter::finish`]. Nothing of an entry is kept, so the findings can be
/// made from a second read of the file instead of from its kept entries, with the
/// same result wherever the batches were cut.
pub struct NetworkLinter<'a> {
    verdicts: Verdicts<'a>,
    links: Sink<'a>,
    papers: Sink<'a>,
    truths: Sink<'a>,
    truth: venue_truth::Truths,
    /// The venue model with the config's venues, made at the first entry with a
    /// resolved paper (most lists with no paper need none).
    model: Option<std::borrow::Cow<'static, crate::venue::VenueModel>>,
    config: &'a Config,
}

impl<'a> NetworkLinter<'a> {
    /// A linter for one file against `verdicts`.
    pub fn new(source: &'a Source, config: &'a Config, verdicts: Verdicts<'a>) -> Self {
        NetworkLinter {
            verdicts,
            links: Sink::new(source, config),
            papers: Sink::new(source, config),
            truths: Sink::new(source, config),
            truth: venue_truth::Truths::default(),
            model: None,
            config,
        }
    }

    /// Makes the findings of the next entries of the file, in source order.
    pub fn entries(&mut self, batch: &[Entry<'_>]) {
        let Verdicts {
            links,
            papers,
            venues,
        } = self.verdicts;
        for e in batch {
            link::entry(&mut self.links, e, links);
        }
        // Every paper finding needs a resolution: with none, the rows need not be read.
        if papers.is_empty() {
            return;
        }
        let config = self.config;
        let model = self.model.get_or_insert_with(|| paper::venue_model(config));
        for e in batch {
            paper::entry(&mut self.papers, e, papers, venues, model);
        }
        for e in batch {
            self.truth.entry(&mut self.truths, e, papers, venues);
        }
    }

    /// The findings of the whole file: the link findings, then the paper findings,
    /// then the venue truth's, each in source order.
    pub fn finish(mut self) -> Vec<Finding> {
        self.truth.finish(&mut self.truths);
        let mut findings = self.links.findings;
        findings.append(&mut self.papers.findings);
        findings.append(&mut self.truths.findings);
        findings
    }
}

/// Adds `more` findings (a file's network findings) to `findings` (its offline
/// ones), all then in source order. The fewer join the more: a long list's tens of
/// thousands are not copied into a new vector while the old one is still held.
pub fn join_in_source_order(findings: &mut Vec<Finding>, mut more: Vec<Finding>) {
    if more.len() > findings.len() {
        std::mem::swap(findings, &mut more);
    }
    findings.append(&mut more);
    in_source_order(findings);
}

/// Sorts findings by place, then rule (then message, so that the order never depends
/// on the order the rules ran in). Unstable: a stable sort borrows a buffer of up to
/// all the findings (8 MB for the 56,000 of a long list), and the key is total anyway.
fn in_source_order(findings: &mut [Finding]) {
    findings.sort_unstable_by(|a, b| {
        (a.offset, a.rule, &a.message, &a.url).cmp(&(b.offset, b.rule, &b.message, &b.url))
    });
}

/// What the rules keep of a row that a finding made later (when its table or the
/// file is complete) names: where it starts, its title and its section. A long list
/// keeps one per row, so it is small: 16 bytes, offsets in 32 bits
/// ([`source::MAX_LEN`](crate::source::MAX_LEN)), the title as a place in the source
/// (or in [`Rows::titles`] when rendering changed it), not a `Cow` of 24 bytes.
struct Row {
    start: u32,
    title: Title,
    /// Index into [`Rows::sections`].
    section: u32,
}

/// Where a kept row's title is: a byte range of the source, or of [`Rows::titles`]
/// when the top bit of `len` is set; `len == u32::MAX` is no title. 8 bytes, where an
/// enum of two ranges takes 12.
#[derive(Clone, Copy)]
struct Title {
    at: u32,
    len: u32,
}

impl Title {
    const KEPT: u32 = 1 << 31;
    const NONE: Title = Title {
        at: 0,
        len: u32::MAX,
    };
}

/// The rows the rules keep, each once however many rules keep it.
struct Rows<'a> {
    src: &'a str,
    rows: Vec<Row>,
    /// The sections of the rows kept; a run of rows shares one.
    sections: Vec<Section>,
    /// The titles that are not a slice of the source, one after another.
    titles: String,
}

impl<'a> Rows<'a> {
    fn new(src: &'a str, capacity: usize) -> Self {
        Rows {
            src,
            rows: Vec::with_capacity(capacity),
            sections: Vec::new(),
            titles: String::new(),
        }
    }

    /// The index of `e`'s row, kept if it was not yet.
    fn keep(&mut self, e: &Entry<'a>) -> u32 {
        let start = offset32(e.span.start);
        if let Some(last) = self.rows.last()
            && last.start == start
        {
            return (self.rows.len() - 1) as u32;
        }
        if !self
            .sections
            .last()
            .is_some_and(|s| std::sync::Arc::ptr_eq(s, &e.section))
        {
            self.sections.push(e.section.clone());
        }
        let title = e.title.as_deref().map_or(Title::NONE, |t| self.title_of(t));
        self.rows.push(Row {
            start,
            title,
            section: (self.sections.len() - 1) as u32,
        });
        (self.rows.len() - 1) as u32
    }

    /// Where `title` is: in the source when it is a slice of it, else copied.
    fn title_of(&mut self, title: &str) -> Title {
        let range = |at: usize| {
            let len = u32::try_from(title.len())
                .ok()
                .filter(|&l| l < Title::KEPT)?;
            Some((u32::try_from(at).ok()?, len))
        };
        // A borrowed title points into the source; its offset is the difference of
        // the two addresses.
        let at = (title.as_ptr() as usize).wrapping_sub(self.src.as_ptr() as usize);
        if at
            .checked_add(title.len())
            .is_some_and(|end| end <= self.src.len())
            && let Some((at, len)) = range(at)
        {
            return Title { at, len };
        }
        match range(self.titles.len()) {
            Some((at, len)) => {
                self.titles.push_str(title);
                Title {
                    at,
                    len: len | Title::KEPT,
                }
            }
            // More than 4 GB of rewritten titles (or one of 2 GB): the finding goes
            // without one.
            None => Title::NONE,
        }
    }

    fn start(&self, row: u32) -> usize {
        self.rows[row as usize].start as usize
    }

    fn section(&self, row: u32) -> &Section {
        &self.sections[self.rows[row as usize].section as usize]
    }

    fn title(&self, row: u32) -> Option<&str> {
        let Title { at, len } = self.rows[row as usize].title;
        if len == Title::NONE.len {
            return None;
        }
        let range = at as usize..at as usize + (len & !Title::KEPT) as usize;
        if len & Title::KEPT == 0 {
            self.src.get(range)
        } else {
            self.titles.get(range)
        }
    }

    /// The row as a finding names it.
    fn subject(&self, row: u32) -> Subject<'_> {
        Subject {
            section: self.section(row),
            title: self.title(row),
        }
    }
}

pub use crate::text::excerpt;

/// An offset into a file, as the rules keep it for a later finding. A file is read
/// whole and is at most [`MAX_LEN`](crate::source::MAX_LEN) bytes, so every offset
/// fits (a text made in memory beyond that saturates, pointing at its last place).
fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::config::Config;
    use crate::model::Finding;
    use crate::source::Source;

    /// Parses, extracts and lints markdown text with the default config.
    pub(crate) fn lint_md(md: &str) -> Vec<Finding> {
        let source = Source::new("t.md", md.to_string());
        let config = Config::default();
        let doc = crate::parse::parse(&source.text);
        let entries = crate::extract::extract(doc, &source.text, &config.columns);
        super::lint(&source, &entries, &config)
    }

    /// `(rule, line)` of each finding.
    pub(crate) fn rules_and_lines(md: &str) -> Vec<(&'static str, usize)> {
        lint_md(md)
            .iter()
            .map(|f| (f.rule.as_str(), f.line))
            .collect()
    }
}
