//! Content kept in memory and replaced whole when authors change it: the curriculum
//! ([`Catalog`](crate::services::learning::catalog::Catalog)) and the handbook. Each has a version string in the
//! `setting` table that every change rewrites in its own transaction. The process that made
//! the change rebuilds its copy and [`announce`]s it (PostgreSQL `NOTIFY hocvuso_content`);
//! every other server process hears it and rebuilds at once, and also compares the versions
//! every [`REFRESH_EVERY`] in case a notice was lost (or on SQLite, where there is no one to
//! tell).

use std::sync::{Arc, Mutex, RwLock};

use hocvuso_db::repo::settings;
use hocvuso_db::{ConnectionTrait, DbErr};

use crate::state::AppState;

/// The content version stored under `key` (empty before the first change).
pub async fn stored_version<C: ConnectionTrait>(conn: &C, key: &str) -> Result<String, DbErr> {
    Ok(settings::get(conn, key).await?.unwrap_or_default())
}

/// Marks the content under `key` changed (call inside the transaction that changes it).
pub async fn mark_changed<C: ConnectionTrait>(conn: &C, key: &str) -> Result<(), DbErr> {
    settings::set(
        conn,
        key,
        &crate::services::hex(&crate::services::random_bytes::<8>()),
    )
    .await
}

/// How often a server checks whether another process changed the curriculum or the handbook.
pub const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// One piece of content in memory with the version it was built from. Readers take an
/// `Arc` of the current copy and keep it for their request; a rebuild swaps in a new one.
pub struct Live<T> {
    current: RwLock<Arc<T>>,
    version: Mutex<String>,
}

impl<T> Live<T> {
    pub fn new(value: T, version: String) -> Self {
        Live {
            current: RwLock::new(Arc::new(value)),
            version: Mutex::new(version),
        }
    }

    pub fn current(&self) -> Arc<T> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn replace(&self, value: T, version: String) {
        match self.current.write() {
            Ok(mut g) => *g = Arc::new(value),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(value),
        }
        match self.version.lock() {
            Ok(mut v) => *v = version,
            Err(poisoned) => *poisoned.into_inner() = version,
        }
    }

    pub fn version(&self) -> String {
        match self.version.lock() {
            Ok(v) => v.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// The `setting` under which the next housekeeping's time is kept.
const HOUSEKEEPING_DUE: &str = "housekeeping_due";
/// How often the housekeeping runs (in one process of all those on the database).
const HOUSEKEEPING_EVERY: i64 = 3600;

/// Forgets the failed logins of clients not seen for two days and deletes the sessions that
/// have expired — in whichever server process claims it first this hour
/// (`repo::settings::claim_due`); the others skip it.
async fn housekeeping(state: &AppState) {
    let now = state.clock.now();
    let due = hocvuso_db::repo::settings::claim_due(
        state.db.write(),
        HOUSEKEEPING_DUE,
        now.timestamp(),
        now.timestamp() + HOUSEKEEPING_EVERY,
    )
    .await;
    match due {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::warn!("claiming the housekeeping: {e}");
            return;
        }
    }
    let before = now - chrono::Duration::days(2);
    if let Err(e) = hocvuso_db::repo::people::forget_login_tries(state.db.write(), before).await {
        tracing::warn!("forgetting old login tries: {e}");
    }
    if let Err(e) = hocvuso_db::repo::people::delete_expired_sessions(state.db.write(), now).await {
        tracing::warn!("deleting expired sessions: {e}");
    }
}

/// The channel on which a process tells the others that authors changed the content.
const CONTENT_CHANNEL: &str = "hocvuso_content";

/// Tells the other server processes that the curriculum or the handbook changed (after the
/// change is committed). If the notice cannot be sent they still see it within
/// [`REFRESH_EVERY`] (logged).
pub async fn announce(state: &AppState) {
    if let Err(e) = state.db.notify(CONTENT_CHANNEL, "").await {
        tracing::warn!("cannot tell the other servers that the content changed: {e}");
    }
}

/// Rebuilds the curriculum or the handbook when another server process changed them: at once
/// when it [`announce`]s it, and every [`REFRESH_EVERY`] in any case (the web server starts
/// this; one-off commands do not need it). Also runs the hourly [`housekeeping`] when this
/// process claims it. Ends when the app state is dropped.
pub fn spawn_refresh(state: AppState) {
    let weak = state.downgrade();
    let db = state.db.clone();
    drop(state);
    tokio::spawn(async move {
        let mut listener = match db.listen(CONTENT_CHANNEL).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(
                    "cannot listen for content changes (checking every {REFRESH_EVERY:?}): {e}"
                );
                None
            }
        };
        let mut tick = tokio::time::interval(REFRESH_EVERY);
        let mut ticks: u64 = 0;
        loop {
            let heard = async {
                match listener.as_mut() {
                    Some(l) => l.next().await,
                    None => std::future::pending().await,
                }
            };
            let ticked = tokio::select! {
                _ = tick.tick() => true,
                _ = heard => false,
            };
            let Some(state) = weak.upgrade() else {
                break;
            };
            if ticked {
                ticks += 1;
            }
            // Once a minute each process asks; once an hour one of them gets the housekeeping.
            if ticked && ticks % 12 == 1 {
                housekeeping(&state).await;
            }
            if let Err(e) = crate::services::learning::catalog::refresh_if_changed(&state).await {
                tracing::warn!("curriculum refresh: {e}");
            }
            if let Err(e) = crate::services::handbook::articles::refresh_if_changed(&state).await {
                tracing::warn!("handbook refresh: {e}");
            }
        }
    });
}
