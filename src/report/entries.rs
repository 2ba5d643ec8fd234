//! `paperlint entries`: every extracted entry as JSON or CSV.

use crate::model::{Entry, EntrySource, LinkKind};
use crate::source::Source;
use serde::Serialize;
use std::io::{self, Write};

/// One link as `entries` prints it.
#[derive(Debug, Serialize)]
pub struct LinkRecord {
    /// Destination.
    pub url: String,
    /// Visible text.
    pub text: String,
    /// 1-based line of the destination.
    pub line: usize,
    /// 1-based column of the destination.
    pub column: usize,
    /// paper, code, project, badge, image or other.
    pub kind: LinkKind,
}

/// One entry as `entries` prints it.
#[derive(Debug, Serialize)]
pub struct EntryRecord {
    /// The file.
    pub file: String,
    /// 1-based line of the row.
    pub line: usize,
    /// 1-based column of the row.
    pub column: usize,
    /// table, list or paragraph.
    pub source: EntrySource,
    /// Heading path.
    pub section: Vec<String>,
    /// Trimmed source text of each cell.
    pub cells: Vec<String>,
    /// The year read from the year column.
    pub year: Option<i32>,
    /// The title.
    pub title: Option<String>,
    /// The venue.
    pub venue: Option<String>,
    /// The links.
    pub links: Vec<LinkRecord>,
}

impl EntryRecord {
    /// Builds the record of an entry of `source`.
    pub fn new(source: &Source, e: &Entry) -> Self {
        let pos = source.position(e.span.start);
        EntryRecord {
            file: source.display_path(),
            line: pos.line,
            column: pos.column,
            source: e.source,
            section: e.section.clone(),
            cells: e.cells.iter().map(|c| c.source.clone()).collect(),
            year: e.year,
            title: e.title.clone(),
            venue: e.venue.clone(),
            links: e
                .links
                .iter()
                .map(|l| {
                    let p = source.position(l.url_span.as_ref().map_or(l.span.start, |s| s.start));
                    LinkRecord {
                        url: l.url.clone(),
                        text: l.text.clone(),
                        line: p.line,
                        column: p.column,
                        kind: l.kind,
                    }
                })
                .collect(),
        }
    }
}

/// Writes the records as a JSON array.
pub fn json(records: &[EntryRecord], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, records)?;
    writeln!(out)
}

/// Writes the records as CSV, one row per entry; links are space-separated.
pub fn csv(records: &[EntryRecord], out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "file", "line", "column", "source", "section", "year", "title", "venue", "links", "cells",
    ])?;
    for r in records {
        let source = serde_json::to_value(r.source)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        w.write_record([
            r.file.clone(),
            r.line.to_string(),
            r.column.to_string(),
            source,
            r.section.join(" › "),
            r.year.map(|y| y.to_string()).unwrap_or_default(),
            r.title.clone().unwrap_or_default(),
            r.venue.clone().unwrap_or_default(),
            r.links
                .iter()
                .map(|l| l.url.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            r.cells.join(" | "),
        ])?;
    }
    w.flush()
}
