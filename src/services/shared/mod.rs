//! Shared pieces that no single area owns: the group-commit writer, live content replaced
//! whole when authors change it, what every file import shares (the capped error list, the
//! stash between dry run and import), rate limits, Markdown, media checks, evidence files
//! (PDF or photos checked to be what their names say), QR codes, Word documents (`docx`) and
//! text messages (`sms`) and emails (`mail`).

pub mod coalesce;
pub mod docx;
pub mod evidence;
pub mod form;
pub mod imports;
pub mod limits;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod media;
pub mod metrics;
pub mod qr;
pub mod sms;
pub mod versioned;
pub mod writer;
