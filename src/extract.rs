//! Parsed tables and link blocks → [`Entry`] values: columns mapped by header name,
//! year, title and venue read, and every link given a [`LinkKind`].

use crate::config::ColumnConfig;
use crate::model::{
    Block, BlockKind, Document, Entry, EntryCell, EntrySource, Link, LinkKind, Row, Section,
};
use crate::parse::Reader;
use crate::scholarly;
use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Which column plays which role in one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    /// The year or date column.
    pub year: Option<usize>,
    /// The title column.
    pub title: Option<usize>,
    /// The venue column.
    pub venue: Option<usize>,
    /// Code columns.
    pub code: Vec<usize>,
    /// Paper-link columns.
    pub link: Vec<usize>,
}

/// Header text reduced to lower-case words: markup, emoji and punctuation dropped
/// (the same normalisation titles get).
fn normalize_header(text: &str) -> String {
    crate::text::loose(text)
}

/// Whether `words` occurs in `text` bounded by spaces or the ends (both normalised to
/// single spaces): `pub` in `pub venue`, not in `public`.
fn contains_words(text: &str, words: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find(words) {
        let start = from + at;
        let end = start + words.len();
        if (start == 0 || bytes[start - 1] == b' ') && (end == text.len() || bytes[end] == b' ') {
            return true;
        }
        from = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Maps header cells to roles. For each role the earliest alias wins; an alias
/// matches a header equal to it or, failing that, one containing it as whole words
/// (`Pub.` → `pub`, `资源名（Name）` → `name`).
pub fn map_columns(headers: &[String], config: &ColumnConfig) -> Columns {
    ColumnAliases::new(config).map(headers)
}

/// The configured header aliases of each role, normalised once per run (normalising
/// them is dear, and a list has hundreds of tables).
struct ColumnAliases {
    year: Vec<String>,
    title: Vec<String>,
    venue: Vec<String>,
    code: Vec<String>,
    link: Vec<String>,
}

impl ColumnAliases {
    fn new(config: &ColumnConfig) -> ColumnAliases {
        let normalized = |aliases: &[String]| -> Vec<String> {
            aliases
                .iter()
                .map(|a| normalize_header(a))
                .filter(|a| !a.is_empty())
                .collect()
        };
        ColumnAliases {
            year: normalized(&config.year),
            title: normalized(&config.title),
            venue: normalized(&config.venue),
            code: normalized(&config.code),
            link: normalized(&config.link),
        }
    }

    /// [`map_columns`] with these aliases.
    fn map(&self, headers: &[String]) -> Columns {
        let names: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
        let mut taken = vec![false; names.len()];
        let pick = |aliases: &[String], taken: &mut Vec<bool>| -> Option<usize> {
            for alias in aliases {
                let exact = names
                    .iter()
                    .enumerate()
                    .find(|(i, n)| !taken[*i] && *n == alias);
                let contains = || {
                    names
                        .iter()
                        .enumerate()
                        .find(|(i, n)| !taken[*i] && contains_words(n, alias))
                };
                if let Some((i, _)) = exact.or_else(contains) {
                    taken[i] = true;
                    return Some(i);
                }
            }
            None
        };
        let year = pick(&self.year, &mut taken);
        let title = pick(&self.title, &mut taken);
        let venue = pick(&self.venue, &mut taken);
        let mut code = Vec::new();
        while let Some(i) = pick(&self.code, &mut taken) {
            code.push(i);
        }
        let mut link = Vec::new();
        while let Some(i) = pick(&self.link, &mut taken) {
            link.push(i);
        }
        Columns {
            year,
            title,
            venue,
            code,
            link,
        }
    }
}

/// The first plausible year (1900–2099) in a cell: `2023`, `[2023]`, `May, 2023`,
/// `2023.05`, `CVPR 2023`, `202301` (year and month), `9/04/24` and `CVPR'23`.
pub fn extract_year(text: &str) -> Option<i32> {
    static FOUR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[^0-9])((?:19|20)[0-9]{2})(?:[^0-9]|$)").unwrap());
    static YEAR_MONTH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^0-9])((?:19|20)[0-9]{2})(?:0[1-9]|1[0-2])(?:[0-3][0-9])?(?:[^0-9]|$)")
            .unwrap()
    });
    static TWO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^[0-9]{1,2}/[0-9]{1,2}/([0-9]{2})$|[A-Za-z]['’]([0-9]{2})(?:[^0-9]|$))")
            .unwrap()
    });
    if let Some(c) = FOUR.captures(text).or_else(|| YEAR_MONTH.captures(text)) {
        return c[1].parse().ok();
    }
    let c = TWO.captures(text.trim())?;
    let yy: i32 = c.get(1).or(c.get(2))?.as_str().parse().ok()?;
    Some(2000 + yy)
}

/// Link texts that name a kind of link rather than a paper.
fn is_generic_text(text: &str) -> bool {
    // No generic label has more than 12 letters and digits ("project page", "huggingface"),
    // and lower-casing never takes one away: a title is ruled out before any copying.
    if text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .nth(12)
        .is_some()
    {
        return false;
    }
    let t: String = text
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .trim()
        .to_lowercase();
    t.is_empty()
        || matches!(
            t.as_str(),
            "paper"
                | "pdf"
                | "arxiv"
                | "link"
                | "code"
                | "github"
                | "project"
                | "project page"
                | "page"
                | "website"
                | "homepage"
                | "demo"
                | "video"
                | "slides"
                | "blog"
                | "tweet"
                | "pub"
                | "doi"
                | "html"
                | "abs"
                | "supp"
                | "data"
                | "dataset"
                | "model"
                | "poster"
                | "openreview"
                | "official"
                | "here"
                | "url"
                | "repo"
                | "hf"
                | "huggingface"
                | "coming soon"
                | "paper link"
                | "code link"
                | "pytorch"
                | "tensorflow"
                | "star"
        )
}

/// Words in a link's text that say what it links to (any case, whole words).
const CODE_WORDS: &[&str] = &[
    "code",
    "github",
    "repo",
    "pytorch",
    "tensorflow",
    "implementation",
];
const PROJECT_WORDS: &[&str] = &["project", "homepage", "website", "demo", "page"];
const PAPER_WORDS: &[&str] = &["paper", "pdf", "arxiv", "doi", "pub"];

/// Whether one of `words` is a whole word of `text`, ignoring ASCII case: a run of
/// letters, digits and `_` (a regex's `\b…\b`). A loop, not a regex: classifying
/// the first links of a list must not wait for three case-insensitive Unicode
/// regexes to be compiled (about 0.7 ms).
fn names_word(text: &str, words: &[&str]) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| words.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

fn classify(link: &Link<'_>, role: Option<Role>) -> LinkKind {
    let code_text = || names_word(&link.text, CODE_WORDS);
    if link.image {
        return LinkKind::Image;
    }
    if link.wraps_image {
        return LinkKind::Badge;
    }
    let host = scholarly::host(&link.url).unwrap_or_default();
    if scholarly::is_scholarly_host(&host) || names_word(&link.text, PAPER_WORDS) && !code_text() {
        return LinkKind::Paper;
    }
    // A title linked in the title column is the paper, wherever it is hosted.
    if role == Some(Role::Title) && !is_generic_text(&link.text) {
        return LinkKind::Paper;
    }
    if scholarly::is_code_host(&host) || code_text() || role == Some(Role::Code) {
        return LinkKind::Code;
    }
    if names_word(&link.text, PROJECT_WORDS) {
        return LinkKind::Project;
    }
    match role {
        Some(Role::Title | Role::Link) => LinkKind::Paper,
        _ => LinkKind::Other,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Title,
    Link,
    Code,
}

/// The title a row gives: the title cell's first link text when it is a real title,
/// else the cell's text with generic link labels (`[pdf]`, `Code`) removed.
/// A slice of the source stays one (the title is then no copy), which is why the text
/// comes as a `Cow`.
#[allow(clippy::ptr_arg)]
fn title_from<'a>(text: &Cow<'a, str>, links: &[Link<'a>]) -> Option<Cow<'a, str>> {
    if let Some(l) = links
        .iter()
        .find(|l| l.kind == LinkKind::Paper && !is_generic_text(&l.text))
    {
        return Some(l.text.clone());
    }
    // Brackets, pipes and separators the removed labels leave at the ends.
    fn trim(t: &str) -> &str {
        t.trim_matches(|c: char| c.is_whitespace() || "[]()|,/".contains(c))
    }
    let mut generic = links
        .iter()
        .filter(|l| is_generic_text(&l.text) && !l.text.is_empty())
        .peekable();
    let t = match text {
        Cow::Borrowed(t) if generic.peek().is_none() => Cow::Borrowed(trim(t)),
        _ => {
            let mut t = text.to_string();
            for l in generic {
                t = t.replacen(&*l.text, "", 1);
            }
            Cow::Owned(trim(&t).to_string())
        }
    };
    (!t.is_empty()).then_some(t)
}

/// Every entry of a markdown file, in source order, built as the parser reads it: no
/// tree of the whole file is kept beside the entries.
pub fn entries<'a>(src: &'a str, config: &ColumnConfig) -> Vec<Entry<'a>> {
    entries_in_batches(src, config, |_| {})
}

/// How many entries [`for_each_batch`] gathers before it hands them on.
const BATCH: usize = 256;

/// How many cells and links [`for_each_batch`] gathers before it hands them on,
/// however few the entries: a table of thousands of columns has wide rows.
const BATCH_PARTS: usize = 16 * 1024;

/// [`entries`], handing every batch of new entries (see [`for_each_batch`]) to `batch`
/// as they are read, so that the network stages start on a long file's first rows
/// while the rest of it is still being parsed. Every entry is handed on exactly once.
pub fn entries_in_batches<'a>(
    src: &'a str,
    config: &ColumnConfig,
    mut batch: impl FnMut(&[Entry<'a>]),
) -> Vec<Entry<'a>> {
    let lines = memchr::memchr_iter(b'\n', src.as_bytes()).count() + 1;
    let mut entries = Vec::with_capacity(crate::source::rows_at_most(lines, src.len()));
    for_each_batch(src, config, |new| {
        batch(&new);
        entries.extend(new);
    });
    entries
}

/// Reads the file and hands its entries on in batches, in source order, keeping none
/// of them: a batch is every entry read since the last one, once there are at least
/// `BATCH` (256) of them or `BATCH_PARTS` (16,384) cells and links, and no list item
/// is open (an item is complete, and placed, only when it ends). What a caller does
/// not keep is freed as the file is read, so a long file is linted in the memory of
/// one batch (`rules::Linter`).
pub fn for_each_batch<'a>(
    src: &'a str,
    config: &ColumnConfig,
    mut batch: impl FnMut(Vec<Entry<'a>>),
) {
    let mut extractor = Extractor::new(src, config, &mut batch);
    crate::parse::read(src, &mut extractor);
    extractor.hand_on();
}

/// Every entry of a parsed document, in source order. The document is consumed: its
/// links and texts move into the entries.
pub fn extract<'a>(doc: Document<'a>, src: &'a str, config: &ColumnConfig) -> Vec<Entry<'a>> {
    let mut entries = Vec::with_capacity(
        doc.tables.iter().map(|t| t.rows.len()).sum::<usize>() + doc.blocks.len(),
    );
    let mut keep = |new: Vec<Entry<'a>>| entries.extend(new);
    let mut extractor = Extractor::new(src, config, &mut keep);
    for table in doc.tables {
        extractor.table(&table.section, table.span, table.header);
        for row in table.rows {
            extractor.row(row);
        }
    }
    for block in doc.blocks {
        extractor.block(block);
    }
    extractor.hand_on();
    drop(extractor);
    // A document lists its tables before its blocks.
    sort_by_place(&mut entries);
    entries
}

/// Puts entries in source order. Unstable: a stable sort would borrow a buffer of half
/// the entries. No two entries share a span, so the order is the same.
fn sort_by_place(entries: &mut [Entry<'_>]) {
    if !entries.is_sorted_by_key(|e| e.span.start) {
        entries.sort_unstable_by_key(|e| (e.span.start, e.span.end));
    }
}

/// Where an [`Extractor`] hands its entries.
type Batch<'a, 'b> = &'b mut dyn FnMut(Vec<Entry<'a>>);

/// Turns what the parser reads into entries, row by row.
struct Extractor<'a, 'b> {
    src: &'a str,
    /// Where entries go, a batch at a time.
    batch: Batch<'a, 'b>,
    aliases: ColumnAliases,
    /// The table being read: its index, columns, header size and section.
    table: Option<(usize, Columns, usize, Section)>,
    tables: usize,
    /// Entries read and not yet handed on, and their cells and links.
    pending: Vec<Entry<'a>>,
    pending_parts: usize,
}

impl<'a, 'b> Extractor<'a, 'b> {
    fn new(src: &'a str, config: &ColumnConfig, batch: Batch<'a, 'b>) -> Self {
        Extractor {
            src,
            batch,
            aliases: ColumnAliases::new(config),
            table: None,
            tables: 0,
            pending: Vec::new(),
            pending_parts: 0,
        }
    }

    fn push(&mut self, entry: Entry<'a>) {
        self.pending_parts += entry.cells.len() + entry.links.len();
        self.pending.push(entry);
    }

    /// Hands on what is pending, in source order (a list item comes after the items
    /// nested in it, so a batch may need sorting).
    fn hand_on(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.pending_parts = 0;
        let mut batch = std::mem::replace(&mut self.pending, Vec::with_capacity(BATCH));
        sort_by_place(&mut batch);
        (self.batch)(batch);
    }
}

impl<'a> crate::parse::Reader<'a> for Extractor<'a, '_> {
    fn table(&mut self, section: &Section, _span: std::ops::Range<usize>, header: Row<'a>) {
        let headers: Vec<String> = header.cells.iter().map(|c| c.text.to_string()).collect();
        let cols = self.aliases.map(&headers);
        self.table = Some((self.tables, cols, header.cells.len(), section.clone()));
        self.tables += 1;
    }

    fn row(&mut self, row: Row<'a>) {
        if let Some((index, cols, header_cells, section)) = &self.table {
            let entry = table_entry(*index, cols, *header_cells, section, row);
            self.push(entry);
        }
    }

    fn table_end(&mut self, _span: std::ops::Range<usize>) {
        self.table = None;
    }

    fn block(&mut self, block: Block<'a>) {
        let entry = block_entry(block, self.src);
        self.push(entry);
    }

    fn settled(&mut self) {
        if self.pending.len() >= BATCH || self.pending_parts >= BATCH_PARTS {
            self.hand_on();
        }
    }
}

fn table_entry<'a>(
    index: usize,
    cols: &Columns,
    header_cells: usize,
    section: &Section,
    row: Row<'a>,
) -> Entry<'a> {
    let mut links = Vec::with_capacity(row.cells.iter().map(|c| c.links.len()).sum());
    // Where each cell's links sit in `links`.
    let mut cell_links = Vec::with_capacity(row.cells.len());
    let mut cells = Vec::with_capacity(row.cells.len());
    for (i, cell) in row.cells.into_iter().enumerate() {
        let role = if Some(i) == cols.title {
            Some(Role::Title)
        } else if cols.link.contains(&i) {
            Some(Role::Link)
        } else if cols.code.contains(&i) {
            Some(Role::Code)
        } else {
            None
        };
        let first = links.len();
        links.extend(cell.links.into_iter().map(|mut l| {
            l.kind = classify(&l, role);
            l
        }));
        cell_links.push(first..links.len());
        cells.push(EntryCell {
            text: cell.text,
            span: cell.span,
        });
    }
    let text_of = |col: Option<usize>| {
        col.and_then(|i| cells.get(i))
            .filter(|c: &&EntryCell<'a>| !c.text.is_empty())
    };
    let year_text = text_of(cols.year).map(|c| c.text.clone());
    let title = cols.title.and_then(|i| {
        let cell = cells.get(i)?;
        title_from(&cell.text, &links[cell_links[i].clone()])
    });
    let venue_cell = text_of(cols.venue);
    let (venue, venue_span) = match venue_cell {
        Some(c) => (Some(c.text.clone()), Some(c.span.clone())),
        None => (None, None),
    };
    Entry {
        source: EntrySource::Table,
        table: Some(index),
        section: section.clone(),
        span: row.span,
        cells: cells.into_boxed_slice(),
        source_cells: row.source_cells,
        header_cells,
        year: year_text.as_deref().and_then(extract_year),
        year_text,
        title,
        venue,
        venue_span,
        links: links.into_boxed_slice(),
    }
}

/// The venue and year a bullet names right after its paper link:
/// `- [Title](url) - NeurIPS 2023`, `[Title](url), ICLR'24`, `[Title](url) (CVPR 2022)`.
/// Only a short text that the venue model reads as a known venue counts, so a
/// description ("- [OPT](url) - A suite of decoder-only transformers") names none.
fn venue_after_link<'a>(
    block: &std::ops::Range<usize>,
    links: &[Link<'a>],
    src: &'a str,
) -> Option<(&'a str, Option<i32>)> {
    let link = links.iter().find(|l| l.kind == LinkKind::Paper)?;
    let end = block.end.min(src.len());
    let after = src.get(link.span.end..end)?;
    let line = after.lines().next().unwrap_or("");
    let text = line
        .trim_start_matches(|c: char| c.is_whitespace() || "-–—,:|(".contains(c))
        .split(['[', '|', '<'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches(|c: char| c.is_whitespace() || ".,;)".contains(c))
        .trim();
    if text.is_empty() || text.chars().count() > 60 || text.split_whitespace().count() > 6 {
        return None;
    }
    let model = crate::venue::VenueModel::builtin();
    if !model.may_name_venue(text) {
        return None;
    }
    let cell = model.parse(text);
    let venue = cell.venue()?;
    // Every word is the venue's, its year or its track: nothing else is said.
    let venue_words: Vec<String> = cell.rest.split_whitespace().map(String::from).collect();
    let acronym = venue.acronym.to_lowercase();
    if venue_words.len() > acronym.split_whitespace().count() + 2 {
        return None;
    }
    Some((text, cell.year))
}

fn block_entry<'a>(block: Block<'a>, src: &'a str) -> Entry<'a> {
    let mut links = block.links;
    for l in &mut links {
        l.kind = classify(l, None);
    }
    let named = venue_after_link(&block.span, &links, src);
    Entry {
        source: match block.kind {
            BlockKind::Item => EntrySource::List,
            BlockKind::Paragraph => EntrySource::Paragraph,
        },
        table: None,
        section: block.section,
        span: block.span,
        cells: Box::default(),
        source_cells: 0,
        header_cells: 0,
        year_text: None,
        year: named.as_ref().and_then(|(_, y)| *y),
        title: title_from(&block.text, &links).map(|t| first_chars(t, 200)),
        venue: named.map(|(v, _)| Cow::Borrowed(v)),
        venue_span: None,
        links: links.into_boxed_slice(),
    }
}

/// The first `n` characters of `text` (a bullet's text can be a whole paragraph).
fn first_chars(text: Cow<'_, str>, n: usize) -> Cow<'_, str> {
    match text.char_indices().nth(n) {
        None => text,
        Some((end, _)) => match text {
            Cow::Borrowed(t) => Cow::Borrowed(&t[..end]),
            Cow::Owned(t) => Cow::Owned(t[..end].to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_names_a_word_only_as_a_whole_word_in_any_case() {
        assert!(names_word("[Code]", CODE_WORDS));
        assert!(names_word("Official PyTorch impl.", CODE_WORDS));
        assert!(names_word("Project Page", PROJECT_WORDS));
        assert!(names_word("arXiv:2101.00001", PAPER_WORDS));
        // Part of a longer word, joined by `_`, or glued to other letters (CJK
        // included, as a regex's Unicode `\b` sees them): not the word.
        assert!(!names_word("Codebook learning", CODE_WORDS));
        assert!(!names_word("project_page", PROJECT_WORDS));
        assert!(!names_word("代码code", CODE_WORDS));
        assert!(!names_word("", PAPER_WORDS));
    }

    #[test]
    fn entries_are_handed_on_in_batches_each_once() {
        let mut md = String::from("# L\n\n| Year | Title |\n|-|-|\n");
        for i in 0..(2 * BATCH + 10) {
            md.push_str(&format!("| 2024 | [P{i}](https://e.org/{i}) |\n"));
        }
        md.push_str("\n- [Bullet](https://b.org)\n");
        let mut sizes = Vec::new();
        let mut spans = Vec::new();
        let all = entries_in_batches(&md, &ColumnConfig::default(), |batch| {
            sizes.push(batch.len());
            spans.extend(batch.iter().map(|e| e.span.clone()));
        });
        // The first batches leave while the file is read; the rest at its end.
        assert_eq!(sizes, [BATCH, BATCH, 11]);
        assert_eq!(
            spans,
            all.iter().map(|e| e.span.clone()).collect::<Vec<_>>()
        );
        assert_eq!(all, entries(&md, &ColumnConfig::default()));
    }

    #[test]
    fn wide_rows_are_handed_on_before_there_are_many() {
        let cols = 3000;
        let mut md = String::from("|");
        md.push_str(&vec!["c"; cols].join("|"));
        md.push_str("|\n|");
        md.push_str(&vec!["-"; cols].join("|"));
        md.push_str("|\n");
        for _ in 0..20 {
            md.push('|');
            md.push_str(&vec!["[x](https://e.org)"; cols].join("|"));
            md.push_str("|\n");
        }
        let mut sizes = Vec::new();
        for_each_batch(&md, &ColumnConfig::default(), |batch| {
            sizes.push(batch.len())
        });
        // Three rows are 18,000 cells and links: past the limit, whatever the count.
        assert_eq!(sizes.iter().sum::<usize>(), 20);
        assert!(sizes.iter().all(|&n| n <= 3), "{sizes:?}");
    }

    #[test]
    fn batches_keep_source_order_when_items_nest() {
        // A list item is handed on when it ends, after the item nested in it: a batch
        // is sorted, and only cut where no item is open.
        let mut md = String::from("# L\n\n");
        for i in 0..(BATCH + 40) {
            md.push_str(&format!(
                "- [P{i}](https://e.org/{i})\n  - [code](https://c.org/{i})\n"
            ));
        }
        md.push_str("\n| Year | Title |\n|-|-|\n| 2024 | [T](https://t.org) |\n");
        let mut starts = Vec::new();
        let mut batches = 0;
        for_each_batch(&md, &ColumnConfig::default(), |batch| {
            batches += 1;
            starts.extend(batch.iter().map(|e| e.span.start));
        });
        assert!(batches >= 2, "{batches} batches");
        let whole = extract(parse(&md), &md, &ColumnConfig::default());
        assert_eq!(starts.len(), 2 * (BATCH + 40) + 1);
        assert_eq!(
            starts,
            whole.iter().map(|e| e.span.start).collect::<Vec<_>>()
        );
    }
    use crate::parse::parse;

    #[test]
    fn aliases_match_whole_words_only() {
        assert!(contains_words("pub venue", "pub"));
        assert!(contains_words("venue pub", "pub"));
        assert!(contains_words("paper title here", "paper title"));
        assert!(contains_words("a b a b c", "b c"));
        assert!(!contains_words("public", "pub"));
        assert!(!contains_words("the publication", "pub"));
        assert!(contains_words("资源名 name", "name"));
        assert!(!contains_words("资源名name", "name"));
    }

    fn headers(h: &[&str]) -> Columns {
        map_columns(
            &h.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            &ColumnConfig::default(),
        )
    }

    #[test]
    fn maps_columns_by_header_name() {
        let c = headers(&["Year", "Title", "Venue", "Paper", "Code"]);
        assert_eq!(
            (c.year, c.title, c.venue, c.code.clone(), c.link.clone()),
            (Some(0), Some(1), Some(2), vec![4], vec![3])
        );
        let c = headers(&["No.", "Pub.", "Title", "Links"]);
        assert_eq!(
            (c.title, c.venue, c.link.clone()),
            (Some(2), Some(1), vec![3])
        );
        let c = headers(&["Date", "keywords", "Institute", "Paper"]);
        assert_eq!((c.year, c.title), (Some(0), Some(3)));
        let c = headers(&["资源名（Name）", "描述（Description）", "链接"]);
        assert_eq!((c.title, c.link.clone()), (Some(0), vec![2]));
    }

    #[test]
    fn reads_years_from_many_formats() {
        for (text, want) in [
            ("2023", Some(2023)),
            ("[2023]", Some(2023)),
            ("May, 2023", Some(2023)),
            ("2023.05", Some(2023)),
            ("CVPR 2023", Some(2023)),
            ("12345", None),
            ("soon", None),
            ("202301", Some(2023)),
            ("9/04/24", Some(2024)),
            ("CVPR'23", Some(2023)),
        ] {
            assert_eq!(extract_year(text), want, "{text}");
        }
    }

    #[test]
    fn entries_carry_year_title_venue_and_link_kinds() {
        let md = "## S\n|Year|Title|Venue|Code|\n|-|-|-|-|\n|2023|[A Real Title](https://arxiv.org/abs/2301.00001) [![s](https://img.shields.io/x)](https://github.com/a/b)|NeurIPS|[code](https://github.com/a/b)|\n";
        let entries = extract(parse(md), md, &ColumnConfig::default());
        let e = &entries[0];
        assert_eq!(e.year, Some(2023));
        assert_eq!(e.title.as_deref(), Some("A Real Title"));
        assert_eq!(e.venue.as_deref(), Some("NeurIPS"));
        let kinds: Vec<_> = e.links.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            vec![
                LinkKind::Paper,
                LinkKind::Image,
                LinkKind::Badge,
                LinkKind::Code
            ]
        );
        assert_eq!(e.section[..], ["S"]);
    }

    #[test]
    fn a_plain_row_borrows_everything_from_the_source() {
        let md = "|Year|Title|Venue|\n|-|-|-|\n|2023|[A Real Title](https://arxiv.org/abs/2301.00001)|NeurIPS|\n";
        let entries = extract(parse(md), md, &ColumnConfig::default());
        let e = &entries[0];
        let borrowed = |t: Option<&Cow<'_, str>>| matches!(t, Some(Cow::Borrowed(_)));
        assert!(e.cells.iter().all(|c| borrowed(Some(&c.text))));
        assert!(borrowed(e.year_text.as_ref()));
        assert!(borrowed(e.title.as_ref()) && borrowed(e.venue.as_ref()));
        assert!(borrowed(Some(&e.links[0].url)) && borrowed(Some(&e.links[0].text)));
        assert_eq!(
            e.cells[1].source(md),
            "[A Real Title](https://arxiv.org/abs/2301.00001)"
        );
        // A title cut out of a cell is still a slice of it; one with labels removed is not.
        let md = "|Title|\n|-|\n| **Deep Graph** |\n|Deep Graph [pdf](https://x.org/p.pdf)|\n";
        let entries = extract(parse(md), md, &ColumnConfig::default());
        assert!(borrowed(entries[0].title.as_ref()));
        assert_eq!(entries[1].title.as_deref(), Some("Deep Graph"));
        assert!(!borrowed(entries[1].title.as_ref()));
    }

    #[test]
    fn entries_read_as_parsed_equal_those_of_the_whole_document() {
        let config = ColumnConfig::default();
        let mut lists = vec![
            "# A\n- [P](https://arxiv.org/abs/2301.00001) - NeurIPS 2023\n  - [Q](https://q.org)\n\n|Year|Title|\n|-|-|\n|2023|[T](https://t.org)|\n|2022|x|\n\nSee [p](https://p.org).\n## B\n|Title|Code|\n|-|-|\n|[U](https://u.org)|[c](https://github.com/a/b)|\n> - [R](https://r.org)\n".to_string(),
        ];
        lists.extend(crate::source::corpus_texts().into_iter().map(|(_, md)| md));
        for md in &lists {
            assert_eq!(entries(md, &config), extract(parse(md), md, &config));
        }
    }

    #[test]
    fn rows_under_one_heading_share_one_section() {
        let md = "# A\n## B\n|T|\n|-|\n|[x](https://x.org)|\n|[y](https://y.org)|\n\n- [z](https://z.org)\n## C\n- [w](https://w.org)\n";
        let entries = extract(parse(md), md, &ColumnConfig::default());
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[0].section[..], ["A", "B"]);
        // One value for the table's rows and the bullet under the same headings…
        assert!(std::sync::Arc::ptr_eq(
            &entries[0].section,
            &entries[1].section
        ));
        assert!(std::sync::Arc::ptr_eq(
            &entries[0].section,
            &entries[2].section
        ));
        // …and a new one where the headings change.
        assert_eq!(entries[3].section[..], ["A", "C"]);
    }

    #[test]
    fn bullets_get_the_venue_and_year_named_after_the_link() {
        let cases = [
            (
                "- [A Real Paper Title](https://arxiv.org/abs/2301.00001) - NeurIPS 2023\n",
                Some("NeurIPS 2023"),
                Some(2023),
            ),
            (
                "- [A Real Paper Title](https://arxiv.org/abs/2301.00001), ICLR'24\n",
                Some("ICLR'24"),
                Some(2024),
            ),
            (
                "- [A Real Paper Title](https://arxiv.org/abs/2301.00001) (CVPR 2022 Oral) [[code]](https://github.com/a/b)\n",
                Some("CVPR 2022 Oral"),
                Some(2022),
            ),
            (
                "- [A Real Paper Title](https://arxiv.org/abs/2301.00001) - EMNLP 2023 Findings\n",
                Some("EMNLP 2023 Findings"),
                Some(2023),
            ),
            (
                "- [OPT](https://arxiv.org/abs/2205.01068) - A suite of decoder-only pre-trained transformers.\n",
                None,
                None,
            ),
            (
                "- [Repo](https://github.com/a/b) - Papers from ACL 2022 and ICLR 2022 on instruction tuning.\n",
                None,
                None,
            ),
            ("- A title without a link - NeurIPS 2023\n", None, None),
        ];
        for (md, venue, year) in cases {
            let entries = extract(parse(md), md, &ColumnConfig::default());
            let e = entries.first();
            assert_eq!(e.and_then(|e| e.venue.as_deref()), venue, "{md}");
            assert_eq!(e.and_then(|e| e.year), year, "{md}");
        }
    }

    #[test]
    fn title_without_link_comes_from_cell_text() {
        let md = "|Year|Title|Paper|\n|-|-|-|\n|2021|**Deep Graph Clustering** [pdf](https://x.org/p.pdf)|[Link](https://arxiv.org/abs/2101.00001)|\n";
        let entries = extract(parse(md), md, &ColumnConfig::default());
        assert_eq!(entries[0].title.as_deref(), Some("Deep Graph Clustering"));
        assert_eq!(entries[0].paper_links().count(), 2);
    }
}
