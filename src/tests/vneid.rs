//! /thong-ke/vneid: counts confirmed on VNeID imported per commune with date and source; a new
//! import of the same date replaces, a later date supersedes; the dashboard shows them.

use axum::http::StatusCode;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, Page, TestApp, COMMUNE_A, COMMUNE_B};

async fn upload(br: &mut Browser<'_>, day: &str, source: &str, csv: &str) -> Page {
    let token = br.csrf().await;
    br.post_file(
        "/thong-ke/vneid",
        &[
            ("csrf_token", &token),
            ("nhom", "adults"),
            ("ngay", day),
            ("nguon", source),
        ],
        "tep",
        "vneid.csv",
        csv.as_bytes(),
    )
    .await
}

async fn confirm(br: &mut Browser<'_>, preview: &Page) -> Page {
    let field = |n: &str| {
        preview
            .attrs(&format!("form#nhap input[name={n}]"), "value")
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    let fields = [
        ("nhom", field("nhom")),
        ("ngay", field("ngay")),
        ("nguon", field("nguon")),
        ("ma", field("ma")),
    ];
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    br.post("/thong-ke/vneid/nhap", &refs).await
}

async fn achieved(br: &mut Browser<'_>, code: &str) -> String {
    let board = br
        .get("/thong-ke?nam=2026&nhom=adults&chi-so=vneid_confirmed")
        .await;
    board.text(&format!(
        "tr[data-code=\"{code}\"] td[data-field=\"achieved\"]"
    ))
}

async fn vneid_counts_are_imported_by_date(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    assert_eq!(admin.get("/thong-ke/vneid").await.status, StatusCode::OK);

    let bad = upload(
        &mut admin,
        "31/02/2026",
        "",
        "ma don vi,so nguoi\n00000,5\n",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = bad.texts(".error-summary li").join(" | ");
    assert!(errors.contains("Hãy ghi ngày của số liệu"), "{errors}");
    assert!(errors.contains("Hãy ghi nguồn số liệu"), "{errors}");

    let csv = format!("Mã đơn vị,Số người\n{COMMUNE_A},1.200\n{COMMUNE_B},300\n");
    let preview = upload(&mut admin, "30/9/2026", "Công an tỉnh", &csv).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.texts("table#thay-doi tbody tr").len(), 2);
    assert_eq!(
        achieved(&mut admin, COMMUNE_A).await,
        "0",
        "a dry run writes nothing"
    );
    let done = confirm(&mut admin, &preview).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(achieved(&mut admin, COMMUNE_A).await, "1.200");
    let board = admin
        .get("/thong-ke?nam=2026&nhom=adults&chi-so=vneid_confirmed")
        .await;
    assert_eq!(
        board.text("#tinh-da-dat"),
        "1.500",
        "the province sums its communes"
    );
    assert_eq!(
        board.text(&format!(
            "tr[data-code=\"{COMMUNE_A}\"] td[data-field=\"target\"]"
        )),
        "80%",
        "the plan's 2026 target for VNeID confirmations"
    );

    // The same date again replaces (not adds); the page says so before importing.
    let again = upload(
        &mut admin,
        "30/09/2026",
        "Công an tỉnh (bản sửa)",
        &format!("ma don vi,so nguoi\n{COMMUNE_A},1.250\n"),
    )
    .await;
    assert!(again.text(".notice").contains("sẽ thay thế"));
    confirm(&mut admin, &again).await;
    assert_eq!(achieved(&mut admin, COMMUNE_A).await, "1.250");
    assert_eq!(
        achieved(&mut admin, COMMUNE_B).await,
        "0",
        "the corrected list of that date no longer has it"
    );

    // A later date supersedes per commune; the unit page agrees.
    let later = upload(
        &mut admin,
        "31/10/2026",
        "Công an tỉnh",
        &format!("ma don vi,so nguoi\n{COMMUNE_B},400\n"),
    )
    .await;
    confirm(&mut admin, &later).await;
    assert_eq!(achieved(&mut admin, COMMUNE_A).await, "1.250");
    assert_eq!(achieved(&mut admin, COMMUNE_B).await, "400");
    let unit = admin
        .get(&format!(
            "/thong-ke/{COMMUNE_B}?nam=2026&nhom=adults&chi-so=vneid_confirmed"
        ))
        .await;
    assert_eq!(unit.text("dd[data-field=achieved]"), "400");
    let list = admin.get("/thong-ke/vneid?nhom=adults").await;
    let rows = list.texts("table#lan-nhap tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].starts_with("31/10/2026Công an tỉnh1400"),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with("30/09/2026Công an tỉnh (bản sửa)11.250"),
        "{rows:?}"
    );
    // Learning counts are a different indicator.
    let skills = admin.get("/thong-ke?nam=2026&nhom=adults").await;
    assert_eq!(skills.text("#tinh-da-dat"), "0");
}

async fn only_the_province_admin_imports(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    assert_eq!(
        officer.get("/thong-ke/vneid").await.status,
        StatusCode::FORBIDDEN
    );
    let up = upload(
        &mut officer,
        "30/09/2026",
        "x",
        "ma don vi,so nguoi\n22918,5\n",
    )
    .await;
    assert_eq!(up.status, StatusCode::FORBIDDEN);
    let posted = officer
        .post(
            "/thong-ke/vneid/nhap",
            &[
                ("nhom", "adults"),
                ("ngay", "30/09/2026"),
                ("nguon", "x"),
                ("ma", "00000000000000000000000000000000"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
}

test_both!(
    vneid_counts_are_imported_by_date,
    only_the_province_admin_imports
);
