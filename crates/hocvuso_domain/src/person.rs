//! A person's identifying fields.

use unicode_normalization::UnicodeNormalization;

/// Why a person's field was rejected. `Display` is the Vietnamese message shown on pages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    #[error("Hãy nhập số điện thoại di động.")]
    PhoneEmpty,
    #[error("Số điện thoại di động gồm 10 chữ số và bắt đầu bằng 03, 05, 07, 08 hoặc 09, ví dụ 0912 345 678.")]
    PhoneInvalid,
    #[error("Hãy nhập họ và tên.")]
    NameEmpty,
    #[error("Họ và tên dài quá 100 ký tự.")]
    NameTooLong,
    #[error("Họ và tên chỉ gồm chữ cái, dấu cách, dấu gạch nối và dấu nháy.")]
    NameInvalid,
    #[error("Hãy nhập năm sinh, ví dụ 1965.")]
    BirthYearEmpty,
    #[error("Năm sinh gồm 4 chữ số, từ 1900 đến {max}.")]
    BirthYearInvalid { max: i32 },
    #[error("Mật khẩu cần ít nhất 8 ký tự.")]
    PasswordTooShort,
    #[error("Mật khẩu dài quá 128 ký tự.")]
    PasswordTooLong,
    #[error("Mật khẩu này quá dễ đoán (nhiều người dùng, hoặc chỉ là dãy số, dãy phím liền nhau). Hãy chọn mật khẩu khác, ví dụ một câu ngắn bạn dễ nhớ.")]
    PasswordCommon,
}

/// A Vietnamese mobile number, stored in one normalised form: `0` followed by 9 digits
/// (e.g. `0912345678`). Accepts `09x…`, `+849x…`, `849x…`, with spaces, dots or dashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

/// Characters that show nothing (zero-width spaces and joiners, the byte-order mark, the soft
/// hyphen): text pasted from Word or a web page carries them, and nobody can see them to remove
/// them, so they are dropped.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

impl PhoneNumber {
    /// Reads a Vietnamese mobile number as people write and paste it: spaces of any kind
    /// (non-breaking ones from Word or a web page too), dots, dashes, brackets and invisible
    /// characters between the digits; `+84` or `84` for the leading 0.
    pub fn parse(input: &str) -> Result<Self, PersonError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PersonError::PhoneEmpty);
        }
        let mut digits = String::with_capacity(12);
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                '.' | '-' | '(' | ')' => {}
                c if c.is_whitespace() || is_invisible(c) => {}
                _ => return Err(PersonError::PhoneInvalid),
            }
        }
        let national = if let Some(rest) = digits.strip_prefix("84") {
            if trimmed.starts_with('+') || digits.len() == 11 {
                format!("0{rest}")
            } else {
                digits
            }
        } else {
            digits
        };
        let valid_prefix = matches!(
            national.as_bytes().get(..2),
            Some(b"03" | b"05" | b"07" | b"08" | b"09")
        );
        if national.len() != 10 || !valid_prefix {
            return Err(PersonError::PhoneInvalid);
        }
        Ok(Self(national))
    }

    /// Trusted value read back from the database.
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A full name, trimmed, inner spaces collapsed, in Unicode NFC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullName(String);

impl FullName {
    pub fn parse(input: &str) -> Result<Self, PersonError> {
        // Most names arrive in NFC already; normalise only when they might not be.
        let nfc: std::borrow::Cow<'_, str> =
            match unicode_normalization::is_nfc_quick(input.chars()) {
                unicode_normalization::IsNormalized::Yes => input.into(),
                _ => input.nfc().collect::<String>().into(),
            };
        let visible: String = nfc.chars().filter(|c| !is_invisible(*c)).collect();
        let collapsed = visible.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(PersonError::NameEmpty);
        }
        if collapsed.chars().count() > 100 {
            return Err(PersonError::NameTooLong);
        }
        if !collapsed
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'' || c == '.')
        {
            return Err(PersonError::NameInvalid);
        }
        Ok(Self(collapsed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A year of birth between 1900 and the current year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BirthYear(i32);

impl BirthYear {
    pub fn parse(input: &str, current_year: i32) -> Result<Self, PersonError> {
        let t = input.trim();
        if t.is_empty() {
            return Err(PersonError::BirthYearEmpty);
        }
        let invalid = PersonError::BirthYearInvalid { max: current_year };
        if t.len() != 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid);
        }
        let y: i32 = t.parse().map_err(|_| invalid.clone())?;
        if !(1900..=current_year).contains(&y) {
            return Err(invalid);
        }
        Ok(Self(y))
    }

    pub fn value(self) -> i32 {
        self.0
    }

    /// Age reached during `year` (Vietnamese records keep only the year).
    pub fn age_in(self, year: i32) -> i32 {
        year - self.0
    }
}

/// Age from which a person belongs to the `adults` group ("độ tuổi trưởng thành", Civil Code).
pub const ADULT_AGE: i32 = 18;

/// A new password as typed. Only its length is checked; it is hashed, never stored.
pub struct Password(String);

impl Password {
    pub fn parse(input: &str) -> Result<Self, PersonError> {
        let n = input.chars().count();
        if n < 8 {
            return Err(PersonError::PasswordTooShort);
        }
        if n > 128 {
            return Err(PersonError::PasswordTooLong);
        }
        if is_common_password(input) {
            return Err(PersonError::PasswordCommon);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Passwords every guessing attacker tries first (`data/common-passwords.txt`).
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// Whether a password is among the first an attacker tries: on the list, one character
/// repeated, a run in counting or keyboard order (`12345678`, `87654321`, `abcdefgh`,
/// `qwertyui`), a phone number, or a short block repeated (`12121212`, `abcabcab`).
/// Compared in lower case without spaces.
pub fn is_common_password(input: &str) -> bool {
    let p: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == p)
    {
        return true;
    }
    let chars: Vec<char> = p.chars().collect();
    if chars.is_empty() {
        return true;
    }
    // A short block repeated (also one character repeated).
    for block in 1..=4 {
        if chars.len() > block
            && chars
                .iter()
                .enumerate()
                .all(|(i, c)| *c == chars[i % block])
        {
            return true;
        }
    }
    // A run in counting or keyboard order, forwards or backwards.
    const ORDERS: [&str; 5] = [
        "01234567890",
        "abcdefghijklmnopqrstuvwxyz",
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm",
    ];
    let in_order = |s: &str| {
        let rev: String = s.chars().rev().collect();
        ORDERS
            .iter()
            .any(|o| o.contains(s) || o.contains(rev.as_str()) || s.contains(o))
    };
    if in_order(&p) {
        return true;
    }
    // A Vietnamese mobile number (someone's own phone is the first guess).
    PhoneNumber::parse(&p).is_ok()
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused() {
        for p in [
            "12345678",
            "123456789",
            "87654321",
            "11111111",
            "12121212",
            "abcdefgh",
            "Qwertyuiop",
            "password",
            "Password1",
            "MatKhau123",
            "anh yeu em",
            "0912345678",
            "hocvuso123",
        ] {
            assert_eq!(
                Password::parse(p).err(),
                Some(PersonError::PasswordCommon),
                "{p}"
            );
        }
        for p in [
            "mat-khau-rat-dai",
            "hocvuso-demo",
            "Trâu ăn cỏ non 1962",
            "xuan huong 24781",
        ] {
            assert!(Password::parse(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn phone_accepts_common_forms_and_normalises() {
        for input in [
            "0912345678",
            "0912 345 678",
            "+84912345678",
            "+84 912 345 678",
            "84912345678",
            "091.234.5678",
            " 0912-345-678 ",
            // Pasted from Word or a web page: non-breaking, narrow and thin spaces, invisible
            // characters.
            "0912\u{a0}345\u{a0}678",
            "0912\u{202f}345\u{2009}678",
            "\u{feff}0912\u{200b}345678",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).map(|p| p.as_str().to_owned()),
                Ok("0912345678".to_owned()),
                "{input}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("0386 123 456").map(|p| p.as_str().to_owned()),
            Ok("0386123456".to_owned())
        );
    }

    #[test]
    fn phone_rejects_bad_input() {
        assert_eq!(PhoneNumber::parse("  "), Err(PersonError::PhoneEmpty));
        for input in [
            "12345",
            "0212345678",
            "09123456789",
            "091234567",
            "09a2345678",
            "+1 912345678",
            "0912+345678",
        ] {
            assert_eq!(
                PhoneNumber::parse(input),
                Err(PersonError::PhoneInvalid),
                "{input}"
            );
        }
    }

    #[test]
    fn invisible_characters_leave_a_name() {
        assert_eq!(
            FullName::parse("Nguyễn\u{200b} Thị\u{a0}Hoa\u{feff}").map(|n| n.as_str().to_owned()),
            Ok("Nguyễn Thị Hoa".to_owned())
        );
        assert_eq!(
            FullName::parse("\u{200b}\u{200d}"),
            Err(PersonError::NameEmpty)
        );
    }

    #[test]
    fn name_is_nfc_and_collapsed() {
        // "Hòa" written with a combining grave accent becomes the precomposed form.
        let decomposed = "  Nguy\u{0065}\u{0302}\u{0303}n   Tho\u{0300}a ";
        let n = FullName::parse(decomposed).map(|n| n.as_str().to_owned());
        assert_eq!(n, Ok("Nguyễn Thòa".to_owned()));
        assert_eq!(FullName::parse(""), Err(PersonError::NameEmpty));
        assert_eq!(FullName::parse("<script>"), Err(PersonError::NameInvalid));
        assert_eq!(
            FullName::parse(&"a".repeat(101)),
            Err(PersonError::NameTooLong)
        );
    }

    #[test]
    fn birth_year_bounds() {
        assert_eq!(BirthYear::parse("1960", 2026).map(|b| b.value()), Ok(1960));
        assert_eq!(BirthYear::parse("", 2026), Err(PersonError::BirthYearEmpty));
        for bad in ["1899", "2027", "60", "19a0", "19600"] {
            assert!(BirthYear::parse(bad, 2026).is_err(), "{bad}");
        }
        assert_eq!(
            BirthYear::parse("2008", 2026).map(|b| b.age_in(2026)),
            Ok(18)
        );
    }

    #[test]
    fn password_length() {
        assert!(Password::parse("hoa-mai").is_err());
        assert!(Password::parse("hoa-mai7").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("bí-mật-lắm").ok()),
            "Some(Password(***))"
        );
    }
}
