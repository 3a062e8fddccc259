//! Pure parsers for files hocvuso imports. No IO: callers pass bytes or text.

pub mod archive;
pub mod communes;
pub mod completions;
pub mod denominators;
#[cfg(test)]
mod fuzz;
#[cfg(any(test, feature = "hostile-samples"))]
pub mod fuzz_support;
pub mod geo;
#[cfg(any(test, feature = "hostile-samples"))]
pub mod hostile;
pub mod roster;
pub mod stream;
pub mod table;

/// What is wrong with one line, in Vietnamese (line 0: the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

/// A header cell as the imports match it: folded (no case, no diacritics, `đ` → `d`),
/// punctuation read as spaces, spaces collapsed ("Số CCCD/CMND" → "so cccd cmnd").
pub fn header_key(cell: &str) -> String {
    hocvuso_domain::text::fold(cell)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ways officers head the citizen ID column, as [`header_key`] gives them.
pub const CITIZEN_ID_HEADERS: &[&str] = &[
    "so dinh danh ca nhan",
    "so dinh danh",
    "so cccd",
    "cccd",
    "can cuoc cong dan",
    "so can cuoc",
    "so can cuoc cong dan",
    "so cmnd cccd",
    "ma dinh danh",
];
