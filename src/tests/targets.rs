//! /thong-ke/chi-tieu: the province admin edits targets; all or nothing; history; the
//! dashboard follows at once; nobody else may.

use axum::http::StatusCode;
use hocvuso_db::repo::stats;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, COMMUNE_B};

async fn target(app: &TestApp, year: i32, group: &str, indicator: &str) -> Option<i32> {
    stats::target(app.state.db.read(), year, group, indicator)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn the_province_edits_targets_with_history(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let page = admin.get("/thong-ke/chi-tieu?nam=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.attrs("#t_adults_digital_skills", "value"),
        vec!["100".to_owned()],
        "seeded from the plan"
    );

    // One bad cell: nothing saved, the typed values kept, the message names the cell.
    let bad = admin
        .post(
            "/thong-ke/chi-tieu",
            &[
                ("nam", "2026"),
                ("t_adults_digital_skills", "95"),
                ("t_officials_digital_skills", "120"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad
        .text(".error-summary li")
        .contains("“120” không phải số phần trăm"));
    assert_eq!(
        bad.attrs("#t_adults_digital_skills", "value"),
        vec!["95".to_owned()]
    );
    assert_eq!(
        target(&app, 2026, "adults", "digital_skills").await,
        Some(100)
    );

    let saved = admin
        .post(
            "/thong-ke/chi-tieu",
            &[
                ("nam", "2026"),
                ("t_adults_digital_skills", "95%"),
                ("t_officials_digital_skills", "100"),
                ("t_youth_members_digital_skills", "70"),
                ("t_adults_vneid_confirmed", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), "/thong-ke/chi-tieu?nam=2026&da-luu=3");
    assert_eq!(
        target(&app, 2026, "adults", "digital_skills").await,
        Some(95)
    );
    assert_eq!(
        target(&app, 2026, "youth_members", "digital_skills").await,
        Some(70)
    );
    assert_eq!(
        target(&app, 2026, "adults", "vneid_confirmed").await,
        None,
        "removed"
    );
    let page = admin.get(saved.location()).await;
    let history = page.texts("table#lich-su tbody tr");
    assert_eq!(history.len(), 3, "{history:?}");
    assert!(
        history.iter().any(|r| r.contains("100%95%Cán Bộ Thử")),
        "{history:?}"
    );
    assert!(history.iter().any(|r| r.contains("80%—")), "{history:?}");
    let board = admin.get("/thong-ke?nam=2026").await;
    assert_eq!(
        board.text(&format!(
            "tr[data-code=\"{COMMUNE_A}\"] td[data-field=\"target\"]"
        )),
        "95%",
        "the dashboard follows at once"
    );
}

async fn nobody_else_edits_targets(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    for br in [&mut officer, &mut learner] {
        assert_eq!(
            br.get("/thong-ke/chi-tieu").await.status,
            StatusCode::FORBIDDEN
        );
        let posted = br
            .post(
                "/thong-ke/chi-tieu",
                &[("nam", "2026"), ("t_adults_digital_skills", "1")],
            )
            .await;
        assert_eq!(posted.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        target(&app, 2026, "adults", "digital_skills").await,
        Some(100)
    );
}

test_both!(
    the_province_edits_targets_with_history,
    nobody_else_edits_targets
);
