//! hocvuso: digital-skills learning and live campaign monitoring for a Vietnamese province.
//!
//! The binary (`src/bin/hocvuso`) parses the command line and calls into this library:
//! [`config`] loads settings, [`state::AppState`] holds what every request needs,
//! [`services`] hold the use cases, and [`web`] turns HTTP requests into pages.

pub mod clock;
pub mod config;
pub mod content;
pub mod services;
pub mod state;
pub mod web;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use hocvuso_db::repo::settings;
use hocvuso_db::{Db, DbError};

use crate::clock::Clock;
use crate::config::Config;
use crate::services::learning::quiz::{StartHandler, SubmitHandler};
use crate::services::runtime::Runtime;
use crate::services::shared::writer::Batcher;
use crate::services::Internal;
use crate::state::AppState;

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cannot prepare the database: {0}")]
    Prepare(#[from] Internal),
    #[error("cannot apply migrations: {0}")]
    Migrate(hocvuso_db::DbErr),
}

/// Connects to the configured database, applies migrations, loads the seed data (org tree,
/// groups, targets, curriculum) and returns the application state. Safe to call at every start.
pub async fn open(config: Config, clock: Arc<dyn Clock>) -> Result<AppState, StartError> {
    let db = Db::connect(
        &config.database_url,
        hocvuso_db::dialect::PoolSizes {
            readers: config.database_readers,
        },
    )
    .await?;
    // Several processes may start on one database at once (servers behind a proxy, a
    // `migrate` beside them): one migrates and seeds while the others wait, then find it done.
    let lock = db.startup_lock().await?;
    hocvuso_db::migrate(&db)
        .await
        .map_err(StartError::Migrate)?;
    services::setup::seed::ensure_seeded(&db, clock.now()).await?;
    let fresh_key = services::hex(&services::random_bytes::<32>());
    let stored = settings::get_or_insert(db.write(), "cookie_key", &fresh_key)
        .await
        .map_err(Internal::from)?;
    lock.release().await;
    // A key that is not 64 hex digits (edited by hand) is refused rather than half-used.
    let key: [u8; 32] = services::unhex(&stored)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Internal::Other("setting cookie_key is not 32 bytes of hex".into()))?;
    let catalog = services::learning::catalog::Catalog::load(db.read())
        .await
        .map_err(Internal::from)?;
    let catalog_version = services::learning::catalog::stored_version(db.read())
        .await
        .map_err(Internal::from)?;
    let handbook_version = services::handbook::articles::stored_version(db.read())
        .await
        .map_err(Internal::from)?;
    let handbook = services::handbook::articles::Handbook::load(db.read(), &catalog)
        .await
        .map_err(Internal::from)?;
    let catalog = Arc::new(services::learning::catalog::CatalogStore::new(
        catalog,
        catalog_version,
    ));
    let starts = Batcher::start(
        db.clone(),
        StartHandler {
            catalog: catalog.clone(),
            clock: clock.clone(),
        },
    );
    let submits = Batcher::start(
        db.clone(),
        SubmitHandler {
            catalog: catalog.clone(),
            clock: clock.clone(),
        },
    );
    let contest_starts = Batcher::start(
        db.clone(),
        services::contests::play::StartHandler {
            catalog: catalog.clone(),
            clock: clock.clone(),
        },
    );
    let contest_submits = Batcher::start(
        db.clone(),
        services::contests::play::SubmitHandler {
            catalog: catalog.clone(),
            clock: clock.clone(),
        },
    );
    let sessions = Arc::new(services::accounts::sign_in::SessionCache::default());
    let stop_listening =
        services::accounts::sign_in::listen_for_forgotten(&db, sessions.clone()).await?;
    let session_lookup =
        services::accounts::sign_in::SessionLookup::start(db.clone(), clock.clone());
    let sms: Arc<dyn services::shared::sms::SmsSender> = match &config.sms_gateway {
        Some((url, key)) => {
            Arc::new(services::shared::sms::HttpSms::new(url, key).map_err(Internal::Other)?)
        }
        None => Arc::new(services::shared::sms::LogSms::default()),
    };
    let mail: Arc<dyn services::shared::mail::MailSender> = match &config.email_relay {
        Some(r) => Arc::new(
            services::shared::mail::SmtpMail::new(
                &r.host,
                r.port,
                &r.from,
                r.login.as_ref().map(|(u, p)| (u.as_str(), p.as_str())),
            )
            .map_err(Internal::Other)?,
        ),
        None => Arc::new(services::shared::mail::LogMail),
    };
    let runtime = Runtime::new(services::runtime::RuntimeInner {
        config: Arc::new(config),
        db,
        clock,
        catalog,
        handbook: Arc::new(services::handbook::articles::HandbookStore::new(
            handbook,
            handbook_version,
        )),
        map: Default::default(),
        starts,
        submits,
        contest_starts,
        contest_submits,
        contest_rankings: Default::default(),
        contest_ranking_runs: Default::default(),
        contest_boards: Default::default(),
        unread_notices: Default::default(),
        sessions,
        session_lookup,
        limits: Arc::new(services::shared::limits::Limits::default()),
        sms,
        mail,
        org_tree: services::shared::versioned::Versioned::new(
            hocvuso_db::repo::settings::ORG_VERSION,
        ),
        denominators: services::shared::versioned::Versioned::new(
            hocvuso_db::repo::settings::DENOMINATORS_VERSION,
        ),
        province_snapshots: Default::default(),
        province_trends: Default::default(),
        _stop_listening: stop_listening,
        metrics: Default::default(),
    });
    Ok(AppState::new(runtime, Arc::new(key)))
}
