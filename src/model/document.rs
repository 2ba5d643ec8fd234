//! The data every stage shares: links, cells, rows and tables as parsed, and the
//! [`Entry`] (one paper row) that the rules and reports work on.
//!
//! Everything here borrows from the source text it was read from (lifetime `'a`): a
//! text or URL is a [`Cow`] that is a slice of the source whenever the rendered value
//! is one (plain cells, link texts without markup, URLs without escapes), and owned
//! only where rendering changed it. A long list is mostly such slices, so its entries
//! cost a few pointers per field instead of a copy of the file. The source therefore
//! outlives the documents and entries made from it.

use serde::Serialize;
use std::borrow::Cow;
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
pub struct Link<'a> {
    /// The destination as GitHub resolves it (escapes and entities decoded).
    pub url: Cow<'a, str>,
    /// The visible text of the link (image alt text for images).
    pub text: Cow<'a, str>,
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

impl Link<'_> {
    /// The byte offset a finding about this link points at: its destination when
    /// the source has one, else the start of the link.
    pub fn anchor(&self) -> usize {
        self.url_span.as_ref().map_or(self.span.start, |s| s.start)
    }
}

/// One table cell as GitHub renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell<'a> {
    /// Byte range of the cell's content, surrounding whitespace trimmed. Empty for a
    /// cell that GitHub adds to a short row.
    pub span: Range<usize>,
    /// The rendered text (markup removed, images left out, `<br>` as a space).
    pub text: Cow<'a, str>,
    /// The links inside, in source order.
    pub links: Vec<Link<'a>>,
}

/// One table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<'a> {
    /// Byte range of the row's line(s).
    pub span: Range<usize>,
    /// The cells GitHub shows: as many as the header has.
    pub cells: Vec<Cell<'a>>,
    /// How many cells the source line has before GitHub pads or drops any.
    pub source_cells: usize,
}

/// A GFM table with the heading path it sits under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table<'a> {
    /// Headings above the table, outermost first.
    pub section: Section,
    /// Byte range of the whole table.
    pub span: Range<usize>,
    /// The header row.
    pub header: Row<'a>,
    /// The body rows, in order.
    pub rows: Vec<Row<'a>>,
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
pub struct Block<'a> {
    /// Item or paragraph.
    pub kind: BlockKind,
    /// Headings above it, outermost first.
    pub section: Section,
    /// Byte range of the block's own text (a nested list is a block of its own).
    pub span: Range<usize>,
    /// The rendered text.
    pub text: Cow<'a, str>,
    /// The links inside, in source order.
    pub links: Vec<Link<'a>>,
}

/// Everything the parser found in one markdown file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document<'a> {
    /// Tables in source order.
    pub tables: Vec<Table<'a>>,
    /// Link-bearing list items and paragraphs in source order.
    pub blocks: Vec<Block<'a>>,
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

/// One cell of an entry, with its place in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryCell<'a> {
    /// The rendered text.
    pub text: Cow<'a, str>,
    /// Byte range of the cell's trimmed source text.
    pub span: Range<usize>,
}

impl EntryCell<'_> {
    /// The trimmed source text of the cell in `src`, the text it was read from.
    pub fn source<'s>(&self, src: &'s str) -> &'s str {
        &src[self.span.clone()]
    }
}

/// One paper row (or bullet) with its columns interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Table row, list item or paragraph.
    pub source: EntrySource,
    /// Index of the table in the document, for table rows.
    pub table: Option<usize>,
    /// Heading path, outermost first (shared with the other entries under it).
    pub section: Section,
    /// Byte range of the row or block.
    pub span: Range<usize>,
    /// The cells GitHub shows (empty for list items and paragraphs).
    pub cells: Box<[EntryCell<'a>]>,
    /// Cells in the source line before GitHub pads or drops any.
    pub source_cells: usize,
    /// Cells the table's header has.
    pub header_cells: usize,
    /// The year column's text, when the table has one.
    pub year_text: Option<Cow<'a, str>>,
    /// The year read from the year column.
    pub year: Option<i32>,
    /// The paper's title as the row gives it.
    pub title: Option<Cow<'a, str>>,
    /// The venue column's text.
    pub venue: Option<Cow<'a, str>>,
    /// Byte range of the venue cell's content.
    pub venue_span: Option<Range<usize>>,
    /// Every link of the row, in source order, each with its kind.
    pub links: Box<[Link<'a>]>,
}

impl<'a> Entry<'a> {
    /// The links that point at the paper itself.
    pub fn paper_links(&self) -> impl Iterator<Item = &Link<'a>> {
        self.links.iter().filter(|l| l.kind == LinkKind::Paper)
    }
}
