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

use crate::services::runtime::Runtime;

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

/// The channel on which a process tells the others that authors changed the content.
pub(crate) const CONTENT_CHANNEL: &str = "hocvuso_content";

/// Tells the other server processes that the curriculum or the handbook changed (after the
/// change is committed). If the notice cannot be sent they still see it within
/// [`REFRESH_EVERY`] (logged).
pub async fn announce(state: &Runtime) {
    if let Err(e) = state.db.notify(CONTENT_CHANNEL, "").await {
        tracing::warn!("cannot tell the other servers that the content changed: {e}");
    }
}
