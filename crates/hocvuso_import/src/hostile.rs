//! Hostile files, generated in code (never stored): what an attacker would upload to crash or
//! exhaust the server. Used by the tests here and by the server's HTTP tests through the real
//! upload pages. Only built for tests (`hostile-samples` feature).
#![expect(
    clippy::unwrap_used,
    reason = "test fixtures: a failure to build one is a broken test"
)]

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// An inline-string cell.
pub fn cell(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A worksheet of rows `(line, cells XML)`.
pub fn sheet(rows: &[(usize, String)]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (line, cells) in rows {
        xml.push_str(&format!(r#"<row r="{line}">{cells}</row>"#));
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

/// A workbook of one worksheet (and shared strings, when given), deflated.
pub fn xlsx(sheet_xml: &str, shared_strings: Option<&[u8]>) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9));
    let mut put = |name: &str, data: &[u8]| {
        zip.start_file(name, options).unwrap();
        zip.write_all(data).unwrap();
    };
    put("[Content_Types].xml", CONTENT_TYPES.as_bytes());
    put("_rels/.rels", RELS.as_bytes());
    put("xl/workbook.xml", WORKBOOK.as_bytes());
    put("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes());
    put("xl/worksheets/sheet1.xml", sheet_xml.as_bytes());
    if let Some(s) = shared_strings {
        put("xl/sharedStrings.xml", s);
    }
    zip.finish().unwrap().into_inner()
}

/// The roster's header row and one person, then `extra` cells (XML) on line 3.
fn roster_with(extra_line: usize, extra: &str) -> Vec<u8> {
    xlsx(
        &sheet(&[
            (
                1,
                [
                    cell("A1", "Họ và tên"),
                    cell("B1", "Ngày sinh"),
                    cell("C1", "Mã xã"),
                    cell("D1", "Nhóm"),
                    cell("E1", "Số điện thoại"),
                ]
                .concat(),
            ),
            (
                2,
                [
                    cell("A2", "Nguyễn Văn A"),
                    cell("B2", "01/01/1990"),
                    cell("C2", "24781"),
                    cell("D2", "Người dân"),
                    cell("E2", "0912345678"),
                ]
                .concat(),
            ),
            (extra_line, extra.to_owned()),
        ]),
        None,
    )
}

/// A cell in column XFE (16,385), one past Excel's last column.
pub fn column_past_xfd() -> Vec<u8> {
    roster_with(3, &cell("XFE3", "x"))
}

/// A cell whose column name is eight letters long (≈ 4·10⁹ as a number, more than fits the
/// arithmetic of some readers): the 1.8 KB file that aborted the server with
/// "memory allocation of 96000000000 bytes failed".
pub fn column_far_beyond() -> Vec<u8> {
    roster_with(3, &cell("FXSHRXW3", "x"))
}

/// A cell on line 1,048,577, one past Excel's last row.
pub fn row_past_limit() -> Vec<u8> {
    roster_with(1_048_577, &cell("A1048577", "x"))
}

/// Cells A1 and XFD1048576 only: a dense reading of it is 16,384 × 1,048,576 cells.
pub fn sparse_corners() -> Vec<u8> {
    xlsx(
        &sheet(&[
            (1, cell("A1", "Mã đơn vị")),
            (1_048_576, cell("XFD1048576", "1")),
        ]),
        None,
    )
}

/// A denominators table (header, one row) plus a far sparse cell.
pub fn sparse_denominators() -> Vec<u8> {
    xlsx(
        &sheet(&[
            (
                1,
                [cell("A1", "Mã đơn vị"), cell("B1", "Số người")].concat(),
            ),
            (2, [cell("A2", "24781"), cell("B2", "100")].concat()),
            (1_048_576, cell("XFD1048576", "1")),
        ]),
        None,
    )
}

/// Shared strings that inflate to about `mb` MB from a few hundred KB: one string repeated.
pub fn shared_strings_bomb(mb: usize) -> Vec<u8> {
    let mut sst = Vec::with_capacity(mb << 20);
    sst.extend_from_slice(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    let item = format!("<si><t>{}</t></si>", "A".repeat(1000));
    while sst.len() < mb << 20 {
        sst.extend_from_slice(item.as_bytes());
    }
    sst.extend_from_slice(b"</sst>");
    xlsx(
        &sheet(&[(1, r#"<c r="A1" t="s"><v>0</v></c>"#.to_owned())]),
        Some(&sst),
    )
}

/// A worksheet of `mb` MB of blank (whitespace) XML: inflates > 1000 times.
pub fn dense_sheet(mb: usize) -> Vec<u8> {
    let mut xml = sheet(&[(1, cell("A1", "Mã đơn vị"))]);
    let padding = " ".repeat(mb << 20);
    xml = xml.replace("<sheetData>", &format!("<sheetData>{padding}"));
    xlsx(&xml, None)
}

/// [`dense_sheet`] with the worksheet's declared inflated size rewritten to its compressed
/// size (in the local header and the central directory): a lie only counting catches.
pub fn lying_sizes(mb: usize) -> Vec<u8> {
    let mut bytes = dense_sheet(mb);
    let name = b"xl/worksheets/sheet1.xml";
    let find_all = |bytes: &[u8], sig: &[u8]| -> Vec<usize> {
        memchr::memmem::find_iter(bytes, sig).collect()
    };
    for at in find_all(&bytes, b"PK\x03\x04") {
        let name_len = u16::from_le_bytes([bytes[at + 26], bytes[at + 27]]) as usize;
        if bytes.get(at + 30..at + 30 + name_len) == Some(&name[..]) {
            let compressed = bytes[at + 18..at + 22].to_vec();
            bytes[at + 22..at + 26].copy_from_slice(&compressed);
        }
    }
    for at in find_all(&bytes, b"PK\x01\x02") {
        let name_len = u16::from_le_bytes([bytes[at + 28], bytes[at + 29]]) as usize;
        if bytes.get(at + 46..at + 46 + name_len) == Some(&name[..]) {
            let compressed = bytes[at + 20..at + 24].to_vec();
            bytes[at + 24..at + 28].copy_from_slice(&compressed);
        }
    }
    bytes
}

/// A shared formula whose index (`si`) and range (`ref`) would make a reader grow a vector
/// to a billion entries and fill a map across a million rows.
pub fn shared_formula_bomb() -> Vec<u8> {
    roster_with(
        3,
        r#"<c r="A3"><f t="shared" si="1000000000" ref="A3:A1048576">B3+1</f><v>1</v></c>"#,
    )
}

/// A CSV roster whose second line is `bytes` long without a line break.
pub fn long_csv_line(bytes: usize) -> Vec<u8> {
    let mut csv =
        b"H\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan,Ng\xc3\xa0y sinh,M\xc3\xa3 x\xc3\xa3,Nh\xc3\xb3m\n"
            .to_vec();
    csv.extend(std::iter::repeat_n(b'a', bytes));
    csv.push(b'\n');
    csv
}

/// A CSV roster with one cell of `chars` characters.
pub fn long_csv_cell(chars: usize) -> Vec<u8> {
    let mut csv = "Họ và tên,Ngày sinh,Mã xã,Nhóm,Số điện thoại\n"
        .as_bytes()
        .to_vec();
    csv.push(b'"');
    for _ in 0..chars / 1000 {
        csv.extend(std::iter::repeat_n(b'a', 999));
        csv.push(b'\n');
    }
    csv.extend_from_slice("\",01/01/1990,24781,Người dân,0912345678\n".as_bytes());
    csv
}

/// A CSV row of a million delimiters (a million empty cells).
pub fn wide_csv_row() -> Vec<u8> {
    let mut csv = "Họ và tên,Ngày sinh,Mã xã,Nhóm\n".as_bytes().to_vec();
    csv.extend(std::iter::repeat_n(b',', 900_000));
    csv.extend_from_slice(b"x\n");
    csv
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::{read_rows, Row, SheetNotes};
    use crate::table::{read_table, TableError};

    fn read(bytes: &[u8]) -> Result<(SheetNotes, Vec<Row>), TableError> {
        let mut notes = SheetNotes::default();
        let mut rows = Vec::new();
        read_rows(
            bytes,
            100,
            |n| notes = n,
            |chunk| {
                rows.extend(chunk);
                true
            },
        )?;
        Ok((notes, rows))
    }

    fn error_of(bytes: &[u8]) -> TableError {
        match read(bytes) {
            Ok((_, rows)) => panic!("read, {} rows", rows.len()),
            Err(e) => e,
        }
    }

    #[test]
    fn a_plain_workbook_still_reads() {
        let bytes = xlsx(
            &sheet(&[
                (
                    1,
                    [cell("A1", "Mã đơn vị"), cell("B1", "Số người")].concat(),
                ),
                (3, [cell("A3", "24781"), cell("IV3", "1")].concat()),
            ]),
            None,
        );
        let (notes, rows) = read(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(notes.encoding, "Excel");
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1].line, rows[1].cells.len()), (3, 256));
        let table = read_table(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(table.len(), 3);
        assert_eq!(table[2][0], "24781");
    }

    #[test]
    fn a_column_past_xfd_is_an_error_on_its_line() {
        let e = error_of(&column_past_xfd());
        assert_eq!(e.line(), 3, "{e}");
        let text = e.to_string();
        assert!(
            text.contains("Dòng 3") && text.contains("ngoài giới hạn của Excel"),
            "{text}"
        );
        assert!(text.contains("cột 16.385"), "{text}");
    }

    #[test]
    fn a_column_far_beyond_is_refused_without_an_allocation() {
        let bytes = column_far_beyond();
        assert!(bytes.len() < 2_000, "{}", bytes.len());
        let text = error_of(&bytes).to_string();
        assert!(text.contains("giới hạn của Excel"), "{text}");
    }

    #[test]
    fn a_row_past_the_last_is_an_error_on_its_line() {
        let e = error_of(&row_past_limit());
        assert_eq!(e.line(), 1_048_577, "{e}");
        assert!(e.to_string().contains("dòng 1.048.577"), "{e}");
    }

    #[test]
    fn sparse_corners_never_make_a_dense_range() {
        // Streamed: the far cell holds a value beyond the columns read.
        let e = error_of(&sparse_corners());
        assert_eq!(e.line(), 1_048_576, "{e}");
        assert!(e.to_string().contains("ngoài 256 cột đầu"), "{e}");
        // The table of counts (denominators, VNeID) reads through the same bounded reader.
        for bytes in [sparse_corners(), sparse_denominators()] {
            let e = read_table(&bytes).err().unwrap_or_else(|| panic!("read"));
            assert!(e.to_string().contains("ngoài 256 cột đầu"), "{e}");
        }
        // An empty far cell (formatting only) is ignored; a line past the table's bound is not.
        let far = xlsx(
            &sheet(&[
                (
                    1,
                    [cell("A1", "Mã đơn vị"), cell("B1", "Số người")].concat(),
                ),
                (1_048_576, r#"<c r="XFD1048576" s="1"/>"#.to_owned()),
            ]),
            None,
        );
        assert_eq!(read_table(&far).map(|t| t.len()), Ok(1));
        let long = xlsx(
            &sheet(&[
                (
                    1,
                    [cell("A1", "Mã đơn vị"), cell("B1", "Số người")].concat(),
                ),
                (1_048_576, cell("A1048576", "24781")),
            ]),
            None,
        );
        let e = read_table(&long).err().unwrap_or_else(|| panic!("read"));
        assert!(e.to_string().contains("tối đa 10000 dòng"), "{e}");
    }

    #[test]
    fn a_shared_strings_bomb_is_refused_before_it_is_read() {
        let bytes = shared_strings_bomb(150);
        assert!(bytes.len() < 1_000_000, "{}", bytes.len());
        let e = error_of(&bytes);
        assert!(matches!(e, TableError::Archive(_)), "{e}");
        assert!(e.to_string().contains("sharedStrings.xml"), "{e}");
        assert!(read_table(&bytes).is_err());
    }

    #[test]
    fn a_dense_entry_is_refused_by_its_ratio_declared_or_counted() {
        for bytes in [dense_sheet(4), lying_sizes(4)] {
            let e = error_of(&bytes);
            assert!(matches!(e, TableError::Archive(_)), "{e}");
            assert!(e.to_string().contains("lần cỡ nén"), "{e}");
        }
        // Small entries may be dense (a blank sheet compresses well).
        assert!(read(&dense_sheet(0)).is_ok());
    }

    #[test]
    fn a_shared_formula_bomb_is_only_a_formula() {
        let (notes, _) = read(&shared_formula_bomb()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (notes.formulas.clone(), notes.formula_count),
            (vec![(3, 1)], 1)
        );
        assert!(!notes.errors_below(1).is_empty());
    }

    #[test]
    fn csv_lines_cells_and_columns_are_bounded() {
        let e = error_of(&long_csv_line(2 << 20));
        assert_eq!(e.line(), 2, "{e}");
        assert!(e.to_string().contains("1.048.576 byte"), "{e}");

        let e = error_of(&long_csv_cell(40_000));
        assert!(e.to_string().contains("32.767 ký tự"), "{e}");
        assert!(read(&long_csv_cell(30_000)).is_ok());

        let e = error_of(&wide_csv_row());
        assert_eq!(e.line(), 2, "{e}");
        assert!(e.to_string().contains("ngoài 256 cột đầu"), "{e}");
    }
}
