//! /bien-tap/khoa-hoc…: authors edit a course's draft and publish versions; learners in the
//! middle of the course keep their progress and their attempt's questions.

use axum::http::StatusCode;
use hocvuso_db::repo::learning;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A};

const BASIC: &str = "/bien-tap/khoa-hoc/ky-nang-so-co-ban";

/// The prompt and answer key of the bank, as the in-memory catalog has it now.
fn bank(app: &TestApp) -> Vec<(i64, String)> {
    app.state
        .catalog
        .current()
        .by_slug("ky-nang-so-co-ban")
        .map(|c| {
            c.bank_questions()
                .map(|q| (q.question.id, q.question.prompt.clone()))
                .collect()
        })
        .unwrap_or_default()
}

async fn an_author_publishes_a_version_and_learners_keep_their_place(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    // A learner mid-course: lessons 1 and 2 read, an attempt open.
    let mut learner = app.learner("0912345611", COMMUNE_A).await;
    for n in 1..=2 {
        let path = format!("/khoa-hoc/ky-nang-so-co-ban/bai/{n}");
        assert_eq!(learner.post(&path, &[]).await.status, StatusCode::SEE_OTHER);
    }
    let course = learner.get("/khoa-hoc/ky-nang-so-co-ban").await;
    let lessons_before = course.texts("ol.lessons li").len();
    assert_eq!(course.texts(".done").len(), 2);
    let attempt = learner.start_quiz().await;
    let key = app.answer_key(attempt).await;
    let given: Vec<i64> = key.keys().copied().collect();
    let bank_before = bank(&app);

    let mut author = app.staff("0912000011", Role::Author, "68").await;
    // The preview of a lesson shows it as learners see it: its check question as a form,
    // never the raw block with the right option marked.
    let edit = author.get(&format!("{BASIC}/bai/2")).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    assert!(
        edit.has("section.preview form.kiem-tra-nhanh fieldset legend"),
        "{}",
        edit.text("section.preview")
    );
    let preview = edit.text("section.preview");
    assert!(
        !preview.contains("[x]") && !preview.contains("kiem-tra"),
        "{preview}"
    );
    let list = author.get("/bien-tap/khoa-hoc").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list
        .attrs("#khoa-hoc a", "href")
        .contains(&BASIC.to_owned()));
    assert!(
        !list.body.contains("binh-dan-hoc-vu-so-quoc-gia"),
        "a course taught elsewhere is not edited here"
    );
    let overview = author.get(BASIC).await;
    assert!(overview.text("#trang-thai").contains("phiên bản 1"));
    assert_eq!(overview.texts("#ds-bai-hoc li").len(), lessons_before);

    // Edit lesson 1 in place.
    let form = author.get(&format!("{BASIC}/bai/1")).await;
    let body = form.text("#body");
    assert!(!body.is_empty());
    let saved = author
        .post(
            &format!("{BASIC}/bai/1"),
            &[
                ("title", "Làm quen với điện thoại (bản mới)"),
                ("minutes", "12"),
                ("competences", "1.1, 2.1"),
                ("body", &format!("{body}\n\nĐoạn mới thêm.")),
                ("position", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Add a lesson as the second one.
    let added = author
        .post(
            &format!("{BASIC}/bai/moi"),
            &[
                ("title", "Giữ pin và dung lượng điện thoại"),
                ("minutes", "8"),
                ("competences", "5.1"),
                ("body", "## Pin\n\nSạc pin khi còn khoảng 20%."),
                ("position", "2"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    // Change a question the learner was given, and add one.
    let edited_id = given[0];
    let edited_at = bank_before
        .iter()
        .position(|(id, _)| *id == edited_id)
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("the attempt's question is in the bank"));
    let q_path = format!("{BASIC}/cau-hoi/{edited_at}");
    let q_form = author.get(&q_path).await;
    assert_eq!(q_form.status, StatusCode::OK);
    let old_prompt = q_form.text("#prompt");
    let changed = author
        .post(
            &q_path,
            &[
                (
                    "prompt",
                    "Câu hỏi đã sửa: mã OTP có được đọc cho người khác không?",
                ),
                (
                    "options",
                    "Không bao giờ\nĐược, nếu người đó xưng là công an\nĐược, nếu là người quen",
                ),
                ("correct", "1"),
                ("explanation", "Mã OTP chỉ dành cho chính bạn."),
                ("competences", "4.2"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let overview = author.get(&format!("{BASIC}?da-luu=1")).await;
    assert!(overview.has("#thong-bao"));
    assert!(overview
        .text("#trang-thai")
        .contains("bản nháp phiên bản 2"));
    assert_eq!(overview.texts("#ds-bai-hoc li").len(), lessons_before + 1);

    // Not published yet: learners see version 1.
    let course = learner.get("/khoa-hoc/ky-nang-so-co-ban").await;
    assert_eq!(course.texts("ol.lessons li").len(), lessons_before);
    assert!(!course.body.contains("(bản mới)"));

    let published = author
        .post(
            &format!("{BASIC}/xuat-ban"),
            &[("ghi_chu", "Sửa bài 1, thêm bài về pin")],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let overview = author.get(published.location()).await;
    assert!(overview.text("#thong-bao").contains("phiên bản 2"));
    assert!(overview
        .text("#trang-thai")
        .contains("đang thấy phiên bản 2"));
    let versions = overview.attrs("#phien-ban ~ div a", "href");
    assert_eq!(versions.len(), 2, "{versions:?}");

    // The learner sees the new version at once, and keeps their progress.
    let course = learner.get("/khoa-hoc/ky-nang-so-co-ban").await;
    assert_eq!(course.texts("ol.lessons li").len(), lessons_before + 1);
    let titles = course.texts("ol.lessons li a");
    assert!(titles[0].contains("(bản mới)"), "{titles:?}");
    assert!(titles[1].contains("Giữ pin"), "{titles:?}");
    assert_eq!(
        course.texts(".done").len(),
        2,
        "lesson 1 (edited) and the old lesson 2 (now 3) stay read"
    );
    let new_lesson = learner.get("/khoa-hoc/ky-nang-so-co-ban/bai/2").await;
    assert!(new_lesson.body.contains("Sạc pin khi còn khoảng 20%"));

    // The open attempt keeps the question it was given and is graded on its own key.
    let open = learner.get(&format!("/bai-lam/{attempt}")).await;
    // Each question is numbered as the messages name it ("Câu 1. …").
    assert!(open
        .texts("fieldset.question legend")
        .iter()
        .any(|t| t.starts_with("Câu ") && t.ends_with(old_prompt.as_str())));
    assert!(!open.body.contains("Câu hỏi đã sửa"));
    assert_eq!(app.answer_key(attempt).await, key);
    let done = learner.answer_all(attempt, true).await;
    let result = learner.get(done.location()).await;
    assert!(result.has("#xem-chung-nhan"), "{}", result.text("#ket-qua"));

    // New attempts draw from the new bank: the old question retired, the new one in.
    let after = bank(&app);
    assert_eq!(after.len(), bank_before.len());
    assert!(!after.iter().any(|(id, _)| *id == edited_id));
    assert!(after.iter().any(|(_, p)| p.starts_with("Câu hỏi đã sửa")));
    let kept = after
        .iter()
        .filter(|(id, _)| bank_before.iter().any(|(b, _)| b == id))
        .count();
    assert_eq!(
        kept,
        bank_before.len() - 1,
        "unchanged questions keep their ids"
    );

    // Version 1 still says what learners saw before.
    let v1 = author.get(&format!("{BASIC}/phien-ban/1")).await;
    assert_eq!(v1.status, StatusCode::OK);
    assert!(v1.text("#trang-thai").contains("Đã thay"));
    assert!(!v1.body.contains("(bản mới)"));
    assert!(v1.body.contains(&old_prompt));
    let v2 = author.get(&format!("{BASIC}/phien-ban/2")).await;
    assert!(v2.body.contains("(bản mới)") && v2.body.contains("Sửa bài 1, thêm bài về pin"));

    // Another server process on the same database picks the new version up.
    let other = crate::open(
        crate::config::Config {
            database_url: app.state.config.database_url.clone(),
            database_readers: 1,
            ..crate::config::Config::default()
        },
        app.clock.clone(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let lessons_of = |s: &crate::state::AppState| {
        s.catalog
            .current()
            .by_slug("ky-nang-so-co-ban")
            .map_or(0, |c| c.lessons.len())
    };
    assert_eq!(lessons_of(&other), lessons_before + 1);
    author.post(&format!("{BASIC}/bai/2/xoa"), &[]).await;
    author.post(&format!("{BASIC}/xuat-ban"), &[]).await;
    assert_eq!(lessons_of(&app.state), lessons_before);
    assert_eq!(lessons_of(&other), lessons_before + 1, "not yet");
    assert!(
        crate::services::learning::catalog::refresh_if_changed(&other)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    );
    assert_eq!(lessons_of(&other), lessons_before);
    app.verify_ok().await;
}

async fn bad_input_is_refused_and_nothing_is_saved(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut author = app.staff("0912000012", Role::Author, "68").await;
    let course_id = app
        .state
        .catalog
        .current()
        .by_slug("ky-nang-so-co-ban")
        .map_or(0, |c| c.course.id);
    let draft = || async {
        learning::draft_of(app.state.db.read(), course_id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };

    let bad = author
        .post(
            &format!("{BASIC}/bai/moi"),
            &[
                ("title", "  "),
                ("minutes", "mười"),
                ("competences", "4.2, 9.9"),
                ("body", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = bad.texts(".error-summary li");
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("tên bài học")));
    assert!(errors.iter().any(|e| e.contains("9.9")));
    assert_eq!(
        bad.attrs("#competences", "value"),
        vec!["4.2, 9.9".to_owned()],
        "typed values kept"
    );
    let broken = author
        .post(
            &format!("{BASIC}/bai/moi"),
            &[
                ("title", "Bài có câu hỏi hỏng"),
                ("minutes", "5"),
                ("body", "Đọc.\n\n```kiem-tra\nHỏi?\n- [ ] a\n- [ ] b\n```\n"),
            ],
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken
        .text(".error-summary")
        .contains("Câu hỏi kiểm tra nhanh thứ 1: cần đúng một phương án đúng"));
    assert!(draft().await.is_none(), "nothing saved");

    let bad = author
        .post(
            &format!("{BASIC}/cau-hoi/moi"),
            &[
                ("prompt", "Một phương án?"),
                ("options", "Chỉ một"),
                ("correct", "3"),
                ("explanation", "x"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.texts(".error-summary li").len(), 2);
    assert!(draft().await.is_none());

    let bad = author
        .post(
            BASIC,
            &[
                ("title", "Kỹ năng số cơ bản"),
                ("summary", "Tóm tắt"),
                ("pass_percent", "150"),
                ("minutes", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.texts(".error-summary li").len(),
        2,
        "{}",
        bad.text(".error-summary")
    );
    let quota = author
        .post(
            BASIC,
            &[
                ("title", "Kỹ năng số cơ bản"),
                ("summary", "Tóm tắt"),
                ("pass_percent", "80"),
                ("draw_by", "4.2 bốn"),
            ],
        )
        .await;
    assert_eq!(quota.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(quota.text(".error-summary").contains("4.2: 4, 2.3: 2"));
    assert!(draft().await.is_none());

    // Publishing with nothing changed, then with a draft that draws more than its bank.
    let nothing = author.post(&format!("{BASIC}/xuat-ban"), &[]).await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nothing.text(".error-summary").contains("Chưa có thay đổi"));
    let ok = author
        .post(
            BASIC,
            &[
                ("title", "Kỹ năng số cơ bản"),
                ("summary", "Tóm tắt"),
                ("pass_percent", "80"),
                ("draw", "200"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let refused = author.post(&format!("{BASIC}/xuat-ban"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text(".error-summary").contains("rút 200 câu"));
    let version = app
        .state
        .catalog
        .current()
        .by_slug("ky-nang-so-co-ban")
        .map_or(0, |c| c.course.version);
    assert_eq!(version, 1, "nothing published");

    // Another author's change in between: the stale save changes nothing.
    let d = draft().await.unwrap_or_else(|| panic!("a draft"));
    assert!(!learning::update_draft(
        app.state.db.write(),
        d.id,
        "{}",
        "{}",
        crate::clock::Clock::now(app.clock.as_ref())
    )
    .await
    .unwrap_or_else(|e| panic!("{e}")));

    // Throwing the draft away leaves the course as published.
    let gone = author.post(&format!("{BASIC}/bo-nhap"), &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(draft().await.is_none());
    let page = author.get(gone.location()).await;
    assert!(page.text("#thong-bao").contains("Đã bỏ bản nháp"));

    // Unknown places and courses taught elsewhere are not found.
    for path in [
        format!("{BASIC}/bai/0"),
        format!("{BASIC}/bai/999"),
        format!("{BASIC}/cau-hoi/abc"),
        "/bien-tap/khoa-hoc/binh-dan-hoc-vu-so-quoc-gia".to_owned(),
        "/bien-tap/khoa-hoc/khong-co".to_owned(),
    ] {
        assert_eq!(
            author.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // A learner may not author.
    let mut learner = app.learner("0912345612", COMMUNE_A).await;
    assert_eq!(learner.get(BASIC).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        learner.post(&format!("{BASIC}/xuat-ban"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
}

/// The order settings and a lesson's module are edited and published like the rest.
async fn order_and_modules_are_published_like_the_rest(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut author = app.staff("0912000013", Role::Author, "68").await;
    let settings = author.get(BASIC).await;
    assert!(!settings.has("#sequential[checked]"));
    let saved = author
        .post(
            BASIC,
            &[
                ("title", "Kỹ năng số cơ bản"),
                ("summary", "Tóm tắt mới."),
                ("pass_percent", "80"),
                ("draw", "12"),
                ("minutes", "30"),
                ("sequential", "1"),
                ("require_lessons", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let lesson = author.get(&format!("{BASIC}/bai/1")).await;
    assert_eq!(
        lesson.attrs("#module", "value"),
        vec!["Phần 1. Dùng điện thoại thông minh".to_owned()]
    );
    assert_eq!(lesson.attrs("#cac-phan option", "value").len(), 6);
    let fields: Vec<(String, String)> = [
        ("module", "Phần 1. Bắt đầu"),
        ("title", &lesson.attrs("#title", "value")[0]),
        ("minutes", "10"),
        ("competences", "5.1"),
        ("body", &lesson.text("#body")),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let saved = author.post(&format!("{BASIC}/bai/1"), &refs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let published = author.post(&format!("{BASIC}/xuat-ban"), &[]).await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let v2 = author.get(&format!("{BASIC}/phien-ban/2")).await;
    assert!(v2.body.contains("các bài mở lần lượt"));

    let mut learner = app.learner("0912345613", COMMUNE_A).await;
    let course = learner.get("/khoa-hoc/ky-nang-so-co-ban").await;
    assert_eq!(course.texts("h3.module")[0], "Phần 1. Bắt đầu");
    assert!(course.text(".lead").contains("Tóm tắt mới."));
    assert_eq!(
        learner
            .get("/khoa-hoc/ky-nang-so-co-ban/bai/3")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        learner
            .post("/khoa-hoc/ky-nang-so-co-ban/kiem-tra", &[])
            .await
            .status,
        StatusCode::CONFLICT
    );
}

async fn a_multiple_choice_question_is_authored(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut author = app.staff("0912000014", Role::Author, "68").await;
    let path = format!("{BASIC}/cau-hoi/moi");
    let base = [
        (
            "prompt",
            "Những việc nào giúp giữ an toàn tài khoản? Chọn tất cả phương án đúng.",
        ),
        (
            "options",
            "Đặt mật khẩu dài\nKhông đọc mã OTP cho ai\nDùng chung mật khẩu cho mọi nơi",
        ),
        ("explanation", "Mật khẩu dài, riêng và không lộ mã OTP."),
        ("competences", "4.2"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    let one_answer = author.post(&path, &with(&[("correct", "1, 2")])).await;
    assert_eq!(one_answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(one_answer
        .text(".error-summary")
        .contains("Chọn nhiều đáp án"));
    let all_right = author
        .post(&path, &with(&[("correct", "1, 2, 3"), ("multiple", "1")]))
        .await;
    assert_eq!(all_right.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(all_right
        .text(".error-summary")
        .contains("ít nhất một phương án sai"));
    let ok = author
        .post(&path, &with(&[("correct", "2,1"), ("multiple", "1")]))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let published = author.post(&format!("{BASIC}/xuat-ban"), &[]).await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let catalog = app.state.catalog.current();
    let q = catalog
        .by_slug("ky-nang-so-co-ban")
        .and_then(|c| {
            c.bank_questions().find(|q| {
                q.question
                    .prompt
                    .starts_with("Những việc nào giúp giữ an toàn")
            })
        })
        .unwrap_or_else(|| panic!("published"));
    assert_eq!(q.question.kind, learning::KIND_MULTIPLE);
    let right: Vec<bool> = q.options.iter().map(|o| o.is_correct).collect();
    assert_eq!(right, vec![true, true, false]);
    // The form shows it back as it was saved.
    let n = catalog
        .by_slug("ky-nang-so-co-ban")
        .map_or(0, |c| c.bank_questions().count());
    let form = author.get(&format!("{BASIC}/cau-hoi/{n}")).await;
    assert_eq!(form.attrs("#correct", "value"), vec!["1, 2".to_owned()]);
    assert!(form.has("#multiple[checked]"));
}

/// A question whose options are pictures (images uploaded for the handbook): shown as images
/// with their descriptions, graded like any other.
async fn a_picture_choice_question_is_authored_and_answered(b: TestBackend) {
    use hocvuso_db::ConnectionTrait;
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut author = app.staff("0912000016", Role::Author, "68").await;
    let path = format!("{BASIC}/cau-hoi/moi");
    let fields = |options: &'static str| {
        vec![
            (
                "prompt",
                "Hình nào là cách làm đúng khi có cuộc gọi giả danh công an?",
            ),
            ("options", options),
            ("correct", "1"),
            ("explanation", "Cúp máy, không làm theo."),
        ]
    };
    let missing = author
        .post(
            &path,
            &fields("![Cúp máy](/anh/cuoc-goi-gia-danh-cong-an-cup-may.svg)\n![Ảnh chưa có](/anh/khong-co.png)"),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing
        .text(".error-summary")
        .contains("Chưa có ảnh khong-co.png"));
    let no_words = author
        .post(
            &path,
            &fields("![](/anh/cuoc-goi-gia-danh-cong-an-cup-may.svg)\nLàm theo người gọi"),
        )
        .await;
    assert_eq!(no_words.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_words.text(".error-summary").contains("có mô tả"));
    let ok = author
        .post(
            &path,
            &fields("![Cúp máy, không làm theo](/anh/cuoc-goi-gia-danh-cong-an-cup-may.svg)\n![Làm theo hướng dẫn qua điện thoại](/anh/cai-dat-vneid-cac-buoc.svg)"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    author.post(&format!("{BASIC}/xuat-ban"), &[]).await;
    let catalog = app.state.catalog.current();
    let q = catalog
        .by_slug("ky-nang-so-co-ban")
        .and_then(|c| {
            c.bank_questions()
                .find(|q| q.question.prompt.starts_with("Hình nào"))
        })
        .unwrap_or_else(|| panic!("published"));

    let mut learner = app.learner("0912345651", COMMUNE_A).await;
    let attempt = learner.start_quiz().await;
    let db = app.state.db.write();
    db.execute(hocvuso_db::sea_query_statement(
        db.get_database_backend(),
        &format!(
            "UPDATE quiz_attempt SET question_ids = '{}', question_count = 1 WHERE id = {attempt}",
            q.question.id
        ),
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let page = learner.get(&format!("/bai-lam/{attempt}")).await;
    let mut alts = page.attrs("label img.lua-chon-anh", "alt");
    alts.sort();
    assert_eq!(
        alts,
        vec![
            "Cúp máy, không làm theo".to_owned(),
            "Làm theo hướng dẫn qua điện thoại".to_owned()
        ]
    );
    assert!(
        !page.body.contains("!["),
        "no Markdown shown to the learner"
    );
    let done = learner.answer_all(attempt, true).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let result = learner.get(done.location()).await;
    assert!(result.has("#xem-chung-nhan"), "{}", result.text("#ket-qua"));
}

/// A video with captions for a lesson: checked on upload, served in parts (range requests),
/// shown in a lesson as a player that loads nothing before play.
async fn a_lesson_video_is_uploaded_and_served_in_parts(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut author = app.staff("0912000017", Role::Author, "68").await;
    let video: Vec<u8> = [&[0u8, 0, 0, 0x18][..], b"ftypisom"]
        .concat()
        .into_iter()
        .chain((0..20_000u32).map(|i| (i % 251) as u8))
        .collect();
    let captions = "WEBVTT\n\n00:00.000 --> 00:03.000\nQuét mã QR để trả tiền.\n";
    let token = author.csrf().await;
    let bad = author
        .post_file(
            "/bien-tap/phuong-tien",
            &[
                ("csrf_token", &token),
                ("av_alt", "Hướng dẫn"),
                ("captions", "1\n00:00:00,000 --> 00:00:02,000\nSRT"),
            ],
            "av_file",
            "tai-lieu.pdf",
            b"%PDF-1.7 not a video",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = bad.texts(".error-summary li");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("Chỉ nhận video MP4"));
    assert!(errors[1].contains("WebVTT"));

    let ok = author
        .post_file(
            "/bien-tap/phuong-tien",
            &[
                ("csrf_token", &token),
                ("av_alt", "Cách quét mã QR (3 phút)"),
                ("captions", captions),
            ],
            "av_file",
            "Quét mã QR.mp4",
            &video,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = author.get(ok.location()).await;
    let line = page.text("#dong-chep");
    let name = line
        .split("/phuong-tien/")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap_or_default()
        .to_owned();
    assert!(
        name.starts_with("quet-ma-qr-") && name.ends_with(".mp4"),
        "{line}"
    );
    let vtt = name.replace(".mp4", ".vtt");
    assert_eq!(
        line,
        format!("![Cách quét mã QR (3 phút)](/phuong-tien/{name} \"{vtt}\")")
    );

    // Served whole, in parts, and refused outside.
    let mut anyone = app.browser();
    let path = format!("/phuong-tien/{name}");
    let (status, headers, whole) = anyone.get_range(&path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(whole, video);
    assert_eq!(
        headers.get("accept-ranges").map(|v| v.as_bytes()),
        Some(&b"bytes"[..])
    );
    assert_eq!(
        headers.get("content-type").map(|v| v.as_bytes()),
        Some(&b"video/mp4"[..])
    );
    let (status, headers, part) = anyone.get_range(&path, Some("bytes=100-199")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part, video[100..200].to_vec());
    let total = video.len();
    assert_eq!(
        headers.get("content-range").and_then(|v| v.to_str().ok()),
        Some(format!("bytes 100-199/{total}").as_str())
    );
    let (_, _, tail) = anyone.get_range(&path, Some("bytes=-10")).await;
    assert_eq!(tail, video[total - 10..].to_vec());
    let (status, _, _) = anyone
        .get_range(&path, Some(&format!("bytes={total}-")))
        .await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    let (status, headers, text) = anyone.get_range(&format!("/phuong-tien/{vtt}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get("content-type").map(|v| v.as_bytes()),
        Some(&b"text/vtt"[..])
    );
    assert_eq!(String::from_utf8_lossy(&text), captions.trim());
    assert_eq!(
        anyone
            .get_range("/phuong-tien/cuoc-goi-gia-danh-cong-an-cup-may.svg", None)
            .await
            .0,
        StatusCode::NOT_FOUND,
        "images are not served as media"
    );

    // In a lesson: a player with captions, nothing loaded before play, a download link.
    let saved = author
        .post(
            &format!("{BASIC}/bai/moi"),
            &[
                ("title", "Xem video: quét mã QR"),
                ("minutes", "5"),
                ("body", &format!("Xem video rồi làm theo.\n\n{line}\n")),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    author.post(&format!("{BASIC}/xuat-ban"), &[]).await;
    let mut learner = app.learner("0912345681", COMMUNE_A).await;
    let n = app
        .state
        .catalog
        .current()
        .by_slug("ky-nang-so-co-ban")
        .map_or(0, |c| c.lessons.len());
    let lesson = learner
        .get(&format!("/khoa-hoc/ky-nang-so-co-ban/bai/{n}"))
        .await;
    assert_eq!(lesson.attrs("video", "preload"), vec!["none".to_owned()]);
    assert_eq!(lesson.attrs("video", "src"), vec![path.clone()]);
    assert_eq!(
        lesson.attrs("video track", "src"),
        vec![format!("/phuong-tien/{vtt}")]
    );
    assert_eq!(lesson.attrs("a[download]", "href"), vec![path]);
    let csp = lesson
        .headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(csp.contains("media-src 'self'"), "{csp}");
}

/// An author creates a course: unseen by learners (and search) until its first version, which
/// needs a summary, a lesson and a question.
async fn an_author_creates_a_course_learners_see_once_published(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut author = app.staff("0912000018", Role::Author, "68").await;
    let refused = author
        .post(
            "/bien-tap/khoa-hoc",
            &[("title", ""), ("slug", "Sai Mã!"), ("level", "Cao nhất")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = refused.texts(".error-summary li");
    assert_eq!(errors.len(), 2, "{errors:?}");
    let taken = author
        .post(
            "/bien-tap/khoa-hoc",
            &[
                ("title", "Khác"),
                ("slug", "ky-nang-so-co-ban"),
                ("level", "Cơ bản"),
            ],
        )
        .await;
    assert!(taken
        .text(".error-summary")
        .contains("Đã có khóa học với mã"));

    let made = author
        .post(
            "/bien-tap/khoa-hoc",
            &[
                ("title", "Kỹ năng số nâng cao"),
                ("slug", ""),
                ("level", "Nâng cao"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.location(), "/bien-tap/khoa-hoc/ky-nang-so-nang-cao");
    let edit = "/bien-tap/khoa-hoc/ky-nang-so-nang-cao";
    let fresh = author.get(edit).await;
    assert!(
        fresh
            .text("#trang-thai")
            .contains("chưa xuất bản: người học chưa thấy"),
        "{}",
        fresh.text("#trang-thai")
    );
    assert!(
        !fresh.has("#trang-thai a"),
        "no learner's view of an unpublished course"
    );
    assert!(author
        .get("/bien-tap/khoa-hoc")
        .await
        .text("#khoa-hoc")
        .contains("chưa xuất bản"));

    let mut learner = app.learner("0912345691", COMMUNE_A).await;
    assert!(!learner
        .get("/hoc")
        .await
        .body
        .contains("Kỹ năng số nâng cao"));
    assert_eq!(
        learner.get("/khoa-hoc/ky-nang-so-nang-cao").await.status,
        StatusCode::NOT_FOUND
    );

    // Nothing to publish yet; then what a first version needs.
    author
        .post(
            &format!("{edit}/bai/moi"),
            &[
                ("title", "Bài 1"),
                ("minutes", "5"),
                ("body", "Nội dung bài 1."),
            ],
        )
        .await;
    let early = author.post(&format!("{edit}/xuat-ban"), &[]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    let why = early.text(".error-summary");
    assert!(
        why.contains("giới thiệu ngắn") && why.contains("ít nhất một câu hỏi"),
        "{why}"
    );
    author
        .post(
            edit,
            &[
                ("title", "Kỹ năng số nâng cao"),
                ("summary", "Dành cho người đã học khóa cơ bản."),
                ("pass_percent", "80"),
            ],
        )
        .await;
    author
        .post(
            &format!("{edit}/cau-hoi/moi"),
            &[
                ("prompt", "Câu hỏi?"),
                ("options", "Đúng\nSai"),
                ("correct", "1"),
                ("explanation", "Vì thế."),
            ],
        )
        .await;
    let published = author.post(&format!("{edit}/xuat-ban"), &[]).await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let page = author.get(published.location()).await;
    assert!(
        page.text("#thong-bao").contains("phiên bản 1"),
        "{}",
        page.text("#thong-bao")
    );
    assert_eq!(page.texts("#phien-ban + div tbody tr").len(), 1);
    assert!(learner
        .get("/hoc")
        .await
        .body
        .contains("Kỹ năng số nâng cao"));
    let course = learner.get("/khoa-hoc/ky-nang-so-nang-cao").await;
    assert_eq!(course.status, StatusCode::OK);
    assert_eq!(course.texts("ol.lessons li").len(), 1);
    let attempt = learner.start_quiz_of("ky-nang-so-nang-cao").await;
    let done = learner.answer_all(attempt, true).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    app.verify_ok().await;
}

test_both!(
    an_author_creates_a_course_learners_see_once_published,
    a_lesson_video_is_uploaded_and_served_in_parts,
    a_picture_choice_question_is_authored_and_answered,
    a_multiple_choice_question_is_authored,
    order_and_modules_are_published_like_the_rest,
    an_author_publishes_a_version_and_learners_keep_their_place,
    bad_input_is_refused_and_nothing_is_saved,
);

/// Files of an exported folder, as the import reads them.
fn reader(files: &[(String, String)]) -> impl Fn(&str) -> Option<String> + '_ {
    move |rel: &str| files.iter().find(|(p, _)| p == rel).map(|(_, t)| t.clone())
}

/// A course goes out to a folder of TOML + Markdown and comes back into its draft: unchanged,
/// nothing to do; edited, the changes are counted, written to the draft only (all or nothing),
/// and published like any draft, keeping learners' progress on lessons kept.
async fn a_course_goes_out_to_a_folder_and_back(b: TestBackend) {
    use crate::content::parse_course;
    use crate::services::learning::course_edit::{export, import, ImportPlan};
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let slug = "ky-nang-so-co-ban";
    let files = export(&app.state, slug, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names.len(), 2 + 6, "{names:?}");
    assert!(
        names.contains(&"lessons/01-lam-quen-voi-dien-thoai-thong-minh.md"),
        "{names:?}"
    );
    let course_toml = &files[0].1;
    assert!(
        course_toml.contains("module = \"Phần 2. VNeID"),
        "{course_toml}"
    );
    assert!(
        course_toml.contains("required_for = [\"adults\", \"officials\", \"armed_forces\"]"),
        "{course_toml}"
    );
    assert!(files[1].1.contains("correct = [0, 1]"), "{}", files[1].1);
    assert!(files[1].1.contains("minutes = 30"));

    let parsed = parse_course(slug, "ra", &reader(&files)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.quiz.questions.len(), 50);
    let same = import(&app.state, &parsed, true)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(same.is_empty(), "{same:?}");

    // A learner has read lesson 2.
    let mut learner = app.learner("0912345631", COMMUNE_A).await;
    learner.post("/khoa-hoc/ky-nang-so-co-ban/bai/2", &[]).await;

    // Edit the folder: lesson 2's text, lesson 6's title, one question out, one in.
    let mut edited = files.clone();
    let lesson2 = edited
        .iter_mut()
        .find(|(p, _)| p.starts_with("lessons/02-"))
        .unwrap_or_else(|| panic!("lesson 2"));
    lesson2.1.push_str("\nMột đoạn mới cuối bài.\n");
    edited[0].1 = edited[0].1.replace(
        "title = \"Tìm kiếm và kiểm tra thông tin\"",
        "title = \"Tìm và kiểm tra thông tin trên mạng\"",
    );
    let quiz = &mut edited[1].1;
    let last = quiz.rfind("[[questions]]").unwrap_or(0);
    quiz.truncate(last);
    quiz.push_str(
        "[[questions]]\nprompt = \"Câu hỏi mới từ thư mục?\"\noptions = [\"Có\", \"Không\"]\ncorrect = 0\nexplanation = \"Vì thế.\"\n",
    );
    let parsed = parse_course(slug, "ra", &reader(&edited)).unwrap_or_else(|e| panic!("{e}"));
    let dry = import(&app.state, &parsed, true)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let want = ImportPlan {
        settings_changed: false,
        lessons_kept: 4,
        lessons_changed: 1,
        lessons_added: 1,
        lessons_removed: 1,
        questions_kept: 49,
        questions_added: 1,
        questions_removed: 1,
    };
    assert_eq!(dry, want);
    let course_id = app
        .state
        .catalog
        .current()
        .by_slug(slug)
        .map_or(0, |c| c.course.id);
    let draft = || async {
        learning::draft_of(app.state.db.read(), course_id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert!(draft().await.is_none(), "a dry run writes nothing");
    let done = import(&app.state, &parsed, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done, want);
    assert!(draft().await.is_some());
    assert!(
        !learner
            .get("/khoa-hoc/ky-nang-so-co-ban")
            .await
            .body
            .contains("Tìm và kiểm tra thông tin trên mạng"),
        "learners see it only once published"
    );
    let mut author = app.staff("0912000015", Role::Author, "68").await;
    let published = author.post(&format!("{BASIC}/xuat-ban"), &[]).await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let course = learner.get("/khoa-hoc/ky-nang-so-co-ban").await;
    assert!(course.body.contains("Tìm và kiểm tra thông tin trên mạng"));
    assert_eq!(
        course.texts("ol.lessons .done").len(),
        1,
        "lesson 2 is still read"
    );
    assert!(learner
        .get("/khoa-hoc/ky-nang-so-co-ban/bai/2")
        .await
        .body
        .contains("Một đoạn mới cuối bài."));

    // A folder with a mistake is refused with its place; nothing is read into the draft.
    let mut broken = files.clone();
    broken[0].1 = broken[0]
        .1
        .replacen("competences = [\"5.1\"", "competences = [\"7.7\"", 1);
    let e = parse_course(slug, "ra", &reader(&broken))
        .err()
        .unwrap_or_else(|| panic!("refused"));
    assert!(
        e.to_string().contains("ra/course.toml") && e.to_string().contains("7.7"),
        "{e}"
    );
    let mut missing = files.clone();
    missing.retain(|(p, _)| !p.starts_with("lessons/03-"));
    let e = parse_course(slug, "ra", &reader(&missing))
        .err()
        .unwrap_or_else(|| panic!("refused"));
    assert!(e.to_string().contains("missing lesson file"), "{e}");
    app.verify_ok().await;
}

test_both!(a_course_goes_out_to_a_folder_and_back);
