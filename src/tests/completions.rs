//! /thong-ke/hoan-thanh: results from the national platform. Dry run writes nothing; the
//! import counts each person through the spine (their groups' live counts, `stats verify`);
//! the same file again changes nothing; bad files are refused with their lines and nothing is
//! written; people not known here are refused, or left out and listed when asked; only the
//! province admin imports. The course itself is listed for learners with its deep link and
//! has no quiz here.

use axum::http::StatusCode;
use hocvuso_db::repo::learning;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, Page, TestApp, COMMUNE_B};
use crate::services::monitoring::completions::{self, Mode, Request};

const COURSE: &str = "binh-dan-hoc-vu-so-quoc-gia";

/// Two adults and a student of commune B, with citizen IDs; the first has an account (she
/// registered with her phone before the roster named her).
fn roster_csv() -> String {
    format!(
        "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Số định danh cá nhân,Mã xã,Nhóm\n\
         Nguyễn Thị Hoa,1960,Nữ,0911111111,068160001234,{COMMUNE_B},Người dân\n\
         Trần Văn Bình,1970,Nam,,068070001235,{COMMUNE_B},Người dân\n\
         Lê Thị Cúc,12/12/2008,Nữ,,068308000111,{COMMUNE_B},Học sinh\n"
    )
}

const RESULTS: &str = "KẾT QUẢ HOÀN THÀNH\n\
    STT,Họ và tên,Số định danh cá nhân,Ngày hoàn thành\n\
    1,Nguyễn Thị Hoa,068160001234,15/08/2025\n\
    2,TRẦN VĂN BÌNH,68070001235,2025-09-01\n\
    ,,,\n\
    3,Lê Thị Cúc,068308000111,01/10/2025\n";

async fn load_roster(app: &TestApp, admin: &mut Browser<'_>) {
    let token = admin.csrf().await;
    let preview = admin
        .post_file(
            "/danh-sach/nhap",
            &[("csrf_token", &token)],
            "tep",
            "r.csv",
            roster_csv().as_bytes(),
        )
        .await;
    let ma = preview
        .attrs("form#nhap input[name=ma]", "value")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("roster refused:\n{}", preview.body));
    let done = admin.post("/danh-sach/nhap/xac-nhan", &[("ma", &ma)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    app.verify_ok().await;
}

async fn upload(br: &mut Browser<'_>, bytes: &[u8], skip_unknown: bool) -> Page {
    let token = br.csrf().await;
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("khoa", COURSE),
        ("nguon", "Nền tảng Bình dân học vụ số, xuất ngày 20/11/2026"),
    ];
    if skip_unknown {
        fields.push(("bo-qua", "1"));
    }
    br.post_file("/thong-ke/hoan-thanh", &fields, "tep", "ket-qua.csv", bytes)
        .await
}

async fn confirm(br: &mut Browser<'_>, preview: &Page) -> Page {
    let field = |name: &str| {
        preview
            .attrs(&format!("form#nhap input[name={name}]"), "value")
            .into_iter()
            .next()
    };
    let ma = field("ma").unwrap_or_else(|| panic!("no confirm form in:\n{}", preview.body));
    let (khoa, nguon) = (
        field("khoa").unwrap_or_default(),
        field("nguon").unwrap_or_default(),
    );
    let mut fields = vec![
        ("ma", ma.as_str()),
        ("khoa", khoa.as_str()),
        ("nguon", nguon.as_str()),
    ];
    let bo_qua = field("bo-qua");
    if let Some(b) = &bo_qua {
        fields.push(("bo-qua", b.as_str()));
    }
    br.post("/thong-ke/hoan-thanh/nhap", &fields).await
}

async fn completions_of_course(app: &TestApp) -> usize {
    let db = app.state.db.read();
    let course = learning::course_by_slug(db, COURSE)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the national course is shipped"));
    let people: Vec<i64> = (1..=50).collect();
    learning::completions_of(db, &people)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|(_, c, _)| *c == course.id)
        .count()
}

async fn results_count_through_the_spine_and_again_change_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut hoa = app.learner("0911111111", COMMUNE_B).await;
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    load_roster(&app, &mut admin).await;
    assert_eq!(app.achieved(COMMUNE_B).await, 0);

    let page = admin.get("/thong-ke/hoan-thanh").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.attrs("select#khoa option", "value"),
        vec![COURSE.to_owned()]
    );

    let preview = upload(&mut admin, RESULTS.as_bytes(), false).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.text("#so-moi"), "3");
    assert_eq!(preview.text("#khong-doi"), "0");
    assert!(
        preview.body.contains("1 dòng trống được bỏ qua"),
        "{}",
        preview.body
    );
    assert_eq!(
        completions_of_course(&app).await,
        0,
        "a dry run writes nothing"
    );
    assert_eq!(app.achieved(COMMUNE_B).await, 0);

    let done = confirm(&mut admin, &preview).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.text("#da-nhap").contains("Thêm 3 người"),
        "{}",
        done.body
    );
    assert_eq!(completions_of_course(&app).await, 3);
    // The two adults count (the national course counts as the basic course, which adults
    // need); the student's group requires nothing yet.
    assert_eq!(app.achieved(COMMUNE_B).await, 2);
    app.verify_ok().await;
    assert_eq!(
        admin
            .get("/thong-ke/hoan-thanh")
            .await
            .texts("#lan-nhap tbody tr")
            .len(),
        1
    );
    // The confirmation cannot be replayed.
    assert_eq!(
        confirm(&mut admin, &preview).await.status,
        StatusCode::BAD_REQUEST
    );

    // The same file again: nothing new, nothing counted twice.
    let preview = upload(&mut admin, RESULTS.as_bytes(), false).await;
    assert_eq!(preview.text("#so-moi"), "0");
    assert_eq!(preview.text("#khong-doi"), "3");
    let done = confirm(&mut admin, &preview).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(app.achieved(COMMUNE_B).await, 2);
    app.verify_ok().await;

    // The learner sees it done, on the day the national platform gave.
    let course = hoa.get(&format!("/khoa-hoc/{COURSE}")).await;
    assert_eq!(course.status, StatusCode::OK);
    assert!(
        course.text("#da-hoan-thanh").contains("15/08/2025"),
        "{}",
        course.body
    );
    let mine = hoa.get("/hoc").await;
    assert!(
        mine.body.contains("Đã hoàn thành ngày 15/08/2025"),
        "{}",
        mine.body
    );

    // The audit log names the import.
    let audit = admin.get("/thong-ke/nhat-ky").await;
    assert!(audit.body.contains("ket-qua.csv"), "{}", audit.body);
}

/// An official who passed the AI course here and then has an older national-platform basic
/// course imported achieves on the day of the AI pass (the last course the group needed), not
/// on the imported date: the week, the period report and the year count it then.
async fn an_achievement_is_dated_by_its_last_required_course(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let roster = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Số định danh cá nhân,Mã xã,Nhóm\n\
         Phạm Thị Lan,1985,Nữ,0912345678,068185001234,{COMMUNE_B},\"Cán bộ, công chức\"\n\
         Đỗ Văn Tư,1970,Nam,,068070004321,{COMMUNE_B},Người dân\n\
         Hồ Thị Năm,1972,Nữ,,068172004321,{COMMUNE_B},Người dân\n"
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
        .unwrap_or_else(|| panic!("roster refused:\n{}", preview.body));
    admin.post("/danh-sach/nhap/xac-nhan", &[("ma", &ma)]).await;
    let mut lan = app.learner("0912345678", COMMUNE_B).await;
    lan.read_all_lessons_of("ung-dung-tri-tue-nhan-tao").await;
    let attempt = lan.start_quiz_of("ung-dung-tri-tue-nhan-tao").await;
    lan.answer_all(attempt, true).await;
    assert_eq!(
        app.achieved_in(COMMUNE_B, "officials").await,
        0,
        "the basic course is missing"
    );
    let passed_at = app.state.clock.now();
    app.clock.advance(chrono::Duration::days(10));

    // Two adults in the week that spans the new year: the last day of 2025 and the first of 2026.
    let results = "STT,Họ và tên,Số định danh cá nhân,Ngày hoàn thành\n\
                   1,Phạm Thị Lan,068185001234,15/08/2025\n\
                   2,Đỗ Văn Tư,068070004321,31/12/2025\n\
                   3,Hồ Thị Năm,068172004321,01/01/2026\n";
    let preview = upload(&mut admin, results.as_bytes(), false).await;
    let done = confirm(&mut admin, &preview).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(app.achieved_in(COMMUNE_B, "officials").await, 1);
    let db = app.state.db.read();
    let person = hocvuso_db::repo::roster::people_by_keys(db, &["068185001234".to_owned()], &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("on the roster"));
    let official = hocvuso_db::repo::stats::achievements_of_person(db, person.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|a| a.group_code == "officials")
        .unwrap_or_else(|| panic!("achieved as an official"));
    assert_eq!(
        official.achieved_at, passed_at,
        "dated by the AI pass, not 15/08/2025"
    );
    app.verify_ok().await;
    // The 2025 figures do not count her: she achieved in November 2026.
    let year_2025 = admin.get("/thong-ke?nam=2025&nhom=officials").await;
    assert_eq!(
        year_2025.text(&format!(
            "table#xep-hang tr[data-code=\"{COMMUNE_B}\"] td[data-field=achieved]"
        )),
        "0",
        "{}",
        year_2025.body
    );
    // As 2025 ended: Lan (an adult too, by the basic course alone, in August) and the adult of
    // 31/12/2025, not the one of 1 January, though both fall in the same week; this year's
    // figures count all three.
    let cell = format!("table#xep-hang tr[data-code=\"{COMMUNE_B}\"] td[data-field=achieved]");
    let adults_2025 = admin.get("/thong-ke?nam=2025&nhom=adults").await;
    assert_eq!(adults_2025.text(&cell), "2", "{}", adults_2025.body);
    let adults_2026 = admin.get("/thong-ke?nam=2026&nhom=adults").await;
    assert_eq!(adults_2026.text(&cell), "3");
    let commune_2025 = admin
        .get(&format!("/thong-ke/{COMMUNE_B}?nam=2025&nhom=adults"))
        .await;
    assert_eq!(commune_2025.text("#so-lieu [data-field=achieved]"), "2");
}

async fn bad_files_are_refused_with_their_lines_and_nothing_is_written(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    load_roster(&app, &mut admin).await;
    let bad = "Họ và tên,Số định danh cá nhân,Ngày hoàn thành\n\
        Nguyễn Thị Hoa,068160001234,15/08/2025\n\
        Người Lạ,001190009999,15/08/2025\n\
        Phạm Văn Sai,068070001235,15/08/2025\n\
        Nguyễn Thị Hoa,068160001234,16/08/2025\n\
        Lê Thị Cúc,068308000111,31/02/2026\n\
        Lê Thị Cúc,068308000111,01/01/2027\n\
        Ai Đó,12345,01/01/2026\n";
    let preview = upload(&mut admin, bad.as_bytes(), false).await;
    assert_eq!(preview.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = preview.texts("#loi li");
    let line = |n: usize| {
        errors
            .iter()
            .find(|e| e.starts_with(&format!("Dòng {n}:")))
            .unwrap_or_else(|| panic!("no error for line {n} in {errors:#?}"))
            .clone()
    };
    assert!(line(3).contains("Không có ai mang số định danh 001190009999"));
    assert!(line(4).contains("khác họ tên"), "{}", line(4));
    assert!(line(5).contains("trùng với dòng 2"));
    assert!(line(6).contains("không phải một ngày") || line(6).contains("không có trên lịch"));
    assert!(line(7).contains("chưa tới"));
    assert!(line(8).contains("12 chữ số"));
    assert!(!preview.has("form#nhap"), "no import offered");
    assert_eq!(completions_of_course(&app).await, 0);

    for (file, says) in [
        ("Tên,Số\nA,1\n", "Không thấy dòng tiêu đề"),
        (
            "Số định danh cá nhân,Họ tên\n068160001234,Hoa\n",
            "thiếu cột “Ngày hoàn thành”",
        ),
        (
            "Số định danh cá nhân,Ngày hoàn thành\n",
            "không có dòng kết quả",
        ),
        ("", "Tệp trống"),
    ] {
        let page = upload(&mut admin, file.as_bytes(), false).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{file}");
        assert!(
            page.text("#loi").contains(says),
            "{file}: {}",
            page.text("#loi")
        );
    }
    assert_eq!(completions_of_course(&app).await, 0);

    // Asked to, the import leaves out people not known here and lists their lines.
    let some_unknown = "Số định danh cá nhân,Ngày hoàn thành\n\
        068160001234,15/08/2025\n\
        001190009999,15/08/2025\n";
    let preview = upload(&mut admin, some_unknown.as_bytes(), true).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.text("#so-moi"), "1");
    assert_eq!(preview.text("#bo-qua-so"), "1");
    assert!(preview.text("#dong-bo-qua").contains('3'));
    let done = confirm(&mut admin, &preview).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(completions_of_course(&app).await, 1);
    assert_eq!(app.achieved(COMMUNE_B).await, 1);
    app.verify_ok().await;
}

async fn an_error_in_the_last_row_keeps_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    load_roster(&app, &mut admin).await;
    // Straight to the import (as a second server process would, after someone was erased
    // between the dry run and the import): the last row is unknown, nothing is kept.
    let file = "Số định danh cá nhân,Ngày hoàn thành\n\
        068160001234,15/08/2025\n\
        068070001235,15/08/2025\n\
        001190009999,15/08/2025\n";
    let req = Request {
        course_slug: COURSE,
        source: "test",
        file_name: "k.csv",
        skip_unknown: false,
    };
    let report = completions::run(
        &app.state,
        None,
        &req,
        file.as_bytes().to_vec(),
        Mode::Apply,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.is_ok() && !report.applied);
    assert_eq!(completions_of_course(&app).await, 0);
    assert_eq!(app.achieved(COMMUNE_B).await, 0);
    // A course taught here cannot be given results from elsewhere.
    let req = Request {
        course_slug: "ky-nang-so-co-ban",
        ..req
    };
    assert!(matches!(
        completions::run(
            &app.state,
            None,
            &req,
            file.as_bytes().to_vec(),
            Mode::DryRun
        )
        .await,
        Err(completions::CompletionError::NoSuchCourse(_))
    ));
    app.verify_ok().await;
}

async fn only_the_province_admin_imports_results(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut helper = app.staff("0900000003", Role::Helper, COMMUNE_B).await;
    let mut learner = app.learner("0911111111", COMMUNE_B).await;
    for br in [&mut officer, &mut helper, &mut learner] {
        assert_eq!(
            br.get("/thong-ke/hoan-thanh").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            br.get("/thong-ke/hoan-thanh/mau.csv").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            upload(br, RESULTS.as_bytes(), false).await.status,
            StatusCode::FORBIDDEN
        );
        let p = br
            .post(
                "/thong-ke/hoan-thanh/nhap",
                &[("ma", "x"), ("khoa", COURSE), ("nguon", "x")],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
    }
    let mut anonymous = app.browser();
    let page = anonymous.get("/thong-ke/hoan-thanh").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/dang-nhap"));
    // The template is for the province admin.
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let (status, bytes) = admin.get_bytes("/thong-ke/hoan-thanh/mau.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&bytes).contains("Số định danh cá nhân,Ngày hoàn thành"));
}

async fn the_national_course_is_a_deep_link_without_a_quiz_here(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut learner = app.learner("0911111111", COMMUNE_B).await;
    let mine = learner.get("/hoc").await;
    assert!(
        mine.body.contains("https://binhdanhocvuso.gov.vn/"),
        "{}",
        mine.body
    );
    let page = learner.get(&format!("/khoa-hoc/{COURSE}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.attrs("a#hoc-ben-ngoai", "href"),
        vec!["https://binhdanhocvuso.gov.vn/".to_owned()]
    );
    assert!(!page.has("#da-hoan-thanh"));
    assert_eq!(
        learner
            .get(&format!("/khoa-hoc/{COURSE}/kiem-tra"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        learner
            .post(&format!("/khoa-hoc/{COURSE}/kiem-tra"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        learner
            .get(&format!("/khoa-hoc/{COURSE}/bai/1"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

test_both!(
    an_achievement_is_dated_by_its_last_required_course,
    results_count_through_the_spine_and_again_change_nothing,
    bad_files_are_refused_with_their_lines_and_nothing_is_written,
    an_error_in_the_last_row_keeps_nothing,
    only_the_province_admin_imports_results,
    the_national_course_is_a_deep_link_without_a_quiz_here,
);
