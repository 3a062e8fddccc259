//! Fuzzing harnesses for every reader of an uploaded table (roster, completions, denominators;
//! CSV in any encoding and XLSX). In `cargo test` each runs a bounded number of generated
//! inputs plus the saved ones under `src/__fuzz__/<harness>/{corpus,crashes}`; `scripts/fuzz`
//! runs them for a given time. Inputs are built from tokens of the formats, so that random
//! bytes reach past the first check.
//!
//! Every harness checks, besides "no panic": a row never holds more than
//! [`MAX_COLUMNS`] cells, and no cell more than [`MAX_CELL_CHARS`] characters.

use bolero::check;

use crate::fuzz_support::from_tokens;

/// Keeps an input that made a harness panic, under this crate's `src/__fuzz__`.
fn kept(harness: &str, input: &[u8], f: impl FnOnce(&[u8])) {
    crate::fuzz_support::kept(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        harness,
        input,
        f,
    );
}

use crate::stream::{read_rows, Row, MAX_CELL_CHARS, MAX_COLUMNS};

const CSV_TOKENS: &[&str] = &[
    ",",
    ",",
    ";",
    "\t",
    "\"",
    "\n",
    "\r\n",
    "\n",
    " ",
    "Họ và tên",
    "Ngày sinh",
    "Mã xã",
    "Nhóm",
    "Số điện thoại",
    "Số định danh cá nhân",
    "Ngày hoàn thành",
    "Mã đơn vị",
    "Số người",
    "0912345678",
    "068162001234",
    "24781",
    "22918",
    "01/01/1990",
    "1990",
    "31/02/2026",
    "Người dân",
    "Học sinh",
    "Nguyễn Thị Hoa",
    "1.234",
    "-3",
    "a",
    "đ",
    "\u{feff}",
    "\u{0}",
    "=1+1",
    "\u{300}",
];

fn check_rows(rows: &[Row]) {
    for row in rows {
        assert!(row.cells.len() <= MAX_COLUMNS, "{} cells", row.cells.len());
        for c in &row.cells {
            assert!(c.chars().count() <= MAX_CELL_CHARS);
        }
    }
}

/// Every parser of a table upload, over the rows a file gives.
fn parse_all(bytes: &[u8]) {
    let mut all = Vec::new();
    let _ = read_rows(
        bytes,
        7,
        |notes| {
            let _ = notes.errors_below(1);
        },
        |rows| {
            check_rows(&rows);
            all.extend(rows);
            true
        },
    );
    let mut roster = None;
    let mut completions = None;
    for row in &all {
        if roster.is_none() {
            roster = crate::roster::header(row).ok().flatten();
        } else if let Some(cols) = &roster {
            let _ = crate::roster::parse_row(cols, row, 2026);
        }
        if completions.is_none() {
            completions = crate::completions::header(row).ok().flatten();
        } else if let Some(cols) = &completions {
            let _ = crate::completions::parse_row(cols, row, (2026, 11, 25));
        }
    }
    if let Ok(table) = crate::table::read_table(bytes) {
        assert!(table.len() <= crate::table::MAX_TABLE_LINES);
        let _ = crate::denominators::parse_denominators(&table);
    }
}

#[test]
fn csv_tables() {
    check!().for_each(|bytes: &[u8]| {
        kept("csv_tables", bytes, |b| {
            parse_all(from_tokens(b, CSV_TOKENS).as_bytes())
        })
    });
}

#[test]
fn raw_bytes() {
    check!().for_each(|bytes: &[u8]| kept("raw_bytes", bytes, parse_all));
}

const SHEET_TOKENS: &[&str] = &[
    "<row>",
    "<row r=\"1\">",
    "<row r=\"2\">",
    "<row r=\"1048577\">",
    "</row>",
    "<c t=\"inlineStr\"><is><t>",
    "<c r=\"A1\" t=\"inlineStr\"><is><t>",
    "<c r=\"B2\" t=\"inlineStr\"><is><t>",
    "<c r=\"IW2\" t=\"inlineStr\"><is><t>",
    "<c r=\"XFD1048576\" t=\"inlineStr\"><is><t>",
    "<c r=\"ZZZZZZZZ1\" t=\"inlineStr\"><is><t>",
    "</t></is></c>",
    "<c r=\"A3\"><v>",
    "<c><v>",
    "</v></c>",
    "<c r=\"C3\" t=\"s\"><v>0</v></c>",
    "<c r=\"C4\" t=\"s\"><v>99</v></c>",
    "<c r=\"D3\" t=\"b\"><v>1</v></c>",
    "<c r=\"E3\" t=\"e\"><v>#N/A</v></c>",
    "<c r=\"F3\"><f>A1+1</f><v>2</v></c>",
    "<c r=\"F4\"><f t=\"shared\" si=\"4000000000\" ref=\"F4:F1048576\">A1</f></c>",
    "<c r=\"F5\"><f t=\"shared\" si=\"0\"/></c>",
    "<mergeCells><mergeCell ref=\"A1:B2\"/></mergeCells>",
    "Họ và tên",
    "Ngày sinh",
    "Mã xã",
    "Nhóm",
    "Số điện thoại",
    "Mã đơn vị",
    "Số người",
    "24781",
    "0912345678",
    "1.5",
    "45000",
    "&amp;",
    "&#0;",
    "<",
    "\"",
];

#[test]
fn xlsx_sheets() {
    check!().for_each(|bytes: &[u8]| kept("xlsx_sheets", bytes, xlsx_sheet));
}

fn xlsx_sheet(bytes: &[u8]) {
    {
        let (sheet, strings) = bytes.split_at(bytes.len() / 2);
        let body = from_tokens(sheet, SHEET_TOKENS);
        let xml = crate::hostile::sheet(&[]).replace("<sheetData>", &format!("<sheetData>{body}"));
        let sst = format!(
            "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>{}</t></si></sst>",
            from_tokens(strings, CSV_TOKENS)
        );
        parse_all(&crate::hostile::xlsx(&xml, Some(sst.as_bytes())));
    }
}
