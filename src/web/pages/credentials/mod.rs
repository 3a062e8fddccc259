//! Pages of credentials: the public verify and check pages, the PDF and the signed
//! credential, revocation (`services::credentials`).

pub mod certificate;
