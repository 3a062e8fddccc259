//! Content kept in memory and replaced whole when authors change it: the curriculum
//! ([`Catalog`](crate::services::learning::catalog::Catalog)) and the handbook. Each has a version string in the
//! `setting` table that every change rewrites in its own transaction; a server process compares
//! it with its copy every [`REFRESH_EVERY`] and rebuilds when another process changed it.

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

/// Checks every [`REFRESH_EVERY`] whether another server process changed the curriculum or
/// the handbook (the web server starts this; one-off commands do not need it).
/// Also forgets, about once an hour, the failed logins of clients not seen for two days.
pub fn spawn_refresh(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(REFRESH_EVERY);
        let mut ticks: u64 = 0;
        loop {
            tick.tick().await;
            ticks += 1;
            if ticks % 720 == 1 {
                let before = state.clock.now() - chrono::Duration::days(2);
                if let Err(e) =
                    hocvuso_db::repo::people::forget_login_tries(state.db.write(), before).await
                {
                    tracing::warn!("forgetting old login tries: {e}");
                }
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
