//! Pure parsers for files hocvuso imports. No IO: callers pass bytes or text.

pub mod communes;
pub mod denominators;
pub mod geo;
pub mod table;
