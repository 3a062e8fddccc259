//! /ton-vinh: a unit proposes an individual or a collective with evidence, the province
//! returns it with comments, the unit resubmits, the province accepts, and the public honour
//! roll shows it; another unit never sees it; bad input writes nothing.

use axum::http::{header, StatusCode};
use chrono::Datelike;
use hocvuso_db::repo::honours;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, TestApp, COMMUNE_A, COMMUNE_B};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0";

fn this_year(app: &TestApp) -> String {
    crate::clock::vietnam_time(app.state.clock.now())
        .year()
        .to_string()
}

/// Sends the new-proposal form with one file (`("", b"")` for none).
async fn propose(
    br: &mut Browser<'_>,
    fields: &[(&str, &str)],
    file_name: &str,
    file: &[u8],
) -> super::util::Page {
    let token = br.csrf().await;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    br.post_file("/ton-vinh/de-xuat/moi", &all, "tep", file_name, file)
        .await
}

async fn count(app: &TestApp) -> usize {
    honours::list(app.state.db.read(), None, None, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .len()
}

async fn a_proposal_goes_from_the_unit_to_the_honour_roll(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let year = this_year(&app);
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut officer_a = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;

    let form = officer_b.get("/ton-vinh/de-xuat/moi").await;
    assert_eq!(form.status, StatusCode::OK);
    // An officer of one commune proposes for it (and the units below) only.
    assert_eq!(form.attrs("#don_vi option", "value"), vec!["", COMMUNE_B]);
    let sent = propose(
        &mut officer_b,
        &[
            ("don_vi", COMMUNE_B),
            ("loai", "tap-the"),
            ("ten", "Tổ công nghệ số cộng đồng thôn Đạ Nghịt"),
            ("sang_kien", "“Cà phê số” sáng chủ nhật"),
            (
                "mo_ta",
                "Mỗi sáng chủ nhật, tổ mở quán cà phê của thôn để hướng dẫn bà con cài VNeID.",
            ),
            ("nam", &year),
        ],
        "Biên bản họp thôn.pdf",
        PDF,
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let at = sent.location().to_owned();
    assert!(at.ends_with("?xong=da-gui"), "{at}");
    let path = at.trim_end_matches("?xong=da-gui").to_owned();
    let id: i64 = path
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{path}"));

    let page = officer_b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("#trang-thai"), "Đang chờ xét");
    let files = page.attrs("#tep-minh-chung a", "href");
    assert_eq!(files.len(), 1);
    assert!(page
        .text("#tep-minh-chung")
        .contains("Biên bản họp thôn.pdf"));
    // The unit cannot decide its own proposal.
    assert!(!page.has("#xet-de-nghi"));

    // Another commune's officer sees neither the proposal nor its file, nor can add to it.
    assert_eq!(officer_a.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        officer_a.get_bytes(&files[0]).await.0,
        StatusCode::NOT_FOUND
    );
    let token = officer_a.csrf().await;
    let other = officer_a
        .post_file(
            &format!("{path}/tep"),
            &[("csrf_token", &token)],
            "tep",
            "x.pdf",
            PDF,
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(officer_a
        .get("/ton-vinh/de-xuat")
        .await
        .texts("#de-nghi tbody tr")
        .is_empty());
    // …nor decide it: that is the province's.
    let decide = officer_b
        .post(&format!("{path}/xet"), &[("quyet", "chap-nhan")])
        .await;
    assert_eq!(decide.status, StatusCode::FORBIDDEN);

    // The file comes back as it went in, as an attachment the browser never runs.
    let (status, headers, bytes) = admin.get_range(&files[0], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    assert_eq!(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert!(headers
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("attachment")));

    // Returning needs a comment; with one, the unit is asked to add to it.
    let no_comment = admin
        .post(&format!("{path}/xet"), &[("quyet", "tra-lai")])
        .await;
    assert_eq!(no_comment.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_comment.text(".error-summary").contains("cần bổ sung"));
    let returned = admin
        .post(
            &format!("{path}/xet"),
            &[
                ("quyet", "tra-lai"),
                ("ghi_chu", "Bổ sung số người được hướng dẫn."),
            ],
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    // A returned proposal is not the province's to accept until it comes back.
    let early = admin
        .post(&format!("{path}/xet"), &[("quyet", "chap-nhan")])
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.has("#khong-duoc"));

    let page = officer_b.get(&path).await;
    assert_eq!(page.text("#trang-thai"), "Trả lại để bổ sung");
    assert!(page
        .text("#cac-buoc")
        .contains("Bổ sung số người được hướng dẫn."));
    let token = officer_b.csrf().await;
    let second = officer_b
        .post_file(
            &format!("{path}/tep"),
            &[("csrf_token", &token)],
            "tep",
            "anh-buoi-huong-dan.png",
            PNG,
        )
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    let again = officer_b
        .post(
            &format!("{path}/sua"),
            &[
                ("loai", "tap-the"),
                ("ten", "Tổ công nghệ số cộng đồng thôn Đạ Nghịt"),
                ("sang_kien", "“Cà phê số” sáng chủ nhật"),
                (
                    "mo_ta",
                    "Mỗi sáng chủ nhật, tổ mở quán cà phê của thôn để hướng dẫn bà con cài VNeID: 412 người trong năm.",
                ),
                ("nam", &year),
                ("ghi_chu", "Đã bổ sung số người."),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);

    // Not on the roll before it is accepted.
    let roll = app.browser().get("/ton-vinh").await;
    assert_eq!(roll.status, StatusCode::OK);
    assert!(!roll.body.contains("Đạ Nghịt"));
    let accepted = admin
        .post(&format!("{path}/xet"), &[("quyet", "chap-nhan")])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);

    let mut visitor = app.browser();
    let roll = visitor.get("/ton-vinh").await;
    assert!(roll
        .text("#bang-vang")
        .contains("Tổ công nghệ số cộng đồng thôn Đạ Nghịt"));
    assert!(roll.text("#bang-vang").contains("412 người"));
    let here = visitor
        .get(&format!("/ton-vinh?nam={year}&don_vi={COMMUNE_B}"))
        .await;
    assert!(here.text("#bang-vang").contains("Cà phê số"));
    let elsewhere = visitor
        .get(&format!("/ton-vinh?nam={year}&don_vi={COMMUNE_A}"))
        .await;
    assert!(!elsewhere.has("#bang-vang"));
    // The province's filter takes in every commune.
    let province = visitor
        .get(&format!("/ton-vinh?nam={year}&don_vi=68"))
        .await;
    assert!(province.text("#bang-vang").contains("Cà phê số"));

    // Decided: nothing more changes, and every step is kept.
    let late = officer_b
        .post(&format!("{path}/sua"), &[("ten", "Khác")])
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    let steps = honours::steps(app.state.db.read(), id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let actions: Vec<&str> = steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "submitted",
            "file_added",
            "returned",
            "file_added",
            "resubmitted",
            "accepted"
        ]
    );
    let history = admin.get(&path).await;
    assert_eq!(history.texts("#cac-buoc li").len(), 6);
    assert_eq!(history.text("#trang-thai"), "Được tôn vinh");
}

test_both!(a_proposal_goes_from_the_unit_to_the_honour_roll);

async fn a_bad_proposal_gets_a_clear_message_and_writes_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let year = this_year(&app);
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let good = [
        ("don_vi", COMMUNE_B),
        ("loai", "ca-nhan"),
        ("ten", "Nguyễn Thị Lan"),
        ("sang_kien", "Dạy bà con quét mã QR"),
        (
            "mo_ta",
            "Chị Lan dạy hơn 200 bà con trong xã thanh toán bằng mã QR.",
        ),
        ("nam", year.as_str()),
    ];
    // A picture named as a PDF.
    let fake = propose(&mut officer_b, &good, "bien-ban.pdf", PNG).await;
    assert_eq!(fake.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        fake.text("#tep-loi").contains("không phải là tệp PDF"),
        "{}",
        fake.body
    );
    // The rest of the form is kept for the next try.
    assert_eq!(fake.attrs("#ten", "value"), vec!["Nguyễn Thị Lan"]);
    // A web page named as a picture, a file of another kind.
    let page = propose(
        &mut officer_b,
        &good,
        "anh.jpg",
        b"<html><script>alert(1)</script>",
    )
    .await;
    assert!(page.text("#tep-loi").contains("không phải là ảnh JPG"));
    let exe = propose(&mut officer_b, &good, "chuong-trinh.exe", b"MZ\x90\0").await;
    assert!(exe.text("#tep-loi").contains("chỉ nhận tệp PDF"));
    // Every missing field at once, each with its message.
    let empty = propose(&mut officer_b, &[("nam", "1999")], "", b"").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = empty.texts(".error-summary li");
    assert_eq!(errors.len(), 6, "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("Năm tôn vinh")),
        "{errors:?}"
    );
    // Another commune's unit is not this officer's to propose for.
    let mut other = good.to_vec();
    other[0] = ("don_vi", COMMUNE_A);
    let elsewhere = propose(&mut officer_b, &other, "", b"").await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(elsewhere.text("#don_vi-loi").contains("Hãy chọn đơn vị"));
    assert_eq!(count(&app).await, 0, "nothing was written");

    // A made-up proposal or file is not found, for anyone.
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    assert_eq!(
        admin.get("/ton-vinh/de-xuat/999").await.status,
        StatusCode::NOT_FOUND
    );
    let ok = propose(&mut officer_b, &good, "", b"").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let path = ok.location().trim_end_matches("?xong=da-gui").to_owned();
    assert_eq!(
        admin.get_bytes(&format!("{path}/tep/1")).await.0,
        StatusCode::NOT_FOUND
    );
    // Five files at most.
    for i in 0..5 {
        let token = officer_b.csrf().await;
        let added = officer_b
            .post_file(
                &format!("{path}/tep"),
                &[("csrf_token", &token)],
                "tep",
                &format!("tep-{i}.pdf"),
                PDF,
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{i}: {}", added.body);
    }
    let token = officer_b.csrf().await;
    let sixth = officer_b
        .post_file(
            &format!("{path}/tep"),
            &[("csrf_token", &token)],
            "tep",
            "tep-6.pdf",
            PDF,
        )
        .await;
    assert_eq!(sixth.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sixth.body.contains("nhiều nhất 5 tệp"), "{}", sixth.body);
    // A decision that is not one of the three.
    let odd = admin
        .post(&format!("{path}/xet"), &[("quyet", "xoa")])
        .await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app).await, 1);
}

test_both!(a_bad_proposal_gets_a_clear_message_and_writes_nothing);
