//! Account recovery without email: a staff reset (temporary password, changed at the next
//! login, audited, scoped) and a code by SMS (rate-limited, expires, locks after wrong tries).

use axum::http::StatusCode;
use chrono::Duration;
use hocvuso_db::repo::audit;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, COMMUNE_B, PASSWORD};

async fn a_helper_resets_a_residents_password(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut resident = app.learner("0912345678", COMMUNE_B).await;
    assert_eq!(resident.get("/hoc").await.status, StatusCode::OK);

    // A helper of another commune may not; the helper of the resident's commune may.
    let mut far = app.staff("0900000004", Role::Helper, COMMUNE_A).await;
    let page = far
        .post("/ho-tro/mat-khau", &[("phone", "0912 345 678")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Someone elsewhere is answered exactly like a number nobody has (no enumeration).
    let far_unknown = far
        .post("/ho-tro/mat-khau", &[("phone", "0977000000")])
        .await;
    assert_eq!(page.text(".field-error"), far_unknown.text(".field-error"));
    assert!(page.text(".field-error").contains("Không có tài khoản nào"));
    let mut helper = app.staff("0900000003", Role::Helper, COMMUNE_B).await;
    assert!(helper.get("/hoc").await.body.contains("href=\"/ho-tro\""));
    let unknown = helper
        .post("/ho-tro/mat-khau", &[("phone", "0977000000")])
        .await;
    assert!(unknown.body.contains("Không có tài khoản nào"));
    let slip = helper
        .post("/ho-tro/mat-khau", &[("phone", "0912 345 678")])
        .await;
    assert_eq!(slip.status, StatusCode::OK, "{}", slip.body);
    let temporary = slip.text("#mat-khau-tam");
    assert_eq!(temporary.len(), 8);
    let audited = audit::recent(app.state.db.read(), 10)
        .await
        .unwrap_or_default()
        .iter()
        .filter(|e| e.action == "reset_password")
        .count();
    assert_eq!(audited, 1);
    // Staff accounts are the province's to reset.
    let staff = helper
        .post("/ho-tro/mat-khau", &[("phone", "0900000003")])
        .await;
    assert!(
        staff.body.contains("chỉ quản trị cấp tỉnh"),
        "{}",
        staff.body
    );

    // The old session ended; the old password no longer works; the temporary one leads to
    // the change of password, then the new one works.
    assert_eq!(resident.get("/hoc").await.status, StatusCode::SEE_OTHER);
    let mut b2 = app.browser();
    assert_ne!(b2.login("0912345678", PASSWORD).await.location(), "/hoc");
    let login = b2.login("0912345678", &temporary).await;
    assert_eq!(login.location(), "/doi-mat-khau");
    let form = b2.get("/doi-mat-khau").await;
    assert!(form.body.contains("mật khẩu tạm thời"));
    let mismatch = b2
        .post(
            "/doi-mat-khau",
            &[
                ("current", &temporary),
                ("password", "mat-khau-moi-1"),
                ("repeat", "khac-han-1"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = b2
        .post(
            "/doi-mat-khau",
            &[
                ("current", &temporary),
                ("password", "mat-khau-moi-1"),
                ("repeat", "mat-khau-moi-1"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let mut b3 = app.browser();
    assert_eq!(
        b3.login("0912345678", "mat-khau-moi-1").await.location(),
        "/hoc"
    );
    // A learner cannot reach the staff page.
    assert_eq!(
        b3.get("/ho-tro/mat-khau").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn a_code_by_sms_resets_a_password(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    app.learner("0912345678", COMMUNE_B).await;
    let mut b1 = app.browser();
    // A number without an account gets the same answer (no one learns who has an account).
    let none = b1.post("/quen-mat-khau", &[("phone", "0977000000")]).await;
    assert_eq!(none.status, StatusCode::SEE_OTHER);
    assert!(app.state.sms.last_sent_to("0977000000").is_none());
    let sent = b1.post("/quen-mat-khau", &[("phone", "0912345678")]).await;
    assert_eq!(sent.location(), "/quen-mat-khau/ma?so=0912345678");
    let text = app
        .state
        .sms
        .last_sent_to("0912345678")
        .unwrap_or_else(|| panic!("a code was sent"));
    let code: String = text
        .split_whitespace()
        .find(|w| {
            w.trim_end_matches('.').len() == 6
                && w.trim_end_matches('.').bytes().all(|b| b.is_ascii_digit())
        })
        .map(|w| w.trim_end_matches('.').to_owned())
        .unwrap_or_else(|| panic!("no code in {text}"));
    let wrong = if code == "000000" { "111111" } else { "000000" };

    let short = b1
        .post(
            "/quen-mat-khau/ma",
            &[
                ("phone", "0912345678"),
                ("code", &code),
                ("password", "ngan"),
            ],
        )
        .await;
    assert!(short.body.contains("ít nhất 8 ký tự"));
    for _ in 0..4 {
        let page = b1
            .post(
                "/quen-mat-khau/ma",
                &[
                    ("phone", "0912345678"),
                    ("code", wrong),
                    ("password", "mat-khau-moi-1"),
                ],
            )
            .await;
        assert!(page.body.contains("Mã không đúng"), "{}", page.body);
    }
    let good = b1
        .post(
            "/quen-mat-khau/ma",
            &[
                ("phone", "0912345678"),
                ("code", &code),
                ("password", "mat-khau-moi-1"),
            ],
        )
        .await;
    assert_eq!(good.location(), "/dang-nhap?da-doi=1", "{}", good.body);
    assert_eq!(
        b1.login("0912345678", "mat-khau-moi-1").await.location(),
        "/hoc"
    );
    // A used code does not work twice.
    let again = b1
        .post(
            "/quen-mat-khau/ma",
            &[
                ("phone", "0912345678"),
                ("code", &code),
                ("password", "mat-khau-moi-2"),
            ],
        )
        .await;
    assert!(again.body.contains("Mã không đúng"));

    // Five wrong tries lock a code; three codes an hour per number; an hour later, more.
    b1.post("/quen-mat-khau", &[("phone", "0912345678")]).await;
    for _ in 0..4 {
        b1.post(
            "/quen-mat-khau/ma",
            &[
                ("phone", "0912345678"),
                ("code", wrong),
                ("password", "mat-khau-moi-3"),
            ],
        )
        .await;
    }
    let locked = b1
        .post(
            "/quen-mat-khau/ma",
            &[
                ("phone", "0912345678"),
                ("code", wrong),
                ("password", "mat-khau-moi-3"),
            ],
        )
        .await;
    assert!(locked.body.contains("quá 5 lần"), "{}", locked.body);
    b1.post("/quen-mat-khau", &[("phone", "0912345678")]).await;
    let limited = b1.post("/quen-mat-khau", &[("phone", "0912345678")]).await;
    assert_eq!(limited.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(limited.body.contains("3 mã trong một giờ"));
    app.clock.advance(Duration::minutes(61));
    let later = b1.post("/quen-mat-khau", &[("phone", "0912345678")]).await;
    assert_eq!(later.status, StatusCode::SEE_OTHER);
    // Codes expire after 10 minutes.
    let fresh = app.state.sms.last_sent_to("0912345678").unwrap_or_default();
    let fresh_code: String = fresh
        .split_whitespace()
        .find(|w| {
            w.trim_end_matches('.').len() == 6
                && w.trim_end_matches('.').bytes().all(|b| b.is_ascii_digit())
        })
        .map(|w| w.trim_end_matches('.').to_owned())
        .unwrap_or_default();
    app.clock.advance(Duration::minutes(11));
    let expired = b1
        .post(
            "/quen-mat-khau/ma",
            &[
                ("phone", "0912345678"),
                ("code", &fresh_code),
                ("password", "mat-khau-moi-4"),
            ],
        )
        .await;
    assert!(expired.body.contains("Mã không đúng hoặc đã hết hạn"));
}

test_both!(
    a_helper_resets_a_residents_password,
    a_code_by_sms_resets_a_password
);
