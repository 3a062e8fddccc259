//! Page layout: blocks → pages of positioned drawing operations.
//!
//! Coordinates are PDF points with the origin at the bottom left. The cursor `y` is the top of
//! the free space on the current page and moves down.

use qrcode::{EcLevel, QrCode};
use unicode_normalization::UnicodeNormalization;

use crate::font::{is_invisible, FontId, Fonts};
use crate::{Anchor, Block, Column, Document, Orientation, PdfError, Rgb, Run, Shape};

pub(crate) const A4_WIDTH: f32 = 595.28;
pub(crate) const A4_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;

const BODY_SIZE: f32 = 11.0;
const BODY_LEADING: f32 = 1.4;
const NOTE_SIZE: f32 = 9.0;
const FOOTER_SIZE: f32 = 8.5;
const TABLE_SIZE: f32 = 8.5;
const CELL_PAD: f32 = 3.0;
/// Lines of body text that must fit under a heading on the same page.
const KEEP_LINES_AFTER_HEADING: f32 = 3.0;
const LIST_INDENT: f32 = 14.0;
const PARAGRAPH_GAP: f32 = BODY_SIZE * 0.6;
const TOC_TITLE: &str = "Mục lục";
const EPSILON: f32 = 0.01;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Color(pub f32, pub f32, pub f32);

const BLACK: Color = Color(0.0, 0.0, 0.0);
const TEXT: Color = Color(0.08, 0.08, 0.08);
const HEADING: Color = Color(0.05, 0.22, 0.45);
const GREY: Color = Color(0.38, 0.38, 0.38);
const LIGHT_GREY: Color = Color(0.6, 0.6, 0.6);
const SHADE: Color = Color(0.92, 0.93, 0.95);

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Text {
        font: FontId,
        size: f32,
        color: Color,
        x: f32,
        /// Baseline.
        y: f32,
        text: String,
    },
    /// Rectangles `[x, y, w, h]` filled together as one path (no seams between them).
    Rects { rects: Vec<[f32; 4]>, color: Color },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        color: Color,
    },
    /// A path of rings (closed) or one open line, filled (even-odd) and/or stroked.
    Path {
        rings: Vec<Vec<(f32, f32)>>,
        closed: bool,
        fill: Option<Color>,
        stroke: Option<Color>,
        width: f32,
        dashed: bool,
    },
    /// A table-of-contents page number with its dotted leader, resolved once all pages are
    /// known: dots from `x_from`, number right-aligned at `x_right`.
    TocNumber {
        target: usize,
        font: FontId,
        size: f32,
        x_from: f32,
        x_right: f32,
        y: f32,
    },
}

/// A clickable area `[x1, y1, x2, y2]` that jumps to a heading.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Link {
    pub rect: [f32; 4],
    pub target: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Page {
    pub ops: Vec<Op>,
    pub links: Vec<Link>,
}

/// A level-1/level-2 heading: a table-of-contents entry, outline item and link target.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    pub level: u8,
    pub title: String,
    /// 0-based page index.
    pub page: usize,
    /// Top of the heading on its page.
    pub top: f32,
}

#[derive(Debug)]
pub(crate) struct Layout {
    pub width: f32,
    pub height: f32,
    pub pages: Vec<Page>,
    pub targets: Vec<Target>,
    /// Page index and top of the "Mục lục" title, if the document has one.
    pub toc: Option<(usize, f32)>,
}

impl Layout {
    pub(crate) fn left(&self) -> f32 {
        MARGIN
    }
}

pub(crate) fn layout(doc: &Document, fonts: &Fonts) -> Result<Layout, PdfError> {
    let (width, height) = match doc.orientation {
        Orientation::Portrait => (A4_WIDTH, A4_HEIGHT),
        Orientation::Landscape => (A4_HEIGHT, A4_WIDTH),
    };
    let targets = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text } if *level <= 2 => Some(Target {
                level: (*level).max(1),
                title: normalize(text),
                page: 0,
                top: 0.0,
            }),
            _ => None,
        })
        .collect();
    let mut l = Layouter {
        fonts,
        left: MARGIN,
        right: width - MARGIN,
        top: height - MARGIN,
        bottom: MARGIN,
        pages: Vec::new(),
        cur: Page::default(),
        y: height - MARGIN,
        has_content: false,
        pending_gap: 0.0,
        after_list: false,
        targets,
        next_target: 0,
        toc: None,
        keep_with_next: 0.0,
    };
    for (i, block) in doc.blocks.iter().enumerate() {
        // A heading stays on the page of the figure that follows it.
        l.keep_with_next = match (block, doc.blocks.get(i + 1)) {
            (Block::Heading { .. }, Some(Block::Figure { view, width_pt, .. })) => {
                l.figure_box(*view, *width_pt).2 + 6.0 + 2.0 * NOTE_SIZE * 1.35
            }
            _ => 0.0,
        };
        l.block(block)?;
    }
    let mut pages = std::mem::take(&mut l.pages);
    if !l.cur.ops.is_empty() || pages.is_empty() {
        pages.push(std::mem::take(&mut l.cur));
    }
    let mut out = Layout {
        width,
        height,
        pages,
        targets: l.targets,
        toc: l.toc,
    };
    resolve_toc_numbers(&mut out, fonts);
    add_footers(&mut out, fonts, doc.footer.as_deref());
    Ok(out)
}

/// NFC, as the fonts have precomposed glyphs.
fn normalize(text: &str) -> String {
    text.nfc().collect()
}

/// A space at which a line may break (not a no-break space).
fn is_break_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}')
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(Vec<(FontId, String)>),
    Space(FontId),
    Break,
}

fn tokenize(runs: &[(FontId, &str)]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word: Vec<(FontId, String)> = Vec::new();
    for &(font, text) in runs {
        for c in text.nfc() {
            if c == '\n' || is_break_space(c) {
                if !word.is_empty() {
                    tokens.push(Token::Word(std::mem::take(&mut word)));
                }
                if c == '\n' {
                    tokens.push(Token::Break);
                } else if !matches!(tokens.last(), Some(Token::Space(_))) {
                    tokens.push(Token::Space(font));
                }
            } else if !is_invisible(c) {
                match word.last_mut() {
                    Some((f, s)) if *f == font => s.push(c),
                    _ => word.push((font, c.to_string())),
                }
            }
        }
    }
    if !word.is_empty() {
        tokens.push(Token::Word(word));
    }
    tokens
}

#[derive(Debug, Clone, PartialEq)]
struct Piece {
    font: FontId,
    text: String,
    width: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Line {
    pieces: Vec<Piece>,
    width: f32,
}

impl Line {
    fn push(&mut self, font: FontId, text: &str, width: f32) {
        self.width += width;
        match self.pieces.last_mut() {
            Some(p) if p.font == font => {
                p.text.push_str(text);
                p.width += width;
            }
            _ => self.pieces.push(Piece {
                font,
                text: text.to_owned(),
                width,
            }),
        }
    }

    fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }
}

/// Greedy word wrapping with real advances; words longer than a line break between characters.
fn wrap(fonts: &Fonts, tokens: &[Token], size: f32, max_width: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut cur = Line::default();
    let mut pending_space: Option<FontId> = None;
    for token in tokens {
        match token {
            Token::Space(font) => {
                if !cur.is_empty() {
                    pending_space = Some(*font);
                }
            }
            Token::Break => {
                lines.push(std::mem::take(&mut cur));
                pending_space = None;
            }
            Token::Word(parts) => {
                let widths: Vec<f32> = parts
                    .iter()
                    .map(|(f, s)| fonts.width(*f, s, size))
                    .collect();
                let word_width: f32 = widths.iter().sum();
                let space = pending_space.take();
                let space_width = space.map_or(0.0, |f| fonts.width(f, " ", size));
                if !cur.is_empty() {
                    if cur.width + space_width + word_width <= max_width + EPSILON {
                        if let Some(f) = space {
                            cur.push(f, " ", space_width);
                        }
                        for ((f, s), w) in parts.iter().zip(&widths) {
                            cur.push(*f, s, *w);
                        }
                        continue;
                    }
                    lines.push(std::mem::take(&mut cur));
                }
                if word_width <= max_width + EPSILON {
                    for ((f, s), w) in parts.iter().zip(&widths) {
                        cur.push(*f, s, *w);
                    }
                } else {
                    // Break the long word between characters.
                    let mut buf = [0u8; 4];
                    for (f, s) in parts {
                        for c in s.chars() {
                            let cs: &str = c.encode_utf8(&mut buf);
                            let w = fonts.width(*f, cs, size);
                            if !cur.is_empty() && cur.width + w > max_width + EPSILON {
                                lines.push(std::mem::take(&mut cur));
                            }
                            cur.push(*f, cs, w);
                        }
                    }
                }
            }
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Align {
    Left,
    Center,
}

/// How a block of wrapped lines is set.
#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    leading: f32,
    color: Color,
    align: Align,
}

impl Style {
    fn line_height(&self) -> f32 {
        self.size * self.leading
    }
}

struct Layouter<'a> {
    fonts: &'a Fonts,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    pages: Vec<Page>,
    cur: Page,
    y: f32,
    has_content: bool,
    pending_gap: f32,
    /// The previous block was a list item (the next non-item block gets paragraph spacing).
    after_list: bool,
    targets: Vec<Target>,
    next_target: usize,
    toc: Option<(usize, f32)>,
    /// Height the block after the current one needs on the same page (a heading's figure).
    keep_with_next: f32,
}

impl Layouter<'_> {
    /// The style and lines of a caption under a figure or QR code: small, grey, centred.
    fn caption(&self, text: &str) -> (Style, Vec<Line>) {
        let style = Style {
            size: NOTE_SIZE,
            leading: 1.35,
            color: GREY,
            align: Align::Center,
        };
        let lines = wrap(
            self.fonts,
            &tokenize(&[(FontId::Regular, text)]),
            style.size,
            self.content_width(),
        );
        (style, lines)
    }

    /// A figure's scale and size on the page: `width_pt` (at most the text width), shrunk to
    /// fit a page with room for its caption.
    fn figure_box(&self, view: (f32, f32), width_pt: f32) -> (f32, f32, f32) {
        let (vw, vh) = (view.0.max(1.0), view.1.max(1.0));
        let width = if width_pt.is_finite() && width_pt > 0.0 {
            width_pt.min(self.content_width())
        } else {
            self.content_width()
        };
        let mut scale = width / vw;
        let max_h = self.top - self.bottom - 80.0;
        if vh * scale > max_h {
            scale = max_h / vh;
        }
        (scale, vw * scale, vh * scale)
    }

    fn content_width(&self) -> f32 {
        self.right - self.left
    }

    fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.cur));
        self.y = self.top;
        self.has_content = false;
        self.pending_gap = 0.0;
    }

    /// Vertical space before a block: the larger of the previous block's space after and this
    /// block's space before, none at the top of a page.
    fn gap(&mut self, before: f32) {
        if self.has_content {
            self.y -= self.pending_gap.max(before);
        }
        self.pending_gap = 0.0;
    }

    fn fits(&self, height: f32) -> bool {
        self.y - height >= self.bottom - EPSILON
    }

    fn baseline(&self, style: &Style) -> f32 {
        let face = self.fonts.get(FontId::Regular);
        let mid = (face.ascent_em() + face.descent_em()) / 2.0;
        self.y - style.line_height() / 2.0 - mid * style.size
    }

    fn draw_line(&mut self, line: &Line, x: f32, baseline: f32, style: &Style) {
        let mut x = match style.align {
            Align::Left => x,
            Align::Center => self.left + (self.content_width() - line.width) / 2.0,
        };
        for p in &line.pieces {
            self.cur.ops.push(Op::Text {
                font: p.font,
                size: style.size,
                color: style.color,
                x,
                y: baseline,
                text: p.text.clone(),
            });
            x += p.width;
        }
    }

    /// Sets wrapped lines at `x`, breaking pages between lines: never one first line alone at
    /// the bottom of a page, never one last line alone at the top of the next.
    /// `marker` is drawn at its x on the first line.
    fn place_lines(&mut self, lines: &[Line], x: f32, style: &Style, marker: Option<(&Line, f32)>) {
        let lh = style.line_height();
        let n = lines.len();
        let mut i = 0;
        let mut marker = marker;
        while i < n {
            let room = ((self.y - self.bottom + EPSILON) / lh).floor().max(0.0) as usize;
            let left = n - i;
            let mut take = room.min(left);
            if take < left && self.has_content {
                if i == 0 && take == 1 {
                    take = 0;
                } else if left - take == 1 && take >= 2 {
                    take -= 1;
                }
            }
            if take == 0 && !self.has_content {
                take = 1; // Taller than a page: set it anyway.
            }
            if take == 0 {
                self.new_page();
                continue;
            }
            for line in &lines[i..i + take] {
                let baseline = self.baseline(style);
                if let Some((m, mx)) = marker.take() {
                    self.draw_line(m, mx, baseline, style);
                }
                self.draw_line(line, x, baseline, style);
                self.y -= lh;
                self.has_content = true;
            }
            i += take;
            if i < n {
                self.new_page();
            }
        }
    }

    fn runs_tokens(runs: &[Run]) -> Vec<Token> {
        let parts: Vec<(FontId, &str)> = runs
            .iter()
            .map(|r| (FontId::of(r.bold), r.text.as_str()))
            .collect();
        tokenize(&parts)
    }

    fn text_block(&mut self, tokens: &[Token], style: Style, before: f32, after: f32) {
        let lines = wrap(self.fonts, tokens, style.size, self.content_width());
        if lines.is_empty() {
            return;
        }
        self.gap(before);
        self.place_lines(&lines, self.left, &style, None);
        self.pending_gap = after;
    }

    fn block(&mut self, block: &Block) -> Result<(), PdfError> {
        let body = Style {
            size: BODY_SIZE,
            leading: BODY_LEADING,
            color: TEXT,
            align: Align::Left,
        };
        let is_item = matches!(block, Block::ListItem { .. });
        if self.after_list && !is_item {
            self.pending_gap = self.pending_gap.max(PARAGRAPH_GAP);
        }
        self.after_list = is_item;
        match block {
            Block::Title(text) => {
                let style = Style {
                    size: 26.0,
                    leading: 1.25,
                    color: HEADING,
                    align: Align::Center,
                };
                self.text_block(&tokenize(&[(FontId::Bold, text)]), style, 14.0, 12.0);
            }
            Block::Subtitle(text) => {
                let style = Style {
                    size: 14.0,
                    leading: 1.35,
                    color: GREY,
                    align: Align::Center,
                };
                self.text_block(&tokenize(&[(FontId::Regular, text)]), style, 6.0, 8.0);
            }
            Block::Heading { level, text } => self.heading(*level, text),
            Block::Paragraph(runs) => {
                self.text_block(&Self::runs_tokens(runs), body, 0.0, PARAGRAPH_GAP);
            }
            Block::ListItem { marker, runs } => self.list_item(marker, runs, body),
            Block::Note(text) => {
                let style = Style {
                    size: NOTE_SIZE,
                    leading: 1.35,
                    color: GREY,
                    align: Align::Left,
                };
                self.text_block(&tokenize(&[(FontId::Regular, text)]), style, 2.0, 6.0);
            }
            Block::Qr {
                data,
                size_pt,
                caption,
            } => self.qr(data, *size_pt, caption)?,
            Block::Spacer(h) => {
                self.gap(0.0);
                self.y -= if h.is_finite() { h.max(0.0) } else { 0.0 };
                self.has_content = true;
                if self.y < self.bottom {
                    self.new_page();
                }
            }
            Block::PageBreak => {
                if self.has_content {
                    self.new_page();
                }
            }
            Block::TableOfContents => self.table_of_contents(),
            Block::Table {
                columns,
                rows,
                total,
            } => self.table(columns, rows, total.as_ref()),
            Block::Figure {
                view,
                width_pt,
                shapes,
                caption,
            } => self.figure(*view, *width_pt, shapes, caption),
        }
        Ok(())
    }

    /// Lines of one table cell.
    fn cell_lines(&self, text: &str, bold: bool, width: f32) -> Vec<Line> {
        let font = FontId::of(bold);
        let lines = wrap(self.fonts, &tokenize(&[(font, text)]), TABLE_SIZE, width);
        if lines.is_empty() {
            vec![Line::default()]
        } else {
            lines
        }
    }

    /// One row of a table: its cells set at the cursor, a rule under it; `shade` fills it.
    fn table_row(&mut self, widths: &[f32], cells: &[Vec<Line>], numeric: &[bool], shade: bool) {
        let lh = TABLE_SIZE * 1.3;
        let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * CELL_PAD;
        if shade {
            self.cur.ops.push(Op::Rects {
                rects: vec![[self.left, self.y - height, self.content_width(), height]],
                color: SHADE,
            });
        }
        let style = Style {
            size: TABLE_SIZE,
            leading: 1.3,
            color: TEXT,
            align: Align::Left,
        };
        let face = self.fonts.get(FontId::Regular);
        let mid = (face.ascent_em() + face.descent_em()) / 2.0;
        let mut x = self.left;
        for ((lines, w), right) in cells.iter().zip(widths).zip(numeric) {
            for (i, line) in lines.iter().enumerate() {
                let baseline = self.y - CELL_PAD - lh * i as f32 - lh / 2.0 - mid * TABLE_SIZE;
                let lx = if *right {
                    x + w - CELL_PAD - line.width
                } else {
                    x + CELL_PAD
                };
                self.draw_line(line, lx, baseline, &style);
            }
            x += w;
        }
        self.y -= height;
        self.cur.ops.push(Op::Line {
            from: (self.left, self.y),
            to: (self.right, self.y),
            width: 0.5,
            color: LIGHT_GREY,
        });
        self.has_content = true;
    }

    fn table(&mut self, columns: &[Column], rows: &[Vec<String>], total: Option<&Vec<String>>) {
        if columns.is_empty() {
            return;
        }
        let sum: f32 = columns.iter().map(|c| c.weight.max(0.01)).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| self.content_width() * c.weight.max(0.01) / sum)
            .collect();
        let numeric: Vec<bool> = columns.iter().map(|c| c.numeric).collect();
        let lh = TABLE_SIZE * 1.3;
        let lay = |me: &Self, cells: &[String], bold: bool| -> Vec<Vec<Line>> {
            widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = cells.get(i).map_or("", String::as_str);
                    me.cell_lines(text, bold, w - 2.0 * CELL_PAD)
                })
                .collect()
        };
        let header_cells: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
        let header = lay(self, &header_cells, true);
        let height_of = |cells: &[Vec<Line>]| {
            cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * CELL_PAD
        };
        let header_h = height_of(&header);
        self.gap(8.0);
        let mut body: Vec<(Vec<Vec<Line>>, bool)> =
            rows.iter().map(|r| (lay(self, r, false), false)).collect();
        if let Some(t) = total {
            body.push((lay(self, t, true), true));
        }
        // The header with at least its first row, on one page.
        let first = body.first().map_or(0.0, |(c, _)| height_of(c));
        if self.has_content && !self.fits(header_h + first) {
            self.new_page();
        }
        self.table_row(&widths, &header, &numeric, true);
        for (cells, is_total) in &body {
            if !self.fits(height_of(cells)) {
                self.new_page();
                self.table_row(&widths, &header, &numeric, true);
            }
            self.table_row(&widths, cells, &numeric, *is_total);
        }
        self.pending_gap = 10.0;
    }

    fn figure(&mut self, view: (f32, f32), width_pt: f32, shapes: &[Shape], caption: &str) {
        let (scale, w, h) = self.figure_box(view, width_pt);
        let (caption_style, caption_lines) = self.caption(caption);
        self.gap(10.0);
        if self.has_content && !self.fits(h + 6.0 + 2.0 * caption_style.line_height()) {
            self.new_page();
        }
        let x0 = self.left + (self.content_width() - w) / 2.0;
        let top = self.y;
        let at = |(x, y): (f32, f32)| (x0 + x * scale, top - y * scale);
        let color = |c: Rgb| Color(c.0 as f32 / 255.0, c.1 as f32 / 255.0, c.2 as f32 / 255.0);
        for shape in shapes {
            match shape {
                Shape::Polygon {
                    rings,
                    fill,
                    stroke,
                } => self.cur.ops.push(Op::Path {
                    rings: rings
                        .iter()
                        .map(|r| r.iter().map(|p| at(*p)).collect())
                        .collect(),
                    closed: true,
                    fill: Some(color(*fill)),
                    stroke: stroke.map(color),
                    width: 0.4,
                    dashed: false,
                }),
                Shape::Polyline {
                    points,
                    color: c,
                    width,
                    dashed,
                } => self.cur.ops.push(Op::Path {
                    rings: vec![points.iter().map(|p| at(*p)).collect()],
                    closed: false,
                    fill: None,
                    stroke: Some(color(*c)),
                    width: *width,
                    dashed: *dashed,
                }),
                Shape::Text {
                    at: p,
                    text,
                    size,
                    color: c,
                    anchor,
                } => {
                    let (x, y) = at(*p);
                    let tw = self.fonts.width(FontId::Regular, text, *size);
                    let x = match anchor {
                        Anchor::Start => x,
                        Anchor::Middle => x - tw / 2.0,
                        Anchor::End => x - tw,
                    };
                    self.cur.ops.push(Op::Text {
                        font: FontId::Regular,
                        size: *size,
                        color: color(*c),
                        x,
                        y,
                        text: normalize(text),
                    });
                }
            }
        }
        self.y -= h + 6.0;
        self.has_content = true;
        self.place_lines(&caption_lines, self.left, &caption_style, None);
        self.pending_gap = 12.0;
    }

    fn heading(&mut self, level: u8, text: &str) {
        let level = level.clamp(1, 3);
        let (size, before, after) = match level {
            1 => (20.0, 24.0, 10.0),
            2 => (15.0, 18.0, 6.0),
            _ => (12.5, 12.0, 3.0),
        };
        let style = Style {
            size,
            leading: 1.25,
            color: HEADING,
            align: Align::Left,
        };
        let lines = wrap(
            self.fonts,
            &tokenize(&[(FontId::Bold, text)]),
            size,
            self.content_width(),
        );
        let rule = if level == 1 { 6.0 } else { 0.0 };
        let need = lines.len() as f32 * style.line_height()
            + rule
            + after
            + (KEEP_LINES_AFTER_HEADING * BODY_SIZE * BODY_LEADING).max(self.keep_with_next);
        self.gap(before);
        if self.has_content && !self.fits(need) {
            self.new_page();
        }
        if level <= 2 {
            if let Some(t) = self.targets.get_mut(self.next_target) {
                t.page = self.pages.len();
                t.top = self.y;
            }
            self.next_target += 1;
        }
        self.place_lines(&lines, self.left, &style, None);
        if level == 1 {
            self.y -= 3.0;
            self.cur.ops.push(Op::Line {
                from: (self.left, self.y),
                to: (self.right, self.y),
                width: 0.8,
                color: HEADING,
            });
            self.y -= 3.0;
        }
        self.pending_gap = after;
    }

    fn list_item(&mut self, marker: &str, runs: &[Run], style: Style) {
        let depth = (marker.len() - marker.trim_start_matches(' ').len()) / 2;
        let marker = marker.trim();
        let marker_width = self.fonts.width(FontId::Regular, marker, style.size);
        let column =
            (self.fonts.width(FontId::Regular, "00.", style.size) + 7.0).max(marker_width + 5.0);
        let marker_x = self.left + LIST_INDENT + depth as f32 * column;
        let text_x = marker_x + column;
        let width = (self.right - text_x).max(style.size * 4.0);
        let lines = wrap(self.fonts, &Self::runs_tokens(runs), style.size, width);
        if lines.is_empty() && marker.is_empty() {
            return;
        }
        let lines = if lines.is_empty() {
            vec![Line::default()]
        } else {
            lines
        };
        let mut marker_line = Line::default();
        if !marker.is_empty() {
            marker_line.push(FontId::Regular, marker, marker_width);
        }
        self.gap(2.0);
        // Markers end just before the text ("9." and "10." line up on the right).
        let mx = text_x - 5.0 - marker_width;
        self.place_lines(&lines, text_x, &style, Some((&marker_line, mx)));
        self.pending_gap = 2.5;
    }

    fn qr(&mut self, data: &str, size_pt: f32, caption: &str) -> Result<(), PdfError> {
        let code =
            QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).map_err(|e| {
                PdfError::Qr {
                    data: data.chars().take(80).collect(),
                    reason: e.to_string(),
                }
            })?;
        let (caption_style, caption_lines) = self.caption(caption);
        let max_size = (self.top - self.bottom - 60.0).min(self.content_width());
        let size_pt = if size_pt.is_finite() { size_pt } else { 100.0 };
        let size = size_pt.clamp(36.0, max_size.max(36.0));
        let need = size + 6.0 + caption_lines.len() as f32 * caption_style.line_height();
        self.gap(12.0);
        if self.has_content && !self.fits(need) {
            self.new_page();
        }
        let n = code.width();
        let colors = code.to_colors();
        let module = size / n as f32;
        let x0 = self.left + (self.content_width() - size) / 2.0;
        let top = self.y;
        let mut rects = Vec::new();
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colors[row * n + col] == qrcode::Color::Dark {
                    let start = col;
                    while col < n && colors[row * n + col] == qrcode::Color::Dark {
                        col += 1;
                    }
                    rects.push([
                        x0 + start as f32 * module,
                        top - (row + 1) as f32 * module,
                        (col - start) as f32 * module,
                        module,
                    ]);
                } else {
                    col += 1;
                }
            }
        }
        self.cur.ops.push(Op::Rects {
            rects,
            color: BLACK,
        });
        self.y -= size + 6.0;
        self.has_content = true;
        self.place_lines(&caption_lines, self.left, &caption_style, None);
        self.pending_gap = 12.0;
        Ok(())
    }

    fn table_of_contents(&mut self) {
        let title_style = Style {
            size: 18.0,
            leading: 1.3,
            color: HEADING,
            align: Align::Left,
        };
        let title = wrap(
            self.fonts,
            &tokenize(&[(FontId::Bold, TOC_TITLE)]),
            title_style.size,
            self.content_width(),
        );
        self.gap(18.0);
        if self.has_content && !self.fits(title_style.line_height() * 4.0) {
            self.new_page();
        }
        self.toc = Some((self.pages.len(), self.y));
        self.place_lines(&title, self.left, &title_style, None);
        self.pending_gap = 8.0;

        let entries: Vec<(u8, String)> = self
            .targets
            .iter()
            .map(|t| (t.level, t.title.clone()))
            .collect();
        let number_width = self.fonts.width(FontId::Bold, "0000", BODY_SIZE);
        for (index, (level, title)) in entries.iter().enumerate() {
            let (font, indent, before) = if *level == 1 {
                (FontId::Bold, 0.0, 7.0)
            } else {
                (FontId::Regular, 16.0, 1.0)
            };
            let style = Style {
                size: BODY_SIZE,
                leading: 1.35,
                color: TEXT,
                align: Align::Left,
            };
            let x = self.left + indent;
            let avail = self.right - number_width - 12.0 - x;
            let lines = wrap(self.fonts, &tokenize(&[(font, title)]), style.size, avail);
            let Some(last) = lines.last() else { continue };
            let last_width = last.width;
            self.gap(before);
            let lh = style.line_height();
            // A chapter entry keeps its first article entry on the same page.
            let keep = if *level == 1 && entries.get(index + 1).is_some_and(|e| e.0 == 2) {
                lh + 1.0
            } else {
                0.0
            };
            if self.has_content && !self.fits(lines.len() as f32 * lh + keep) {
                self.new_page();
            }
            let top = self.y;
            self.place_lines(&lines, x, &style, None);
            // Baseline of the entry's last line, one line height above the cursor.
            self.y += lh;
            let baseline = self.baseline(&style);
            self.y -= lh;
            self.cur.ops.push(Op::TocNumber {
                target: index,
                font,
                size: style.size,
                x_from: x + last_width + 4.0,
                x_right: self.right,
                y: baseline,
            });
            self.cur.links.push(Link {
                rect: [self.left, self.y, self.right, top],
                target: index,
            });
            self.pending_gap = 0.0;
        }
        self.pending_gap = 14.0;
    }
}

/// Replaces each table-of-contents number placeholder by its dotted leader and page number.
fn resolve_toc_numbers(layout: &mut Layout, fonts: &Fonts) {
    let targets = layout.targets.clone();
    for page in &mut layout.pages {
        let ops = std::mem::take(&mut page.ops);
        for op in ops {
            let Op::TocNumber {
                target,
                font,
                size,
                x_from,
                x_right,
                y,
            } = op
            else {
                page.ops.push(op);
                continue;
            };
            let number = targets.get(target).map_or(0, |t| t.page + 1).to_string();
            let number_width = fonts.width(font, &number, size);
            let x_number = x_right - number_width;
            // Dots on a fixed 4.5 pt grid so that leaders line up from entry to entry.
            let step = 4.5;
            let dot = 0.9;
            let mut rects = Vec::new();
            let mut dx = (x_from / step).ceil() * step;
            while dx + dot <= x_number - 4.0 {
                rects.push([dx, y, dot, dot]);
                dx += step;
            }
            if !rects.is_empty() {
                page.ops.push(Op::Rects {
                    rects,
                    color: LIGHT_GREY,
                });
            }
            page.ops.push(Op::Text {
                font,
                size,
                color: TEXT,
                x: x_number,
                y,
                text: number,
            });
        }
    }
}

fn add_footers(layout: &mut Layout, fonts: &Fonts, footer: Option<&str>) {
    let left = MARGIN;
    let right = layout.width - MARGIN;
    let rule_y = MARGIN - 16.0;
    let baseline = MARGIN - 28.0;
    for (index, page) in layout.pages.iter_mut().enumerate().skip(1) {
        let number = format!("Trang {}", index + 1);
        let number_width = fonts.width(FontId::Regular, &number, FOOTER_SIZE);
        page.ops.push(Op::Line {
            from: (left, rule_y),
            to: (right, rule_y),
            width: 0.4,
            color: LIGHT_GREY,
        });
        page.ops.push(Op::Text {
            font: FontId::Regular,
            size: FOOTER_SIZE,
            color: GREY,
            x: right - number_width,
            y: baseline,
            text: number,
        });
        if let Some(text) = footer {
            let text = fit_text(
                fonts,
                &normalize(text),
                FOOTER_SIZE,
                right - left - number_width - 24.0,
            );
            page.ops.push(Op::Text {
                font: FontId::Regular,
                size: FOOTER_SIZE,
                color: GREY,
                x: left,
                y: baseline,
                text,
            });
        }
    }
}

/// `text` on one line of at most `max_width`, cut with "…" if needed; whitespace collapsed.
fn fit_text(fonts: &Fonts, text: &str, size: f32, max_width: f32) -> String {
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if fonts.width(FontId::Regular, &text, size) <= max_width {
        return text;
    }
    let ellipsis = fonts.width(FontId::Regular, "…", size);
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        let w = fonts.width(FontId::Regular, c.encode_utf8(&mut [0u8; 4]), size);
        if width + w + ellipsis > max_width {
            break;
        }
        out.push(c);
        width += w;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}
