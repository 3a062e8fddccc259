//! Masking of personal data for lists and public pages (Decree 13/2023/NĐ-CP).

/// `0912345678` → `0912***678`.
pub fn phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() < 7 {
        return "***".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}***{tail}")
}

/// `068190001234` → `********1234` (the last four digits, as banks show them).
pub fn citizen_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 8 {
        return "***".to_owned();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{}{tail}", "*".repeat(chars.len() - 4))
}

/// Keeps the given name (last word) and the first letter of the other words:
/// `Nguyễn Thị Hoa` → `N. T. Hoa`. The public certificate page shows only this.
pub fn full_name(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_last() {
        None => String::new(),
        Some((last, rest)) => {
            let mut out = String::new();
            for w in rest {
                if let Some(c) = w.chars().next() {
                    out.push(c);
                    out.push_str(". ");
                }
            }
            out.push_str(last);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::phone("0912345678"), "0912***678");
        assert_eq!(super::phone("12"), "***");
        assert_eq!(super::citizen_id("068190001234"), "********1234");
        assert_eq!(super::citizen_id("123"), "***");
        assert_eq!(super::full_name("Nguyễn Thị Hoa"), "N. T. Hoa");
        assert_eq!(super::full_name("Đặng Văn Ánh"), "Đ. V. Ánh");
        assert_eq!(super::full_name("Hoa"), "Hoa");
    }
}
