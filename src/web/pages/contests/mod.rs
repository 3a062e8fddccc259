//! Pages of contests (`services::contests`): what everyone sees (`public`: the list, a
//! contest's page, leaderboards), taking part (`play`: joining, starting a round, the entry
//! and its review) and organising (`organise`: new contests and rounds, prizes, awards and the
//! decision files).

pub mod organise;
pub mod play;
pub mod public;

/// A time in Vietnam time, for templates (which pass references).
pub fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    crate::clock::format_date_time(*t)
}

/// One decimal with a Vietnamese comma, for templates.
pub fn dec(x: &f64) -> String {
    crate::services::contests::awards::decimal(*x)
}
