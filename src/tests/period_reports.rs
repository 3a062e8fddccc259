//! /bao-cao-dinh-ky: the province schedules a period; a commune's officer writes the report
//! (figures frozen at the first saving), sends it late, gets it back with a comment, sends it
//! again, and the province approves it; the completeness page says who reported and when;
//! another commune's officer reaches none of it; bad input writes nothing.

use axum::http::StatusCode;
use hocvuso_db::repo::reports;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, COMMUNE_B};

async fn count(app: &TestApp) -> usize {
    let db = app.state.db.read();
    let mut n = 0;
    for p in reports::periods(db).await.unwrap_or_else(|e| panic!("{e}")) {
        n += 1 + reports::reports_of_period(db, p.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .len();
    }
    n
}

fn id_of(location: &str) -> String {
    location
        .trim_start_matches("/bao-cao-dinh-ky/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn a_report_goes_from_the_commune_to_approval(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut officer_a = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    app.set_denominator(COMMUNE_B, "adults", 2026, 5_000).await;

    // October 2026, due 5 November: over and past due on the tests' day (25 November).
    let made = admin
        .post(
            "/bao-cao-dinh-ky/moi",
            &[
                ("loai", "month"),
                ("nam", "2026"),
                ("so", "10"),
                ("han", "05/11/2026"),
                ("don_vi", "commune"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let october = id_of(made.location());
    let page = admin.get(&format!("/bao-cao-dinh-ky/{october}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("h1").contains("Tháng 10/2026"));
    assert_eq!(page.attrs("#don-vi tbody tr", "data-code").len(), 124);
    assert!(page.text("#tom-tat").starts_with("0/124 đơn vị đã gửi"));

    // The officer sees their commune only.
    let list = officer_b.get("/bao-cao-dinh-ky").await;
    assert_eq!(list.status, StatusCode::OK);
    let mine = list.attrs("#cac-ky a", "href");
    assert!(
        mine.contains(&format!("/bao-cao-dinh-ky/{october}/{COMMUNE_B}")),
        "{mine:?}"
    );
    assert_eq!(
        officer_b
            .get(&format!("/bao-cao-dinh-ky/{october}"))
            .await
            .attrs("#don-vi tbody tr", "data-code"),
        [COMMUNE_B]
    );
    let path = format!("/bao-cao-dinh-ky/{october}/{COMMUNE_B}");
    let report = officer_b.get(&path).await;
    assert_eq!(report.status, StatusCode::OK);
    assert_eq!(report.text("#trang-thai"), "Chưa có");
    let adults = report
        .texts("#bang-so-lieu tbody tr")
        .into_iter()
        .find(|r| r.starts_with("Người dân"))
        .unwrap_or_else(|| panic!("{}", report.body));
    assert!(adults.contains("5.000"), "{adults}");
    // Another commune's report is not this officer's, nor is the other way round.
    assert_eq!(officer_a.get(&path).await.status, StatusCode::NOT_FOUND);
    let other = officer_a
        .post(
            &format!("{path}/luu"),
            &[("da_lam", "Không phải của tôi."), ("gui", "1")],
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // Sending with nothing written is refused; a draft is saved and its figures frozen.
    let empty = officer_b
        .post(&format!("{path}/luu"), &[("gui", "1")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text("#da_lam-loi").contains("Hãy ghi kết quả"));
    assert_eq!(count(&app).await, 1, "nothing written");
    let done = "Đã mở 4 lớp kỹ năng số cơ bản cho 160 người dân; Tổ công nghệ số hỗ trợ 312 lượt.";
    let draft = officer_b
        .post(&format!("{path}/luu"), &[("da_lam", done), ("gui", "0")])
        .await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER, "{}", draft.body);
    app.set_denominator(COMMUNE_B, "adults", 2026, 9_999).await;
    let report = officer_b.get(&path).await;
    assert_eq!(report.text("#trang-thai"), "Đang soạn");
    let adults = report
        .texts("#bang-so-lieu tbody tr")
        .into_iter()
        .find(|r| r.starts_with("Người dân"))
        .unwrap_or_default();
    assert!(
        adults.contains("5.000") && !adults.contains("9.999"),
        "frozen: {adults}"
    );
    assert_eq!(report.attrs("#da_lam", "id").len(), 1);

    // Sent (late: after 5 November).
    let sent = officer_b
        .post(
            &format!("{path}/luu"),
            &[
                ("da_lam", done),
                ("kho_khan", "Thiếu máy tính ở thôn xa."),
                ("gui", "1"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let report = officer_b.get(&path).await;
    assert_eq!(report.text("#trang-thai"), "Đã gửi, chờ duyệt");
    assert!(report.text("#gui-luc").contains("trễ hạn"));
    assert!(!report.has("#viet-bao-cao"), "a sent report is not edited");
    assert!(
        !report.has("#duyet-bao-cao"),
        "the commune does not approve its own report"
    );
    let again = officer_b
        .post(
            &format!("{path}/luu"),
            &[("da_lam", "Sửa sau khi gửi."), ("gui", "0")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text("#khong-duoc").contains("không sửa được"));
    let decide = officer_b
        .post(&format!("{path}/xet"), &[("quyet", "duyet")])
        .await;
    assert_eq!(decide.status, StatusCode::FORBIDDEN);

    let page = admin.get(&format!("/bao-cao-dinh-ky/{october}")).await;
    assert!(page
        .text("#tom-tat")
        .starts_with("1/124 đơn vị đã gửi (0 đúng hạn, 1 trễ hạn)"));
    assert_eq!(
        page.attrs("#don-vi tbody tr[data-timeliness=tre-han]", "data-code"),
        [COMMUNE_B]
    );

    // Returned with a comment (none: refused), sent again, approved.
    let bare = admin
        .post(&format!("{path}/xet"), &[("quyet", "tra-lai")])
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bare.text("#nhan_xet-loi").contains("Hãy ghi"));
    let back = admin
        .post(
            &format!("{path}/xet"),
            &[
                ("quyet", "tra-lai"),
                ("nhan_xet", "Bổ sung số người được hỗ trợ theo thôn."),
            ],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    let report = officer_b.get(&path).await;
    assert_eq!(report.text("#trang-thai"), "Bị trả lại để sửa");
    assert!(report.text("#cac-buoc").contains("Bổ sung số người"));
    let resent = officer_b
        .post(
            &format!("{path}/luu"),
            &[
                (
                    "da_lam",
                    &format!("{done} Thôn 1: 120 lượt; thôn 2: 192 lượt."),
                ),
                ("kho_khan", "Thiếu máy tính ở thôn xa."),
                ("gui", "1"),
            ],
        )
        .await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER, "{}", resent.body);
    let ok = admin
        .post(&format!("{path}/xet"), &[("quyet", "duyet")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let report = admin.get(&path).await;
    assert_eq!(report.text("#trang-thai"), "Đã duyệt");
    assert!(report.text("#da-lam").contains("thôn 2: 192 lượt"));
    assert_eq!(report.texts("#cac-buoc li").len(), 5);
    assert!(!report.has("#duyet-bao-cao"));
    let twice = admin
        .post(&format!("{path}/xet"), &[("quyet", "duyet")])
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    let list = admin.get("/bao-cao-dinh-ky").await;
    assert!(list.text("#cac-ky").contains("Tháng 10/2026"));

    // The consolidated report, as Word and as PDF: the administrative layout, the province's
    // figures, who reported, what the approved report says.
    let page = admin.get(&format!("/bao-cao-dinh-ky/{october}")).await;
    let links = page.attrs("#tong-hop a", "href");
    assert_eq!(links.len(), 2);
    let (status, docx) = admin.get_bytes(&links[0]).await;
    assert_eq!(status, StatusCode::OK);
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap_or_else(|e| panic!("{e}"));
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut archive
            .by_name("word/document.xml")
            .unwrap_or_else(|e| panic!("{e}")),
        &mut xml,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for want in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "/BC-SKHCN",
        "Lâm Đồng, ngày 25 tháng 11 năm 2026",
        "Tháng 10/2026",
        "đã duyệt: 1 báo cáo; chưa gửi: 123 đơn vị",
        "thôn 2: 192 lượt",
        "Thiếu máy tính ở thôn xa.",
        "Hoạt động trong kỳ trên toàn tỉnh. Lớp học: 0 lớp, 0 buổi học",
        "Hoạt động trong kỳ: Lớp học: 0 lớp",
        "Nơi nhận:",
    ] {
        assert!(xml.contains(want), "{want} not in the .docx");
    }
    let (status, pdf) = admin.get_bytes(&links[1]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = super::util::pdf_text(&pdf) {
        assert!(text.contains("BÁO CÁO"), "{text}");
        assert!(text.contains("192 lượt"), "{text}");
    }
    assert_eq!(
        officer_b.get_bytes(&links[0]).await.0,
        StatusCode::FORBIDDEN
    );
}

test_both!(a_report_goes_from_the_commune_to_approval);

async fn bad_periods_and_early_reports_are_refused(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;

    let wrong = admin
        .post(
            "/bao-cao-dinh-ky/moi",
            &[
                ("loai", "tuan"),
                ("nam", "1999"),
                ("so", "13"),
                ("han", "mai"),
                ("don_vi", "village"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.texts(".error-summary li").len(), 4, "{}", wrong.body);
    let early_due = admin
        .post(
            "/bao-cao-dinh-ky/moi",
            &[
                ("loai", "quarter"),
                ("nam", "2026"),
                ("so", "4"),
                ("han", "30/12/2026"),
                ("don_vi", "commune"),
            ],
        )
        .await;
    assert_eq!(early_due.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early_due.text("#han-loi").contains("sau ngày cuối"));
    assert_eq!(count(&app).await, 0, "nothing written");

    // November is not over on the 25th: no report yet.
    let november = admin
        .post(
            "/bao-cao-dinh-ky/moi",
            &[
                ("loai", "month"),
                ("nam", "2026"),
                ("so", "11"),
                ("han", "05/12/2026"),
                ("don_vi", "commune"),
                ("don_vi", "school"),
            ],
        )
        .await;
    assert_eq!(november.status, StatusCode::SEE_OTHER, "{}", november.body);
    let id = id_of(november.location());
    let twice = admin
        .post(
            "/bao-cao-dinh-ky/moi",
            &[
                ("loai", "month"),
                ("nam", "2026"),
                ("so", "11"),
                ("han", "05/12/2026"),
                ("don_vi", "commune"),
            ],
        )
        .await;
    assert!(twice.text("#so-loi").contains("đã có"));
    let path = format!("/bao-cao-dinh-ky/{id}/{COMMUNE_B}");
    let page = officer_b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("#chua-mo"));
    let early = officer_b
        .post(
            &format!("{path}/luu"),
            &[("da_lam", "Viết trước khi hết kỳ."), ("gui", "1")],
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.text("#khong-duoc").contains("chưa kết thúc"));
    assert_eq!(count(&app).await, 1);
    // A unit that is not of the reporting kinds, and a made-up period, are not found.
    assert_eq!(
        admin.get(&format!("/bao-cao-dinh-ky/{id}/68")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/bao-cao-dinh-ky/99999/24781").await.status,
        StatusCode::NOT_FOUND
    );
}

test_both!(bad_periods_and_early_reports_are_refused);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// Sends one file to a report (`/tep`).
async fn attach(
    br: &mut super::util::Browser<'_>,
    path: &str,
    name: &str,
    bytes: &[u8],
) -> super::util::Page {
    let token = br.csrf().await;
    br.post_file(
        &format!("{path}/tep"),
        &[("csrf_token", token.as_str())],
        "tep",
        name,
        bytes,
    )
    .await
}

async fn files_go_with_a_report_while_it_can_be_edited(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut officer_a = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    let made = admin
        .post(
            "/bao-cao-dinh-ky/moi",
            &[
                ("loai", "month"),
                ("nam", "2026"),
                ("so", "10"),
                ("han", "05/11/2026"),
                ("don_vi", "commune"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let path = format!("/bao-cao-dinh-ky/{}/{COMMUNE_B}", id_of(made.location()));

    // Not before the report is saved once.
    let early = officer_b.get(&path).await;
    assert!(early.has("#luu-truoc") && !early.has("#dinh-kem"));
    let refused = attach(&mut officer_b, &path, "bien-ban.pdf", PDF).await;
    assert!(
        refused.text("#khong-duoc").contains("lưu bản nháp"),
        "{}",
        refused.body
    );
    let draft = officer_b
        .post(
            &format!("{path}/luu"),
            &[("da_lam", "Đã mở 4 lớp kỹ năng số cơ bản."), ("gui", "0")],
        )
        .await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER, "{}", draft.body);

    // A PDF goes in; one that only claims to be a PDF does not.
    let added = attach(&mut officer_b, &path, "Biên bản lớp học.pdf", PDF).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let fake = attach(&mut officer_b, &path, "anh.pdf", b"<html>not a pdf</html>").await;
    assert_eq!(fake.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fake.text("#tep-loi").contains("không phải là tệp PDF"));
    let page = officer_b.get(&path).await;
    let links = page.attrs("#cac-tep a", "href");
    assert_eq!(links.len(), 1);
    assert!(page.text("#cac-tep").contains("Biên bản lớp học.pdf"));

    // The province reads it; another commune's officer reaches neither it nor its removal.
    let (status, headers, bytes) = admin.get_with(&links[0], &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    let disposition = headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"bao-cao-"),
        "{disposition}"
    );
    assert_eq!(
        officer_a.get_bytes(&links[0]).await.0,
        StatusCode::NOT_FOUND
    );
    let theirs = officer_a.post(&format!("{}/bo", links[0]), &[]).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let into = attach(&mut officer_a, &path, "x.pdf", PDF).await;
    assert_eq!(into.status, StatusCode::NOT_FOUND);

    // At most five.
    for i in 2..=5 {
        let more = attach(&mut officer_b, &path, &format!("anh-{i}.pdf"), PDF).await;
        assert_eq!(more.status, StatusCode::SEE_OTHER, "{}", more.body);
    }
    let sixth = attach(&mut officer_b, &path, "anh-6.pdf", PDF).await;
    assert_eq!(sixth.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sixth.text("#tep-loi").contains("tối đa 5 tệp"));
    // One removed makes room.
    let gone = officer_b.post(&format!("{}/bo", links[0]), &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    assert_eq!(
        officer_b.get(&path).await.attrs("#cac-tep a", "href").len(),
        4
    );
    assert_eq!(admin.get_bytes(&links[0]).await.0, StatusCode::NOT_FOUND);

    // Sent: no more files in or out.
    let sent = officer_b
        .post(
            &format!("{path}/luu"),
            &[("da_lam", "Đã mở 4 lớp kỹ năng số cơ bản."), ("gui", "1")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let late = attach(&mut officer_b, &path, "muon.pdf", PDF).await;
    assert!(late.text("#khong-duoc").contains("không thêm tệp"));
    let kept = officer_b.get(&path).await;
    let links = kept.attrs("#cac-tep a", "href");
    assert_eq!(links.len(), 4);
    assert!(!kept.has("#dinh-kem"));
    let out = officer_b.post(&format!("{}/bo", links[0]), &[]).await;
    assert!(out.text("#khong-duoc").contains("không bỏ tệp"));
    assert_eq!(
        officer_b.get(&path).await.attrs("#cac-tep a", "href").len(),
        4
    );
}

test_both!(files_go_with_a_report_while_it_can_be_edited);

/// A report keeps what its unit did in the period — a class's sessions and who came, contest
/// entries, help logged — frozen with its figures; another commune's report counts none of it.
async fn a_report_keeps_what_was_done_in_the_period(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut helper = app.staff("0900000003", Role::Helper, COMMUNE_B).await;
    let mut learner = app.learner("0911111111", COMMUNE_B).await;

    // The tests' clock: 25/11/2026 10:00. A class with a session on now and one tomorrow.
    let opened = officer
        .post(
            "/lop-hoc/quan-ly/moi",
            &[
                ("ten", "Lớp kỹ năng số cho người cao tuổi"),
                ("don_vi", COMMUNE_B),
                ("khoa_hoc", "ky-nang-so-co-ban"),
                ("nhom", ""),
                ("suc_chua", "20"),
                ("giang_vien", "Trần Văn Bình"),
                ("ty_le", "100"),
                (
                    "buoi",
                    "25/11/2026 09:30-11:30 Nhà văn hoá tổ dân phố 5\n26/11/2026 08:00-10:00 Nhà văn hoá tổ dân phố 5",
                ),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let class = opened.location().trim_end_matches("?xong=da-mo").to_owned();
    let id = class.rsplit('/').next().unwrap_or_default().to_owned();
    let joined = learner.post(&format!("/lop-hoc/{id}/dang-ky"), &[]).await;
    assert_eq!(joined.location(), "/lop-hoc?xong=da-dang-ky");
    let screens = officer.get(&class).await.attrs("a[href$='/ma']", "href");
    let code = officer.get(&screens[0]).await.text("#ma-diem-danh");
    let present = learner.post("/diem-danh", &[("ma", &code)]).await;
    assert_eq!(present.status, StatusCode::OK, "{}", present.body);

    // A contest entry and a visit of the community team.
    let contest = super::contests::a_contest(&mut officer).await;
    let j = learner
        .post(
            &format!("/cuoc-thi/{contest}/tham-gia"),
            &[("don_vi", COMMUNE_B)],
        )
        .await;
    assert_eq!(j.status, StatusCode::SEE_OTHER, "{}", j.body);
    super::contests::play(&app, &mut learner, contest, true, "1").await;
    let logged = helper
        .post(
            "/ho-tro/nhat-ky",
            &[
                ("topic", "Cài đặt và kích hoạt VNeID"),
                ("place", "Tại nhà người dân"),
                ("day", "24/11/2026"),
                ("phone", "0911111111"),
            ],
        )
        .await;
    assert_eq!(logged.location(), "/ho-tro?da-ghi=1", "{}", logged.body);

    // November's report, written in December.
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let made = admin
        .post(
            "/bao-cao-dinh-ky/moi",
            &[
                ("loai", "month"),
                ("nam", "2026"),
                ("so", "11"),
                ("han", "05/12/2026"),
                ("don_vi", "commune"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let november = id_of(made.location());
    app.clock.advance(chrono::Duration::days(6));
    let mut officer = app.staff("0900000012", Role::UnitOfficer, COMMUNE_B).await;
    let mut officer_a = app.staff("0900000016", Role::UnitOfficer, COMMUNE_A).await;
    let path = format!("/bao-cao-dinh-ky/{november}/{COMMUNE_B}");
    let page = officer.get(&path).await;
    let done = page.text("#hoat-dong");
    // Both sessions (25 and 26 November) are in November; one person came.
    assert!(
        done.contains("1 lớp, 2 buổi học; 1 người dự ít nhất một buổi"),
        "{done}"
    );
    assert!(done.contains("1 lượt bài thi đã nộp của 1 người"), "{done}");
    assert!(
        done.contains("1 lượt hỗ trợ của Tổ công nghệ số cộng đồng; 1 người được ghi tên"),
        "{done}"
    );
    let other = officer_a
        .get(&format!("/bao-cao-dinh-ky/{november}/{COMMUNE_A}"))
        .await;
    assert!(
        other.text("#hoat-dong").contains("0 lớp, 0 buổi học"),
        "{}",
        other.body
    );

    // Frozen at the first saving: help logged afterwards for a November day is not added.
    let saved = officer
        .post(
            &format!("{path}/luu"),
            &[("da_lam", "Mở một lớp cho người cao tuổi."), ("gui", "0")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let mut helper = app.staff("0900000013", Role::Helper, COMMUNE_B).await;
    let later = helper
        .post(
            "/ho-tro/nhat-ky",
            &[
                ("topic", "Thanh toán không dùng tiền mặt, mã QR"),
                ("place", "Chợ Đà Lạt"),
                ("day", "30/11/2026"),
            ],
        )
        .await;
    assert_eq!(later.location(), "/ho-tro?da-ghi=1", "{}", later.body);
    let kept = officer.get(&path).await.text("#hoat-dong");
    assert!(kept.contains("1 lượt hỗ trợ"), "{kept}");
    // The province's view of the period counts the province's activity in the consolidated
    // report's first section.
    let pdf = admin
        .get_bytes(&format!("/bao-cao-dinh-ky/{november}/tong-hop.pdf"))
        .await;
    assert_eq!(pdf.0, StatusCode::OK);
}

test_both!(a_report_keeps_what_was_done_in_the_period);
