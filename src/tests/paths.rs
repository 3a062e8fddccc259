//! Every group of the plan can reach its target here (issue 24): an enterprise worker passes
//! the workers' course and the enterprise's and the commune's figures move; a primary pupil
//! passes the primary course, which counts as the students' course, and the school's figures
//! move; the basic course alone does not make either count.

use crate::clock::Clock;
use axum::http::StatusCode;
use hocvuso_db::repo::org;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, TestApp, COMMUNE_B};

async fn pass(learner: &mut Browser<'_>, slug: &str) {
    learner.read_all_lessons_of(slug).await;
    let attempt = learner.start_quiz_of(slug).await;
    learner.answer_all(attempt, true).await;
}

async fn add_unit(app: &TestApp, code: &str, name: &str, kind: &str) {
    let db = app.state.db.write();
    let commune = org::by_code(db, COMMUNE_B)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no commune"));
    org::insert(
        db,
        org::NewUnit {
            code,
            name,
            kind,
            commune_type: None,
            parent: Some(&commune),
        },
        app.clock.now(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
}

async fn a_worker_and_a_pupil_reach_their_groups_targets(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    add_unit(&app, "DN-TEST", "Công ty TNHH Cà phê Thử", "enterprise").await;
    add_unit(&app, "TH-TEST", "Trường Tiểu học Thử", "school").await;
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let roster = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Mã xã,Nhóm,Mã đơn vị\n\
         Y Ben Niê,1992,Nam,0912345678,{COMMUNE_B},Người lao động,DN-TEST\n\
         Trần Bảo Ngọc,2016,Nữ,0987654321,{COMMUNE_B},Học sinh,TH-TEST\n"
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

    // The worker: the basic course is not their path; the workers' course is.
    let mut worker = app.learner("0912345678", COMMUNE_B).await;
    let catalogue = worker.get("/hoc").await;
    assert!(
        catalogue
            .body
            .contains("/khoa-hoc/ky-nang-so-cho-nguoi-lao-dong"),
        "a worker is offered their course"
    );
    pass(&mut worker, "ky-nang-so-co-ban").await;
    assert_eq!(app.achieved_in("DN-TEST", "enterprise_workers").await, 0);
    pass(&mut worker, "ky-nang-so-cho-nguoi-lao-dong").await;
    assert_eq!(app.achieved_in("DN-TEST", "enterprise_workers").await, 1);
    let commune = admin
        .get(&format!("/thong-ke/{COMMUNE_B}?nhom=enterprise_workers"))
        .await;
    assert_eq!(commune.status, StatusCode::OK);
    assert_eq!(commune.text("#so-lieu [data-field=achieved]"), "1");
    assert_eq!(
        commune.text("tr[data-code=\"DN-TEST\"] td[data-field=achieved]"),
        "1",
        "the enterprise's row under the commune"
    );
    let province = admin.get("/thong-ke?nhom=enterprise_workers").await;
    assert_eq!(
        province.text(
            "#tong-quan-bang tr[data-group=enterprise_workers][data-indicator=digital_skills] td[data-field=achieved]"
        ),
        "1"
    );

    // The pupil (on a parent's phone): the primary course counts as the students' course.
    let mut pupil = app.learner("0987654321", COMMUNE_B).await;
    pass(&mut pupil, "ky-nang-so-hoc-sinh-tieu-hoc").await;
    assert_eq!(app.achieved_in("TH-TEST", "students").await, 1);
    let school = admin.get("/thong-ke/TH-TEST?nhom=students").await;
    assert_eq!(school.text("#so-lieu [data-field=achieved]"), "1");
    app.verify_ok().await;
}

test_both!(a_worker_and_a_pupil_reach_their_groups_targets);
