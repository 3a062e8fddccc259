//! Pages of people: roster imports and transfers, one person's page, the org tree, the
//! community teams' hub and account recovery (`services::people::person`).

pub mod org;
pub mod person;
pub mod recovery;
pub mod roster;
pub mod support;
pub mod transfer;
