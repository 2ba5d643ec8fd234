//! The structural rules: pure functions from entries to findings. Rule ids and
//! default severities live in [`RULES`]; the config may change a severity or
//! switch a rule off.

mod duplicate;
mod link;
mod paper;
mod structure;
mod url;
mod venue;
mod year;

use crate::config::Config;
use crate::finding::{Finding, Fix, Severity};
use crate::model::Entry;
use crate::source::Source;

/// A rule's identity and default severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, e.g. `url/malformed`.
    pub id: &'static str,
    /// Severity unless the config says otherwise.
    pub default: Severity,
    /// What it finds, in one line.
    pub summary: &'static str,
}

/// Every rule paperlint knows. Ids are part of the interface: never rename one.
pub const RULES: &[Rule] = &[
    Rule {
        id: "table/cell-count",
        default: Severity::Warning,
        summary: "a row has more or fewer cells than the table's header; GitHub drops or pads them",
    },
    Rule {
        id: "entry/missing-link",
        default: Severity::Warning,
        summary: "a row in a table of linked papers has no link to its paper",
    },
    Rule {
        id: "entry/empty-link",
        default: Severity::Warning,
        summary: "a link has an empty target, e.g. `[Coming soon]()`",
    },
    Rule {
        id: "entry/year-invalid",
        default: Severity::Warning,
        summary: "the year column holds no plausible year",
    },
    Rule {
        id: "entry/order",
        default: Severity::Warning,
        summary: "a row breaks the year order the rest of its table follows",
    },
    Rule {
        id: "entry/duplicate",
        default: Severity::Warning,
        summary: "the same paper (URL, arXiv id or DOI) is listed twice",
    },
    Rule {
        id: "url/malformed",
        default: Severity::Error,
        summary: "a URL does not parse, has whitespace, lacks its scheme or its host has no real top-level domain",
    },
    Rule {
        id: "venue/spelling",
        default: Severity::Warning,
        summary: "one venue is spelled several ways in the list",
    },
    Rule {
        id: "link/broken",
        default: Severity::Error,
        summary: "a link is gone: 404, 410, no such host, connection refused, invalid TLS certificate",
    },
    Rule {
        id: "link/redirect",
        default: Severity::Warning,
        summary: "a link permanently redirects elsewhere (http → https is info); the fix is the new URL",
    },
    Rule {
        id: "link/unverified",
        default: Severity::Info,
        summary: "a link could not be verified: the site blocks bots, rate-limits or timed out",
    },
    Rule {
        id: "paper/not-found",
        default: Severity::Error,
        summary: "the arXiv id or DOI a row links does not exist",
    },
    Rule {
        id: "paper/title-mismatch",
        default: Severity::Warning,
        summary: "the row's title is not the paper's title (case, punctuation or a dropped subtitle: info)",
    },
    Rule {
        id: "paper/year-mismatch",
        default: Severity::Warning,
        summary: "the year agrees with neither the preprint year nor the publication year",
    },
    Rule {
        id: "paper/published",
        default: Severity::Info,
        summary: "listed as a preprint, but the paper has been published",
    },
    Rule {
        id: "paper/venue-mismatch",
        default: Severity::Warning,
        summary: "the venue does not match the registry's venue (aliases and abbreviations allowed)",
    },
];

pub use link::link_findings;
pub use paper::{paper_findings, paper_of, venue_matches};
pub use url::problem as url_problem;

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Collects findings for one file, applying the configured severities.
pub struct Sink<'a> {
    source: &'a Source,
    config: &'a Config,
    findings: Vec<Finding>,
}

/// What a rule says about one place; the sink adds position and severity.
pub struct Report<'e> {
    /// The rule id.
    pub rule: &'static str,
    /// The entry concerned.
    pub entry: &'e Entry,
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
        rule: &'static str,
        entry: &'e Entry,
        link: &crate::model::Link,
        message: String,
        fix: Option<Fix>,
    ) -> Self {
        Report {
            rule,
            entry,
            offset: link.url_span.as_ref().map_or(link.span.start, |s| s.start),
            message,
            url: Some(link.url.clone()),
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

    fn enabled(&self, rule: &str) -> bool {
        self.config.severity(rule).is_some()
    }

    fn push(&mut self, r: Report<'_>) {
        self.push_capped(r, Severity::Error);
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
            section: r.entry.section.clone(),
            title: r.entry.title.clone(),
            url: r.url,
            message: r.message,
            fix: r.fix,
            offset: r.offset,
        });
    }
}

/// Runs every enabled rule over the entries of one file. Findings come back in
/// source order.
pub fn lint(source: &Source, entries: &[Entry], config: &Config) -> Vec<Finding> {
    let mut sink = Sink::new(source, config);
    if sink.enabled("table/cell-count") {
        structure::cell_count(&mut sink, entries);
    }
    if sink.enabled("entry/missing-link") {
        structure::missing_link(&mut sink, entries);
    }
    if sink.enabled("entry/empty-link") {
        structure::empty_link(&mut sink, entries);
    }
    if sink.enabled("entry/year-invalid") {
        year::year_invalid(&mut sink, entries);
    }
    if sink.enabled("entry/order") {
        year::order(&mut sink, entries);
    }
    if sink.enabled("entry/duplicate") {
        duplicate::duplicate(&mut sink, entries);
    }
    if sink.enabled("url/malformed") {
        url::malformed(&mut sink, entries);
    }
    if sink.enabled("venue/spelling") {
        venue::spelling(&mut sink, entries);
    }
    let mut findings = sink.findings;
    findings.sort_by(|a, b| (a.offset, a.rule).cmp(&(b.offset, b.rule)));
    findings
}

/// A short, single-line excerpt of source text for messages.
pub fn excerpt(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::config::Config;
    use crate::finding::Finding;
    use crate::source::Source;

    /// Parses, extracts and lints markdown text with the default config.
    pub fn lint_md(md: &str) -> Vec<Finding> {
        let source = Source::new("t.md", md.to_string());
        let config = Config::default();
        let doc = crate::parse::parse(&source.text);
        let entries = crate::extract::extract(&doc, &source.text, &config.columns);
        super::lint(&source, &entries, &config)
    }

    /// `(rule, line)` of each finding.
    pub fn rules_and_lines(md: &str) -> Vec<(&'static str, usize)> {
        lint_md(md).iter().map(|f| (f.rule, f.line)).collect()
    }
}
