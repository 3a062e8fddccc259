//! /to-chuc: the province manages units, officers and their history; roll-ups follow moves,
//! and a merger moves members with their counts (stats verify).

use axum::http::StatusCode;
use hocvuso_db::repo::{org, people};
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, COMMUNE_B};
use crate::services::people::roster::{self, Mode};

async fn unit_of(app: &TestApp, phone: &str) -> Option<String> {
    let db = app.state.db.read();
    let p = people::person_by_phone(db, phone).await.ok().flatten()?;
    let m = people::memberships(db, p.id).await.ok()?;
    let u = org::by_id(db, m.first()?.unit_id).await.ok().flatten()?;
    Some(u.code)
}

async fn the_province_manages_its_units(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    assert_eq!(admin.get("/to-chuc").await.location(), "/to-chuc/68");
    assert_eq!(admin.get("/to-chuc/68").await.status, StatusCode::OK);

    // Add: refused without a name, with a taken code, or a kind the parent cannot hold.
    let bad = admin
        .post(
            &format!("/to-chuc/{COMMUNE_B}/them"),
            &[("kind", "school"), ("name", " "), ("code", COMMUNE_A)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.texts(".error-summary li").len(), 2, "{}", bad.body);
    let bad = admin
        .post(
            "/to-chuc/68/them",
            &[("kind", "village"), ("name", "Thôn 1")],
        )
        .await;
    assert!(bad.body.contains("Hãy chọn loại đơn vị"));
    let ok = admin
        .post(
            &format!("/to-chuc/{COMMUNE_B}/them"),
            &[
                ("kind", "school"),
                ("name", "Trường Tiểu học Xuân Hương"),
                ("code", "TH-XH1"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    admin
        .post(
            &format!("/to-chuc/{COMMUNE_A}/them"),
            &[
                ("kind", "school"),
                ("name", "Trường Tiểu học Mũi Né"),
                ("code", "TH-MN1"),
            ],
        )
        .await;
    let auto = admin
        .post(
            &format!("/to-chuc/{COMMUNE_B}/them"),
            &[("kind", "village"), ("name", "Thôn 3")],
        )
        .await;
    assert_eq!(auto.status, StatusCode::SEE_OTHER);
    let page = admin.get(&format!("/to-chuc/{COMMUNE_B}")).await;
    let codes = page.attrs("table#truc-thuoc tbody tr", "data-code");
    assert_eq!(codes.len(), 2, "{codes:?}");
    assert!(codes.contains(&format!("{COMMUNE_B}-2")), "{codes:?}");

    // A learner of commune B passes; the roster puts her adults membership in the school.
    let mut learner = app.learner("0912345678", COMMUNE_B).await;
    learner.read_all_lessons().await;
    let attempt = learner.start_quiz().await;
    learner.answer_all(attempt, true).await;
    let scope = roster::province_scope(app.state.db.read())
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("province"));
    let csv = format!(
        "Họ và tên,Năm sinh,Số điện thoại,Mã xã,Nhóm,Mã đơn vị\nNguyễn Thị Hoa,1960,0912345678,{COMMUNE_B},Người dân,TH-XH1\n"
    );
    let report = roster::run(
        &app.state,
        &scope,
        None,
        "r.csv",
        csv.into_bytes(),
        Mode::Apply,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.moved, 1, "{:?}", report.errors);
    assert_eq!(unit_of(&app, "0912345678").await.as_deref(), Some("TH-XH1"));
    assert_eq!(app.achieved(COMMUNE_B).await, 0, "the commune's own count");
    app.verify_ok().await;

    // Assign an officer to the school: they reach the school's figures, not the commune's.
    let mut staff = app.learner("0987654321", COMMUNE_B).await;
    let assigned = admin
        .post(
            "/to-chuc/TH-XH1/giao",
            &[("phone", "0987654321"), ("role", "unit_officer")],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    assert_eq!(staff.get("/thong-ke/TH-XH1").await.status, StatusCode::OK);
    assert_eq!(
        staff.get(&format!("/thong-ke/{COMMUNE_B}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        staff.get("/to-chuc/TH-XH1").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        staff
            .post("/to-chuc/TH-XH1/doi-ten", &[("name", "X")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Merge the school into the one in commune A: member, count and officer move with it.
    let wrong = admin
        .post(
            "/to-chuc/TH-XH1/gop",
            &[("into", &format!("{COMMUNE_B}-2"))],
        )
        .await;
    assert!(wrong.body.contains("cùng loại"), "{}", wrong.body);
    let merged = admin
        .post("/to-chuc/TH-XH1/gop", &[("into", "TH-MN1")])
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    assert_eq!(unit_of(&app, "0912345678").await.as_deref(), Some("TH-MN1"));
    assert_eq!(staff.get("/thong-ke/TH-MN1").await.status, StatusCode::OK);
    let board = admin.get("/thong-ke?nam=2026&nhom=adults").await;
    let achieved = |code: &str| {
        board.text(&format!(
            "tr[data-code=\"{code}\"] td[data-field=\"achieved\"]"
        ))
    };
    assert_eq!(achieved(COMMUNE_A), "1");
    assert_eq!(achieved(COMMUNE_B), "0");
    app.verify_ok().await;
    // Old records naming the merged school land in the one it joined.
    let csv = format!(
        "Họ và tên,Năm sinh,Số điện thoại,Mã xã,Nhóm,Mã đơn vị\nLê Thị Cúc,2012,0356000111,{COMMUNE_A},Học sinh,TH-XH1\n"
    );
    roster::run(
        &app.state,
        &scope,
        None,
        "r2.csv",
        csv.into_bytes(),
        Mode::Apply,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unit_of(&app, "0356000111").await.as_deref(), Some("TH-MN1"));

    // Move the school under commune B: the roll-up follows at once.
    let moved = admin
        .post("/to-chuc/TH-MN1/chuyen", &[("parent", COMMUNE_B)])
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let board = admin.get("/thong-ke?nam=2026&nhom=adults").await;
    assert_eq!(
        board.text(&format!(
            "tr[data-code=\"{COMMUNE_B}\"] td[data-field=\"achieved\"]"
        )),
        "1"
    );
    let refused = admin
        .post(&format!("/to-chuc/{COMMUNE_A}/chuyen"), &[("parent", "68")])
        .await;
    assert!(
        refused.body.contains("không chuyển được"),
        "{}",
        refused.body
    );
    app.verify_ok().await;

    // Renames and everything above are in the history, with who did them.
    admin
        .post(
            "/to-chuc/TH-MN1/doi-ten",
            &[("name", "Trường Tiểu học Mũi Né 1")],
        )
        .await;
    let history = admin
        .get("/to-chuc/TH-MN1")
        .await
        .texts("table#lich-su tbody tr");
    assert_eq!(history.len(), 4, "{history:?}");
    assert!(history[0].contains("Đổi tên: “Trường Tiểu học Mũi Né” → “Trường Tiểu học Mũi Né 1”"));
    assert!(history
        .iter()
        .any(|h| h.contains("Nhận sáp nhập Trường Tiểu học Xuân Hương (TH-XH1)")));
    assert!(history.iter().all(|h| h.contains("Cán Bộ Thử")));
}

test_both!(the_province_manages_its_units);
