//! The attendance code of a session: 6 characters that change every [`SECONDS`] seconds,
//! made from the session's secret (never sent to a browser) and the time window. A code is
//! accepted in its own window and the one after (a learner who scans at the last second).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// How long one code lasts.
pub const SECONDS: i64 = 30;
/// Letters and digits that cannot be mistaken for each other (no I, L, O, 0, 1).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const LEN: usize = 6;

fn window(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(SECONDS)
}

fn code_at(secret: &str, window: i64) -> String {
    let h = Sha256::digest(format!("hocvuso-attendance:{secret}:{window}").as_bytes());
    h.iter()
        .take(LEN)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// The code shown now.
pub fn current(secret: &str, now: DateTime<Utc>) -> String {
    code_at(secret, window(now))
}

/// Seconds until the code shown now changes.
pub fn seconds_left(now: DateTime<Utc>) -> i64 {
    SECONDS - now.timestamp().rem_euclid(SECONDS)
}

/// A code as typed: capitals, without spaces or dashes.
pub fn normalise(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether `typed` (normalised) is this session's code now or just before.
pub fn matches(secret: &str, typed: &str, now: DateTime<Utc>) -> bool {
    let w = window(now);
    [w, w - 1]
        .into_iter()
        .any(|w| crate::services::same_text(&code_at(secret, w), typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_lasts_its_window_and_the_next_only() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let code = current("bi-mat", t0);
        assert_eq!(code.len(), LEN);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        assert!(matches("bi-mat", &code, t0));
        assert!(matches(
            "bi-mat",
            &code,
            t0 + chrono::Duration::seconds(SECONDS)
        ));
        assert!(!matches(
            "bi-mat",
            &code,
            t0 + chrono::Duration::seconds(2 * SECONDS)
        ));
        assert!(!matches("khac", &code, t0), "another session's code");
        assert_eq!(normalise(" ab-c d "), "ABCD");
        assert_ne!(
            current("bi-mat", t0),
            current("bi-mat", t0 + chrono::Duration::seconds(SECONDS))
        );
    }
}
