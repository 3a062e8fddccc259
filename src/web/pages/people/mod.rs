//! Pages of people: roster imports and transfers, one person's page, the org tree, the
//! community teams' hub, account recovery (`services::people::person`), and a school's classes
//! (`classes`).

pub mod classes;
pub mod org;
pub mod person;
pub mod recovery;
pub mod roster;
pub mod support;
pub mod transfer;
