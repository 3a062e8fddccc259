//! Turns a small document model (title, headings, paragraphs, lists, notes, QR codes, a table of
//! contents) into an A4 PDF with correct Vietnamese text.
//!
//! Text is set in DejaVu Sans (regular and bold, embedded as subsets from `fonts/`): every
//! precomposed Vietnamese letter has its own glyph, so characters map straight to glyphs without
//! shaping. Fonts are embedded as Type0/CIDFontType2 (Identity-H) with a ToUnicode CMap, so text
//! copied or extracted from the PDF gives back the original Unicode.
//!
//! ```
//! use hocvuso_pdf::{render, Block, Document, Orientation, Run};
//! let doc = Document {
//!     title: "Sổ tay".into(),
//!     author: "Bình dân học vụ số".into(),
//!     orientation: Orientation::Portrait,
//!     blocks: vec![
//!         Block::Title("Sổ tay điện tử".into()),
//!         Block::Paragraph(vec![Run { text: "Xin chào.".into(), bold: false }]),
//!     ],
//!     footer: None,
//! };
//! let bytes = render(&doc).unwrap_or_default();
//! assert!(bytes.starts_with(b"%PDF-"));
//! ```

mod font;
mod layout;
mod markdown;
mod writer;

pub use markdown::markdown_blocks;

/// Page orientation; pages are always A4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

/// A piece of paragraph text, regular or bold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
}

impl Run {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: false,
        }
    }

    pub fn bold(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: true,
        }
    }
}

/// One block of the document, laid out top to bottom.
///
/// In text, runs of spaces collapse to one space and `'\n'` forces a line break.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Big centred bold title (e.g. on the cover).
    Title(String),
    /// Centred, smaller, grey.
    Subtitle(String),
    /// 1 = chapter, 2 = article, 3 = section (0 counts as 1, above 3 as 3). Levels 1 and 2 go
    /// into the table of contents and the PDF outline. A heading never ends a page: when fewer
    /// than three body lines would fit after it, it moves to the next page.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(Vec<Run>),
    /// `marker` is e.g. "1." or "•", drawn in a hanging indent. Each two leading spaces of the
    /// marker nest the item one level deeper (that is how [`markdown_blocks`] writes nested
    /// lists); an empty marker continues the previous item's text.
    ListItem {
        marker: String,
        runs: Vec<Run>,
    },
    /// Small grey text, e.g. "[Hình: …]" or a source line.
    Note(String),
    /// A QR code drawn as vector squares, `size_pt` wide (without the quiet zone), centred, with
    /// the caption centred under it.
    Qr {
        data: String,
        size_pt: f32,
        caption: String,
    },
    /// Vertical space in points.
    Spacer(f32),
    /// Starts a new page (unless the current page is still empty).
    PageBreak,
    /// "Mục lục": every level-1/level-2 heading of the document with its page number, dotted
    /// leaders and a link to the page; may span several pages.
    TableOfContents,
    /// A table as wide as the text: a bold header row (repeated on every page the table
    /// continues on), rows whose cells wrap, and an optional bold total row at the end.
    Table {
        columns: Vec<Column>,
        rows: Vec<Vec<String>>,
        total: Option<Vec<String>>,
    },
    /// A vector drawing given in its own units (`view`: width × height, origin top left, y
    /// down), scaled to `width_pt` (at most the text width) and centred, with a caption under
    /// it. Kept on one page.
    Figure {
        view: (f32, f32),
        width_pt: f32,
        shapes: Vec<Shape>,
        caption: String,
    },
}

/// A column of a [`Block::Table`]: its header, its share of the width, and whether its cells
/// are numbers (set flush right).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    pub weight: f32,
    pub numeric: bool,
}

/// A colour, 0–255 per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Where a [`Shape::Text`] stands relative to its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// One element of a [`Block::Figure`], in the figure's units.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Closed rings filled together (even-odd, so holes stay open), optionally outlined.
    Polygon {
        rings: Vec<Vec<(f32, f32)>>,
        fill: Rgb,
        stroke: Option<Rgb>,
    },
    /// An open line; `width` in points.
    Polyline {
        points: Vec<(f32, f32)>,
        color: Rgb,
        width: f32,
        dashed: bool,
    },
    /// A line of text whose baseline passes through `at`; `size` in points.
    Text {
        at: (f32, f32),
        text: String,
        size: f32,
        color: Rgb,
        anchor: Anchor,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Document information Title.
    pub title: String,
    /// Document information Author.
    pub author: String,
    pub orientation: Orientation,
    pub blocks: Vec<Block>,
    /// Printed at the bottom of every page except the first, left, with "Trang N" on the right.
    /// With `None`, pages after the first still get "Trang N".
    pub footer: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("embedded font could not be read: {0}")]
    Font(String),
    #[error("font subsetting failed: {0}")]
    Subset(String),
    #[error("QR code for {data:?} could not be made: {reason}")]
    Qr { data: String, reason: String },
}

/// Renders the document to the bytes of a PDF file.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    let fonts = font::Fonts::load()?;
    let layout = layout::layout(doc, &fonts)?;
    writer::write(doc, &fonts, &layout)
}
