//! Every group of the plan can reach its target here (issue 24): an enterprise worker passes
//! the workers' course and the enterprise's and the commune's figures move; a primary pupil
//! passes the primary course, which counts as the students' course, and the school's figures
//! move; the basic course alone does not make either count; a pupil who is also a youth-union
//! member counts once in each group.

use axum::http::StatusCode;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_B};

async fn a_worker_and_a_pupil_reach_their_groups_targets(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    app.add_unit(
        COMMUNE_B,
        "DN-TEST",
        "Công ty TNHH Cà phê Thử",
        "enterprise",
    )
    .await;
    app.add_unit(COMMUNE_B, "TH-TEST", "Trường Tiểu học Thử", "school")
        .await;
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let roster = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Mã xã,Nhóm,Mã đơn vị\n\
         Y Ben Niê,1992,Nam,0912345678,{COMMUNE_B},Người lao động,DN-TEST\n\
         Trần Bảo Ngọc,2016,Nữ,0987654321,{COMMUNE_B},Học sinh,TH-TEST\n"
    );
    admin.import_roster("r.csv", &roster).await;

    // The worker: the basic course is not their path; the workers' course is.
    let mut worker = app.learner("0912345678", COMMUNE_B).await;
    let catalogue = worker.get("/hoc").await;
    assert!(
        catalogue
            .body
            .contains("/khoa-hoc/ky-nang-so-cho-nguoi-lao-dong"),
        "a worker is offered their course"
    );
    worker.pass_course("ky-nang-so-co-ban").await;
    assert_eq!(app.achieved_in("DN-TEST", "enterprise_workers").await, 0);
    worker.pass_course("ky-nang-so-cho-nguoi-lao-dong").await;
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
    pupil.pass_course("ky-nang-so-hoc-sinh-tieu-hoc").await;
    assert_eq!(app.achieved_in("TH-TEST", "students").await, 1);
    let school = admin.get("/thong-ke/TH-TEST?nhom=students").await;
    assert_eq!(school.text("#so-lieu [data-field=achieved]"), "1");
    app.verify_ok().await;
}

/// A pupil who is also a youth-union member counts once in each group, each by its own path:
/// the school's list and the union branch's list name the same person (by citizen ID).
async fn a_pupil_in_the_youth_union_counts_once_in_each_group(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    app.add_unit(COMMUNE_B, "THPT-TEST", "Trường THPT Thử", "school")
        .await;
    app.add_unit(COMMUNE_B, "DTN-TEST", "Chi đoàn Thử", "youth_branch")
        .await;
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    for (file, group, unit) in [
        ("truong.csv", "Học sinh", "THPT-TEST"),
        ("chi-doan.csv", "Đoàn viên", "DTN-TEST"),
    ] {
        let list = format!(
            "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Số định danh cá nhân,Mã xã,Nhóm,Mã đơn vị\n\
             Lâm Thị Mai,2009,Nữ,0912345678,068309000777,{COMMUNE_B},{group},{unit}\n"
        );
        admin.import_roster(file, &list).await;
    }
    let mut mai = app.learner("0912345678", COMMUNE_B).await;
    mai.pass_course("ky-nang-so-hoc-sinh-thpt-sinh-vien").await;
    assert_eq!(app.achieved_in("THPT-TEST", "students").await, 1);
    assert_eq!(app.achieved_in("DTN-TEST", "youth_members").await, 0);
    mai.pass_course("huong-dan-nguoi-dan-ky-nang-so").await;
    assert_eq!(app.achieved_in("DTN-TEST", "youth_members").await, 1);
    // Once in each group: the second pass did not count her again as a student.
    assert_eq!(app.achieved_in("THPT-TEST", "students").await, 1);
    let commune = admin
        .get(&format!("/thong-ke/{COMMUNE_B}?nhom=youth_members"))
        .await;
    assert_eq!(commune.text("#so-lieu [data-field=achieved]"), "1");
    app.verify_ok().await;
}

test_both!(
    a_worker_and_a_pupil_reach_their_groups_targets,
    a_pupil_in_the_youth_union_counts_once_in_each_group,
);
