//! A Word document (.docx, Office Open XML) that officials open and edit in Word or
//! LibreOffice: paragraphs (aligned, bold, italic, underlined), tables with borders, and a
//! borderless two-column block for the heading of an administrative document (issuing body
//! on the left, national motto on the right). A4, Times New Roman, margins of Nghị định
//! 30/2020/NĐ-CP (top and bottom 20 mm, left 30 mm, right 15 mm).
//!
//! Why not a crate: the few parts a report needs are a page of XML; the crates that write
//! .docx pull in far more than that (and `zip` is in the tree already, for the imports).

use std::io::Write;

/// How a paragraph is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    Justify,
}

/// A run of text with one style.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    /// Size in points (the document's 13 pt when `None`).
    pub size: Option<u32>,
}

impl Run {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    pub fn bold(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: true,
            ..Self::default()
        }
    }

    pub fn italic(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            italic: true,
            ..Self::default()
        }
    }
}

/// A paragraph.
#[derive(Debug, Clone)]
pub struct Para {
    pub align: Align,
    pub runs: Vec<Run>,
    /// A first-line indent of 1 cm (body text).
    pub indent: bool,
}

impl Para {
    pub fn new(align: Align, runs: Vec<Run>) -> Self {
        Self {
            align,
            runs,
            indent: false,
        }
    }

    /// Body text: justified, first line indented.
    pub fn body(text: impl Into<String>) -> Self {
        Self {
            align: Align::Justify,
            runs: vec![Run::plain(text)],
            indent: true,
        }
    }
}

/// A part of the document.
#[derive(Debug, Clone)]
pub enum Part {
    Para(Para),
    /// A table with borders: a bold header row (repeated on every page), then the rows;
    /// `widths` are the columns' shares; `numeric` columns are set flush right.
    Table {
        widths: Vec<u32>,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        numeric: Vec<usize>,
    },
    /// Two columns without borders, each a list of paragraphs (`widths`: their shares).
    Columns {
        widths: [u32; 2],
        left: Vec<Para>,
        right: Vec<Para>,
    },
}

/// Text width of an A4 page with the margins above, in twentieths of a point.
const TEXT_WIDTH: u32 = 11_906 - 1_701 - 850;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 does not allow (control characters) are left out.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn run_xml(out: &mut String, r: &Run) {
    out.push_str("<w:r><w:rPr>");
    if r.bold {
        out.push_str("<w:b/>");
    }
    if r.italic {
        out.push_str("<w:i/>");
    }
    if r.underline {
        out.push_str("<w:u w:val=\"single\"/>");
    }
    if let Some(pt) = r.size {
        out.push_str(&format!("<w:sz w:val=\"{}\"/>", pt * 2));
    }
    out.push_str("</w:rPr>");
    // Line breaks inside a run become <w:br/>.
    for (i, line) in r.text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        out.push_str("<w:t xml:space=\"preserve\">");
        out.push_str(&escape(line));
        out.push_str("</w:t>");
    }
    out.push_str("</w:r>");
}

fn para_xml(out: &mut String, p: &Para) {
    out.push_str("<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"120\"/>");
    if p.indent {
        out.push_str("<w:ind w:firstLine=\"567\"/>");
    }
    out.push_str(match p.align {
        Align::Left => "<w:jc w:val=\"left\"/>",
        Align::Center => "<w:jc w:val=\"center\"/>",
        Align::Right => "<w:jc w:val=\"right\"/>",
        Align::Justify => "<w:jc w:val=\"both\"/>",
    });
    out.push_str("</w:pPr>");
    for r in &p.runs {
        run_xml(out, r);
    }
    out.push_str("</w:p>");
}

fn twips(widths: &[u32]) -> Vec<u32> {
    let total: u32 = widths.iter().sum::<u32>().max(1);
    widths.iter().map(|w| TEXT_WIDTH * w / total).collect()
}

fn grid(out: &mut String, cols: &[u32]) {
    out.push_str("<w:tblGrid>");
    for w in cols {
        out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    out.push_str("</w:tblGrid>");
}

fn cell(out: &mut String, width: u32, paras: &[Para]) {
    out.push_str(&format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr>"
    ));
    if paras.is_empty() {
        out.push_str("<w:p/>");
    }
    for p in paras {
        para_xml(out, p);
    }
    out.push_str("</w:tc>");
}

fn table_xml(
    out: &mut String,
    widths: &[u32],
    header: &[String],
    rows: &[Vec<String>],
    numeric: &[usize],
) {
    let cols = twips(widths);
    out.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblBorders>");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        out.push_str(&format!(
            "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        ));
    }
    out.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr>");
    grid(out, &cols);
    let row = |out: &mut String, cells: &[String], head: bool| {
        out.push_str("<w:tr>");
        if head {
            out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
        }
        for (i, (text, w)) in cells.iter().zip(&cols).enumerate() {
            let align = if head {
                Align::Center
            } else if numeric.contains(&i) {
                Align::Right
            } else {
                Align::Left
            };
            let run = Run {
                text: text.clone(),
                bold: head,
                size: Some(12),
                ..Run::default()
            };
            cell(out, *w, &[Para::new(align, vec![run])]);
        }
        out.push_str("</w:tr>");
    };
    row(out, header, true);
    for r in rows {
        row(out, r, false);
    }
    out.push_str("</w:tbl>");
}

fn columns_xml(out: &mut String, widths: [u32; 2], left: &[Para], right: &[Para]) {
    let cols = twips(&widths);
    out.push_str(
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblBorders>\
         <w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/>\
         <w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/>\
         </w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr>",
    );
    grid(out, &cols);
    out.push_str("<w:tr>");
    cell(out, cols[0], left);
    cell(out, cols[1], right);
    out.push_str("</w:tr></w:tbl>");
}

/// The document's body XML (`word/document.xml`).
pub fn document_xml(parts: &[Part]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>",
    );
    for part in parts {
        match part {
            Part::Para(p) => para_xml(&mut out, p),
            Part::Table {
                widths,
                header,
                rows,
                numeric,
            } => {
                table_xml(&mut out, widths, header, rows, numeric);
                // Word needs a paragraph between two tables, and one after the last.
                out.push_str("<w:p/>");
            }
            Part::Columns {
                widths,
                left,
                right,
            } => {
                columns_xml(&mut out, *widths, left, right);
                out.push_str("<w:p/>");
            }
        }
    }
    out.push_str(
        "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"1134\" w:right=\"850\" w:bottom=\"1134\" w:left=\"1701\" \
         w:header=\"709\" w:footer=\"709\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
    );
    out
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>";

/// Times New Roman 13 pt for everything, single spacing (Nghị định 30: size 13–14).
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\" w:eastAsia=\"Times New Roman\"/>\
<w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/><w:lang w:val=\"vi-VN\"/>\
</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"276\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>\
</w:styles>";

/// The whole .docx file.
pub fn write(
    parts: &[Part],
    title: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, String> {
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:creator>Học vụ số</dc:creator>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{}</dcterms:created></cp:coreProperties>",
        escape(title),
        now.format("%Y-%m-%dT%H:%M:%SZ")
    );
    let files: [(&str, &str); 6] = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", STYLES),
        ("docProps/core.xml", &core),
        ("word/document.xml", &document_xml(parts)),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in files {
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_opens_as_a_zip_with_its_text_escaped() {
        let parts = vec![
            Part::Para(Para::new(
                Align::Center,
                vec![Run::bold("BÁO CÁO <số 1> & “Bình dân học vụ số”")],
            )),
            Part::Table {
                widths: vec![3, 1],
                header: vec!["Nhóm".into(), "Số người".into()],
                rows: vec![vec!["Người dân".into(), "1.234".into()]],
                numeric: vec![1],
            },
        ];
        let bytes = write(&parts, "Báo cáo", chrono::DateTime::default()).unwrap_or_default();
        let mut archive =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut archive
                .by_name("word/document.xml")
                .unwrap_or_else(|e| panic!("{e}")),
            &mut xml,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(xml.contains("BÁO CÁO &lt;số 1&gt; &amp; “Bình dân học vụ số”"));
        assert!(xml.contains("<w:tblHeader/>"));
        assert!(xml.contains("<w:t xml:space=\"preserve\">1.234</w:t>"));
        assert!(archive.by_name("[Content_Types].xml").is_ok());
    }
}
