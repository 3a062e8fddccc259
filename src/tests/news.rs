//! /tin-tuc: an officer publishes for their commune, the province for everyone; a reader sees
//! the public items and those for them (their commune or a unit above it, their group), on
//! /tin-tuc and on their home page; pictures follow the item's readers; scheduled, expired and
//! withdrawn items are not shown; another commune's officer reaches nothing; the Atom feed has
//! the public items only; bad input writes nothing.

use axum::http::StatusCode;
use hocvuso_db::repo::news;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Browser, Page, TestApp, COMMUNE_A, COMMUNE_B};

/// A valid 12 × 8 PNG, one blue colour.
const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 12, 0, 0, 0, 8, 8, 2, 0,
    0, 0, 66, 134, 137, 166, 0, 0, 0, 17, 73, 68, 65, 84, 120, 218, 99, 144, 207, 223, 66, 16, 49,
    140, 42, 2, 0, 156, 83, 120, 193, 17, 130, 154, 180, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96,
    130,
];

/// Sends the news form (new, or `/tin-tuc/quan-ly/{id}` to edit) with a picture or none.
async fn send(br: &mut Browser<'_>, path: &str, fields: &[(&str, &str)], picture: &[u8]) -> Page {
    let token = br.csrf().await;
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    br.post_file(
        path,
        &all,
        "anh",
        if picture.is_empty() { "" } else { "anh.png" },
        picture,
    )
    .await
}

/// Publishes an item and returns its id.
async fn publish(br: &mut Browser<'_>, fields: &[(&str, &str)], picture: &[u8]) -> i64 {
    let page = send(br, "/tin-tuc/quan-ly/moi", fields, picture).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.location()
        .trim_start_matches("/tin-tuc/quan-ly/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{}", page.location()))
}

async fn items(app: &TestApp) -> u64 {
    news::count(app.state.db.read())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

const NOW: &str = "25/11/2026 09:00";

async fn readers_see_what_is_public_or_for_them(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let mut officer_a = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    let mut officer_b = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    let mut visitor = app.browser();

    // The commune's own news, for its people only, with a picture.
    let commune = publish(
        &mut officer_a,
        &[
            ("don_vi", COMMUNE_A),
            ("tieu_de", "Lớp kỹ năng số tại nhà văn hóa khu phố 3"),
            (
                "noi_dung",
                "Tối thứ Bảy, 19 giờ, Tổ công nghệ số cộng đồng hướng dẫn cài **VNeID**.\n\n<script>alert(1)</script>\n\nXem [bấm đây](javascript:alert(1)).",
            ),
            ("dang_luc", NOW),
            ("mo_ta_anh", "Tổ công nghệ số hướng dẫn người dân tại nhà văn hóa"),
        ],
        PNG,
    )
    .await;
    // The province's, public, for everyone.
    let province = publish(
        &mut admin,
        &[
            ("don_vi", "68"),
            ("tieu_de", "Phát động hội thi “Công dân số” & <giải thưởng>"),
            ("noi_dung", "Hội thi mở cho mọi người dân trong tỉnh."),
            ("cong_khai", "1"),
            ("dang_luc", NOW),
        ],
        b"",
    )
    .await;
    // The commune's, for students only: not this adult's.
    let students = publish(
        &mut officer_a,
        &[
            ("don_vi", COMMUNE_A),
            ("tieu_de", "Học sinh đăng ký thi tin học trẻ"),
            ("noi_dung", "Các em học sinh đăng ký tại trường."),
            ("nhom_students", "1"),
            ("dang_luc", NOW),
        ],
        b"",
    )
    .await;
    // Another commune's, not public.
    let other = publish(
        &mut officer_b,
        &[
            ("don_vi", COMMUNE_B),
            ("tieu_de", "Lịch trực hỗ trợ của phường Xuân Hương"),
            ("noi_dung", "Trực tại bộ phận một cửa mỗi sáng."),
            ("dang_luc", NOW),
        ],
        b"",
    )
    .await;
    // The province's, public, scheduled for tomorrow.
    let tomorrow = publish(
        &mut admin,
        &[
            ("don_vi", "68"),
            ("tieu_de", "Kết quả tuần thi thứ nhất"),
            ("noi_dung", "Danh sách đạt giải tuần thứ nhất."),
            ("cong_khai", "1"),
            ("dang_luc", "26/11/2026 08:00"),
            ("het_han", "30/11/2026"),
        ],
        b"",
    )
    .await;
    assert_eq!(items(&app).await, 5);

    // A visitor: the public item live now, nothing else.
    let list = visitor.get("/tin-tuc").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.attrs("#cac-tin li", "data-id"), [province.to_string()]);
    for id in [commune, students, other, tomorrow] {
        assert_eq!(
            visitor.get(&format!("/tin-tuc/{id}")).await.status,
            StatusCode::NOT_FOUND,
            "item {id}"
        );
    }
    assert_eq!(
        visitor
            .get_bytes(&format!("/tin-tuc/{commune}/anh"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let feed = visitor.get("/tin-tuc.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(feed.body.matches("<entry>").count(), 1, "{}", feed.body);
    assert!(feed.body.starts_with("<?xml"));
    assert!(feed
        .body
        .contains("<title>Phát động hội thi “Công dân số” &amp; &lt;giải thưởng&gt;</title>"));
    assert!(feed.body.contains(&format!("/tin-tuc/{province}</id>")));
    assert!(!feed.body.contains("khu phố 3"));

    // The learner: the province's and their commune's, on /tin-tuc and on their home page.
    let list = learner.get("/tin-tuc").await;
    // Newest first (the same minute: the later written first).
    assert_eq!(
        list.attrs("#cac-tin li", "data-id"),
        [province.to_string(), commune.to_string()]
    );
    let home = learner.get("/hoc").await;
    assert_eq!(home.status, StatusCode::OK);
    let linked = home.attrs("#tin-moi li a", "href");
    assert_eq!(
        linked,
        [
            format!("/tin-tuc/{province}"),
            format!("/tin-tuc/{commune}")
        ]
    );
    let page = learner.get(&format!("/tin-tuc/{commune}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("#tin .body").contains("cài VNeID"));
    assert!(page.body.contains("<strong>VNeID</strong>"));
    // Raw HTML in the text is shown as text; a script link goes nowhere.
    assert!(!page.body.contains("<script>alert"));
    assert!(!page.body.contains("href=\"javascript"));
    assert!(
        page.body.contains("href=\"#\""),
        "the script link goes nowhere"
    );
    assert!(!page.has("#quan-ly"), "a reader does not manage it");
    let picture = page.attrs("#tin img", "src");
    assert_eq!(picture.len(), 1);
    assert_eq!(
        page.attrs("#tin img", "alt"),
        ["Tổ công nghệ số hướng dẫn người dân tại nhà văn hóa"]
    );
    let (status, headers, bytes) = learner.get_with(&picture[0], &[]).await;
    assert_eq!(status, StatusCode::OK);
    // Drawn again on upload (nothing beside the picture is kept): still a 12 × 8 PNG.
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(&bytes[16..24], &[0, 0, 0, 12, 0, 0, 0, 8]);
    assert_eq!(page.attrs("#tin img", "width"), ["12"]);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("cache-control").starts_with("private"));
    for id in [students, other, tomorrow] {
        assert_eq!(
            learner.get(&format!("/tin-tuc/{id}")).await.status,
            StatusCode::NOT_FOUND,
            "item {id}"
        );
    }

    // Another commune's officer reaches neither the item's form nor its take-down.
    assert_eq!(
        officer_b
            .get(&format!("/tin-tuc/quan-ly/{commune}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let refused = officer_b
        .post(&format!("/tin-tuc/quan-ly/{commune}/go"), &[("go", "1")])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let edit = send(
        &mut officer_b,
        &format!("/tin-tuc/quan-ly/{commune}"),
        &[
            ("don_vi", COMMUNE_B),
            ("tieu_de", "Tin bị sửa trộm"),
            ("noi_dung", "Nội dung bị sửa trộm."),
            ("dang_luc", NOW),
        ],
        b"",
    )
    .await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);
    let desk = officer_b.get("/tin-tuc/quan-ly").await;
    assert_eq!(
        desk.attrs("#cac-tin tbody tr", "data-id"),
        [other.to_string()]
    );
    // Nor can an officer publish for a commune not theirs.
    let not_mine = send(
        &mut officer_b,
        "/tin-tuc/quan-ly/moi",
        &[
            ("don_vi", COMMUNE_A),
            ("tieu_de", "Tin của xã khác"),
            ("noi_dung", "Một nội dung đủ dài."),
            ("dang_luc", NOW),
        ],
        b"",
    )
    .await;
    assert_eq!(not_mine.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_mine.text("#don_vi-loi").contains("Hãy chọn đơn vị"));
    assert_eq!(items(&app).await, 5);

    // Taken down: gone for readers, still there for its officer; put back: shown again.
    let down = officer_a
        .post(&format!("/tin-tuc/quan-ly/{commune}/go"), &[("go", "1")])
        .await;
    assert_eq!(down.status, StatusCode::SEE_OTHER, "{}", down.body);
    assert_eq!(
        learner.get(&format!("/tin-tuc/{commune}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!learner
        .get("/hoc")
        .await
        .has(&format!("#tin-moi a[href='/tin-tuc/{commune}']")));
    let own = officer_a.get(&format!("/tin-tuc/{commune}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.text("#quan-ly").contains("Đã gỡ"));
    let back = officer_a
        .post(&format!("/tin-tuc/quan-ly/{commune}/go"), &[("go", "0")])
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(
        learner.get(&format!("/tin-tuc/{commune}")).await.status,
        StatusCode::OK
    );

    // Edited: the picture taken away, the item made public.
    let edited = send(
        &mut officer_a,
        &format!("/tin-tuc/quan-ly/{commune}"),
        &[
            ("don_vi", COMMUNE_A),
            (
                "tieu_de",
                "Lớp kỹ năng số tại nhà văn hóa khu phố 3 (đổi giờ)",
            ),
            ("noi_dung", "Tối thứ Bảy, 19 giờ 30."),
            ("cong_khai", "1"),
            ("dang_luc", NOW),
            ("xoa_anh", "1"),
        ],
        b"",
    )
    .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    let page = visitor.get(&format!("/tin-tuc/{commune}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("h1").contains("đổi giờ"));
    assert!(!page.has("#tin img"));
    assert_eq!(
        visitor
            .get_bytes(&format!("/tin-tuc/{commune}/anh"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // Tomorrow the scheduled item shows; after its last day it is gone.
    app.clock.advance(chrono::Duration::days(1));
    let mut visitor = app.browser();
    let list = visitor.get("/tin-tuc").await;
    assert_eq!(
        list.attrs("#cac-tin li", "data-id")[0],
        tomorrow.to_string()
    );
    app.clock.advance(chrono::Duration::days(5));
    let list = visitor.get("/tin-tuc").await;
    assert!(!list
        .attrs("#cac-tin li", "data-id")
        .contains(&tomorrow.to_string()));
    let feed = visitor.get("/tin-tuc.atom").await;
    assert_eq!(feed.body.matches("<entry>").count(), 2, "{}", feed.body);

    // Every change is in the audit log.
    let audit = admin.get("/thong-ke/nhat-ky").await;
    assert!(audit.body.contains("Đăng tin"));
    assert!(audit.body.contains("Gỡ tin"));
}

test_both!(readers_see_what_is_public_or_for_them);

async fn bad_news_gets_clear_messages_and_writes_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await;
    let form = officer.get("/tin-tuc/quan-ly/moi").await;
    assert_eq!(form.status, StatusCode::OK);
    // One unit to publish for: already chosen; now is the default time.
    assert_eq!(form.attrs("#don_vi option[selected]", "value"), [COMMUNE_A]);
    assert_eq!(form.attrs("#dang_luc", "value"), ["25/11/2026 10:00"]);

    let bad = send(
        &mut officer,
        "/tin-tuc/quan-ly/moi",
        &[
            ("don_vi", COMMUNE_A),
            ("tieu_de", "Tin"),
            ("noi_dung", "Ngắn"),
            ("nhom_khong-co", "1"),
            ("dang_luc", "mai"),
            ("het_han", "31/02/2026"),
        ],
        b"<html><script>alert(1)</script>",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.texts(".error-summary li").len(), 6, "{}", bad.body);
    assert!(bad.text("#anh-loi").contains("PNG, JPEG hoặc WebP"));
    assert!(bad.text("#dang_luc-loi").contains("05/12/2026 08:00"));
    // What was typed comes back.
    assert_eq!(bad.attrs("#tieu_de", "value"), ["Tin"]);

    let no_alt = send(
        &mut officer,
        "/tin-tuc/quan-ly/moi",
        &[
            ("don_vi", COMMUNE_A),
            ("tieu_de", "Ảnh lớp học hôm qua"),
            ("noi_dung", "Ảnh lớp học tại nhà văn hóa."),
            ("dang_luc", NOW),
            ("het_han", "20/11/2026"),
        ],
        PNG,
    )
    .await;
    assert_eq!(no_alt.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_alt.text("#mo_ta_anh-loi").contains("tả ngắn bức ảnh"));
    assert!(no_alt.text("#het_han-loi").contains("sau thời điểm đăng"));
    let far = send(
        &mut officer,
        "/tin-tuc/quan-ly/moi",
        &[
            ("don_vi", COMMUNE_A),
            ("tieu_de", "Tin hẹn quá xa"),
            ("noi_dung", "Một nội dung đủ dài."),
            ("dang_luc", "01/01/2029 08:00"),
        ],
        b"",
    )
    .await;
    assert_eq!(far.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(far.text("#dang_luc-loi").contains("một năm"));
    assert_eq!(items(&app).await, 0, "nothing was written");
    // Years no one means (and whose arithmetic would overflow), a control character pasted
    // into the title: messages, not a failure.
    let odd = send(
        &mut officer,
        "/tin-tuc/quan-ly/moi",
        &[
            ("don_vi", COMMUNE_A),
            ("tieu_de", "Tin có ký tự lạ \u{7}"),
            ("noi_dung", "Một nội dung đủ dài \u{1b}[31m."),
            ("dang_luc", "01/01/-262143 00:00"),
            ("het_han", "31/12/+262142"),
        ],
        b"",
    )
    .await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", odd.body);
    assert_eq!(odd.texts(".error-summary li").len(), 4, "{}", odd.body);
    assert!(odd.text("#tieu_de-loi").contains("ký tự điều khiển"));
    assert_eq!(items(&app).await, 0, "nothing was written");

    // An item published long ago can still be corrected, its time kept.
    let old = publish(
        &mut officer,
        &[
            ("don_vi", COMMUNE_A),
            ("tieu_de", "Lịch trực hỗ trợ năm 2026"),
            ("noi_dung", "Trực tại nhà văn hóa mỗi sáng thứ Bảy."),
            ("dang_luc", NOW),
        ],
        b"",
    )
    .await;
    app.clock.advance(chrono::Duration::days(400));
    let mut officer = app.staff("0900000016", Role::UnitOfficer, COMMUNE_A).await;
    let fixed = send(
        &mut officer,
        &format!("/tin-tuc/quan-ly/{old}"),
        &[
            ("don_vi", COMMUNE_A),
            ("tieu_de", "Lịch trực hỗ trợ năm 2026 (đã sửa)"),
            ("noi_dung", "Trực tại nhà văn hóa mỗi sáng thứ Bảy."),
            ("dang_luc", NOW),
        ],
        b"",
    )
    .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.body);
    let form = officer.get(&format!("/tin-tuc/quan-ly/{old}")).await;
    assert_eq!(form.attrs("#dang_luc", "value"), [NOW]);
    // A new time that far back is still refused.
    let moved = send(
        &mut officer,
        &format!("/tin-tuc/quan-ly/{old}"),
        &[
            ("don_vi", COMMUNE_A),
            ("tieu_de", "Lịch trực hỗ trợ năm 2026 (đã sửa)"),
            ("noi_dung", "Trực tại nhà văn hóa mỗi sáng thứ Bảy."),
            ("dang_luc", "24/11/2026 09:00"),
        ],
        b"",
    )
    .await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Pages past the end and ids that are not numbers are simply not there.
    let mut visitor = app.browser();
    assert_eq!(
        visitor.get("/tin-tuc/abc").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        visitor.get("/tin-tuc?trang=1001").await.status,
        StatusCode::NOT_FOUND
    );
    let empty = visitor.get("/tin-tuc?trang=x").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.has("#chua-co"));
}

test_both!(bad_news_gets_clear_messages_and_writes_nothing);
