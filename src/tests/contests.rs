//! /cuoc-thi: a unit's officer creates a contest with a round drawn from a course's bank;
//! people of the unit join and play (one entry per attempt, the best counting), others may not;
//! the answer key never reaches the page before the close, late answers are refused; after the
//! close the ranking follows the rule (right answers, then the prediction, then time, then
//! submission), is recorded and recomputes to the same digest; the organiser sets prizes,
//! confirms the proposed winners and downloads the decision; winners see their prize; other
//! units reach nothing; bad input writes nothing.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::Duration;
use hocvuso_db::repo::{contests, learning};
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, TestApp, COMMUNE_A, COMMUNE_B};

const COURSE: &str = "ky-nang-so-co-ban";

/// `question → (right options, a wrong option)` of an entry, read from the database.
async fn entry_key(app: &TestApp, entry_id: i64) -> BTreeMap<i64, (Vec<i64>, i64)> {
    let db = app.state.db.read();
    let entry = contests::entry_by_id(db, entry_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no entry {entry_id}"));
    let ids = crate::services::contests::play::question_ids(&entry);
    let options = learning::options_of(db, &ids)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ids.iter()
        .map(|q| {
            let of_q: Vec<_> = options.iter().filter(|o| o.question_id == *q).collect();
            let right = of_q.iter().filter(|o| o.is_correct).map(|o| o.id).collect();
            let wrong = of_q
                .iter()
                .find(|o| !o.is_correct)
                .map(|o| o.id)
                .unwrap_or_else(|| panic!("question {q} has no wrong option"));
            (*q, (right, wrong))
        })
        .collect()
}

pub(super) async fn play(
    app: &TestApp,
    b: &mut Browser<'_>,
    contest: i64,
    right: bool,
    prediction: &str,
) -> i64 {
    let started = b
        .post(&format!("/cuoc-thi/{contest}/vong/1/bat-dau"), &[])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let entry: i64 = started
        .location()
        .trim_start_matches("/cuoc-thi/bai/")
        .parse()
        .unwrap_or_else(|_| panic!("{}", started.location()));
    let page = b.get(&format!("/cuoc-thi/bai/{entry}")).await;
    assert!(page.has("#bai-thi"), "{}", page.body);
    assert!(
        !page.body.contains("đáp án đúng"),
        "no key before the close"
    );
    let key = entry_key(app, entry).await;
    let mut fields: Vec<(String, String)> = super::util::answer_fields(&key, right);
    fields.push(("du_doan".to_owned(), prediction.to_owned()));
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let sent = b.post(&format!("/cuoc-thi/bai/{entry}"), &refs).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    entry
}

async fn contest_count(app: &TestApp) -> usize {
    contests::contests(app.state.db.read(), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .len()
}

async fn a_round_is_played_ranked_and_awarded(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut other_officer = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    // 1,000 people to reach in the commune this year: its entrants per 1,000 are its entrants.
    app.set_denominator(COMMUNE_B, "adults", 2026, 1_000).await;
    let mut an = app.browser();
    an.register("0911111111", "Lê Văn An", "1990", COMMUNE_B)
        .await;
    let mut binh = app.browser();
    binh.register("0922222222", "Phạm Thị Bình", "1985", COMMUNE_B)
        .await;
    let mut late = app.browser();
    late.register("0944444444", "Đỗ Văn Chậm", "1970", COMMUNE_B)
        .await;
    let mut elsewhere = app.browser();
    elsewhere
        .register("0933333333", "Trần Văn Xa", "1980", COMMUNE_A)
        .await;

    // The tests' clock: 25/11/2026 10:00 in Vietnam. A round open 09:00–12:00.
    let mut contest = vec![
        ("ten", "Cuộc thi tìm hiểu kỹ năng số xã B"),
        ("don_vi", COMMUNE_B),
        ("mo_ta", "Dành cho người dân trong xã."),
        ("pham_vi", "don-vi"),
        ("nhom", ""),
        ("vong_ten", ""),
        ("mo", "25/11/2026 12:00"),
        ("dong", "25/11/2026 09:00"),
        ("khoa_hoc", COURSE),
        ("so_cau", "5"),
        ("theo_nang_luc", ""),
        ("phut", "20"),
        ("luot", "2"),
        ("du_doan", "Có bao nhiêu người trả lời đúng tất cả các câu?"),
    ];
    // A round that closes before it opens: a clear message, nothing written.
    let refused = officer.post("/cuoc-thi/quan-ly/moi", &contest).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Vòng thi phải đóng sau khi mở"),
        "{}",
        refused.body
    );
    assert_eq!(contest_count(&app).await, 0);
    contest[6].1 = "25/11/2026 09:00";
    contest[7].1 = "25/11/2026 12:00";
    let created = officer.post("/cuoc-thi/quan-ly/moi", &contest).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let admin_path = created
        .location()
        .trim_end_matches("?xong=da-tao")
        .to_owned();
    let id: i64 = admin_path
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{admin_path}"));
    // Another commune's officer reaches nothing of it.
    assert_eq!(
        other_officer.get(&admin_path).await.status,
        StatusCode::NOT_FOUND
    );
    let foreign = other_officer
        .post(&format!("{admin_path}/trao-giai"), &[])
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // The public page states the rule; someone of another commune may not join.
    let public = elsewhere.get(&format!("/cuoc-thi/{id}")).await;
    assert!(
        public.text("#the-le").contains("dự đoán"),
        "{}",
        public.body
    );
    assert!(public.has("#khong-duoc"), "{}", public.body);
    let joined = elsewhere
        .post(
            &format!("/cuoc-thi/{id}/tham-gia"),
            &[("don_vi", COMMUNE_A)],
        )
        .await;
    assert_eq!(joined.status, StatusCode::BAD_REQUEST);
    let start = elsewhere
        .post(&format!("/cuoc-thi/{id}/vong/1/bat-dau"), &[])
        .await;
    assert_eq!(start.location(), format!("/cuoc-thi/{id}?tb=chua-tham-gia"));

    for b in [&mut an, &mut binh, &mut late] {
        let j = b
            .post(
                &format!("/cuoc-thi/{id}/tham-gia"),
                &[("don_vi", COMMUNE_B)],
            )
            .await;
        assert_eq!(j.location(), format!("/cuoc-thi/{id}?tb=da-tham-gia"));
    }

    // An: all right, predicts 1. Bình: all wrong, then (second attempt) all right, predicts 2.
    let an_entry = play(&app, &mut an, id, true, "1").await;
    let again = an
        .post(&format!("/cuoc-thi/bai/{an_entry}"), &[("du_doan", "3")])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("đã được nộp"), "{}", again.body);
    play(&app, &mut binh, id, false, "5").await;
    play(&app, &mut binh, id, true, "2").await;
    let third = binh
        .post(&format!("/cuoc-thi/{id}/vong/1/bat-dau"), &[])
        .await;
    assert_eq!(third.location(), format!("/cuoc-thi/{id}?tb=het-luot"));
    // The database itself keeps one entry per person and attempt number (a second start of
    // the same attempt, from another process, inserts nothing).
    let round = contests::rounds_of(app.state.db.read(), &[id])
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0);
    let an_id = contests::entry_by_id(app.state.db.read(), an_entry)
        .await
        .ok()
        .flatten()
        .map(|e| e.person_id)
        .unwrap_or_else(|| panic!("entry"));
    let twin = contests::insert_entries(
        app.state.db.write(),
        &[contests::NewEntry {
            round_id: round.id,
            person_id: an_id,
            attempt_no: 1,
            questions: vec![1],
            deadline_at: round.closes_at,
        }],
        round.opens_at,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(twin.is_empty(), "one entry per person and attempt");
    let an_entries = contests::entries_of(app.state.db.read(), round.id, &[an_id])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(an_entries.len(), 1);

    // Chậm starts but does not submit in time.
    let slow = late
        .post(&format!("/cuoc-thi/{id}/vong/1/bat-dau"), &[])
        .await;
    let slow_entry = slow.location().to_owned();
    // Before the close: no board, no scores.
    let board = an.get(&format!("/cuoc-thi/{id}/xep-hang?vong=1")).await;
    assert!(board.has("#chua-cong-bo"), "{}", board.body);

    app.clock.advance(Duration::hours(3));
    let key = {
        let entry: i64 = slow_entry
            .trim_start_matches("/cuoc-thi/bai/")
            .parse()
            .unwrap_or_else(|_| panic!("{slow_entry}"));
        entry_key(&app, entry).await
    };
    let mut fields = super::util::answer_fields(&key, true);
    fields.push(("du_doan".to_owned(), "2".to_owned()));
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let too_late = late.post(&slow_entry, &refs).await;
    assert_eq!(too_late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_late.body.contains("hết giờ"), "{}", too_late.body);

    // After the close: two answered everything right; Bình predicted it exactly.
    let board = elsewhere
        .get(&format!("/cuoc-thi/{id}/xep-hang?vong=1"))
        .await;
    assert_eq!(board.text("#dung-het"), "2", "{}", board.body);
    let names = board.texts("#xep-hang-ca-nhan tbody tr td:nth-child(2)");
    assert_eq!(names, vec!["P. T. Bình", "L. V. An"], "{}", board.body);
    assert!(!board.body.contains("Phạm Thị Bình"), "names are masked");
    let mine = an.get(&format!("/cuoc-thi/{id}/xep-hang?vong=1")).await;
    assert!(mine.text("#hang-cua-toi").contains('2'), "{}", mine.body);
    assert_eq!(board.texts("#xep-hang-don-vi tbody tr").len(), 1);
    let unit = board.texts("#xep-hang-don-vi tbody tr td");
    assert_eq!(unit[3], "2", "entrants who sent an entry: {unit:?}");
    assert_eq!(unit[4], "2,0", "per 1,000 of the denominator: {unit:?}");
    // The entrant reviews their answers with the key.
    let review = an.get(&format!("/cuoc-thi/bai/{an_entry}")).await;
    assert!(review.has("#ket-qua"), "{}", review.body);
    assert!(review.body.contains("đáp án đúng"));
    // The recorded ranking recomputes to the same digest.
    let v = crate::services::contests::ranking::verify(app.state.db.read(), round.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("round"));
    assert!(v.agrees(), "{v:?}");
    assert_eq!(v.all_right, 2);

    // Prizes: a bad line is refused; then set, proposed, confirmed once.
    let bad = officer
        .post(
            &format!("{admin_path}/giai"),
            &[("ca_nhan", "Giải Nhất"), ("tap_the", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Giải Nhất: 1"), "{}", bad.body);
    let set = officer
        .post(
            &format!("{admin_path}/giai"),
            &[
                ("ca_nhan", "Giải Nhất: 1\nGiải Nhì: 1"),
                ("tap_the", "Giải tập thể: 1"),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let page = officer.get(&admin_path).await;
    let proposed = page.texts("#de-xuat tbody tr td:nth-child(3)");
    assert_eq!(proposed[0], "Phạm Thị Bình", "{}", page.body);
    assert_eq!(proposed[1], "Lê Văn An");
    let confirmed = officer.post(&format!("{admin_path}/trao-giai"), &[]).await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let twice = officer.post(&format!("{admin_path}/trao-giai"), &[]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let (status, xlsx) = officer
        .get_bytes(&format!("{admin_path}/quyet-dinh.xlsx"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK"));
    let (status, pdf) = officer
        .get_bytes(&format!("{admin_path}/quyet-dinh.pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    if let Some(text) = super::util::pdf_text(&pdf) {
        assert!(text.contains("Phạm Thị Bình"), "{text}");
    }
    let (status, _) = other_officer
        .get_bytes(&format!("{admin_path}/quyet-dinh.xlsx"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The winner sees her prize.
    let hers = binh.get(&format!("/cuoc-thi/{id}")).await;
    assert!(
        hers.text("#giai-cua-toi").contains("Giải Nhất"),
        "{}",
        hers.body
    );
    assert!(binh.get("/cuoc-thi").await.has("#giai-cua-toi"));
    // …and on her own learning page.
    let home = binh.get("/hoc").await;
    assert!(
        home.text("#giai-cua-toi").contains("Giải Nhất"),
        "{}",
        home.body
    );
}
test_both!(a_round_is_played_ranked_and_awarded);

/// Creates a contest of commune B with one round open 09:00–12:00 (the tests' clock is 10:00);
/// returns its id.
pub(super) async fn a_contest(officer: &mut Browser<'_>) -> i64 {
    let created = officer
        .post(
            "/cuoc-thi/quan-ly/moi",
            &[
                ("ten", "Cuộc thi tìm hiểu kỹ năng số xã B"),
                ("don_vi", COMMUNE_B),
                ("pham_vi", "tat-ca"),
                ("mo", "25/11/2026 09:00"),
                ("dong", "25/11/2026 12:00"),
                ("khoa_hoc", COURSE),
                ("so_cau", "5"),
                ("phut", "20"),
                ("luot", "1"),
                ("du_doan", "Có bao nhiêu người trả lời đúng tất cả các câu?"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    created
        .location()
        .trim_end_matches("?xong=da-tao")
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{}", created.location()))
}

async fn a_newcomer_registers_from_the_contest_and_the_organiser_ends_the_round(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let id = a_contest(&mut officer).await;

    // From the contest page: phone, the SMS code, the details — and back to the contest.
    let mut new = app.browser();
    let back = format!("/cuoc-thi/{id}");
    let sent = new
        .post("/dang-ky", &[("phone", "0955555555"), ("tiep", &back)])
        .await;
    assert_eq!(
        sent.location(),
        format!("/dang-ky/ma?so=0955555555&tiep=%2Fcuoc-thi%2F{id}")
    );
    let code = app.last_code("0955555555");
    let proved = new
        .post(
            "/dang-ky/ma",
            &[("phone", "0955555555"), ("code", &code), ("tiep", &back)],
        )
        .await;
    assert_eq!(
        proved.location(),
        format!("/dang-ky/thong-tin?tiep=%2Fcuoc-thi%2F{id}")
    );
    let details = new
        .get(&format!("/dang-ky/thong-tin?tiep=%2Fcuoc-thi%2F{id}"))
        .await;
    assert_eq!(
        details.attrs("input[name='tiep']", "value"),
        vec![back.clone()]
    );
    // From a contest the password may wait, and registering joins the contest in the same
    // step (the newcomer may enter for one unit only).
    assert!(
        details.body.contains("Mật khẩu (không bắt buộc)"),
        "{}",
        details.body
    );
    let done = new
        .post(
            "/dang-ky/thong-tin",
            &[
                ("tiep", back.as_str()),
                ("full_name", "Vũ Thị Mới"),
                ("birth_year", "1975"),
                ("commune_code", COMMUNE_B),
                ("password", ""),
                ("consent", "1"),
            ],
        )
        .await;
    assert_eq!(done.location(), format!("{back}?tb=da-tham-gia"));
    let page = new.get(&back).await;
    assert!(!page.has("#form-tham-gia"), "joined already: {}", page.body);
    // A return address off the site is ignored.
    let mut other = app.browser();
    let sent = other
        .post(
            "/dang-ky",
            &[("phone", "0966666666"), ("tiep", "//evil.example/")],
        )
        .await;
    assert_eq!(sent.location(), "/dang-ky/ma?so=0966666666");

    let j = new
        .post(
            &format!("/cuoc-thi/{id}/tham-gia"),
            &[("don_vi", COMMUNE_B)],
        )
        .await;
    assert_eq!(j.location(), format!("/cuoc-thi/{id}?tb=da-tham-gia"));
    let started = new
        .post(&format!("/cuoc-thi/{id}/vong/1/bat-dau"), &[])
        .await;
    let entry = started.location().to_owned();
    assert!(entry.starts_with("/cuoc-thi/bai/"), "{entry}");

    // The organiser ends the round at once: nobody starts after it, and a minute later the
    // answers still out are refused and the board is published.
    let ended = officer
        .post(&format!("/cuoc-thi/quan-ly/{id}/vong/1/ket-thuc"), &[])
        .await;
    assert_eq!(
        ended.location(),
        format!("/cuoc-thi/quan-ly/{id}?xong=da-ket-thuc")
    );
    let again = officer
        .post(&format!("/cuoc-thi/quan-ly/{id}/vong/1/ket-thuc"), &[])
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let mut late = app.browser();
    late.register("0977777777", "Hồ Văn Muộn", "1980", COMMUNE_B)
        .await;
    late.post(
        &format!("/cuoc-thi/{id}/tham-gia"),
        &[("don_vi", COMMUNE_B)],
    )
    .await;
    let refused = late
        .post(&format!("/cuoc-thi/{id}/vong/1/bat-dau"), &[])
        .await;
    assert_eq!(refused.location(), format!("/cuoc-thi/{id}?tb=da-dong"));
    app.clock.advance(Duration::seconds(61));
    let sent = new.post(&entry, &[("du_doan", "1")]).await;
    assert_eq!(sent.status, StatusCode::UNPROCESSABLE_ENTITY);
    let board = new.get(&format!("/cuoc-thi/{id}/xep-hang?vong=1")).await;
    assert_eq!(board.text("#dung-het"), "0", "{}", board.body);
}
test_both!(a_newcomer_registers_from_the_contest_and_the_organiser_ends_the_round);

/// The server's clock decides: answers sent within the minute of grace after an entry's
/// deadline count; 61 seconds after it they are refused and nothing is stored.
async fn answers_count_within_the_minute_of_grace(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let id = a_contest(&mut officer).await;
    let mut on_time = app.browser();
    on_time
        .register("0911111111", "Lê Văn An", "1990", COMMUNE_B)
        .await;
    let mut too_late = app.browser();
    too_late
        .register("0922222222", "Phạm Thị Bình", "1985", COMMUNE_B)
        .await;
    let mut entries = Vec::new();
    for b in [&mut on_time, &mut too_late] {
        b.post(
            &format!("/cuoc-thi/{id}/tham-gia"),
            &[("don_vi", COMMUNE_B)],
        )
        .await;
        let started = b.post(&format!("/cuoc-thi/{id}/vong/1/bat-dau"), &[]).await;
        let entry: i64 = started
            .location()
            .trim_start_matches("/cuoc-thi/bai/")
            .parse()
            .unwrap_or_else(|_| panic!("{}", started.location()));
        entries.push(entry);
    }
    let answers = |key: &BTreeMap<i64, (Vec<i64>, i64)>| {
        let mut f = super::util::answer_fields(key, true);
        f.push(("du_doan".to_owned(), "1".to_owned()));
        f
    };
    // 20 minutes allowed: 30 seconds past the deadline is within the grace.
    app.clock
        .advance(Duration::minutes(20) + Duration::seconds(30));
    let fields = answers(&entry_key(&app, entries[0]).await);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let sent = on_time
        .post(&format!("/cuoc-thi/bai/{}", entries[0]), &refs)
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    // 61 seconds past it: refused, the entry stays unsent.
    app.clock.advance(Duration::seconds(31));
    let fields = answers(&entry_key(&app, entries[1]).await);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let late = too_late
        .post(&format!("/cuoc-thi/bai/{}", entries[1]), &refs)
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    let db = app.state.db.read();
    let stored = |id: i64| async move {
        contests::entry_by_id(db, id)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .and_then(|e| e.submitted_at)
    };
    assert!(stored(entries[0]).await.is_some());
    assert!(stored(entries[1]).await.is_none());
}

test_both!(answers_count_within_the_minute_of_grace);

/// The fields of a contest for `units` and `groups` ticked, open now for two hours.
fn audience_form<'a>(
    organiser: &'a str,
    scope: &'a str,
    ticks: &[&'a str],
) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("ten", "Hội thi kỹ năng số liên xã"),
        ("don_vi", organiser),
        ("mo_ta", ""),
        ("pham_vi", scope),
        ("vong_ten", ""),
        ("mo", "25/11/2026 09:00"),
        ("dong", "25/11/2026 12:00"),
        ("khoa_hoc", COURSE),
        ("so_cau", "5"),
        ("theo_nang_luc", ""),
        ("phut", "20"),
        ("luot", "1"),
        ("du_doan", "Có bao nhiêu người trả lời đúng tất cả các câu?"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    form.extend(ticks.iter().map(|t| ((*t).to_owned(), "1".to_owned())));
    form
}

async fn create_contest(b: &mut Browser<'_>, form: &[(String, String)]) -> super::util::Page {
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post("/cuoc-thi/quan-ly/moi", &refs).await
}

fn id_of(created: &super::util::Page) -> i64 {
    created
        .location()
        .trim_end_matches("?xong=da-tao")
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{}", created.location()))
}

/// Who may enter: the units and the groups ticked. An officer may tick only the units they
/// manage; a code from elsewhere is refused and nothing is written.
async fn chosen_units_and_groups_decide_who_may_enter(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut of_a = app.browser();
    of_a.register("0911111111", "Lê Văn An", "1990", COMMUNE_A)
        .await;
    let mut of_b = app.browser();
    of_b.register("0922222222", "Phạm Thị Bình", "1985", COMMUNE_B)
        .await;

    let form = admin.get("/cuoc-thi/quan-ly/moi").await;
    assert!(form.has(&format!("#dv_{COMMUNE_A}")), "{}", form.body);
    assert!(form.has("#nhom_students"), "{}", form.body);

    // An officer of B ticks commune A: refused, nothing written.
    let dv_a = format!("dv_{COMMUNE_A}");
    let dv_b = format!("dv_{COMMUNE_B}");
    let foreign = create_contest(&mut officer_b, &audience_form(COMMUNE_B, "chon", &[&dv_a])).await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        foreign.body.contains("không thuộc phạm vi bạn quản lý"),
        "{}",
        foreign.body
    );
    // "Chosen units" with none ticked, and a group that does not exist: refused.
    let none = create_contest(&mut admin, &audience_form("68", "chon", &["nhom_khong-co"])).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("ít nhất một đơn vị"), "{}", none.body);
    assert!(
        none.body.contains("nhóm đối tượng trong danh sách"),
        "{}",
        none.body
    );
    assert_eq!(contest_count(&app).await, 0);

    // Commune A only, adults only: A's adult joins, B's is told why not.
    let created = create_contest(
        &mut admin,
        &audience_form("68", "chon", &[&dv_a, "nhom_adults"]),
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let only_a = id_of(&created);
    let stored = contests::contest_by_id(app.state.db.read(), only_a)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no contest"));
    assert_eq!(stored.audience_units, COMMUNE_A);
    assert_eq!(stored.audience_groups, "adults");
    let joined = of_a
        .post(
            &format!("/cuoc-thi/{only_a}/tham-gia"),
            &[("don_vi", COMMUNE_A)],
        )
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let page = of_b.get(&format!("/cuoc-thi/{only_a}")).await;
    assert!(page.has("#khong-duoc"), "{}", page.body);
    let refused = of_b
        .post(
            &format!("/cuoc-thi/{only_a}/tham-gia"),
            &[("don_vi", COMMUNE_B)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    // Both communes, students only: an adult of A is told the group it is for.
    let created = create_contest(
        &mut admin,
        &audience_form("68", "chon", &[&dv_a, &dv_b, "nhom_students"]),
    )
    .await;
    let students = id_of(&created);
    let page = of_a.get(&format!("/cuoc-thi/{students}")).await;
    assert!(
        page.text("#khong-duoc").contains("Học sinh, sinh viên"),
        "{}",
        page.body
    );
    let admin_page = admin.get(&format!("/cuoc-thi/quan-ly/{students}")).await;
    assert!(
        admin_page.body.contains("nhóm Học sinh, sinh viên"),
        "{}",
        admin_page.body
    );
}

test_both!(chosen_units_and_groups_decide_who_may_enter);
