//! Hostile files through the real upload pages (issue 16, item 3): far cell references, sparse
//! corners, zip bombs (shared strings, a dense entry, declared sizes that lie), shared-formula
//! bombs and huge CSV lines, cells and rows. Each is a clear error in Vietnamese, nothing is
//! written, and the server answers the next request. On the code before the fix, the far
//! column aborted the process and the sparse sheet asked for a 550 GB dense range.

use axum::http::StatusCode;
use hocvuso_domain::Role;
use hocvuso_import::hostile;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, Page, TestApp, COMMUNE_B};

/// The files every table upload must refuse, with a piece of the message each must show.
fn files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        // The worst first: on the code before the fix, each of these two ended the process.
        ("goc.xlsx", hostile::sparse_corners(), "ngoài 256 cột đầu"),
        (
            "cot-xa.xlsx",
            hostile::column_far_beyond(),
            "giới hạn của Excel",
        ),
        (
            "cot-xfe.xlsx",
            hostile::column_past_xfd(),
            "ngoài giới hạn của Excel",
        ),
        ("dong-xa.xlsx", hostile::row_past_limit(), "dòng 1.048.577"),
        ("chuoi.xlsx", hostile::shared_strings_bomb(150), "bom nén"),
        ("day.xlsx", hostile::dense_sheet(4), "lần cỡ nén"),
        ("noi-doi.xlsx", hostile::lying_sizes(4), "lần cỡ nén"),
        (
            "dong-dai.csv",
            hostile::long_csv_line(2 << 20),
            "1.048.576 byte",
        ),
        ("o-dai.csv", hostile::long_csv_cell(40_000), "32.767 ký tự"),
        ("rong.csv", hostile::wide_csv_row(), "ngoài 256 cột đầu"),
    ]
}

fn assert_refused(page: &Page, name: &str, want: &str) {
    let errors = page.texts(".error-summary li").join(" | ");
    assert!(
        errors.contains(want),
        "{name}: status {}, errors {errors:?}, wanted {want:?}",
        page.status
    );
    assert!(
        !page.has("form#nhap"),
        "{name}: an import button despite the error"
    );
}

async fn roster_upload(br: &mut Browser<'_>, name: &str, bytes: &[u8]) -> Page {
    let token = br.csrf().await;
    br.post_file(
        "/danh-sach/nhap",
        &[("csrf_token", &token)],
        "tep",
        name,
        bytes,
    )
    .await
}

async fn people(app: &TestApp) -> i64 {
    use hocvuso_db::ConnectionTrait;
    let db = app.state.db.read();
    let stmt = hocvuso_db::sea_query_statement(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM person",
    );
    db.query_one(stmt)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(-1)
}

async fn a_commune_officer_cannot_crash_the_roster_import(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let before = people(&app).await;
    for (name, bytes, want) in files() {
        let page = roster_upload(&mut officer, name, &bytes).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert_refused(&page, name, want);
    }
    // The server still answers, and nothing was written.
    assert_eq!(officer.get("/danh-sach/nhap").await.status, StatusCode::OK);
    assert_eq!(people(&app).await, before);
}

async fn completions_refuse_hostile_files(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let course = crate::services::monitoring::completions::importable_courses(&app.state)
        .into_iter()
        .next()
        .map(|(slug, _)| slug)
        .unwrap_or_default();
    for (name, bytes, want) in files() {
        let token = admin.csrf().await;
        let page = admin
            .post_file(
                "/thong-ke/hoan-thanh",
                &[
                    ("csrf_token", &token),
                    ("khoa", &course),
                    ("nguon", "Nền tảng Bình dân học vụ số, xuất ngày 20/11/2026"),
                ],
                "tep",
                name,
                &bytes,
            )
            .await;
        assert_refused(&page, name, want);
    }
    assert_eq!(
        admin.get("/thong-ke/hoan-thanh").await.status,
        StatusCode::OK
    );
}

async fn denominators_and_vneid_never_read_a_dense_range(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut cases = vec![(
        "mau-so-goc.xlsx",
        hostile::sparse_denominators(),
        "ngoài 256 cột đầu",
    )];
    cases.extend(files());
    // Both pages take 2 MB at most: the long CSV line is over it already.
    cases.retain(|(name, _, _)| *name != "dong-dai.csv");
    for (name, bytes, want) in cases {
        let token = admin.csrf().await;
        let page = admin
            .post_file(
                "/thong-ke/mau-so",
                &[
                    ("csrf_token", &token),
                    ("nam", "2026"),
                    ("nhom", "adults"),
                    ("nguon", "Niên giám thống kê 2025"),
                ],
                "tep",
                name,
                &bytes,
            )
            .await;
        assert_refused(&page, name, want);
        let token = admin.csrf().await;
        let page = admin
            .post_file(
                "/thong-ke/vneid",
                &[
                    ("csrf_token", &token),
                    ("nhom", "adults"),
                    ("ngay", "20/11/2026"),
                    ("nguon", "Công an tỉnh"),
                ],
                "tep",
                name,
                &bytes,
            )
            .await;
        assert_refused(&page, name, want);
    }
    assert_eq!(admin.get("/thong-ke/mau-so").await.status, StatusCode::OK);
}

test_both!(
    a_commune_officer_cannot_crash_the_roster_import,
    completions_refuse_hostile_files,
    denominators_and_vneid_never_read_a_dense_range,
);
