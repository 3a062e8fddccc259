//! A table from an uploaded file: the first sheet of an Excel workbook (.xlsx) or a CSV file
//! (UTF-8, comma or semicolon), as rows of trimmed text cells.

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
    /// The archive of an .xlsx refused before it is read (too big inflated, or too dense).
    #[error(
        "Tệp Excel bị từ chối: {0}. Hãy mở tệp bằng Excel, lưu lại dưới dạng .xlsx rồi thử lại."
    )]
    Archive(String),
    /// A cell or line beyond what an import reads ([`crate::stream`]'s limits); `message`
    /// names the line.
    #[error("{message}")]
    Limit { line: usize, message: String },
}

impl TableError {
    /// The line the error is on (0: the file as a whole).
    pub fn line(&self) -> usize {
        match self {
            TableError::Csv { line, .. } | TableError::Limit { line, .. } => *line,
            _ => 0,
        }
    }
}

/// Rows of cells; row `i` is line `i + 1` of the sheet or file.
pub type Rows = Vec<Vec<String>>;

/// Most lines a table of counts per unit may have (a province has a few thousand units).
pub const MAX_TABLE_LINES: usize = 10_000;

/// Reads the first sheet of an .xlsx file, or a CSV file in UTF-8, through the bounded
/// streaming reader ([`crate::stream::read_rows`]: no dense range, cells and lines bounded).
/// Refuses a table with anything beyond line [`MAX_TABLE_LINES`].
pub fn read_table(bytes: &[u8]) -> Result<Rows, TableError> {
    if bytes.is_empty() {
        return Err(TableError::Empty);
    }
    if !bytes.starts_with(b"PK\x03\x04") && !bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        let text = std::str::from_utf8(bytes).map_err(|_| TableError::NotUtf8)?;
        if text.contains('\0') {
            return Err(TableError::Unsupported);
        }
    }
    let mut rows: Rows = Vec::new();
    let mut too_long = None;
    crate::stream::read_rows(
        bytes,
        1_000,
        |_| {},
        |chunk| {
            for row in chunk {
                if row.line > MAX_TABLE_LINES {
                    too_long = Some(row.line);
                    return false;
                }
                // Rows come in line order; the lines between are blank. Bounded by the check
                // above.
                if rows.len() < row.line {
                    rows.resize(row.line, Vec::new());
                }
                rows[row.line - 1] = row.cells;
            }
            true
        },
    )?;
    if let Some(line) = too_long {
        return Err(TableError::Limit {
            line,
            message: format!(
                "Dòng {line}: bảng số liệu chỉ nhận tối đa {MAX_TABLE_LINES} dòng; hãy bỏ các dòng thừa rồi thử lại."
            ),
        });
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
