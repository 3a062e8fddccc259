//! The handbook (Sổ tay điện tử): articles, their revisions and publishing, votes, and the
//! in-memory search over articles, courses and lessons.

pub mod articles;
pub mod desk;
pub mod search;
