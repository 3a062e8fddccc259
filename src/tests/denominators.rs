//! /thong-ke/mau-so: denominators imported from CSV or XLSX, or edited in the page — dry run
//! first, then all or nothing, with history; only the province admin.

use axum::http::StatusCode;
use hocvuso_db::repo::{org, stats};
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, Page, TestApp, COMMUNE_A, COMMUNE_B};

const XLSX: &[u8] = include_bytes!("fixtures/mau-so.xlsx");

async fn stored(app: &TestApp, code: &str) -> Option<i64> {
    let db = app.state.db.read();
    let unit = org::by_code(db, code)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("unit {code}"));
    stats::denominators(db, 2026, "adults")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .get(&unit.id)
        .copied()
}

async fn upload(br: &mut Browser<'_>, source: &str, name: &str, file: &[u8]) -> Page {
    let token = br.csrf().await;
    br.post_file(
        "/thong-ke/mau-so",
        &[
            ("csrf_token", &token),
            ("nam", "2026"),
            ("nhom", "adults"),
            ("nguon", source),
        ],
        "tep",
        name,
        file,
    )
    .await
}

/// Submits the dry run's confirm form as the page carries it.
async fn confirm(br: &mut Browser<'_>, preview: &Page) -> Page {
    let field = |n: &str| {
        preview
            .attrs(&format!("form#nhap input[name={n}]"), "value")
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    let (nam, nhom, nguon, ma) = (field("nam"), field("nhom"), field("nguon"), field("ma"));
    br.post(
        "/thong-ke/mau-so/nhap",
        &[
            ("nam", &nam),
            ("nhom", &nhom),
            ("nguon", &nguon),
            ("ma", &ma),
        ],
    )
    .await
}

async fn csv_dry_run_then_import_with_history(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let page = admin.get("/thong-ke/mau-so?nam=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("form#sua-mau-so tbody tr").len(), 124);

    // Every error at once, in Vietnamese, and nothing written.
    let bad = "Mã đơn vị,Số người\n22918,1.234\n99999,5\n24781,abc\n22918,7\n";
    let checked = upload(&mut admin, "Công an tỉnh", "mau-so.csv", bad.as_bytes()).await;
    assert_eq!(checked.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = checked.texts(".error-summary li");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("Dòng 3: không có đơn vị mã 99999")),
        "{errors:?}"
    );
    assert!(errors
        .iter()
        .any(|e| e.starts_with("Dòng 4: “abc” không phải số người")));
    assert!(errors.iter().any(|e| e.contains("đã có ở dòng 2")));
    assert!(
        !checked.has("form#nhap"),
        "no import button while errors remain"
    );
    assert_eq!(stored(&app, COMMUNE_A).await, None);

    let no_source = upload(&mut admin, " ", "m.csv", b"Ma don vi,So nguoi\n22918,10\n").await;
    assert_eq!(no_source.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_source
        .text(".error-summary li")
        .starts_with("Hãy ghi nguồn số liệu"));

    // A clean file: the dry run shows the changes and writes nothing.
    let good = "Mã đơn vị;Tên đơn vị;Số người\n22918;Mũi Né;12.345\n24781;Xuân Hương;\n";
    let preview = upload(
        &mut admin,
        "Công an tỉnh, 10/2026",
        "mau-so.csv",
        good.as_bytes(),
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(
        preview.texts("table#thay-doi tbody tr"),
        vec![format!("{COMMUNE_A}Phường Mũi Né—12.345")]
    );
    assert_eq!(
        stored(&app, COMMUNE_A).await,
        None,
        "a dry run writes nothing"
    );
    let done = confirm(&mut admin, &preview).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(stored(&app, COMMUNE_A).await, Some(12345));
    assert_eq!(
        stored(&app, COMMUNE_B).await,
        None,
        "an empty cell changes nothing"
    );
    let after = admin.get(done.location()).await;
    assert!(after.text(".notice").contains("Đã nhập 1 thay đổi"));

    // A correction keeps the old value in the history, with who and the source.
    let again = upload(
        &mut admin,
        "Rà soát của xã",
        "b.csv",
        b"ma don vi,so nguoi\n22918,12400\n",
    )
    .await;
    confirm(&mut admin, &again).await;
    assert_eq!(stored(&app, COMMUNE_A).await, Some(12400));
    let history = admin
        .get("/thong-ke/mau-so/lich-su?nam=2026&nhom=adults")
        .await;
    let rows = history.texts("table#lich-su tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].contains("12.34512.400Rà soát của xãCán Bộ Thử"),
        "{rows:?}"
    );
    assert!(rows[1].contains("—12.345Công an tỉnh, 10/2026"), "{rows:?}");
    let board = admin.get("/thong-ke?nam=2026").await;
    assert_eq!(
        board.text(&format!(
            "tr[data-code=\"{COMMUNE_A}\"] td[data-field=\"denominator\"]"
        )),
        "12.400",
        "the dashboard uses it at once"
    );
}

async fn xlsx_and_the_edit_form_and_all_or_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let preview = upload(&mut admin, "Sở Nội vụ", "mau-so.xlsx", XLSX).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.texts("table#thay-doi tbody tr").len(), 2);
    confirm(&mut admin, &preview).await;
    assert_eq!(stored(&app, COMMUNE_A).await, Some(12345));
    assert_eq!(stored(&app, COMMUNE_B).await, Some(8760));

    // Edited in the page: only the changed cell counts.
    let page = admin.get("/thong-ke/mau-so?nam=2026").await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for code in page.attrs("form#sua-mau-so tbody input", "name") {
        let value = page
            .attrs(&format!("input[name={code}]"), "value")
            .into_iter()
            .next()
            .unwrap_or_default();
        let value = if code == format!("d_{COMMUNE_B}") {
            "9.000".to_owned()
        } else {
            value
        };
        fields.push((code, value));
    }
    fields.push(("nam".into(), "2026".into()));
    fields.push(("nhom".into(), "adults".into()));
    fields.push(("nguon".into(), "Sửa theo báo cáo xã".into()));
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let edited = admin.post("/thong-ke/mau-so/sua", &refs).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(
        edited.texts("table#thay-doi tbody tr"),
        vec![format!("{COMMUNE_B}Phường Xuân Hương - Đà Lạt8.7609.000")]
    );
    confirm(&mut admin, &edited).await;
    assert_eq!(stored(&app, COMMUNE_B).await, Some(9000));

    // A confirmation applies only rows its own dry run stashed: a forged token, a token
    // already used, or one confirmed for another year writes nothing at all.
    let forged = admin
        .post(
            "/thong-ke/mau-so/nhap",
            &[
                ("nam", "2026"),
                ("nhom", "adults"),
                ("nguon", "x"),
                ("ma", "00000000000000000000000000000000"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    assert!(
        forged.body.contains("Không còn tệp chờ nhập"),
        "{}",
        forged.body
    );
    let again = confirm(&mut admin, &edited).await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "a token is used once"
    );
    let csv = format!("ma don vi,so nguoi\n{COMMUNE_A},1\n");
    let preview = upload(&mut admin, "x", "a.csv", csv.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let token = preview
        .attrs("form#nhap input[name=ma]", "value")
        .into_iter()
        .next()
        .unwrap_or_default();
    let other_year = admin
        .post(
            "/thong-ke/mau-so/nhap",
            &[
                ("nam", "2025"),
                ("nhom", "adults"),
                ("nguon", "x"),
                ("ma", &token),
            ],
        )
        .await;
    assert_eq!(other_year.status, StatusCode::BAD_REQUEST);
    assert_eq!(stored(&app, COMMUNE_A).await, Some(12345), "all or nothing");

    let template = admin
        .get("/thong-ke/mau-so/mau.csv?nam=2026&nhom=adults")
        .await;
    assert_eq!(template.status, StatusCode::OK);
    assert!(template
        .body
        .starts_with("\u{feff}Mã đơn vị,Tên đơn vị,Số người"));
    assert!(template
        .body
        .contains(&format!("{COMMUNE_A},\"Phường Mũi Né\",12345")));
    assert_eq!(template.body.lines().count(), 125);
}

async fn only_the_province_admin(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    for br in [&mut officer, &mut learner] {
        for path in [
            "/thong-ke/mau-so",
            "/thong-ke/mau-so/mau.csv",
            "/thong-ke/mau-so/lich-su",
        ] {
            assert_eq!(br.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        let posted = br
            .post(
                "/thong-ke/mau-so/nhap",
                &[
                    ("nam", "2026"),
                    ("nhom", "adults"),
                    ("nguon", "x"),
                    ("ma", "00000000000000000000000000000000"),
                ],
            )
            .await;
        assert_eq!(posted.status, StatusCode::FORBIDDEN);
        let uploaded = upload(br, "x", "a.csv", b"ma don vi,so nguoi\n22918,5\n").await;
        assert_eq!(uploaded.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(stored(&app, COMMUNE_A).await, None);
}

test_both!(
    csv_dry_run_then_import_with_history,
    xlsx_and_the_edit_form_and_all_or_nothing,
    only_the_province_admin,
);
