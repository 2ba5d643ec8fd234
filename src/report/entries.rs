//! `paperlint entries`: every extracted entry as JSON or CSV.

use crate::model::{Entry, EntrySource, LinkKind, Paper, PaperRef, Resolution};
use crate::source::Source;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// One link as `entries` prints it (borrowed from its entry).
#[derive(Debug, Serialize)]
pub struct LinkRecord<'a> {
    /// Destination.
    pub url: &'a str,
    /// Visible text.
    pub text: &'a str,
    /// 1-based line of the destination.
    pub line: usize,
    /// 1-based column of the destination.
    pub column: usize,
    /// paper, code, project, badge, image or other.
    pub kind: LinkKind,
}

/// One entry as `entries` prints it (borrowed from the entry: printing a list costs
/// no second copy of it).
#[derive(Debug, Serialize)]
pub struct EntryRecord<'a> {
    /// The file.
    pub file: &'a str,
    /// 1-based line of the row.
    pub line: usize,
    /// 1-based column of the row.
    pub column: usize,
    /// table, list or paragraph.
    pub source: EntrySource,
    /// Heading path.
    pub section: &'a [String],
    /// Trimmed source text of each cell.
    pub cells: Vec<&'a str>,
    /// The year read from the year column.
    pub year: Option<i32>,
    /// The title.
    pub title: Option<&'a str>,
    /// The venue.
    pub venue: Option<&'a str>,
    /// The links.
    pub links: Vec<LinkRecord<'a>>,
    /// The first paper link (used by BibTeX).
    #[serde(skip)]
    pub url: Option<&'a str>,
    /// The resolved paper (`entries --resolve`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper: Option<PaperRecord>,
}

/// A resolved paper as `entries --resolve` prints it.
#[derive(Debug, Serialize)]
pub struct PaperRecord {
    /// `arXiv:ID`, `doi:DOI` or the landing page URL.
    pub id: String,
    /// `found`, `missing` or `unknown`.
    pub status: &'static str,
    /// The registry's metadata, when found.
    #[serde(flatten)]
    pub metadata: Option<Paper>,
}

impl<'a> EntryRecord<'a> {
    /// Builds the record of an entry of `source`, whose name as printed is `file`.
    pub fn new(source: &'a Source, file: &'a str, e: &'a Entry<'_>) -> Self {
        let pos = source.position(e.span.start);
        EntryRecord {
            file,
            line: pos.line,
            column: pos.column,
            source: e.source,
            section: &e.section,
            cells: e.cells.iter().map(|c| c.source(&source.text)).collect(),
            year: e.year,
            title: e.title.as_deref(),
            venue: e.venue.as_deref(),
            links: e
                .links
                .iter()
                .map(|l| {
                    let p = source.position(l.anchor());
                    LinkRecord {
                        url: &l.url,
                        text: &l.text,
                        line: p.line,
                        column: p.column,
                        kind: l.kind,
                    }
                })
                .collect(),
            paper: None,
            url: None,
        }
    }

    /// Adds the entry's resolved paper, if any.
    pub fn with_paper(mut self, e: &'a Entry<'_>, papers: &BTreeMap<PaperRef, Resolution>) -> Self {
        self.paper = e.paper_links().find_map(|l| {
            let r = crate::scholarly::identify(&l.url)?;
            let (status, metadata) = match papers.get(&r)? {
                Resolution::Found { paper } => ("found", Some(paper.clone())),
                Resolution::Missing { .. } => ("missing", None),
                Resolution::Unknown { .. } => ("unknown", None),
            };
            Some(PaperRecord {
                id: r.key(),
                status,
                metadata,
            })
        });
        self.url = e.paper_links().next().map(|l| &*l.url);
        self
    }
}

/// How `paperlint entries` prints its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON array.
    Json,
    /// CSV, one row per entry.
    Csv,
    /// BibTeX, one entry per entry that names a paper.
    Bibtex,
}

/// Writes records one at a time, as they are made (a long list's entries need not
/// all exist at once), exactly as writing them all at once would:
/// [`Records::push`] for each in order, then [`Records::finish`].
pub struct Records<'w> {
    sink: RecordSink<'w>,
}

enum RecordSink<'w> {
    Json {
        out: &'w mut dyn Write,
        written: usize,
        /// The record being written, printed alone, then as an element: buffers
        /// reused from one record to the next.
        record: Vec<u8>,
        element: Vec<u8>,
    },
    /// Boxed: the CSV writer holds its state inline, several times the other variants.
    Csv(Box<csv::Writer<&'w mut dyn Write>>),
    Bibtex {
        out: &'w mut dyn Write,
        /// Keys given so far, by base: the next one of a base gets the next suffix.
        used: BTreeMap<String, usize>,
    },
}

/// A CSV error as an I/O error, the writer's own kept, so that a closed pipe is still
/// one.
fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("CSV: {other:?}")),
    }
}

impl<'w> Records<'w> {
    /// A writer of `format` to `out`; CSV's header line is written at once.
    pub fn new(format: Format, out: &'w mut dyn Write) -> io::Result<Self> {
        let sink = match format {
            Format::Json => RecordSink::Json {
                out,
                written: 0,
                record: Vec::new(),
                element: Vec::new(),
            },
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record([
                    "file", "line", "column", "source", "section", "year", "title", "venue",
                    "links", "cells",
                ])
                .map_err(csv_error)?;
                RecordSink::Csv(Box::new(w))
            }
            Format::Bibtex => RecordSink::Bibtex {
                out,
                used: BTreeMap::new(),
            },
        };
        Ok(Records { sink })
    }

    /// Writes the next record.
    pub fn push(&mut self, r: &EntryRecord) -> io::Result<()> {
        match &mut self.sink {
            RecordSink::Json {
                out,
                written,
                record,
                element,
            } => {
                // What `serde_json::to_writer_pretty` writes for the whole array: each
                // element on its own lines, one level in (two spaces after every line
                // break: JSON strings hold no raw one, so each is the printer's). One
                // write per record.
                record.clear();
                serde_json::to_writer_pretty(&mut *record, r)?;
                element.clear();
                element.extend_from_slice(if *written == 0 { b"[\n  " } else { b",\n  " });
                let mut rest = &record[..];
                while let Some(at) = memchr::memchr(b'\n', rest) {
                    element.extend_from_slice(&rest[..=at]);
                    element.extend_from_slice(b"  ");
                    rest = &rest[at + 1..];
                }
                element.extend_from_slice(rest);
                *written += 1;
                out.write_all(element)
            }
            RecordSink::Csv(w) => csv_row(w, r).map_err(csv_error),
            RecordSink::Bibtex { out, used } => bibtex_entry(&mut **out, used, r),
        }
    }

    /// Ends the output (the JSON array's end, CSV's buffer flushed).
    pub fn finish(self) -> io::Result<()> {
        match self.sink {
            RecordSink::Json { out, written, .. } => {
                out.write_all(if written == 0 { b"[]\n" } else { b"\n]\n" })
            }
            RecordSink::Csv(mut w) => w.flush(),
            RecordSink::Bibtex { .. } => Ok(()),
        }
    }
}

fn csv_row(w: &mut csv::Writer<&mut dyn Write>, r: &EntryRecord) -> csv::Result<()> {
    let source = serde_json::to_value(r.source)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    w.write_record([
        r.file.to_string(),
        r.line.to_string(),
        r.column.to_string(),
        source,
        r.section.join(" › "),
        r.year.map(|y| y.to_string()).unwrap_or_default(),
        r.title.unwrap_or_default().to_string(),
        r.venue.unwrap_or_default().to_string(),
        r.links.iter().map(|l| l.url).collect::<Vec<_>>().join(" "),
        r.cells.join(" | "),
    ])
}

/// The BibTeX entry of one record, if it names a paper; `used` holds the keys given.
fn bibtex_entry(
    out: &mut dyn Write,
    used: &mut BTreeMap<String, usize>,
    r: &EntryRecord,
) -> io::Result<()> {
    let paper = r.paper.as_ref().and_then(|p| p.metadata.as_ref());
    let Some(title) = paper
        .and_then(|p| p.titles.first().cloned())
        .or_else(|| r.title.map(String::from))
    else {
        return Ok(());
    };
    if r.url.is_none() && paper.is_none() {
        return Ok(());
    }
    let year = paper.and_then(|p| p.year.or(p.preprint_year)).or(r.year);
    let authors: Vec<String> = paper.map(|p| p.authors.clone()).unwrap_or_default();
    let venue = paper
        .and_then(|p| p.venues.first().cloned())
        .or_else(|| r.venue.map(String::from));
    let kind = paper.map_or("misc", |p| {
        if p.kind.is_empty() {
            "misc"
        } else {
            p.kind.as_str()
        }
    });
    let base = key_base(authors.first().map(String::as_str), year, &title);
    let n = used.entry(base.clone()).or_insert(0);
    let key = if *n == 0 {
        base.clone()
    } else {
        format!("{base}{}", suffix(*n))
    };
    *n += 1;
    writeln!(out, "@{kind}{{{key},")?;
    writeln!(out, "  title = {{{{{}}}}},", escape(&title))?;
    if !authors.is_empty() {
        writeln!(out, "  author = {{{}}},", escape(&authors.join(" and ")))?;
    }
    if let Some(y) = year {
        writeln!(out, "  year = {{{y}}},")?;
    }
    if let Some(v) = venue {
        let field = match kind {
            "article" => "journal",
            "inproceedings" => "booktitle",
            _ => "howpublished",
        };
        writeln!(out, "  {field} = {{{}}},", escape(&v))?;
    }
    if let Some(doi) = paper.and_then(|p| p.doi.clone()) {
        writeln!(out, "  doi = {{{}}},", escape(&doi))?;
    }
    if let Some(id) = r.paper.as_ref().and_then(|p| p.id.strip_prefix("arXiv:")) {
        writeln!(out, "  eprint = {{{id}}},\n  archivePrefix = {{arXiv}},")?;
    }
    if let Some(url) = &r.url {
        writeln!(out, "  url = {{{}}},", url.replace(['{', '}'], ""))?;
    }
    writeln!(out, "}}\n")?;
    Ok(())
}

fn suffix(mut n: usize) -> String {
    // 1 → a, 26 → z, 27 → aa: never runs out.
    let mut s = String::new();
    while n > 0 {
        n -= 1;
        s.insert(0, (b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    s
}

fn key_base(author: Option<&str>, year: Option<i32>, title: &str) -> String {
    let ascii = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    let surname = author
        .and_then(|a| a.split_whitespace().last())
        .map(ascii)
        .filter(|s| !s.is_empty());
    const SKIP: &[&str] = &[
        "a", "an", "the", "on", "of", "for", "in", "towards", "toward",
    ];
    let word = title
        .split_whitespace()
        .map(ascii)
        .find(|w| !w.is_empty() && !SKIP.contains(&w.as_str()))
        .unwrap_or_else(|| "paper".into());
    format!(
        "{}{}{}",
        surname.unwrap_or_default(),
        year.map(|y| y.to_string()).unwrap_or_default(),
        word
    )
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '{' | '}' | '\\' => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bibtex_keys_are_stable_and_unique() {
        assert_eq!(
            key_base(Some("Smith"), Some(2023), "The Large Models"),
            "smith2023large"
        );
        assert_eq!(key_base(None, None, "Towards X"), "x");
        assert_eq!(
            (suffix(1), suffix(26), suffix(27)),
            ("a".to_string(), "z".to_string(), "aa".to_string())
        );
        assert_eq!(escape("Q&A_{x}"), "Q\\&A\\_x");
    }
}
