//! Operating the platform: several processes on one database, backups, moves between
//! databases.

use std::sync::Arc;

use axum::http::StatusCode;
use hocvuso_db::copy;
use hocvuso_db::dialect::PoolSizes;
use hocvuso_db::Db;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend, TestDatabase};

use super::util::{TestApp, COMMUNE_A, PASSWORD};
use crate::clock::FixedClock;
use crate::config::Config;
use crate::services::monitoring::stats;
use crate::services::setup::demo::{self, DemoOptions};

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
    let clock = Arc::new(FixedClock::at(
        chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
    ));
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

/// What a province reads: the exports, the report and the people of a commune, as bytes.
async fn what_the_province_reads(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    let mut admin = app.browser();
    admin.login(ADMIN, PASSWORD).await;
    let mut out = Vec::new();
    for path in [
        "/thong-ke/xuat.csv?nam=2026".to_owned(),
        "/thong-ke/xuat.xlsx?nam=2026".to_owned(),
        "/thong-ke/bao-cao.pdf?don-vi=&tu=01/11/2026&den=25/11/2026&nhom=adults&chi-so=digital_skills"
            .to_owned(),
        format!("/thong-ke/{COMMUNE_A}/nguoi.csv"),
    ] {
        let (status, bytes) = admin.get_bytes(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        out.push((path, bytes));
    }
    let report = stats::verify(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_ok(), "stats verify: {report:?}");
    out.push((
        "stats verify".to_owned(),
        format!(
            "{} {} {}",
            report.counts_checked, report.weeks_checked, report.imported_checked
        )
        .into_bytes(),
    ));
    out
}

const ADMIN: &str = "0911222333";

/// A backup taken while the app runs, restored into a new database of the same backend and
/// moved into one of the other backend, gives every export, the report and `stats verify`
/// byte for byte as before; a restore into a database that has rows is refused and changes
/// nothing.
async fn a_backup_restored_or_moved_reads_the_same_to_the_byte(backend: TestBackend) {
    let Some(app) = TestApp::new(backend).await else {
        return;
    };
    drop(app.staff(ADMIN, Role::ProvinceAdmin, "68").await);
    app.set_denominator(COMMUNE_A, "adults", 2026, 900).await;
    app.set_denominator("68", "adults", 2026, 2_400_000).await;
    let options = DemoOptions {
        people: 1_500,
        seed: 11,
    };
    demo::run(&app.state, &options, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("demo: {e}"));
    let before = what_the_province_reads(&app).await;

    let file = std::env::temp_dir().join(format!(
        "hocvuso-tests/backup-{}-{}.db",
        std::process::id(),
        NEXT_FILE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&file);
    let backed_up = copy::backup(&app.state.db, &file, &mut |_, _| {})
        .await
        .unwrap_or_else(|e| panic!("backup: {e}"));
    assert!(backed_up.rows > 1_500, "{backed_up:?}");
    // A second backup never overwrites the first.
    assert!(matches!(
        copy::backup(&app.state.db, &file, &mut |_, _| {}).await,
        Err(copy::CopyError::Exists(_))
    ));

    let other = match backend {
        TestBackend::Sqlite => TestBackend::Postgres,
        TestBackend::Postgres => TestBackend::Sqlite,
    };
    for into in [backend, other] {
        let Some(db) = TestDatabase::new(into).await else {
            continue;
        };
        let target = Db::connect(&db.url, PoolSizes { readers: 1 })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let restored = copy::restore(&file, &target, &mut |_, _| {})
            .await
            .unwrap_or_else(|e| panic!("restore into {into:?}: {e}"));
        assert_eq!(restored, backed_up);
        target.close().await;
        let moved = TestApp::on(db, app.clock.clone()).await;
        let after = what_the_province_reads(&moved).await;
        for ((path, a), (_, b)) in before.iter().zip(&after) {
            assert!(a == b, "{path} differs after a restore into {into:?}");
        }
        // Loading the backup again into the database that now has rows is refused.
        let again = copy::restore(&file, &moved.state.db, &mut |_, _| {}).await;
        assert!(
            matches!(again, Err(copy::CopyError::TargetNotEmpty { .. })),
            "{again:?}"
        );
        moved.verify_ok().await;
    }
    let _ = std::fs::remove_file(&file);
}

static NEXT_FILE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

test_both!(a_backup_restored_or_moved_reads_the_same_to_the_byte);
