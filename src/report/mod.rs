//! Reporters render a [`Report`]; they never decide pass or fail (`main` does).
//! Four sinks: human (grouped by file and section), JSON (the stable interface),
//! markdown (for issues and comments) and GitHub workflow commands.

pub mod entries;
pub mod github;
mod human;
mod markdown;

use crate::model::{Finding, Severity};
use crate::text::counted;
use serde::Serialize;
use std::io::{self, Write};

/// Output formats of `paperlint check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by file and section, coloured on a terminal.
    Human,
    /// `{"version":1,"summary":{…},"findings":[…]}`.
    Json,
    /// Markdown tables, for issues, comments and job summaries.
    Markdown,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

/// Counts over a whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Entries (rows and link blocks) extracted.
    pub entries: usize,
    /// Links extracted.
    pub links: usize,
    /// Findings reported.
    pub findings: usize,
    /// Findings at error level.
    pub errors: usize,
    /// Findings at warning level.
    pub warnings: usize,
    /// Findings at info level.
    pub info: usize,
    /// Findings that carry a fix.
    pub fixable: usize,
    /// Findings silenced by suppression comments in the lists (not in `findings`).
    pub silenced: usize,
    /// Link-check counts; absent when the run was offline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<crate::model::LinkStats>,
    /// Paper-resolution counts; absent when metadata was not resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<crate::model::MetaStats>,
}

/// Everything a reporter needs.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Schema version of the JSON form.
    pub version: u32,
    /// Counts.
    pub summary: Summary,
    /// Findings, grouped by file in the order the files were given, then by position.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Builds a report, computing the finding counts.
    pub fn new(files: usize, entries: usize, links: usize, findings: Vec<Finding>) -> Self {
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        let summary = Summary {
            files,
            entries,
            links,
            findings: findings.len(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            info: count(Severity::Info),
            fixable: findings.iter().filter(|f| f.fix.is_some()).count(),
            silenced: 0,
            network: None,
            metadata: None,
        };
        Report {
            version: 1,
            summary,
            findings,
        }
    }

    /// Whether any finding is at or above `threshold`.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}

/// Writes the report in `format`. Colour escapes are emitted for `human`; wrap `out`
/// in an `anstream` stream so they are stripped where colour is not wanted.
pub fn render(report: &Report, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        Format::Markdown => markdown::render(report, out),
        Format::Github => github::render(report, out),
    }
}

/// The link-check line: checked, ok, broken, redirects, unverified, skipped, cached, time.
pub fn network_line(n: &crate::model::LinkStats) -> String {
    format!(
        "links: {} checked, {} ok, {} broken, {} redirected, {} unverified, {} skipped, {} cached, {} excluded in {:.1}s",
        n.checked,
        n.ok,
        n.broken,
        n.redirects,
        n.unverified,
        n.skipped,
        n.cached,
        n.excluded,
        n.seconds
    )
}

/// The paper-resolution line.
pub fn metadata_line(m: &crate::model::MetaStats) -> String {
    let mut line = format!(
        "papers: {} resolved, {} found, {} missing, {} unresolved, {} cached ({} arXiv and {} DOI requests)",
        m.papers, m.found, m.missing, m.unknown, m.cached, m.arxiv_requests, m.doi_requests
    );
    if m.semantic_scholar_requests + m.dblp_requests > 0 {
        line.push_str(&format!(
            "; {} placed at a venue ({} Semantic Scholar and {} DBLP requests)",
            m.published, m.semantic_scholar_requests, m.dblp_requests
        ));
    }
    line
}

/// The one-line summary shared by the human and markdown reports.
pub(crate) fn summary_line(s: &Summary) -> String {
    let files = counted(s.files, "file");
    let silenced = match s.silenced {
        0 => String::new(),
        n => format!("; {n} silenced by comments"),
    };
    if s.findings == 0 {
        return format!(
            "no problems in {files} ({} checked{silenced})",
            counted(s.entries, "entry")
        );
    }
    let mut line = format!(
        "{} ({}, {}, {} info) in {files}, {} checked",
        counted(s.findings, "problem"),
        counted(s.errors, "error"),
        counted(s.warnings, "warning"),
        s.info,
        counted(s.entries, "entry"),
    );
    if s.fixable > 0 {
        line.push_str(&format!("; {} with a suggested fix", s.fixable));
    }
    line.push_str(&silenced);
    line
}
