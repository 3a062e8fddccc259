//! Shared pieces that no single area owns: the group-commit writer, live content replaced
//! whole when authors change it, rate limits, Markdown, media checks and QR codes.

pub mod limits;
pub mod live;
pub mod markdown;
pub mod media;
pub mod qr;
pub mod stash;
pub mod writer;
