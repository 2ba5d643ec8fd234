//! The structural rules: pure functions from entries to findings. Rule ids and
//! default severities live in [`crate::model::RULES`]; the config may change a severity or
//! switch a rule off.

mod duplicate;
mod link;
mod paper;
mod structure;
mod url;
mod venue;
mod venue_truth;
mod year;

use crate::config::Config;
use crate::model::{Entry, Finding, Fix, RuleId, Severity, TableOrder};
use crate::source::Source;

pub use link::link_findings;
pub use paper::{paper_findings, paper_of};
pub use venue_truth::venue_truth_findings;

/// Collects findings for one file, applying the configured severities.
pub struct Sink<'a> {
    source: &'a Source,
    config: &'a Config,
    findings: Vec<Finding>,
}

/// What a rule says about one place; the sink adds position and severity.
pub struct Report<'e> {
    /// The rule.
    pub rule: RuleId,
    /// The entry concerned.
    pub entry: &'e Entry<'e>,
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
            entry,
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
        self.findings.push(Finding {
            rule: r.rule,
            severity,
            file: self.source.display_path(),
            line: pos.line,
            column: pos.column,
            section: r.entry.section.to_vec(),
            title: r.entry.title.as_deref().map(String::from),
            url: r.url,
            message: r.message,
            fix: r.fix,
            offset: r.offset,
            table_order: None,
        });
    }
}

/// Runs every enabled rule over the entries of one file. Findings come back in
/// source order.
pub fn lint(source: &Source, entries: &[Entry], config: &Config) -> Vec<Finding> {
    let mut sink = Sink::new(source, config);
    if sink.enabled(RuleId::TableCellCount) {
        structure::cell_count(&mut sink, entries);
    }
    if sink.enabled(RuleId::EntryMissingLink) {
        structure::missing_link(&mut sink, entries);
    }
    if sink.enabled(RuleId::EntryEmptyLink) {
        structure::empty_link(&mut sink, entries);
    }
    if sink.enabled(RuleId::EntryYearInvalid) {
        year::year_invalid(&mut sink, entries);
    }
    if sink.enabled(RuleId::EntryOrder) {
        year::order(&mut sink, entries);
    }
    if sink.enabled(RuleId::EntryDuplicate) {
        duplicate::duplicate(&mut sink, entries);
    }
    if sink.enabled(RuleId::UrlMalformed) {
        url::malformed(&mut sink, entries);
    }
    if sink.enabled(RuleId::VenueSpelling) {
        venue::spelling(&mut sink, entries);
    }
    let mut findings = sink.findings;
    findings.sort_by_key(|f| (f.offset, f.rule));
    findings
}

pub use crate::text::excerpt;

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
