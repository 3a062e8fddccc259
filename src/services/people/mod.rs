//! People: rosters imported from Excel or CSV, one person's page and data, the org tree the
//! province manages, the community digital technology teams' tools, account recovery and
//! transfers between units.

pub mod org;
pub mod person;
pub mod recovery;
pub mod roster;
pub mod support;
pub mod transfers;
