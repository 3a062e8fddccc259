//! Results of a course taken on another platform (the national platform binhdanhocvuso.gov.vn):
//! one person per row, named by their citizen ID, with the day they completed the course. The
//! format is documented in docs/IMPORT_FORMATS.md. This module reads one row into checked
//! values; finding the people is the service's work.

use hocvuso_domain::{BirthDate, CitizenId, FullName};

use crate::stream::{column_name, Row};
use crate::RowError;

/// The columns of a results file, by position in the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// The header's line number.
    pub line: usize,
    pub citizen_id: usize,
    pub day: usize,
    /// The name, when the file has it: checked against the person found by the ID.
    pub name: Option<usize>,
    /// Header cells that are not result columns (named in the dry run).
    pub ignored: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    CitizenId,
    Day,
    Name,
}

fn field_of(header: &str) -> Option<Field> {
    let h = crate::header_key(header);
    let f = match h.as_str() {
        id if crate::CITIZEN_ID_HEADERS.contains(&id) => Field::CitizenId,
        "ngay hoan thanh"
        | "ngay hoan thanh khoa hoc"
        | "ngay dat"
        | "ngay cap chung nhan"
        | "ngay cap" => Field::Day,
        "ho va ten" | "ho ten" => Field::Name,
        _ => return None,
    };
    Some(f)
}

/// How many rows from the top may come before the header.
pub const HEADER_SEARCH_LINES: usize = 20;

/// Looks for the header in a row: `Ok(None)` when the row is not a header, an error when it
/// is one but lacks a required column or names one twice.
pub fn header(row: &Row) -> Result<Option<Columns>, RowError> {
    let fields: Vec<Option<Field>> = row.cells.iter().map(|c| field_of(c)).collect();
    if !fields.contains(&Some(Field::CitizenId)) && !fields.contains(&Some(Field::Day)) {
        return Ok(None);
    }
    let err = |message: String| RowError {
        line: row.line,
        message,
    };
    let find = |f: Field| -> Result<Option<usize>, RowError> {
        let at: Vec<usize> = fields
            .iter()
            .enumerate()
            .filter(|(_, x)| **x == Some(f))
            .map(|(i, _)| i)
            .collect();
        if let [first, second, ..] = at.as_slice() {
            return Err(err(format!(
                "Cột “{}” (cột {}) và cột “{}” (cột {}) cùng một nghĩa; hãy giữ một cột.",
                row.cells[*first],
                column_name(first + 1),
                row.cells[*second],
                column_name(second + 1)
            )));
        }
        Ok(at.first().copied())
    };
    let (id, day, name) = (
        find(Field::CitizenId)?,
        find(Field::Day)?,
        find(Field::Name)?,
    );
    let (Some(citizen_id), Some(day)) = (id, day) else {
        let missing = if id.is_none() {
            "“Số định danh cá nhân”"
        } else {
            "“Ngày hoàn thành”"
        };
        return Err(err(format!(
            "Dòng tiêu đề thiếu cột {missing}. Hãy dùng tệp mẫu."
        )));
    };
    let ignored = row
        .cells
        .iter()
        .zip(&fields)
        .filter(|(c, f)| f.is_none() && !c.is_empty())
        .map(|(c, _)| c.clone())
        .collect();
    Ok(Some(Columns {
        line: row.line,
        citizen_id,
        day,
        name,
        ignored,
    }))
}

/// The message when no header was found.
pub fn no_header_message() -> String {
    format!(
        "Không thấy dòng tiêu đề trong {HEADER_SEARCH_LINES} dòng đầu. Dòng tiêu đề cần các cột \
         “Số định danh cá nhân” và “Ngày hoàn thành” (có thể thêm “Họ và tên”). Hãy dùng tệp mẫu."
    )
}

/// One completion, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRow {
    pub line: usize,
    pub citizen_id: CitizenId,
    /// `(year, month, day)`.
    pub day: (i32, u32, u32),
    pub name: Option<FullName>,
}

/// Reads one data row; every problem of the row is returned, each naming its column.
/// `today` is `(year, month, day)`: a completion cannot be later.
pub fn parse_row(
    cols: &Columns,
    row: &Row,
    today: (i32, u32, u32),
) -> Result<CompletionRow, Vec<RowError>> {
    let cell = |i: usize| row.cells.get(i).map_or("", |s| s.as_str());
    let mut errors = Vec::new();
    let mut fail = |col: usize, label: &str, message: String| {
        errors.push(RowError {
            line: row.line,
            message: format!("cột {} ({label}): {message}", column_name(col + 1)),
        })
    };
    let id_text = cell(cols.citizen_id);
    // Excel drops the leading zeros of an ID typed in a number cell.
    let id_text =
        if (10..12).contains(&id_text.len()) && id_text.bytes().all(|b| b.is_ascii_digit()) {
            format!("{id_text:0>12}")
        } else {
            id_text.to_owned()
        };
    let citizen_id = if id_text.is_empty() {
        fail(
            cols.citizen_id,
            "Số định danh cá nhân",
            "hãy ghi số định danh cá nhân (12 chữ số).".into(),
        );
        None
    } else {
        CitizenId::parse(&id_text)
            .map_err(|e| fail(cols.citizen_id, "Số định danh cá nhân", e.to_string()))
            .ok()
    };
    let day_text = cell(cols.day);
    // A year ahead is read, so that a date to come is named as such.
    let day = match BirthDate::parse(day_text, today.0 + 1) {
        _ if day_text.is_empty() => {
            fail(
                cols.day,
                "Ngày hoàn thành",
                "hãy ghi ngày hoàn thành (ngày/tháng/năm).".into(),
            );
            None
        }
        Ok(BirthDate {
            year,
            day: Some((m, d)),
        }) => {
            if (year, m, d) > today {
                fail(
                    cols.day,
                    "Ngày hoàn thành",
                    format!("ngày {d:02}/{m:02}/{year} chưa tới."),
                );
                None
            } else if year < 2020 {
                fail(
                    cols.day,
                    "Ngày hoàn thành",
                    format!("ngày {d:02}/{m:02}/{year} quá sớm; hãy kiểm tra lại năm."),
                );
                None
            } else {
                Some((year, m, d))
            }
        }
        Ok(_) | Err(_) => {
            fail(
                cols.day,
                "Ngày hoàn thành",
                format!(
                    "“{day_text}” không phải một ngày; hãy ghi ngày/tháng/năm (ví dụ 15/08/2025)."
                ),
            );
            None
        }
    };
    let name = match cols.name.map(|c| (c, cell(c))) {
        Some((c, text)) if !text.is_empty() => FullName::parse(text)
            .map_err(|e| fail(c, "Họ và tên", e.to_string()))
            .ok(),
        _ => None,
    };
    match (citizen_id, day) {
        (Some(citizen_id), Some(day)) if errors.is_empty() => Ok(CompletionRow {
            line: row.line,
            citizen_id,
            day,
            name,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a test fails loudly on a wrong value")]
mod tests {
    use super::*;

    fn row(line: usize, cells: &[&str]) -> Row {
        Row {
            line,
            cells: cells.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    const TODAY: (i32, u32, u32) = (2026, 12, 3);

    #[test]
    fn header_by_folded_names() {
        let h = header(&row(3, &["STT", "Ho va ten", "Số CCCD", "Ngày hoàn thành"]))
            .unwrap()
            .unwrap();
        assert_eq!((h.citizen_id, h.day, h.name), (2, 3, Some(1)));
        assert_eq!(h.ignored, vec!["STT".to_owned()]);
        assert!(header(&row(1, &["Danh sách hoàn thành"]))
            .unwrap()
            .is_none());
        let e = header(&row(1, &["Số định danh cá nhân", "Họ tên"])).unwrap_err();
        assert!(e.message.contains("Ngày hoàn thành"), "{}", e.message);
        let e = header(&row(1, &["CCCD", "Số CCCD", "Ngày đạt"])).unwrap_err();
        assert!(e.message.contains("cùng một nghĩa"), "{}", e.message);
    }

    #[test]
    fn rows_checked_with_every_error() {
        let cols = header(&row(
            1,
            &["Họ và tên", "Số định danh cá nhân", "Ngày hoàn thành"],
        ))
        .unwrap()
        .unwrap();
        let ok = parse_row(
            &cols,
            &row(2, &["Trần Thị Mai", "068190001234", "05/03/2026"]),
            TODAY,
        )
        .unwrap();
        assert_eq!(ok.day, (2026, 3, 5));
        assert_eq!(ok.citizen_id.as_str(), "068190001234");
        // Leading zeros lost in a number cell come back.
        let ok = parse_row(&cols, &row(3, &["", "68190001234", "2026-03-05"]), TODAY).unwrap();
        assert_eq!(ok.citizen_id.as_str(), "068190001234");
        assert_eq!(ok.name, None);
        let errs = parse_row(&cols, &row(4, &["A1", "12345", "31/02/2026"]), TODAY).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs.iter().all(|e| e.line == 4));
        let errs =
            parse_row(&cols, &row(5, &["An", "068190001234", "01/01/2027"]), TODAY).unwrap_err();
        assert!(errs[0].message.contains("chưa tới"), "{errs:?}");
        let errs = parse_row(&cols, &row(6, &["An", "068190001234", "2026"]), TODAY).unwrap_err();
        assert!(errs[0].message.contains("không phải một ngày"), "{errs:?}");
        let errs = parse_row(&cols, &row(7, &["An", "", ""]), TODAY).unwrap_err();
        assert_eq!(errs.len(), 2);
    }
}
