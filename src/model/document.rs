//! The data every stage shares: links, cells, rows and tables as parsed, and the
//! [`Entry`] (one paper row) that the rules and reports work on.

use serde::Serialize;
use std::ops::Range;
use std::sync::Arc;

/// A heading path, outermost first. One value is shared by every table, block and
/// entry under the same headings: a long list repeats its path on every row, and a
/// copy per row would cost more than the row.
pub type Section = Arc<[String]>;

/// How a link is written in the markdown source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkSyntax {
    /// `[text](url)` or `![alt](url)`.
    Inline,
    /// `[text][label]`, `[label][]` or `[label]`, resolved through a definition.
    Reference,
    /// `<https://…>`.
    Autolink,
    /// A bare `https://…` or `www.…` that GitHub turns into a link.
    Bare,
    /// `<a href>` or `<img src>` written as inline HTML.
    Html,
}

/// What a link is for, as far as a paper list is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// The paper itself (title link, arXiv, DOI, publisher, proceedings).
    Paper,
    /// Source code (GitHub, GitLab, Hugging Face, a Code column).
    Code,
    /// A project page, demo or website.
    Project,
    /// A link whose only content is an image (a shields.io badge, a star count).
    Badge,
    /// The source of an image.
    Image,
    /// Anything else.
    #[default]
    Other,
}

/// One link found in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination as GitHub resolves it (escapes and entities decoded).
    pub url: String,
    /// The visible text of the link (image alt text for images).
    pub text: String,
    /// Byte range of the whole link in the source.
    pub span: Range<usize>,
    /// Byte range of the destination itself, where a fix can rewrite it. For a
    /// reference link this is inside the definition line.
    pub url_span: Option<Range<usize>>,
    /// Byte range of the link text (inside `[…]`) for inline links, where a fix can
    /// rewrite the title.
    pub text_span: Option<Range<usize>>,
    /// How it is written.
    pub syntax: LinkSyntax,
    /// True for an image source rather than a clickable link.
    pub image: bool,
    /// True when the link's only content is an image (a badge).
    pub wraps_image: bool,
    /// What it is for; set by `extract`.
    pub kind: LinkKind,
}

impl Link {
    /// The byte offset a finding about this link points at: its destination when
    /// the source has one, else the start of the link.
    pub fn anchor(&self) -> usize {
        self.url_span.as_ref().map_or(self.span.start, |s| s.start)
    }
}

/// One table cell as GitHub renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Byte range of the cell's content, surrounding whitespace trimmed. Empty for a
    /// cell that GitHub adds to a short row.
    pub span: Range<usize>,
    /// The rendered text (markup removed, images left out, `<br>` as a space).
    pub text: String,
    /// The links inside, in source order.
    pub links: Vec<Link>,
}

/// One table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Byte range of the row's line(s).
    pub span: Range<usize>,
    /// The cells GitHub shows: as many as the header has.
    pub cells: Vec<Cell>,
    /// How many cells the source line has before GitHub pads or drops any.
    pub source_cells: usize,
}

/// A GFM table with the heading path it sits under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Headings above the table, outermost first.
    pub section: Section,
    /// Byte range of the whole table.
    pub span: Range<usize>,
    /// The header row.
    pub header: Row,
    /// The body rows, in order.
    pub rows: Vec<Row>,
}

/// Where a non-table block with links comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// A bullet or numbered list item.
    Item,
    /// A paragraph outside any list or table.
    Paragraph,
}

/// A list item or paragraph that holds links (papers written as bullets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Item or paragraph.
    pub kind: BlockKind,
    /// Headings above it, outermost first.
    pub section: Section,
    /// Byte range of the block's own text (a nested list is a block of its own).
    pub span: Range<usize>,
    /// The rendered text.
    pub text: String,
    /// The links inside, in source order.
    pub links: Vec<Link>,
}

/// Everything the parser found in one markdown file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// Tables in source order.
    pub tables: Vec<Table>,
    /// Link-bearing list items and paragraphs in source order.
    pub blocks: Vec<Block>,
}

/// Where an entry was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntrySource {
    /// A table body row.
    Table,
    /// A list item.
    List,
    /// A paragraph.
    Paragraph,
}

/// One cell of an entry, with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryCell {
    /// The trimmed source text of the cell.
    pub source: String,
    /// The rendered text.
    pub text: String,
    /// Byte range of `source`.
    pub span: Range<usize>,
}

/// One paper row (or bullet) with its columns interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Table row, list item or paragraph.
    pub source: EntrySource,
    /// Index of the table in the document, for table rows.
    pub table: Option<usize>,
    /// Heading path, outermost first (shared with the other entries under it).
    pub section: Section,
    /// Byte range of the row or block.
    pub span: Range<usize>,
    /// The cells GitHub shows (empty for list items and paragraphs).
    pub cells: Vec<EntryCell>,
    /// Cells in the source line before GitHub pads or drops any.
    pub source_cells: usize,
    /// Cells the table's header has.
    pub header_cells: usize,
    /// The year column's text, when the table has one.
    pub year_text: Option<String>,
    /// The year read from the year column.
    pub year: Option<i32>,
    /// The paper's title as the row gives it.
    pub title: Option<String>,
    /// The venue column's text.
    pub venue: Option<String>,
    /// Byte range of the venue cell's content.
    pub venue_span: Option<Range<usize>>,
    /// Every link of the row, in source order, each with its kind.
    pub links: Vec<Link>,
}

impl Entry {
    /// The links that point at the paper itself.
    pub fn paper_links(&self) -> impl Iterator<Item = &Link> {
        self.links.iter().filter(|l| l.kind == LinkKind::Paper)
    }
}
