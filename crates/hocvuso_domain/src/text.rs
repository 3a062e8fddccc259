//! Vietnamese text folding: `đ`→`d`, tones and hats removed, case folded. Used to sort and
//! match names the way people type them ("Da Lat" finds "Đà Lạt").

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds Vietnamese text for matching and sorting: `"Phường Xuân Hương"` → `"phuong xuan huong"`.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Vietnamese text without its marks, case kept (`"Đà Lạt"` → `"Da Lat"`): what a text
/// message carries, since one with marks holds 70 characters instead of 160.
pub fn strip_marks(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// Words that carry little meaning in a question ("bạn", "nào", "gì", "chọn tất cả phương án
/// đúng", …), left out when telling whether two questions ask the same thing. Folded.
const QUESTION_STOP_WORDS: &[&str] = &[
    "ban", "nao", "la", "cua", "mot", "nhung", "cac", "khi", "de", "co", "va", "thi", "gi", "nen",
    "lam", "hay", "duoc", "cho", "chon", "tat", "ca", "phuong", "an", "dung", "trong", "tren",
    "nay", "do", "sai", "the", "nhu", "voi", "vao", "ra", "cung", "khong",
];

/// Whether two questions ask nearly the same thing: more than half of their meaningful words
/// (folded, [`QUESTION_STOP_WORDS`] left out) are shared. "Khi trả tiền bằng mã QR, bạn cần
/// kiểm tra gì…" and "Trước khi xác nhận trả tiền bằng mã QR, bạn cần xem lại những gì?" are;
/// two questions on VNeID accounts that ask different things are not.
pub fn near_duplicates(a: &str, b: &str) -> bool {
    let words = |s: &str| -> std::collections::BTreeSet<String> {
        fold(s)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !QUESTION_STOP_WORDS.contains(w))
            .map(str::to_owned)
            .collect()
    };
    let (a, b) = (words(a), words(b));
    let shared = a.intersection(&b).count();
    let all = a.union(&b).count();
    all > 0 && shared * 2 > all
}

/// Class names as schools number them: numbers by their value wherever they stand ("6A2"
/// before "6A10" before "10A1"), the letters between in Vietnamese order.
pub fn class_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut digit = None;
        for (i, c) in s.char_indices() {
            let d = c.is_ascii_digit();
            if digit.is_some_and(|was| was != d) {
                out.push(&s[start..i]);
                start = i;
            }
            digit = Some(d);
        }
        if start < s.len() {
            out.push(&s[start..]);
        }
        out
    }
    let (ra, rb) = (runs(a), runs(b));
    for (x, y) in ra.iter().zip(&rb) {
        let numbers = (x.parse::<u64>(), y.parse::<u64>());
        let order = match numbers {
            (Ok(n), Ok(m)) => n.cmp(&m),
            // A number before letters: "6A" before "Lá".
            (Ok(_), Err(_)) => std::cmp::Ordering::Less,
            (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
            (Err(_), Err(_)) => vietnamese_cmp(x, y),
        };
        if order.is_ne() {
            return order;
        }
    }
    ra.len().cmp(&rb.len()).then_with(|| a.cmp(b))
}

/// Vietnamese alphabetical order, as a Vietnamese reader sorts names: letters first — in the
/// Vietnamese alphabet, where ă, â, đ, ê, ô, ơ, ư are letters of their own (`Hồ` before `Huỳnh`,
/// `Dung` before `Đào`) — then, between words with the same letters, the tones (ngang, huyền,
/// hỏi, ngã, sắc, nặng), then lower case before upper. Compares without allocating (it serves as
/// SQLite's `vi` collation).
pub fn vietnamese_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    letters(a)
        .map(|(l, _)| l)
        .cmp(letters(b).map(|(l, _)| l))
        .then_with(|| letters(a).map(|(_, t)| t).cmp(letters(b).map(|(_, t)| t)))
        .then_with(|| a.cmp(b))
}

/// A sort key in the same order as [`vietnamese_cmp`] (for sorting many names in memory).
pub fn vietnamese_key(s: &str) -> (Vec<u16>, Vec<u8>, String) {
    (
        letters(s).map(|(l, _)| l).collect(),
        letters(s).map(|(_, t)| t).collect(),
        s.to_owned(),
    )
}

/// Each letter of `s` as (its rank in the Vietnamese alphabet, its tone): base letters with
/// their vowel marks folded in; combining tone marks give the tone of the letter they follow.
fn letters(s: &str) -> impl Iterator<Item = (u16, u8)> + '_ {
    let mut chars = s.nfd().peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        let base = c.to_lowercase().next().unwrap_or(c);
        let (mut breve, mut circumflex, mut horn, mut tone) = (false, false, false, 0u8);
        while let Some(&m) = chars.peek() {
            match m {
                '\u{0306}' => breve = true,
                '\u{0302}' => circumflex = true,
                '\u{031B}' => horn = true,
                '\u{0300}' => tone = 1, // huyền
                '\u{0309}' => tone = 2, // hỏi
                '\u{0303}' => tone = 3, // ngã
                '\u{0301}' => tone = 4, // sắc
                '\u{0323}' => tone = 5, // nặng
                m if is_combining_mark(m) => {}
                _ => break,
            }
            chars.next();
        }
        Some((letter_rank(base, breve, circumflex, horn), tone))
    })
}

/// The place of a letter in the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r
/// s t u ư v x y, with f, j, w, z where Latin puts them); digits and spaces before letters,
/// anything else after, in code point order.
fn letter_rank(c: char, breve: bool, circumflex: bool, horn: bool) -> u16 {
    const ALPHABET: [&str; 33] = [
        "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
        "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
    ];
    let letter = match (c, breve, circumflex, horn) {
        ('a', true, _, _) => "ă",
        ('a', _, true, _) => "â",
        ('e', _, true, _) => "ê",
        ('o', _, true, _) => "ô",
        ('o', _, _, true) => "ơ",
        ('u', _, _, true) => "ư",
        ('đ', ..) => "đ",
        _ => "",
    };
    let mut buf = [0u8; 4];
    let text = if letter.is_empty() {
        c.encode_utf8(&mut buf)
    } else {
        letter
    };
    match ALPHABET.iter().position(|l| *l == text) {
        Some(i) => 100 + i as u16,
        None if c.is_whitespace() => 0,
        None if c.is_ascii_digit() => 10 + (c as u16 - '0' as u16),
        None => 200 + (u32::from(c).min(u32::from(u16::MAX) - 200)) as u16,
    }
}

/// Text in Unicode NFC, the one form we store.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_alphabetical_order() {
        let mut names = vec![
            "Huỳnh Văn Nam",
            "Đào Thị Mai",
            "Hồ Thị Lan",
            "Dương Văn Tú",
            "Âu Minh",
            "Ánh Dương",
            "Anh Tuấn",
            "Ông Văn Bảy",
            "Ơn Thị Hà",
            "Ong Văn Ba",
            "Hà Văn An",
            "Hạ Văn An",
            "Hả Văn An",
            "Ha Văn An",
        ];
        names.sort_by(|a, b| vietnamese_cmp(a, b));
        assert_eq!(
            names,
            [
                "Ánh Dương",
                "Anh Tuấn",
                "Âu Minh",
                "Dương Văn Tú",
                "Đào Thị Mai",
                "Ha Văn An",
                "Hà Văn An",
                "Hả Văn An",
                "Hạ Văn An",
                "Hồ Thị Lan",
                "Huỳnh Văn Nam",
                "Ong Văn Ba",
                "Ông Văn Bảy",
                "Ơn Thị Hà",
            ]
        );
        let mut keyed = names.clone();
        keyed.reverse();
        keyed.sort_by_cached_key(|n| vietnamese_key(n));
        assert_eq!(keyed, names, "the key sorts the same way");
        // Composed and decomposed forms have the same letters and tones.
        assert!(letters("Hồ").eq(letters("Ho\u{0302}\u{0300}")));
        assert!(!letters("Hồ").eq(letters("Hổ")));
    }

    #[test]
    fn near_duplicate_questions() {
        assert!(near_duplicates(
            "Khi trả tiền bằng mã QR, bạn cần kiểm tra gì trước khi bấm xác nhận?",
            "Trước khi xác nhận trả tiền bằng mã QR, bạn cần xem lại những gì? Chọn tất cả phương án đúng."
        ));
        assert!(near_duplicates(
            "Dấu hiệu nào cho thấy một cuộc gọi rất có thể là lừa đảo?",
            "Những dấu hiệu nào cho thấy một cuộc gọi tự xưng công an là lừa đảo? Chọn tất cả phương án đúng."
        ));
        assert!(!near_duplicates(
            "Muốn có tài khoản VNeID mức 2, bạn cần làm gì?",
            "Khi bạn đăng ký tài khoản mức 2, cán bộ công an làm gì?"
        ));
        assert!(!near_duplicates(
            "Người xưng là nhân viên ngân hàng gọi điện xin mã OTP để mở khóa tài khoản. Bạn nên làm gì?",
            "Người gọi xưng là nhân viên điện lực, dọa cắt điện và bảo chuyển tiền vào tài khoản cá nhân. Bạn nên làm gì?"
        ));
    }

    #[test]
    fn classes_in_the_order_schools_number_them() {
        let mut classes = vec!["10A1", "6B", "Lá", "6A2", "9A", "6A10", "Chồi"];
        classes.sort_by(|a, b| class_order(a, b));
        assert_eq!(
            classes,
            vec!["6A2", "6A10", "6B", "9A", "10A1", "Chồi", "Lá"]
        );
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(
            fold("Phường Xuân Hương - Đà Lạt"),
            "phuong xuan huong - da lat"
        );
        assert_eq!(fold("ĐẶC KHU PHÚ QUÝ"), "dac khu phu quy");
        // The same word typed in decomposed form folds the same way.
        assert_eq!(fold("Ho\u{300}a"), fold("Hòa"));
        assert_eq!(nfc("Ho\u{300}a"), "Hòa");
    }
}
