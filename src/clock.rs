//! The injected clock. Nothing else reads the system time, so tests can set it.

use std::sync::Mutex;

use chrono::{DateTime, Datelike, Duration, FixedOffset, Offset, Utc};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// The calendar year in Vietnam (UTC+7, no daylight saving), which targets follow.
    fn year(&self) -> i32 {
        vietnam_time(self.now()).year()
    }
}

/// Vietnam's offset from UTC.
pub fn vietnam_time(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| Utc.fix());
    t.with_timezone(&offset)
}

/// The start of a day in Vietnam time, as an instant.
pub fn start_of_vietnam_day(day: chrono::NaiveDate) -> DateTime<Utc> {
    (day.and_time(chrono::NaiveTime::MIN) - chrono::Duration::hours(7)).and_utc()
}

/// `dd/mm/yyyy` in Vietnam time, as officials write dates.
pub fn format_date(t: DateTime<Utc>) -> String {
    vietnam_time(t).format("%d/%m/%Y").to_string()
}

/// A calendar day as `dd/mm/yyyy`.
pub fn format_day(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `dd/mm/yyyy HH:MM` in Vietnam time.
pub fn format_date_time(t: DateTime<Utc>) -> String {
    vietnam_time(t).format("%d/%m/%Y %H:%M").to_string()
}

/// The years a date typed in a form may have: anything else is a typing mistake (and chrono
/// reads a year of any length, whose arithmetic would overflow).
pub const FORM_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Reads `dd/mm/yyyy` as officials write dates (a year in [`FORM_YEARS`]).
pub fn parse_day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%d/%m/%Y")
        .ok()
        .filter(|d| FORM_YEARS.contains(&d.year()))
}

/// Reads `dd/mm/yyyy HH:MM` written in Vietnam time (the forms' format, [`format_date_time`]).
pub fn parse_date_time(s: &str) -> Option<DateTime<Utc>> {
    let t = chrono::NaiveDateTime::parse_from_str(s.trim(), "%d/%m/%Y %H:%M").ok()?;
    if !FORM_YEARS.contains(&t.date().year()) {
        return None;
    }
    Some(start_of_vietnam_day(t.date()) + (t.time() - chrono::NaiveTime::MIN))
}

/// The real clock, to the microsecond: PostgreSQL keeps time to the microsecond, so SQLite is
/// given no finer time than that, and a database moved between the two (`hocvuso db copy`)
/// holds the very same values.
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place that reads the system time"
    )]
    fn now(&self) -> DateTime<Utc> {
        use chrono::SubsecRound;
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that stands still until moved; for tests and reproducible demos.
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        Self(Mutex::new(t))
    }

    pub fn set(&self, to: DateTime<Utc>) {
        if let Ok(mut t) = self.0.lock() {
            *t = to;
        }
    }

    pub fn advance(&self, by: Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|t| *t).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_as_officials_write_them() {
        let d = super::parse_day("05/10/2026");
        assert_eq!(d.map(super::format_day).as_deref(), Some("05/10/2026"));
        assert!(super::parse_day("5/10/2026").is_some());
        assert!(super::parse_day("31/02/2026").is_none());
        assert!(super::parse_day("2026-10-05").is_none());
        assert!(
            super::parse_day("05/10/1999").is_none(),
            "outside the forms' years"
        );
    }

    use super::*;
    use chrono::TimeZone;

    #[test]
    fn vietnam_year_and_date() {
        let t = Utc.with_ymd_and_hms(2025, 12, 31, 18, 30, 0).single();
        let Some(t) = t else { panic!("bad date") };
        let clock = FixedClock::at(t);
        assert_eq!(
            clock.year(),
            2026,
            "18:30 UTC on 31/12 is already 1 January in Vietnam"
        );
        assert_eq!(format_date(t), "01/01/2026");
        clock.advance(Duration::days(-1));
        assert_eq!(clock.year(), 2025);
    }

    #[test]
    fn the_system_clock_keeps_microseconds_as_postgresql_does() {
        let now = SystemClock.now();
        assert_eq!(now.timestamp_subsec_nanos() % 1_000, 0, "{now:?}");
    }
}
