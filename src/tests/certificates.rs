//! Certificates: the printable PDF, the signed credential (Open Badges 3.0, eddsa-jcs-2022),
//! checking a credential file, and revocation by the province.

use axum::http::StatusCode;
use hocvuso_db::repo::audit;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};
use serde_json::Value;

use super::util::{pdf_text, Browser, TestApp, COMMUNE_A};
use crate::services::credentials::credential;

/// A learner who passed the basic course, and their certificate's code.
async fn passed<'a>(app: &'a TestApp, phone: &str) -> (Browser<'a>, String) {
    let mut br = app.learner(phone, COMMUNE_A).await;
    br.read_all_lessons().await;
    let attempt = br.start_quiz().await;
    let done = br.answer_all(attempt, true).await;
    let result = br.get(done.location()).await;
    let link = result.attrs("a#xem-chung-nhan", "href");
    assert_eq!(link.len(), 1, "{}", result.body);
    assert_eq!(
        result.attrs("a#tai-chung-nhan", "href"),
        vec![format!("{}/tai-ve.pdf", link[0])]
    );
    let code = link[0].trim_start_matches("/chung-nhan/").to_owned();
    assert_eq!(
        result.text("#ma-chung-nhan"),
        crate::services::credentials::credential::short_code(&code),
        "the pass page shows the code printed on the certificate"
    );
    (br, code)
}

async fn check_file(br: &mut Browser<'_>, raw: &[u8]) -> super::util::Page {
    let token = br.csrf().await;
    br.post_file(
        "/chung-nhan/kiem-tra-tep",
        &[("csrf_token", &token)],
        "tep",
        "chung-nhan.json",
        raw,
    )
    .await
}

async fn a_learner_downloads_a_pdf_and_a_credential_that_verifies(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let (mut br, code) = passed(&app, "0912000001").await;
    let page = br.get(&format!("/chung-nhan/{code}")).await;
    assert!(
        page.has("a#tai-pdf") && page.has("a#tai-json"),
        "owner sees files"
    );

    let (status, pdf) = br
        .get_bytes(&format!("/chung-nhan/{code}/tai-ve.pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("/MediaBox [0 0 841.89 595.28]"),
        "A4 landscape"
    );
    // It states what happened: the basic course does not require its lessons before the quiz,
    // so the certificate speaks of the quiz only.
    if let Some(words) = pdf_text(&pdf) {
        let flat = words.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("đã đạt bài kiểm tra cuối khóa học"), "{flat}");
        let short = crate::services::credentials::credential::short_code(&code);
        assert!(
            flat.contains(&format!("Mã chứng nhận: {short}")),
            "printed: {flat}"
        );
        assert!(!flat.contains("học hết các bài"), "{flat}");
    }

    let (status, raw) = br
        .get_bytes(&format!("/chung-nhan/{code}/chung-nhan.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let v = credential::verify(&raw).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        v.learner_name, "Nguyễn Thị Hoa",
        "the holder's file has the full name"
    );
    assert_eq!(v.course_title, "Kỹ năng số cơ bản");
    assert_eq!(credential::code_of(&v.id), Some(code.as_str()));
    let dids = crate::services::credentials::certificates::issuer_dids(&app.state)
        .await
        .unwrap_or_default();
    assert_eq!(
        dids,
        vec![v.issuer.clone()],
        "signed with the province's key"
    );
    let doc: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    assert!(doc["type"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == "OpenBadgeCredential")));
    assert!(
        doc["credentialSubject"]["achievement"]["alignment"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["targetCode"] == "4.2")),
        "the course's competences are in the credential"
    );
    let (_, again) = br
        .get_bytes(&format!("/chung-nhan/{code}/chung-nhan.json"))
        .await;
    assert_eq!(raw, again, "the same file every time");

    // Nobody else gets the files.
    let mut other = app.learner("0912000002", COMMUNE_A).await;
    for path in ["tai-ve.pdf", "chung-nhan.json"] {
        let (status, _) = other.get_bytes(&format!("/chung-nhan/{code}/{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let anonymous = app
            .browser()
            .get(&format!("/chung-nhan/{code}/{path}"))
            .await;
        assert_eq!(
            anonymous.status,
            StatusCode::SEE_OTHER,
            "{path}: log in first"
        );
    }
    assert!(!other
        .get(&format!("/chung-nhan/{code}"))
        .await
        .has("a#tai-pdf"));

    // Anyone can check the file: valid; changed → refused with the reason.
    let mut anyone = app.browser();
    let ok = check_file(&mut anyone, &raw).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.has("#tep-hop-le"), "{}", ok.body);
    assert!(ok.body.contains("Nguyễn Thị Hoa"));
    let mut changed = doc.clone();
    changed["credentialSubject"]["achievement"]["name"] = Value::from("Khóa học khác");
    let bad = check_file(
        &mut anyone,
        &serde_json::to_vec(&changed).unwrap_or_default(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad
        .text("#tep-khong-hop-le")
        .contains("Chữ ký số không khớp"));
    let junk = check_file(&mut anyone, b"{not json").await;
    let why = junk.text("#tep-khong-hop-le");
    assert!(
        why.contains("không đọc được JSON") && why.contains("dòng 1, cột 2"),
        "{why}"
    );
    assert!(
        !why.contains("expected") && !why.contains(" at line "),
        "in Vietnamese: {why}"
    );
    // The certificate's own PDF is recognised and explained, never called invalid.
    let page = check_file(&mut anyone, &pdf).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!page.has("#tep-khong-hop-le"), "{}", page.body);
    let why = page.text("#tep-khac-loai");
    assert!(
        why.contains("tệp PDF của giấy chứng nhận") && why.contains("quét mã QR"),
        "{why}"
    );
    // Pasted instead of uploaded.
    let token = anyone.csrf().await;
    let pasted = anyone
        .post_file(
            "/chung-nhan/kiem-tra-tep",
            &[
                ("csrf_token", &token),
                ("noi-dung", &String::from_utf8_lossy(&raw)),
            ],
            "tep",
            "",
            b"",
        )
        .await;
    assert!(pasted.has("#tep-hop-le"), "{}", pasted.body);
    // Signed properly, but by someone else's key.
    let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let mut forged = doc.clone();
    if let Some(o) = forged.as_object_mut() {
        o.remove("proof");
    }
    forged["issuer"]["id"] = Value::from(credential::did_key(&key.verifying_key()));
    let forged = credential::sign(forged, &key, app.state.clock.now());
    let other_issuer = check_file(
        &mut anyone,
        &serde_json::to_vec(&forged).unwrap_or_default(),
    )
    .await;
    assert!(other_issuer.has("#nguoi-cap-khac"), "{}", other_issuer.body);
    app.verify_ok().await;
}

async fn the_province_revokes_a_certificate_with_a_reason(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let (mut learner, code) = passed(&app, "0912000003").await;
    assert!(learner
        .get("/khoa-hoc/ky-nang-so-co-ban")
        .await
        .has("#da-dat"));
    assert!(learner.get("/hoc").await.body.contains("Đã đạt."));
    let (_, raw) = learner
        .get_bytes(&format!("/chung-nhan/{code}/chung-nhan.json"))
        .await;
    let achieved = app.achieved(COMMUNE_A).await;
    let path = format!("/chung-nhan/{code}/thu-hoi");

    // Not the learner, not a commune officer.
    assert_eq!(
        learner.post(&path, &[("ly_do", "tự thu hồi")]).await.status,
        StatusCode::FORBIDDEN
    );
    let mut officer = app.staff("0912000004", Role::UnitOfficer, COMMUNE_A).await;
    assert_eq!(
        officer.post(&path, &[("ly_do", "x")]).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!officer
        .get(&format!("/chung-nhan/{code}"))
        .await
        .has("form#thu-hoi"));

    let mut admin = app.staff("0912000005", Role::ProvinceAdmin, "68").await;
    assert!(admin
        .get(&format!("/chung-nhan/{code}"))
        .await
        .has("form#thu-hoi"));
    let confirmed = |reason: &'static str| vec![("ly_do", reason), ("xac_nhan", "1")];
    let empty = admin.post(&path, &confirmed("  ")).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text("#thu-hoi-loi").contains("lý do"));
    assert!(empty.has("#chung-nhan-hop-le"), "nothing changed");
    // It asks for confirmation.
    let unconfirmed = admin
        .post(&path, &[("ly_do", "Gian lận khi làm bài kiểm tra")])
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unconfirmed.text("#thu-hoi-loi").contains("xác nhận"));
    assert!(unconfirmed.has("#chung-nhan-hop-le"), "nothing changed");
    assert_eq!(app.achieved(COMMUNE_A).await, achieved);

    let done = admin
        .post(&path, &confirmed("Gian lận khi làm bài kiểm tra"))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // The reason is private: the public sees the revocation, not why; the learner sees why.
    let public = app.browser().get(&format!("/chung-nhan/{code}")).await;
    assert!(public.has("#chung-nhan-bi-thu-hoi"));
    assert!(!public.body.contains("Gian lận"), "{}", public.body);
    let own = learner.get(&format!("/chung-nhan/{code}")).await;
    assert!(own
        .text("#chung-nhan-bi-thu-hoi")
        .contains("Gian lận khi làm bài kiểm tra"));
    let twice = admin.post(&path, &confirmed("lần nữa")).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The achievement is taken back in the same transaction: the commune counts one less, the
    // learner no longer shows it, and stats verify agrees.
    assert_eq!(app.achieved(COMMUNE_A).await, achieved - 1, "taken back");
    app.verify_ok().await;
    let course = learner.get("/khoa-hoc/ky-nang-so-co-ban").await;
    assert!(
        !course.body.contains("đã hoàn thành khóa học này"),
        "{}",
        course.body
    );
    let mine = learner.get("/hoc").await;
    assert!(!mine.body.contains("Đã đạt."), "{}", mine.body);
    // No new attempt while revoked.
    let again = learner
        .post("/khoa-hoc/ky-nang-so-co-ban/kiem-tra", &[])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("đã bị thu hồi"));

    // The file still carries a good signature, and the check says it was revoked.
    let checked = check_file(&mut app.browser(), &raw).await;
    assert!(checked.has("#tep-bi-thu-hoi"), "{}", checked.body);
    assert!(
        !checked.body.contains("Gian lận"),
        "the reason stays private"
    );
    // The learner can no longer download it.
    let (status, _) = learner
        .get_bytes(&format!("/chung-nhan/{code}/tai-ve.pdf"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let entries = audit::recent(app.state.db.read(), 100)
        .await
        .unwrap_or_default();
    assert!(entries
        .iter()
        .any(|e| e.action == "revoke_certificate" && e.subject == code));
    let log = admin.get("/thong-ke/nhat-ky").await;
    assert!(
        log.body.contains("Thu hồi chứng nhận"),
        "named in the audit log"
    );

    // Undone, with a reason: valid again, counted again, in the week it was first counted.
    let reinstate = format!("/chung-nhan/{code}/khoi-phuc");
    assert_eq!(
        learner
            .post(&reinstate, &[("ly_do_khoi_phuc", "x")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let no_reason = admin.post(&reinstate, &[("ly_do_khoi_phuc", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let back = admin
        .post(&reinstate, &[("ly_do_khoi_phuc", "Thu hồi nhầm người")])
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert!(app
        .browser()
        .get(&format!("/chung-nhan/{code}"))
        .await
        .has("#chung-nhan-hop-le"));
    assert_eq!(app.achieved(COMMUNE_A).await, achieved);
    app.verify_ok().await;
    let log = admin.get("/thong-ke/nhat-ky").await;
    assert!(log.body.contains("Khôi phục chứng nhận"));

    // Revoked again with the reason published: the public sees it.
    let published = admin
        .post(
            &path,
            &[
                ("ly_do", "Cấp nhầm người"),
                ("xac_nhan", "1"),
                ("cong_khai", "1"),
            ],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let public = app.browser().get(&format!("/chung-nhan/{code}")).await;
    assert!(public
        .text("#chung-nhan-bi-thu-hoi")
        .contains("Cấp nhầm người"));
    app.verify_ok().await;
}

/// The owner sees their own full name on their certificate page; everyone else a masked one.
async fn the_owner_sees_their_own_name(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let (mut learner, code) = passed(&app, "0912000006").await;
    let own = learner.get(&format!("/chung-nhan/{code}")).await;
    let public = app.browser().get(&format!("/chung-nhan/{code}")).await;
    let full = own.text("#nguoi-duoc-cap");
    let masked = public.text("#nguoi-duoc-cap");
    assert!(full.split_whitespace().count() >= 2, "{full}");
    assert_ne!(full, masked);
    assert!(masked.contains(". "), "{masked}");
}

/// `hocvuso keys rotate-issuer`: a file downloaded before still checks as this province's;
/// one downloaded after is signed by the new key, which the check page knows too.
async fn a_rotated_signing_key_keeps_old_files_valid(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let (mut br, code) = passed(&app, "0912000001").await;
    let json = format!("/chung-nhan/{code}/chung-nhan.json");
    let (_, before) = br.get_bytes(&json).await;
    let old = credential::verify(&before).unwrap_or_else(|e| panic!("{e}"));
    let new_did = crate::services::credentials::certificates::rotate_issuer_key(
        &app.state.db,
        crate::clock::Clock::now(app.clock.as_ref()),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(new_did, old.issuer);
    let (_, after) = br.get_bytes(&json).await;
    let new = credential::verify(&after).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(new.issuer, new_did, "signed by the new key at once");
    let mut anyone = app.browser();
    for raw in [&before, &after] {
        let page = check_file(&mut anyone, raw).await;
        assert!(page.has("#tep-hop-le"), "{}", page.body);
    }
    let dids = crate::services::credentials::certificates::issuer_dids(&app.state)
        .await
        .unwrap_or_default();
    assert_eq!(dids, vec![new_did, old.issuer]);
}

test_both!(
    a_learner_downloads_a_pdf_and_a_credential_that_verifies,
    the_province_revokes_a_certificate_with_a_reason,
    the_owner_sees_their_own_name,
    a_rotated_signing_key_keeps_old_files_valid,
);
