//! Everything a request or a command needs, passed explicitly (no globals).

use std::collections::BTreeMap;
use std::sync::Arc;

use hocvuso_db::Db;

use crate::clock::Clock;
use crate::config::Config;
use crate::services::accounts::sign_in::{SessionCache, SessionLookup};
use crate::services::handbook::articles::HandbookStore;
use crate::services::learning::catalog::CatalogStore;
use crate::services::learning::progress::{StartHandler, SubmitHandler};
use crate::services::monitoring::map::ShippedMap;
use crate::services::shared::coalesce::Coalesce;
use crate::services::shared::versioned::Versioned;
use crate::services::shared::writer::Batcher;

/// Everything a request or a command needs, behind ONE reference count: handlers and layers
/// clone the state for every request, and cloning a dozen `Arc`s (each an atomic increment and,
/// at the drop, a decrement, on cache lines both cores fight over) cost the lesson page about a
/// tenth of its time (a `perf` profile of P1, 2026-12-06).
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl AppState {
    pub fn new(inner: AppStateInner) -> Self {
        AppState(Arc::new(inner))
    }

    /// A handle that does not keep the state alive (for background tasks that should end with
    /// it).
    pub fn downgrade(&self) -> WeakAppState {
        WeakAppState(Arc::downgrade(&self.0))
    }
}

/// See [`AppState::downgrade`].
pub struct WeakAppState(std::sync::Weak<AppStateInner>);

impl WeakAppState {
    pub fn upgrade(&self) -> Option<AppState> {
        self.0.upgrade().map(AppState)
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

pub struct AppStateInner {
    pub config: Arc<Config>,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Key that signs session and CSRF cookies (kept in the database, made on first start).
    pub cookie_key: Arc<[u8; 32]>,
    /// The curriculum, in memory (built from the database at start).
    pub catalog: Arc<CatalogStore>,
    /// The published handbook and the search index, in memory (rebuilt when authors change it).
    pub handbook: Arc<HandbookStore>,
    /// The communes' outlines for the dashboard map (projected the first time one is drawn).
    pub map: ShippedMap,
    /// Group commit of quiz starts and quiz submissions.
    pub starts: Batcher<StartHandler>,
    pub submits: Batcher<SubmitHandler>,
    /// Group commit of contest entries started and submitted.
    pub contest_starts: Batcher<crate::services::contests::play::StartHandler>,
    pub contest_submits: Batcher<crate::services::contests::play::SubmitHandler>,
    /// Rankings of closed contest rounds kept in memory, and those being computed.
    pub contest_rankings: crate::services::contests::ranking::RankingCache,
    pub contest_ranking_runs: Coalesce<i64, crate::services::contests::ranking::RoundRanking>,
    /// Leaderboards of the contests looked at last.
    pub contest_boards: crate::services::contests::boards::BoardCache,
    /// Each person's count of new notifications, for the header (kept a minute).
    pub unread_notices: crate::services::reminders::inbox::UnreadCache,
    /// Recently seen sessions (a few seconds; logout removes at once).
    pub sessions: Arc<SessionCache>,
    /// Batched lookups of sessions missing from the cache.
    pub session_lookup: SessionLookup,
    /// Rate limits of the public forms and the bound on password hashes running at once.
    pub limits: Arc<crate::services::shared::limits::Limits>,
    /// Text messages (one-time codes); the development adapter only logs them.
    pub sms: Arc<dyn crate::services::shared::sms::SmsSender>,
    /// Reminders by email; the development adapter only logs them.
    pub mail: Arc<dyn crate::services::shared::mail::MailSender>,
    /// The org tree in memory, checked against its version on every read.
    pub org_tree: Versioned<Vec<hocvuso_db::repo::org::OrgUnit>>,
    /// Each year's denominators (`group → unit → people`), the same way.
    pub denominators: Versioned<BTreeMap<String, BTreeMap<i64, i64>>>,
    /// Province snapshots (by year) and trends (by group and indicator) being computed, shared
    /// by the requests that ask at the same moment.
    pub province_snapshots: Coalesce<i32, crate::services::monitoring::dashboard::Snapshot>,
    pub province_trends:
        Coalesce<(&'static str, &'static str), crate::services::monitoring::trend::Trend>,
    /// Dropped with the state, it stops the task that hears which sessions other processes
    /// forgot (PostgreSQL; `None` on SQLite).
    pub _stop_listening: Option<tokio::sync::oneshot::Sender<()>>,
    /// This process's counters for `/metrics`.
    pub metrics: Arc<crate::services::shared::metrics::Metrics>,
}
