//! Certificate codes: making them, and finding a certificate by the code someone types on the
//! public lookup page or follows from a printed QR code (the holder's name masked).

use hocvuso_db::repo::{learning, people};

use crate::services::runtime::Runtime;
use crate::services::Internal;

pub use learning::{Certificate, Course};

/// 160 random bits in Crockford base32: unguessable, unambiguous when read aloud or typed.
pub fn certificate_code() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let bytes = crate::services::random_bytes::<20>();
    let mut bits: u64 = 0;
    let mut n = 0;
    let mut out = String::with_capacity(32);
    for b in bytes {
        bits = (bits << 8) | u64::from(b);
        n += 8;
        while n >= 5 {
            n -= 5;
            out.push(ALPHABET[((bits >> n) & 31) as usize] as char);
        }
    }
    out
}

pub struct PublicCertificate {
    pub code: String,
    pub masked_name: String,
    pub course_title: String,
    pub issued_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoke_reason: Option<String>,
    /// Whether the province published the reason (else only the owner and the province see it).
    pub revoke_reason_public: bool,
    /// Whose it is (never shown; lets the owner see the download links).
    pub person_id: i64,
    /// The full name, for the owner's own eyes only.
    pub full_name: String,
}

/// What a code typed on the lookup page names.
pub enum TypedCode {
    /// The certificate's whole code (to open its page).
    Found(String),
    /// A short code whose check character does not match: a character was mistyped.
    Mistyped,
    /// Nothing has this code.
    Unknown,
}

/// Resolves a code typed on the lookup page: a short code (`7K3M-PQX9-T2AB`, as printed) or
/// the whole code of a link.
pub async fn find_typed_code(state: &Runtime, typed: &str) -> Result<TypedCode, Internal> {
    use crate::services::credentials::credential::parse_short_code;
    match parse_short_code(typed) {
        Some(Err(())) => Ok(TypedCode::Mistyped),
        Some(Ok(prefix)) => {
            let found = learning::certificates_by_prefix(state.db.read(), &prefix).await?;
            Ok(match found.as_slice() {
                [one] => TypedCode::Found(one.code.clone()),
                _ => TypedCode::Unknown,
            })
        }
        None => {
            let whole = crate::services::credentials::credential::clean_code(typed);
            Ok(
                match learning::certificate_by_code(state.db.read(), &whole).await? {
                    Some(c) => TypedCode::Found(c.code),
                    None => TypedCode::Unknown,
                },
            )
        }
    }
}

/// A certificate as the public verify page shows it (name masked).
pub async fn public_certificate(
    state: &Runtime,
    code: &str,
) -> Result<Option<PublicCertificate>, Internal> {
    let db = state.db.read();
    let Some(c) = learning::certificate_by_code(db, code).await? else {
        return Ok(None);
    };
    let person = people::person_by_id(db, c.person_id).await?;
    let catalog = state.catalog.current();
    let course = catalog.by_id(c.course_id).map(|k| &k.course);
    let (Some(person), Some(course)) = (person, course) else {
        return Ok(None);
    };
    Ok(Some(PublicCertificate {
        code: c.code,
        masked_name: hocvuso_domain::mask::full_name(&person.full_name),
        course_title: course.title.clone(),
        issued_at: c.issued_at,
        revoked_at: c.revoked_at,
        revoke_reason: c.revoke_reason,
        revoke_reason_public: c.revoke_reason_public,
        person_id: c.person_id,
        full_name: person.full_name,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn certificate_codes_are_long_and_distinct() {
        let a = super::certificate_code();
        let b = super::certificate_code();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() && !"ilou".contains(c)));
    }
}
