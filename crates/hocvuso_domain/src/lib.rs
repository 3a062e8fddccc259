//! Pure domain types for hocvuso: parse, don't validate. No IO here.
//!
//! Every constructor takes untrusted input and either returns a value that is valid by
//! construction or an error whose `Display` is a plain Vietnamese sentence that a page can show
//! next to the field.

pub mod citizen;
pub mod competence;
pub mod format;
pub mod group;
pub mod mask;
pub mod person;
pub mod text;

pub use citizen::{BirthDate, CitizenError, CitizenId, Gender};
pub use group::{Indicator, Role, TargetGroup};
pub use person::{BirthYear, FullName, Password, PersonError, PhoneNumber};
