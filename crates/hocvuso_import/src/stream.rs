//! Big tables read a chunk of rows at a time, for imports of a million rows: the first sheet of
//! an Excel workbook (.xlsx, cells streamed, not loaded as a whole sheet) or a CSV file in
//! UTF-8, UTF-16 (what Excel writes as "Unicode Text") or Windows-1258 (older Vietnamese tools),
//! separated by commas, semicolons or tabs.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{open_workbook_from_rs, DataRef, Reader, Xlsx};

use crate::table::TableError;

/// One row: its line number as the sheet or file shows it (from 1) and its trimmed cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(String::is_empty)
    }
}

/// A range of cells merged in the sheet, lines and columns from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merged {
    pub first_line: usize,
    pub last_line: usize,
    pub first_col: usize,
    pub last_col: usize,
}

impl Merged {
    /// `A5:C5`, as Excel names it.
    pub fn name(&self) -> String {
        format!(
            "{}{}:{}{}",
            column_name(self.first_col),
            self.first_line,
            column_name(self.last_col),
            self.last_line
        )
    }
}

/// What a workbook holds besides values, which an import must refuse below its header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetNotes {
    pub merged: Vec<Merged>,
    /// The first formula cells found `(line, column)`, and how many there are in all.
    pub formulas: Vec<(usize, usize)>,
    pub formula_count: usize,
    /// The encoding a text file was read in (for the dry run's summary).
    pub encoding: &'static str,
}

impl SheetNotes {
    /// Merged cells and formulas below the header, refused: the values would not be what the
    /// officer sees or means.
    pub fn errors_below(&self, header_line: usize) -> Vec<crate::RowError> {
        let mut out = Vec::new();
        let below: Vec<&Merged> = self
            .merged
            .iter()
            .filter(|m| m.last_line > header_line)
            .collect();
        if !below.is_empty() {
            let named: Vec<String> = below
                .iter()
                .take(FORMULAS_NAMED)
                .map(|m| m.name())
                .collect();
            let more = below.len() - named.len();
            out.push(crate::RowError {
                line: 0,
                message: format!(
                    "Bảng có ô gộp ({}{}): mỗi người một dòng, mỗi ô một giá trị. Hãy bỏ gộp ô (Merge & Center), ghi đủ giá trị vào từng ô, rồi kiểm tra lại tệp (các lỗi khác, nếu có, sẽ hiện khi đó).",
                    named.join(", "),
                    if more > 0 { format!(" và {more} vùng khác") } else { String::new() }
                ),
            });
        }
        let formulas: Vec<String> = self
            .formulas
            .iter()
            .filter(|(line, _)| *line > header_line)
            .map(|(line, col)| format!("{}{line}", column_name(*col)))
            .collect();
        if !formulas.is_empty() {
            let more = self.formula_count.saturating_sub(formulas.len());
            out.push(crate::RowError {
                line: 0,
                message: format!(
                    "Bảng có ô chứa công thức ({}{}): hãy chép cả bảng rồi dán dạng giá trị (Paste Special → Values), rồi kiểm tra lại tệp (các lỗi khác, nếu có, sẽ hiện khi đó).",
                    formulas.join(", "),
                    if more > 0 { format!(" và {more} ô khác") } else { String::new() }
                ),
            });
        }
        out
    }
}

/// `1` → `A`, `27` → `AA`.
pub fn column_name(mut col: usize) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let rem = (col - 1) % 26;
        out.push(b'A' + rem as u8);
        col = (col - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// How many formula cells to name in a message.
const FORMULAS_NAMED: usize = 10;

/// Excel's own limits: a cell reference beyond them cannot come from Excel (a damaged or
/// hostile file) and refuses the file, with its line.
pub const EXCEL_MAX_ROWS: usize = 1_048_576;
/// Column XFD.
pub const EXCEL_MAX_COLUMNS: usize = 16_384;
/// Columns an import reads (A to IV, Excel 2003's width): a row never holds more cells than
/// this, whatever the file names. A cell beyond it with a value refuses the file; empty ones
/// (formatting only) are ignored.
pub const MAX_COLUMNS: usize = 256;
/// Longest cell, in characters (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;
/// Longest physical line of a text file, in bytes (a line of 256 full Vietnamese cells is far
/// below it).
pub const MAX_LINE_BYTES: usize = 1 << 20;

fn limit(line: usize, message: String) -> TableError {
    TableError::Limit {
        line,
        message: format!("Dòng {line}: {message}"),
    }
}

/// A cell's text, refused when longer than [`MAX_CELL_CHARS`].
fn checked_cell(text: String, line: usize, col: usize) -> Result<String, TableError> {
    // Bytes first: no character is longer than 4 bytes, so a short cell costs no count.
    if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
        return Err(limit(
            line,
            format!(
                "ô {}{line} dài hơn {} ký tự, giới hạn của một ô Excel.",
                column_name(col),
                group_thousands(MAX_CELL_CHARS)
            ),
        ));
    }
    Ok(text)
}

/// A cell beyond the first [`MAX_COLUMNS`] columns that holds a value.
fn beyond_columns(line: usize, col: usize) -> TableError {
    limit(
        line,
        format!(
            "ô {}{line} có dữ liệu ngoài {MAX_COLUMNS} cột đầu (A đến {}); bảng nhập chỉ đọc {MAX_COLUMNS} cột. Hãy xoá các cột thừa rồi thử lại.",
            column_name(col),
            column_name(MAX_COLUMNS)
        ),
    )
}

/// `1048576` → `1.048.576`, as Vietnamese officials write numbers.
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

/// Reads `bytes` as a table, calling `notes` once before the rows, then `rows` with chunks of
/// up to `chunk` rows in order. `rows` returns `false` to stop early.
pub fn read_rows(
    bytes: &[u8],
    chunk: usize,
    notes: impl FnOnce(SheetNotes),
    mut rows: impl FnMut(Vec<Row>) -> bool,
) -> Result<(), TableError> {
    let chunk = chunk.max(1);
    if bytes.is_empty() {
        return Err(TableError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let scan = crate::archive::check(bytes)?;
        // calamine parses the XML; a malformed file must not take the server down with a
        // panic in it (its cell-reference arithmetic overflows on a long column name in
        // builds with overflow checks): a panic there is a broken file.
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_xlsx(bytes, scan, chunk, notes, rows)
        }))
        .unwrap_or_else(|_| {
            Err(TableError::Xlsx(
                "nội dung tệp bị hỏng: có ô ghi địa chỉ không hợp lệ hoặc ngoài giới hạn của Excel (cột XFD, dòng 1.048.576)".to_owned(),
            ))
        });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(TableError::Xlsx("đây là tệp Excel cũ (.xls)".to_owned()));
    }
    let (text, encoding) = decode_text(bytes)?;
    check_line_lengths(&text)?;
    notes(SheetNotes {
        encoding,
        ..SheetNotes::default()
    });
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b'\t', b';', b',']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut batch = Vec::with_capacity(chunk);
    let mut record = csv::StringRecord::new();
    // Line numbers as Excel shows the file: the text's lines counted from the records' byte
    // offsets (blank lines count), less the line breaks inside quoted cells before the record
    // (Excel shows such a cell on one row).
    let (mut text_line, mut counted_to, mut inside_cells) = (1usize, 0usize, 0usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(TableError::Csv {
                    line: text_line - inside_cells,
                    message: csv_problem(&e),
                })
            }
        }
        let mut start = record
            .position()
            .map_or(counted_to, |p| p.byte() as usize)
            .min(text.len());
        // After a CR-LF the record is said to start at its LF.
        if text.as_bytes().get(start) == Some(&b'\n') {
            start += 1;
        }
        text_line += text.as_bytes()[counted_to.min(start)..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = start;
        let line = text_line - inside_cells;
        inside_cells += record
            .iter()
            .map(|c| memchr::memchr_iter(b'\n', c.as_bytes()).count())
            .sum::<usize>();
        let mut cells = Vec::with_capacity(record.len().min(MAX_COLUMNS));
        for (i, c) in record.iter().enumerate() {
            let c = c.trim();
            if i >= MAX_COLUMNS {
                if c.is_empty() {
                    continue;
                }
                return Err(beyond_columns(line, i + 1));
            }
            cells.push(checked_cell(c.to_owned(), line, i + 1)?);
        }
        batch.push(Row { line, cells });
        if batch.len() == chunk && !rows(std::mem::replace(&mut batch, Vec::with_capacity(chunk))) {
            return Ok(());
        }
    }
    if !batch.is_empty() {
        rows(batch);
    }
    Ok(())
}

/// Refuses a text file with a physical line longer than [`MAX_LINE_BYTES`], before any of it
/// is parsed into cells.
fn check_line_lengths(text: &str) -> Result<(), TableError> {
    let mut start = 0;
    for (line, end) in memchr::memchr_iter(b'\n', text.as_bytes())
        .chain(std::iter::once(text.len()))
        .enumerate()
    {
        if end - start > MAX_LINE_BYTES {
            return Err(limit(
                line + 1,
                format!(
                    "dòng dài hơn {} byte; một dòng của bảng nhập không dài đến thế. Hãy kiểm tra tệp (có thể thiếu dấu xuống dòng).",
                    group_thousands(MAX_LINE_BYTES)
                ),
            ));
        }
        start = end + 1;
    }
    Ok(())
}

/// Decodes a text file: a byte-order mark says UTF-8 or UTF-16; without one, UTF-16 is
/// recognised by its zero bytes, valid UTF-8 is UTF-8, and anything else is read as
/// Windows-1258 (Vietnamese ANSI) and put in Unicode NFC (that code page writes tones as
/// separate marks). Control characters in the result mean the guess was wrong: refused.
pub fn decode_text(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), TableError> {
    let (encoding, skip) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((enc, len)) => (enc, len),
        None => {
            let sample = &bytes[..bytes.len().min(4096)];
            let zeros_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
            let zeros_odd = sample
                .iter()
                .skip(1)
                .step_by(2)
                .filter(|b| **b == 0)
                .count();
            let half = sample.len() / 2;
            if half > 0 && zeros_odd * 3 > half && zeros_even * 3 < half {
                (encoding_rs::UTF_16LE, 0)
            } else if half > 0 && zeros_even * 3 > half && zeros_odd * 3 < half {
                (encoding_rs::UTF_16BE, 0)
            } else if std::str::from_utf8(bytes).is_ok() {
                (encoding_rs::UTF_8, 0)
            } else {
                (encoding_rs::WINDOWS_1258, 0)
            }
        }
    };
    let body = &bytes[skip..];
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    let bad = |c: char| c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\r' | '\n'));
    if had_errors || text.chars().any(bad) {
        return Err(TableError::Encoding);
    }
    let name = match encoding.name() {
        "UTF-8" => "UTF-8",
        "UTF-16LE" | "UTF-16BE" => "UTF-16",
        _ => "Windows-1258",
    };
    if encoding == encoding_rs::WINDOWS_1258 {
        return Ok((Cow::Owned(hocvuso_domain::text::nfc(&text)), name));
    }
    Ok((text, name))
}

/// A CSV reading error in the officer's words (the library's own are English).
fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "có chữ không đọc được (tệp không lưu bằng mã UTF-8)".to_owned()
        }
        _ => "dòng không đúng dạng CSV (có thể thiếu dấu ngoặc kép đóng)".to_owned(),
    }
}

fn read_xlsx(
    bytes: &[u8],
    scan: crate::archive::SheetScan,
    chunk: usize,
    notes: impl FnOnce(SheetNotes),
    mut rows: impl FnMut(Vec<Row>) -> bool,
) -> Result<(), TableError> {
    let broken = |_: calamine::XlsxError| TableError::Xlsx(crate::archive::DAMAGED.to_owned());
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(broken)?;
    // The first visible sheet, as `archive::formula_cells` picks it: a hidden first sheet is
    // often last year's list, kept out of sight.
    let sheet = book
        .sheets_metadata()
        .iter()
        .find(|s| s.visible == calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .ok_or(TableError::Empty)?;
    let mut merged = Vec::new();
    if scan.may_merge {
        book.load_merged_regions().map_err(broken)?;
        merged = book
            .merged_regions_by_sheet(&sheet)
            .into_iter()
            .map(|(_, _, d)| Merged {
                first_line: d.start.0 as usize + 1,
                last_line: d.end.0 as usize + 1,
                first_col: d.start.1 as usize + 1,
                last_col: d.end.1 as usize + 1,
            })
            .collect();
    }
    let mut sheet_notes = SheetNotes {
        merged,
        encoding: "Excel",
        ..SheetNotes::default()
    };
    if scan.may_have_formulas {
        let (found, count) = crate::archive::formula_cells(bytes, FORMULAS_NAMED)?;
        sheet_notes.formulas = found;
        sheet_notes.formula_count = count;
    }
    notes(sheet_notes);
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(broken)?;
    let mut batch: Vec<Row> = Vec::with_capacity(chunk);
    let mut current: Option<Row> = None;
    while let Some(cell) = cells.next_cell().map_err(broken)? {
        let (r, c) = cell.get_position();
        let (line, col) = (r as usize + 1, c as usize);
        if line > EXCEL_MAX_ROWS || col >= EXCEL_MAX_COLUMNS {
            return Err(limit(
                line,
                format!(
                    "tệp ghi một ô ở cột {}, dòng {}, ngoài giới hạn của Excel (cột XFD, dòng {}). Tệp bị hỏng hoặc không do Excel tạo; hãy mở bằng Excel, lưu lại rồi thử lại.",
                    group_thousands(col + 1),
                    group_thousands(line),
                    group_thousands(EXCEL_MAX_ROWS)
                ),
            ));
        }
        if col >= MAX_COLUMNS {
            if cell_text(cell.get_value()).is_empty() {
                continue;
            }
            return Err(beyond_columns(line, col + 1));
        }
        if current.as_ref().is_some_and(|row| row.line != line) {
            if let Some(done) = current.take() {
                batch.push(done);
            }
            if batch.len() >= chunk
                && !rows(std::mem::replace(&mut batch, Vec::with_capacity(chunk)))
            {
                return Ok(());
            }
        }
        let row = current.get_or_insert_with(|| Row {
            line,
            cells: Vec::new(),
        });
        // Bounded: `col` < MAX_COLUMNS.
        if row.cells.len() <= col {
            row.cells.resize(col + 1, String::new());
        }
        row.cells[col] = checked_cell(cell_text(cell.get_value()), line, col + 1)?;
    }
    if let Some(done) = current.take() {
        batch.push(done);
    }
    if !batch.is_empty() {
        rows(batch);
    }
    Ok(())
}

/// A cell as the text a person would type: whole numbers without `.0`, dates as dd/mm/yyyy.
fn cell_text(c: &DataRef<'_>) -> String {
    match c {
        DataRef::Empty => String::new(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Int(i) => i.to_string(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{day:02}/{m:02}/{y:04}")
        }
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_rows(bytes: &[u8]) -> Result<(SheetNotes, Vec<Row>), TableError> {
        let mut got_notes = SheetNotes::default();
        let mut out = Vec::new();
        read_rows(
            bytes,
            2,
            |n| got_notes = n,
            |chunk| {
                assert!(chunk.len() <= 2);
                out.extend(chunk);
                true
            },
        )?;
        Ok((got_notes, out))
    }

    fn cells(rows: &[Row]) -> Vec<Vec<&str>> {
        rows.iter()
            .map(|r| r.cells.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn utf8_with_or_without_bom_and_any_separator() {
        for text in [
            "\u{feff}Họ và tên,Mã xã\nNguyễn Thị Hoa, 24781\n",
            "Họ và tên;Mã xã\r\nNguyễn Thị Hoa;24781\r\n",
            "Họ và tên\tMã xã\nNguyễn Thị Hoa\t24781\n",
        ] {
            let (notes, rows) = all_rows(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(notes.encoding, "UTF-8");
            assert_eq!(
                cells(&rows),
                vec![vec!["Họ và tên", "Mã xã"], vec!["Nguyễn Thị Hoa", "24781"]]
            );
            assert_eq!(rows[1].line, 2, "{text:?} {rows:?}");
        }
    }

    #[test]
    fn utf16_both_byte_orders_with_and_without_bom() {
        let text = "Họ và tên\tMã xã\r\nĐặng Văn Ánh\t24781\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [
            [vec![0xFF, 0xFE], le.clone()].concat(),
            [vec![0xFE, 0xFF], be.clone()].concat(),
            le,
            be,
        ] {
            let (notes, rows) = all_rows(&bytes).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(notes.encoding, "UTF-16");
            assert_eq!(cells(&rows)[1], vec!["Đặng Văn Ánh", "24781"]);
        }
    }

    #[test]
    fn windows_1258_comes_out_in_nfc() {
        // "Nguyễn" in Windows-1258: "Nguy" + ê (0xEA) + combining tilde (0xDE) + "n".
        let bytes = b"Ho\xf2 v\xe0 t\xean,Ma\xde x\xe3\nNguy\xea\xden,24781\n";
        let (notes, rows) = all_rows(bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(notes.encoding, "Windows-1258");
        assert_eq!(rows[1].cells[0], "Nguyễn");
        assert_eq!(rows[1].cells[0], hocvuso_domain::text::nfc("Nguyễn"));
    }

    #[test]
    fn binary_junk_is_refused() {
        assert_eq!(
            all_rows(&[0x01, 0x02, 0x9f, 0x00, 0x41, 0x42, 0x43]).err(),
            Some(TableError::Encoding)
        );
        assert_eq!(all_rows(b"").err(), Some(TableError::Empty));
        assert!(matches!(
            all_rows(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]).err(),
            Some(TableError::Xlsx(_))
        ));
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(1), "A");
        assert_eq!(column_name(26), "Z");
        assert_eq!(column_name(27), "AA");
        assert_eq!(
            Merged {
                first_line: 5,
                last_line: 7,
                first_col: 1,
                last_col: 2
            }
            .name(),
            "A5:B7"
        );
    }
}
