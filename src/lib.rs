//! paperlint keeps curated paper lists healthy: it reads the markdown tables of an
//! "awesome" list the way GitHub renders them, and reports rows that are broken,
//! malformed or inconsistent.
//!
//! # Layout
//! The pipeline is visible in the module list:
//! [`source`] (read a file) → [`parse`] (markdown → tables, cells, links with byte
//! spans; [`autolink`] adds GitHub's bare-URL links) → [`extract`] (rows → [`model::Entry`]
//! with year, title, venue and link kinds) → [`rules`] (entries → [`finding::Finding`]s)
//! → [`report`] (human, JSON, markdown, GitHub). [`config`] holds the configuration,
//! [`scholarly`] what a URL says about a paper, [`cli`] the command line.
//! `parse`, `extract` and `rules` are pure: text in, data out, no I/O.

pub mod autolink;
pub mod check;
pub mod cli;
pub mod config;
pub mod extract;
pub mod finding;
pub mod fix;
pub mod github;
pub mod metadata;
pub mod model;
pub mod online;
pub mod parse;
pub mod report;
pub mod rules;
pub mod scholarly;
pub mod source;
pub mod venue;

use config::Config;
use finding::Finding;
use model::Entry;
use source::Source;

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
    let doc = parse::parse(&source.text);
    extract::extract(&doc, &source.text, &config.columns)
}

/// Parses, extracts and runs the offline rules on one file.
pub fn lint(source: &Source, config: &Config) -> Linted {
    let entries = entries(source, config);
    let findings = rules::lint(source, &entries, config);
    Linted { entries, findings }
}
