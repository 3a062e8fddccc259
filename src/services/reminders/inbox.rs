//! A person's own side: the reminders sent to them (their notifications page, read when
//! seen) and the choice to receive none.

use chrono::{DateTime, Utc};
use hocvuso_db::repo::{audit, reminders};
use hocvuso_db::TransactionTrait;

use crate::services::Internal;
use crate::state::AppState;

/// Notifications shown.
pub const SHOWN: u64 = 50;

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
}

pub async fn open(state: &AppState, person_id: i64) -> Result<Inbox, Internal> {
    let now = state.clock.now();
    let db = state.db.read();
    let rows = reminders::inbox(db, person_id, now, SHOWN).await?;
    let unread: Vec<i64> = rows
        .iter()
        .filter(|n| n.read_at.is_none())
        .map(|n| n.id)
        .collect();
    reminders::mark_read(state.db.write(), person_id, &unread, now).await?;
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
    })
}

/// How many notifications the person has not seen.
pub async fn unread(state: &AppState, person_id: i64) -> Result<u64, Internal> {
    Ok(reminders::unread(state.db.read(), person_id, state.clock.now()).await?)
}

/// Stops (`true`) or restarts (`false`) reminders for this person, recorded in the audit log.
/// Messages already queued are skipped by the sender.
pub async fn set_opt_out(state: &AppState, person_id: i64, out: bool) -> Result<(), Internal> {
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    reminders::set_opt_out(&txn, person_id, out, now).await?;
    audit::record(
        &txn,
        person_id,
        if out {
            "reminder_opt_out"
        } else {
            "reminder_opt_in"
        },
        &person_id.to_string(),
        "",
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
