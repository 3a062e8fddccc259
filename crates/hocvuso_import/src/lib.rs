//! Pure parsers for files hocvuso imports. No IO: callers pass bytes or text.

pub mod communes;
pub mod completions;
pub mod denominators;
pub mod geo;
pub mod roster;
pub mod stream;
pub mod table;

/// What is wrong with one line, in Vietnamese (line 0: the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}
