//! /nhac-nho and the send queue: an officer previews a reminder to the people of their unit
//! who have not finished (how many, why the others are left out, how the text message reads),
//! sends it, and follows its delivery log; each person gets at most one a week, none after
//! opting out, and none at night; the queue is claimed once however many processes send, a
//! sender killed mid-send loses nothing, a failing gateway is retried with backoff then given
//! up; the province's weekly reminder goes to the communes below target once; learners see
//! their reminders on /thong-bao. Bad input writes nothing; other units reach nothing.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use chrono::{Duration, TimeZone, Utc};
use hocvuso_db::repo::reminders;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, COMMUNE_B};
use crate::services::reminders::sender;

async fn reminder_count(app: &TestApp) -> usize {
    reminders::reminders_of(app.state.db.read(), None, 1_000)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .len()
}

async fn statuses(app: &TestApp, id: i64) -> Vec<(String, i64)> {
    let mut s = reminders::status_counts(app.state.db.read(), id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.sort();
    s
}

fn reminder_form<'a>(unit: &'a str, body: &'a str, when: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("don_vi", unit),
        ("nhom", "adults"),
        ("noi_dung", body),
        ("gui_luc", when),
    ]
}

const TEXT: &str =
    "Bà con chưa học xong bài kỹ năng số cơ bản, mời đến nhà văn hoá thôn sáng thứ Bảy.";

async fn an_officer_reminds_those_who_have_not_finished(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut other = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    let mut finished = app.learner("0911000001", COMMUNE_B).await;
    finished.pass_course("ky-nang-so-co-ban").await;
    let mut hoa = app.learner("0911000002", COMMUNE_B).await;
    let mut lan = app.learner("0911000003", COMMUNE_B).await;
    let mut quiet = app.learner("0911000004", COMMUNE_B).await;
    let _elsewhere = app.learner("0911000005", COMMUNE_A).await;

    // One of them stops reminders from their own page.
    let inbox = quiet.get("/thong-bao").await;
    assert!(inbox.has("#tat-nhac"), "{}", inbox.body);
    let off = quiet.post("/thong-bao/nhac-nho", &[("nhan", "0")]).await;
    assert_eq!(off.location(), "/thong-bao?xong=da-tat");
    assert!(quiet.get("/thong-bao").await.has("#da-tat"));

    // The people list leads to the form for that unit and group.
    let list = officer
        .get(&format!(
            "/thong-ke/{COMMUNE_B}/nguoi?nhom=adults&loc=chua-dat"
        ))
        .await;
    let link = list.attrs("#nhac-chua-dat", "href");
    assert_eq!(
        link,
        vec![format!("/nhac-nho?don_vi={COMMUNE_B}&nhom=adults")]
    );

    // Bad input: a clear message, nothing written.
    for (form, message) in [
        (reminder_form(COMMUNE_B, "Ngắn", ""), "từ 10 đến"),
        (
            reminder_form(COMMUNE_B, &"Quá dài ".repeat(30), ""),
            "từ 10 đến",
        ),
        (
            reminder_form(COMMUNE_B, TEXT, "31/02/2026 08:00"),
            "ngày/tháng/năm",
        ),
        (
            reminder_form(COMMUNE_B, TEXT, "01/01/2020 08:00"),
            "60 ngày tới",
        ),
        // Another commune's unit: not in this officer's list.
        (reminder_form(COMMUNE_A, TEXT, ""), "Hãy chọn đơn vị"),
    ] {
        for path in ["/nhac-nho/xem-truoc", "/nhac-nho/gui"] {
            let refused = officer.post(path, &form).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            assert!(
                refused.body.contains(message),
                "{message}: {}",
                refused.body
            );
        }
    }
    assert_eq!(reminder_count(&app).await, 0);

    // The preview: three have not finished, one asked for none: two will receive it.
    let preview = officer
        .post("/nhac-nho/xem-truoc", &reminder_form(COMMUNE_B, TEXT, ""))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.text("#nguoi-nhan"), "2");
    assert!(
        preview.text("#tin-nhan").contains(
            "Hoc vu so: Ba con chua hoc xong bai ky nang so co ban, moi den nha van hoa thon sang thu Bay."
        ),
        "{}",
        preview.body
    );
    assert_eq!(reminder_count(&app).await, 0, "a preview writes nothing");
    let sent = officer
        .post("/nhac-nho/gui", &reminder_form(COMMUNE_B, TEXT, ""))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let log_path = sent.location().trim_end_matches("?xong=da-gui").to_owned();
    let id: i64 = log_path
        .trim_start_matches("/nhac-nho/")
        .parse()
        .unwrap_or_else(|_| panic!("{log_path}"));
    assert_eq!(statuses(&app, id).await, vec![("queued".to_owned(), 2)]);
    // Another commune's officer reaches nothing of it.
    assert_eq!(other.get(&log_path).await.status, StatusCode::NOT_FOUND);

    // The sender sends both; the text message reads as previewed.
    let round = sender::round(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(round.sent, 2, "{round:?}");
    let text = app.state.sms.last_sent_to("0911000002").unwrap_or_default();
    assert!(
        text.starts_with("Hoc vu so: Ba con chua hoc xong"),
        "{text}"
    );
    // The others' last message is still their registration code.
    for (phone, who) in [
        ("0911000004", "opted out"),
        ("0911000001", "finished"),
        ("0911000005", "elsewhere"),
    ] {
        let last = app.state.sms.last_sent_to(phone).unwrap_or_default();
        assert!(!last.starts_with("Hoc vu so:"), "{who}: {last}");
    }
    let log = officer.get(&log_path).await;
    assert_eq!(log.text("#da-gui"), "2");
    assert_eq!(log.text("#dang-cho"), "0");

    // The learner sees it as new on their page, then on /thong-bao, then no longer new.
    let home = hoa.get("/hoc").await;
    assert!(
        home.text("#thong-bao-moi").contains("1 thông báo mới"),
        "{}",
        home.body
    );
    // The header's count (kept a minute in memory, refreshed by /hoc) shows it too.
    let home = hoa.get("/hoc").await;
    assert_eq!(
        home.text("#dau-thong-bao"),
        "Thông báo (1 mới)",
        "{}",
        home.body
    );
    let inbox = hoa.get("/thong-bao").await;
    assert!(
        inbox.text("#thong-bao").contains("nhà văn hoá thôn"),
        "{}",
        inbox.body
    );
    let home = hoa.get("/hoc").await;
    assert!(!home.has("#thong-bao-moi"));
    assert_eq!(home.text("#dau-thong-bao"), "Thông báo", "read: no count");

    // A week between two reminders to one person: the same send again reaches nobody.
    app.clock.advance(Duration::days(3));
    let again = officer
        .post("/nhac-nho/xem-truoc", &reminder_form(COMMUNE_B, TEXT, ""))
        .await;
    assert_eq!(again.text("#nguoi-nhan"), "0");
    assert!(again.has("#khong-ai"));
    // Eight days later they may be reminded again (Lan stops them meanwhile).
    let off = lan.post("/thong-bao/nhac-nho", &[("nhan", "0")]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    app.clock.advance(Duration::days(5));
    let later = officer
        .post("/nhac-nho/xem-truoc", &reminder_form(COMMUNE_B, TEXT, ""))
        .await;
    assert_eq!(later.text("#nguoi-nhan"), "1");
    // The one who stopped them first turns them back on: counted again.
    let on = quiet.post("/thong-bao/nhac-nho", &[("nhan", "1")]).await;
    assert_eq!(on.location(), "/thong-bao?xong=da-bat");
    let later = officer
        .post("/nhac-nho/xem-truoc", &reminder_form(COMMUNE_B, TEXT, ""))
        .await;
    assert_eq!(later.text("#nguoi-nhan"), "2");

    // Every send and every look at the delivery log is in the audit log.
    let audit = hocvuso_db::repo::audit::recent(app.state.db.read(), 100)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(audit.iter().any(|a| a.action == "reminder_queue"));
    assert!(audit.iter().any(|a| a.action == "reminder_log_view"));
    assert!(audit.iter().any(|a| a.action == "reminder_opt_out"));
}

test_both!(an_officer_reminds_those_who_have_not_finished);

/// Queues a reminder for `n` learners of commune B through the page; returns its id.
async fn queue_for(app: &TestApp, n: usize, first_phone: u32) -> i64 {
    for i in 0..n {
        let _ = app
            .learner(&format!("09{:08}", first_phone + i as u32), COMMUNE_B)
            .await;
    }
    let mut officer = app
        .staff(
            &format!("0900{:06}", first_phone / 1_000),
            Role::UnitOfficer,
            COMMUNE_B,
        )
        .await;
    let sent = officer
        .post("/nhac-nho/gui", &reminder_form(COMMUNE_B, TEXT, ""))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    sent.location()
        .trim_start_matches("/nhac-nho/")
        .trim_end_matches("?xong=da-gui")
        .parse()
        .unwrap_or_else(|_| panic!("{}", sent.location()))
}

/// Two processes claim side by side: each message goes to exactly one of them. A sender
/// killed after claiming loses nothing: once its claim runs out, the messages go out.
async fn the_queue_is_claimed_once_and_survives_a_killed_sender(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let id = queue_for(&app, 30, 11_000_000).await;
    let second = app.another_process().await;
    let now = app.state.clock.now();
    let lease = now + Duration::seconds(sender::LEASE_SECONDS);
    let (a, b2) = tokio::join!(
        hocvuso_db::dialect::claim_outbox(app.state.db.write(), now, lease, "sms", 20),
        hocvuso_db::dialect::claim_outbox(second.state.db.write(), now, lease, "sms", 20),
    );
    let (a, b2) = (
        a.unwrap_or_else(|e| panic!("{e}")),
        b2.unwrap_or_else(|e| panic!("{e}")),
    );
    let mut ids: Vec<i64> = a.iter().chain(b2.iter()).map(|c| c.id).collect();
    assert_eq!(ids.len(), 30, "{} + {}", a.len(), b2.len());
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 30, "no message claimed twice");
    // Both "processes" die here: nothing is sent, every message stays claimed.
    assert_eq!(statuses(&app, id).await, vec![("sending".to_owned(), 30)]);
    let early = sender::round(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(early, sender::Round::default(), "claims still hold");
    // The claims run out: the next rounds send every message, each once.
    app.clock
        .advance(Duration::seconds(sender::LEASE_SECONDS + 1));
    let mut sent = 0;
    for _ in 0..3 {
        sent += sender::round(&second.state)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .sent;
    }
    assert_eq!(sent, 30);
    assert_eq!(statuses(&app, id).await, vec![("sent".to_owned(), 30)]);
}

test_both!(the_queue_is_claimed_once_and_survives_a_killed_sender);

/// The rate cap: one round sends at most `[sms] per_second` messages. Quiet hours: nothing
/// leaves between 21:00 and 07:00.
async fn rate_cap_and_quiet_hours(b: TestBackend) {
    let Some(app) = TestApp::with_config(b, |c| c.sms_per_second = 4).await else {
        return;
    };
    // 21:30 in Vietnam.
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 25, 14, 30, 0)
            .single()
            .unwrap_or_default(),
    );
    let id = queue_for(&app, 10, 12_000_000).await;
    let night = sender::round(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(night.sent, 0);
    assert_eq!(statuses(&app, id).await, vec![("queued".to_owned(), 10)]);
    // 07:00 the next morning: four a round.
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0)
            .single()
            .unwrap_or_default(),
    );
    let mut rounds = Vec::new();
    for _ in 0..3 {
        rounds.push(
            sender::round(&app.state)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .sent,
        );
    }
    assert_eq!(rounds, vec![4, 4, 2]);
}

test_both!(rate_cap_and_quiet_hours);

/// A fake SMS gateway on a real socket: answers 503 to the first `failures` requests, then
/// 200, and keeps what it was sent (idempotency key, body).
struct Gateway {
    url: String,
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

async fn gateway(failures: usize) -> Gateway {
    use axum::routing::post;
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/gui",
        post({
            let seen = seen.clone();
            move |headers: axum::http::HeaderMap, body: String| {
                let seen = seen.clone();
                let count = count.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    if auth != "Bearer khoa-bi-mat" {
                        return StatusCode::UNAUTHORIZED;
                    }
                    let key = headers
                        .get("idempotency-key")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if n < failures {
                        return StatusCode::SERVICE_UNAVAILABLE;
                    }
                    if let Ok(mut s) = seen.lock() {
                        s.push((key, body));
                    }
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Gateway {
        url: format!("http://{addr}/gui"),
        seen,
    }
}

/// Through a real HTTP gateway: failures are retried after 1, 2, 4 … minutes and written in
/// the delivery log; a message given up after five tries is marked failed with the reason.
async fn a_failing_gateway_is_retried_then_given_up(b: TestBackend) {
    let Some(setup) = TestApp::new(b).await else {
        return;
    };
    // Two messages queued (the people registered with the development adapter, which keeps
    // their codes); then a process whose gateway fails the first 3 requests sends them.
    let id = queue_for(&setup, 2, 13_000_000).await;
    let gw = gateway(3).await;
    let url = gw.url.clone();
    let app = setup
        .another_process_with(move |c| c.sms_gateway = Some((url, "khoa-bi-mat".to_owned())))
        .await;
    let first = sender::round(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.retried, 2, "{first:?}");
    // Not before the backoff.
    let none = sender::round(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(none, sender::Round::default());
    let mut officer = app.staff("0900000003", Role::UnitOfficer, COMMUNE_B).await;
    let log = officer.get(&format!("/nhac-nho/{id}")).await;
    assert!(
        log.text("#tin-loi").contains("cổng SMS trả lời mã 503"),
        "{}",
        log.body
    );
    app.clock.advance(Duration::minutes(1));
    let second = sender::round(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((second.sent, second.retried), (1, 1), "{second:?}");
    app.clock.advance(Duration::minutes(2));
    let third = sender::round(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(third.sent, 1, "{third:?}");
    assert_eq!(statuses(&app, id).await, vec![("sent".to_owned(), 2)]);
    let seen = gw.seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(seen.len(), 2);
    for (key, body) in &seen {
        assert!(key.starts_with("hocvuso-"), "{key}");
        let json: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            json["text"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Hoc vu so: Ba con"),
            "{body}"
        );
        assert!(json["to"].as_str().unwrap_or_default().starts_with("0913"));
    }

    // A gateway that never answers well: five tries, then failed with the reason.
    let id = queue_for(&setup, 1, 14_000_000).await;
    let bad = gateway(usize::MAX).await;
    let url = bad.url.clone();
    let app = setup
        .another_process_with(move |c| c.sms_gateway = Some((url, "khoa-bi-mat".to_owned())))
        .await;
    for _ in 0..sender::MAX_TRIES {
        let _ = sender::round(&app.state)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        app.clock.advance(Duration::minutes(20));
    }
    assert_eq!(statuses(&app, id).await, vec![("failed".to_owned(), 1)]);
    let log = officer.get(&format!("/nhac-nho/{id}")).await;
    assert_eq!(log.text("#that-bai"), "1");
    assert!(
        log.text("#tin-loi").contains("Đã thử 5 lần"),
        "{}",
        log.body
    );
    assert!(!log.body.contains("0914000000"), "phone masked in the log");
}

test_both!(a_failing_gateway_is_retried_then_given_up);

/// The province's weekly reminder: sent at its hour to the communes below target only, once
/// however many processes look; paused, it sends nothing.
async fn a_weekly_reminder_goes_to_communes_below_target(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut officer_a = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    // Commune A: 1 person to reach, who finished: at target. Commune B: 100, nobody yet.
    app.set_denominator(COMMUNE_A, "adults", 2026, 1).await;
    app.set_denominator(COMMUNE_B, "adults", 2026, 100).await;
    let mut done = app.learner("0915000001", COMMUNE_A).await;
    done.pass_course("ky-nang-so-co-ban").await;
    let _ = app.learner("0915000002", COMMUNE_A).await;
    let _ = app.learner("0915000003", COMMUNE_B).await;

    let form = [
        ("don_vi", "68"),
        ("nhom", "adults"),
        ("noi_dung", TEXT),
        ("thu", "1"),
        ("gio", "22"),
        ("duoi_chi_tieu", "1"),
    ];
    let refused = admin.post("/nhac-nho/hang-tuan", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("từ 7 đến 20"), "{}", refused.body);
    let mut form = form;
    form[4].1 = "8";
    let made = admin.post("/nhac-nho/hang-tuan", &form).await;
    assert_eq!(made.location(), "/nhac-nho/hang-tuan?xong=da-dat-lich");
    let page = admin.get("/nhac-nho/hang-tuan").await;
    // The tests' clock is Wednesday 25/11/2026: next Monday is 30/11.
    assert!(
        page.text("#cac-lich").contains("30/11/2026 08:00"),
        "{}",
        page.body
    );
    // An officer of a commune sees none of the province's schedules and cannot pause them.
    assert!(officer_a.get("/nhac-nho/hang-tuan").await.has("#chua-co"));
    let schedules = reminders::schedules(app.state.db.read(), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sid = schedules[0].id;
    let foreign = officer_a
        .post(&format!("/nhac-nho/hang-tuan/{sid}/tam-dung"), &[])
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // Before its time: nothing. At Monday 08:00, two processes look: one reminder, for B.
    let crate_run = crate::services::reminders::schedules::run_due;
    assert_eq!(
        crate_run(&app.state)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        0
    );
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0)
            .single()
            .unwrap_or_default(),
    );
    let second = app.another_process().await;
    let (x, y) = tokio::join!(crate_run(&app.state), crate_run(&second.state));
    let runs = x.unwrap_or_else(|e| panic!("{e}")) + y.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(runs, 1, "one commune below target, sent once");
    let all = reminders::reminders_of(app.state.db.read(), None, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].recipients, 1);
    let b_unit = hocvuso_db::repo::org::by_code(app.state.db.read(), COMMUNE_B)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("B"));
    assert_eq!(all[0].unit_id, b_unit.id);

    // Paused: next Monday sends nothing.
    let paused = admin
        .post(&format!("/nhac-nho/hang-tuan/{sid}/tam-dung"), &[])
        .await;
    assert_eq!(paused.location(), "/nhac-nho/hang-tuan?xong=da-tam-dung");
    app.clock.advance(Duration::days(7));
    assert_eq!(
        crate_run(&app.state)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        0
    );

    // The audit log names each of these in words (they once read "Việc khác").
    let audit = admin.get("/thong-ke/nhat-ky").await;
    assert_eq!(audit.status, StatusCode::OK);
    for said in [
        "Đặt lời nhắc hằng tuần",
        "Gửi lời nhắc hằng tuần",
        "Tạm dừng lời nhắc hằng tuần",
    ] {
        assert!(audit.body.contains(said), "{said}: {}", audit.body);
    }
    assert!(!audit.body.contains("Việc khác"), "{}", audit.body);
}

test_both!(a_weekly_reminder_goes_to_communes_below_target);

/// A loop of previews is stopped (each counts a whole unit's people): the 61st in an hour
/// gets 429 with a Vietnamese message; an hour later it works again.
async fn a_loop_of_previews_is_stopped(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let form = reminder_form(COMMUNE_B, TEXT, "");
    for _ in 0..crate::services::shared::limits::REMINDER_FORMS_PER_HOUR {
        let ok = officer.post("/nhac-nho/xem-truoc", &form).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    }
    let stopped = officer.post("/nhac-nho/gui", &form).await;
    assert_eq!(stopped.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reminder_count(&app).await, 0, "nothing sent");
    app.clock.advance(Duration::hours(1));
    let again = officer.post("/nhac-nho/xem-truoc", &form).await;
    assert_eq!(again.status, StatusCode::OK);
}

test_both!(a_loop_of_previews_is_stopped);

/// One message an SMTP relay accepted: the envelope's recipients and the message as sent.
#[derive(Debug, Clone)]
struct Received {
    rcpt: Vec<String>,
    data: String,
}

impl Received {
    fn header(&self, name: &str) -> String {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        // Unfold continuation lines, then find the header.
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded
            .split("\r\n")
            .find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
            })
            .unwrap_or_default()
    }

    /// The body, decoded from the transfer encoding lettre chose.
    fn body(&self) -> String {
        let raw = self
            .data
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .unwrap_or_default();
        let bytes = match self.header("Content-Transfer-Encoding").as_str() {
            "base64" => base64_decode(&raw.replace("\r\n", "")),
            "quoted-printable" => quoted_printable_decode(raw),
            _ => raw.as_bytes().to_vec(),
        };
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("{e}"))
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut bits, mut n) = (0u32, 0u32);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET
            .iter()
            .position(|a| *a == c)
            .unwrap_or_else(|| panic!("not base64: {c}"));
        bits = (bits << 6) | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

fn quoted_printable_decode(text: &str) -> Vec<u8> {
    let text = text.replace("=\r\n", "");
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or_default();
            out.push(u8::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("{hex}: {e}")));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// A real SMTP server on a socket (RFC 5321's commands, one message per transaction): it
/// refuses the first `refusals` messages with `451` and keeps the rest.
struct Relay {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Relay {
    fn received(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn relay(refusals: usize) -> Relay {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let keep = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let keep = keep.clone();
            let refused = refused.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                let _ = write.write_all(b"220 relay.test ESMTP\r\n").await;
                let mut rcpt = Vec::new();
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        break;
                    }
                    let command = line.trim_end().to_ascii_uppercase();
                    let answer: &[u8] = if command.starts_with("EHLO") {
                        b"250-relay.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
                    } else if command.starts_with("HELO")
                        || command.starts_with("MAIL FROM:")
                        || command.starts_with("NOOP")
                    {
                        b"250 OK\r\n"
                    } else if command.starts_with("RSET") {
                        rcpt.clear();
                        b"250 OK\r\n"
                    } else if command.starts_with("RCPT TO:") {
                        let to = line.trim_end()[8..].trim();
                        rcpt.push(to.trim_start_matches('<').trim_end_matches('>').to_owned());
                        b"250 OK\r\n"
                    } else if command == "DATA" {
                        let _ = write.write_all(b"354 go on\r\n").await;
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" {
                                break;
                            }
                            let l = line.strip_prefix('.').unwrap_or(&line);
                            data.push_str(l);
                        }
                        let message = Received {
                            rcpt: std::mem::take(&mut rcpt),
                            data,
                        };
                        if refused.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < refusals {
                            b"451 try again later\r\n"
                        } else {
                            if let Ok(mut k) = keep.lock() {
                                k.push(message);
                            }
                            b"250 queued\r\n"
                        }
                    } else if command.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"502 not implemented\r\n"
                    };
                    if write.write_all(answer).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    Relay { port, received }
}

/// Reminders by email: a learner gives an address on /thong-bao (a bad one is refused with a
/// clear message, nothing kept); the preview counts who gets email; the sender hands exactly
/// those messages to a real SMTP relay — at night too, while text messages wait for the
/// morning — with the reminder's text, the way to stop, and the same Message-ID on a retry
/// after the relay refused; a learner who removes the address gets text messages again.
async fn reminders_go_by_email_to_those_who_chose_it(b: TestBackend) {
    let smtp = relay(1).await;
    let port = smtp.port;
    let Some(app) = TestApp::with_config(b, move |c| {
        c.email_relay = Some(crate::config::EmailRelay {
            host: "127.0.0.1".to_owned(),
            port,
            from: "Học vụ số Lâm Đồng <hocvuso@lamdong.gov.vn>".to_owned(),
            login: None,
        });
    })
    .await
    else {
        return;
    };
    // 21:30 in Vietnam: text messages wait, emails go.
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 25, 14, 30, 0)
            .single()
            .unwrap_or_default(),
    );
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut hoa = app.learner("0915000001", COMMUNE_B).await;
    let mut lan = app.learner("0915000002", COMMUNE_B).await;
    let _an = app.learner("0915000003", COMMUNE_B).await;
    let mut elsewhere = app.learner("0915000004", COMMUNE_A).await;

    // A bad address: the form again with the message; nothing kept.
    let bad = hoa
        .post("/thong-bao/thu-dien-tu", &[("thu", "hoa ở gmail")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#thu-loi").contains("chưa đúng"), "{}", bad.body);
    assert!(bad.has(".error-summary"));
    let empty = hoa.post("/thong-bao/thu-dien-tu", &[("thu", " ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!hoa.get("/thong-bao").await.has("#thu-hien-tai"));
    for (who, address) in [
        (&mut hoa, "hoa.nguyen@example.vn"),
        (&mut lan, "lan@example.vn"),
    ] {
        let saved = who
            .post("/thong-bao/thu-dien-tu", &[("thu", address)])
            .await;
        assert_eq!(saved.location(), "/thong-bao?xong=da-luu-thu");
        let page = who.get("/thong-bao").await;
        assert!(
            page.text("#thu-hien-tai").contains(address),
            "{}",
            page.body
        );
    }
    let _ = elsewhere
        .post("/thong-bao/thu-dien-tu", &[("thu", "xa@example.vn")])
        .await;

    let preview = officer
        .post("/nhac-nho/xem-truoc", &reminder_form(COMMUNE_B, TEXT, ""))
        .await;
    assert_eq!(preview.text("#nguoi-nhan"), "3", "{}", preview.body);
    assert_eq!(preview.text("#qua-thu"), "2");
    let id = queue_for(&app, 0, 15_100_000).await;
    // At night: the relay refuses the first message (451): retried; the other one goes.
    let night = sender::round(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((night.sent, night.retried), (1, 1), "{night:?}");
    // The delivery log says how it goes and why it waits, without the address.
    let log = officer.get(&format!("/nhac-nho/{id}")).await;
    assert!(log.text("#tin-loi").contains("Thư điện tử"), "{}", log.body);
    assert!(log.text("#tin-loi").contains("451"), "{}", log.body);
    assert!(!log.body.contains("@example.vn"), "no address in the log");
    app.clock.advance(Duration::minutes(1));
    let again = sender::round(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.sent, 1, "{again:?}");
    let mut got: Vec<String> = smtp
        .received()
        .iter()
        .flat_map(|m| m.rcpt.clone())
        .collect();
    got.sort();
    assert_eq!(got, vec!["hoa.nguyen@example.vn", "lan@example.vn"]);
    for m in smtp.received() {
        assert!(
            m.header("Message-ID").starts_with("<hocvuso-"),
            "{}",
            m.data
        );
        assert!(m.header("Message-ID").ends_with("@lamdong.gov.vn>"));
        assert!(m.header("From").contains("hocvuso@lamdong.gov.vn"));
        // Dated by the app's clock (21:30 in Vietnam, 14:30 UTC).
        assert!(m.header("Date").contains("25 Nov 2026 14:3"), "{}", m.data);
        assert!(
            m.header("Subject").to_lowercase().starts_with("=?utf-8?"),
            "encoded: {}",
            m.data
        );
        let body = m.body();
        assert!(body.contains(TEXT), "{body}");
        assert!(body.contains("/thong-bao"), "{body}");
    }
    // The text message to An waits for 07:00.
    let counts = statuses(&app, id).await;
    assert_eq!(
        counts,
        vec![("queued".to_owned(), 1), ("sent".to_owned(), 2)]
    );

    // Lan removes her address: her next reminder goes by text message.
    let removed = lan.post("/thong-bao/thu-dien-tu", &[("bo", "1")]).await;
    assert_eq!(removed.location(), "/thong-bao?xong=da-bo-thu");
    assert!(!lan.get("/thong-bao").await.has("#thu-hien-tai"));
    app.clock.advance(Duration::days(8));
    let later = officer
        .post("/nhac-nho/xem-truoc", &reminder_form(COMMUNE_B, TEXT, ""))
        .await;
    assert_eq!(later.text("#qua-thu"), "1", "{}", later.body);
    let audit = hocvuso_db::repo::audit::recent(app.state.db.read(), 100)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(audit.iter().any(|a| a.action == "reminder_email_set"));
    assert!(audit.iter().any(|a| a.action == "reminder_email_removed"));
}

test_both!(reminders_go_by_email_to_those_who_chose_it);
