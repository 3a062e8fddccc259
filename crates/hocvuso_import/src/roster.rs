//! A roster of people (danh sách người học) as officers keep it in Excel: one person per row,
//! under a header row that names the columns. The format is documented in
//! docs/IMPORT_FORMATS.md. This module reads one row into checked values; matching people and
//! units against the database is the service's work.

use hocvuso_domain::text::fold;
use hocvuso_domain::{
    BirthDate, CitizenError, CitizenId, FullName, Gender, PhoneNumber, TargetGroup,
};

use crate::stream::{column_name, Row};
use crate::RowError;

/// The columns of a roster, by position in the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// The header's line number.
    pub line: usize,
    pub name: usize,
    pub birth: usize,
    pub gender: Option<usize>,
    pub phone: Option<usize>,
    pub citizen_id: Option<usize>,
    pub commune: usize,
    pub group: usize,
    pub unit: Option<usize>,
    /// The pupil's class (lớp), for a school's lists.
    pub class: Option<usize>,
    /// Header cells that are not roster columns (kept out of the import, named in the dry run).
    pub ignored: Vec<String>,
}

/// What a header cell means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Birth,
    Gender,
    Phone,
    CitizenId,
    Commune,
    Group,
    Unit,
    Class,
    RowNumber,
}

/// Header words, folded, for each field (what officers write in their own sheets).
fn field_of(header: &str) -> Option<Field> {
    let h = crate::header_key(header);
    let f = match h.as_str() {
        "ho va ten" | "ho ten" | "ho va ten nguoi hoc" => Field::Name,
        "ngay sinh" | "nam sinh" | "ngay thang nam sinh" | "ngay sinh nam sinh" => Field::Birth,
        "gioi tinh" => Field::Gender,
        "so dien thoai" | "dien thoai" | "sdt" | "so dt" => Field::Phone,
        id if crate::CITIZEN_ID_HEADERS.contains(&id) => Field::CitizenId,
        "ma xa" | "ma xa phuong" | "ma xa phuong dac khu" | "ma don vi hanh chinh" => {
            Field::Commune
        }
        "nhom" | "nhom doi tuong" | "doi tuong" => Field::Group,
        "ma don vi" | "ma co quan don vi" | "ma truong" | "ma don vi cong tac" => Field::Unit,
        "lop" | "lop hoc" | "ten lop" | "lop sinh hoat" => Field::Class,
        "stt" | "so thu tu" | "tt" => Field::RowNumber,
        _ => return None,
    };
    Some(f)
}

/// The header's required columns, for messages.
pub const REQUIRED: [&str; 4] = ["Họ và tên", "Ngày sinh", "Mã xã", "Nhóm"];

/// How many rows from the top may come before the header (titles, a blank line).
pub const HEADER_SEARCH_LINES: usize = 20;

/// Looks for the header in a row: `Ok(None)` when the row is not a header at all, an error
/// when it is one (it names people) but lacks a required column or names one twice.
pub fn header(row: &Row) -> Result<Option<Columns>, RowError> {
    let fields: Vec<Option<Field>> = row.cells.iter().map(|c| field_of(c)).collect();
    if !fields.contains(&Some(Field::Name)) {
        return Ok(None);
    }
    let err = |message: String| RowError {
        line: row.line,
        message,
    };
    let find = |f: Field| -> Result<Option<usize>, RowError> {
        let mut at = fields.iter().enumerate().filter(|(_, x)| **x == Some(f));
        let first = at.next().map(|(i, _)| i);
        if let Some((second, _)) = at.next() {
            return Err(err(format!(
                "Cột “{}” (cột {}) và cột “{}” (cột {}) cùng một nghĩa; hãy giữ một cột.",
                row.cells[first.unwrap_or(0)],
                column_name(first.unwrap_or(0) + 1),
                row.cells[second],
                column_name(second + 1)
            )));
        }
        Ok(first)
    };
    let (name, birth, commune, group) = (
        find(Field::Name)?,
        find(Field::Birth)?,
        find(Field::Commune)?,
        find(Field::Group)?,
    );
    let missing: Vec<&str> = [name, birth, commune, group]
        .iter()
        .zip(REQUIRED)
        .filter(|(c, _)| c.is_none())
        .map(|(_, label)| label)
        .collect();
    let (Some(name), Some(birth), Some(commune), Some(group)) = (name, birth, commune, group)
    else {
        return Err(err(format!(
            "Dòng tiêu đề thiếu cột: {}. Hãy dùng tệp mẫu.",
            missing
                .iter()
                .map(|m| format!("“{m}”"))
                .collect::<Vec<_>>()
                .join(", ")
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
        name,
        birth,
        gender: find(Field::Gender)?,
        phone: find(Field::Phone)?,
        citizen_id: find(Field::CitizenId)?,
        commune,
        group,
        unit: find(Field::Unit)?,
        class: find(Field::Class)?,
        ignored,
    }))
}

/// Longest class name (“10A1 chuyên Tin” is 15).
pub const MAX_CLASS_CHARS: usize = 30;

/// The message when no header was found.
pub fn no_header_message() -> String {
    format!(
        "Không thấy dòng tiêu đề trong {HEADER_SEARCH_LINES} dòng đầu. Dòng tiêu đề cần các cột {}, \
         và Số định danh cá nhân hoặc Số điện thoại. Hãy dùng tệp mẫu.",
        REQUIRED.map(|r| format!("“{r}”")).join(", ")
    )
}

/// One person of a roster, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    pub line: usize,
    pub full_name: FullName,
    pub birth: BirthDate,
    pub gender: Option<Gender>,
    pub phone: Option<PhoneNumber>,
    pub citizen_id: Option<CitizenId>,
    pub commune_code: String,
    pub group: TargetGroup,
    /// The unit of the group when it is not the commune itself (an agency, a school …).
    pub unit_code: Option<String>,
    /// A pupil's class at that school (“6A1”), as written.
    pub class_name: Option<String>,
}

/// A group from what officers write: the code, the plan's name, or its usual short forms.
pub fn group_of(text: &str) -> Option<TargetGroup> {
    let text = text.trim();
    if let Some(g) = TargetGroup::from_code(text) {
        return Some(g);
    }
    let g = match fold(text).as_str() {
        "nguoi dan"
        | "nguoi dan truong thanh"
        | "nguoi truong thanh"
        | "nguoi dan trong do tuoi truong thanh" => TargetGroup::Adults,
        "hoc sinh" | "sinh vien" | "hoc sinh sinh vien" | "hoc sinh, sinh vien" => {
            TargetGroup::Students
        }
        "can bo"
        | "cong chuc"
        | "vien chuc"
        | "can bo cong chuc"
        | "can bo, cong chuc"
        | "can bo, cong chuc, vien chuc"
        | "cbccvc"
        | "can bo, cong chuc, vien chuc, nguoi lao dong trong co quan" => TargetGroup::Officials,
        "nguoi lao dong"
        | "cong nhan"
        | "lao dong doanh nghiep"
        | "nguoi lao dong doanh nghiep"
        | "nguoi lao dong trong doanh nghiep, hop tac xa" => TargetGroup::EnterpriseWorkers,
        "doan vien" | "thanh nien" | "doan vien thanh nien" | "doan vien, thanh nien" => {
            TargetGroup::YouthMembers
        }
        "luc luong vu trang" | "llvt" => TargetGroup::ArmedForces,
        _ => return None,
    };
    Some(g)
}

/// Only digits, for numbers Excel may have stored as numbers.
fn digits(s: &str) -> Option<&str> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// Reads one data row. Every problem of the row is returned, each naming its column.
pub fn parse_row(cols: &Columns, row: &Row, current_year: i32) -> Result<RosterRow, Vec<RowError>> {
    let cell = |i: usize| row.cells.get(i).map_or("", |s| s.as_str());
    let mut errors = Vec::new();
    let mut fail = |col: usize, label: &str, message: String| {
        errors.push(RowError {
            line: row.line,
            message: format!("cột {} ({label}): {message}", column_name(col + 1)),
        })
    };
    let full_name = FullName::parse(cell(cols.name))
        .map_err(|e| fail(cols.name, "Họ và tên", e.to_string()))
        .ok();
    let birth = if cell(cols.birth).is_empty() {
        fail(
            cols.birth,
            "Ngày sinh",
            "hãy ghi ngày sinh hoặc năm sinh.".into(),
        );
        None
    } else {
        BirthDate::parse(cell(cols.birth), current_year)
            .map_err(|e| fail(cols.birth, "Ngày sinh", e.to_string()))
            .ok()
    };
    let gender = match cols.gender.map(|c| (c, cell(c))) {
        Some((c, text)) if !text.is_empty() => Gender::parse(text)
            .map_err(|e| fail(c, "Giới tính", e.to_string()))
            .ok(),
        _ => None,
    };
    let phone = match cols.phone.map(|c| (c, cell(c))) {
        Some((c, text)) if !text.is_empty() => {
            // Excel drops the leading 0 of a number typed in a number cell.
            let text = match digits(text) {
                Some(d) if d.len() == 9 => format!("0{d}"),
                _ => text.to_owned(),
            };
            PhoneNumber::parse(&text)
                .map_err(|e| fail(c, "Số điện thoại", e.to_string()))
                .ok()
        }
        _ => None,
    };
    let citizen_id = match cols.citizen_id.map(|c| (c, cell(c))) {
        Some((c, text)) if !text.is_empty() => {
            // Every ID starts with 0 (province codes 001–096): Excel drops it in number cells,
            // so 10 or 11 digits not starting with 0 are read with the zeros put back. When
            // the number so read does not hold together (no such province, another birth
            // year), the cell more likely lacks a digit: say so, not what the padding implies.
            let dropped_zeros = digits(text)
                .filter(|d| matches!(d.len(), 10 | 11) && !d.starts_with('0'))
                .map(str::len);
            let text = match dropped_zeros {
                Some(_) => format!("{text:0>12}"),
                None => text.to_owned(),
            };
            let read = CitizenId::parse(&text).and_then(|id| match birth {
                Some(b) => id.check(b.year, gender).map(|()| id),
                None => Ok(id),
            });
            match (read, dropped_zeros) {
                (Ok(id), _) => Some(id),
                (Err(e), Some(found)) => {
                    let missing = CitizenError::IdLength(found).to_string();
                    let message = match e {
                        // Well formed with the zeros put back, but not this person's.
                        CitizenError::IdYear { .. } | CitizenError::IdGender { .. } => format!(
                            "{missing} Thêm số 0 ở đầu (Excel bỏ mất khi ô là ô số) cũng không khớp: {e}"
                        ),
                        _ => missing,
                    };
                    fail(c, "Số định danh cá nhân", message);
                    None
                }
                (Err(e), None) => {
                    fail(c, "Số định danh cá nhân", e.to_string());
                    // A number that is well formed but disagrees with the birth year or gender
                    // is still this person's key for the other checks.
                    CitizenId::parse(&text).ok()
                }
            }
        }
        _ => None,
    };
    let commune_code = cell(cols.commune).to_owned();
    if commune_code.is_empty() {
        fail(
            cols.commune,
            "Mã xã",
            "hãy ghi mã xã, phường (5 chữ số).".into(),
        );
    }
    let group = group_of(cell(cols.group));
    if group.is_none() {
        fail(
            cols.group,
            "Nhóm",
            if cell(cols.group).is_empty() {
                "hãy ghi nhóm đối tượng (ví dụ Người dân).".to_owned()
            } else {
                format!(
                    "“{}” không phải nhóm nào; ghi một trong: Người dân, Học sinh, Cán bộ, Người lao động, Đoàn viên, Lực lượng vũ trang.",
                    cell(cols.group)
                )
            },
        );
    }
    let unit_code = cols
        .unit
        .map(cell)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    let class_name = cols
        .class
        .map(cell)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    if let (Some(c), Some(class)) = (cols.class, &class_name) {
        if class.chars().count() > MAX_CLASS_CHARS {
            fail(
                c,
                "Lớp",
                format!("tên lớp dài quá {MAX_CLASS_CHARS} ký tự (ví dụ 6A1)."),
            );
        } else if group.is_some_and(|g| g != TargetGroup::Students) {
            fail(
                c,
                "Lớp",
                "chỉ ghi lớp cho học sinh; để trống ô này với nhóm khác.".to_owned(),
            );
        } else if unit_code.is_none() {
            fail(
                c,
                "Lớp",
                "lớp thuộc một trường: hãy ghi Mã đơn vị (mã trường) ở cùng dòng.".to_owned(),
            );
        }
    }
    let has_key = cols.citizen_id.is_some_and(|c| !cell(c).is_empty())
        || cols.phone.is_some_and(|c| !cell(c).is_empty());
    if !has_key {
        errors.push(RowError {
            line: row.line,
            message:
                "cần Số định danh cá nhân hoặc Số điện thoại để nhận ra người này khi nhập lại."
                    .to_owned(),
        });
    }
    match (full_name, birth, group) {
        (Some(full_name), Some(birth), Some(group)) if errors.is_empty() => Ok(RosterRow {
            line: row.line,
            full_name,
            birth,
            gender,
            phone,
            citizen_id,
            commune_code,
            group,
            unit_code,
            class_name,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: usize, cells: &[&str]) -> Row {
        Row {
            line,
            cells: cells.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    fn cols() -> Columns {
        header(&row(
            3,
            &[
                "STT",
                "Họ và tên",
                "Ngày sinh",
                "Giới tính",
                "Số điện thoại",
                "Số CCCD",
                "Mã xã",
                "Nhóm",
                "Ghi chú",
            ],
        ))
        .unwrap_or_else(|e| panic!("{e:?}"))
        .unwrap_or_else(|| panic!("no header"))
    }

    #[test]
    fn finds_the_header_and_its_columns() {
        let c = cols();
        assert_eq!(
            (c.line, c.name, c.birth, c.commune, c.group),
            (3, 1, 2, 6, 7)
        );
        assert_eq!(
            (c.gender, c.phone, c.citizen_id, c.unit),
            (Some(3), Some(4), Some(5), None)
        );
        assert_eq!(c.ignored, vec!["Ghi chú".to_owned()]);
        assert_eq!(header(&row(1, &["DANH SÁCH NGƯỜI HỌC", ""])), Ok(None));
        let err = header(&row(2, &["Họ và tên", "Năm sinh"]))
            .err()
            .map(|e| e.message);
        assert_eq!(
            err.as_deref(),
            Some("Dòng tiêu đề thiếu cột: “Mã xã”, “Nhóm”. Hãy dùng tệp mẫu.")
        );
        assert!(header(&row(
            2,
            &["Họ tên", "Năm sinh", "Ngày sinh", "Mã xã", "Nhóm"]
        ))
        .is_err());
    }

    #[test]
    fn reads_a_good_row_with_excel_number_cells() {
        let r = parse_row(
            &cols(),
            &row(
                4,
                &[
                    "1",
                    " Nguyễn  Thị Hoa",
                    "1962",
                    "Nữ",
                    "912345678",
                    "68162001234",
                    "24781",
                    "Người dân",
                    "",
                ],
            ),
            2026,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(r.full_name.as_str(), "Nguyễn Thị Hoa");
        assert_eq!(
            r.phone.as_ref().map(PhoneNumber::as_str),
            Some("0912345678")
        );
        assert_eq!(
            r.citizen_id.as_ref().map(CitizenId::as_str),
            Some("068162001234")
        );
        assert_eq!(r.group, TargetGroup::Adults);
        assert_eq!(r.gender, Some(Gender::Female));
    }

    #[test]
    fn every_problem_of_a_row_is_named_with_its_column() {
        let errs = parse_row(
            &cols(),
            &row(
                9,
                &[
                    "2",
                    "",
                    "31/02/1990",
                    "Nam",
                    "",
                    "068195001234",
                    "",
                    "Nông dân",
                ],
            ),
            2026,
        )
        .err()
        .unwrap_or_default();
        let messages: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].starts_with("cột B (Họ và tên): "));
        assert!(messages[1].starts_with("cột C (Ngày sinh): Ngày sinh 31/02/1990 không có"));
        assert!(messages[2].starts_with("cột G (Mã xã)"));
        assert!(messages[3].starts_with("cột H (Nhóm): “Nông dân” không phải nhóm nào"));
        assert!(errs.iter().all(|e| e.line == 9));
        // The citizen ID says 1995, a woman; the row says 1962, a man.
        let errs = parse_row(
            &cols(),
            &row(
                10,
                &[
                    "3",
                    "Lê Văn Tám",
                    "1962",
                    "Nam",
                    "",
                    "068195001234",
                    "24781",
                    "adults",
                ],
            ),
            2026,
        )
        .err()
        .unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert!(errs[0]
            .message
            .contains("năm sinh 1995, khác năm sinh 1962"));
        let errs = parse_row(
            &cols(),
            &row(
                11,
                &["4", "Lê Văn Tám", "1962", "Nam", "", "", "24781", "adults"],
            ),
            2026,
        )
        .err()
        .unwrap_or_default();
        assert!(errs[0]
            .message
            .starts_with("cần Số định danh cá nhân hoặc Số điện thoại"));
    }

    #[test]
    fn groups_as_officers_write_them() {
        for g in TargetGroup::ALL {
            assert_eq!(group_of(g.name_vi()), Some(*g), "the plan's own name");
            assert_eq!(group_of(g.code()), Some(*g));
        }
        assert_eq!(group_of("Học sinh, sinh viên"), Some(TargetGroup::Students));
        assert_eq!(group_of("hoc sinh"), Some(TargetGroup::Students));
        assert_eq!(group_of("Cán bộ, công chức"), Some(TargetGroup::Officials));
        assert_eq!(
            group_of("enterprise_workers"),
            Some(TargetGroup::EnterpriseWorkers)
        );
        assert_eq!(group_of("Đoàn viên"), Some(TargetGroup::YouthMembers));
        assert_eq!(group_of("khác"), None);
    }
}
