//! Pages of the handbook: reading and search (public), authoring (`services::handbook::articles`).

pub mod authoring;
pub mod reading;
