//! Bounds on expensive and abusable work: per-client and per-phone rate limits (token buckets
//! on the injected clock, bounded in memory), and the one semaphore every password hash runs
//! under, sized to the cores, so that a flood of logins cannot push memory past the budget
//! (each argon2id hash takes 19 MiB).
//!
//! Why not the `governor` crate: its limiters keep their own clock, which the tests could not
//! move (DESIGN: inject the clock); a token bucket over a bounded map is forty lines
//! (decision 0009).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::services::Internal;

/// One token bucket per key: `burst` tries at once, refilled at `burst` per `period`.
pub struct RateLimit {
    burst: f64,
    period: Duration,
    buckets: Mutex<HashMap<String, (f64, DateTime<Utc>)>>,
}

/// Keys kept at most per limiter (a flood of made-up phone numbers or addresses cannot grow
/// memory past this; full buckets are forgotten first).
const MAX_KEYS: usize = 100_000;

impl RateLimit {
    pub fn new(burst: u32, period: Duration) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            period,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn per_second(&self) -> f64 {
        self.burst / (self.period.num_milliseconds().max(1) as f64 / 1000.0)
    }

    /// Takes one try for `key`: `Ok` when allowed, else how many seconds until the next try.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let rate = self.per_second();
        let refill = |(tokens, at): (f64, DateTime<Utc>)| {
            let secs = (now - at).num_milliseconds().max(0) as f64 / 1000.0;
            (tokens + secs * rate).min(self.burst)
        };
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            let burst = self.burst;
            buckets.retain(|_, b| refill(*b) < burst);
            if buckets.len() >= MAX_KEYS {
                // Still full of active keys: a flood. Refuse new keys for a moment rather
                // than grow.
                return Err(1);
            }
        }
        let tokens = buckets.get(key).map_or(self.burst, |b| refill(*b));
        if tokens >= 1.0 {
            buckets.insert(key.to_owned(), (tokens - 1.0, now));
            Ok(())
        } else {
            let wait = ((1.0 - tokens) / rate).ceil().max(1.0);
            Err(wait as u64)
        }
    }
}

/// The rate limits of the public forms. Per client address and per phone number; a phone
/// number's limits hold across every client (a distributed guesser is slowed too).
pub struct Limits {
    pub login_client: RateLimit,
    pub login_phone: RateLimit,
    pub register_client: RateLimit,
    /// Text messages (codes) per client and per phone number.
    pub sms_client: RateLimit,
    pub sms_phone: RateLimit,
    /// Codes typed (registration and password reset) per client.
    pub code_client: RateLimit,
    /// Class codes typed and pupils' sign-ins per client (a school's computer room shares one
    /// address; each pupil's number is throttled on its own).
    pub class_client: RateLimit,
    /// Attendance codes typed per person (a guesser of codes is slowed down).
    pub attendance_person: RateLimit,
    /// Registrations and cancellations of class places per person (each is a write and an
    /// audit row: a loop of them is slowed down, a real learner never meets the limit).
    pub place_person: RateLimit,
    /// Forms with a file (imports, evidence, pictures, a credential to check) per person, or
    /// per client for a visitor: each may be megabytes read and stored, so a loop of them is
    /// stopped; no one at work sends 200 files an hour.
    pub upload: RateLimit,
    /// Reminder previews and sends per officer (each counts the people of a unit, up to the
    /// whole province: a loop of them would keep the database busy), and a person's reminder
    /// opt-out switches (each an audit row).
    pub reminder_person: RateLimit,
    /// Previews and changes of a group's required courses per person (each counts every
    /// achievement of the group on a reader: a loop of them would keep the database busy).
    pub requirement_person: RateLimit,
    /// Password hashes running at once, at most (about the number of cores).
    pub hashing: tokio::sync::Semaphore,
    /// Stored files (video, audio, images) being sent at once, at most: each holds one part
    /// ([`hocvuso_db::repo::handbook::MEDIA_PART`]) in memory while it is sent.
    pub media_streams: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Forms with a file a person (or a visitor's client) may send in an hour.
pub const UPLOADS_PER_HOUR: u32 = 200;

/// Reminder previews and sends (or opt-out switches) a person may make in an hour.
pub const REMINDER_FORMS_PER_HOUR: u32 = 60;

/// Files sent at once, at most: 64 × 256 KB = 16 MB of parts in memory.
pub const MEDIA_STREAMS: usize = 64;

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self {
            login_client: RateLimit::new(20, Duration::minutes(1)),
            login_phone: RateLimit::new(10, Duration::minutes(1)),
            register_client: RateLimit::new(10, Duration::hours(1)),
            sms_client: RateLimit::new(10, Duration::hours(1)),
            sms_phone: RateLimit::new(5, Duration::hours(1)),
            code_client: RateLimit::new(20, Duration::minutes(10)),
            class_client: RateLimit::new(120, Duration::minutes(1)),
            attendance_person: RateLimit::new(10, Duration::minutes(1)),
            place_person: RateLimit::new(20, Duration::hours(1)),
            upload: RateLimit::new(UPLOADS_PER_HOUR, Duration::hours(1)),
            reminder_person: RateLimit::new(REMINDER_FORMS_PER_HOUR, Duration::hours(1)),
            requirement_person: RateLimit::new(REMINDER_FORMS_PER_HOUR, Duration::hours(1)),
            hashing: tokio::sync::Semaphore::new(cores),
            media_streams: std::sync::Arc::new(tokio::sync::Semaphore::new(MEDIA_STREAMS)),
        }
    }
}

/// A hash waits this long at most for a free core; then the visitor is asked to try again.
const HASH_WAIT_MS: u64 = 3_000;

impl Limits {
    /// Runs `work` (a password hash) on a blocking thread once a core is free;
    /// [`Internal::Busy`] when none frees up within a few seconds.
    pub async fn hash<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Internal> {
        let permit = tokio::time::timeout(
            std::time::Duration::from_millis(HASH_WAIT_MS),
            self.hashing.acquire(),
        )
        .await
        .map_err(|_| Internal::Busy)?
        .map_err(|_| Internal::Busy)?;
        let out = tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| Internal::Other(e.to_string()))?;
        drop(permit);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn bucket_refills_with_the_clock() {
        let t0 = Utc
            .with_ymd_and_hms(2026, 12, 5, 0, 0, 0)
            .single()
            .unwrap_or_else(|| panic!("date"));
        let limit = RateLimit::new(3, Duration::minutes(1));
        for _ in 0..3 {
            assert_eq!(limit.check("a", t0), Ok(()));
        }
        assert_eq!(limit.check("a", t0), Err(20));
        assert_eq!(limit.check("b", t0), Ok(()), "keys are apart");
        assert_eq!(limit.check("a", t0 + Duration::seconds(20)), Ok(()));
        assert!(limit.check("a", t0 + Duration::seconds(20)).is_err());
    }

    #[test]
    fn memory_is_bounded_under_a_flood_of_keys() {
        let t0 = Utc
            .with_ymd_and_hms(2026, 12, 5, 0, 0, 0)
            .single()
            .unwrap_or_else(|| panic!("date"));
        let limit = RateLimit::new(1, Duration::hours(1));
        let mut refused = 0;
        for i in 0..(MAX_KEYS + 10) {
            if limit.check(&i.to_string(), t0).is_err() {
                refused += 1;
            }
        }
        assert_eq!(refused, 10);
        let kept = limit.buckets.lock().map(|b| b.len()).unwrap_or(0);
        assert!(kept <= MAX_KEYS);
    }
}
