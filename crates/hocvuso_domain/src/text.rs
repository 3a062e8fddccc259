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

/// Text in Unicode NFC, the one form we store.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
