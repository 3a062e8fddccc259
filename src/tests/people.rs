//! /nguoi/{id}: full personal data only for the staff who look after the person, every view
//! and export audited; erasure keeps the counts (stats verify).

use axum::http::StatusCode;
use hocvuso_db::repo::{audit, people};
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, COMMUNE_B};

async fn person_id(app: &TestApp, phone: &str) -> i64 {
    people::person_by_phone(app.state.db.read(), phone)
        .await
        .ok()
        .flatten()
        .map(|p| p.id)
        .unwrap_or_else(|| panic!("no person {phone}"))
}

async fn audited(app: &TestApp, action: &str, subject: i64) -> usize {
    audit::recent(app.state.db.read(), 1000)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .filter(|e| e.action == action && e.subject == subject.to_string())
        .count()
}

async fn a_persons_page_is_scoped_and_audited(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let _learner = app.learner("0912345678", COMMUNE_B).await;
    let id = person_id(&app, "0912345678").await;

    // The commune's list masks the phone and links to the person's page, which shows it whole.
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let list = officer
        .get(&format!("/thong-ke/{COMMUNE_B}/nguoi?nhom=adults"))
        .await;
    assert!(list.body.contains("0912***678"));
    assert!(!list.body.contains("0912345678"));
    assert!(list
        .attrs("table#danh-sach a", "href")
        .contains(&format!("/nguoi/{id}")));
    let page = officer.get(&format!("/nguoi/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.text("#dien-thoai"), "0912345678");
    assert_eq!(audited(&app, "view_person", id).await, 1);
    assert!(!page.has("a[href$='/xoa']"), "officers do not erase");

    let (status, json) = officer
        .get_bytes(&format!("/nguoi/{id}/du-lieu.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let json = String::from_utf8_lossy(&json);
    assert!(json.contains("\"so_dien_thoai\":\"0912345678\""), "{json}");
    assert!(json.contains("Phường Xuân Hương"), "{json}");
    assert_eq!(audited(&app, "export_person", id).await, 1);

    // Another commune's officer, a learner, a stranger: no (by guessed URL too).
    let mut other = app.staff("0900000003", Role::UnitOfficer, COMMUNE_A).await;
    for path in [format!("/nguoi/{id}"), format!("/nguoi/{id}/du-lieu.json")] {
        assert_eq!(
            other.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let mut learner = app.learner("0911111111", COMMUNE_B).await;
    assert_eq!(
        learner.get(&format!("/nguoi/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other.get("/nguoi/999999").await.status,
        StatusCode::FORBIDDEN,
        "an unknown id looks the same as a forbidden one"
    );
    let mut stranger = app.browser();
    assert_eq!(
        stranger.get(&format!("/nguoi/{id}")).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        audited(&app, "view_person", id).await,
        1,
        "refusals see nothing"
    );
}

async fn erasure_keeps_the_counts(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut learner = app.learner("0912345678", COMMUNE_B).await;
    learner.read_all_lessons().await;
    let attempt = learner.start_quiz().await;
    learner.answer_all(attempt, true).await;
    assert_eq!(app.achieved(COMMUNE_B).await, 1);
    let id = person_id(&app, "0912345678").await;

    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    assert_eq!(
        officer.get(&format!("/nguoi/{id}/xoa")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        officer.post(&format!("/nguoi/{id}/xoa"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let form = admin.get(&format!("/nguoi/{id}/xoa")).await;
    assert_eq!(form.status, StatusCode::OK);
    let done = admin.post(&format!("/nguoi/{id}/xoa"), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = admin.get(done.location()).await;
    assert!(page.has("#da-xoa"));
    assert_eq!(page.text("#dien-thoai"), "—");
    assert_eq!(audited(&app, "erase_person", id).await, 1);

    // The count stays; the person can no longer log in; nothing identifying is left.
    assert_eq!(app.achieved(COMMUNE_B).await, 1);
    app.verify_ok().await;
    let p = people::person_by_id(app.state.db.read(), id)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("row kept"));
    assert_eq!(
        (p.phone, p.citizen_id, p.birth_year, p.birth_date),
        (None, None, None, None)
    );
    assert!(!p.full_name.contains("Hoa"));
    let mut again = app.browser();
    let login = again.login("0912345678", super::util::PASSWORD).await;
    assert_ne!(
        login.status,
        StatusCode::SEE_OTHER,
        "no login after erasure"
    );
    // Staff are not erased this way.
    let staff_id = person_id(&app, "0900000002").await;
    assert_eq!(
        admin
            .post(&format!("/nguoi/{staff_id}/xoa"), &[])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

test_both!(
    a_persons_page_is_scoped_and_audited,
    erasure_keeps_the_counts
);
