//! What the rules produce: a [`Finding`] is data (rule, severity, place, message,
//! optional [`Fix`]), never an error.

use super::RuleId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run by default.
    Info,
    /// Probably wrong.
    Warning,
    /// Wrong: a reader is let down (a dead or unparsable link, a lost cell).
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// An exact edit of the source: replace bytes `start..end` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced (`start == end` inserts).
    pub end: usize,
    /// The new text.
    pub replacement: String,
}

/// The year order a table follows, as `entry/order` judged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableOrder {
    /// Years decrease down the table.
    NewestFirst,
    /// Years increase down the table.
    OldestFirst,
}

impl TableOrder {
    /// How messages say it: `newest first`, `oldest first`.
    pub fn as_str(self) -> &'static str {
        match self {
            TableOrder::NewestFirst => "newest first",
            TableOrder::OldestFirst => "oldest first",
        }
    }
}

/// One problem found in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule id, e.g. `url/malformed`. Ids are part of the interface.
    pub rule: RuleId,
    /// Severity after the configuration is applied.
    pub severity: Severity,
    /// The file as named on the command line (one value shared by the file's findings).
    pub file: std::sync::Arc<str>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The heading path of the entry, outermost first (shared with the entries and
    /// findings under the same headings).
    pub section: super::Section,
    /// The entry's title, when it has one.
    pub title: Option<String>,
    /// The URL concerned, for link findings.
    pub url: Option<String>,
    /// One line saying what is wrong.
    pub message: String,
    /// The exact repair, when one is known (boxed: most findings have none).
    pub fix: Option<Box<Fix>>,
    /// Byte offset the finding points at (kept for ordering and for `fix`).
    #[serde(skip)]
    pub offset: usize,
    /// For `entry/order`: the direction the row's table follows, so that `fix` sorts
    /// each table its own way.
    #[serde(skip)]
    pub table_order: Option<TableOrder>,
}
