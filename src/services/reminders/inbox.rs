//! A person's own side: the reminders sent to them (their notifications page, read when
//! seen), the choice to receive none, and the address to receive them by email instead of
//! text messages.

use chrono::{DateTime, Utc};
use hocvuso_db::repo::{audit, reminders};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;

use crate::services::runtime::Runtime;
use crate::services::Internal;

/// Notifications shown.
pub const SHOWN: u64 = 50;

/// How long a person's count of new notifications is kept in memory.
const UNREAD_SECONDS: i64 = 60;
/// People whose count is kept at most (then the memory is cleared and refilled).
const UNREAD_PEOPLE: usize = 50_000;

/// The counts of new notifications shown in the header of every page, kept for a minute per
/// person so that pages (the lesson page among them) do not ask the database each time: a
/// reminder shows in the header within a minute, and at once on `/hoc` and `/thong-bao`.
#[derive(Default)]
pub struct UnreadCache {
    counts: std::sync::Mutex<std::collections::HashMap<i64, (u64, i64)>>,
}

impl UnreadCache {
    fn get(&self, person_id: i64, now: i64) -> Option<u64> {
        let counts = self.counts.lock().ok()?;
        counts
            .get(&person_id)
            .filter(|(_, until)| *until > now)
            .map(|(n, _)| *n)
    }

    fn put(&self, person_id: i64, n: u64, now: i64) {
        if let Ok(mut counts) = self.counts.lock() {
            if counts.len() >= UNREAD_PEOPLE {
                counts.clear();
            }
            counts.insert(person_id, (n, now + UNREAD_SECONDS));
        }
    }
}

/// The header's count of new notifications (0 when the database cannot tell: the header
/// never fails a page).
pub async fn unread_for_header(state: &Runtime, person_id: i64) -> u64 {
    let now = state.clock.now().timestamp();
    if let Some(n) = state.unread_notices.get(person_id, now) {
        return n;
    }
    match reminders::unread(state.db.read(), person_id, state.clock.now()).await {
        Ok(n) => {
            state.unread_notices.put(person_id, n, now);
            n
        }
        Err(e) => {
            tracing::warn!("counting new notifications: {e}");
            0
        }
    }
}

/// One notification.
pub struct Notice {
    pub body: String,
    pub at: DateTime<Utc>,
    /// Not seen before this visit.
    pub new: bool,
}

/// A person's notifications page: what was sent to them (newest first), which are new, and
/// whether they stopped reminders. Seeing them marks them read.
pub struct Inbox {
    pub notices: Vec<Notice>,
    pub opted_out: bool,
    /// The address reminders go to by email, if the person gave one.
    pub email: Option<String>,
}

pub async fn open(state: &Runtime, person_id: i64) -> Result<Inbox, Internal> {
    let now = state.clock.now();
    let db = state.db.read();
    let rows = reminders::inbox(db, person_id, now, SHOWN).await?;
    let unread: Vec<i64> = rows
        .iter()
        .filter(|n| n.read_at.is_none())
        .map(|n| n.id)
        .collect();
    reminders::mark_read(state.db.write(), person_id, &unread, now).await?;
    state.unread_notices.put(person_id, 0, now.timestamp());
    Ok(Inbox {
        notices: rows
            .into_iter()
            .map(|n| Notice {
                new: n.read_at.is_none(),
                body: n.body,
                at: n.at,
            })
            .collect(),
        opted_out: reminders::is_opted_out(db, person_id).await?,
        email: reminders::email_of(db, person_id).await?,
    })
}

/// How many notifications the person has not seen (asked of the database, and kept for the
/// header).
pub async fn unread(state: &Runtime, person_id: i64) -> Result<u64, Internal> {
    let now = state.clock.now();
    let n = reminders::unread(state.db.read(), person_id, now).await?;
    state.unread_notices.put(person_id, n, now.timestamp());
    Ok(n)
}

/// Stops (`true`) or restarts (`false`) reminders for this person, recorded in the audit log.
/// Messages already queued are skipped by the sender.
pub async fn set_opt_out(state: &Runtime, person_id: i64, out: bool) -> Result<(), Internal> {
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    reminders::set_opt_out(&txn, person_id, out, now).await?;
    audit::record(
        &txn,
        person_id,
        if out {
            AuditAction::ReminderOptOut
        } else {
            AuditAction::ReminderOptIn
        },
        &person_id.to_string(),
        "",
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets the address this person's reminders go to by email (`Some`, checked: a clear error
/// for one that is not an address) or removes it (`None`: text messages again); recorded in
/// the audit log without the address.
pub async fn set_email(
    state: &Runtime,
    person_id: i64,
    email: Option<&str>,
) -> Result<(), crate::services::shared::form::FormError> {
    use crate::services::shared::form::FormError;
    let email = email.map(str::trim);
    if email.is_some_and(str::is_empty) {
        return Err(FormError::Invalid(vec![(
            "thu",
            "Hãy ghi địa chỉ thư điện tử.".to_owned(),
        )]));
    }
    if let Some(e) = email {
        if !crate::services::shared::mail::valid_address(e) {
            return Err(FormError::Invalid(vec![(
                "thu",
                "Địa chỉ thư điện tử chưa đúng. Ghi như ví dụ: ten@gmail.com".to_owned(),
            )]));
        }
    }
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    reminders::set_email(&txn, person_id, email, now).await?;
    audit::record(
        &txn,
        person_id,
        if email.is_some() {
            AuditAction::ReminderEmailSet
        } else {
            AuditAction::ReminderEmailRemoved
        },
        &person_id.to_string(),
        "",
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await?;
    Ok(())
}
