//! The sender: every second each server process claims the messages that are due (at most
//! `[sms] per_second` text messages and `[email] per_second` emails, through
//! `dialect::claim_outbox`, so that two processes never take the same one), sends them through
//! the SMS gateway or the SMTP relay ([`SIDE_BY_SIDE`] at a time) and writes how each went:
//! sent; tried again later with a growing wait (1, 2, 4, 8 minutes) when the gateway or relay
//! fails; failed for good after [`MAX_TRIES`]; skipped when the person has no phone (or removed
//! their email) or stopped reminders after it was queued. No text message leaves between
//! 21:00 and 07:00 (Vietnam time): they wait for the morning; emails go at any hour. A
//! process killed mid-send leaves its messages claimed for [`LEASE_SECONDS`]; then any process
//! queues them again (`release_expired`). The gateway is given each message's id as its
//! idempotency key, so a message sent again after a crash reaches the phone once when the
//! gateway honours the key; an email carries it as its `Message-ID`, the same on every try.

use chrono::{DateTime, Duration, Timelike, Utc};
use hocvuso_db::repo::reminders;

use futures_util::future::BoxFuture;

use crate::services::runtime::Runtime;
use crate::services::shared::mail::Mail;
use crate::services::shared::sms::Sms;
use crate::services::Internal;

/// How long a claim holds before another process may take the message again.
pub const LEASE_SECONDS: i64 = 120;
/// Messages a process has in flight to the gateway at once.
pub const SIDE_BY_SIDE: usize = 16;
/// Tries before a message is given up.
pub const MAX_TRIES: i32 = 5;
/// No text messages from this hour (Vietnam time) …
pub const QUIET_FROM: u32 = 21;
/// … until this one.
pub const QUIET_UNTIL: u32 = 7;

/// Whether `t` falls in the quiet hours (`kept`: `[sms] quiet_hours`, on unless a test or a
/// benchmark turns it off).
pub fn quiet(kept: bool, t: DateTime<Utc>) -> bool {
    let hour = crate::clock::vietnam_time(t).hour();
    kept && !(QUIET_UNTIL..QUIET_FROM).contains(&hour)
}

/// When a text message due at `t` may go: `t`, or 07:00 after the quiet hours it falls in.
pub fn after_quiet_hours(kept: bool, t: DateTime<Utc>) -> DateTime<Utc> {
    if !quiet(kept, t) {
        return t;
    }
    let local = crate::clock::vietnam_time(t);
    let day = if local.hour() >= QUIET_FROM {
        local.date_naive() + Duration::days(1)
    } else {
        local.date_naive()
    };
    day.and_hms_opt(QUIET_UNTIL, 0, 0)
        .map(|n| n.and_utc() - Duration::hours(7))
        .unwrap_or(t)
}

/// The wait before try `attempts + 1`: 1, 2, 4, 8 … minutes.
pub fn backoff(attempts: i32) -> Duration {
    Duration::minutes(1_i64 << attempts.clamp(1, 10).saturating_sub(1))
}

/// What one round of the sender did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Messages another process had claimed first (its claim ran out meanwhile).
    pub lost: usize,
}

/// One round: frees claims that ran out, then claims and sends the messages that are due
/// (when a reader sees none of either, nothing is written):
/// up to `[email] per_second` emails, and (outside the quiet hours) up to `[sms] per_second`
/// text messages.
pub async fn round(state: &Runtime) -> Result<Round, Internal> {
    let now = state.clock.now();
    let mut out = Round::default();
    // Asked of a reader first: an idle sender (most seconds of most days) writes nothing.
    let due = reminders::due(state.db.read(), now).await?;
    let db = state.db.write();
    if due.expired {
        reminders::release_expired(db, now).await?;
    }
    let lease = now + Duration::seconds(LEASE_SECONDS);
    let mut claimed = Vec::new();
    if due.email || due.expired {
        claimed = hocvuso_db::dialect::claim_outbox(
            db,
            now,
            lease,
            reminders::BY_EMAIL,
            u64::from(state.config.email_per_second),
        )
        .await?;
    }
    if (due.sms || due.expired) && !quiet(state.config.sms_quiet_hours, now) {
        claimed.extend(
            hocvuso_db::dialect::claim_outbox(
                db,
                now,
                lease,
                reminders::BY_SMS,
                u64::from(state.config.sms_per_second),
            )
            .await?,
        );
    }
    if claimed.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = claimed.iter().map(|c| c.id).collect();
    let deliveries = reminders::deliveries(db, &ids).await?;
    let site = state.config.site_url();
    // Each message's send as an owned future (the gateway's or relay's part runs when
    // awaited), at most SIDE_BY_SIDE of them in flight at once; a message with nowhere to go
    // is skipped with the reason.
    let sends: Vec<_> = claimed
        .iter()
        .map(|c| {
            let d = deliveries.iter().find(|d| d.id == c.id);
            let sending: BoxFuture<'static, Outcome> = match (d, c.channel.as_str()) {
                (None, _) => ready(Outcome::Tried(Err("tin nhắn không còn".to_owned()))),
                (Some(d), _) if d.opted_out => {
                    ready(Outcome::Skipped("Người nhận đã chọn không nhận lời nhắc"))
                }
                (Some(d), reminders::BY_EMAIL) => match &d.email {
                    None => ready(Outcome::Skipped(
                        "Người nhận đã bỏ địa chỉ thư: chỉ báo trên trang Thông báo của người nhận",
                    )),
                    Some(to) => tried(state.mail.send(Mail {
                        to: to.clone(),
                        subject: super::compose::EMAIL_SUBJECT.to_owned(),
                        text: super::compose::email_text(&d.body, &site),
                        id: format!("hocvuso-{}", c.id),
                        date: now,
                    })),
                },
                (Some(d), _) => match &d.phone {
                    None => ready(Outcome::Skipped(
                        "Không có số điện thoại: chỉ báo trên trang Thông báo của người nhận",
                    )),
                    Some(phone) => tried(state.sms.send(Sms {
                        phone: phone.clone(),
                        text: super::compose::sms_text(&d.body),
                        key: format!("hocvuso-{}", c.id),
                    })),
                },
            };
            let id = c.id;
            async move { (id, sending.await) }
        })
        .collect();
    // Each outcome is written as soon as its send ends, so that a process killed mid-round
    // leaves claimed-but-handed-over only the messages in flight (at most SIDE_BY_SIDE), not
    // the round's whole claim.
    let mut done =
        futures_util::StreamExt::buffer_unordered(futures_util::stream::iter(sends), SIDE_BY_SIDE);
    while let Some((id, outcome)) = futures_util::StreamExt::next(&mut done).await {
        let Some(c) = claimed.iter().find(|c| c.id == id) else {
            continue;
        };
        let done_at = state.clock.now();
        let kept = match outcome {
            Outcome::Tried(Ok(())) => {
                out.sent += 1;
                reminders::finish(db, c.id, reminders::SENT, None, done_at).await?
            }
            Outcome::Skipped(why) => {
                out.skipped += 1;
                reminders::finish(db, c.id, reminders::SKIPPED, Some(why), done_at).await?
            }
            Outcome::Tried(Err(e)) if c.attempts >= MAX_TRIES => {
                out.failed += 1;
                let why = format!("Đã thử {} lần; lần cuối: {e}", c.attempts);
                reminders::finish(db, c.id, reminders::FAILED, Some(&why), done_at).await?
            }
            Outcome::Tried(Err(e)) => {
                out.retried += 1;
                let next = done_at + backoff(c.attempts);
                let next = if c.channel == reminders::BY_SMS {
                    after_quiet_hours(state.config.sms_quiet_hours, next)
                } else {
                    next
                };
                reminders::retry_later(db, c.id, &e, next).await?
            }
        };
        if !kept {
            out.lost += 1;
        }
    }
    state
        .metrics
        .messages(out.sent, out.retried, out.failed, out.skipped);
    Ok(out)
}

/// How one claimed message went.
enum Outcome {
    /// Handed to the gateway or relay, or refused by it (why).
    Tried(Result<(), String>),
    /// Nowhere to send it (why, for the delivery log).
    Skipped(&'static str),
}

fn ready(o: Outcome) -> BoxFuture<'static, Outcome> {
    Box::pin(std::future::ready(o))
}

fn tried(send: BoxFuture<'static, Result<(), String>>) -> BoxFuture<'static, Outcome> {
    Box::pin(async move { Outcome::Tried(send.await) })
}

/// How many messages wait and are being sent, over every process (for `/metrics`).
pub async fn queue_depth(state: &Runtime) -> Result<(u64, u64), Internal> {
    Ok(reminders::queue_depth(state.db.read()).await?)
}

/// How often a process looks for messages that are due.
const EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// How often it looks for weekly reminders whose time has come (in rounds).
const SCHEDULES_EVERY: u64 = 30;

/// Starts the sender and the weekly reminders in this process (the web server starts it).
/// Ends when the app state is dropped.
pub fn spawn(state: Runtime) {
    let weak = state.downgrade();
    drop(state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut rounds: u64 = 0;
        loop {
            tick.tick().await;
            let Some(state) = weak.upgrade() else {
                break;
            };
            rounds += 1;
            if rounds % SCHEDULES_EVERY == 1 {
                if let Err(e) = super::schedules::run_due(&state).await {
                    tracing::warn!("weekly reminders: {e}");
                }
            }
            if let Err(e) = round(&state).await {
                tracing::warn!("sending reminders: {e}");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::{after_quiet_hours, backoff, quiet};

    #[test]
    fn quiet_hours_are_vietnam_time() {
        // 14:00 UTC is 21:00 in Vietnam: quiet; 23:59 UTC is 06:59: quiet; 00:00 UTC 07:00.
        let at = |h, m| {
            Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0)
                .single()
                .unwrap_or_default()
        };
        assert!(!quiet(true, at(13, 59)));
        assert!(quiet(true, at(14, 0)));
        assert!(!quiet(false, at(14, 0)), "turned off");
        assert!(quiet(true, at(23, 59)));
        assert!(!quiet(
            true,
            Utc.with_ymd_and_hms(2026, 12, 8, 0, 0, 0)
                .single()
                .unwrap_or_default()
        ));
        // 21:30 Vietnam → 07:00 the next day (00:00 UTC on the 8th).
        assert_eq!(
            after_quiet_hours(true, at(14, 30)),
            Utc.with_ymd_and_hms(2026, 12, 8, 0, 0, 0)
                .single()
                .unwrap_or_default()
        );
        // 05:00 Vietnam on the 8th (22:00 UTC on the 7th) → 07:00 on the 8th.
        assert_eq!(
            after_quiet_hours(true, at(22, 0)),
            Utc.with_ymd_and_hms(2026, 12, 8, 0, 0, 0)
                .single()
                .unwrap_or_default()
        );
        assert_eq!(after_quiet_hours(true, at(3, 0)), at(3, 0));
        assert_eq!(backoff(1).num_minutes(), 1);
        assert_eq!(backoff(4).num_minutes(), 8);
    }
}
