//! A pupil without a phone signs in on a teacher's or a parent's device: the class code the
//! teacher wrote on the board, their name in the class list, and their short sign-in number.
//! Only pupils whose parent's consent is recorded and who have a number are listed; the names
//! are shown as the given name and initials. Wrong numbers are throttled per pupil (a device
//! in a computer room shares its address with the whole class). The session lasts
//! [`PUPIL_SESSION_HOURS`]: long enough for a lesson, short on a shared device.

use chrono::Duration;
use hocvuso_db::repo::{classes, org};

use crate::services::accounts::sign_in::{self, LoginError};
use crate::services::people::classes::{throttle_key, CODE_CHARS};
use crate::services::runtime::Runtime;
use crate::services::Internal;

/// How long a pupil's session lasts.
pub const PUPIL_SESSION_HOURS: i64 = 2;

/// A class opened by its code.
pub struct ClassDoor {
    pub code: String,
    pub school: String,
    pub class: String,
    /// `(person id, name as shown)`, in order of the names shown.
    pub pupils: Vec<(i64, String)>,
}

/// A typed class code as stored: upper-cased, spaces, dashes and dots dropped, cut a little
/// past a code's length (what is longer is no code).
pub fn clean_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .take(CODE_CHARS + 4)
        .flat_map(char::to_uppercase)
        .collect()
}

/// "Nguyễn Văn An" → "An (N. V.)": enough for a child to find their name, not the whole name
/// of every classmate for whoever has the code.
pub fn shown_name(full: &str) -> String {
    let words: Vec<&str> = full.split_whitespace().collect();
    match words.split_last() {
        Some((given, rest)) if !rest.is_empty() => {
            let initials: Vec<String> = rest
                .iter()
                .filter_map(|w| w.chars().next())
                .map(|c| format!("{c}."))
                .collect();
            format!("{given} ({})", initials.join(" "))
        }
        Some((given, _)) => (*given).to_owned(),
        None => String::new(),
    }
}

/// The class a code opens, with the pupils who may sign in; `None` for an unknown code.
pub async fn door(state: &Runtime, typed: &str) -> Result<Option<ClassDoor>, Internal> {
    let code = clean_code(typed);
    if code.len() != CODE_CHARS {
        return Ok(None);
    }
    let db = state.db.read();
    let Some(class) = classes::by_code(db, &code).await? else {
        return Ok(None);
    };
    let school = org::by_id(db, class.unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let mut pupils: Vec<(i64, String)> = classes::pupils(db, class.unit_id, &class.class_name)
        .await?
        .into_iter()
        .filter(|p| p.has_pin && p.parent.is_some())
        .map(|p| (p.person_id, shown_name(&p.full_name)))
        .collect();
    pupils.sort_by(|a, b| hocvuso_domain::text::vietnamese_cmp(&a.1, &b.1));
    Ok(Some(ClassDoor {
        code,
        school,
        class: class.class_name,
        pupils,
    }))
}

/// Checks a pupil's number; returns the raw session id for the cookie. The pupil must be one
/// the class's door (as [`door`] just read it) lists: consent recorded, number set.
pub async fn sign_in(
    state: &Runtime,
    class: &ClassDoor,
    person_id: i64,
    pin: &str,
) -> Result<String, LoginError> {
    // Someone the class's door does not list is refused before any try is counted: a wrong
    // code or id must not lock a pupil out.
    if !class.pupils.iter().any(|(id, _)| *id == person_id) {
        return Err(LoginError::Invalid);
    }
    let found = classes::pin_hash(state.db.read(), person_id)
        .await?
        .map(|h| (person_id, h));
    let pin: String = pin.trim().chars().take(16).collect();
    let id = sign_in::check_throttled(state, &throttle_key(person_id), &pin, found).await?;
    Ok(sign_in::start_session_for(state, id, Duration::hours(PUPIL_SESSION_HOURS)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_as_a_child_types_them() {
        assert_eq!(shown_name("Nguyễn Văn An"), "An (N. V.)");
        assert_eq!(shown_name("  Hờ Thị   Mai "), "Mai (H. T.)");
        assert_eq!(shown_name("Hoa"), "Hoa");
        assert_eq!(clean_code("7kq3-m2xa"), "7KQ3M2XA");
        assert_eq!(clean_code(" 7KQ3 M2XA "), "7KQ3M2XA");
        assert_eq!(clean_code(&"x".repeat(1000)).len(), CODE_CHARS + 4);
    }
}
