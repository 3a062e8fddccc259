//! /lop-hoc: a unit opens a class with sessions; learners register (a waiting list when full,
//! the first waiting moving up when someone cancels); a learner checks in with the code on the
//! trainer's screen, and attending enough sessions completes the course through the spine —
//! the commune's live figure moves at once; the trainer ticks the list too; other units see
//! nothing of it; bad input writes nothing.

use axum::http::StatusCode;
use hocvuso_db::repo::training;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, COMMUNE_B};

const COURSE: &str = "ky-nang-so-co-ban";

async fn classes(app: &TestApp) -> usize {
    training::classes(app.state.db.read(), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .len()
}

async fn a_class_counts_in_the_live_figures(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut officer_a = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    let mut first = app.learner("0911111111", COMMUNE_B).await;
    let mut second = app.learner("0922222222", COMMUNE_B).await;
    let mut elsewhere = app.learner("0933333333", COMMUNE_A).await;

    // The tests' clock: 25/11/2026 10:00 in Vietnam. One session now, one tomorrow.
    let class = [
        ("ten", "Lớp kỹ năng số cho người cao tuổi, khóa 1"),
        ("don_vi", COMMUNE_B),
        ("khoa_hoc", COURSE),
        ("nhom", ""),
        ("suc_chua", "1"),
        ("giang_vien", "Trần Văn Bình"),
        ("ty_le", "50"),
        (
            "buoi",
            "25/11/2026 09:30-11:30 Nhà văn hoá tổ dân phố 5\n26/11/2026 08:00-10:00 Nhà văn hoá tổ dân phố 5",
        ),
    ];
    let opened = officer_b.post("/lop-hoc/quan-ly/moi", &class).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let path = opened.location().trim_end_matches("?xong=da-mo").to_owned();
    let id: i64 = path
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{path}"));

    // Learners of the commune see it; one of another commune neither sees nor joins it.
    let list = first.get("/lop-hoc").await;
    assert!(
        list.text("#cac-lop").contains("người cao tuổi"),
        "{}",
        list.body
    );
    assert!(!elsewhere.get("/lop-hoc").await.has("#cac-lop"));
    let refused = elsewhere.post(&format!("/lop-hoc/{id}/dang-ky"), &[]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    // …nor does another commune's officer reach the class.
    assert_eq!(officer_a.get(&path).await.status, StatusCode::NOT_FOUND);

    // One place: the first registers, the second waits; registering twice changes nothing.
    let r1 = first.post(&format!("/lop-hoc/{id}/dang-ky"), &[]).await;
    assert_eq!(r1.location(), "/lop-hoc?xong=da-dang-ky");
    let twice = first.post(&format!("/lop-hoc/{id}/dang-ky"), &[]).await;
    assert_eq!(twice.location(), "/lop-hoc?xong=da-co");
    let r2 = second.post(&format!("/lop-hoc/{id}/dang-ky"), &[]).await;
    assert_eq!(r2.location(), "/lop-hoc?xong=danh-sach-cho");

    // The trainer's screen shows the code of the session on now.
    let page = officer_b.get(&path).await;
    assert_eq!(page.text("#so-dang-ky"), "1 / 1 chỗ, 1 người chờ");
    let screens = page.attrs("a[href$='/ma']", "href");
    assert_eq!(
        screens.len(),
        1,
        "only the session on now has a code: {screens:?}"
    );
    assert_eq!(
        officer_a.get(&screens[0]).await.status,
        StatusCode::NOT_FOUND
    );
    let screen = officer_b.get(&screens[0]).await;
    let code = screen.text("#ma-diem-danh");
    assert_eq!(code.len(), 6, "{}", screen.body);
    assert!(screen.has(".qr-diem-danh svg"));

    // Someone waiting has no session to check in to; a wrong code is refused.
    let waiting = second.post("/diem-danh", &[("ma", &code)]).await;
    assert_eq!(waiting.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(waiting.text("#ma-loi").contains("không có buổi học"));
    let wrong = first.post("/diem-danh", &[("ma", "AAAAAA")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text("#ma-loi").contains("không đúng"));

    // Checked in with the code (typed in small letters): 1 of 2 sessions is the rule's 50 %,
    // so the course is complete and the commune's figure moves at once.
    let before = app.achieved(COMMUNE_B).await;
    let present = first
        .post("/diem-danh", &[("ma", &code.to_lowercase())])
        .await;
    assert_eq!(present.status, StatusCode::OK, "{}", present.body);
    assert!(present.text("#da-diem-danh").contains("Đã điểm danh"));
    assert_eq!(app.achieved(COMMUNE_B).await, before + 1);
    let page = officer_b.get(&path).await;
    assert_eq!(page.text("#so-hoan-thanh"), "1");
    let mine = first.get("/hoc").await;
    assert_eq!(mine.status, StatusCode::OK);

    // A minute and a half later the code on the screen has changed: the old one is refused.
    app.clock.advance(chrono::Duration::seconds(90));
    let old = first.post("/diem-danh", &[("ma", &code)]).await;
    assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The first gives up the place; the one waiting takes it, and the trainer ticks them
    // present on the list.
    let gave_up = first.post(&format!("/lop-hoc/{id}/huy"), &[]).await;
    assert_eq!(gave_up.location(), "/lop-hoc?xong=da-huy");
    let page = officer_b.get(&path).await;
    assert_eq!(page.text("#so-dang-ky"), "1 / 1 chỗ");
    let sessions = training::sessions(app.state.db.read(), id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let second_id = hocvuso_db::repo::people::person_by_phone(app.state.db.read(), "0922222222")
        .await
        .ok()
        .flatten()
        .map(|p| p.id)
        .unwrap_or_else(|| panic!("registered"));
    let before = app.achieved(COMMUNE_B).await;
    let ticked = officer_b
        .post(
            &format!("{path}/buoi/{}", sessions[0].id),
            &[("co-mat", &second_id.to_string())],
        )
        .await;
    assert_eq!(ticked.status, StatusCode::SEE_OTHER, "{}", ticked.body);
    assert_eq!(app.achieved(COMMUNE_B).await, before + 1);
    // Every change of the list is in the audit log, by whom and for whom.
    let audit = hocvuso_db::repo::audit::recent(app.state.db.read(), 50)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        audit
            .iter()
            .any(|e| e.action == "training_mark" && e.subject == second_id.to_string()),
        "{audit:?}"
    );
    // Another class's session (or a made-up one) is not found under this class.
    let other = officer_b.post(&format!("{path}/buoi/999999"), &[]).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(
        officer_a
            .post(&format!("{path}/buoi/{}", sessions[0].id), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The report per organising unit: one class, two sessions, one place taken now, two people
    // present once at least, two completed (the one who gave up the place kept the completion).
    let list = officer_b.get("/lop-hoc/quan-ly").await;
    assert_eq!(
        list.texts("#theo-don-vi tbody td"),
        vec!["Phường Xuân Hương - Đà Lạt", "1", "2", "1", "2", "2"]
    );
    let (status, report) = officer_b.get_bytes("/lop-hoc/quan-ly/bao-cao.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(report.starts_with(b"PK"));
    assert!(officer_a
        .get("/lop-hoc/quan-ly")
        .await
        .texts("#theo-don-vi tbody td")
        .is_empty());

    // The class's list as a workbook, for its organiser only.
    let (status, xlsx) = officer_b.get_bytes(&format!("{path}/danh-sach.xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK"), "an XLSX (zip) file");
    assert_eq!(
        officer_a
            .get_bytes(&format!("{path}/danh-sach.xlsx"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // …and as a PDF to print, with the names and the result.
    let (status, pdf) = officer_b.get_bytes(&format!("{path}/danh-sach.pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = super::util::pdf_text(&pdf) {
        assert!(text.contains("Hoàn thành"), "{text}");
    }
    assert_eq!(
        officer_a
            .get_bytes(&format!("{path}/danh-sach.pdf"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, report) = officer_b.get_bytes("/lop-hoc/quan-ly/bao-cao.pdf").await;
    assert_eq!(status, StatusCode::OK);
    if let Some(text) = super::util::pdf_text(&report) {
        assert!(text.contains("Xuân Hương"), "{text}");
    }

    // Two days on, no session is on: a code is refused whatever it is.
    app.clock.advance(chrono::Duration::days(2));
    let late = second.post("/diem-danh", &[("ma", &code)]).await;
    assert!(late.text("#ma-loi").contains("không có buổi học"));

    // Registering and cancelling in a loop is slowed down (20 an hour per person); another
    // learner is not.
    for _ in 0..20 {
        let r = first.post(&format!("/lop-hoc/{id}/huy"), &[]).await;
        assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS);
    }
    let looped = first.post(&format!("/lop-hoc/{id}/dang-ky"), &[]).await;
    assert_eq!(looped.status, StatusCode::TOO_MANY_REQUESTS);
    let other = second.post(&format!("/lop-hoc/{id}/huy"), &[]).await;
    assert_ne!(other.status, StatusCode::TOO_MANY_REQUESTS);
    app.verify_ok().await;
}

test_both!(a_class_counts_in_the_live_figures);

async fn a_bad_class_gets_a_clear_message_and_writes_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let good = [
        ("ten", "Lớp AI cho cán bộ xã"),
        ("don_vi", COMMUNE_B),
        ("khoa_hoc", COURSE),
        ("nhom", "officials"),
        ("suc_chua", "30"),
        ("giang_vien", "Trần Văn Bình"),
        ("ty_le", "80"),
        ("buoi", "01/12/2026 08:00-11:00 Hội trường UBND xã"),
    ];
    for (field, value, says) in [
        ("buoi", "", "ít nhất một buổi"),
        (
            "buoi",
            "01/12/2026 11:00-08:00 Hội trường",
            "kết thúc phải sau",
        ),
        ("buoi", "31/02/2026 08:00-11:00 Hội trường", "Dòng 1"),
        ("buoi", "01/12/2026 08:00-11:00", "nơi học"),
        ("suc_chua", "0", "Số chỗ"),
        ("ty_le", "120", "Tỷ lệ"),
        ("khoa_hoc", "khong-co", "khóa học"),
        ("don_vi", COMMUNE_A, "đơn vị tổ chức"),
    ] {
        let mut form = good.to_vec();
        for f in form.iter_mut() {
            if f.0 == field {
                f.1 = value;
            }
        }
        let page = officer_b.post("/lop-hoc/quan-ly/moi", &form).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        let errors = page.texts(".error-summary li");
        assert_eq!(errors.len(), 1, "{field}={value}: {errors:?}");
        assert!(errors[0].contains(says), "{field}={value}: {errors:?}");
    }
    assert_eq!(classes(&app).await, 0, "nothing was written");
    let ok = officer_b.post("/lop-hoc/quan-ly/moi", &good).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(classes(&app).await, 1);
    // A class for officials: an adult of the commune is not enrolled, with a plain reason.
    drop(app.learner("0911111111", COMMUNE_B).await);
    let path = ok.location().trim_end_matches("?xong=da-mo").to_owned();
    let enrol = officer_b
        .post(&format!("{path}/ghi-danh"), &[("dien_thoai", "0911111111")])
        .await;
    assert_eq!(enrol.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(enrol.text("#khong-duoc").contains("Không ghi danh được"));
}

test_both!(a_bad_class_gets_a_clear_message_and_writes_nothing);

/// A class whose rule also asks for the course's quiz: attending alone completes nothing; the
/// pass (after the attendance) completes the class's place, and the course through the spine.
async fn a_class_with_the_quiz_rule_completes_when_the_quiz_is_passed(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut learner = app.learner("0911111111", COMMUNE_B).await;
    let opened = officer
        .post(
            "/lop-hoc/quan-ly/moi",
            &[
                ("ten", "Lớp kỹ năng số có kiểm tra cuối khóa"),
                ("don_vi", COMMUNE_B),
                ("khoa_hoc", COURSE),
                ("nhom", ""),
                ("suc_chua", "10"),
                ("giang_vien", "Trần Văn Bình"),
                ("ty_le", "100"),
                ("kiem_tra", "1"),
                ("buoi", "25/11/2026 09:30-11:30 Nhà văn hoá tổ dân phố 5"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let path = opened.location().trim_end_matches("?xong=da-mo").to_owned();
    let id: i64 = path
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{path}"));
    assert!(officer
        .get(&path)
        .await
        .body
        .contains("đạt bài kiểm tra của khóa học"));
    let r = learner.post(&format!("/lop-hoc/{id}/dang-ky"), &[]).await;
    assert_eq!(r.location(), "/lop-hoc?xong=da-dang-ky");

    // Present at the only session: not complete yet, the figure does not move.
    let before = app.achieved(COMMUNE_B).await;
    let screens = officer.get(&path).await.attrs("a[href$='/ma']", "href");
    let screen = officer.get(&screens[0]).await;
    let code = screen.text("#ma-diem-danh");
    let present = learner.post("/diem-danh", &[("ma", &code)]).await;
    assert_eq!(present.status, StatusCode::OK, "{}", present.body);
    assert_eq!(app.achieved(COMMUNE_B).await, before);
    assert_eq!(officer.get(&path).await.text("#so-hoan-thanh"), "0");

    // The quiz passed: the class is complete and the commune's figure moves.
    learner.pass_course(COURSE).await;
    assert_eq!(officer.get(&path).await.text("#so-hoan-thanh"), "1");
    assert_eq!(app.achieved(COMMUNE_B).await, before + 1);
    app.verify_ok().await;
}
test_both!(a_class_with_the_quiz_rule_completes_when_the_quiz_is_passed);

/// An officer enrols a list of people at once: every line is checked first (one wrong line
/// and nobody is enrolled, each wrong line named); the class fills, then the waiting list;
/// people already in the class are counted as such.
async fn an_officer_enrols_a_list_of_people(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    for phone in ["0911111111", "0922222222", "0933333333"] {
        drop(app.learner(phone, COMMUNE_B).await);
    }
    drop(app.learner("0944444444", COMMUNE_A).await);
    let opened = officer_b
        .post(
            "/lop-hoc/quan-ly/moi",
            &[
                ("ten", "Lớp kỹ năng số cho cán bộ tổ dân phố"),
                ("don_vi", COMMUNE_B),
                ("khoa_hoc", COURSE),
                ("nhom", ""),
                ("suc_chua", "2"),
                ("giang_vien", "Trần Văn Bình"),
                ("ty_le", "100"),
                ("buoi", "26/11/2026 08:00-10:00 Nhà văn hoá tổ dân phố 5"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let path = opened.location().trim_end_matches("?xong=da-mo").to_owned();
    let id: i64 = path
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{path}"));
    let places = |app: &TestApp| {
        let db = app.state.db.read().clone();
        async move {
            training::places(&db, id)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .len()
        }
    };

    // A number not in the file and a person of another commune: nobody is enrolled.
    let wrong = officer_b
        .post(
            &format!("{path}/ghi-danh"),
            &[("dien_thoai", "0911111111\n0999999999\n0944444444\nabc")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let why = wrong.text("#khong-duoc");
    assert!(why.starts_with("Chưa ghi danh ai."), "{why}");
    assert!(
        why.contains("Dòng 2 (0999999999)") && why.contains("Dòng 3 (0944444444)"),
        "{why}"
    );
    assert!(why.contains("Dòng 4: «abc»"), "{why}");
    assert!(!why.contains("Dòng 1"), "{why}");
    assert_eq!(places(&app).await, 0);
    // What was typed comes back to be corrected.
    assert!(wrong.text("#dien_thoai").contains("0999999999"));

    // Three people (one twice) for two places.
    let done = officer_b
        .post(
            &format!("{path}/ghi-danh"),
            &[(
                "dien_thoai",
                "0911111111\n 0922222222 \n\n0933333333\n0911111111",
            )],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = officer_b.get(done.location()).await;
    assert_eq!(
        page.text("#xong"),
        "Đã ghi danh 2 người; 1 người vào danh sách chờ (lớp đã đủ chỗ)."
    );
    assert_eq!(places(&app).await, 3);
    let again = officer_b
        .post(&format!("{path}/ghi-danh"), &[("dien_thoai", "0922222222")])
        .await;
    let page = officer_b.get(again.location()).await;
    assert_eq!(
        page.text("#xong"),
        "Đã ghi danh 0 người; 1 người đã có trong lớp từ trước."
    );

    // At most 200 lines at once.
    let long = vec!["0911111111"; 201].join("\n");
    let refused = officer_b
        .post(&format!("{path}/ghi-danh"), &[("dien_thoai", &long)])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text("#khong-duoc").contains("tối đa 200"));
}

test_both!(an_officer_enrols_a_list_of_people);
