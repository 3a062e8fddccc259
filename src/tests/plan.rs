//! /ke-hoach: the plan's tasks are seeded; the province names a lead unit, whose officer records
//! progress with an evidence file; another unit's officer cannot; the board shows the last note
//! and what is late; the province adds a task for a later year; bad input writes nothing.

use axum::http::StatusCode;
use hocvuso_db::repo::plan;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, TestApp, COMMUNE_A, COMMUNE_B};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

async fn task_id(app: &TestApp, code: &str) -> i64 {
    plan::tasks(app.state.db.read())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|t| t.code == code)
        .map(|t| t.id)
        .unwrap_or_else(|| panic!("task {code}"))
}

async fn notes(app: &TestApp, id: i64) -> usize {
    plan::updates_of(app.state.db.read(), id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .len()
}

/// Sends a progress note with one file (`("", b"")` for none).
async fn record(
    br: &mut Browser<'_>,
    id: i64,
    fields: &[(&str, &str)],
    file_name: &str,
    file: &[u8],
) -> super::util::Page {
    let token = br.csrf().await;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    br.post_file(
        &format!("/ke-hoach/{id}/cap-nhat"),
        &all,
        "tep",
        file_name,
        file,
    )
    .await
}

async fn the_lead_unit_records_progress_and_the_board_shows_it(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut officer_a = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;

    // The plan's ten tasks are there, with their lead agencies; none has a note yet, so every
    // task begun more than 90 days ago is flagged.
    let board = officer_a.get("/ke-hoach").await;
    assert_eq!(board.status, StatusCode::OK);
    let codes = board.attrs("#nhiem-vu tbody tr", "data-code");
    assert_eq!(
        codes,
        ["1", "2", "3", "4", "4.1", "4.2", "5", "6", "7", "8"]
    );
    assert!(board.text("#nhiem-vu").contains("Tỉnh đoàn Lâm Đồng"));
    assert_eq!(
        board
            .attrs("#nhiem-vu tbody tr[data-overdue]", "data-code")
            .len(),
        10
    );
    assert!(
        !board.has("#them-nhiem-vu"),
        "adding tasks is the province's"
    );

    // Task 5 is no commune's to record until the province names one.
    let five = task_id(&app, "5").await;
    let page = officer_a.get(&format!("/ke-hoach/{five}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.has("#ghi-tien-do"));
    assert!(!page.has("#giao-don-vi"));
    let good = [
        ("trang_thai", plan::ON_TRACK),
        ("ngay", "20/11/2026"),
        (
            "ghi_chu",
            "Đã phát động phong trào đến 12 tổ công nghệ số cộng đồng của xã; 96 thành viên đã học.",
        ),
    ];
    let refused = record(&mut officer_a, five, &good, "", b"").await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    let named = admin
        .post(
            &format!("/ke-hoach/{five}/don-vi"),
            &[("don_vi", COMMUNE_A)],
        )
        .await;
    assert_eq!(named.status, StatusCode::SEE_OTHER, "{}", named.body);
    let sent = record(&mut officer_a, five, &good, "Biên bản phát động.pdf", PDF).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(notes(&app, five).await, 1);

    // Another commune still cannot record it.
    let other = record(&mut officer_b, five, &good, "", b"").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(notes(&app, five).await, 1);

    let page = officer_b.get(&format!("/ke-hoach/{five}")).await;
    assert_eq!(page.text("#tinh-trang strong"), "Đang thực hiện");
    assert!(!page.has("#qua-han"), "a note five days old is not late");
    assert!(page.text("#cac-bao-cao").contains("96 thành viên"));
    let files = page.attrs("#cac-bao-cao a", "href");
    assert_eq!(files.len(), 1);
    let (status, headers, bytes) = officer_b.get_with(&files[0], &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    // Whatever a file holds, it is saved, not shown: never sniffed, never run.
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-security-policy").starts_with("sandbox"));
    assert!(header("content-disposition").starts_with("attachment; filename=\"ke-hoach-"));
    // A file is reached only through its own task.
    let three = task_id(&app, "3").await;
    let wrong = files[0].replace(
        &format!("/ke-hoach/{five}/"),
        &format!("/ke-hoach/{three}/"),
    );
    assert_eq!(officer_b.get_bytes(&wrong).await.0, StatusCode::NOT_FOUND);

    let board = admin.get("/ke-hoach").await;
    assert_eq!(
        board
            .attrs("#nhiem-vu tbody tr[data-overdue]", "data-code")
            .len(),
        9
    );
    assert_eq!(
        board.attrs("#nhiem-vu tbody tr[data-status=on_track]", "data-code"),
        ["5"]
    );
    assert!(board.text("#nhiem-vu").contains("20/11/2026"));

    // Done: no longer late even once it is long past.
    let done = record(
        &mut admin,
        five,
        &[
            ("trang_thai", plan::DONE),
            ("ngay", "24/11/2026"),
            ("ghi_chu", "Hoàn thành phát động ở mọi xã."),
        ],
        "",
        b"",
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    app.clock.advance(chrono::Duration::days(400));
    // (The old session has ended by then: a new sign-in.)
    let mut later = app.staff("0900000009", Role::ProvinceAdmin, "68").await;
    let board = later.get("/ke-hoach").await;
    assert_eq!(
        board.attrs("#nhiem-vu tbody tr[data-status=done]", "data-code"),
        ["5"]
    );
    assert!(!board
        .attrs("#nhiem-vu tbody tr[data-overdue]", "data-code")
        .contains(&"5".to_owned()));
}

test_both!(the_lead_unit_records_progress_and_the_board_shows_it);

async fn bad_notes_and_tasks_get_clear_messages_and_write_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let one = task_id(&app, "1").await;

    let future = record(
        &mut admin,
        one,
        &[
            ("trang_thai", plan::ON_TRACK),
            ("ngay", "01/01/2030"),
            ("ghi_chu", "Một ghi chú đủ dài."),
        ],
        "",
        b"",
    )
    .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.text("#ngay-loi").contains("không được sau hôm nay"));
    let broken = record(
        &mut admin,
        one,
        &[("trang_thai", "xoa"), ("ngay", "hôm qua"), ("ghi_chu", "")],
        "anh.png",
        b"<html><script>alert(1)</script>",
    )
    .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        broken.texts(".error-summary li").len(),
        4,
        "{}",
        broken.body
    );
    assert_eq!(notes(&app, one).await, 0, "nothing was written");
    // What was typed comes back.
    assert_eq!(broken.attrs("#ngay", "value"), ["hôm qua"]);
    // A task that is not there.
    assert_eq!(
        admin.get("/ke-hoach/99999").await.status,
        StatusCode::NOT_FOUND
    );
    let none = record(
        &mut admin,
        99_999,
        &[
            ("trang_thai", plan::DONE),
            ("ngay", "20/11/2026"),
            ("ghi_chu", "Xong việc."),
        ],
        "",
        b"",
    )
    .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let unit = admin
        .post(
            &format!("/ke-hoach/{one}/don-vi"),
            &[("don_vi", "khong-co")],
        )
        .await;
    assert_eq!(unit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unit.text("#don_vi-loi").contains("Không có đơn vị này"));

    // The province adds a task for next year; the same number twice is refused.
    let before = plan::count_tasks(app.state.db.read())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let task = [
        ("nam", "2027"),
        ("ma", "9"),
        ("ten", "Tổ chức hội thi “Công dân số” cấp tỉnh"),
        ("chu_tri", "Sở Khoa học và Công nghệ"),
        ("bat_dau", "01/03/2027"),
        ("han", "30/09/2027"),
    ];
    let added = admin.post("/ke-hoach/moi", &task).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let again = admin.post("/ke-hoach/moi", &task).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text("#ma-loi").contains("đã có nhiệm vụ số 9"));
    let wrong = admin
        .post(
            "/ke-hoach/moi",
            &[
                ("nam", "1990"),
                ("ma", "x y"),
                ("bat_dau", "31/02/2027"),
                ("han", "sau"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.texts(".error-summary li").len(), 6, "{}", wrong.body);
    assert_eq!(
        plan::count_tasks(app.state.db.read())
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        before + 1
    );
    let board = admin.get("/ke-hoach").await;
    let row = board.text("#nhiem-vu tbody tr[data-code=\"9\"]");
    assert!(row.contains("01/03/2027"), "{row}");
    assert!(!board.has("#nhiem-vu tbody tr[data-code=\"9\"][data-overdue]"));
}

test_both!(bad_notes_and_tasks_get_clear_messages_and_write_nothing);
