//! /ho-tro: a helper registers a resident on their behalf (consent recorded, a slip, the
//! temporary password changed at the first login), logs the help given, and the commune sees
//! its team's activity.

use axum::http::StatusCode;
use hocvuso_db::repo::{people, roster as repo};
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, COMMUNE_B};
use crate::services::people::roster::{self, Mode};

async fn a_helper_registers_a_resident(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut helper = app.staff("0900000003", Role::Helper, COMMUNE_B).await;
    let hub = helper.get("/ho-tro").await;
    assert_eq!(hub.status, StatusCode::OK);
    assert!(hub.body.contains("Xuân Hương"));

    let fields = [
        ("full_name", "Nguyễn Thị Hoa"),
        ("phone", "0912 345 678"),
        ("birth_year", "1958"),
        ("place", "Nhà văn hoá thôn 3"),
    ];
    // Without the resident's consent nothing is written, and every other error shows too.
    let refused = helper
        .post(
            "/ho-tro/dang-ky",
            &[("full_name", ""), ("phone", "12"), ("birth_year", "1958")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = refused.texts(".error-summary li");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[2].contains("đồng ý"), "{errors:?}");
    let refused = helper.post("/ho-tro/dang-ky", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(people::person_by_phone(app.state.db.read(), "0912345678")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .is_none());

    let mut with_consent = fields.to_vec();
    with_consent.push(("consent", "yes"));
    let slip = helper.post("/ho-tro/dang-ky", &with_consent).await;
    assert_eq!(slip.status, StatusCode::OK, "{}", slip.body);
    assert_eq!(slip.text("#so-dang-nhap"), "0912345678");
    let temporary = slip.text("#mat-khau-tam");
    assert_eq!(temporary.len(), 8);
    // Registered again: the number has an account now.
    let twice = helper.post("/ho-tro/dang-ky", &with_consent).await;
    assert!(twice.body.contains("đã được đăng ký"), "{}", twice.body);

    // The resident logs in with the slip and is asked for a password of their own — before
    // anything else: every other page and form leads back to the change.
    let mut resident = app.browser();
    assert_eq!(
        resident.login("0912345678", &temporary).await.location(),
        "/doi-mat-khau"
    );
    for path in ["/hoc", "/hoc/nang-luc", "/khoa-hoc/ky-nang-so-co-ban/bai/1"] {
        let page = resident.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location(), "/doi-mat-khau", "{path}");
    }
    let start = resident
        .post("/khoa-hoc/ky-nang-so-co-ban/kiem-tra", &[])
        .await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    assert_eq!(
        start.location(),
        "/doi-mat-khau",
        "no quiz before the change"
    );
    assert_eq!(resident.get("/doi-mat-khau").await.status, StatusCode::OK);
    let changed = resident
        .post(
            "/doi-mat-khau",
            &[
                ("current", temporary.as_str()),
                ("password", "hoa-tu-dat-2026"),
                ("repeat", "hoa-tu-dat-2026"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(changed.location(), "/hoc?da-doi-mat-khau=1");
    assert_eq!(
        resident.get("/hoc").await.status,
        StatusCode::OK,
        "open now"
    );

    // The help is in the log; the commune's page shows the team's activity.
    let hub = helper.get("/ho-tro").await;
    assert_eq!(hub.texts("table#nhat-ky-cua-toi tbody tr").len(), 1);
    let bad = helper
        .post(
            "/ho-tro/nhat-ky",
            &[("topic", ""), ("place", " "), ("day", "31/12/2099")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.texts(".error-summary li").len(), 3);
    let ok = helper
        .post(
            "/ho-tro/nhat-ky",
            &[
                ("topic", "Cài đặt và kích hoạt VNeID"),
                ("place", "Tại nhà người dân"),
                ("day", "24/11/2026"),
                ("phone", "0912345678"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/ho-tro?da-ghi=1", "{}", ok.body);
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let page = officer.get(&format!("/thong-ke/{COMMUNE_B}")).await;
    assert_eq!(
        page.text("#hoat-dong"),
        "2 lần hỗ trợ, trong đó 1 lần đăng ký tài khoản giúp người dân."
    );
    assert!(page.text("table#theo-thanh-vien").contains("Cán Bộ Thử"));

    // Only helpers and officers of a commune have this page.
    let mut learner = app.learner("0911111111", COMMUNE_A).await;
    assert_eq!(learner.get("/ho-tro").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        learner.post("/ho-tro/dang-ky", &with_consent).await.status,
        StatusCode::FORBIDDEN
    );
}

/// A resident already on the commune's roster gets a login on their record: no duplicate.
async fn a_resident_from_the_roster_is_not_duplicated(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let scope = roster::province_scope(app.state.db.read())
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("province"));
    let csv = format!(
        "Họ và tên,Ngày sinh,Số điện thoại,Mã xã,Nhóm\nLê Thị Cúc,1958,0912345678,{COMMUNE_B},Người dân\n"
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
    assert!(report.applied, "{:?}", report.errors);
    let before = repo::people_by_keys(app.state.db.read(), &[], &["0912345678".to_owned()])
        .await
        .unwrap_or_default();
    assert_eq!(before.len(), 1);

    let mut helper = app.staff("0900000003", Role::Helper, COMMUNE_B).await;
    let slip = helper
        .post(
            "/ho-tro/dang-ky",
            &[
                ("full_name", "Lê Thị Cúc"),
                ("phone", "0912345678"),
                ("birth_year", "1958"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(slip.status, StatusCode::OK, "{}", slip.body);
    let after = repo::people_by_keys(app.state.db.read(), &[], &["0912345678".to_owned()])
        .await
        .unwrap_or_default();
    assert_eq!(after.len(), 1);
    assert_eq!(
        after[0].id, before[0].id,
        "the roster's record got the login"
    );
    let m = people::memberships(app.state.db.read(), after[0].id)
        .await
        .unwrap_or_default();
    assert_eq!(m.len(), 1, "no second membership");
    // Self-registration with a roster phone claims the record too.
    let csv = format!(
        "Họ và tên,Ngày sinh,Số điện thoại,Mã xã,Nhóm\nTrần Văn Bình,1960,0987654321,{COMMUNE_B},Người dân\n"
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
    let mut b2 = app.browser();
    let page = b2
        .register("0987654321", "Trần Văn Bình", "1960", COMMUNE_B)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let found = repo::people_by_keys(app.state.db.read(), &[], &["0987654321".to_owned()])
        .await
        .unwrap_or_default();
    assert_eq!(found.len(), 1);
    app.verify_ok().await;
}

test_both!(
    a_helper_registers_a_resident,
    a_resident_from_the_roster_is_not_duplicated
);

/// A child registered by a helper: nothing is written without the consent of the parent or
/// guardian who is there; with it, the consent is kept, recorded by the helper.
async fn a_helper_registers_a_child_only_with_a_parents_consent(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut helper = app.staff("0900000003", Role::Helper, COMMUNE_B).await;
    let child = [
        ("full_name", "Lê Minh Khôi"),
        ("phone", "0912 345 679"),
        ("birth_year", "2015"),
        ("consent", "yes"),
    ];
    let refused = helper.post("/ho-tro/dang-ky", &child).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = refused.texts(".error-summary li");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("dưới 16 tuổi"), "{errors:?}");
    assert!(
        errors[1].contains("cha, mẹ hoặc người giám hộ"),
        "{errors:?}"
    );
    assert!(people::person_by_phone(app.state.db.read(), "0912345679")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .is_none());

    let mut with_parent = child.to_vec();
    with_parent.push(("parent_name", "Lê Văn Tâm"));
    with_parent.push(("parent_consent", "yes"));
    let slip = helper.post("/ho-tro/dang-ky", &with_parent).await;
    assert_eq!(slip.status, StatusCode::OK, "{}", slip.body);
    assert_eq!(slip.text("#so-dang-nhap"), "0912345679");
    let person = people::person_by_phone(app.state.db.read(), "0912345679")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("registered"));
    let consent = hocvuso_db::repo::classes::parent_consent_of(app.state.db.read(), person.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the parent's consent is kept"));
    assert_eq!(consent.parent_name, "Lê Văn Tâm");
    let helper_id = people::person_by_phone(app.state.db.read(), "0900000003")
        .await
        .ok()
        .flatten()
        .map(|p| p.id);
    assert_eq!(Some(consent.recorded_by), helper_id);
    // An adult registered the same way needs no parent.
    let adult = [
        ("full_name", "Lê Thị Thu"),
        ("phone", "0912 345 680"),
        ("birth_year", "1975"),
        ("consent", "yes"),
    ];
    assert_eq!(
        helper.post("/ho-tro/dang-ky", &adult).await.status,
        StatusCode::OK
    );
}

test_both!(a_helper_registers_a_child_only_with_a_parents_consent);
