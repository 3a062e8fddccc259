//! People: rosters imported from Excel or CSV, one person's page and data, the org tree the
//! province manages, the community digital technology teams' tools, account recovery,
//! transfers between units, the audit log of who saw or changed personal data, and a school's
//! classes (codes, pupils' sign-in numbers, parents' consents: `classes`).

pub mod audit_log;
pub mod classes;
pub mod org;
pub mod person;
pub mod recovery;
pub mod roster;
pub mod support;
pub mod transfers;
