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

const METRICS_TOKEN: &str = "0123456789abcdef0123456789abcdef-metrics";

/// `/metrics` is there only with the configured token or from a configured address; it counts
/// requests by route template, the writers' batches and waits, the pools and the imports.
/// `/readyz` says ready.
async fn metrics_show_requests_writers_pools_and_imports_to_the_operator_only(
    backend: TestBackend,
) {
    let monitor: std::net::IpAddr = [10, 9, 8, 7].into();
    let Some(app) = TestApp::with_config(backend, |c| {
        c.metrics_token = Some(METRICS_TOKEN.to_owned());
        c.metrics_allow = vec![monitor];
    })
    .await
    else {
        return;
    };
    let mut anyone = app.browser();
    assert_eq!(anyone.get("/readyz").await.status, StatusCode::OK);
    assert_eq!(anyone.get("/metrics").await.status, StatusCode::NOT_FOUND);
    let wrong = "Bearer 0123456789abcdef0123456789abcdef-wrong!!";
    let (status, _, _) = anyone
        .get_with("/metrics", &[("authorization", wrong)])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A client cannot claim the monitor's address through a header it sends itself.
    let (status, _, _) = anyone
        .get_with("/metrics", &[("x-forwarded-for", "10.9.8.7")])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Some traffic: a pass (a quiz start and a submission through the writers), a commune's
    // page, a roster import.
    let mut learner = app.learner("0912000111", COMMUNE_A).await;
    learner.pass_course("ky-nang-so-co-ban").await;
    let mut admin = app.staff(ADMIN, Role::ProvinceAdmin, "68").await;
    assert_eq!(
        admin.get(&format!("/thong-ke/{COMMUNE_A}")).await.status,
        StatusCode::OK
    );
    admin
        .import_roster(
            "danh-sach.csv",
            &format!(
                "STT,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Số định danh cá nhân,Mã xã,Nhóm\n\
                 1,Nguyễn Thị Hoa,05/03/1962,Nữ,0912345678,068162001234,{COMMUNE_A},Người dân\n"
            ),
        )
        .await;

    let bearer = format!("Bearer {METRICS_TOKEN}");
    let (status, headers, body) = anyone
        .get_with("/metrics", &[("authorization", &bearer)])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain; version=0.0.4")));
    let text = String::from_utf8(body).unwrap_or_default();
    let value = |line_start: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(line_start))
            .and_then(|rest| rest.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {line_start} in:\n{text}"))
    };
    assert_eq!(
        value(
            "hocvuso_http_requests_total{route=\"/thong-ke/{code}\",method=\"GET\",status=\"200\"}"
        ),
        1.0
    );
    assert!(
        value("hocvuso_http_request_duration_seconds_count{route=\"/thong-ke/{code}\",method=\"GET\"}")
            >= 1.0
    );
    assert!(value("hocvuso_writer_batch_size_count{writer=\"quiz_submissions\"}") >= 1.0);
    assert!(value("hocvuso_writer_wait_seconds_count{writer=\"quiz_starts\"}") >= 1.0);
    assert_eq!(
        value("hocvuso_writer_queue_depth{writer=\"quiz_submissions\"}"),
        0.0
    );
    let pool = match backend {
        TestBackend::Sqlite => "read",
        TestBackend::Postgres => "all",
    };
    assert!(
        value(&format!(
            "hocvuso_db_connections{{pool=\"{pool}\",state=\"max\"}}"
        )) >= 2.0
    );
    // A dry run and its confirmation.
    assert_eq!(
        value("hocvuso_import_duration_seconds_count{kind=\"roster\"}"),
        2.0
    );
    // Every metric's lines together, each family announced once.
    let mut seen = std::collections::BTreeSet::new();
    let mut last = String::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let name = line.split(['{', ' ']).next().unwrap_or_default();
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .fold(name, |n, s| n.strip_suffix(s).unwrap_or(n))
            .to_owned();
        if family != last {
            assert!(seen.insert(family.clone()), "{family} is split in two");
            last = family;
        }
    }

    // From the configured address, without a token.
    let mut monitor_browser = app.browser();
    monitor_browser.peer = std::net::SocketAddr::from((monitor, 50_000));
    assert_eq!(monitor_browser.get("/metrics").await.status, StatusCode::OK);
}

test_both!(metrics_show_requests_writers_pools_and_imports_to_the_operator_only);

/// Asks `check` again for up to two seconds (a notice between processes takes a moment).
async fn soon(mut check: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}

/// Two server processes on one PostgreSQL behind a proxy: a logout in one, or a right taken
/// away in one, holds in the other on the next request, though the other had the session in
/// its cache (the tests' clock stands still, so without the notice the cache never expires).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_or_a_withdrawn_right_holds_in_every_process_at_once() {
    let Some(app) = TestApp::new(TestBackend::Postgres).await else {
        return;
    };
    let other = app.another_process().await;
    let page = format!("/thong-ke/{COMMUNE_A}");

    let mut here = app.staff("0912555001", Role::UnitOfficer, COMMUNE_A).await;
    let mut there = here.on(&other);
    assert_eq!(there.get(&page).await.status, StatusCode::OK);
    assert_eq!(
        here.post("/dang-xuat", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(
        soon(async || there.get(&page).await.status != StatusCode::OK).await,
        "the other process still serves a logged-out session"
    );

    let mut here = app.browser();
    here.login("0912555001", PASSWORD).await;
    let mut there = here.on(&other);
    assert_eq!(there.get(&page).await.status, StatusCode::OK);
    let unit = crate::services::people::org::unit_by_code(app.state.db.read(), COMMUNE_A)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no commune"));
    let grants = hocvuso_db::repo::people::grants_in(app.state.db.read(), unit.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    drop(app.staff(ADMIN, Role::ProvinceAdmin, "68").await);
    let admin_id = hocvuso_db::repo::people::person_by_phone(app.state.db.read(), ADMIN)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no admin"))
        .id;
    let admin = crate::services::accounts::sign_in::SessionUser {
        person_id: admin_id,
        full_name: "Quản trị".to_owned(),
        roles: vec![(Role::ProvinceAdmin, None)],
        must_change_password: false,
    };
    for g in grants.into_iter().filter(|g| g.person_id != admin_id) {
        let revoked = crate::services::people::org::revoke(&app.state, &admin, &unit, g.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(revoked);
    }
    assert!(
        soon(async || there.get(&page).await.status == StatusCode::FORBIDDEN).await,
        "the other process still grants a withdrawn right"
    );
}

/// An author publishes an article on one server; a reader on the other server sees it at
/// once (within two seconds: the periodic check alone would take up to five).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_content_shows_on_every_server_at_once() {
    let Some(app) = TestApp::new(TestBackend::Postgres).await else {
        return;
    };
    let other = app.another_process().await;
    crate::services::runtime::spawn_refresh(other.state.runtime().clone());
    // The refresher listens before the change is made.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut author = app.staff("0912555003", Role::Author, "68").await;
    let created = author
        .post(
            "/bien-tap/so-tay/moi",
            &[
                ("title", "Gọi video cho con cháu"),
                ("chapter", "vneid"),
                ("summary", "Cách gọi video bằng Zalo."),
                ("keywords", "zalo, gọi video"),
                ("related", "cai-dat-vneid"),
                (
                    "body",
                    "Mở Zalo, chọn người thân, chạm biểu tượng máy quay.",
                ),
                ("luu", "xuat_ban"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let mut reader = other.browser();
    assert!(
        soon(async || reader.get("/so-tay/goi-video-cho-con-chau").await.status == StatusCode::OK)
            .await,
        "the other server does not show the published article"
    );
}

async fn sessions_in_the_database(app: &TestApp) -> i64 {
    use hocvuso_db::ConnectionTrait;
    let db = app.state.db.read();
    let row = db
        .query_one(hocvuso_db::sea_query_statement(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM session",
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no row"));
    row.try_get_by_index::<i64>(0)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The server's hourly housekeeping deletes sessions that have expired (they log no one in,
/// but the table would otherwise grow with every login for ever) and keeps live ones.
async fn expired_sessions_are_deleted(backend: TestBackend) {
    let Some(app) = TestApp::new(backend).await else {
        return;
    };
    drop(app.learner("0912555004", COMMUNE_A).await);
    crate::services::runtime::spawn_refresh(app.state.runtime().clone());
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        sessions_in_the_database(&app).await,
        1,
        "a live session is kept"
    );

    app.clock.advance(chrono::Duration::days(
        crate::services::accounts::sign_in::SESSION_DAYS + 1,
    ));
    crate::services::runtime::spawn_refresh(app.state.runtime().clone());
    assert!(
        soon(async || sessions_in_the_database(&app).await == 0).await,
        "an expired session is still stored"
    );
}

test_both!(expired_sessions_are_deleted);

/// A periodic job is claimed by exactly one of the processes that ask at the same moment, and
/// is due again only when its time comes.
async fn a_periodic_job_is_claimed_once_among_processes(backend: TestBackend) {
    let Some(app) = TestApp::new(backend).await else {
        return;
    };
    let other = app.another_process().await;
    let third = app.another_process().await;
    let claim = |state: crate::state::AppState, now: i64| async move {
        hocvuso_db::repo::settings::claim_due(state.db.write(), "job_test_due", now, now + 3600)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let now = 1_800_000_000;
    let (a, b, c) = tokio::join!(
        claim(app.state.clone(), now),
        claim(other.state.clone(), now),
        claim(third.state.clone(), now)
    );
    assert_eq!([a, b, c].iter().filter(|x| **x).count(), 1, "{a} {b} {c}");
    assert!(!claim(other.state.clone(), now + 3599).await, "not due yet");
    let (a, b) = tokio::join!(
        claim(app.state.clone(), now + 3600),
        claim(other.state.clone(), now + 3600)
    );
    assert!(a ^ b, "due again: one of the two");
}

test_both!(a_periodic_job_is_claimed_once_among_processes);

/// `hocvuso keys rotate-cookie`: every session ends and, once the servers start again with
/// the new key, a browser's old cookies log no one in.
async fn a_rotated_cookie_key_logs_everyone_out(backend: TestBackend) {
    let Some(app) = TestApp::new(backend).await else {
        return;
    };
    let mut officer = app.staff("0912555006", Role::UnitOfficer, COMMUNE_A).await;
    let page = format!("/thong-ke/{COMMUNE_A}");
    assert_eq!(officer.get(&page).await.status, StatusCode::OK);
    let ended = crate::services::accounts::sign_in::rotate_cookie_key(&app.state.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ended, 1);
    let restarted = app.another_process().await;
    assert_ne!(*restarted.state.cookie_key, *app.state.cookie_key);
    let mut same_browser = officer.on(&restarted);
    assert_eq!(same_browser.get(&page).await.status, StatusCode::SEE_OTHER);
}

test_both!(a_rotated_cookie_key_logs_everyone_out);

/// Made-up method names sent to a routed path are counted under one label: a client cannot
/// grow `/metrics` (and the server's memory) by inventing methods.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invented_methods_do_not_grow_the_metrics() {
    let Some(app) = TestApp::with_config(TestBackend::Sqlite, |c| {
        c.metrics_token = Some(METRICS_TOKEN.to_owned());
    })
    .await
    else {
        return;
    };
    for i in 0..50 {
        let method = axum::http::Method::from_bytes(format!("X{i}").as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let req = axum::http::Request::builder()
            .method(method)
            .uri("/healthz")
            .body(axum::body::Body::empty())
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = tower::ServiceExt::oneshot(crate::web::app(app.state.clone()), req).await;
    }
    let bearer = format!("Bearer {METRICS_TOKEN}");
    let (_, _, body) = app
        .browser()
        .get_with("/metrics", &[("authorization", &bearer)])
        .await;
    let text = String::from_utf8(body).unwrap_or_default();
    assert!(!text.contains("method=\"X1\""), "{text}");
    assert!(
        text.contains(
            "hocvuso_http_requests_total{route=\"/healthz\",method=\"other\",status=\"405\"} 50"
        ),
        "{text}"
    );
}
