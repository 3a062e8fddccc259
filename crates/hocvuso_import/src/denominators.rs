//! Denominators (số người trong diện, by unit) from a table: a column with the unit's code and
//! a column with the number of people, found by their headers; other columns are ignored.

use hocvuso_domain::text::fold;

use crate::table::Rows;

/// One row to apply: the unit's code and its number of people (`None`: left empty, skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenominatorRow {
    pub line: usize,
    pub code: String,
    pub people: Option<i64>,
}

pub use crate::RowError;

/// Largest number of people in one unit we accept (a typo guard; the whole province is ≈ 4 M).
pub const MAX_PEOPLE: i64 = 5_000_000;

fn is_code_header(h: &str) -> bool {
    matches!(
        h,
        "ma don vi" | "ma" | "ma xa" | "ma dvhc" | "code" | "ma don vi hanh chinh"
    )
}

fn is_people_header(h: &str) -> bool {
    matches!(
        h,
        "so nguoi" | "mau so" | "so luong" | "dan so" | "so nguoi trong dien" | "people"
    )
}

/// A count as people write it: `1234`, `1.234`, `1 234` (not `1,5` or `-3`).
pub fn parse_count(s: &str) -> Option<i64> {
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 12 {
        return None;
    }
    // "1.5" or "12.34" is a decimal, not a thousands separator.
    if s.contains('.') && s.split('.').skip(1).any(|g| g.len() != 3) {
        return None;
    }
    digits.parse().ok()
}

/// Finds the header row (within the first 10 lines) and reads every row below it. Returns the
/// good rows and every error found (an import with any error writes nothing; the caller adds
/// its own checks, such as unknown codes, so that all errors are shown at once).
pub fn parse_denominators(rows: &Rows) -> (Vec<DenominatorRow>, Vec<RowError>) {
    let header = rows.iter().take(10).enumerate().find_map(|(i, r)| {
        let folded: Vec<String> = r.iter().map(|c| fold(c.trim())).collect();
        let code = folded.iter().position(|h| is_code_header(h))?;
        let people = folded.iter().position(|h| is_people_header(h))?;
        Some((i, code, people))
    });
    let Some((header_at, code_col, people_col)) = header else {
        return (Vec::new(), vec![RowError {
            line: 0,
            message: "Không thấy dòng tiêu đề có cột “Mã đơn vị” và cột “Số người”. Hãy dùng tệp mẫu."
                .to_owned(),
        }]);
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    // The line each code was first seen on (a look-up, not a scan of `out`).
    let mut first_line: std::collections::HashMap<String, usize> = Default::default();
    for (i, r) in rows.iter().enumerate().skip(header_at + 1) {
        let line = i + 1;
        let cell = |c: usize| r.get(c).map_or("", |s| s.trim());
        let (code, value) = (cell(code_col), cell(people_col));
        if code.is_empty() && value.is_empty() {
            continue;
        }
        if code.is_empty() {
            errors.push(RowError {
                line,
                message: format!("Dòng {line}: thiếu mã đơn vị."),
            });
            continue;
        }
        let people = if value.is_empty() {
            None
        } else {
            match parse_count(value) {
                Some(n) if n <= MAX_PEOPLE => Some(n),
                Some(_) => {
                    errors.push(RowError {
                        line,
                        message: format!(
                            "Dòng {line}: {value} người là quá lớn cho một đơn vị; hãy kiểm tra lại."
                        ),
                    });
                    continue;
                }
                None => {
                    errors.push(RowError {
                        line,
                        message: format!(
                            "Dòng {line}: “{value}” không phải số người (chỉ ghi số nguyên, ví dụ 1.234)."
                        ),
                    });
                    continue;
                }
            }
        };
        if let Some(first) = first_line.get(code) {
            errors.push(RowError {
                line,
                message: format!(
                    "Dòng {line}: mã {code} đã có ở dòng {first}; mỗi đơn vị chỉ ghi một dòng."
                ),
            });
            continue;
        }
        first_line.insert(code.to_owned(), line);
        out.push(DenominatorRow {
            line,
            code: code.to_owned(),
            people,
        });
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&[&str]]) -> Rows {
        lines
            .iter()
            .map(|l| l.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    }

    #[test]
    fn counts_as_people_write_them() {
        assert_eq!(parse_count("1234"), Some(1234));
        assert_eq!(parse_count("1.234"), Some(1234));
        assert_eq!(parse_count("12 345"), Some(12345));
        assert_eq!(parse_count("1.234.567"), Some(1_234_567));
        assert_eq!(parse_count("1,5"), None);
        assert_eq!(parse_count("1.5"), None);
        assert_eq!(parse_count("-3"), None);
        assert_eq!(parse_count("abc"), None);
    }

    #[test]
    fn finds_the_header_and_reports_every_bad_row() {
        let (ok, none_wrong) = parse_denominators(&rows(&[
            &["Danh sách mẫu số năm 2026"],
            &["STT", "Mã đơn vị", "Tên đơn vị", "Số người"],
            &["1", "22918", "Mũi Né", "12.345"],
            &["2", "24781", "Xuân Hương - Đà Lạt", ""],
            &["", "", "", ""],
        ]));
        assert!(none_wrong.is_empty(), "{none_wrong:?}");
        assert_eq!(
            ok,
            vec![
                DenominatorRow {
                    line: 3,
                    code: "22918".into(),
                    people: Some(12345)
                },
                DenominatorRow {
                    line: 4,
                    code: "24781".into(),
                    people: None
                },
            ]
        );
        let (_, bad) = parse_denominators(&rows(&[
            &["ma don vi", "so nguoi"],
            &["22918", "abc"],
            &["", "5"],
            &["24781", "10"],
            &["24781", "11"],
            &["23272", "99999999"],
        ]));
        let lines: Vec<usize> = bad.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 5, 6], "{bad:?}");
        assert!(bad[0].message.contains("không phải số người"));
        assert!(bad[2].message.contains("đã có ở dòng 4"));
        let (_, none) = parse_denominators(&rows(&[&["a", "b"]]));
        assert_eq!(none[0].line, 0);
    }
}
