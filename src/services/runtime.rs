//! The service layer's context: what services use to do their work — the database, the clock,
//! the configuration — and the runtime holders kept in memory while the process runs (the
//! curriculum and the handbook, the group-commit batchers, the session cache, the caches and
//! coalescers of the dashboards, the rate limits, the senders of text messages and email).
//!
//! Services take `&Runtime`; they never see the web layer's `Runtime`, which composes a
//! `Runtime` with what only the web layer holds (the cookie key). See
//! docs/decisions/0016-services-take-the-runtime.md.

use std::collections::BTreeMap;
use std::sync::Arc;

use hocvuso_db::Db;

use crate::clock::Clock;
use crate::config::Config;
use crate::services::accounts::sign_in::{SessionCache, SessionLookup};
use crate::services::handbook::articles::HandbookStore;
use crate::services::learning::catalog::CatalogStore;
use crate::services::learning::quiz::{StartHandler, SubmitHandler};
use crate::services::monitoring::map::ShippedMap;
use crate::services::shared::coalesce::Coalesce;
use crate::services::shared::live;
use crate::services::shared::versioned::Versioned;
use crate::services::shared::writer::Batcher;
use crate::services::{handbook, learning};

/// The service layer's context, behind one reference count (background tasks keep a clone or
/// a [`WeakRuntime`]).
#[derive(Clone)]
pub struct Runtime(Arc<RuntimeInner>);

impl Runtime {
    pub fn new(inner: RuntimeInner) -> Self {
        Runtime(Arc::new(inner))
    }

    /// A handle that does not keep the state alive (for background tasks that should end with
    /// it).
    pub fn downgrade(&self) -> WeakRuntime {
        WeakRuntime(Arc::downgrade(&self.0))
    }
}

/// See [`Runtime::downgrade`].
pub struct WeakRuntime(std::sync::Weak<RuntimeInner>);

impl WeakRuntime {
    pub fn upgrade(&self) -> Option<Runtime> {
        self.0.upgrade().map(Runtime)
    }
}

impl std::ops::Deref for Runtime {
    type Target = RuntimeInner;

    // Inlined: without it the two hops (AppState → Runtime) cost the lesson page 15 % of its
    // rate (PERFORMANCE.md, "Issue 22, 2026-12-08").
    #[inline]
    fn deref(&self) -> &RuntimeInner {
        &self.0
    }
}

pub struct RuntimeInner {
    pub config: Arc<Config>,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
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

/// The `setting` under which the next housekeeping's time is kept.
const HOUSEKEEPING_DUE: &str = "housekeeping_due";
/// How often the housekeeping runs (in one process of all those on the database).
const HOUSEKEEPING_EVERY: i64 = 3600;

/// Forgets the failed logins of clients not seen for two days and deletes the sessions that
/// have expired — in whichever server process claims it first this hour
/// (`repo::settings::claim_due`); the others skip it.
async fn housekeeping(state: &Runtime) {
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

/// Rebuilds the curriculum or the handbook when another server process changed them: at once
/// when it [announces](crate::services::shared::live::announce) it, and every
/// [`REFRESH_EVERY`](live::REFRESH_EVERY) in any case (the web server starts this; one-off
/// commands do not need it). Also runs the hourly [`housekeeping`] when this process claims
/// it. Ends when the runtime is dropped.
pub fn spawn_refresh(state: Runtime) {
    let weak = state.downgrade();
    let db = state.db.clone();
    drop(state);
    tokio::spawn(async move {
        let mut listener = match db.listen(live::CONTENT_CHANNEL).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(
                    "cannot listen for content changes (checking every {:?}): {e}",
                    live::REFRESH_EVERY
                );
                None
            }
        };
        let mut tick = tokio::time::interval(live::REFRESH_EVERY);
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
            if let Err(e) = learning::catalog::refresh_if_changed(&state).await {
                tracing::warn!("curriculum refresh: {e}");
            }
            if let Err(e) = handbook::articles::refresh_if_changed(&state).await {
                tracing::warn!("handbook refresh: {e}");
            }
        }
    });
}
