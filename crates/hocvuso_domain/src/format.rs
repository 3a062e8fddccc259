//! Numbers and percentages as Vietnamese officials write them: `1.234.567`, `12,5%`.

/// Thousands separated by dots.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A share in tenths of a percent with a decimal comma, e.g. `12,5%`.
/// `None` when the denominator is zero or unknown.
pub fn percent(part: i64, whole: i64) -> Option<String> {
    if whole <= 0 {
        return None;
    }
    let tenths = (part as i128 * 1000 + whole as i128 / 2) / whole as i128;
    Some(format!("{},{}%", number((tenths / 10) as i64), tenths % 10))
}

/// Tenths of a percent (for sorting and colouring), `None` without a denominator.
pub fn per_mille(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    Some(((part as i128 * 1000 + whole as i128 / 2) / whole as i128) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1000), "1.000");
        assert_eq!(number(1234567), "1.234.567");
        assert_eq!(number(-45000), "-45.000");
    }

    #[test]
    fn percents() {
        assert_eq!(percent(1, 8), Some("12,5%".to_owned()));
        assert_eq!(percent(2, 3), Some("66,7%".to_owned()));
        assert_eq!(percent(5, 0), None);
        assert_eq!(percent(12000, 10000), Some("120,0%".to_owned()));
        assert_eq!(per_mille(1, 3), Some(333));
    }
}
