//! Pages of the handbook: reading and search (public), authoring (`services::handbook`).

pub mod authoring;
pub mod reading;
