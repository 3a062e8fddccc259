//! /thong-ke: who sees which figures, and that the figures are right.

use axum::http::StatusCode;
use hocvuso_db::ConnectionTrait;
use hocvuso_domain::{Role, TargetGroup};

use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, COMMUNE_B};

fn parse_number(s: &str) -> i64 {
    s.replace('.', "")
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {s}"))
}

async fn province_admin_sees_every_commune_with_live_figures(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    app.set_denominator(COMMUNE_A, "adults", 2026, 1234).await;
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let page = admin.get("/thong-ke").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts("table#xep-hang tbody tr[data-code]").len(), 124);
    let cell = |p: &super::util::Page, f: &str| {
        p.text(&format!(
            "tr[data-code=\"{COMMUNE_A}\"] td[data-field=\"{f}\"]"
        ))
    };
    assert_eq!(cell(&page, "denominator"), "1.234");
    assert_eq!(cell(&page, "achieved"), "0");
    assert_eq!(cell(&page, "target"), "100%", "the 2026 target for adults");
    assert_eq!(cell(&page, "gap"), "1.234");

    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    let attempt = learner.start_quiz().await;
    let _ = learner.answer_all(attempt, true).await;
    let page = admin.get("/thong-ke").await;
    assert_eq!(parse_number(&cell(&page, "achieved")), 1, "fresh at once");
    assert_eq!(cell(&page, "percent"), "0,1%");
    assert_eq!(cell(&page, "gap"), "1.233");
    // The best commune comes first in the ranking.
    assert_eq!(
        page.attrs("table#xep-hang tbody tr[data-code]", "data-code")[0],
        COMMUNE_A
    );

    let y2025 = admin.get("/thong-ke?nam=2025").await;
    assert_eq!(cell(&y2025, "target"), "80%");
    assert_eq!(
        cell(&y2025, "denominator"),
        "—",
        "no denominator for 2025 yet"
    );
    assert_eq!(
        admin.get("/thong-ke?nam=abc").await.status,
        StatusCode::NOT_FOUND
    );
    let by_name = admin.get("/thong-ke?sap-xep=ten").await;
    let names = by_name.texts("table#xep-hang tbody td a");
    assert_eq!(names.len(), 124);
    assert!(
        names
            .windows(2)
            .all(|w| hocvuso_domain::text::vietnamese_cmp(&w[0], &w[1]).is_le()),
        "sorted by name in Vietnamese order"
    );

    let commune = admin.get(&format!("/thong-ke/{COMMUNE_A}")).await;
    assert_eq!(commune.status, StatusCode::OK);
    assert_eq!(commune.text("dd[data-field=\"achieved\"]"), "1");
}

/// Two server processes on one database: what one changes in the org tree or the denominators
/// shows on the other's very next page, though each keeps these tables in memory.
async fn another_process_sees_new_units_and_denominators_at_once(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let other = app.another_process().await;
    app.set_denominator(COMMUNE_A, "adults", 2026, 1234).await;
    let mut here = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut there = other.staff("0900000002", Role::ProvinceAdmin, "68").await;
    let cell = |p: &super::util::Page, f: &str| {
        p.text(&format!(
            "tr[data-code=\"{COMMUNE_A}\"] td[data-field=\"{f}\"]"
        ))
    };
    let page = there.get("/thong-ke?nhom=adults").await;
    assert_eq!(cell(&page, "denominator"), "1.234");
    let _ = here.get("/thong-ke?nhom=adults").await;

    app.set_denominator(COMMUNE_A, "adults", 2026, 2000).await;
    let page = there.get("/thong-ke?nhom=adults").await;
    assert_eq!(
        cell(&page, "denominator"),
        "2.000",
        "the other process's copy is not kept"
    );

    let renamed = here
        .post(
            &format!("/to-chuc/{COMMUNE_A}/doi-ten"),
            &[("name", "Phường Mũi Né Mới")],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    let page = there.get("/thong-ke?nhom=adults").await;
    assert_eq!(
        page.text(&format!("tr[data-code=\"{COMMUNE_A}\"] td a")),
        "Phường Mũi Né Mới"
    );
    let page = here.get("/thong-ke?nhom=adults").await;
    assert_eq!(
        page.text(&format!("tr[data-code=\"{COMMUNE_A}\"] td a")),
        "Phường Mũi Né Mới",
        "nor this process's"
    );

    // A unit added on one process: its people count on the other's page of the commune.
    let added = here
        .post(
            &format!("/to-chuc/{COMMUNE_A}/them"),
            &[("kind", "village"), ("name", "Thôn Mới"), ("code", "T-MOI")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(there.get("/thong-ke/T-MOI").await.status, StatusCode::OK);
    let commune = there.get(&format!("/thong-ke/{COMMUNE_A}")).await;
    assert!(commune.body.contains("Thôn Mới"), "{}", commune.body);
}

/// Some communes without a denominator: the province still shows what it knows — the
/// achieved count, the rate over the communes that have one, and how many lack one.
async fn a_province_with_missing_denominators_shows_what_it_knows(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    app.set_denominator(COMMUNE_A, "adults", 2026, 10).await;
    app.set_denominator(COMMUNE_B, "adults", 2026, 30).await;
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    let attempt = learner.start_quiz().await;
    let _ = learner.answer_all(attempt, true).await;
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let page = admin.get("/thong-ke?nhom=adults").await;
    assert_eq!(page.status, StatusCode::OK);
    let denominator = page.text("#tinh-mau-so");
    assert!(denominator.starts_with("40 ở 2/124"), "{denominator}");
    assert!(
        denominator.contains("122 xã, phường chưa có mẫu số"),
        "{denominator}"
    );
    assert_eq!(page.text("#tinh-da-dat"), "1");
    let rate = page.text("#tinh-ty-le");
    assert!(rate.starts_with("2,5%"), "1 of 40: {rate}");
    assert!(
        !page.text("dl.cert").contains("— người"),
        "{}",
        page.text("dl.cert")
    );
    assert!(page
        .text("#tinh-phan-co-mau-so")
        .contains("2 xã, phường có mẫu số"));
    // The overview line of the group says the same.
    let line =
        page.text("#tong-quan-bang tr[data-group=\"adults\"][data-indicator=\"digital_skills\"]");
    assert!(
        line.contains("2/124 xã có") && line.contains("2,5%"),
        "{line}"
    );

    let csv = admin.get("/thong-ke/xuat.csv?nam=2026&nhom=adults").await;
    let total = csv.body.lines().last().unwrap_or_default().to_owned();
    assert!(
        total.contains("Thiếu mẫu số ở 122/124 xã, phường; ở 2 xã, phường có mẫu số: đạt 1 trên 40 người (2,5%)"),
        "{total}"
    );
}

async fn a_commune_officer_sees_only_their_commune(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let home = officer.get("/thong-ke").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), format!("/thong-ke/{COMMUNE_B}"));
    let own = officer.get(&format!("/thong-ke/{COMMUNE_B}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(
        own.attrs("#so-lieu", "data-code"),
        vec![COMMUNE_B.to_owned()]
    );
    assert_eq!(
        officer.get(&format!("/thong-ke/{COMMUNE_A}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        officer.get("/thong-ke/68").await.status,
        StatusCode::FORBIDDEN,
        "not the province"
    );
    assert_eq!(
        officer.get("/thong-ke/00000").await.status,
        StatusCode::FORBIDDEN,
        "unknown units look the same"
    );
}

async fn learners_and_visitors_see_no_figures(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    assert_eq!(learner.get("/thong-ke").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        learner.get(&format!("/thong-ke/{COMMUNE_A}")).await.status,
        StatusCode::FORBIDDEN
    );
    let mut author = app.staff("0900000004", Role::Author, "68").await;
    assert_eq!(author.get("/thong-ke").await.status, StatusCode::FORBIDDEN);
    let mut helper = app.staff("0900000003", Role::Helper, COMMUNE_A).await;
    assert_eq!(
        helper.get(&format!("/thong-ke/{COMMUNE_A}")).await.status,
        StatusCode::FORBIDDEN
    );
    let mut anonymous = app.browser();
    let page = anonymous.get("/thong-ke").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/dang-nhap"));
}

async fn stats_verify_names_a_tampered_count(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    let attempt = learner.start_quiz().await;
    let _ = learner.answer_all(attempt, true).await;
    app.verify_ok().await;
    let db = app.state.db.write();
    db.execute_unprepared("UPDATE indicator_count SET achieved = achieved + 5")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let report = crate::services::monitoring::stats::verify(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.is_ok());
    assert_eq!(report.count_differences.len(), 1);
    let (_, group, indicator, stored, recomputed) = &report.count_differences[0];
    assert_eq!(
        (group.as_str(), indicator.as_str(), *stored, *recomputed),
        ("adults", "digital_skills", 6, 1)
    );
    db.execute_unprepared("DELETE FROM indicator_count")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let report = crate::services::monitoring::stats::verify(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        report.count_differences.len(),
        1,
        "a missing count is named too"
    );
}

async fn weekly_counts_and_imported_figures_are_verified_too(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    // The fixed clock says Wednesday 25/11/2026 (10:00 in Vietnam): the week of Monday 23/11.
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    let attempt = learner.start_quiz().await;
    let _ = learner.answer_all(attempt, true).await;
    let db = app.state.db.write();
    let weeks = hocvuso_db::repo::stats::week_counts(db, "adults", "digital_skills")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(weeks.len(), 1);
    assert_eq!((weeks[0].1.as_str(), weeks[0].2), ("2026-11-23", 1));
    // VNeID confirmations: commune A counted on two dates (the later one is shown), commune B
    // once; what the dashboard shows equals the recount.
    let mut ids = Vec::new();
    for code in [COMMUNE_A, COMMUNE_B] {
        ids.push(
            hocvuso_db::repo::org::by_code(db, code)
                .await
                .ok()
                .flatten()
                .map(|u| u.id)
                .unwrap_or_else(|| panic!("unit {code}")),
        );
    }
    let (a, b_) = (ids[0], ids[1]);
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default();
    for (date, rows) in [(day(1), vec![(a, 10), (b_, 7)]), (day(15), vec![(a, 25)])] {
        hocvuso_db::repo::imports::replace_import(
            db,
            "vneid_confirmed",
            "adults",
            date,
            "Công an tỉnh",
            None,
            &rows,
            app.state.clock.now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let report = crate::services::monitoring::stats::verify(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.imported_checked, 2);
    assert_eq!(report.weeks_checked, 1);

    // A count moved to another week is named, in both weeks.
    db.execute_unprepared("UPDATE indicator_week SET week = '2026-11-16'")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let report = crate::services::monitoring::stats::verify(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.is_ok());
    assert!(report.count_differences.is_empty());
    let named: Vec<(&str, i64, i64)> = report
        .week_differences
        .iter()
        .map(|(_, _, _, w, s, r)| (w.as_str(), *s, *r))
        .collect();
    assert_eq!(named, vec![("2026-11-16", 1, 0), ("2026-11-23", 0, 1)]);
}

async fn the_overview_trend_and_sub_units_follow_a_pass(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    // A village under commune A; a resident registers, the roster puts her in the village.
    let added = admin
        .post(
            &format!("/to-chuc/{COMMUNE_A}/them"),
            &[
                ("kind", "village"),
                ("name", "Thôn Hòa Thuận"),
                ("code", "T-HT"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    let roster = format!(
        "Họ và tên,Ngày sinh,Số điện thoại,Mã xã,Nhóm,Mã đơn vị\n\
         Nguyễn Thị Hoa,1960,0912345678,{COMMUNE_A},Người dân,T-HT\n"
    );
    let token = admin.csrf().await;
    let preview = admin
        .post_file(
            "/danh-sach/nhap",
            &[("csrf_token", &token)],
            "tep",
            "r.csv",
            roster.as_bytes(),
        )
        .await;
    let ma = preview
        .attrs("form#nhap input[name=ma]", "value")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{}", preview.body));
    admin.post("/danh-sach/nhap/xac-nhan", &[("ma", &ma)]).await;

    let board = admin
        .get("/thong-ke?nhom=adults&chi-so=digital_skills")
        .await;
    assert!(board.has("#xu-huong svg"), "{}", board.body);
    assert!(board.text("#xu-huong").contains("Chưa có số liệu"));
    let adults = "#tong-quan-bang tr[data-group=adults][data-indicator=digital_skills] [data-field=achieved]";
    assert_eq!(board.text(adults), "0");

    let attempt = learner.start_quiz().await;
    learner.answer_all(attempt, true).await;

    // The province: the overview and the weekly trend (Wednesday 25/11/2026 is in the week
    // of Monday 23/11).
    let board = admin
        .get("/thong-ke?nhom=adults&chi-so=digital_skills")
        .await;
    assert_eq!(board.text(adults), "1");
    assert!(board.has("#xu-huong svg polyline"), "{}", board.body);
    assert_eq!(
        board.texts("#xu-huong-bang tbody td"),
        vec!["23/11/2026", "1", "1"]
    );
    // Every group has its line; VNeID shows for adults, whose plan sets a target for it.
    assert_eq!(
        board
            .texts("#tong-quan-bang tr[data-indicator=digital_skills]")
            .len(),
        TargetGroup::ALL.len()
    );
    assert!(board.has("#tong-quan-bang tr[data-group=adults][data-indicator=vneid_confirmed]"));

    // The commune: its trend and the village under it, which links on.
    let commune = admin
        .get(&format!("/thong-ke/{COMMUNE_A}?nhom=adults"))
        .await;
    assert_eq!(commune.text("#so-lieu [data-field=achieved]"), "1");
    assert_eq!(
        commune.texts("#xu-huong-bang tbody td"),
        vec!["23/11/2026", "1", "1"]
    );
    assert_eq!(
        commune.text("#truc-thuoc tr[data-code=T-HT] [data-field=achieved]"),
        "1",
        "{}",
        commune.body
    );
    let village = admin.get("/thong-ke/T-HT?nhom=adults").await;
    assert_eq!(village.status, StatusCode::OK);
    assert_eq!(village.text("#so-lieu [data-field=achieved]"), "1");
    // The other commune saw nothing.
    let other = admin
        .get(&format!("/thong-ke/{COMMUNE_B}?nhom=adults"))
        .await;
    assert!(other.text("#xu-huong").contains("Chưa có số liệu"));
    app.verify_ok().await;
}

async fn the_demo_gives_communes_different_figures(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let opts = crate::services::setup::demo::DemoOptions {
        people: 2000,
        seed: 7,
    };
    let report = crate::services::setup::demo::run(&app.state, &opts, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.people, 2000);
    assert!(report.passed > 0 && report.passed < 2000);
    app.verify_ok().await;
    let mut admin = app.browser();
    assert_eq!(
        admin
            .login("0900000001", crate::services::setup::demo::DEMO_PASSWORD)
            .await
            .location(),
        "/thong-ke"
    );
    let page = admin.get("/thong-ke").await;
    let mut percents = page.texts("td[data-field=\"percent\"]");
    percents.sort();
    percents.dedup();
    assert!(percents.len() > 20, "communes differ: {percents:?}");
    // Every group of the plan has people who achieved, and every level of the drill-down has
    // figures: a commune's villages, schools, cooperative, union branch and team.
    for group in hocvuso_domain::TargetGroup::ALL {
        let row = format!(
            "#tong-quan-bang tr[data-group=\"{}\"][data-indicator=\"digital_skills\"] td[data-field=achieved]",
            group.code()
        );
        let achieved: i64 = page.text(&row).replace('.', "").parse().unwrap_or(0);
        assert!(achieved > 0, "{}: {achieved}", group.code());
    }
    let commune = admin
        .get(&format!(
            "/thong-ke/{}?nhom=students",
            crate::services::setup::demo::DEMO_COMMUNE
        ))
        .await;
    let schools = commune.texts("table tr[data-code] td:first-child");
    assert!(
        schools
            .iter()
            .any(|s| s.starts_with("Trường Trung học cơ sở")),
        "{schools:?}"
    );
    // Running the demo again adds nothing.
    let again = crate::services::setup::demo::run(&app.state, &opts, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(again.skipped_people);
    app.verify_ok().await;
}

/// `hocvuso demo --seed S` makes the same people, memberships and passes every time, even on
/// another day (only the dates stretch with the clock).
async fn the_demo_is_the_same_for_the_same_seed(b: TestBackend) {
    use hocvuso_db::{sea_query_statement, ConnectionTrait};
    let opts = crate::services::setup::demo::DemoOptions {
        people: 1500,
        seed: 7,
    };
    let mut seen = Vec::new();
    for later in [0, 3 * 24 * 3600 + 17] {
        let Some(app) = TestApp::new(b).await else {
            return;
        };
        app.clock.advance(chrono::Duration::seconds(later));
        let report = crate::services::setup::demo::run(&app.state, &opts, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let db = app.state.db.read();
        let sql = "SELECT p.full_name || '|' || CAST(p.birth_year AS TEXT) || '|' || \
                   COALESCE((SELECT CAST(COUNT(*) AS TEXT) FROM course_completion c WHERE c.person_id = p.id), '0') || '|' || \
                   COALESCE((SELECT CAST(COUNT(*) AS TEXT) FROM membership m WHERE m.person_id = p.id), '0') AS line \
                   FROM person p ORDER BY p.id";
        let lines: Vec<String> = db
            .query_all(sea_query_statement(db.get_database_backend(), sql))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|r| {
                r.try_get::<String>("", "line")
                    .unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        app.verify_ok().await;
        seen.push((report.passed, lines));
    }
    assert_eq!(seen[0].1.len(), seen[1].1.len());
    assert_eq!(seen[0], seen[1], "two runs with --seed 7 differ");
}

/// The map: every commune drawn and linked to its page, coloured by how far it is from the
/// target, live; only the province admin sees it.
async fn the_map_colours_communes_against_the_target(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    // One adult in the commune: one pass reaches the 2026 target of 100 %.
    app.set_denominator(COMMUNE_A, "adults", 2026, 1).await;
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let map = admin.get("/thong-ke/ban-do?nam=2026").await;
    assert_eq!(map.status, StatusCode::OK, "{}", map.body);
    let links = map.attrs("svg#ban-do a", "href");
    assert_eq!(links.len(), 124, "every commune is drawn");
    assert!(links.contains(&format!(
        "/thong-ke/{COMMUNE_A}?nam=2026&nhom=adults&chi-so=digital_skills"
    )));
    assert_eq!(
        map.texts("svg#ban-do a path title").len(),
        124,
        "each names itself"
    );
    let class_of = |p: &super::util::Page| {
        p.attrs(
            &format!("svg#ban-do a[data-code=\"{COMMUNE_A}\"] path"),
            "class",
        )
    };
    assert_eq!(class_of(&map), vec!["m-xa".to_owned()], "0 of 1");
    assert_eq!(
        map.attrs(
            &format!("svg#ban-do a[data-code=\"{COMMUNE_B}\"] path"),
            "class"
        ),
        vec!["m-chua".to_owned()],
        "no denominator"
    );
    let legend = map.texts(".legend li").join(" | ");
    assert!(legend.contains("Dưới 50% chỉ tiêu: 1"), "{legend}");
    assert!(
        legend.contains("Chưa có mẫu số hoặc chỉ tiêu: 123"),
        "{legend}"
    );

    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    let attempt = learner.start_quiz().await;
    let _ = learner.answer_all(attempt, true).await;
    let map = admin.get("/thong-ke/ban-do?nam=2026").await;
    assert_eq!(
        class_of(&map),
        vec!["m-dat".to_owned()],
        "live after a pass"
    );

    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let sent = officer.get("/thong-ke/ban-do").await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(sent.location(), format!("/thong-ke/{COMMUNE_B}"));
    assert_eq!(
        learner.get("/thong-ke/ban-do").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.browser().get("/thong-ke/ban-do").await.status,
        StatusCode::SEE_OTHER,
        "visitors log in first"
    );
}

/// Each target group has its own denominators, counts and targets.
async fn the_board_is_per_group(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    app.set_denominator(COMMUNE_A, "officials", 2025, 40).await;
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let cell = |p: &super::util::Page, f: &str| {
        p.text(&format!(
            "tr[data-code=\"{COMMUNE_A}\"] td[data-field=\"{f}\"]"
        ))
    };
    let officials = admin.get("/thong-ke?nam=2025&nhom=officials").await;
    assert_eq!(officials.status, StatusCode::OK);
    assert_eq!(cell(&officials, "denominator"), "40");
    assert_eq!(
        cell(&officials, "target"),
        "80%",
        "the plan's 2025 target for officials"
    );
    assert_eq!(
        officials.attrs("#nhom option[selected]", "value"),
        vec!["officials".to_owned()]
    );
    let adults = admin.get("/thong-ke?nam=2025&nhom=adults").await;
    assert_eq!(cell(&adults, "denominator"), "—", "adults have none yet");
    let unit_page = admin
        .get(&format!("/thong-ke/{COMMUNE_A}?nam=2025&nhom=officials"))
        .await;
    assert_eq!(unit_page.text("dd[data-field=denominator]"), "40");
    assert_eq!(
        admin.get("/thong-ke?nhom=khong-co").await.status,
        StatusCode::NOT_FOUND
    );
}

/// The tables as files: XLSX with a sheet per group (real numbers), CSV for one group; only
/// the province admin.
async fn the_tables_export_to_xlsx_and_csv(b: TestBackend) {
    use calamine::{Data, Reader, Xlsx};
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    app.set_denominator(COMMUNE_A, "adults", 2026, 1234).await;
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    let attempt = learner.start_quiz().await;
    let _ = learner.answer_all(attempt, true).await;

    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let xlsx = admin.get_bytes("/thong-ke/xuat.xlsx?nam=2026").await;
    assert_eq!(xlsx.0, StatusCode::OK);
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.1))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(book.sheet_names().len(), 7, "{:?}", book.sheet_names());
    assert_eq!(book.sheet_names()[0], "Tổng hợp");
    let summary: Vec<Vec<Data>> = book
        .worksheet_range("Tổng hợp")
        .unwrap_or_else(|e| panic!("{e}"))
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    assert!(
        summary.iter().any(|r| r.iter().any(|c| c
            .to_string()
            .contains("Người dân trong độ tuổi trưởng thành — Có kiến thức và kỹ năng số"))),
        "{summary:?}"
    );
    assert!(book.sheet_names().contains(&"Người dân".to_owned()));
    let sheet = book
        .worksheet_range("Người dân")
        .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(rows[3][2], Data::String("Tên đơn vị".into()));
    assert_eq!(
        rows.len(),
        4 + 124 + 1,
        "title, issuer, blank, header, communes, total"
    );
    let a = rows
        .iter()
        .find(|r| r.get(1) == Some(&Data::String(COMMUNE_A.into())))
        .unwrap_or_else(|| panic!("row of {COMMUNE_A}"));
    assert_eq!(a[3], Data::Float(1234.0), "a number, not text");
    assert_eq!(a[4], Data::Float(1.0));
    assert_eq!(
        a[6],
        Data::Float(1.0),
        "100 % as a fraction with a % format"
    );
    assert_eq!(a[7], Data::Float(1233.0));

    let csv = admin.get("/thong-ke/xuat.csv?nam=2026&nhom=adults").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("\u{feff}STT,Mã đơn vị,Tên đơn vị"));
    assert!(
        csv.body.contains(&format!(
            ",{COMMUNE_A},Phường Mũi Né,1234,1,0.1,100,1233,Chưa đạt"
        )),
        "{}",
        csv.body.lines().take(3).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(csv.body.lines().count(), 1 + 124 + 1);

    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    for path in ["/thong-ke/xuat.xlsx", "/thong-ke/xuat.csv"] {
        assert_eq!(
            officer.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            learner.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
}

/// Truth: on a generated province, every figure the dashboard shows for every group equals an
/// independent recomputation from raw records, written here in plain SQL.
async fn every_figure_matches_an_independent_recount(b: TestBackend) {
    use hocvuso_db::{sea_query_statement, ConnectionTrait};
    use std::collections::BTreeMap;
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let opts = crate::services::setup::demo::DemoOptions {
        people: 3000,
        seed: 11,
    };
    crate::services::setup::demo::run(&app.state, &opts, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let db = app.state.db.read();
    let backend = db.get_database_backend();
    let query = |sql: String| async move {
        let mut out: BTreeMap<String, i64> = BTreeMap::new();
        for row in db
            .query_all(sea_query_statement(backend, &sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
        {
            let code: String = row.try_get("", "code").unwrap_or_else(|e| panic!("{e}"));
            let n: i64 = row.try_get("", "n").unwrap_or_else(|e| panic!("{e}"));
            out.insert(code, n);
        }
        out
    };
    let mut admin = app.browser();
    admin
        .login("0900000001", crate::services::setup::demo::DEMO_PASSWORD)
        .await;
    let mut compared = 0;
    let mut with_rate = 0;
    for group in ["adults", "officials", "students", "enterprise_workers"] {
        // People of the group who achieved, by the commune their membership unit lies under.
        let achieved = query(format!(
            "SELECT c.code AS code, COUNT(DISTINCT a.person_id) AS n \
             FROM achievement a \
             JOIN membership m ON m.person_id = a.person_id AND m.group_code = a.group_code \
             JOIN org_unit u ON u.id = m.unit_id \
             JOIN org_unit c ON c.kind = 'commune' AND u.path LIKE c.path || '%' \
             WHERE a.group_code = '{group}' AND a.indicator_code = 'digital_skills' \
             GROUP BY c.code"
        ))
        .await;
        let denominators = query(format!(
            "SELECT u.code AS code, d.people AS n FROM denominator d \
             JOIN org_unit u ON u.id = d.unit_id \
             WHERE d.year = 2026 AND d.group_code = '{group}'"
        ))
        .await;
        let target = query(format!(
            "SELECT '{group}' AS code, CAST(percent AS BIGINT) AS n FROM target \
             WHERE year = 2026 AND group_code = '{group}' AND indicator_code = 'digital_skills'"
        ))
        .await
        .get(group)
        .copied();
        let page = admin.get(&format!("/thong-ke?nam=2026&nhom={group}")).await;
        let codes = page.attrs("table#xep-hang tbody tr[data-code]", "data-code");
        assert_eq!(codes.len(), 124);
        let mut total = 0;
        for code in codes {
            let cell =
                |f: &str| page.text(&format!("tr[data-code=\"{code}\"] td[data-field=\"{f}\"]"));
            let a = achieved.get(&code).copied().unwrap_or(0);
            total += a;
            assert_eq!(
                parse_number(&cell("achieved")),
                a,
                "{group} {code} achieved"
            );
            let d = denominators.get(&code).copied();
            match d {
                Some(d) => {
                    assert_eq!(parse_number(&cell("denominator")), d, "{group} {code}");
                    // Percent to one decimal, rounded half up, with a decimal comma.
                    let tenths = (a * 1000 + d / 2) / d;
                    with_rate += 1;
                    assert_eq!(
                        cell("percent"),
                        format!("{},{}%", tenths / 10, tenths % 10),
                        "{group} {code} percent"
                    );
                    if let Some(t) = target {
                        let needed = (d * t + 99) / 100;
                        assert_eq!(
                            parse_number(&cell("gap")),
                            (needed - a).max(0),
                            "{group} {code} gap"
                        );
                    }
                }
                None => assert_eq!(cell("denominator"), "—", "{group} {code}"),
            }
            compared += 1;
        }
        assert_eq!(
            parse_number(&page.text("#tinh-da-dat")),
            total,
            "{group} province total"
        );
        // The overview's line for the group.
        let line = format!(
            "#tong-quan-bang tr[data-group={group}][data-indicator=digital_skills] [data-field=achieved]"
        );
        assert_eq!(parse_number(&page.text(&line)), total, "{group} overview");
        // The trend: each shown week's additions and running total, against the achievements
        // bucketed here by their Monday in Vietnam time.
        let mut by_week: BTreeMap<chrono::NaiveDate, i64> = BTreeMap::new();
        for row in db
            .query_all(sea_query_statement(
                backend,
                &format!(
                    "SELECT a.achieved_at AS at FROM achievement a \
                     JOIN membership m ON m.person_id = a.person_id AND m.group_code = a.group_code \
                     WHERE a.group_code = '{group}' AND a.indicator_code = 'digital_skills'"
                ),
            ))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
        {
            use chrono::Datelike;
            let at: chrono::DateTime<chrono::Utc> =
                row.try_get("", "at").unwrap_or_else(|e| panic!("{e}"));
            let local = (at + chrono::Duration::hours(7)).date_naive();
            let monday =
                local - chrono::Duration::days(i64::from(local.weekday().num_days_from_monday()));
            *by_week.entry(monday).or_default() += 1;
        }
        let cells = page.texts("#xu-huong-bang tbody td");
        if total == 0 {
            assert!(cells.is_empty(), "{group}: nothing achieved, no weeks");
            continue;
        }
        for week in cells.chunks(3) {
            let monday = chrono::NaiveDate::parse_from_str(&week[0], "%d/%m/%Y")
                .unwrap_or_else(|e| panic!("{}: {e}", week[0]));
            let added = by_week.get(&monday).copied().unwrap_or(0);
            let running: i64 = by_week.range(..=monday).map(|(_, n)| n).sum();
            assert_eq!(
                parse_number(&week[1]),
                added,
                "{group} week of {monday}: added"
            );
            assert_eq!(
                parse_number(&week[2]),
                running,
                "{group} week of {monday}: total"
            );
        }
        assert_eq!(
            parse_number(&cells[2]),
            total,
            "{group}: the trend ends at the total"
        );
    }
    assert_eq!(compared, 4 * 124);
    assert!(
        with_rate >= 124,
        "rates were compared ({with_rate} rows with a denominator)"
    );
}

/// Names in Vietnamese alphabetical order on both databases: "Hồ" before "Huỳnh", "Dương"
/// before "Đào", tones after letters.
async fn people_are_listed_in_vietnamese_order(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let names = [
        "Huỳnh Văn Nam",
        "Đào Thị Mai",
        "Hồ Thị Lan",
        "Dương Văn Tú",
        "Ông Văn Bảy",
        "Ong Văn Ba",
    ];
    for (i, name) in names.iter().enumerate() {
        let mut br = app.browser();
        let page = br
            .register(&format!("09120001{i:02}"), name, "1970", COMMUNE_A)
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let list = admin.get(&format!("/thong-ke/{COMMUNE_A}/nguoi")).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let shown: Vec<String> = list
        .texts("table#danh-sach tbody tr")
        .iter()
        .filter_map(|r| {
            names
                .iter()
                .find(|n| r.contains(**n))
                .map(|n| (*n).to_owned())
        })
        .collect();
    assert_eq!(
        shown,
        [
            "Dương Văn Tú",
            "Đào Thị Mai",
            "Hồ Thị Lan",
            "Huỳnh Văn Nam",
            "Ong Văn Ba",
            "Ông Văn Bảy",
        ]
    );
    assert!(
        list.text("#tong-so").starts_with("6 người"),
        "{}",
        list.text("#tong-so")
    );
    // A name search: part of a name, any case; `%` and `_` are taken literally.
    let found = admin
        .get(&format!("/thong-ke/{COMMUNE_A}/nguoi?ten=h%E1%BB%93"))
        .await;
    assert_eq!(
        found.texts("table#danh-sach tbody tr td a"),
        vec!["Hồ Thị Lan".to_owned()]
    );
    assert!(found.text("#tong-so").contains("1 người có tên chứa “hồ”"));
    let van = admin
        .get(&format!("/thong-ke/{COMMUNE_A}/nguoi?ten=V%C4%83n"))
        .await;
    assert_eq!(van.texts("table#danh-sach tbody tr").len(), 4);
    let wild = admin
        .get(&format!("/thong-ke/{COMMUNE_A}/nguoi?ten=%25"))
        .await;
    assert_eq!(wild.status, StatusCode::OK);
    assert!(wild.texts("table#danh-sach tbody tr").is_empty());
    assert!(wild.text("#tong-so").starts_with("0 người"));
}

/// The list of people behind the figures: scoped like the unit's page, phone and birth year
/// masked on the page, the follow-up export with phones; every view and export audited.
async fn people_lists_are_scoped_masked_and_audited(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut passer = app.learner("0912000011", COMMUNE_A).await;
    let attempt = passer.start_quiz().await;
    let _ = passer.answer_all(attempt, true).await;
    let _ = app.learner("0912000012", COMMUNE_A).await;
    let _ = app.learner("0912000013", COMMUNE_B).await;
    let audit = || async {
        hocvuso_db::repo::audit::recent(app.state.db.read(), 100)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };

    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let all = admin.get(&format!("/thong-ke/{COMMUNE_A}/nguoi")).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let rows = all.texts("table#danh-sach tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter().all(|r| r.contains("0912***01")),
        "phones masked: {rows:?}"
    );
    assert!(
        rows.iter().all(|r| r.contains("196x")),
        "birth years masked: {rows:?}"
    );
    assert!(
        !all.body.contains("0912000011"),
        "no full phone on the page"
    );
    assert_eq!(
        rows.iter().filter(|r| r.contains("Đạt ngày")).count(),
        1,
        "{rows:?}"
    );
    let open = admin
        .get(&format!("/thong-ke/{COMMUNE_A}/nguoi?loc=chua-dat"))
        .await;
    assert_eq!(open.texts("table#danh-sach tbody tr").len(), 1);
    let csv = admin.get(&format!("/thong-ke/{COMMUNE_A}/nguoi.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains(",0912000012,"), "{}", csv.body);
    assert!(
        !csv.body.contains("0912000011"),
        "only those who have not finished"
    );

    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let own = officer.get(&format!("/thong-ke/{COMMUNE_B}/nguoi")).await;
    assert_eq!(own.texts("table#danh-sach tbody tr").len(), 1);
    for path in [
        format!("/thong-ke/{COMMUNE_A}/nguoi"),
        format!("/thong-ke/{COMMUNE_A}/nguoi.csv"),
        "/thong-ke/00000/nguoi".to_owned(),
    ] {
        assert_eq!(
            officer.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            passer.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let entries = audit().await;
    let summary: Vec<(String, String)> = entries
        .iter()
        .map(|e| (e.action.clone(), e.subject.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("view_people".to_owned(), COMMUNE_B.to_owned()),
            ("export_people".to_owned(), COMMUNE_A.to_owned()),
            ("view_people".to_owned(), COMMUNE_A.to_owned()),
            ("view_people".to_owned(), COMMUNE_A.to_owned()),
        ],
        "every view and export, newest first; refused requests show nothing and log nothing"
    );
    assert!(
        entries[1].detail.contains("rows=1"),
        "{}",
        entries[1].detail
    );
    let log = admin.get("/thong-ke/nhat-ky").await;
    assert_eq!(log.texts("table#nhat-ky-bang tbody tr").len(), 4);
    // In words: what, which unit by name, the details without codes or key=value pairs.
    let row = log.texts("table#nhat-ky-bang tbody tr td");
    assert!(row.contains(&"Xem danh sách người".to_owned()), "{row:?}");
    assert!(row.contains(&"Phường Mũi Né".to_owned()), "{row:?}");
    assert!(
        !row.iter().any(|c| c.contains('=') || c == COMMUNE_A),
        "{row:?}"
    );
    assert!(row.iter().any(|c| c.contains("nhóm Người dân")), "{row:?}");
    assert_eq!(
        officer.get("/thong-ke/nhat-ky").await.status,
        StatusCode::FORBIDDEN
    );
}

/// A unit sees, for each competence, how many of its people finished a lesson that builds it
/// (each person once per competence); an officer of another commune does not.
async fn a_unit_sees_its_competence_coverage(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000031", Role::UnitOfficer, COMMUNE_A).await;
    let before = officer
        .get(&format!("/thong-ke/{COMMUNE_A}/nang-luc"))
        .await;
    assert_eq!(before.status, StatusCode::OK);
    let people_before = parse_number(&before.text("#so-nguoi"));
    assert_eq!(before.texts("tr[data-code]").len(), 24);
    let learned = |page: &super::util::Page, code: &str| {
        parse_number(&page.texts(&format!("tr[data-code=\"{code}\"] td.num"))[0])
    };
    assert_eq!(learned(&before, "4.2"), 0);

    // Lessons 1 (5.1 4.1) and 2 (2.6 4.2) for one learner; lesson 5 (4.2 4.1 1.2) for another.
    let mut one = app.learner("0912345621", COMMUNE_A).await;
    for n in [1, 2] {
        one.post(&format!("/khoa-hoc/ky-nang-so-co-ban/bai/{n}"), &[])
            .await;
    }
    let mut two = app.learner("0912345622", COMMUNE_A).await;
    two.post("/khoa-hoc/ky-nang-so-co-ban/bai/5", &[]).await;
    two.post("/khoa-hoc/ky-nang-so-co-ban/bai/5", &[]).await;
    let mut elsewhere = app.learner("0912345623", COMMUNE_B).await;
    elsewhere
        .post("/khoa-hoc/ky-nang-so-co-ban/bai/6", &[])
        .await;

    let after = officer
        .get(&format!("/thong-ke/{COMMUNE_A}/nang-luc"))
        .await;
    assert_eq!(parse_number(&after.text("#so-nguoi")), people_before + 2);
    for (code, n) in [
        ("4.2", 2),
        ("4.1", 2),
        ("5.1", 1),
        ("2.6", 1),
        ("1.2", 1),
        ("1.1", 0),
        ("6.1", 0),
    ] {
        assert_eq!(learned(&after, code), n, "competence {code}");
    }
    assert!(officer
        .get(&format!("/thong-ke/{COMMUNE_A}"))
        .await
        .attrs("#link-nang-luc", "href")
        .contains(&format!("/thong-ke/{COMMUNE_A}/nang-luc")));
    assert_eq!(
        officer
            .get(&format!("/thong-ke/{COMMUNE_B}/nang-luc"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

test_both!(
    a_unit_sees_its_competence_coverage,
    the_overview_trend_and_sub_units_follow_a_pass,
    weekly_counts_and_imported_figures_are_verified_too,
    people_lists_are_scoped_masked_and_audited,
    people_are_listed_in_vietnamese_order,
    every_figure_matches_an_independent_recount,
    the_tables_export_to_xlsx_and_csv,
    the_board_is_per_group,
    the_map_colours_communes_against_the_target,
    province_admin_sees_every_commune_with_live_figures,
    another_process_sees_new_units_and_denominators_at_once,
    a_commune_officer_sees_only_their_commune,
    a_province_with_missing_denominators_shows_what_it_knows,
    learners_and_visitors_see_no_figures,
    stats_verify_names_a_tampered_count,
    the_demo_gives_communes_different_figures,
    the_demo_is_the_same_for_the_same_seed,
);
