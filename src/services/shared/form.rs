//! What every area's forms return when the input is wrong: errors attached to fields, in
//! Vietnamese, in form order (the page shows them in the error summary and next to each field).

use crate::services::Internal;

/// Errors attached to form fields (field name, Vietnamese message), in form order.
pub type FieldErrors = Vec<(&'static str, String)>;

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<hocvuso_db::DbErr> for FormError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        FormError::Internal(e.into())
    }
}
