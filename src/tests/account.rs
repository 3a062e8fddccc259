//! /dang-ky, /dang-nhap, /dang-xuat: registration, login, sessions and CSRF.

use axum::http::StatusCode;
use hocvuso_db::repo::{org, people};
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, PASSWORD};

async fn person_count(app: &TestApp) -> i64 {
    people::max_person_id(app.state.db.read())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn registers_and_normalises_the_phone(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.browser();
    let form = br.get("/dang-ky").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("input#phone"));
    // The details come only after the phone number is proved.
    assert_eq!(br.get("/dang-ky/thong-tin").await.location(), "/dang-ky");
    let sent = br.post("/dang-ky", &[("phone", "0912 345 678")]).await;
    assert_eq!(sent.location(), "/dang-ky/ma?so=0912345678");
    let code = app.last_code("0912345678");
    let proved = br
        .post("/dang-ky/ma", &[("phone", "0912345678"), ("code", &code)])
        .await;
    assert_eq!(proved.location(), "/dang-ky/thong-tin");
    let details = br.get("/dang-ky/thong-tin").await;
    assert_eq!(
        details
            .attrs("select#commune_code option[value]", "value")
            .len(),
        125,
        "124 communes + the empty choice"
    );
    // People who know only their commune's old name find it.
    let labels = details.texts("select#commune_code option");
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("Phường Mũi Né (trước đây:") && l.contains("Xã Thiện Nghiệp")),
        "{labels:?}"
    );
    // Without the consent under the privacy notice, nothing is stored.
    let refused = br
        .post(
            "/dang-ky/thong-tin",
            &[
                ("full_name", "Nguyễn Thị Hoa"),
                ("birth_year", "1960"),
                ("commune_code", COMMUNE_A),
                ("password", "mat-khau-rat-dai"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("#consent-loi").contains("đồng ý"),
        "{}",
        refused.body
    );
    assert!(refused.text("#ve-du-lieu").contains("dữ liệu cá nhân"));
    assert!(people::person_by_phone(app.state.db.read(), "0912345678")
        .await
        .ok()
        .flatten()
        .is_none());
    let mut br = app.browser();
    let page = br
        .register("+84 912 345 678", "Nguyễn Thị Hoa", "1960", COMMUNE_A)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/hoc");
    let db = app.state.db.read();
    let person = people::person_by_phone(db, "0912345678")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("stored in the normalised form"));
    assert_eq!(person.full_name, "Nguyễn Thị Hoa");
    let commune = org::by_code(db, COMMUNE_A)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("commune"));
    let memberships = people::memberships(db, person.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(memberships.len(), 1);
    assert_eq!(
        (memberships[0].group_code.as_str(), memberships[0].unit_id),
        ("adults", commune.id)
    );
    let home = br.get("/hoc").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Nguyễn Thị Hoa"));
    // The consent is recorded, by the person themselves, with the text they agreed to.
    let consents = hocvuso_db::repo::support::consents_of(db, person.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(consents.len(), 1);
    assert_eq!(consents[0].recorded_by, person.id);
    assert_eq!(
        consents[0].text,
        crate::services::accounts::sign_in::SELF_CONSENT_TEXT
    );
}

/// A child under 16 who registers themselves needs a parent's or guardian's name and consent
/// (children's data, Nghị định 13/2023/NĐ-CP Điều 20): without them nothing is written; with
/// them the parent's consent is kept beside the child's own.
async fn a_child_registers_only_with_a_parents_consent(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let before = person_count(&app).await;
    let mut br = app.browser();
    let sent = br.post("/dang-ky", &[("phone", "0912345678")]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let code = app.last_code("0912345678");
    br.post("/dang-ky/ma", &[("phone", "0912345678"), ("code", &code)])
        .await;
    let form = br.get("/dang-ky/thong-tin").await;
    assert!(
        form.has("fieldset#cha-me input#parent_name"),
        "{}",
        form.body
    );
    let child = |parent: &'static str, agreed: &'static str| {
        vec![
            ("full_name", "Phạm Minh An"),
            ("birth_year", "2013"),
            ("commune_code", COMMUNE_A),
            ("password", "mat-khau-rat-dai"),
            ("consent", "1"),
            ("parent_name", parent),
            ("parent_consent", agreed),
        ]
    };
    let refused = br.post("/dang-ky/thong-tin", &child(" ", "")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("#parent_name-loi").contains("dưới 16 tuổi"),
        "{}",
        refused.body
    );
    assert!(refused.text("#parent_consent-loi").contains("cha, mẹ"));
    let refused = br
        .post("/dang-ky/thong-tin", &child("Phạm Thị Lan", ""))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.attrs("input#parent_name", "value"),
        vec!["Phạm Thị Lan".to_owned()],
        "what was typed stays"
    );
    assert_eq!(person_count(&app).await, before, "nothing written");

    let ok = br
        .post("/dang-ky/thong-tin", &child("Phạm Thị Lan", "1"))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let db = app.state.db.read();
    let person = people::person_by_phone(db, "0912345678")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("registered"));
    let consent = hocvuso_db::repo::classes::parent_consent_of(db, person.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the parent's consent is recorded"));
    assert_eq!(consent.parent_name, "Phạm Thị Lan");
    assert_eq!(consent.recorded_by, person.id);
    assert_eq!(
        consent.text,
        crate::services::accounts::sign_in::PARENT_CONSENT_TEXT
    );

    // Someone of 16 or more is not asked.
    let mut older = app.browser();
    let page = older
        .register_with(
            "0912345679",
            "Lê Văn Lớn",
            "2010",
            COMMUNE_A,
            "mat-khau-rat-dai",
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let older = people::person_by_phone(db, "0912345679")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("registered"));
    assert!(
        hocvuso_db::repo::classes::parent_consent_of(db, older.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none(),
        "a parent's fields sent by a 16-year-old are not recorded"
    );
}

async fn rejects_bad_and_duplicate_registrations(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let before = person_count(&app).await;
    let mut br = app.browser();
    let page = br.register("12345", "", "1890", "99999").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.has(".error-summary"));
    let errors = page.texts(".field-error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("Số điện thoại di động gồm 10 chữ số"),
        "{errors:?}"
    );
    assert!(
        page.body.contains("value=\"12345\""),
        "the typed value is kept"
    );
    // A proved number, then every wrong detail at once.
    let page = br.register("0912000111", "", "1890", "99999").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = page.texts(".field-error");
    assert_eq!(errors.len(), 3, "{errors:?}");
    let weak = br
        .register_with("0912000111", "Lê Văn An", "1970", COMMUNE_A, "12345678")
        .await;
    assert!(
        weak.text(".field-error").contains("quá dễ đoán"),
        "a common password is refused: {}",
        weak.body
    );
    assert_eq!(person_count(&app).await, before, "nothing stored");

    // A number that has an account: the page answers exactly as for a new one, and the SMS
    // (which only the phone's owner reads) says so instead of giving a code.
    let _ = app.learner("0987654321", COMMUNE_A).await;
    let after_first = person_count(&app).await;
    let mut other = app.browser();
    let fresh = other.post("/dang-ky", &[("phone", "0911000222")]).await;
    let taken = other.post("/dang-ky", &[("phone", "098 765 4321")]).await;
    assert_eq!(taken.status, fresh.status);
    assert_eq!(taken.location(), "/dang-ky/ma?so=0987654321");
    let sms = app
        .state
        .sms
        .last_sent_to("0987654321")
        .unwrap_or_else(|| panic!("a message"));
    assert!(sms.contains("da co tai khoan"), "{sms}");
    let guess = other
        .post(
            "/dang-ky/ma",
            &[("phone", "0987654321"), ("code", "123456")],
        )
        .await;
    assert_eq!(guess.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(person_count(&app).await, after_first, "no second person");
}

async fn a_form_without_a_valid_csrf_token_is_refused(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let before = person_count(&app).await;
    let mut br = app.browser();
    let _ = br.get("/dang-ky").await;
    let fields = [
        ("phone", "0912345678"),
        ("full_name", "Lê Văn An"),
        ("birth_year", "1970"),
        ("commune_code", COMMUNE_A),
        ("password", PASSWORD),
    ];
    let page = br.post_raw("/dang-ky", &fields).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.text("h1").contains("Biểu mẫu đã hết hạn"));
    let mut forged = vec![("csrf_token", "0000")];
    forged.extend_from_slice(&fields);
    assert_eq!(
        br.post_raw("/dang-ky", &forged).await.status,
        StatusCode::FORBIDDEN
    );
    // A token from another browser does not fit this browser's cookie.
    let mut other = app.browser();
    let token = other.csrf().await;
    let mut stolen = vec![("csrf_token", token.as_str())];
    stolen.extend_from_slice(&fields);
    assert_eq!(
        br.post_raw("/dang-ky", &stolen).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(person_count(&app).await, before, "nothing stored");
}

async fn login_logout_and_revoked_sessions(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut first = app.learner("0911111111", COMMUNE_A).await;
    let _ = first.post("/dang-xuat", &[]).await;

    let mut br = app.browser();
    let wrong = br.login("0911111111", "sai-mat-khau").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.text(".field-error"),
        "Số điện thoại hoặc mật khẩu không đúng."
    );
    // The message stands by the password; the phone field is not marked wrong and keeps what
    // was typed.
    assert_eq!(
        wrong.attrs("#password", "aria-describedby"),
        vec!["password-loi".to_owned()]
    );
    assert!(wrong.attrs("#phone", "aria-describedby").is_empty());
    assert_eq!(
        wrong.attrs("#phone", "value"),
        vec!["0911111111".to_owned()]
    );
    assert!(
        wrong.body.contains("Hiện mật khẩu"),
        "a show-password control"
    );
    let unknown = br.login("0933333333", PASSWORD).await;
    assert_eq!(
        unknown.text(".field-error"),
        "Số điện thoại hoặc mật khẩu không đúng.",
        "same answer for an unknown number"
    );

    let ok = br.login("091 111 1111", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/hoc");
    let session_cookie = br
        .cookies
        .get("hv_session")
        .cloned()
        .unwrap_or_else(|| panic!("session cookie"));
    assert_eq!(br.get("/hoc").await.status, StatusCode::OK);

    let out = br.post("/dang-xuat", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!br.cookies.contains_key("hv_session"));
    // The old cookie no longer works: the session was ended on the server.
    br.cookies.insert("hv_session".into(), session_cookie);
    let after = br.get("/hoc").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(
        after.location().starts_with("/dang-nhap?tiep=%2Fhoc"),
        "{}",
        after.location()
    );
}

async fn repeated_wrong_passwords_lock_the_account(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let _ = app.learner("0922222222", COMMUNE_A).await;
    let mut br = app.browser();
    for _ in 0..4 {
        assert_eq!(
            br.login("0922222222", "sai-mat-khau").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let locked = br.login("0922222222", "sai-mat-khau").await;
    assert!(
        locked
            .text(".field-error")
            .contains("Đã nhập sai nhiều lần"),
        "{}",
        locked.body
    );
    let still = br.login("0922222222", PASSWORD).await;
    assert!(
        still.text(".field-error").contains("Đã nhập sai nhiều lần"),
        "even the right password waits, from this client"
    );
    // The owner, on another phone, is not locked out by someone else's guesses.
    let mut owner = app.browser();
    assert_eq!(
        owner.login("0922222222", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        br.login("0922222222", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

async fn login_returns_only_to_local_pages(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let _ = app.learner("0944444444", COMMUNE_A).await;
    for (next, lands) in [
        ("//evil.example/x", "/hoc"),
        ("https://evil.example/x", "/hoc"),
        // Issue 16, item 6: browsers drop tabs and newlines, so these would leave the site.
        ("/\t/evil.example/x", "/hoc"),
        ("/\n/evil.example/x", "/hoc"),
        ("/\\evil.example/x", "/hoc"),
        ("\t//evil.example/x", "/hoc"),
        ("/khoa-hoc/ky-nang-so-co-ban", "/khoa-hoc/ky-nang-so-co-ban"),
    ] {
        let mut br = app.browser();
        let fields = [
            ("phone", "0944444444"),
            ("password", PASSWORD),
            ("tiep", next),
        ];
        assert_eq!(
            br.post("/dang-nhap", &fields).await.location(),
            lands,
            "{next}"
        );
    }
}

test_both!(
    a_child_registers_only_with_a_parents_consent,
    registers_and_normalises_the_phone,
    rejects_bad_and_duplicate_registrations,
    a_form_without_a_valid_csrf_token_is_refused,
    login_logout_and_revoked_sessions,
    repeated_wrong_passwords_lock_the_account,
    login_returns_only_to_local_pages,
);

async fn simultaneous_cold_sessions_each_find_their_own_person(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let names = ["Lê Thị Mai", "Trần Văn Sơn", "K'Brêu"];
    let mut browsers = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let mut br = app.browser();
        let phone = format!("090000010{i}");
        assert_eq!(
            br.register(&phone, name, "1970", COMMUNE_A).await.status,
            StatusCode::SEE_OTHER
        );
        browsers.push(br);
    }
    // Registration does not fill the session cache, so these three lookups are cold and may
    // share one batched query.
    let [mut a, mut b2, mut c]: [super::util::Browser<'_>; 3] = browsers
        .try_into()
        .unwrap_or_else(|_| panic!("three browsers"));
    let (pa, pb, pc) = tokio::join!(a.get("/hoc"), b2.get("/hoc"), c.get("/hoc"));
    for (page, own) in [(pa, 0), (pb, 1), (pc, 2)] {
        assert_eq!(page.status, StatusCode::OK);
        let who = page.text(".who");
        assert_eq!(who, names[own]);
    }
    let mut stranger = app.browser();
    stranger
        .cookies
        .insert("hv_session".into(), "forged.0000".into());
    assert_eq!(stranger.get("/hoc").await.status, StatusCode::SEE_OTHER);
}

test_both!(simultaneous_cold_sessions_each_find_their_own_person);
