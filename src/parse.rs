//! Markdown → [`Document`]: every table row, cell and link with exact byte spans, and
//! every list item or paragraph that carries links.
//!
//! pulldown-cmark does the CommonMark + GFM-table parsing (the same row and cell
//! rules as cmark-gfm, which GitHub uses); this module adds what it leaves out:
//! GitHub's bare-URL autolinks ([`crate::autolink`]), links written as inline HTML,
//! the byte span of every link destination (so a fix edits exactly those bytes) and
//! the number of cells a row has in the source before GitHub pads or drops any.

use crate::autolink;
use crate::model::{Block, BlockKind, Cell, Document, Link, LinkSyntax, Row, Section, Table};
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use regex::Regex;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

/// Parses a whole markdown file. Texts and URLs borrow from `text` wherever they are
/// a slice of it.
pub fn parse(text: &str) -> Document<'_> {
    let mut doc = Document::default();
    read(text, &mut doc);
    doc
}

/// Parses a whole markdown file and hands each table, row and link block to `reader`
/// the moment it is complete, in source order, so that a reader that keeps less than
/// the rows (the extraction of entries) never holds the whole [`Document`].
pub fn read<'a>(text: &'a str, reader: &mut dyn Reader<'a>) {
    read_in_pieces(text, PIECE, reader);
}

/// What [`read`] hands on as it parses.
pub trait Reader<'a> {
    /// A table's header is complete: the headings above it, the byte range of the
    /// table so far, and the header row. Body rows follow.
    fn table(&mut self, section: &Section, span: Range<usize>, header: Row<'a>);
    /// A body row of the table begun last.
    fn row(&mut self, row: Row<'a>);
    /// The table begun last ends; `span` is its whole byte range.
    fn table_end(&mut self, span: Range<usize>);
    /// A list item or paragraph with links.
    fn block(&mut self, block: Block<'a>);
    /// Nothing handed on from now on starts before what has been: no list item is
    /// open (an item is handed on when it ends, after the items and rows nested in
    /// it). A reader that keeps what it was given in source order can pass it on.
    fn settled(&mut self) {}
}

/// The reader that keeps everything.
impl<'a> Reader<'a> for Document<'a> {
    fn table(&mut self, section: &Section, span: Range<usize>, header: Row<'a>) {
        self.tables.push(Table {
            section: section.clone(),
            span,
            header,
            rows: Vec::new(),
        });
    }

    fn row(&mut self, row: Row<'a>) {
        if let Some(t) = self.tables.last_mut() {
            t.rows.push(row);
        }
    }

    fn table_end(&mut self, span: Range<usize>) {
        if let Some(t) = self.tables.last_mut() {
            t.span = span;
        }
    }

    fn block(&mut self, block: Block<'a>) {
        self.blocks.push(block);
    }
}

/// About how many bytes of a file pulldown-cmark reads at once. Its first pass builds
/// a tree of the whole input before the first event (some eight times the size of a
/// table of short rows), so a long list is read in pieces cut between the rows of a
/// table, where cutting changes nothing. A piece's tree and events (under 1 MB for
/// 32 KiB) live until the next piece: at 256 KiB they were 9 MB of a 16 MB list's
/// peak, for no measurable gain in speed.
const PIECE: usize = 32 * 1024;

fn options() -> Options {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_FOOTNOTES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    options
}

/// [`parse`], reading about `piece` bytes at a time.
///
/// A piece ends at a line end after `piece` bytes and is parsed on its own; its events
/// are used up to a cut (the piece's last but one, so that the end of the piece decides
/// nothing): the start of a block outside any container, where the next piece starts
/// afresh, or of a body row of a table outside any container, where the next piece
/// starts after a copy of that table's header and delimiter lines so that the rows
/// read as rows of the same table. GFM reads each row alone against the header, so
/// the rows come out as in one parse. What a piece parses after its cut is parsed
/// again with the next one. A piece without such a
/// cut, and any file that may hold reference or footnote definitions (which links
/// before or after them can use; see [`may_define`]), is parsed to its end in one go.
fn read_in_pieces<'a>(text: &'a str, piece: usize, reader: &mut dyn Reader<'a>) {
    // cmark-gfm skips a byte-order mark; parse after it and shift spans back.
    let base: usize = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut piece = if may_define(text) {
        usize::MAX
    } else {
        piece.max(1)
    };
    let mut builder = Builder::new(text, reader);
    // The events of a piece, one buffer for every piece (see `recycle`).
    let mut spare: Vec<(Event<'_>, Range<usize>)> = Vec::new();
    let mut pos = base;
    // The header and delimiter lines of the table the current piece continues.
    let mut header: Option<Range<usize>> = None;
    loop {
        let end = match pos.checked_add(piece) {
            Some(at) if at < text.len() => line_end(text, at),
            _ => text.len(),
        };
        let joined;
        let input = match &header {
            None => &text[pos..end],
            Some(h) => {
                joined = [&text[h.clone()], &text[pos..end]].concat();
                joined.as_str()
            }
        };
        let view = Piece {
            src: text,
            input,
            header: header.as_ref().map_or(0, |h| h.len()),
            at: pos,
        };
        let events = Parser::new_ext(input, options()).into_offset_iter();
        for (label, def) in events.reference_definitions().iter() {
            builder
                .refdefs
                .entry(label.to_lowercase())
                .or_insert_with(|| view.range(def.span.clone()));
        }
        if end == text.len() {
            builder.feed(events, &view);
            break;
        }
        let mut piece_events = recycle(std::mem::take(&mut spare));
        piece_events.extend(events);
        // A cut must move on: the first row of a continued table is where it began.
        let cut = find_cut(&piece_events, header.is_some()).filter(|c| view.at(c.row) > pos);
        let Some(cut) = cut else {
            // No row to cut at: read the rest in one go.
            piece = usize::MAX;
            spare = recycle(piece_events);
            continue;
        };
        builder.feed(piece_events.drain(..cut.event), &view);
        spare = recycle(piece_events);
        if let Some(own) = cut.header {
            let own = view.range(own);
            header = Some(line_start(text, own.start, base)..line_start(text, own.end, base));
        } else if cut.block {
            header = None;
        }
        pos = line_start(text, view.at(cut.row), base);
    }
    builder.flush_text();
}

/// An empty vector of events with `events`' allocation. The events of a piece borrow
/// from that piece's text, so a vector cannot outlive its piece; emptied, it holds
/// nothing of the piece, and collecting an emptied vector into one of the same layout
/// keeps its allocation (the standard library collects in place). A piece's events
/// are a few hundred kilobytes: allocated afresh for each piece, they would be mapped
/// and faulted in every time (`memory::keep_large_blocks_mapped`).
fn recycle<'x, 'y>(mut events: Vec<(Event<'x>, Range<usize>)>) -> Vec<(Event<'y>, Range<usize>)> {
    events.clear();
    events
        .into_iter()
        .map(|_| unreachable!("emptied"))
        .collect()
}

/// [`parse`], reading about `piece` bytes at a time (for tests of the pieces).
#[cfg(test)]
fn parse_in_pieces(text: &str, piece: usize) -> Document<'_> {
    let mut doc = Document::default();
    read_in_pieces(text, piece, &mut doc);
    doc
}

/// Whether the file may hold a reference or footnote definition (`[label]: …`),
/// which links before or after it can use. A `]:` inside a table row (`|` first on
/// its line, the `[` before it on the same line, as in a badge `[![x](…)]: …`) cannot
/// begin one: a definition starts a paragraph, and a row is not one.
fn may_define(text: &str) -> bool {
    text.match_indices("]:").any(|(at, _)| {
        let line = &text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at];
        !line.trim_start().starts_with('|') || !line.contains('[')
    })
}

/// Where a piece's events are cut: the index of the `Start` event of a body row or of
/// a block outside any container, its offset in the piece, and for a row the header
/// and delimiter of its table (piece offsets, the header's start to the first body
/// row) unless it is the table the piece continues.
struct Cut {
    event: usize,
    row: usize,
    header: Option<Range<usize>>,
    /// A cut before a block outside any container: the next piece starts afresh.
    block: bool,
}

/// The last cut but one in a piece's events (see [`read_in_pieces`]).
fn find_cut(events: &[(Event<'_>, Range<usize>)], continued: bool) -> Option<Cut> {
    let mut depth = 0usize;
    let mut tables = 0usize;
    // The open top-level table: its start and its first body row.
    let mut table: Option<(usize, Option<usize>)> = None;
    let mut cuts: Vec<Cut> = Vec::new();
    for (i, (event, range)) in events.iter().enumerate() {
        match event {
            Event::Start(tag) => {
                // Before a block outside any container, nothing that came before it
                // bears on how it reads (definitions aside, and a file with them is
                // read whole): lists of bullets and sections cut there.
                if depth == 0 {
                    cuts.push(Cut {
                        event: i,
                        row: range.start,
                        header: None,
                        block: true,
                    });
                }
                match tag {
                    Tag::Table(_) if depth == 0 => {
                        tables += 1;
                        table = Some((range.start, None));
                    }
                    Tag::TableRow if depth == 1 => {
                        if let Some((start, first)) = table.as_mut() {
                            let first = *first.get_or_insert(range.start);
                            let own = !(continued && tables == 1);
                            cuts.push(Cut {
                                event: i,
                                row: range.start,
                                header: own.then_some(*start..first),
                                block: false,
                            });
                        }
                    }
                    _ => {}
                }
                depth += 1;
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                if depth == 0 && matches!(tag, TagEnd::Table) {
                    table = None;
                }
            }
            _ => {}
        }
    }
    let last_but_one = cuts.len().checked_sub(2)?;
    cuts.into_iter().nth(last_but_one)
}

/// One past the end of the line that holds byte `at`.
fn line_end(text: &str, at: usize) -> usize {
    // Bytes: `at` may fall inside a character.
    let bytes = text.as_bytes();
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| at + i + 1)
}

/// The start of the line that holds byte `at`, never before `base`.
fn line_start(text: &str, at: usize, base: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1).max(base)
}

/// One piece of the source as pulldown-cmark reads it: `input` is a copy of a
/// table's header lines (`header` bytes, when the piece continues a table) followed
/// by the source from byte `at`.
struct Piece<'a, 'p> {
    src: &'a str,
    input: &'p str,
    header: usize,
    at: usize,
}

impl<'a> Piece<'a, '_> {
    /// The source offset of a piece offset (the copied header maps to `at`).
    fn at(&self, offset: usize) -> usize {
        self.at + offset.saturating_sub(self.header)
    }

    fn range(&self, r: Range<usize>) -> Range<usize> {
        self.at(r.start)..self.at(r.end)
    }

    /// A parser string as a `Cow` that borrows from the source whatever the parser
    /// borrowed from the source part of the piece.
    fn cow(&self, s: CowStr<'_>) -> Cow<'a, str> {
        if let CowStr::Borrowed(b) = &s
            && let Some(o) = offset_in(self.input, b)
            && o >= self.header
        {
            let start = self.at(o);
            return Cow::Borrowed(&self.src[start..start + b.len()]);
        }
        Cow::Owned(s.to_string())
    }
}

/// Text rendered from pieces (the text events of a cell, link or block): a slice of
/// the source for as long as every piece continues the one before it there, owned from
/// the first piece that does not (markup skipped, an entity decoded, a break).
#[derive(Debug)]
struct Rendered<'a>(Cow<'a, str>);

impl Default for Rendered<'_> {
    /// Empty and borrowed (`Cow`'s own default is an owned empty string).
    fn default() -> Self {
        Rendered(Cow::Borrowed(""))
    }
}

impl<'a> Rendered<'a> {
    /// Appends a piece; `src` is the whole source text.
    // A `Cow`, not a `&str`: whether the piece is borrowed from the source decides
    // whether the text can stay a slice.
    #[allow(clippy::ptr_arg)]
    fn push(&mut self, piece: &Cow<'a, str>, src: &'a str) {
        if piece.is_empty() {
            return;
        }
        match (&mut self.0, piece) {
            (Cow::Borrowed(so_far), Cow::Borrowed(next)) => {
                if so_far.is_empty() {
                    *so_far = *next;
                } else if let (Some(a), Some(b)) = (offset_in(src, so_far), offset_in(src, next))
                    && a + so_far.len() == b
                {
                    *so_far = &src[a..b + next.len()];
                } else {
                    self.0.to_mut().push_str(next);
                }
            }
            (text, next) => text.to_mut().push_str(next),
        }
    }

    /// The text with whitespace runs collapsed to one space and the ends trimmed.
    fn collapsed(self) -> Cow<'a, str> {
        collapsed(self.0)
    }
}

/// Where `part` starts in `src`, if it is a slice of it.
fn offset_in(src: &str, part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(src.as_ptr() as usize)?;
    (start + part.len() <= src.len()).then_some(start)
}

/// `value` borrowed from `src[span]` when it equals those bytes.
fn borrowed_if_same(src: &str, span: Range<usize>, value: String) -> Cow<'_, str> {
    match src.get(span) {
        Some(raw) if raw == value => Cow::Borrowed(raw),
        _ => Cow::Owned(value),
    }
}

struct PendingLink<'a> {
    span_start: usize,
    span_end: usize,
    url: Cow<'a, str>,
    syntax: LinkSyntax,
    label: Cow<'a, str>,
    text: Rendered<'a>,
    child_end: usize,
    has_text: bool,
    wraps_image: bool,
}

struct PendingImage<'a> {
    span: Range<usize>,
    url: Cow<'a, str>,
    syntax: LinkSyntax,
    alt: Rendered<'a>,
}

struct BlockBuilder<'a> {
    kind: BlockKind,
    span: Range<usize>,
    text: Rendered<'a>,
    links: Vec<Link<'a>>,
}

/// A cell being read: its trimmed span, text so far and links.
struct CellBuilder<'a> {
    span: Range<usize>,
    text: Rendered<'a>,
    links: Vec<Link<'a>>,
}

struct TableBuilder<'a> {
    span: Range<usize>,
    section: Section,
    /// Whether the header was handed on (body rows follow it).
    header: bool,
    row: Option<(Range<usize>, Vec<Cell<'a>>)>,
    cell: Option<CellBuilder<'a>>,
}

struct Builder<'a, 'r> {
    src: &'a str,
    reader: &'r mut dyn Reader<'a>,
    /// Link reference definitions by lower-cased label: a reference link's label is
    /// looked up once, not compared with every definition of the file.
    refdefs: std::collections::HashMap<String, Range<usize>>,
    headings: Vec<(u8, String)>,
    /// The path of `headings`, built once and shared until a heading changes it.
    section: Option<Section>,
    heading: Option<(u8, String)>,
    table: Option<TableBuilder<'a>>,
    blocks: Vec<BlockBuilder<'a>>,
    links: Vec<PendingLink<'a>>,
    image: Option<PendingImage<'a>>,
    text_run: Option<Range<usize>>,
}

impl<'a, 'r> Builder<'a, 'r> {
    fn new(src: &'a str, reader: &'r mut dyn Reader<'a>) -> Self {
        Builder {
            src,
            reader,
            refdefs: std::collections::HashMap::new(),
            headings: Vec::new(),
            section: None,
            heading: None,
            table: None,
            blocks: Vec::new(),
            links: Vec::new(),
            image: None,
            text_run: None,
        }
    }

    fn section(&mut self) -> Section {
        self.section
            .get_or_insert_with(|| self.headings.iter().map(|(_, t)| t.clone()).collect())
            .clone()
    }

    /// Takes the events of one piece; a piece that continues a table starts with a
    /// copy of its header, which is skipped.
    fn feed<'p>(
        &mut self,
        events: impl Iterator<Item = (Event<'p>, Range<usize>)>,
        view: &Piece<'a, '_>,
    ) {
        let mut in_copy = view.header > 0;
        for (event, range) in events {
            if in_copy {
                in_copy = !matches!(event, Event::End(TagEnd::TableHead));
                continue;
            }
            self.event(event, view.range(range), view);
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>, view: &Piece<'a, '_>) {
        if !matches!(event, Event::Text(_)) {
            self.flush_text();
        }
        match event {
            Event::Start(tag) => self.start(tag, range, view),
            Event::End(tag) => self.end(tag, range),
            Event::Text(text) => self.text(view.cow(text), range),
            Event::Code(code) => self.push_text(view.cow(code), range.end),
            Event::SoftBreak | Event::HardBreak => self.push_text(Cow::Borrowed(" "), range.end),
            Event::InlineHtml(html) => self.inline_html(&html, range),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>, view: &Piece<'a, '_>) {
        match tag {
            Tag::Heading { level, .. } => self.heading = Some((level as u8, String::new())),
            Tag::Table(_) => {
                self.table = Some(TableBuilder {
                    span: range,
                    section: self.section(),
                    header: false,
                    row: None,
                    cell: None,
                })
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(t) = self.table.as_mut() {
                    t.row = Some((range, Vec::new()));
                }
            }
            Tag::TableCell => {
                if let Some(t) = self.table.as_mut() {
                    t.cell = Some(CellBuilder {
                        span: trim_span(self.src, range),
                        text: Rendered::default(),
                        links: Vec::new(),
                    });
                }
            }
            Tag::Item => self.blocks.push(BlockBuilder {
                kind: BlockKind::Item,
                span: range,
                text: Rendered::default(),
                links: Vec::new(),
            }),
            Tag::Paragraph if self.blocks.is_empty() && self.table.is_none() => {
                self.blocks.push(BlockBuilder {
                    kind: BlockKind::Paragraph,
                    span: range,
                    text: Rendered::default(),
                    links: Vec::new(),
                })
            }
            Tag::List(_) => {
                // The parent item's own text ends where its nested list begins.
                if let Some(item) = self.blocks.last_mut() {
                    item.span.end = item.span.end.min(range.start);
                }
            }
            Tag::Link {
                link_type,
                dest_url,
                id,
                ..
            } => {
                let syntax = match link_type {
                    LinkType::Autolink => LinkSyntax::Autolink,
                    LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
                        LinkSyntax::Reference
                    }
                    // mailto: links are not part of a paper list's health.
                    LinkType::Email => {
                        return self.links.push(Self::pending(
                            range,
                            Cow::Borrowed(""),
                            view.cow(id),
                            LinkSyntax::Html,
                        ));
                    }
                    _ => LinkSyntax::Inline,
                };
                let pending = Self::pending(range, view.cow(dest_url), view.cow(id), syntax);
                self.links.push(pending);
            }
            Tag::Image {
                link_type,
                dest_url,
                ..
            } => {
                let syntax = match link_type {
                    LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
                        LinkSyntax::Reference
                    }
                    _ => LinkSyntax::Inline,
                };
                self.image = Some(PendingImage {
                    span: range,
                    url: view.cow(dest_url),
                    syntax,
                    alt: Rendered::default(),
                });
            }
            _ => {}
        }
    }

    fn pending(
        range: Range<usize>,
        url: Cow<'a, str>,
        id: Cow<'a, str>,
        syntax: LinkSyntax,
    ) -> PendingLink<'a> {
        PendingLink {
            span_start: range.start,
            span_end: range.end,
            url,
            syntax,
            label: id,
            text: Rendered::default(),
            child_end: range.start + 1,
            has_text: false,
            wraps_image: false,
        }
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        match tag {
            TagEnd::Heading(_) => {
                if let Some((level, text)) = self.heading.take() {
                    while self.headings.last().is_some_and(|(l, _)| *l >= level) {
                        self.headings.pop();
                    }
                    self.headings.push((level, text.trim().to_string()));
                    self.section = None;
                }
            }
            TagEnd::TableCell => {
                if let Some(t) = self.table.as_mut()
                    && let (Some(cell), Some((_, cells))) = (t.cell.take(), t.row.as_mut())
                {
                    let mut links = cell.links;
                    // A cell holds one or two links; the vector's growth leaves room
                    // for four, which a long list pays for in every cell.
                    links.shrink_to_fit();
                    cells.push(Cell {
                        span: cell.span,
                        text: cell.text.collapsed(),
                        links,
                    });
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                if let Some(t) = self.table.as_mut()
                    && let Some((span, cells)) = t.row.take()
                {
                    let source_cells = count_source_cells(&self.src[span.clone()]);
                    let mut cells = cells;
                    cells.shrink_to_fit();
                    let row = Row {
                        span,
                        cells,
                        source_cells,
                    };
                    if matches!(tag, TagEnd::TableHead) {
                        t.header = true;
                        self.reader.table(&t.section, t.span.clone(), row);
                    } else if t.header {
                        self.reader.row(row);
                        if self.blocks.is_empty() {
                            self.reader.settled();
                        }
                    }
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take()
                    && t.header
                {
                    // The start's range ends where the piece did when the table went
                    // on in the next one.
                    self.reader.table_end(t.span.start..range.end);
                }
            }
            TagEnd::Item => self.finish_block(BlockKind::Item),
            TagEnd::Paragraph
                if self
                    .blocks
                    .last()
                    .is_some_and(|b| b.kind == BlockKind::Paragraph) =>
            {
                self.finish_block(BlockKind::Paragraph);
            }
            TagEnd::Link => {
                if let Some(p) = self.links.pop() {
                    if p.syntax == LinkSyntax::Html && p.url.is_empty() {
                        return; // an e-mail autolink
                    }
                    let link = self.finish_link(p);
                    self.note_child_end(range.end);
                    if let Some(outer) = self.links.last_mut() {
                        outer.text.push(&link.text, self.src);
                    }
                    self.push_link(link);
                }
            }
            TagEnd::Image => {
                if let Some(img) = self.image.take() {
                    let url_span = match img.syntax {
                        LinkSyntax::Reference => None,
                        _ => inline_dest_span(self.src, img.span.clone(), img.span.start + 2),
                    };
                    let link = Link {
                        url: img.url,
                        text: img.alt.collapsed(),
                        span: img.span,
                        url_span,
                        text_span: None,
                        syntax: img.syntax,
                        image: true,
                        wraps_image: false,
                        kind: Default::default(),
                    };
                    if let Some(outer) = self.links.last_mut() {
                        outer.wraps_image = true;
                        outer.child_end = outer.child_end.max(range.end);
                    }
                    self.push_link(link);
                }
            }
            _ => {}
        }
    }

    fn finish_block(&mut self, kind: BlockKind) {
        if let Some(b) = self.blocks.pop() {
            debug_assert_eq!(b.kind, kind);
            if !b.links.is_empty() {
                let section = self.section();
                self.reader.block(Block {
                    kind: b.kind,
                    section,
                    span: trim_span(self.src, b.span),
                    text: b.text.collapsed(),
                    links: {
                        let mut links = b.links;
                        links.shrink_to_fit();
                        links
                    },
                });
            }
        }
        if self.blocks.is_empty() {
            self.reader.settled();
        }
    }

    fn finish_link(&self, p: PendingLink<'a>) -> Link<'a> {
        let span = p.span_start..p.span_end;
        let url_span = match p.syntax {
            LinkSyntax::Autolink => Some(p.span_start + 1..p.span_end - 1),
            LinkSyntax::Reference => self
                .refdefs
                .get(&p.label.to_lowercase())
                .and_then(|def| refdef_dest_span(self.src, def.clone())),
            _ => inline_dest_span(self.src, span.clone(), p.child_end),
        };
        let text_span = match p.syntax {
            LinkSyntax::Inline => {
                let from = p.child_end.clamp(p.span_start + 1, p.span_end);
                self.src[from..p.span_end]
                    .find("](")
                    .map(|i| p.span_start + 1..from + i)
            }
            _ => None,
        };
        Link {
            url: p.url,
            text: p.text.collapsed(),
            span,
            url_span,
            text_span,
            syntax: p.syntax,
            image: false,
            wraps_image: p.wraps_image && !p.has_text,
            kind: Default::default(),
        }
    }

    fn note_child_end(&mut self, end: usize) {
        if let Some(outer) = self.links.last_mut() {
            outer.child_end = outer.child_end.max(end);
        }
    }

    fn push_link(&mut self, link: Link<'a>) {
        if let Some(t) = self.table.as_mut() {
            if let Some(cell) = t.cell.as_mut() {
                cell.links.push(link);
            }
        } else if let Some(b) = self.blocks.last_mut() {
            b.links.push(link);
        }
    }

    fn text(&mut self, text: Cow<'a, str>, range: Range<usize>) {
        let end = range.end;
        if self.links.is_empty() && self.image.is_none() && self.heading.is_none() {
            match self.text_run.as_mut() {
                // A backslash escape splits the text but not a bare URL (cmark-gfm keeps
                // the backslash in the href).
                Some(run)
                    if run.end == range.start
                        || (run.end + 1 == range.start
                            && self.src.as_bytes()[run.end] == b'\\') =>
                {
                    run.end = range.end
                }
                _ => {
                    self.flush_text();
                    self.text_run = Some(range);
                }
            }
        }
        self.push_text(text, end);
    }

    /// Scans the text just finished for bare URLs, which GitHub links.
    fn flush_text(&mut self) {
        if let Some(run) = self.text_run.take() {
            for bare in autolink::find(self.src, run) {
                self.push_link(Link {
                    url: borrowed_if_same(self.src, bare.span.clone(), bare.href),
                    text: Cow::Borrowed(&self.src[bare.span.clone()]),
                    url_span: Some(bare.span.clone()),
                    span: bare.span,
                    text_span: None,
                    syntax: LinkSyntax::Bare,
                    image: false,
                    wraps_image: false,
                    kind: Default::default(),
                });
            }
        }
    }

    fn push_text(&mut self, text: Cow<'a, str>, end: usize) {
        let src = self.src;
        if let Some((_, h)) = self.heading.as_mut() {
            h.push_str(&text);
            return;
        }
        if let Some(img) = self.image.as_mut() {
            img.alt.push(&text, src);
            return;
        }
        if let Some(link) = self.links.last_mut() {
            link.text.push(&text, src);
            link.has_text |= !text.trim().is_empty();
            link.child_end = link.child_end.max(end);
        }
        if let Some(t) = self.table.as_mut() {
            if let Some(cell) = t.cell.as_mut() {
                cell.text.push(&text, src);
            }
        } else if let Some(b) = self.blocks.last_mut() {
            b.text.push(&text, src);
        }
    }

    fn inline_html(&mut self, html: &str, range: Range<usize>) {
        static BREAK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^<br\s*/?>$").unwrap());
        if BREAK.is_match(html.trim()) {
            self.push_text(Cow::Borrowed(" "), range.end);
            return;
        }
        self.note_child_end(range.end);
        for (url, span, image) in html_links(html, range.start) {
            if let Some(outer) = self.links.last_mut()
                && image
            {
                outer.wraps_image = true;
            }
            self.push_link(Link {
                url: borrowed_if_same(self.src, span.clone(), url),
                text: Cow::Borrowed(""),
                span: range.clone(),
                url_span: Some(span),
                text_span: None,
                syntax: LinkSyntax::Html,
                image,
                wraps_image: false,
                kind: Default::default(),
            });
        }
    }
}

/// `href` of `<a>` and `src` of `<img>` in a fragment of inline HTML, with the byte
/// span of each attribute value (offset by `base`).
pub fn html_links(html: &str, base: usize) -> Vec<(String, Range<usize>, bool)> {
    static TAG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?is)<(a|img)\b[^>]*?\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"#,
        )
        .unwrap()
    });
    TAG.captures_iter(html)
        .filter_map(|c| {
            let tag = c.get(1)?.as_str().to_ascii_lowercase();
            let attr = c.get(2)?.as_str().to_ascii_lowercase();
            let image = tag == "img";
            if (image && attr != "src") || (!image && attr != "href") {
                return None;
            }
            let value = c.get(3).or(c.get(4)).or(c.get(5))?;
            Some((
                crate::text::decode_attribute(value.as_str()),
                base + value.start()..base + value.end(),
                image,
            ))
        })
        .collect()
}

/// The byte span of the destination of an inline link or image `[text](dest "title")`.
/// `text_end` is where the link text's last child ends, so that `](` inside the
/// text (nested brackets, code) is not mistaken for the destination's start.
fn inline_dest_span(src: &str, span: Range<usize>, text_end: usize) -> Option<Range<usize>> {
    let from = text_end.clamp(span.start, span.end);
    let open = src[from..span.end].find("](")? + from + 2;
    dest_span_at(src, open, span.end, true)
}

/// The byte span of the destination in a link reference definition `[label]: dest`.
fn refdef_dest_span(src: &str, def: Range<usize>) -> Option<Range<usize>> {
    let colon = src[def.clone()].find("]:")? + def.start + 2;
    dest_span_at(src, colon, def.end, false)
}

/// The destination starting at `from` after optional whitespace: `<…>` or a bare
/// token (parentheses balanced in inline links, as CommonMark requires).
fn dest_span_at(
    src: &str,
    from: usize,
    limit: usize,
    balance_parens: bool,
) -> Option<Range<usize>> {
    let bytes = src.as_bytes();
    let mut i = from;
    while i < limit && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    if i < limit && bytes[i] == b'<' {
        let close = src[i..limit].find('>')? + i;
        return Some(i + 1..close);
    }
    Some(i..dest_token_end(bytes, i, limit, balance_parens))
}

fn dest_token_end(bytes: &[u8], start: usize, limit: usize, balance_parens: bool) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < limit {
        match bytes[i] {
            b'\\' if i + 1 < limit => i += 1,
            b' ' | b'\t' | b'\n' | b'\r' => break,
            b'(' if balance_parens => depth += 1,
            b')' if balance_parens => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// How many cells a table row has in the source: GFM splits on every pipe that is
/// not backslash-escaped (even inside code spans), after dropping the outer pipes.
pub fn count_source_cells(line: &str) -> usize {
    source_cell_spans(line).len()
}

/// The byte ranges (within `line`) of the cells a row has in the source, before
/// GitHub pads or drops any; each range excludes the pipes, not the padding.
pub fn source_cell_spans(line: &str) -> Vec<Range<usize>> {
    let start = line.len() - line.trim_start().len();
    let end = start + line.trim().len();
    let bytes = line.as_bytes();
    let mut pipes = Vec::new();
    let mut i = start;
    while i < end {
        match bytes[i] {
            b'\\' => i += 1,
            b'|' => pipes.push(i),
            _ => {}
        }
        i += 1;
    }
    let mut bounds = vec![start];
    for &p in &pipes {
        bounds.push(p);
        bounds.push(p + 1);
    }
    bounds.push(end);
    let mut cells: Vec<Range<usize>> = bounds.chunks(2).map(|b| b[0]..b[1]).collect();
    if pipes.first() == Some(&start) && cells.len() > 1 {
        cells.remove(0);
    }
    if end > start + 1 && pipes.last() == Some(&(end - 1)) && cells.len() > 1 {
        cells.pop();
    }
    cells
}

fn trim_span(src: &str, span: Range<usize>) -> Range<usize> {
    let s = &src[span.clone()];
    let start = span.start + (s.len() - s.trim_start().len());
    let end = span.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

/// Every run of whitespace collapsed to one space and the ends trimmed. Text that
/// only needs trimming (most of it) stays a slice of what it was, with no allocation.
fn collapsed(s: Cow<'_, str>) -> Cow<'_, str> {
    let trimmed = s.trim();
    let mut after_space = false;
    let tidy = trimmed.chars().all(|c| {
        let space = c.is_whitespace();
        let fine = !space || (c == ' ' && !after_space);
        after_space = space;
        fine
    });
    if tidy {
        return match s {
            Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
            Cow::Owned(o) if o.len() == trimmed.len() => Cow::Owned(o),
            Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
        };
    }
    let mut out = String::with_capacity(trimmed.len());
    for word in trimmed.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(md: &str) -> Table<'_> {
        parse(md).tables.into_iter().next().expect("a table")
    }

    #[test]
    fn a_piece_s_events_reuse_the_last_piece_s_buffer() {
        let first = String::from("| a | b |\n|---|---|\n| [x](https://x.org) | y |\n");
        let events: Vec<_> = Parser::new_ext(&first, options())
            .into_offset_iter()
            .collect();
        let (at, room) = (events.as_ptr() as usize, events.capacity());
        assert!(room > 0);
        // Another text: the recycled buffer borrows from nothing of the first.
        let second = first.replace("[x]", "[z]");
        let mut again = recycle(events);
        assert_eq!((again.as_ptr() as usize, again.capacity()), (at, room));
        assert!(again.is_empty());
        again.extend(Parser::new_ext(&second, options()).into_offset_iter());
        assert!(!again.is_empty());
    }

    #[test]
    fn whitespace_collapses_to_single_spaces() {
        for (raw, want) in [
            ("", ""),
            ("a b", "a b"),
            ("  a \t\n b  ", "a b"),
            (" ", ""),
            ("a\u{a0}b", "a b"),
            ("a  b", "a b"),
            ("ab ", "ab"),
        ] {
            assert_eq!(collapsed(Cow::Borrowed(raw)), want, "{raw:?}");
            assert_eq!(collapsed(Cow::Owned(raw.to_string())), want, "{raw:?}");
        }
    }

    #[allow(clippy::ptr_arg)] // the variant is the point
    fn borrowed(text: &Cow<'_, str>) -> bool {
        matches!(text, Cow::Borrowed(_))
    }

    #[test]
    fn plain_texts_and_urls_borrow_from_the_source() {
        let md = "|Year|Title|\n|-|-|\n| 2023 | [A paper](https://a.org/x) |\n|**2024**|[B  &amp; c](https://b.org/&amp;\\_) `code`|\n";
        let t = table(md);
        let (plain, marked) = (&t.rows[0], &t.rows[1]);
        assert!(t.header.cells.iter().all(|c| borrowed(&c.text)));
        // A plain cell, link text and URL are slices of the source…
        assert_eq!(plain.cells[0].text, "2023");
        assert!(borrowed(&plain.cells[0].text) && borrowed(&plain.cells[1].text));
        let link = &plain.cells[1].links[0];
        assert!(borrowed(&link.url) && borrowed(&link.text));
        // …and whatever rendering changed is owned, with the rendered value.
        assert_eq!(marked.cells[0].text, "2024");
        assert_eq!(marked.cells[1].text, "B & c code");
        assert!(!borrowed(&marked.cells[1].text));
        let link = &marked.cells[1].links[0];
        assert_eq!((&*link.url, &*link.text), ("https://b.org/&_", "B & c"));
        assert!(!borrowed(&link.url) && !borrowed(&link.text));
        // Each text is a slice of the source where it is borrowed.
        let Cow::Borrowed(year) = &plain.cells[0].text else {
            unreachable!()
        };
        assert_eq!(offset_in(md, year), Some(plain.cells[0].span.start));
    }

    /// Lists whose tables are cut into pieces in every place: each must read as in one
    /// parse.
    fn tricky_lists() -> Vec<String> {
        let mut rows = String::from("# Short\n\n| Year | Title |\n|---|:-:|\n");
        for i in 0..60 {
            rows.push_str(&format!(
                "| 2024 | [Paper {i}](https://example.org/p/{i}) |\n"
            ));
        }
        let mut mixed = String::from("\u{feff}|T|Code|\n|-|-|\n");
        for i in 0..30 {
            mixed.push_str(&format!(
                "|**B{i}** [![T](https://t.org/{i})]: `a|b` x \\| y<br>z <a href=\"https://h.org/{i}?a=1&amp;b\">h</a>|[![s](https://img.shields.io/{i})](https://github.com/o/{i}) https://bare.org/{i}|\n"
            ));
            if i % 7 == 3 {
                mixed.push_str("|one cell only|\n|a|b|c|d|\n  | indented | row |\n");
            }
        }
        mixed.push_str("a line without pipes\n\n## Next\n- [item](https://i.org)\n  |in|list|\n  |-|-|\n  |x|[y](https://y.org)|\n  |x|y|\n  |x|y|\n\n> |q|t|\n> |-|-|\n> |1|2|\n> |3|4|\n> |5|6|\n\n```\n|not|a|\n|-|-|\n|table|x|\n```\n<details>\n\n|T|\n|-|\n|[d](https://d.org)|\n|e|\n|f|\n\n</details>\n|A|B|\n|-|-|\n|1|2|\n|3|4|\n# heading right after\n|A|\n|-|\n|1|\n|2|\n|3|");
        // Bullets under headings, with what may run across blank lines.
        let mut bullets = String::new();
        for i in 0..25 {
            bullets.push_str(&format!(
                "## Topic {i}\n\n- [Paper {i}](https://example.org/{i}) - NeurIPS 2023\n- [Other](https://o.org/{i})\nlazy line\n\n  indented [more](https://m.org/{i})\n\n1. one\n\n3. three [t](https://t.org/{i})\n\n```\n[in code](https://c.org)\n\n- not an item\n```\n\n<!--\n\n[hidden](https://h.org)\n\n-->\n\nA paragraph with https://bare.org/{i} and\n\n> a [quote](https://q.org)\n>\n> more\n\n"
            ));
        }
        vec![rows, mixed, bullets]
    }

    #[test]
    fn pieces_parse_like_one_parse() {
        for md in tricky_lists() {
            let whole = parse_in_pieces(&md, usize::MAX);
            for piece in [1, 5, 23, 64, 200, 1000] {
                assert_eq!(
                    parse_in_pieces(&md, piece),
                    whole,
                    "pieces of {piece} bytes"
                );
            }
        }
        // The corpus of real lists, when it is beside the repository.
        for (path, md) in crate::source::corpus_texts() {
            let whole = parse_in_pieces(&md, usize::MAX);
            assert_eq!(parse_in_pieces(&md, 3000), whole, "{}", path.display());
        }
    }

    #[test]
    fn pieces_are_cut_only_between_rows_of_a_top_level_table() {
        let md = &tricky_lists()[0];
        let events: Vec<_> = Parser::new_ext(md, options()).into_offset_iter().collect();
        let cut = find_cut(&events, false).expect("a cut");
        assert!(md[cut.row..].starts_with("| 2024 | [Paper 58]"));
        let header = cut.header.expect("the table's own header");
        assert_eq!(&md[header], "| Year | Title |\n|---|:-:|\n");
        // Rows in a list item or a quote, and tables with one row, are never cut.
        let md =
            "- |a|b|\n  |-|-|\n  |1|2|\n  |3|4|\n  |5|6|\n\n> |a|\n> |-|\n> |1|\n> |2|\n> |3|\n";
        let events: Vec<_> = Parser::new_ext(md, options()).into_offset_iter().collect();
        let cut = find_cut(&events, false).expect("a cut before the quote's block");
        assert!(cut.block && cut.header.is_none() && cut.row == 0);
        // A list of bullets under headings is cut between its blocks.
        let md = &tricky_lists()[2];
        let events: Vec<_> = Parser::new_ext(md, options()).into_offset_iter().collect();
        let cut = find_cut(&events, false).expect("a cut between blocks");
        assert!(cut.block && cut.row > 0 && md[..cut.row].ends_with('\n'));
        // `]:` in a table row defines nothing; anywhere else it may.
        assert!(!may_define(
            "|[![T](https://t.org/x)]: y|z|\n  | a [b]: c |\n"
        ));
        for md in ["[a]: https://a.org\n", "> - [^1]: note\n", "|[a\n|b]: /u\n"] {
            assert!(may_define(md), "{md}");
        }
        // A file with definitions is read in one go: they reach across pieces.
        let md = "|T|\n|-|\n|[a]|\n|[b]|\n|[c]|\n\n[a]: https://a.org\n";
        assert_eq!(parse_in_pieces(md, 1), parse_in_pieces(md, usize::MAX));
        assert_eq!(
            parse(md).tables[0].rows[0].cells[0].links[0].url,
            "https://a.org"
        );
    }

    #[test]
    fn cells_and_links_keep_exact_spans() {
        let md = "|Year|Title|\n|---|---|\n| 2023 |[A paper](https://arxiv.org/abs/2301.00001)|\n";
        let t = table(md);
        let row = &t.rows[0];
        assert_eq!(&md[row.cells[0].span.clone()], "2023");
        let link = &row.cells[1].links[0];
        assert_eq!(link.text, "A paper");
        assert_eq!(
            &md[link.url_span.clone().unwrap()],
            "https://arxiv.org/abs/2301.00001"
        );
        assert_eq!(
            &md[link.span.clone()],
            "[A paper](https://arxiv.org/abs/2301.00001)"
        );
    }

    #[test]
    fn rows_without_outer_pipes_and_escaped_pipes() {
        let md = "a | b\n:-: | :-\nx \\| y | [p](u)\n";
        let t = table(md);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].cells[0].text, "x | y");
        assert_eq!(t.rows[0].source_cells, 2);
        assert_eq!(t.rows[0].cells[1].links[0].url, "u");
    }

    #[test]
    fn counts_source_cells_before_github_pads_or_drops() {
        assert_eq!(count_source_cells("|a|b|c|\n"), 3);
        assert_eq!(count_source_cells("a|b|c"), 3);
        assert_eq!(count_source_cells("|a|b| [//]: #x"), 3);
        assert_eq!(count_source_cells("|a \\| b|c|"), 2);
        assert_eq!(count_source_cells("|a|b||c|d|"), 5);
        assert_eq!(count_source_cells("| only |"), 1);
    }

    #[test]
    fn badges_images_html_and_reference_links() {
        let md = "|T|\n|-|\n|[![stars](https://img.shields.io/x.svg)](https://github.com/a/b) <a href=\"https://x.org/p?a=1&amp;b=2\">p</a> [r][ref] <img src=fig.png width=3>|\n\n[ref]: https://ref.org/x\n";
        let t = table(md);
        let links = &t.rows[0].cells[0].links;
        let summary: Vec<_> = links
            .iter()
            .map(|l| (&*l.url, l.image, l.wraps_image, l.syntax))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "https://img.shields.io/x.svg",
                    true,
                    false,
                    LinkSyntax::Inline
                ),
                ("https://github.com/a/b", false, true, LinkSyntax::Inline),
                ("https://x.org/p?a=1&b=2", false, false, LinkSyntax::Html),
                ("https://ref.org/x", false, false, LinkSyntax::Reference),
                ("fig.png", true, false, LinkSyntax::Html),
            ]
        );
        let reference = &links[3];
        assert_eq!(
            &md[reference.url_span.clone().unwrap()],
            "https://ref.org/x"
        );
    }

    #[test]
    fn nested_brackets_and_empty_targets() {
        let md = "|T|\n|-|\n|[Med-[2D,3D]](https://a.org/x) [Coming soon]()|\n";
        let t = table(md);
        let links = &t.rows[0].cells[0].links;
        assert_eq!(&md[links[0].url_span.clone().unwrap()], "https://a.org/x");
        assert_eq!(links[0].text, "Med-[2D,3D]");
        assert_eq!(links[1].url, "");
        assert!(links[1].url_span.clone().unwrap().is_empty());
    }

    #[test]
    fn sections_follow_the_heading_path() {
        let md = "# A\n## B\n### C\n|T|\n|-|\n|x|\n## D\n|T|\n|-|\n|y|\n";
        let doc = parse(md);
        assert_eq!(doc.tables[0].section[..], ["A", "B", "C"]);
        assert_eq!(doc.tables[1].section[..], ["A", "D"]);
    }

    #[test]
    fn bullet_items_and_bare_urls_are_link_blocks() {
        let md = "## Papers\n- Title. [[PDF](https://arxiv.org/pdf/2301.00001)] code: https://github.com/a/b\n  - nested [x](https://x.org)\n";
        let doc = parse(md);
        assert_eq!(doc.blocks.len(), 2);
        let urls: Vec<_> = doc.blocks[1].links.iter().map(|l| &*l.url).collect();
        assert_eq!(doc.blocks[0].links[0].url, "https://x.org");
        assert_eq!(
            urls,
            vec!["https://arxiv.org/pdf/2301.00001", "https://github.com/a/b"]
        );
        assert_eq!(doc.blocks[1].section[..], ["Papers"]);
    }

    #[test]
    fn tables_inside_details_cjk_and_tabs() {
        let md = "<details><summary>2023</summary>\n\n|年份|标题|\n|-|-|\n|2023\t|[大模型](https://arxiv.org/abs/2301.00001)|\n\n</details>\n";
        let t = table(md);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].cells[0].text, "2023");
        assert_eq!(t.rows[0].cells[1].links[0].text, "大模型");
    }

    #[test]
    fn byte_order_mark_is_skipped_but_offsets_stay_exact() {
        let md = "\u{feff}|T|\n|-|\n|[a](https://a.org)|\n";
        let t = table(md);
        let link = &t.rows[0].cells[0].links[0];
        assert_eq!(&md[link.url_span.clone().unwrap()], "https://a.org");
    }
}
