//! Pure domain types for hocvuso: parse, don't validate. No IO here.
//!
//! Every constructor takes untrusted input and either returns a value that is valid by
//! construction or an error whose `Display` is a plain Vietnamese sentence that a page can show
//! next to the field.

/// A closed set with stable codes stored in the database and Vietnamese names shown on pages.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal => $vi:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Vietnamese name shown on pages.
            pub fn name_vi(self) -> &'static str {
                match self { $($name::$variant => $vi),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

pub mod audit;
pub mod citizen;
pub mod competence;
pub mod format;
pub mod group;
pub mod mask;
pub mod person;
pub mod text;
pub mod unit;

pub use audit::AuditAction;
pub use citizen::{BirthDate, CitizenError, CitizenId, Gender};
pub use group::{Indicator, Role, TargetGroup};
pub use person::{BirthYear, FullName, Password, PersonError, PhoneNumber};
pub use unit::UnitKind;
