//! /thong-ke/bao-cao: the report for a period as a PDF. Its figures follow the period (a pass
//! counts in the period of its week, not in one before); the province admin reports on any
//! unit, an officer only on their own; bad dates are refused with a message. The PDF is read
//! back with poppler's `pdftotext` (CI installs it; elsewhere the read-back is skipped loudly).

use axum::http::StatusCode;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{pdf_text, TestApp, COMMUNE_A, COMMUNE_B};

/// The line of the communes' table for a commune code.
fn line_of<'a>(text: &'a str, code: &str) -> &'a str {
    text.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(code))
        .unwrap_or_else(|| panic!("no table line for {code} in:\n{text}"))
}

async fn the_report_follows_the_period_and_the_scope(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    app.set_denominator(COMMUNE_A, "adults", 2026, 10).await;
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    let attempt = learner.start_quiz().await;
    learner.answer_all(attempt, true).await;
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;

    let form = admin.get("/thong-ke/bao-cao").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.attrs("#tu", "value"), vec!["01/01/2026".to_owned()]);
    assert_eq!(form.attrs("#den", "value"), vec!["25/11/2026".to_owned()]);
    assert_eq!(
        form.texts("#don-vi option").len(),
        125,
        "the province and 124 communes"
    );

    let url = |unit: &str, from: &str, to: &str| {
        format!("/thong-ke/bao-cao.pdf?don-vi={unit}&tu={from}&den={to}&nhom=adults&chi-so=digital_skills")
    };
    let (status, pdf) = admin.get_bytes(&url("", "01/11/2026", "30/11/2026")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Báo cáo Bình dân học vụ số"), "{text}");
        assert!(flat.contains("Tỉnh Lâm Đồng — từ ngày 01/11/2026 đến ngày 30/11/2026"));
        assert!(flat.contains("Xếp hạng 124 xã, phường, đặc khu"));
        // Commune A ranks first: 1 of 10, all of it added in the period.
        let a = line_of(&text, COMMUNE_A);
        assert!(a.trim_start().starts_with("1 "), "{a}");
        assert!(a.contains("10,0%"), "{a}");
        let numbers: Vec<&str> = a.split_whitespace().collect();
        assert!(numbers.windows(3).any(|w| w == ["10", "1", "1"]), "{a}");
        assert!(line_of(&text, COMMUNE_B).contains('—'));
    }
    // A period before the pass: nothing achieved yet.
    let (status, pdf) = admin.get_bytes(&url("", "01/10/2026", "31/10/2026")).await;
    assert_eq!(status, StatusCode::OK);
    if let Some(text) = pdf_text(&pdf) {
        let numbers: Vec<&str> = line_of(&text, COMMUNE_A).split_whitespace().collect();
        assert!(
            numbers.windows(3).any(|w| w == ["10", "0", "0"]),
            "{numbers:?}"
        );
    }
    // One commune's report.
    let (status, pdf) = admin
        .get_bytes(&url(COMMUNE_A, "01/11/2026", "30/11/2026"))
        .await;
    assert_eq!(status, StatusCode::OK);
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("Phường Mũi Né — từ ngày 01/11/2026"),
            "{text}"
        );
        assert!(
            flat.contains("Chỉ tiêu: 10"),
            "the chart target line (100% of 10 in 2026)"
        );
        std::fs::write(
            std::env::temp_dir().join("hocvuso-report-commune.pdf"),
            &pdf,
        )
        .ok();
        assert!(!text.contains("Xếp hạng"));
    }

    // The chart covers the period asked for: its first date is the week of 01/01/2026, not a
    // year back from today.
    let (status, pdf) = admin
        .get_bytes(&url(COMMUNE_A, "01/01/2026", "05/12/2026"))
        .await;
    assert_eq!(status, StatusCode::OK);
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("29/12/2025"),
            "the Monday of 01/01/2026: {flat}"
        );
        assert!(
            flat.contains("30/11/2026"),
            "the Monday of 05/12/2026: {flat}"
        );
        assert!(
            !flat.contains("/2024") && !flat.contains("01/12/2025"),
            "{flat}"
        );
        assert!(
            flat.contains("từ ngày 01/01/2026 đến ngày 05/12/2026"),
            "{flat}"
        );
    }

    // Bad input: a message next to the form, no PDF.
    for (from, to, says) in [
        ("31/13/2026", "30/11/2026", "ngày bắt đầu"),
        ("01/12/2026", "30/11/2026", "trước hoặc bằng"),
        ("01/01/2020", "30/11/2026", "3 năm"),
    ] {
        let page = admin.get(&url("", from, to)).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{from}–{to}");
        assert!(page.text(".error-summary").contains(says), "{}", page.body);
    }

    // An officer: their own commune only; the province is not theirs.
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let form = officer.get("/thong-ke/bao-cao").await;
    assert_eq!(
        form.attrs("#don-vi option", "value"),
        vec![COMMUNE_B.to_owned()]
    );
    let ok = officer
        .get_bytes(&url(COMMUNE_B, "01/11/2026", "30/11/2026"))
        .await;
    assert_eq!(ok.0, StatusCode::OK);
    for unit in [COMMUNE_A, "", "99999"] {
        let (status, _) = officer
            .get_bytes(&url(unit, "01/11/2026", "30/11/2026"))
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "officer of B asking for {unit:?}"
        );
    }
    let (status, _) = learner
        .get_bytes(&url(COMMUNE_A, "01/11/2026", "30/11/2026"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        learner.get("/thong-ke/bao-cao").await.status,
        StatusCode::FORBIDDEN
    );
}

test_both!(the_report_follows_the_period_and_the_scope);
