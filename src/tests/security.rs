//! Issue 16: what an outside review found, each as an attacker would try it. Every test here
//! failed on the code before the fix (the closing note says how each was proved).

use axum::http::StatusCode;
use hocvuso_db::repo::{audit, org, people};
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, Page, TestApp, COMMUNE_A, COMMUNE_B, PASSWORD};

const HEADER: &str =
    "STT,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Số định danh cá nhân,Mã xã,Nhóm";

async fn upload(br: &mut Browser<'_>, csv: &str) -> Page {
    let token = br.csrf().await;
    br.post_file(
        "/danh-sach/nhap",
        &[("csrf_token", &token)],
        "tep",
        "danh-sach.csv",
        csv.as_bytes(),
    )
    .await
}

async fn confirm(br: &mut Browser<'_>, preview: &Page) -> Page {
    let token = preview
        .attrs("form#nhap input[name=ma]", "value")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no confirm form in:\n{}", preview.body));
    br.post("/danh-sach/nhap/xac-nhan", &[("ma", &token)]).await
}

async fn person(app: &TestApp, phone: &str) -> people::Person {
    people::person_by_phone(app.state.db.read(), phone)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no person with {phone}"))
}

/// The takeover the review walked: a commune officer's two imports (give the admin's phone a
/// citizen ID, then give that citizen ID the attacker's phone) and the SMS reset. Each step
/// is now refused, and the dry run says nothing about who the admin is or where.
async fn an_officer_cannot_take_over_the_province_admin(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let _admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let step1 = format!(
        "{HEADER}\n1,Kẻ Tấn Công,05/03/1962,Nữ,0900000001,068162001234,{COMMUNE_B},Người dân\n"
    );
    let preview = upload(&mut officer, &step1).await;
    assert_eq!(preview.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = preview.texts(".error-summary li").join("\n");
    assert!(errors.contains("thuộc đơn vị khác"), "{errors}");
    assert!(
        !errors.contains("Cán Bộ") && !errors.contains("Tỉnh") && !errors.contains("quản trị"),
        "the dry run does not describe the person: {errors}"
    );
    assert!(!preview.has("form#nhap"), "nothing to confirm");
    let admin = person(&app, "0900000001").await;
    assert_eq!(admin.citizen_id, None, "the admin's record is untouched");

    // Even the province's own import never changes a staff record or a login's phone.
    let mut province = app.staff("0900000009", Role::ProvinceAdmin, "68").await;
    let rename = format!("{HEADER}\n1,Tên Khác,1980,Nam,0900000001,,{COMMUNE_B},Người dân\n");
    let preview = upload(&mut province, &rename).await;
    let errors = preview.texts(".error-summary li").join("\n");
    assert!(errors.contains("là cán bộ"), "{errors}");
    let learner = app.learner("0911111111", COMMUNE_B).await;
    drop(learner);
    let learner_row = person(&app, "0911111111").await;
    assert!(learner_row.citizen_id.is_none());
    // Match the learner by a citizen ID the import gives first, then move the login's phone.
    let give_id = format!(
        "{HEADER}\n1,Nguyễn Thị Hoa,05/03/1960,Nữ,0911111111,068160001234,{COMMUNE_B},Người dân\n"
    );
    let preview = upload(&mut officer, &give_id).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(confirm(&mut officer, &preview).await.status, StatusCode::OK);
    let swap = format!(
        "{HEADER}\n1,Nguyễn Thị Hoa,05/03/1960,Nữ,0966666666,068160001234,{COMMUNE_B},Người dân\n"
    );
    let preview = upload(&mut officer, &swap).await;
    let errors = preview.texts(".error-summary li").join("\n");
    assert!(errors.contains("đã có tài khoản đăng nhập"), "{errors}");
    assert_eq!(
        person(&app, "0911111111").await.phone.as_deref(),
        Some("0911111111")
    );

    // A staff account never gets a reset code by SMS.
    let mut anyone = app.browser();
    let sent = anyone
        .post("/quen-mat-khau", &[("phone", "0900000001")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let sms = app.state.sms.last_sent_to("0900000001").unwrap_or_default();
    assert!(sms.contains("can bo"), "told to ask the province: {sms}");
    assert!(
        !sms.split(|c: char| !c.is_ascii_digit())
            .any(|w| w.len() == 6),
        "no code for staff: {sms}"
    );
    for code in ["000000", "123456"] {
        let tried = anyone
            .post(
                "/quen-mat-khau/ma",
                &[
                    ("phone", "0900000001"),
                    ("code", code),
                    ("password", "mot-mat-khau-moi-dai"),
                ],
            )
            .await;
        assert_eq!(tried.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let mut real_admin = app.browser();
    assert_eq!(
        real_admin.login("0900000001", PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "the admin's password still works"
    );
}

/// Every person an import changes is in the audit log with the old values; dry runs too.
async fn imports_audit_each_change_and_each_dry_run(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let first = format!("{HEADER}\n1,Trần Văn Bình,1970,Nam,0987654321,,{COMMUNE_B},Người dân\n");
    let preview = upload(&mut officer, &first).await;
    confirm(&mut officer, &preview).await;
    let renamed = format!("{HEADER}\n1,Trần Văn Bính,1971,Nam,0987654321,,{COMMUNE_B},Người dân\n");
    let preview = upload(&mut officer, &renamed).await;
    confirm(&mut officer, &preview).await;
    let who = person(&app, "0987654321").await;
    let entries = audit::recent(app.state.db.read(), 50)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dry_runs = entries
        .iter()
        .filter(|e| e.action == "import_roster_dry_run")
        .count();
    assert_eq!(dry_runs, 2);
    let change = entries
        .iter()
        .find(|e| e.action == "roster_update" && e.subject == who.id.to_string())
        .unwrap_or_else(|| panic!("no audit of the change: {entries:?}"));
    assert!(
        change
            .detail
            .contains("họ tên: Trần Văn Bình → Trần Văn Bính"),
        "{}",
        change.detail
    );
    assert!(
        change.detail.contains("ngày sinh: 1970 → 1971"),
        "{}",
        change.detail
    );
}

/// Thirty tries sent at once on one account (29 wrong, the right one last) from one client
/// count like thirty sent one after another: at most five are checked, the right one does
/// not get in from that client, and the owner elsewhere is not locked out.
async fn a_parallel_burst_locks_like_a_serial_one(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    drop(app.learner("0922222222", COMMUNE_A).await);
    // The owner's usual phone, known from an earlier login there.
    let mut owner = app.browser();
    assert_eq!(
        owner.login("0922222222", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    owner.post("/dang-xuat", &[]).await;
    let peer = app.browser().peer;
    let mut browsers: Vec<Browser<'_>> = Vec::new();
    for _ in 0..30 {
        let mut br = app.browser();
        br.peer = peer;
        br.csrf().await;
        browsers.push(br);
    }
    let tries = browsers.iter_mut().enumerate().map(|(i, br)| async move {
        let password = if i == 29 { PASSWORD } else { "sai-mat-khau-1" };
        br.login("0922222222", password).await
    });
    let pages = futures_join_all(tries).await;
    let in_ = pages
        .iter()
        .filter(|p| p.status == StatusCode::SEE_OTHER)
        .count();
    let wrong = pages
        .iter()
        .filter(|p| p.status == StatusCode::UNPROCESSABLE_ENTITY && p.body.contains("không đúng"))
        .count();
    assert!(wrong <= 4, "at most five checked: {wrong} wrong answers");
    assert_eq!(in_, 0, "the right password, 30th in the burst, is refused");
    assert_eq!(
        owner.login("0922222222", PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "the owner on their own phone gets in"
    );
    // On a phone never used before, the number's limit holds the owner back only seconds.
    let mut new_phone = app.browser();
    let held = new_phone.login("0922222222", PASSWORD).await;
    if held.status == StatusCode::TOO_MANY_REQUESTS {
        let wait: u64 = held
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(u64::MAX);
        assert!(wait <= 60, "{wait}");
        app.clock
            .advance(chrono::Duration::seconds(i64::try_from(wait).unwrap_or(60)));
        assert_eq!(
            new_phone.login("0922222222", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
    }
}

/// `futures::future::join_all` without the dependency: runs the futures concurrently.
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let handles: Vec<_> = futures.map(Box::pin).collect();
    let mut out = Vec::with_capacity(handles.len());
    let mut pending: Vec<Option<std::pin::Pin<Box<F>>>> = handles.into_iter().map(Some).collect();
    let mut results: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (slot, result) in pending.iter_mut().zip(results.iter_mut()) {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        *result = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out.extend(results.into_iter().flatten());
    out
}

/// One client cannot try logins, codes or registrations without bound: 429 with
/// `Retry-After` and a Vietnamese page.
async fn floods_get_429_with_retry_after(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.browser();
    let mut limited = None;
    for i in 0..40 {
        let page = br.login(&format!("09120000{i:02}"), "sai-mat-khau-1").await;
        if page.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(page);
            break;
        }
    }
    let page = limited.unwrap_or_else(|| panic!("never limited"));
    assert!(page.headers.contains_key("retry-after"));
    assert!(page.text("h1").contains("Thử lại sau"));
    // Another client is not held back.
    let mut other = app.browser();
    assert_eq!(
        other.login("0912000001", "sai-mat-khau-1").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Codes by SMS: the same limit and the same words whether or not a number has an account.
    drop(app.learner("0933333333", COMMUNE_A).await);
    let mut asker = app.browser();
    let mut answers = Vec::new();
    for phone in ["0933333333", "0944444444"] {
        let mut last = None;
        for _ in 0..4 {
            last = Some(asker.post("/quen-mat-khau", &[("phone", phone)]).await);
        }
        let page = last.unwrap_or_else(|| panic!("asked"));
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        answers.push(page.text(".field-error"));
    }
    assert_eq!(
        answers[0], answers[1],
        "no difference tells who has an account"
    );
}

/// Unit paths are compared exactly: the officer of `thon_1` does not reach `thonx1` (`_` is a
/// `LIKE` wildcard).
async fn sibling_unit_codes_do_not_leak(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let db = app.state.db.write();
    let commune = org::by_code(db, COMMUNE_B)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("commune"));
    let now = crate::clock::Clock::now(app.clock.as_ref());
    for code in ["thon_1", "thonx1"] {
        org::insert(
            db,
            org::NewUnit {
                code,
                name: code,
                kind: hocvuso_domain::UnitKind::Village,
                commune_type: None,
                parent: Some(&commune),
            },
            now,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let sibling = org::by_code(db, "thonx1")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("thonx1"));
    let p = people::insert_person(
        db,
        people::NewPerson {
            full_name: "Người Thôn Bên",
            phone: Some("0977777777"),
            birth_year: Some(1970),
            residence_unit_id: None,
            confirmed_via: Some("roster"),
        },
        now,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    people::add_membership(db, p.id, "adults", sibling.id, now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut officer = app.staff("0900000002", Role::UnitOfficer, "thon_1").await;
    let list = officer.get("/thong-ke/thon_1/nguoi").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("Người Thôn Bên"), "{}", list.body);
    let csv = officer.get("/thong-ke/thon_1/nguoi.csv").await;
    assert!(!csv.body.contains("0977777777"));
    assert_eq!(
        officer.get("/thong-ke/thonx1").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        officer.get(&format!("/nguoi/{}", p.id)).await.status,
        StatusCode::FORBIDDEN
    );
    let ids = org::ids_under(app.state.db.read(), "/68/24781/thon_1/")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ids.len(), 1, "only thon_1 itself");
}

/// A self-registered learner's pass counts apart from the figures the province reports;
/// a roster match by citizen ID confirms them and moves the count; `stats verify` agrees at
/// every step.
async fn self_registrations_count_apart_until_confirmed(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut me = app.self_registered("0955555555", COMMUNE_B).await;
    me.read_all_lessons().await;
    let attempt = me.start_quiz().await;
    me.answer_all(attempt, true).await;
    assert_eq!(
        app.achieved(COMMUNE_B).await,
        0,
        "not in the reported figure"
    );
    let unit = org::by_code(app.state.db.read(), COMMUNE_B)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("commune"));
    let apart =
        hocvuso_db::repo::stats::pair_counts(app.state.db.read(), "adults", "digital_skills", None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        apart.get(&unit.id).map(|(_, unconfirmed)| *unconfirmed),
        Some(1)
    );
    app.verify_ok().await;
    // The dashboard shows them beside the figures, and the export too.
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let board = admin.get("/thong-ke?nam=2026").await;
    let row = format!("table#xep-hang tr[data-code=\"{COMMUNE_B}\"]");
    assert_eq!(board.text(&format!("{row} td[data-field=achieved]")), "0");
    assert_eq!(
        board.text(&format!("{row} td[data-field=unconfirmed]")),
        "1"
    );
    assert_eq!(board.text("#tinh-chua-xac-minh"), "1");
    let csv = admin.get("/thong-ke/xuat.csv?nam=2026").await;
    let line = csv
        .body
        .lines()
        .find(|l| l.contains(&format!(",{COMMUNE_B},")))
        .unwrap_or_else(|| panic!("{}", csv.body));
    assert!(line.ends_with(",1"), "{line}");
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let row = format!(
        "{HEADER}\n1,Nguyễn Thị Hoa,05/03/1960,Nữ,0955555555,068160001234,{COMMUNE_B},Người dân\n"
    );
    let preview = upload(&mut officer, &row).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    confirm(&mut officer, &preview).await;
    assert_eq!(app.achieved(COMMUNE_B).await, 1, "confirmed: counted");
    app.verify_ok().await;
}

/// A password change ends the person's other sessions; the login gives a new CSRF token.
async fn a_password_change_ends_other_sessions_and_login_rotates_csrf(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    drop(app.learner("0966000111", COMMUNE_A).await);
    let mut phone = app.browser();
    let before = phone.csrf().await;
    phone.login("0966000111", PASSWORD).await;
    let after = phone.csrf().await;
    assert_ne!(before, after, "a token seen before the login is not kept");
    let mut laptop = app.browser();
    laptop.login("0966000111", PASSWORD).await;
    assert_eq!(laptop.get("/hoc").await.status, StatusCode::OK);
    let changed = phone
        .post(
            "/doi-mat-khau",
            &[
                ("current", PASSWORD),
                ("password", "mot-cau-de-nho-2026"),
                ("repeat", "mot-cau-de-nho-2026"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(
        phone.get("/hoc").await.status,
        StatusCode::OK,
        "this one stays"
    );
    assert_eq!(
        laptop.get("/hoc").await.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
}

/// Only the province admin changes a login's phone, on the person's page: audited with the
/// old value, and the person's sessions end.
async fn only_the_province_changes_a_login_phone(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut learner = app.learner("0911222333", COMMUNE_B).await;
    let who = person(&app, "0911222333").await;
    let path = format!("/nguoi/{}/sua", who.id);
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    assert_eq!(officer.get(&path).await.status, StatusCode::FORBIDDEN);
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let form = admin.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    let bad = admin
        .post(&path, &[("full_name", "Nguyễn Thị Hoa"), ("phone", "12")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = admin
        .post(
            &path,
            &[("full_name", "Nguyễn Thị Hoa"), ("phone", "0911222444")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        person(&app, "0911222444").await.id,
        who.id,
        "the new number is theirs"
    );
    assert_eq!(
        learner.get("/hoc").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
    let entries = audit::recent(app.state.db.read(), 20)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let edit = entries
        .iter()
        .find(|e| e.action == "edit_person")
        .unwrap_or_else(|| panic!("{entries:?}"));
    assert!(
        edit.detail
            .contains("số điện thoại: 0911222333 → 0911222444"),
        "{}",
        edit.detail
    );
}

test_both!(
    only_the_province_changes_a_login_phone,
    an_officer_cannot_take_over_the_province_admin,
    imports_audit_each_change_and_each_dry_run,
    a_parallel_burst_locks_like_a_serial_one,
    floods_get_429_with_retry_after,
    sibling_unit_codes_do_not_leak,
    self_registrations_count_apart_until_confirmed,
    a_password_change_ends_other_sessions_and_login_rotates_csrf,
);

/// At most as many password hashes run at once as there are permits, however many arrive.
#[tokio::test]
async fn password_hashing_is_bounded() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let limits = Arc::new(crate::services::shared::limits::Limits::default());
    let permits = limits.hashing.available_permits();
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..(permits * 4) {
        let (l, r, m) = (limits.clone(), running.clone(), most.clone());
        tasks.push(tokio::spawn(async move {
            l.hash(move || {
                let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                m.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                r.fetch_sub(1, Ordering::SeqCst);
            })
            .await
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    assert!(most.load(Ordering::SeqCst) <= permits);
    assert!(most.load(Ordering::SeqCst) >= 1);
}

/// A person who really moved: the new commune's officer asks (by citizen ID), the old
/// commune's officer approves, the person and their counts move, and the new officer's roster
/// then reaches them. Asking tells nothing about whether the key exists elsewhere.
async fn a_person_who_moved_is_transferred_by_request(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let row_b = format!(
        "{HEADER}\n1,Nguyễn Thị Hoa,05/03/1960,Nữ,0912345678,068160001234,{COMMUNE_B},Người dân\n"
    );
    let preview = upload(&mut officer_b, &row_b).await;
    confirm(&mut officer_b, &preview).await;
    let who = person(&app, "0912345678").await;
    // She learns and passes while in commune B.
    let mut learner = app.browser();
    let page = learner
        .register("0912345678", "Nguyễn Thị Hoa", "1960", COMMUNE_B)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    learner.read_all_lessons().await;
    let attempt = learner.start_quiz().await;
    learner.answer_all(attempt, true).await;
    assert_eq!(app.achieved(COMMUNE_B).await, 1);

    let mut officer_a = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    let row_a = row_b.replace(COMMUNE_B, COMMUNE_A);
    let refused = upload(&mut officer_a, &row_a).await;
    assert!(refused.body.contains("thuộc đơn vị khác"));
    // Asking about a key nobody has looks exactly like asking about her.
    let nobody = officer_a
        .post(
            "/danh-sach/chuyen",
            &[("key", "068170009999"), ("nhom", "adults")],
        )
        .await;
    let asked = officer_a
        .post(
            "/danh-sach/chuyen",
            &[("key", "068160001234"), ("nhom", "adults")],
        )
        .await;
    assert_eq!(nobody.location(), asked.location());
    assert_eq!(asked.location(), "/danh-sach/chuyen?xong=da-gui");
    let mine = officer_a.get("/danh-sach/chuyen").await;
    assert!(!mine.has("#de-nghi-den li"), "the asker cannot decide");
    assert!(!mine.body.contains("Nguyễn Thị Hoa"), "nor see her name");
    let mut third = app.staff("0900000007", Role::UnitOfficer, "22924").await;
    assert!(
        !third.get("/danh-sach/chuyen").await.has("#de-nghi-den li"),
        "an officer elsewhere sees nothing"
    );
    let incoming = officer_b.get("/danh-sach/chuyen").await;
    let ids = incoming.attrs("#de-nghi-den li", "data-id");
    assert_eq!(ids.len(), 1, "{}", incoming.body);
    assert!(incoming.text("#de-nghi-den li").contains("Nguyễn Thị Hoa"));
    let decided = officer_b
        .post(
            &format!("/danh-sach/chuyen/{}", ids[0]),
            &[("quyet", "dong-y"), ("ghi_chu", "Đã chuyển hộ khẩu")],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert_eq!(app.achieved(COMMUNE_B).await, 0, "her count left B");
    assert_eq!(app.achieved(COMMUNE_A).await, 1, "and came to A");
    let moved = person(&app, "0912345678").await;
    assert_eq!(moved.id, who.id);
    let a = org::by_code(app.state.db.read(), COMMUNE_A)
        .await
        .ok()
        .flatten()
        .map(|u| u.id);
    assert_eq!(moved.residence_unit_id, a);
    app.verify_ok().await;
    // A decided request cannot be decided again.
    let again = officer_b
        .post(
            &format!("/danh-sach/chuyen/{}", ids[0]),
            &[("quyet", "tu-choi")],
        )
        .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    let now_ok = upload(&mut officer_a, &row_a).await;
    assert_eq!(now_ok.status, StatusCode::OK, "{}", now_ok.body);
    let status = officer_a.get("/danh-sach/chuyen").await;
    assert!(status.text("#de-nghi-di").contains("Đã đồng ý"));
}

test_both!(a_person_who_moved_is_transferred_by_request);

/// Forms with a file are counted per person before the body is read: a loop of uploads stops
/// at the hour's limit with 429; another officer is not held back; an hour later it goes on.
async fn forms_with_a_file_are_limited_per_person(b: TestBackend) {
    use crate::services::shared::limits::UPLOADS_PER_HOUR;
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    let token = officer.csrf().await;
    let fields = [("csrf_token", token.as_str())];
    for i in 0..UPLOADS_PER_HOUR {
        let page = officer
            .post_file("/tin-tuc/quan-ly/moi", &fields, "anh", "", b"")
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "upload {i}");
    }
    let stopped = officer
        .post_file("/tin-tuc/quan-ly/moi", &fields, "anh", "", b"")
        .await;
    assert_eq!(stopped.status, StatusCode::TOO_MANY_REQUESTS);
    let report_file = officer
        .post_file("/ke-hoach/1/cap-nhat", &fields, "tep", "", b"")
        .await;
    assert_eq!(
        report_file.status,
        StatusCode::TOO_MANY_REQUESTS,
        "every form with a file"
    );

    let mut other = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let token = other.csrf().await;
    let page = other
        .post_file(
            "/tin-tuc/quan-ly/moi",
            &[("csrf_token", token.as_str())],
            "anh",
            "",
            b"",
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    app.clock.advance(chrono::Duration::minutes(61));
    let again = officer
        .post_file("/tin-tuc/quan-ly/moi", &fields, "anh", "", b"")
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
}

test_both!(forms_with_a_file_are_limited_per_person);
