//! /lop and /vao-lop: a school's teacher sees their classes, makes a class code and the pupils'
//! sign-in numbers, records the parents' consents; a pupil without a phone signs in on a shared
//! device with the class code, their name and their number — only once a parent consented;
//! wrong numbers are throttled per pupil; another unit's officer reaches nothing.

use axum::http::StatusCode;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, TestApp, COMMUNE_A, COMMUNE_B};

const CLASS_PAGE: &str = "/lop/THCS-TEST?ten=6A1";

async fn school_with_classes(app: &TestApp) -> Browser<'_> {
    app.add_unit(COMMUNE_B, "THCS-TEST", "Trường THCS Thử", "school")
        .await;
    let mut teacher = app
        .staff("0900000002", Role::UnitOfficer, "THCS-TEST")
        .await;
    let list = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Mã xã,Nhóm,Mã đơn vị,Lớp\n\
         Nguyễn Văn An,2014,Nam,068214000001,{COMMUNE_B},Học sinh,THCS-TEST,6A1\n\
         Trần Thị Bình,2014,Nữ,068314000002,{COMMUNE_B},Học sinh,THCS-TEST,6A1\n\
         Lê Văn Cường,2014,Nam,068214000003,{COMMUNE_B},Học sinh,THCS-TEST,6A2\n"
    );
    teacher.import_roster("lop.csv", &list).await;
    teacher
}

async fn a_pupil_signs_in_with_the_class_code_once_a_parent_consented(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut teacher = school_with_classes(&app).await;

    let list = teacher.get("/lop").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(
        list.texts("table#cac-lop tbody tr td:first-child"),
        vec!["6A1", "6A2"]
    );
    let class = teacher.get(CLASS_PAGE).await;
    assert_eq!(class.status, StatusCode::OK);
    assert_eq!(class.text("#so-hoc-sinh"), "2");
    assert_eq!(class.text("#ma-lop"), "chưa có");
    let ids = class.attrs("table#hoc-sinh tbody tr", "data-person");
    let names = class.texts("table#hoc-sinh tbody tr td:first-child");
    assert_eq!(names, vec!["Nguyễn Văn An", "Trần Thị Bình"]);
    let (an, binh) = (ids[0].clone(), ids[1].clone());

    // An unknown code opens nothing.
    let mut device = app.browser();
    let unknown = device
        .post("/vao-lop", &[("buoc", "ma"), ("ma", "ABCD-EFGH")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text(".error-summary").contains("Không có lớp nào"));

    // The class code, then the numbers (shown once), then An's parent's consent.
    let made = teacher.post("/lop/THCS-TEST/ma?ten=6A1", &[]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let code = teacher.get(CLASS_PAGE).await.text("#ma-lop code");
    assert_eq!(code.len(), 8, "{code}");
    let slips = teacher.post("/lop/THCS-TEST/so?ten=6A1", &[]).await;
    assert_eq!(slips.status, StatusCode::OK);
    let pins = slips.texts("#phieu code.pin");
    let slip_names = slips.texts("#phieu li > strong:first-child");
    assert_eq!(pins.len(), 2, "{}", slips.body);
    let pin_of = |name: &str| {
        let i = slip_names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no slip for {name}"));
        pins[i].clone()
    };
    let (an_pin, binh_pin) = (pin_of("Nguyễn Văn An"), pin_of("Trần Thị Bình"));
    assert!(an_pin.len() == 4 && an_pin.chars().all(|c| c.is_ascii_digit()));
    // Nobody is listed before a parent consented.
    let door = device
        .post("/vao-lop", &[("buoc", "ma"), ("ma", &code)])
        .await;
    assert_eq!(door.status, StatusCode::OK);
    assert!(!door.has("form#vao-lop"));
    assert!(door.body.contains("Lớp 6A1"), "{}", door.body);
    let none = teacher.post("/lop/THCS-TEST/dong-y?ten=6A1", &[]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    let field = format!("cha-me-{an}");
    let consented = teacher
        .post(
            "/lop/THCS-TEST/dong-y?ten=6A1",
            &[(field.as_str(), "Nguyễn Văn Ba")],
        )
        .await;
    assert_eq!(consented.status, StatusCode::SEE_OTHER);
    assert_eq!(teacher.get(CLASS_PAGE).await.text("#da-dong-y"), "1");

    // On the shared device: the code typed loosely, An listed by given name and initials,
    // Bình (no consent) not at all.
    let loose = format!("{}-{}", &code[..4], code[4..].to_lowercase());
    // A code in the address opens nothing (it would stay in a shared device's history).
    let in_address = device.get(&format!("/vao-lop?ma={code}")).await;
    assert_eq!(in_address.status, StatusCode::OK);
    assert!(!in_address.body.contains("Lớp 6A1"));
    let door = device
        .post("/vao-lop", &[("buoc", "ma"), ("ma", &loose)])
        .await;
    assert_eq!(door.status, StatusCode::OK, "{}", door.body);
    assert_eq!(
        door.texts("form#vao-lop label[for^=hoc-sinh-]"),
        vec!["An (N. V.)"]
    );
    assert!(!door.body.contains("(T. T.)"), "Bình is not listed");
    let refused = device
        .post(
            "/vao-lop",
            &[("ma", &code), ("hoc-sinh", &binh), ("so", &binh_pin)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text(".error-summary").contains("Hãy chọn tên"));
    let wrong_pin = if an_pin == "0000" { "1111" } else { "0000" };
    let wrong = device
        .post(
            "/vao-lop",
            &[("ma", &code), ("hoc-sinh", &an), ("so", wrong_pin)],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text(".error-summary").contains("chưa đúng"));
    let signed = device
        .post(
            "/vao-lop",
            &[("ma", &code), ("hoc-sinh", &an), ("so", &an_pin)],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert_eq!(signed.location(), "/hoc");
    let courses = device.get("/hoc").await;
    assert_eq!(courses.status, StatusCode::OK);
    assert!(
        courses.body.contains("ky-nang-so-hoc-sinh"),
        "a pupil's courses"
    );

    // Another unit's officer reaches none of it.
    let mut other = app.staff("0900000003", Role::UnitOfficer, COMMUNE_A).await;
    assert_eq!(other.get(CLASS_PAGE).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.post("/lop/THCS-TEST/so?ten=6A1", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(other
        .get("/lop")
        .await
        .texts("table#cac-lop tbody tr")
        .is_empty());
    let audit = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut audit = audit;
    let log = audit.get("/thong-ke/nhat-ky").await;
    for action in [
        "Tạo mã lớp",
        "Tạo mã đăng nhập cho học sinh",
        "Ghi nhận đồng ý của cha mẹ",
    ] {
        assert!(log.body.contains(action), "{action}");
    }
}

async fn wrong_numbers_lock_the_pupil_and_a_new_code_closes_the_old(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut teacher = school_with_classes(&app).await;
    let class = teacher.get(CLASS_PAGE).await;
    let an = class.attrs("table#hoc-sinh tbody tr", "data-person")[0].clone();
    teacher.post("/lop/THCS-TEST/ma?ten=6A1", &[]).await;
    let old_code = teacher.get(CLASS_PAGE).await.text("#ma-lop code");
    let pins = teacher
        .post("/lop/THCS-TEST/so?ten=6A1", &[])
        .await
        .texts("#phieu code.pin");
    let field = format!("cha-me-{an}");
    teacher
        .post(
            "/lop/THCS-TEST/dong-y?ten=6A1",
            &[(field.as_str(), "Nguyễn Văn Ba")],
        )
        .await;
    let an_pin = pins[0].clone();
    let mut device = app.browser();
    let mut locked = false;
    for guess in 0..12 {
        let wrong = format!(
            "{:04}",
            (an_pin.parse::<u32>().unwrap_or(0) + 1 + guess) % 10_000
        );
        let page = device
            .post(
                "/vao-lop",
                &[("ma", &old_code), ("hoc-sinh", &an), ("so", &wrong)],
            )
            .await;
        if page.text(".error-summary").contains("sai nhiều lần") {
            locked = true;
            break;
        }
    }
    assert!(locked, "guessing is stopped");
    let right = device
        .post(
            "/vao-lop",
            &[("ma", &old_code), ("hoc-sinh", &an), ("so", &an_pin)],
        )
        .await;
    assert_eq!(
        right.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "still locked"
    );
    // The teacher gives the whole class new numbers: the lock is lifted, the new number works.
    let renewed = teacher
        .post("/lop/THCS-TEST/so?ten=6A1", &[("tat-ca", "1")])
        .await;
    let new_pins = renewed.texts("#phieu code.pin");
    assert_eq!(
        new_pins.len(),
        2,
        "every pupil of the class: {}",
        renewed.body
    );
    let signed = device
        .post(
            "/vao-lop",
            &[("ma", &old_code), ("hoc-sinh", &an), ("so", &new_pins[0])],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    // A new class code: the old one opens nothing.
    teacher.post("/lop/THCS-TEST/ma?ten=6A1", &[]).await;
    let new_code = teacher.get(CLASS_PAGE).await.text("#ma-lop code");
    assert_ne!(new_code, old_code);
    assert_eq!(
        device
            .post("/vao-lop", &[("buoc", "ma"), ("ma", &old_code)])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

test_both!(
    a_pupil_signs_in_with_the_class_code_once_a_parent_consented,
    wrong_numbers_lock_the_pupil_and_a_new_code_closes_the_old,
);
