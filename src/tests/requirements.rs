//! /thong-ke/khoa-bat-buoc: the province decides which courses a group requires. A change is
//! previewed (nothing kept), then applied with its reason, recounted through the spine in the
//! same transaction (gained from the change, lost in the week counted, dated later when the
//! last course needed is a later one), kept in the history and the audit log; `stats verify`
//! agrees after each change.

use axum::http::StatusCode;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, Page, TestApp, COMMUNE_B};

const BASIC: &str = "ky-nang-so-co-ban";
const AI: &str = "ung-dung-tri-tue-nhan-tao";
const INNOVATION: &str = "doi-moi-sang-tao-cho-can-bo";

fn course_id(app: &TestApp, slug: &str) -> String {
    app.state
        .catalog
        .current()
        .by_slug(slug)
        .unwrap_or_else(|| panic!("no course {slug}"))
        .course
        .id
        .to_string()
}

/// Posts the officials' rule: the preview, or (`apply`) the change itself.
async fn officials_rule(
    admin: &mut Browser<'_>,
    courses: &[&str],
    reason: &str,
    apply: bool,
) -> Page {
    let mut fields: Vec<(&str, &str)> = courses.iter().map(|c| ("khoa-hoc", *c)).collect();
    fields.push(("ly-do", reason));
    let path = if apply {
        "/thong-ke/khoa-bat-buoc/officials/ap-dung"
    } else {
        "/thong-ke/khoa-bat-buoc/officials"
    };
    admin.post(path, &fields).await
}

async fn achieved_at(app: &TestApp, phone: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let db = app.state.db.read();
    let person = hocvuso_db::repo::people::person_by_phone(db, phone)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no {phone}"));
    hocvuso_db::repo::stats::achievements_of_person(db, person.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|a| a.group_code == "officials")
        .map(|a| a.achieved_at)
}

async fn a_changed_rule_is_previewed_applied_recounted_and_kept(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let roster = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Mã xã,Nhóm\n\
         Phạm Thị Lan,1985,Nữ,0912345678,{COMMUNE_B},\"Cán bộ, công chức\"\n\
         Lê Văn Minh,1980,Nam,0987654321,{COMMUNE_B},\"Cán bộ, công chức\"\n"
    );
    admin.import_roster("r.csv", &roster).await;
    let (basic, ai, innovation) = (
        course_id(&app, BASIC),
        course_id(&app, AI),
        course_id(&app, INNOVATION),
    );

    // As shipped, officials need the basic course and the AI course: Lan passes both, Minh
    // only the basic one.
    let mut lan = app.learner("0912345678", COMMUNE_B).await;
    lan.pass_course(BASIC).await;
    lan.pass_course(AI).await;
    let mut minh = app.learner("0987654321", COMMUNE_B).await;
    minh.pass_course(BASIC).await;
    assert_eq!(app.achieved_in(COMMUNE_B, "officials").await, 1);
    let lan_first = achieved_at(&app, "0912345678").await;
    assert!(lan_first.is_some());

    let index = admin.get("/thong-ke/khoa-bat-buoc").await;
    assert_eq!(index.status, StatusCode::OK);
    let officials = index.text("#bang-quy-dinh tr[data-group=officials]");
    assert!(
        officials.contains("Kỹ năng số cơ bản") && officials.contains("trí tuệ nhân tạo"),
        "{officials}"
    );
    let form = admin.get("/thong-ke/khoa-bat-buoc/officials").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.attrs("input[name=khoa-hoc][checked]", "value").len(),
        2
    );

    // Refused, and nothing kept: no reason; nothing changed; a course taught elsewhere.
    let no_reason = officials_rule(&mut admin, &[&basic], "  ", false).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text(".error-summary").contains("Hãy ghi lý do"));
    let same = officials_rule(&mut admin, &[&basic, &ai], "Không đổi", true).await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(same.text(".error-summary").contains("không có gì thay đổi"));
    let national = app
        .state
        .catalog
        .current()
        .courses()
        .find(|c| c.course.external_url.is_some())
        .map(|c| c.course.id.to_string())
        .unwrap_or_else(|| panic!("the national platform's course"));
    let elsewhere = officials_rule(&mut admin, &[&national], "Thử", true).await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(elsewhere.text(".error-summary").contains("không chọn được"));

    // 1. The basic course alone: the preview says Minh would achieve, and changes nothing.
    app.clock.advance(chrono::Duration::days(1));
    let preview = officials_rule(&mut admin, &[&basic], "Quyết định 12/QĐ-UBND", false).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.text("#them-dat"), "1");
    assert_eq!(preview.text("#bot-dat"), "0");
    assert_eq!(preview.text("#doi-ngay"), "0");
    assert_eq!(app.achieved_in(COMMUNE_B, "officials").await, 1);
    assert!(achieved_at(&app, "0987654321").await.is_none());
    let applied = officials_rule(&mut admin, &[&basic], "Quyết định 12/QĐ-UBND", true).await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    assert_eq!(
        applied.location(),
        "/thong-ke/khoa-bat-buoc?da-doi=officials"
    );
    assert_eq!(app.achieved_in(COMMUNE_B, "officials").await, 2);
    assert_eq!(
        achieved_at(&app, "0987654321").await,
        Some(app.state.clock.now()),
        "achieved from the change, as when joining a group"
    );
    assert_eq!(achieved_at(&app, "0912345678").await, lan_first);
    app.verify_ok().await;

    // 2. Lan passes the innovation course a fortnight later; the rule becomes basic +
    // innovation: Minh loses his achievement, Lan's moves to the day she passed it.
    app.clock.advance(chrono::Duration::days(14));
    lan.pass_course(INNOVATION).await;
    let innovation_passed = app.state.clock.now();
    app.clock.advance(chrono::Duration::days(1));
    let preview = officials_rule(
        &mut admin,
        &[&basic, &innovation],
        "Kế hoạch năm 2027, nhiệm vụ 4.2",
        false,
    )
    .await;
    assert_eq!(preview.text("#them-dat"), "0");
    assert_eq!(preview.text("#bot-dat"), "1");
    assert_eq!(preview.text("#doi-ngay"), "1");
    let applied = officials_rule(
        &mut admin,
        &[&basic, &innovation],
        "Kế hoạch năm 2027, nhiệm vụ 4.2",
        true,
    )
    .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    assert_eq!(app.achieved_in(COMMUNE_B, "officials").await, 1);
    assert!(achieved_at(&app, "0987654321").await.is_none());
    assert_eq!(
        achieved_at(&app, "0912345678").await,
        Some(innovation_passed)
    );
    app.verify_ok().await;

    // Kept: the rule as it stands, the history with reasons and recounts, the audit log.
    let index = admin.get("/thong-ke/khoa-bat-buoc?da-doi=officials").await;
    assert!(index.text("[role=status]").contains("Cán bộ"));
    let officials = index.text("#bang-quy-dinh tr[data-group=officials]");
    assert!(
        officials.contains("Đổi mới sáng tạo") || officials.contains("đổi mới sáng tạo"),
        "{officials}"
    );
    let history = index.texts("#lich-su tbody tr");
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history[0].contains("Kế hoạch năm 2027") && history[0].contains("bớt 1 người đạt"));
    assert!(
        history[1].contains("Quyết định 12/QĐ-UBND") && history[1].contains("thêm 1 người đạt")
    );
    let audit = admin.get("/thong-ke/nhat-ky").await;
    assert!(audit.body.contains("Đổi khóa học bắt buộc của một nhóm"));
    // The catalogue follows at once: an official is now offered the innovation course.
    let catalogue = lan.get("/hoc?nhom=officials").await;
    assert!(catalogue.body.contains(INNOVATION), "{}", catalogue.body);
}

test_both!(a_changed_rule_is_previewed_applied_recounted_and_kept);

/// The preview reads on a reader: it answers while another transaction holds the writer (on
/// SQLite the one write connection), where it once wrote the rule, recounted and rolled back.
async fn a_rule_preview_does_not_wait_for_the_writer(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let basic = course_id(&app, BASIC);
    let held = hocvuso_db::TransactionTrait::begin(app.state.db.write())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let preview = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        officials_rule(&mut admin, &[&basic], "Xem trước", false),
    )
    .await
    .unwrap_or_else(|_| panic!("the preview waited for the writer"));
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.text("#bot-dat"), "0");
    held.rollback().await.unwrap_or_else(|e| panic!("{e}"));
}

test_both!(a_rule_preview_does_not_wait_for_the_writer);

/// Each preview counts every achievement of the group: a loop of them is stopped for the hour,
/// and nothing is kept from the refused one.
async fn a_loop_of_rule_previews_is_stopped(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let basic = course_id(&app, BASIC);
    for _ in 0..crate::services::shared::limits::REMINDER_FORMS_PER_HOUR {
        let ok = officials_rule(&mut admin, &[&basic], "Xem trước", false).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    }
    let stopped = officials_rule(&mut admin, &[&basic], "Xem trước", true).await;
    assert_eq!(stopped.status, StatusCode::TOO_MANY_REQUESTS);
    let history = crate::services::learning::requirements::history(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(history.is_empty(), "the refused change was not applied");
    app.clock.advance(chrono::Duration::hours(1));
    let again = officials_rule(&mut admin, &[&basic], "Xem trước", false).await;
    assert_eq!(again.status, StatusCode::OK);
}

test_both!(a_loop_of_rule_previews_is_stopped);

/// On a generated province, every preview says exactly what the change then does (gained,
/// lost, dated later), for rules that add a course, take one away and swap them.
async fn a_preview_says_what_the_change_does_on_a_generated_province(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let opts = crate::services::setup::demo::DemoOptions {
        people: 1500,
        seed: 11,
    };
    crate::services::setup::demo::run(&app.state, &opts, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut admin = app.browser();
    admin
        .login("0900000001", crate::services::setup::demo::DEMO_PASSWORD)
        .await;
    let (basic, ai, innovation) = (
        course_id(&app, BASIC),
        course_id(&app, AI),
        course_id(&app, INNOVATION),
    );
    let number = |page: &Page, id: &str| -> usize {
        page.text(id)
            .replace('.', "")
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{id}: {}", page.text(id)))
    };
    let changes: [(&str, Vec<&str>); 5] = [
        ("adults", vec![&basic, &ai]),
        ("adults", vec![&basic]),
        ("officials", vec![&basic]),
        ("officials", vec![&ai, &innovation]),
        ("students", vec![&basic, &innovation]),
    ];
    let mut moved = 0;
    for (i, (group, courses)) in changes.iter().enumerate() {
        app.clock.advance(chrono::Duration::days(3));
        let mut fields: Vec<(&str, &str)> = courses.iter().map(|c| ("khoa-hoc", *c)).collect();
        let reason = format!("Thay đổi {i}");
        fields.push(("ly-do", &reason));
        let path = format!("/thong-ke/khoa-bat-buoc/{group}");
        let preview = admin.post(&path, &fields).await;
        assert_eq!(
            preview.status,
            StatusCode::OK,
            "{group} {i}: {}",
            preview.body
        );
        let said = crate::services::learning::requirements::Effect {
            gained: number(&preview, "#them-dat"),
            lost: number(&preview, "#bot-dat"),
            redated: number(&preview, "#doi-ngay"),
        };
        let applied = admin.post(&format!("{path}/ap-dung"), &fields).await;
        assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
        let history = crate::services::learning::requirements::history(&app.state)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(history[0].reason, reason);
        assert_eq!(history[0].effect, said, "{group} {i}");
        moved += said.gained + said.lost + said.redated;
        app.verify_ok().await;
    }
    assert!(
        moved > 0,
        "the changes moved nobody: the test proves nothing"
    );
}

test_both!(a_preview_says_what_the_change_does_on_a_generated_province);

/// An installation made before a group had a required course (the armed forces, which this
/// version's content gives the basic course): at the next start the group gets the shipped
/// rule, the people who passed already count, and the history says why; starting again
/// changes nothing more.
async fn an_upgrade_gives_a_group_left_without_courses_its_shipped_rule(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let roster = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Mã xã,Nhóm\n\
         Đinh Văn Hùng,1990,Nam,0912345670,{COMMUNE_B},Lực lượng vũ trang\n"
    );
    admin.import_roster("r.csv", &roster).await;
    // As an older installation had it: no required course for the armed forces, and the
    // content of an earlier version seeded.
    hocvuso_db::repo::learning::set_group_courses(app.state.db.write(), "armed_forces", &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    hocvuso_db::repo::settings::set(
        app.state.db.write(),
        crate::services::setup::seed::SHIPPED_CONTENT,
        "an earlier version",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    crate::services::learning::catalog::reload(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut hung = app.learner("0912345670", COMMUNE_B).await;
    hung.pass_course(BASIC).await;
    assert_eq!(app.achieved_in(COMMUNE_B, "armed_forces").await, 0);

    // The new version starts.
    let upgraded = app.another_process().await;
    assert_eq!(upgraded.achieved_in(COMMUNE_B, "armed_forces").await, 1);
    let history = hocvuso_db::repo::learning::requirement_changes(upgraded.state.db.read(), 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let armed: Vec<_> = history
        .iter()
        .filter(|c| c.group_code == "armed_forces")
        .collect();
    assert_eq!(armed.len(), 1, "{history:?}");
    assert_eq!(armed[0].courses_after, BASIC);
    assert_eq!(armed[0].gained, 1);
    assert_eq!(
        armed[0].reason,
        crate::services::setup::seed::UPGRADE_RULE_REASON
    );
    upgraded.verify_ok().await;

    // Starting again: nothing more.
    let again = app.another_process().await;
    let history = hocvuso_db::repo::learning::requirement_changes(again.state.db.read(), 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        history
            .iter()
            .filter(|c| c.group_code == "armed_forces")
            .count(),
        1
    );
    // The page of the rules shows it to the province.
    let page = admin.get("/thong-ke/khoa-bat-buoc").await;
    assert!(
        page.body.contains("Nâng cấp phiên bản"),
        "the history shows the upgrade's change"
    );
}

test_both!(an_upgrade_gives_a_group_left_without_courses_its_shipped_rule);
