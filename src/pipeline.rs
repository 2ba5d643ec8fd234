//! The offline pipeline of one file: [`parse`](crate::parse) →
//! [`extract`](crate::extract) → [`rules`](crate::rules). Pure: text in, data out.

use crate::config::Config;
use crate::model::{Entry, Finding};
use crate::source::Source;

/// The result of linting one file.
#[derive(Debug, Clone)]
pub struct Linted {
    /// Every entry extracted.
    pub entries: Vec<Entry>,
    /// The findings, in source order.
    pub findings: Vec<Finding>,
}

/// Extracts the entries of one file.
pub fn entries(source: &Source, config: &Config) -> Vec<Entry> {
    let doc = crate::parse::parse(&source.text);
    crate::extract::extract(&doc, &source.text, &config.columns)
}

/// Parses, extracts and runs the offline rules on one file.
pub fn lint(source: &Source, config: &Config) -> Linted {
    let entries = entries(source, config);
    let findings = crate::rules::lint(source, &entries, config);
    Linted { entries, findings }
}
