//! Credentials: certificates as printable PDFs and as signed Open Badges 3.0 credentials,
//! their verification (online and offline) and revocation, and the public lookup by code.

pub mod certificates;
pub mod credential;
pub mod lookup;
