//! /hoc, /khoa-hoc/…, /bai-lam/…: lessons, the quiz, the spine and the certificate.

use axum::http::StatusCode;
use hocvuso_db::repo::learning;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{answer_fields, TestApp, COMMUNE_A, COMMUNE_B};

/// Questions each attempt at the basic course draws from its bank (`draw` in its quiz.toml).
const DRAWN: usize = 12;

async fn a_learner_fails_then_passes_and_the_commune_counts_once(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let before_a = app.achieved(COMMUNE_A).await;
    let before_b = app.achieved(COMMUNE_B).await;
    let mut br = app.learner("0912345678", COMMUNE_A).await;

    let course = br.get("/khoa-hoc/ky-nang-so-co-ban").await;
    assert_eq!(course.status, StatusCode::OK);
    assert_eq!(course.text("h1"), "Kỹ năng số cơ bản");
    let lesson_links = course.attrs("ol.lessons a", "href");
    assert!(lesson_links.len() >= 3, "{lesson_links:?}");
    br.read_all_lessons().await;
    assert_eq!(
        br.get("/khoa-hoc/ky-nang-so-co-ban")
            .await
            .texts(".done")
            .len(),
        lesson_links.len()
    );

    let attempt = br.start_quiz().await;
    let form = br.get(&format!("/bai-lam/{attempt}")).await;
    assert_eq!(form.status, StatusCode::OK);
    let questions = form.texts("fieldset.question legend").len();
    assert!(questions >= 5);
    assert!(
        !form.body.contains("Gợi ý"),
        "no explanation before submitting"
    );

    let failed = br.answer_all(attempt, false).await;
    assert_eq!(failed.status, StatusCode::SEE_OTHER, "{}", failed.body);
    let result = br.get(failed.location()).await;
    assert!(result.text("#ket-qua").contains("Chưa đạt"));
    assert_eq!(
        result.texts(".cau-sai").len(),
        questions,
        "every wrong answer is listed"
    );
    assert!(!result.has("#xem-chung-nhan"));
    assert_eq!(
        app.achieved(COMMUNE_A).await,
        before_a,
        "a fail counts nothing"
    );

    let retry = br.post("/khoa-hoc/ky-nang-so-co-ban/kiem-tra", &[]).await;
    let second: i64 = retry
        .location()
        .trim_start_matches("/bai-lam/")
        .parse()
        .unwrap_or_else(|_| panic!("{}", retry.location()));
    assert_ne!(second, attempt, "a retry is a new attempt");
    let passed = br.answer_all(second, true).await;
    let result = br.get(passed.location()).await;
    let verdict = result.text("#ket-qua");
    assert!(
        verdict.contains("Đạt") && !verdict.contains("Chưa đạt"),
        "{verdict}"
    );
    assert_eq!(
        app.achieved(COMMUNE_A).await,
        before_a + 1,
        "the pass counts at once"
    );
    assert_eq!(
        app.achieved(COMMUNE_B).await,
        before_b,
        "only in the learner's commune"
    );

    // The certificate: public, unguessable code, name masked.
    let link = result.attrs("a#xem-chung-nhan", "href");
    assert_eq!(link.len(), 1);
    assert!(link[0].len() > "/chung-nhan/".len() + 25, "{}", link[0]);
    let mut anonymous = app.browser();
    let cert = anonymous.get(&link[0]).await;
    assert_eq!(cert.status, StatusCode::OK);
    assert!(cert.has("#chung-nhan-hop-le"));
    assert!(cert.body.contains("N. T. Hoa"));
    assert!(
        !cert.body.contains("Nguyễn Thị Hoa"),
        "the full name is not public"
    );
    assert!(cert.body.contains("Kỹ năng số cơ bản"));
    assert!(cert.body.contains("25/11/2026"), "date as dd/mm/yyyy");
    assert!(cert.body.contains("Sở Khoa học và Công nghệ tỉnh Lâm Đồng"));
    let typed = anonymous
        .get(&format!(
            "/chung-nhan?ma={}",
            link[0].trim_start_matches("/chung-nhan/").to_uppercase()
        ))
        .await;
    assert_eq!(
        typed.location(),
        link[0],
        "a typed code in capitals finds it"
    );
    // The short code printed on the certificate (groups of four, a check character) finds it
    // too, typed as people type it; one character wrong is caught as a typo.
    let code = link[0].trim_start_matches("/chung-nhan/");
    let short = crate::services::credentials::credential::short_code(code);
    assert_eq!(cert.text("#ma-ngan"), short);
    let typed_short = anonymous
        .get(&format!(
            "/chung-nhan?ma={}",
            short.to_lowercase().replace('-', "+")
        ))
        .await;
    assert_eq!(typed_short.location(), link[0]);
    let last = short.chars().last().unwrap_or('0');
    let other = if last == 'A' { 'B' } else { 'A' };
    let mut wrong = short.clone();
    wrong.pop();
    wrong.push(other);
    let typo = anonymous.get(&format!("/chung-nhan?ma={wrong}")).await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(typo.text("#go-nham").contains("gõ nhầm"));
    let unknown = anonymous
        .get(&format!(
            "/chung-nhan?ma={}",
            crate::services::credentials::credential::short_code("zzzzzzzzzzzz")
        ))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        anonymous.get("/chung-nhan/abcdef").await.status,
        StatusCode::NOT_FOUND
    );

    // Passing again changes nothing.
    let third = br.start_quiz().await;
    let again = br.answer_all(third, true).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.achieved(COMMUNE_A).await,
        before_a + 1,
        "a person counts once"
    );
    app.verify_ok().await;
}

async fn a_second_submission_changes_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let before = app.achieved(COMMUNE_A).await;
    let mut br = app.learner("0912345678", COMMUNE_A).await;
    let attempt = br.start_quiz().await;
    assert_eq!(
        br.answer_all(attempt, true).await.status,
        StatusCode::SEE_OTHER
    );
    let again = br.answer_all(attempt, true).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.body.contains("Bài làm này đã được nộp rồi"),
        "{}",
        again.body
    );
    let wrong_again = br.answer_all(attempt, false).await;
    assert_eq!(wrong_again.status, StatusCode::CONFLICT);
    assert_eq!(app.achieved(COMMUNE_A).await, before + 1);
    let stored = learning::attempt(app.state.db.read(), attempt)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("attempt"));
    assert_eq!(stored.passed, Some(true), "the first result stands");
    app.verify_ok().await;
}

async fn simultaneous_submissions_count_once(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let before = app.achieved(COMMUNE_A).await;
    let mut br = app.learner("0912345678", COMMUNE_A).await;
    let attempt = br.start_quiz().await;
    let mut twin = app.browser();
    twin.cookies = br.cookies.clone();
    let (a, b2) = tokio::join!(br.answer_all(attempt, true), twin.answer_all(attempt, true));
    let mut statuses = [a.status, b2.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    assert_eq!(app.achieved(COMMUNE_A).await, before + 1);
    app.verify_ok().await;
}

async fn answers_outside_the_attempt_are_refused(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.learner("0912345678", COMMUNE_A).await;
    let attempt = br.start_quiz().await;
    let key = app.answer_key(attempt).await;
    let mut fields = answer_fields(&key, true);
    // An answer to a question that is not in this attempt.
    fields.push(("q999999".into(), "1".into()));
    let page = br.submit_answers(attempt, &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .text(".error-summary")
        .contains("Câu trả lời không thuộc bài làm này."));

    // An option of another question given as this question's answer.
    let mut ids = key.iter();
    let (Some((q1, _)), Some((_, (r2, _)))) = (ids.next(), ids.next()) else {
        panic!("two questions")
    };
    let mut fields = answer_fields(&key, true);
    fields[0] = (format!("q{q1}"), r2[0].to_string());
    assert_eq!(
        br.submit_answers(attempt, &fields).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let junk = br
        .post(&format!("/bai-lam/{attempt}"), &[("q1", "abc")])
        .await;
    assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Unanswered questions are named, and the chosen answers are kept. (Questions come in
    // the attempt's own order: answer the one shown first.)
    let shown = br.get(&format!("/bai-lam/{attempt}")).await;
    let first_q: i64 = shown
        .attrs("fieldset.question input", "name")
        .first()
        .and_then(|n| n.trim_start_matches('q').parse().ok())
        .unwrap_or_else(|| panic!("a question"));
    let (first_r, _) = &key[&first_q];
    let name = format!("q{first_q}");
    let value = first_r[0].to_string();
    let partial = br
        .post(
            &format!("/bai-lam/{attempt}"),
            &[(name.as_str(), value.as_str())],
        )
        .await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        partial
            .text(".error-summary")
            .contains("Bạn chưa trả lời câu 2"),
        "{}",
        partial.body
    );
    assert_eq!(
        partial.attrs("fieldset.question input[checked]", "value"),
        vec![value.clone()]
    );

    let stored = learning::attempt(app.state.db.read(), attempt)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("attempt"));
    assert!(
        stored.submitted_at.is_none(),
        "a refused submission leaves the attempt open"
    );
    assert_eq!(
        br.answer_all(attempt, true).await.status,
        StatusCode::SEE_OTHER,
        "and it can still be submitted"
    );
}

async fn attempts_are_private(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut owner = app.learner("0912345678", COMMUNE_A).await;
    let attempt = owner.start_quiz().await;
    let mut other = app.learner("0987654321", COMMUNE_A).await;
    assert_eq!(
        other.get(&format!("/bai-lam/{attempt}")).await.status,
        StatusCode::NOT_FOUND
    );
    let key = app.answer_key(attempt).await;
    assert_eq!(
        other
            .submit_answers(attempt, &answer_fields(&key, true))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get("/bai-lam/abc").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get("/khoa-hoc/khong-co").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get("/khoa-hoc/ky-nang-so-co-ban/bai/99").await.status,
        StatusCode::NOT_FOUND
    );
    let mut anonymous = app.browser();
    let page = anonymous.get("/khoa-hoc/ky-nang-so-co-ban/bai/1").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/dang-nhap?tiep="));
}

async fn a_child_is_not_counted_as_an_adult(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let before = app.achieved(COMMUNE_A).await;
    let mut br = app.browser();
    let page = br
        .register("0912345678", "Phạm Minh An", "2012", COMMUNE_A)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let attempt = br.start_quiz().await;
    let _ = br.answer_all(attempt, true).await;
    assert_eq!(
        app.achieved(COMMUNE_A).await,
        before,
        "only members of a group count in it"
    );
    app.verify_ok().await;
}

/// A start writes the question list into the attempt's own row; the per-question rows appear
/// at submission. Attempts started before that change (rows, no list) still work.
async fn an_attempt_keeps_its_questions_old_and_new(b: TestBackend) {
    use hocvuso_db::ConnectionTrait;
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let db = app.state.db.write();
    let count_rows = |id: i64| async move {
        let stmt = hocvuso_db::sea_query_statement(
            db.get_database_backend(),
            &format!("SELECT COUNT(*) AS n FROM attempt_question WHERE attempt_id = {id}"),
        );
        db.query_one(stmt)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .and_then(|r| r.try_get::<i64>("", "n").ok())
            .unwrap_or(-1)
    };
    let mut br = app.learner("0912345678", COMMUNE_A).await;
    let attempt = br.start_quiz().await;
    let stored = learning::attempt(db, attempt)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("attempt"));
    assert_eq!(
        stored.question_ids.split(',').count(),
        DRAWN,
        "{}",
        stored.question_ids
    );
    assert_eq!(
        count_rows(attempt).await,
        0,
        "no per-question rows at start"
    );
    let shown = br.get(&format!("/bai-lam/{attempt}")).await;
    assert_eq!(shown.texts("fieldset.question").len(), DRAWN);
    assert_eq!(
        br.answer_all(attempt, true).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        count_rows(attempt).await,
        DRAWN as i64,
        "answers stored at submission"
    );

    // An attempt as the previous version stored it: rows, and no list in the attempt row.
    let mut old = app.learner("0912345679", COMMUNE_A).await;
    let legacy = old.start_quiz().await;
    let row = learning::attempt(db, legacy)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("attempt"));
    let values: Vec<String> = row
        .question_ids
        .split(',')
        .enumerate()
        .map(|(i, q)| format!("({legacy}, {q}, {})", i + 1))
        .collect();
    for sql in [
        format!("UPDATE quiz_attempt SET question_ids = '' WHERE id = {legacy}"),
        format!(
            "INSERT INTO attempt_question (attempt_id, question_id, position) VALUES {}",
            values.join(", ")
        ),
    ] {
        db.execute(hocvuso_db::sea_query_statement(
            db.get_database_backend(),
            &sql,
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let shown = old.get(&format!("/bai-lam/{legacy}")).await;
    assert_eq!(shown.texts("fieldset.question").len(), DRAWN);
    assert_eq!(
        old.answer_all(legacy, true).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(count_rows(legacy).await, DRAWN as i64);
    app.verify_ok().await;
}

/// Each attempt draws its own questions from the bank, in its own order, and shows the options
/// of each question in its own order (the same order on every reload).
async fn attempts_draw_their_own_questions_and_option_order(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let bank: Vec<(i64, Vec<i64>)> = app
        .state
        .catalog
        .current()
        .by_slug("ky-nang-so-co-ban")
        .map(|c| {
            c.questions
                .iter()
                .map(|q| (q.question.id, q.options.iter().map(|o| o.id).collect()))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        bank.len() > DRAWN,
        "the bank has more questions than a quiz draws"
    );
    let tagged_42: Vec<i64> = app
        .state
        .catalog
        .current()
        .by_slug("ky-nang-so-co-ban")
        .map(|c| {
            c.bank_questions()
                .filter(|q| {
                    q.question
                        .competences
                        .split_whitespace()
                        .any(|x| x == "4.2")
                })
                .map(|q| q.question.id)
                .collect()
        })
        .unwrap_or_default();
    let mut drawn: Vec<Vec<String>> = Vec::new();
    let mut option_orders: Vec<Vec<String>> = Vec::new();
    for i in 0..6 {
        let mut br = app.learner(&format!("09123456{i:02}"), COMMUNE_A).await;
        let attempt = br.start_quiz().await;
        let page = br.get(&format!("/bai-lam/{attempt}")).await;
        let again = br.get(&format!("/bai-lam/{attempt}")).await;
        assert_eq!(
            page.text("form#bai-lam"),
            again.text("form#bai-lam"),
            "a reload shows the same attempt"
        );
        assert_eq!(
            page.attrs("form#bai-lam input", "id"),
            again.attrs("form#bai-lam input", "id")
        );
        // Never two questions that ask nearly the same thing in one attempt.
        let prompts: Vec<String> = page
            .texts("fieldset.question legend")
            .iter()
            .map(|l| l.split_once(". ").map_or(l.clone(), |(_, p)| p.to_owned()))
            .collect();
        for (i, a) in prompts.iter().enumerate() {
            for b in &prompts[i + 1..] {
                assert!(
                    !hocvuso_domain::text::near_duplicates(a, b),
                    "near-duplicates in one attempt: {a} / {b}"
                );
            }
        }
        let questions = page.attrs("fieldset.question input", "name");
        let mut names: Vec<String> = questions.clone();
        names.dedup();
        assert_eq!(names.len(), DRAWN);
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), DRAWN, "no question twice in one attempt");
        for n in &names {
            let id: i64 = n.trim_start_matches('q').parse().unwrap_or(-1);
            assert!(bank.iter().any(|(q, _)| *q == id), "{n} is from the bank");
        }
        // The basic course asks at least 4 questions on competence 4.2 (its `[draw_by]`).
        let safety = names
            .iter()
            .filter(|n| {
                let id: i64 = n.trim_start_matches('q').parse().unwrap_or(-1);
                tagged_42.contains(&id)
            })
            .count();
        assert!(safety >= 4, "attempt {i}: {safety} questions on 4.2");
        drawn.push(names);
        option_orders.push(page.attrs("fieldset.question input", "value"));
        // The answer key still grades whatever was drawn.
        assert_eq!(
            br.answer_all(attempt, true).await.status,
            StatusCode::SEE_OTHER
        );
    }
    assert!(
        drawn.windows(2).any(|w| w[0] != w[1]),
        "six attempts did not all draw the same questions in the same order"
    );
    // Options of a question with 3+ options come in more than one order across attempts.
    let per_question = |orders: &[Vec<String>], q: &(i64, Vec<i64>)| -> Vec<Vec<String>> {
        let ids: Vec<String> = q.1.iter().map(i64::to_string).collect();
        orders
            .iter()
            .map(|o| {
                o.iter()
                    .filter(|v| ids.contains(v))
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .filter(|o| !o.is_empty())
            .collect()
    };
    let shuffled = bank.iter().filter(|q| q.1.len() > 2).any(|q| {
        let seen = per_question(&option_orders, q);
        seen.windows(2).any(|w| w[0] != w[1])
    });
    assert!(shuffled, "options are shuffled per attempt");
    // Two-option questions (Đúng / Sai) keep their order.
    for q in bank.iter().filter(|q| q.1.len() == 2) {
        for o in per_question(&option_orders, q) {
            let want: Vec<String> = q.1.iter().map(i64::to_string).collect();
            assert_eq!(o, want);
        }
    }
    app.verify_ok().await;
}

/// The learner's competence profile follows the lessons they finished.
async fn the_competence_profile_follows_finished_lessons(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.learner("0912345690", COMMUNE_A).await;
    let before = br.get("/hoc/nang-luc").await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(before.texts("section[id^=mien-]").len(), 6, "six domains");
    assert_eq!(before.texts("li[data-code]").len(), 24, "24 competences");
    assert_eq!(before.text("#so-nang-luc"), "0");
    assert!(
        before
            .attrs("li[data-code=\"4.2\"] a", "href")
            .contains(&"/khoa-hoc/ky-nang-so-co-ban".to_owned()),
        "a competence not learned yet links to a course that teaches it"
    );
    br.read_all_lessons().await;
    let after = br.get("/hoc/nang-luc").await;
    assert!(after.has("li.learned[data-code=\"4.2\"]"));
    assert!(after.has("li.learned[data-code=\"2.6\"]"));
    assert!(
        !after.has("li.learned[data-code=\"6.1\"]"),
        "the AI course was not read"
    );
    let learned: usize = after.text("#so-nang-luc").parse().unwrap_or(0);
    assert_eq!(learned, after.texts("li.learned").len());
    assert!(learned >= 8, "{learned}");
}

/// The quiz's time limit (30 minutes for the basic course) is kept by the server: answers up to
/// a minute of grace after the deadline are graded; later ones end the attempt ungraded, and an
/// attempt left open past its deadline is closed when the learner starts again.
async fn the_time_limit_is_enforced_on_the_server(b: TestBackend) {
    use chrono::TimeDelta;
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let before = app.achieved(COMMUNE_A).await;
    let mut br = app.learner("0912345601", COMMUNE_A).await;
    let rules = br.get("/khoa-hoc/ky-nang-so-co-ban/kiem-tra").await;
    assert!(
        rules.text("#quy-dinh").contains("30 phút"),
        "{}",
        rules.text("#quy-dinh")
    );

    // Started at 10:00 Vietnam time (03:00 UTC): due at 10:30.
    let attempt = br.start_quiz().await;
    let form = br.get(&format!("/bai-lam/{attempt}")).await;
    assert!(
        form.text("#han-nop").contains("10:30, 25/11/2026"),
        "{}",
        form.text("#han-nop")
    );
    app.clock
        .advance(TimeDelta::minutes(31) + TimeDelta::seconds(1));
    let late = br.answer_all(attempt, true).await;
    assert_eq!(late.status, StatusCode::SEE_OTHER, "{}", late.body);
    let result = br.get(late.location()).await;
    assert!(
        result.text("#ket-qua").contains("Hết giờ"),
        "{}",
        result.text("#ket-qua")
    );
    assert!(!result.has("#xem-chung-nhan"));
    assert_eq!(
        app.achieved(COMMUNE_A).await,
        before,
        "a late pass counts nothing"
    );
    let stored = learning::attempt(app.state.db.read(), attempt)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("attempt"));
    assert_eq!(stored.passed, Some(false));
    assert_eq!(stored.correct_count, Some(0));

    // Within the minute of grace: graded.
    let second = br.start_quiz().await;
    assert_ne!(second, attempt);
    app.clock
        .advance(TimeDelta::minutes(30) + TimeDelta::seconds(50));
    let in_time = br.answer_all(second, true).await;
    let result = br.get(in_time.location()).await;
    assert!(!result.text("#ket-qua").contains("Hết giờ"));
    assert_eq!(app.achieved(COMMUNE_A).await, before + 1);

    // Left open past the deadline: starting again gives a new attempt; the old one is closed.
    let mut other = app.learner("0912345602", COMMUNE_A).await;
    let abandoned = other.start_quiz().await;
    app.clock.advance(TimeDelta::minutes(10));
    assert_eq!(other.start_quiz().await, abandoned, "still open: reused");
    app.clock.advance(TimeDelta::minutes(40));
    let fresh = other.start_quiz().await;
    assert_ne!(fresh, abandoned, "past its deadline: a new attempt");
    let old = other.get(&format!("/bai-lam/{abandoned}")).await;
    assert_eq!(
        old.status,
        StatusCode::SEE_OTHER,
        "closed: shows its result"
    );
    let old = other.get(old.location()).await;
    assert!(old.text("#ket-qua").contains("Hết giờ"));
    let resubmit = other.answer_all(abandoned, true).await;
    assert_eq!(
        resubmit.status,
        StatusCode::CONFLICT,
        "a closed attempt takes no answers"
    );
    app.verify_ok().await;
}

/// The AI course allows 5 attempts: the sixth is refused (409) on the quiz page, which then
/// offers no start button; the count is per person and per course.
async fn the_attempt_limit_is_enforced(b: TestBackend) {
    const AI: &str = "ung-dung-tri-tue-nhan-tao";
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.learner("0912345603", COMMUNE_A).await;
    br.read_all_lessons_of(AI).await;
    let page = br.get(&format!("/khoa-hoc/{AI}/kiem-tra")).await;
    assert!(
        page.text("#quy-dinh").contains("còn 5 lượt"),
        "{}",
        page.text("#quy-dinh")
    );
    for used in 1..=5 {
        let attempt = br.start_quiz_of(AI).await;
        assert_eq!(
            br.start_quiz_of(AI).await,
            attempt,
            "an open attempt is reused, not counted twice"
        );
        let done = br.answer_all(attempt, false).await;
        let result = br.get(done.location()).await;
        if used < 5 {
            assert!(result.has("#lam-lai"), "attempt {used}");
            assert!(result.body.contains(&format!("Bạn còn {} lượt", 5 - used)));
        } else {
            assert!(result.has("#het-luot") && !result.has("#lam-lai"));
        }
    }
    let refused = br.post(&format!("/khoa-hoc/{AI}/kiem-tra"), &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.text("#loi").contains("hết 5 lượt"),
        "{}",
        refused.text("#loi")
    );
    let page = br.get(&format!("/khoa-hoc/{AI}/kiem-tra")).await;
    assert!(!page.has("#bat-dau") && page.has("#het-luot"));
    let count = learning::attempt_counts(app.state.db.read(), &[], 0).await;
    assert!(count.is_ok_and(|c| c.is_empty()));
    // Another learner, and the same learner's other course, are not affected.
    let mut other = app.learner("0912345604", COMMUNE_A).await;
    other.read_all_lessons_of(AI).await;
    other.start_quiz_of(AI).await;
    br.start_quiz().await;
    app.verify_ok().await;
}

/// The AI course opens its lessons one after another and its quiz only once every lesson is
/// read; its lessons are grouped in modules, and the course page says where to go on.
async fn a_sequential_course_opens_lessons_in_order_and_the_quiz_after_them(b: TestBackend) {
    const AI: &str = "/khoa-hoc/ung-dung-tri-tue-nhan-tao";
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.learner("0912345605", COMMUNE_A).await;
    let course = br.get(AI).await;
    assert_eq!(course.texts("h3.module").len(), 3, "three modules");
    assert_eq!(course.texts("ol.lessons li").len(), 4);
    assert_eq!(
        course.attrs("ol.lessons a", "href"),
        vec![format!("{AI}/bai/1")]
    );
    assert_eq!(course.texts("ol.lessons .locked").len(), 3);
    assert_eq!(
        course.attrs("#hoc-tiep", "href"),
        vec![format!("{AI}/bai/1")]
    );

    let locked = br.get(&format!("{AI}/bai/2")).await;
    assert_eq!(locked.status, StatusCode::FORBIDDEN);
    assert!(locked.has("#chua-mo"));
    assert_eq!(
        locked.attrs("#hoc-tiep", "href"),
        vec![format!("{AI}/bai/1")]
    );
    assert_eq!(
        br.post(&format!("{AI}/bai/3"), &[]).await.status,
        StatusCode::FORBIDDEN,
        "a locked lesson cannot be marked read"
    );
    let quiz = br.get(&format!("{AI}/kiem-tra")).await;
    assert!(quiz.text("#con-bai").contains("yêu cầu học hết"));
    assert!(!quiz.has("#bat-dau"));
    let refused = br.post(&format!("{AI}/kiem-tra"), &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.text("#loi").contains("còn 4 bài"),
        "{}",
        refused.text("#loi")
    );

    let read = br.post(&format!("{AI}/bai/1"), &[]).await;
    assert_eq!(read.location(), format!("{AI}/bai/2?da-hoc=1"));
    let next = br.get(read.location()).await;
    assert_eq!(
        next.text("#da-ghi-nhan"),
        "Đã ghi nhận: bạn đã học xong bài 1.",
        "marking a lesson done confirms it"
    );
    assert_eq!(br.get(&format!("{AI}/bai/2")).await.status, StatusCode::OK);
    let course = br.get(AI).await;
    assert_eq!(
        course.attrs("#hoc-tiep", "href"),
        vec![format!("{AI}/bai/2")]
    );
    assert_eq!(course.texts("ol.lessons .done").len(), 1);
    assert_eq!(course.texts("ol.lessons .locked").len(), 2);
    let mine = br.get("/hoc").await;
    assert!(mine
        .attrs("a.hoc-tiep", "href")
        .contains(&format!("{AI}/bai/2")));

    br.read_all_lessons_of("ung-dung-tri-tue-nhan-tao").await;
    let course = br.get(AI).await;
    assert!(!course.has("#hoc-tiep") && !course.has("ol.lessons .locked"));
    br.start_quiz_of("ung-dung-tri-tue-nhan-tao").await;
    // The basic course is not sequential: any lesson opens at once.
    assert_eq!(
        br.get("/khoa-hoc/ky-nang-so-co-ban/bai/5").await.status,
        StatusCode::OK
    );
}

/// A question whose right options must all be chosen: checkboxes on the page, right only with
/// exactly the right options; a second option for a one-answer question is refused.
async fn a_multiple_choice_question_needs_every_right_option(b: TestBackend) {
    use hocvuso_db::ConnectionTrait;
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let catalog = app.state.catalog.current();
    let course = catalog
        .by_slug("ky-nang-so-co-ban")
        .unwrap_or_else(|| panic!("course"));
    let multi = course
        .bank_questions()
        .find(|q| q.question.kind == learning::KIND_MULTIPLE)
        .unwrap_or_else(|| panic!("the basic course has a multiple-choice question"));
    let single = course
        .bank_questions()
        .find(|q| q.question.kind == learning::KIND_SINGLE && q.options.len() > 2)
        .unwrap_or_else(|| panic!("a one-answer question"));
    let right: Vec<i64> = multi
        .options
        .iter()
        .filter(|o| o.is_correct)
        .map(|o| o.id)
        .collect();
    let wrong: i64 = multi
        .options
        .iter()
        .find(|o| !o.is_correct)
        .map_or(0, |o| o.id);
    assert!(right.len() >= 2);
    let single_right = single
        .options
        .iter()
        .find(|o| o.is_correct)
        .map_or(0, |o| o.id);
    let single_wrong = single
        .options
        .iter()
        .find(|o| !o.is_correct)
        .map_or(0, |o| o.id);

    // Four attempts, each given exactly these two questions.
    let mut attempts = Vec::new();
    for i in 0..4 {
        let mut br = app.learner(&format!("09123457{i:02}"), COMMUNE_A).await;
        let attempt = br.start_quiz().await;
        let db = app.state.db.write();
        db.execute(hocvuso_db::sea_query_statement(
            db.get_database_backend(),
            &format!(
                "UPDATE quiz_attempt SET question_ids = '{},{}', question_count = 2 WHERE id = {attempt}",
                multi.question.id, single.question.id
            ),
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        attempts.push((br, attempt));
    }
    let (m, s) = (
        format!("q{}", multi.question.id),
        format!("q{}", single.question.id),
    );
    let first = format!("/bai-lam/{}", attempts[0].1);
    let page = attempts[0].0.get(&first).await;
    assert_eq!(
        page.attrs(&format!("input[name={m}]"), "type"),
        vec!["checkbox".to_owned(); multi.options.len()]
    );
    assert!(page
        .attrs(&format!("input[name={s}]"), "type")
        .iter()
        .all(|t| t == "radio"));
    assert!(page
        .text("fieldset.question legend")
        .contains("chọn tất cả phương án đúng"));

    let sheet = |chosen: &[i64], single_choice: &[i64]| -> Vec<(String, String)> {
        chosen
            .iter()
            .map(|o| (m.clone(), o.to_string()))
            .chain(single_choice.iter().map(|o| (s.clone(), o.to_string())))
            .collect()
    };
    let cases: [(Vec<i64>, i32); 3] = [
        (right.clone(), 2),                                  // every right option: right
        (right[..1].to_vec(), 1),                            // only some: wrong
        (right.iter().copied().chain([wrong]).collect(), 1), // right ones and a wrong one: wrong
    ];
    for (i, (chosen, correct)) in cases.iter().enumerate() {
        let (br, attempt) = &mut attempts[i];
        let done = br
            .submit_answers(*attempt, &sheet(chosen, &[single_right]))
            .await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "case {i}: {}",
            done.body
        );
        let stored = learning::attempt(app.state.db.read(), *attempt)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("attempt"));
        assert_eq!(stored.correct_count, Some(*correct), "case {i}");
        let result = br.get(done.location()).await;
        if *correct == 1 {
            // The result lists every option the learner chose for the wrong question.
            let listed = result.text(".cau-sai");
            assert!(
                listed.contains("; ") == (chosen.len() > 1),
                "case {i}: {listed}"
            );
        }
    }
    // Two options for a one-answer question: refused, nothing stored.
    let (br, attempt) = &mut attempts[3];
    let refused = br
        .submit_answers(*attempt, &sheet(&right, &[single_right, single_wrong]))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.verify_ok().await;
}

/// A check question inside a lesson answers a GET form: before answering the page names neither
/// the right option nor the explanation; after, it says right or not and why.
async fn a_check_question_inside_a_lesson_answers_without_javascript(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.learner("0912345641", COMMUNE_A).await;
    let path = "/khoa-hoc/ky-nang-so-co-ban/bai/5";
    let page = br.get(path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("form.kiem-tra-nhanh").len(), 1);
    assert_eq!(page.attrs("form#kt1", "method"), vec!["get".to_owned()]);
    assert_eq!(page.attrs("#kt1 input[type=radio]", "name").len(), 3);
    assert!(!page.has(".phan-hoi"));
    assert!(
        !page.body.contains("Ứng dụng lạ có thể lấy hết tiền"),
        "the explanation is not sent before an answer"
    );
    assert!(
        page.body.contains("Giả danh công an"),
        "the lesson text is around it"
    );
    // "Kiểm tra" with nothing chosen says so.
    let blank = br.get(&format!("{path}?da-kiem-tra=kt1")).await;
    assert!(
        blank
            .text("#kt1 .phan-hoi")
            .contains("chưa chọn phương án nào"),
        "{}",
        blank.text("#kt1")
    );
    let wrong = br.get(&format!("{path}?kt1=0")).await;
    let said = wrong.text(".phan-hoi");
    assert!(
        said.contains("Chưa đúng") && said.contains("Cúp máy, không cài gì"),
        "{said}"
    );
    assert!(said.contains("Ứng dụng lạ có thể lấy hết tiền"), "{said}");
    assert_eq!(
        wrong.attrs("#kt1 input[checked]", "value"),
        vec!["0".to_owned()]
    );
    let right = br.get(&format!("{path}?kt1=2")).await;
    assert!(right.text(".phan-hoi").starts_with("Đúng rồi!"));
    assert!(!br.get(&format!("{path}?kt1=9")).await.has(".phan-hoi"));
    assert!(!br.get(&format!("{path}?kt1=abc")).await.has(".phan-hoi"));
}

/// A group may require several courses: officials achieve digital skills with the basic course
/// AND the AI course; adults with the basic course alone. Each counts once, when its list is
/// complete.
async fn officials_need_both_of_their_courses(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.learner("0912345661", COMMUNE_A).await;
    // The learner also works for the commune's office: a member of the officials group too.
    let db = app.state.db.write();
    let person = hocvuso_db::repo::people::person_by_phone(db, "0912345661")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("person"));
    let unit = hocvuso_db::repo::org::by_code(db, COMMUNE_A)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("unit"));
    let now = crate::clock::Clock::now(app.clock.as_ref());
    hocvuso_db::repo::people::add_membership(db, person.id, "officials", unit.id, now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (adults, officials) = (
        app.achieved_in(COMMUNE_A, "adults").await,
        app.achieved_in(COMMUNE_A, "officials").await,
    );
    let basic = br.start_quiz().await;
    br.answer_all(basic, true).await;
    assert_eq!(app.achieved_in(COMMUNE_A, "adults").await, adults + 1);
    assert_eq!(
        app.achieved_in(COMMUNE_A, "officials").await,
        officials,
        "one of the officials' two courses is not enough"
    );
    br.read_all_lessons_of("ung-dung-tri-tue-nhan-tao").await;
    let ai = br.start_quiz_of("ung-dung-tri-tue-nhan-tao").await;
    br.answer_all(ai, true).await;
    assert_eq!(app.achieved_in(COMMUNE_A, "officials").await, officials + 1);
    assert_eq!(
        app.achieved_in(COMMUNE_A, "adults").await,
        adults + 1,
        "still once"
    );
    app.verify_ok().await;
}

/// The catalogue shows each course's level, length, competences and groups, and narrows to one
/// target group.
async fn the_catalogue_narrows_to_a_target_group(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.learner("0912345671", COMMUNE_A).await;
    let all = br.get("/hoc").await;
    assert_eq!(all.status, StatusCode::OK);
    let titles = all.texts("section.khoa-hoc h3");
    // One card per course to take: the national platform's course, which counts as the basic
    // one, is offered inside the basic course's card; every course taught here has its own
    // (the school levels' courses too).
    let taught_here = crate::content::shipped_courses()
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .filter(|c| c.course.external_url.is_none())
        .count();
    assert_eq!(titles.len(), taught_here, "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("tiểu học")), "{titles:?}");
    assert!(all
        .text("section.khoa-hoc .thay-the")
        .contains("nền tảng quốc gia"));
    // The learner's group's courses first, each with a clear way in.
    assert_eq!(all.texts("h2#danh-cho-ban").len(), 1);
    assert!(titles[0].contains("Kỹ năng số cơ bản"), "{titles:?}");
    assert!(all
        .attrs("section.khoa-hoc a.button", "href")
        .contains(&"/khoa-hoc/ky-nang-so-co-ban/bai/1".to_owned()));
    assert!(all.body.contains("Bắt đầu học"));
    // Every group of the plan has its path, so every group is offered as a filter.
    let filters = all.texts("#loc-nhom a");
    assert_eq!(
        filters,
        hocvuso_domain::TargetGroup::ALL
            .iter()
            .map(|g| g.name_vi().to_owned())
            .collect::<Vec<_>>()
    );
    // A student sees the three school levels' courses, each of which counts.
    let students = br
        .get("/hoc?nhom=students")
        .await
        .texts("section.khoa-hoc h3");
    assert_eq!(students.len(), 3, "{students:?}");
    let basic = all
        .texts("section.khoa-hoc")
        .into_iter()
        .find(|t| t.contains("Kỹ năng số cơ bản"))
        .unwrap_or_default();
    assert!(
        basic.contains("Trình độ: Cơ bản · Khoảng 66 phút"),
        "{basic}"
    );
    assert!(
        basic.contains(
            "Học được: Khai thác dữ liệu và thông tin; Giao tiếp và hợp tác trong môi trường số"
        ),
        "plain words, not bare codes: {basic}"
    );
    assert!(!basic.contains("1.1"), "{basic}");
    let adults = br.get("/hoc?nhom=adults").await;
    let titles = adults.texts("section.khoa-hoc h3");
    assert!(
        titles.iter().all(|t| !t.contains("trí tuệ nhân tạo")),
        "the AI course is for officials: {titles:?}"
    );
    assert_eq!(
        titles.len(),
        1,
        "the basic course, the national one that counts as it inside its card"
    );
    assert_eq!(
        br.get("/hoc?nhom=officials")
            .await
            .texts("section.khoa-hoc h3")
            .len(),
        2
    );
    assert_eq!(
        br.get("/hoc?nhom=khong-co").await.status,
        StatusCode::NOT_FOUND
    );
}

test_both!(
    the_catalogue_narrows_to_a_target_group,
    officials_need_both_of_their_courses,
    a_check_question_inside_a_lesson_answers_without_javascript,
    a_multiple_choice_question_needs_every_right_option,
    a_sequential_course_opens_lessons_in_order_and_the_quiz_after_them,
    the_time_limit_is_enforced_on_the_server,
    the_attempt_limit_is_enforced,
    the_competence_profile_follows_finished_lessons,
    attempts_draw_their_own_questions_and_option_order,
    an_attempt_keeps_its_questions_old_and_new,
    a_learner_fails_then_passes_and_the_commune_counts_once,
    a_second_submission_changes_nothing,
    simultaneous_submissions_count_once,
    answers_outside_the_attempt_are_refused,
    attempts_are_private,
    a_child_is_not_counted_as_an_adult,
);
