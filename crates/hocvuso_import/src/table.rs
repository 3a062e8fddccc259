//! A table from an uploaded file: the first sheet of an Excel workbook (.xlsx) or a CSV file
//! (UTF-8, comma or semicolon), as rows of trimmed text cells.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TableError {
    #[error("Tệp trống.")]
    Empty,
    #[error("Không đọc được tệp Excel: {0}. Hãy lưu lại dưới dạng .xlsx rồi thử lại.")]
    Xlsx(String),
    #[error("Tệp CSV phải lưu bằng mã UTF-8 (trong Excel: Lưu thành → CSV UTF-8).")]
    NotUtf8,
    #[error("Không đọc được tệp CSV ở dòng {line}: {message}")]
    Csv { line: usize, message: String },
    #[error("Không đọc được chữ trong tệp: tệp không phải văn bản UTF-8, UTF-16 hay Windows-1258. Hãy mở bằng Excel rồi lưu thành .xlsx hoặc CSV UTF-8.")]
    Encoding,
    #[error("Chỉ nhận tệp Excel (.xlsx) hoặc CSV.")]
    Unsupported,
}

/// Rows of cells; row `i` is line `i + 1` of the sheet or file.
pub type Rows = Vec<Vec<String>>;

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        // Whole numbers come back as floats; write them as people type them.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        other => other.to_string().trim().to_owned(),
    }
}

/// Reads the first sheet of an .xlsx file, or a CSV file.
pub fn read_table(bytes: &[u8]) -> Result<Rows, TableError> {
    if bytes.is_empty() {
        return Err(TableError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|e: calamine::XlsxError| TableError::Xlsx(e.to_string()))?;
        let range = book
            .worksheet_range_at(0)
            .ok_or(TableError::Empty)?
            .map_err(|e| TableError::Xlsx(e.to_string()))?;
        // The range starts at the first used cell; keep line numbers as the sheet shows them.
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        let mut rows: Rows = vec![Vec::new(); first_row];
        rows.extend(range.rows().map(|r| r.iter().map(cell_text).collect()));
        return Ok(rows);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(TableError::Xlsx("đây là tệp Excel cũ (.xls)".to_owned()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| TableError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\0') {
        return Err(TableError::Unsupported);
    }
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| TableError::Csv {
            line: i + 1,
            message: e.to_string(),
        })?;
        rows.push(record.iter().map(|c| c.trim().to_owned()).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_csv_with_either_separator_and_a_bom() {
        let rows = read_table("\u{feff}Mã đơn vị,Số người\n22918, 1.234\n".as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rows,
            vec![vec!["Mã đơn vị", "Số người"], vec!["22918", "1.234"]]
        );
        let rows = read_table(b"a;b\n1;2\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows[1], vec!["1", "2"]);
        assert_eq!(read_table(b""), Err(TableError::Empty));
        assert_eq!(
            read_table(&[0xC3, 0x28, b',', b'1']),
            Err(TableError::NotUtf8)
        );
        assert!(matches!(
            read_table(b"PK\x03\x04junk"),
            Err(TableError::Xlsx(_))
        ));
    }
}
