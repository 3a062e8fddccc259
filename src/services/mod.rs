//! Use cases that span several tables, grouped by area. Handlers call these; these call the
//! repositories. Each area (`accounts`, `credentials`, `handbook`, `honours`, `learning`, `monitoring`,
//! `people`, `training`) has the same folder under `web/pages/` and `templates/`; `shared` holds the pieces
//! no single area owns and `setup` what an installation is made from (seed, demo, bench
//! fixtures). See docs/ARCHITECTURE.md for who may call whom.

pub mod accounts;
pub mod contests;
pub mod credentials;
pub mod handbook;
pub mod honours;
pub mod learning;
pub mod monitoring;
pub mod news;
pub mod people;
pub mod plan;
pub mod reminders;
pub mod runtime;
pub mod setup;
pub mod shared;
pub mod training;

/// A failure the user cannot fix (logged, shown as a generic error page).
#[derive(Debug, thiserror::Error)]
pub enum Internal {
    #[error("database: {0}")]
    Db(#[from] hocvuso_db::DbErr),
    #[error("{0}")]
    Other(String),
    /// Every core is busy with bounded work (password hashing): the visitor is asked to try
    /// again in a few seconds (503 with `Retry-After`).
    #[error("busy")]
    Busy,
}

/// Compares two strings without stopping at the first difference (tokens, code hashes).
pub fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::RngCore;
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// The bytes written as hex by [`hex`] (either case); `None` for anything else.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    // `from_str_radix` alone would take a leading '+'.
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_round_trips_and_bad_hex_is_refused() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(super::hex(&bytes), "0001abff");
        assert_eq!(super::unhex("0001abff").as_deref(), Some(&bytes[..]));
        assert_eq!(super::unhex("0001ABFF").as_deref(), Some(&bytes[..]));
        assert_eq!(super::unhex(""), Some(Vec::new()));
        for bad in ["0", "0g", "abc", "+1", "é1"] {
            assert_eq!(super::unhex(bad), None, "{bad}");
        }
    }
}
