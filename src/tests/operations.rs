//! Operating the platform: several processes on one database, backups, moves between
//! databases.

use std::sync::Arc;

use hocvuso_test_utils::{test_both, TestBackend, TestDatabase};

use crate::clock::FixedClock;
use crate::config::Config;

/// Three processes start at the same moment on a new, empty database: each waits for the one
/// that migrates and seeds, none fails, and the seed is there once.
async fn processes_starting_together_on_a_new_database_all_start(backend: TestBackend) {
    let Some(db) = TestDatabase::new(backend).await else {
        return;
    };
    let config = Config {
        database_url: db.url.clone(),
        database_readers: 1,
        ..Config::default()
    };
    let clock = Arc::new(FixedClock::at(chrono::Utc::now()));
    let start = || crate::open(config.clone(), clock.clone());
    let (a, b, c) = tokio::join!(start(), start(), start());
    let states = [a, b, c].map(|r| r.unwrap_or_else(|e| panic!("a process failed to start: {e}")));
    for state in &states {
        let units = hocvuso_db::repo::org::count(state.db.read())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // The province and its 124 communes, once.
        assert_eq!(units, 125);
    }
    let key = |s: &crate::state::AppState| *s.cookie_key;
    assert_eq!(key(&states[0]), key(&states[1]));
    assert_eq!(key(&states[1]), key(&states[2]));
    for state in states {
        state.db.clone().close().await;
    }
}

test_both!(processes_starting_together_on_a_new_database_all_start);
