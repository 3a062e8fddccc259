//! The citizen identification number (số định danh cá nhân, printed on the CCCD card), gender
//! and birth date, as rosters carry them.
//!
//! The 12 digits are, by Thông tư 07/2016/TT-BCA (amended by Thông tư 59/2021/TT-BCA):
//! 3 digits for the province of birth registration, 1 digit for century and gender, 2 digits
//! for the last two digits of the birth year, then 6 random digits.

/// Why a citizen ID, gender or birth date was rejected; `Display` is the Vietnamese message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CitizenError {
    #[error("Số định danh cá nhân gồm đúng 12 chữ số (ví dụ 068190001234).")]
    IdShape,
    /// Only digits, but not 12 of them: how many are missing or too many.
    #[error("{}", id_length_message(*.0))]
    IdLength(usize),
    #[error("3 chữ số đầu của số định danh ({0}) không phải mã tỉnh, thành phố nào.")]
    IdProvince(String),
    #[error(
        "Số định danh ghi năm sinh {id_year}, khác năm sinh {birth_year} (chữ số thứ 4 đến 6)."
    )]
    IdYear { id_year: i32, birth_year: i32 },
    #[error("Số định danh là của {id_gender}, khác giới tính đã ghi ({gender}) (chữ số thứ 4).")]
    IdGender {
        id_gender: &'static str,
        gender: &'static str,
    },
    #[error("Giới tính ghi là Nam hoặc Nữ.")]
    Gender,
    #[error("Ngày sinh ghi theo dạng ngày/tháng/năm (ví dụ 05/03/1962) hoặc chỉ năm sinh (1962).")]
    BirthShape,
    #[error("Ngày sinh {0} không có trên lịch.")]
    BirthNoSuchDay(String),
    #[error("Năm sinh phải từ 1900 đến {max}.")]
    BirthYearRange { max: i32 },
}

/// What to say of a number of `found` digits where 12 are needed.
fn id_length_message(found: usize) -> String {
    match found {
        9 => "Số này có 9 chữ số: đó là số chứng minh nhân dân cũ. Hãy ghi số định danh cá nhân 12 chữ số (in trên thẻ căn cước).".to_owned(),
        0..=11 => format!(
            "Số định danh cá nhân có {found} chữ số, thiếu {} chữ số: đủ là 12 chữ số (ví dụ 068190001234). Hãy xem lại thẻ căn cước.",
            12 - found
        ),
        _ => format!(
            "Số định danh cá nhân có {found} chữ số, thừa {} chữ số: đủ là 12 chữ số (ví dụ 068190001234). Hãy xem lại thẻ căn cước.",
            found - 12
        ),
    }
}

/// Province codes of birth registration (the 63 provinces before the 2025 merger; numbers
/// already issued keep them).
const PROVINCE_CODES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    /// Accepts "Nam" and "Nữ" in any case, with or without diacritics (also "M"/"F").
    pub fn parse(input: &str) -> Result<Self, CitizenError> {
        match input.trim() {
            "Nam" => return Ok(Gender::Male),
            "Nữ" => return Ok(Gender::Female),
            _ => {}
        }
        match crate::text::fold(input.trim()).as_str() {
            "nam" | "m" | "male" => Ok(Gender::Male),
            "nu" | "f" | "female" => Ok(Gender::Female),
            _ => Err(CitizenError::Gender),
        }
    }

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Gender::Male => "M",
            Gender::Female => "F",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "M" => Some(Gender::Male),
            "F" => Some(Gender::Female),
            _ => None,
        }
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }
}

/// A 12-digit citizen ID whose province code is real. Check it against the birth year and
/// gender with [`CitizenId::check`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CitizenId(String);

impl CitizenId {
    /// Accepts the 12 digits with spaces, dots or dashes between them.
    pub fn parse(input: &str) -> Result<Self, CitizenError> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CitizenError::IdShape);
        }
        if digits.len() != 12 {
            return Err(CitizenError::IdLength(digits.len()));
        }
        let province: u16 = digits[..3].parse().map_err(|_| CitizenError::IdShape)?;
        if !PROVINCE_CODES.contains(&province) {
            return Err(CitizenError::IdProvince(digits[..3].to_owned()));
        }
        Ok(Self(digits))
    }

    /// Trusted value read back from the database.
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as an integer (12 digits fit in a u64), for compact sets of keys.
    pub fn key(&self) -> u64 {
        self.0.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0'))
    }

    /// The gender and the birth year the number encodes.
    pub fn encoded(&self) -> (Gender, i32) {
        let b = self.0.as_bytes();
        let d = i32::from(b[3] - b'0');
        let yy = i32::from(b[4] - b'0') * 10 + i32::from(b[5] - b'0');
        let gender = if d % 2 == 0 {
            Gender::Male
        } else {
            Gender::Female
        };
        (gender, 1900 + (d / 2) * 100 + yy)
    }

    /// Checks the century/gender digit and the year digits against what the row says.
    pub fn check(&self, birth_year: i32, gender: Option<Gender>) -> Result<(), CitizenError> {
        let (id_gender, id_year) = self.encoded();
        if id_year != birth_year {
            return Err(CitizenError::IdYear {
                id_year,
                birth_year,
            });
        }
        match gender {
            Some(g) if g != id_gender => Err(CitizenError::IdGender {
                id_gender: id_gender.name_vi(),
                gender: g.name_vi(),
            }),
            _ => Ok(()),
        }
    }
}

/// A birth date as rosters give it: a whole date, or only the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BirthDate {
    pub year: i32,
    /// `(month, day)` when the day is known.
    pub day: Option<(u32, u32)>,
}

impl BirthDate {
    /// Accepts `dd/mm/yyyy` (also with `-` or `.`), `yyyy-mm-dd` and `yyyy`.
    pub fn parse(input: &str, current_year: i32) -> Result<Self, CitizenError> {
        let s = input.trim();
        let parts: Vec<&str> = s.split(['/', '-', '.']).map(str::trim).collect();
        let num = |p: &str| -> Result<i32, CitizenError> {
            if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(CitizenError::BirthShape);
            }
            p.parse().map_err(|_| CitizenError::BirthShape)
        };
        let (year, day) = match parts.as_slice() {
            [y] if y.len() == 4 => (num(y)?, None),
            [y, m, d] if y.len() == 4 => (num(y)?, Some((num(m)?, num(d)?))),
            [d, m, y] if y.len() == 4 => (num(y)?, Some((num(m)?, num(d)?))),
            _ => return Err(CitizenError::BirthShape),
        };
        if !(1900..=current_year).contains(&year) {
            return Err(CitizenError::BirthYearRange { max: current_year });
        }
        let day = match day {
            None => None,
            Some((m, d)) => {
                let (m, d) = (m as u32, d as u32);
                if !(1..=12).contains(&m) || d == 0 || d > days_in_month(year, m) {
                    return Err(CitizenError::BirthNoSuchDay(s.to_owned()));
                }
                Some((m, d))
            }
        };
        Ok(Self { year, day })
    }

    /// `yyyy-mm-dd`, or `yyyy` when only the year is known (how it is stored).
    pub fn stored(self) -> String {
        match self.day {
            Some((m, d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            None => format!("{:04}", self.year),
        }
    }

    /// `dd/mm/yyyy`, or `yyyy`, as Vietnamese officials write it.
    pub fn display(self) -> String {
        match self.day {
            Some((m, d)) => format!("{d:02}/{m:02}/{:04}", self.year),
            None => format!("{:04}", self.year),
        }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_id_shape_and_province() {
        let id = CitizenId::parse("068 090 001 234").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.as_str(), "068090001234");
        assert_eq!(id.key(), 68_090_001_234);
        assert_eq!(id.encoded(), (Gender::Male, 1990));
        assert_eq!(
            CitizenId::parse("06819000123"),
            Err(CitizenError::IdLength(11))
        );
        assert!(CitizenError::IdLength(11)
            .to_string()
            .contains("có 11 chữ số, thiếu 1 chữ số"));
        assert!(CitizenError::IdLength(9)
            .to_string()
            .contains("chứng minh nhân dân"));
        assert_eq!(CitizenId::parse("06819000123a"), Err(CitizenError::IdShape));
        assert_eq!(
            CitizenId::parse("003190001234"),
            Err(CitizenError::IdProvince("003".into()))
        );
        assert_eq!(
            CitizenId::parse("097190001234"),
            Err(CitizenError::IdProvince("097".into()))
        );
    }

    #[test]
    fn citizen_id_against_birth_year_and_gender() {
        let female_2005 = CitizenId::parse("079305001234").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(female_2005.encoded(), (Gender::Female, 2005));
        assert_eq!(female_2005.check(2005, Some(Gender::Female)), Ok(()));
        assert_eq!(female_2005.check(2005, None), Ok(()));
        assert_eq!(
            female_2005.check(1905, Some(Gender::Female)),
            Err(CitizenError::IdYear {
                id_year: 2005,
                birth_year: 1905
            })
        );
        let err = female_2005
            .check(2005, Some(Gender::Male))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("Số định danh là của Nữ, khác giới tính đã ghi (Nam) (chữ số thứ 4).")
        );
        let male_1962 = CitizenId::parse("068062000001").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(male_1962.encoded(), (Gender::Male, 1962));
    }

    #[test]
    fn gender_words() {
        assert_eq!(Gender::parse("Nữ"), Ok(Gender::Female));
        assert_eq!(Gender::parse(" nu "), Ok(Gender::Female));
        assert_eq!(Gender::parse("NAM"), Ok(Gender::Male));
        assert_eq!(Gender::parse("khác"), Err(CitizenError::Gender));
    }

    #[test]
    fn birth_dates() {
        let d = |s| BirthDate::parse(s, 2026);
        assert_eq!(
            d("05/03/1962"),
            Ok(BirthDate {
                year: 1962,
                day: Some((3, 5))
            })
        );
        assert_eq!(d("1962-03-05"), d("5-3-1962"));
        assert_eq!(d("1962").map(BirthDate::stored), Ok("1962".into()));
        assert_eq!(
            d("29/02/2000").map(BirthDate::display),
            Ok("29/02/2000".into())
        );
        assert!(matches!(
            d("29/02/1900"),
            Err(CitizenError::BirthNoSuchDay(_))
        ));
        assert!(matches!(
            d("31/04/1990"),
            Err(CitizenError::BirthNoSuchDay(_))
        ));
        assert_eq!(d("62"), Err(CitizenError::BirthShape));
        assert_eq!(d("1899"), Err(CitizenError::BirthYearRange { max: 2026 }));
        assert_eq!(d("2027"), Err(CitizenError::BirthYearRange { max: 2026 }));
        assert_eq!(d("năm 1962"), Err(CitizenError::BirthShape));
    }
}
