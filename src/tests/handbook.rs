//! The handbook: reading, print view and QR, images, the PDF, search quality, "was this
//! helpful?", authoring with drafts and revisions, and image uploads.

use axum::http::{header, StatusCode};
use hocvuso_db::repo::handbook as repo;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{Page, TestApp, COMMUNE_A};
use crate::clock::Clock;

fn header_of(page: &Page, name: header::HeaderName) -> &str {
    page.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn encode(q: &str) -> String {
    form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

async fn reading_printing_images_and_pdf(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.browser();
    let index = br.get("/so-tay").await;
    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(index.texts("section.chapter h2").len(), 13, "13 chapters");
    let links = index.attrs("section.chapter a", "href");
    assert!(links.len() >= 25, "{} articles listed", links.len());
    assert!(links.contains(&"/so-tay/cai-dat-vneid".to_owned()));

    let article = br.get("/so-tay/cai-dat-vneid").await;
    assert_eq!(article.status, StatusCode::OK);
    assert_eq!(article.text("h1"), "Cài đặt ứng dụng VNeID");
    // "Cập nhật ngày" is the day the content last changed (its `updated`), not the day the
    // database was made: every shipped revision carries its content's date.
    let shipped = crate::content::shipped_handbook().unwrap_or_else(|e| panic!("{e}"));
    let vneid = shipped
        .articles
        .iter()
        .find(|a| a.slug == "cai-dat-vneid")
        .unwrap_or_else(|| panic!("shipped"));
    assert!(article.text("p.hint").contains(&format!(
        "Cập nhật ngày {}",
        vneid.updated.format("%d/%m/%Y")
    )));
    let revisions = hocvuso_db::repo::handbook::published_revisions(app.state.db.read())
        .await
        .unwrap_or_default();
    assert_eq!(revisions.len(), shipped.articles.len());
    for r in &revisions {
        assert!(
            shipped
                .articles
                .iter()
                .any(
                    |a| crate::clock::start_of_vietnam_day(a.updated) == r.created_at
                        && a.front.title == r.title
                ),
            "{} is dated {} — not its content's day",
            r.title,
            r.created_at
        );
    }
    assert!(article.has("article ol li"), "numbered steps");
    let images = article.attrs("article img", "src");
    assert!(!images.is_empty(), "the guide has an illustration");
    assert_eq!(
        article.attrs("article img", "loading"),
        vec!["lazy".to_owned(); images.len()]
    );
    assert!(!article.texts("#lien-quan + ul li").is_empty(), "related");
    assert!(article.has("#danh-gia form button[value=co]"));
    assert_eq!(
        article
            .attrs("a[href='/so-tay/cai-dat-vneid/in']", "href")
            .len(),
        1
    );

    let image = br.get(&images[0]).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(header_of(&image, header::CONTENT_TYPE), "image/svg+xml");
    assert!(header_of(&image, header::CONTENT_SECURITY_POLICY).contains("sandbox"));
    assert!(image.body.contains("<svg"));

    let print = br.get("/so-tay/cai-dat-vneid/in").await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(!print.has("header.top"), "no site header on paper");
    assert_eq!(
        print.attrs("figure.qr img", "src"),
        vec!["/so-tay/cai-dat-vneid/ma-qr.svg".to_owned()]
    );
    assert!(print
        .text("figure.qr .url")
        .ends_with("/so-tay/cai-dat-vneid"));
    let qr = br.get("/so-tay/cai-dat-vneid/ma-qr.svg").await;
    assert_eq!(qr.status, StatusCode::OK);
    assert_eq!(header_of(&qr, header::CONTENT_TYPE), "image/svg+xml");
    assert!(qr.body.contains("<path"));

    let pdf = br.get("/so-tay/tai-ve.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(header_of(&pdf, header::CONTENT_TYPE), "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    assert!(pdf.body.trim_end().ends_with("%%EOF"));

    assert_eq!(
        br.get("/so-tay/khong-co-bai-nay").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        br.get("/anh/khong-co.png").await.status,
        StatusCode::NOT_FOUND
    );
    let sw = br.get("/sw.js").await;
    assert_eq!(sw.status, StatusCode::OK);
    assert!(header_of(&sw, header::CONTENT_TYPE).starts_with("text/javascript"));
    let csp = header_of(&article, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("worker-src 'self'"), "{csp}");
}

/// A fixed list of what people type and the article that must come first.
const QUERIES: &str = include_str!("search_queries.tsv");

async fn search_finds_what_people_type(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.browser();
    let mut misses = Vec::new();
    let mut count = 0;
    for line in QUERIES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (query, want) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("bad line {line:?}"));
        count += 1;
        let page = br.get(&format!("/tim-kiem?q={}", encode(query))).await;
        assert_eq!(page.status, StatusCode::OK);
        let first = page
            .attrs("ol.results li > a", "href")
            .into_iter()
            .next()
            .unwrap_or_default();
        if !want
            .split('|')
            .any(|slug| first == format!("/so-tay/{slug}"))
        {
            misses.push(format!("{query:?} → {first:?}, want {want}"));
        }
        assert!(page.has("ol.results mark"), "{query}: matches highlighted");
    }
    assert!(count >= 20, "at least 20 queries");
    assert!(misses.is_empty(), "misses:\n{}", misses.join("\n"));

    // Texts that share only a common syllable with the query are not listed.
    let qr = br
        .get(&format!("/tim-kiem?q={}", encode("thanh toan qr")))
        .await;
    let found = qr.attrs("ol.results li > a", "href");
    assert!(
        !found.contains(&"/so-tay/giu-an-toan-tai-khoan-ngan-hang".to_owned()),
        "\"an toàn\" is not \"thanh toán\": {found:?}"
    );
    // Every text listed mentions QR; the payment articles come first.
    assert!(found.len() <= 10, "{found:?}");
    assert!(
        found[..2].contains(&"/so-tay/tra-tien-dien-bang-qr".to_owned())
            && found[..3].contains(&"/so-tay/quet-ma-qr-de-tra-tien".to_owned()),
        "{found:?}"
    );

    // Courses and lessons are searched too.
    let page = br
        .get(&format!("/tim-kiem?q={}", encode("ky nang so co ban")))
        .await;
    let tags = page.texts("ol.results li span.tag");
    assert!(tags.contains(&"Khóa học".to_owned()), "{tags:?}");
    assert!(tags.contains(&"Bài học".to_owned()), "{tags:?}");

    let none = br.get("/tim-kiem?q=zzzqqq").await;
    assert!(none.text("[role=status]").contains("Không tìm thấy"));
    let empty = br.get("/tim-kiem").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(!empty.has("ol.results"));
}

async fn votes_are_counted_once_per_browser(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let counts = || async {
        let a = repo::article_by_slug(app.state.db.read(), "cai-dat-vneid")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("seeded"));
        (a.helpful_yes, a.helpful_no)
    };
    let mut reader = app.browser();
    let voted = reader
        .post("/so-tay/cai-dat-vneid/danh-gia", &[("huu_ich", "co")])
        .await;
    assert_eq!(voted.status, StatusCode::SEE_OTHER);
    assert_eq!(voted.location(), "/so-tay/cai-dat-vneid#danh-gia");
    let page = reader.get("/so-tay/cai-dat-vneid").await;
    assert_eq!(page.text("#danh-gia h2"), "Cảm ơn bạn đã cho biết ý kiến.");
    assert!(!page.has("#danh-gia form"));
    reader
        .post("/so-tay/cai-dat-vneid/danh-gia", &[("huu_ich", "co")])
        .await;
    assert_eq!(counts().await, (1, 0), "a second vote from one browser");
    let mut other = app.browser();
    other
        .post("/so-tay/cai-dat-vneid/danh-gia", &[("huu_ich", "khong")])
        .await;
    assert_eq!(counts().await, (1, 1));
    let bad = other
        .post(
            "/so-tay/tai-khoan-dinh-danh-muc-2/danh-gia",
            &[("huu_ich", "x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let forged = app
        .browser()
        .post_raw("/so-tay/cai-dat-vneid/danh-gia", &[("huu_ich", "co")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(counts().await, (1, 1));
    let missing = other
        .post("/so-tay/khong-co/danh-gia", &[("huu_ich", "co")])
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

fn article_fields<'a>(title: &'a str, body: &'a str, luu: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("chapter", "vneid"),
        ("summary", "Cách cập nhật ứng dụng VNeID lên bản mới."),
        ("keywords", "vneid, cập nhật"),
        ("related", "cai-dat-vneid"),
        ("body", body),
        ("luu", luu),
    ]
}

async fn authors_draft_publish_and_keep_revisions(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    // Only authors and the province administrator.
    let mut anonymous = app.browser();
    assert_eq!(
        anonymous.get("/bien-tap/so-tay").await.status,
        StatusCode::SEE_OTHER
    );
    let mut learner = app.learner("0912000001", COMMUNE_A).await;
    assert_eq!(
        learner.get("/bien-tap/so-tay").await.status,
        StatusCode::FORBIDDEN
    );
    let denied = learner
        .post(
            "/bien-tap/so-tay/moi",
            &article_fields("Bài lạ", "Nội dung", "xuat_ban"),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    let mut author = app.staff("0912000002", Role::Author, "68").await;
    let list = author.get("/bien-tap/so-tay").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.texts("tbody tr").len() >= 25);

    // Bad input: every error in Vietnamese, nothing stored.
    let before = repo::articles(app.state.db.read())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .len();
    let empty = author
        .post("/bien-tap/so-tay/moi", &[("luu", "xuat_ban")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = empty.texts(".error-summary li");
    assert_eq!(
        summary,
        vec![
            "Hãy nhập tiêu đề.".to_owned(),
            "Hãy chọn chương cho bài viết.".to_owned(),
            "Hãy nhập tóm tắt một, hai câu.".to_owned(),
            "Hãy viết nội dung bài.".to_owned(),
        ],
        "in form order, and no message about the optional slug"
    );
    let mut fields = article_fields("Cập nhật VNeID", "Nội dung ![a](/anh/khong-co.png)", "nhap");
    fields.push(("slug", "cai-dat-vneid"));
    fields[4] = ("related", "khong-co-bai-nay");
    let bad = author.post("/bien-tap/so-tay/moi", &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = bad.texts(".field-error").join(" | ");
    assert!(
        errors.contains("Đã có bài viết với mã \"cai-dat-vneid\""),
        "{errors}"
    );
    assert!(errors.contains("khong-co-bai-nay"), "{errors}");
    assert!(errors.contains("Chưa có ảnh: khong-co.png"), "{errors}");
    assert_eq!(
        bad.attrs("#title", "value"),
        vec!["Cập nhật VNeID".to_owned()],
        "what was typed is kept"
    );
    let after = repo::articles(app.state.db.read())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .len();
    assert_eq!(before, after);

    // A draft is not public.
    let body = "Mở cửa hàng ứng dụng.\n\n1. Tìm VNeID\n2. Chạm Cập nhật";
    let created = author
        .post(
            "/bien-tap/so-tay/moi",
            &article_fields("Cập nhật ứng dụng VNeID", body, "nhap"),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let edit_url = created
        .location()
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let id: i64 = edit_url
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{edit_url}"));
    let slug = "cap-nhat-ung-dung-vneid";
    let saved = author.get(created.location()).await;
    assert_eq!(saved.text(".notice"), "Đã lưu phiên bản 1.");
    assert!(
        saved.has("header a[href='/bien-tap/so-tay']"),
        "authors find their pages"
    );
    let mut reader = app.browser();
    assert_eq!(
        reader.get(&format!("/so-tay/{slug}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Publish (revision 2), then save a draft with a new title (revision 3).
    let published = author
        .post(
            &edit_url,
            &article_fields("Cập nhật ứng dụng VNeID", body, "xuat_ban"),
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let page = reader.get(&format!("/so-tay/{slug}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Cập nhật ứng dụng VNeID");
    author
        .post(
            &edit_url,
            &article_fields("Cách cập nhật VNeID lên bản mới", body, "nhap"),
        )
        .await;
    assert_eq!(
        reader.get(&format!("/so-tay/{slug}")).await.text("h1"),
        "Cập nhật ứng dụng VNeID",
        "readers keep the published revision while a draft is worked on"
    );
    let revisions = author
        .get(&format!("/bien-tap/so-tay/{id}/phien-ban"))
        .await;
    let rows = revisions.texts("tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.iter().all(|r| r.contains("Cán Bộ Thử")),
        "who: {rows:?}"
    );
    assert!(rows[1].contains("Đang hiển thị"), "{rows:?}");
    let shown = author
        .post(&format!("/bien-tap/so-tay/{id}/hien-thi"), &[("so", "3")])
        .await;
    assert_eq!(shown.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reader.get(&format!("/so-tay/{slug}")).await.text("h1"),
        "Cách cập nhật VNeID lên bản mới"
    );
    let found = reader
        .get(&format!(
            "/tim-kiem?q={}",
            encode("cach cap nhat vneid ban moi")
        ))
        .await;
    assert_eq!(
        found
            .attrs("ol.results li > a", "href")
            .first()
            .map(String::as_str),
        Some("/so-tay/cap-nhat-ung-dung-vneid")
    );
    let old = author
        .get(&format!("/bien-tap/so-tay/{id}/phien-ban/2"))
        .await;
    assert_eq!(old.text("h1"), "Cập nhật ứng dụng VNeID");

    // Taken down: gone for readers and from search.
    author
        .post(&format!("/bien-tap/so-tay/{id}/hien-thi"), &[("so", "")])
        .await;
    assert_eq!(
        reader.get(&format!("/so-tay/{slug}")).await.status,
        StatusCode::NOT_FOUND
    );
    let gone = reader
        .get(&format!(
            "/tim-kiem?q={}",
            encode("cach cap nhat vneid ban moi")
        ))
        .await;
    assert!(!gone
        .attrs("ol.results li > a", "href")
        .contains(&format!("/so-tay/{slug}")));
    assert_eq!(
        author
            .post(&format!("/bien-tap/so-tay/{id}/hien-thi"), &[("so", "99")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Another server process on the same database notices the change within seconds: here a
    // second app on the same database plays that process.
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
    assert!(
        other.handbook.current().by_slug(slug).is_none(),
        "taken down"
    );
    assert!(
        !crate::services::handbook::articles::refresh_if_changed(&other)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        "nothing changed since it started"
    );
    author
        .post(&format!("/bien-tap/so-tay/{id}/hien-thi"), &[("so", "3")])
        .await;
    assert!(other.handbook.current().by_slug(slug).is_none(), "not yet");
    assert!(
        crate::services::handbook::articles::refresh_if_changed(&other)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    );
    assert_eq!(
        other
            .handbook
            .current()
            .by_slug(slug)
            .map(|a| a.title.clone()),
        Some("Cách cập nhật VNeID lên bản mới".to_owned())
    );
    other.db.clone().close().await;

    // The shipped content is loaded once: a restart does not undo or duplicate anything.
    crate::services::setup::seed::ensure_seeded(&app.state.db, app.clock.now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let again = repo::articles(app.state.db.read())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.len(), before + 1);
}

/// A tiny real PNG (1×1).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

async fn image_uploads_are_checked(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut author = app.staff("0912000003", Role::Author, "68").await;
    let token = author.csrf().await;
    let ok = author
        .post_multipart(
            "/bien-tap/anh",
            &[
                ("csrf_token", &token),
                ("alt", "Nút Cập nhật trên màn hình"),
            ],
            "Cập nhật VNeID.png",
            PNG,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let name = ok
        .location()
        .split_once("?anh=")
        .map(|(_, n)| n.to_owned())
        .unwrap_or_else(|| panic!("{}", ok.location()));
    assert!(
        name.starts_with("cap-nhat-vneid-") && name.ends_with(".png"),
        "{name}"
    );
    let page = author.get(ok.location()).await;
    assert_eq!(
        page.text(".notice code"),
        format!("![Nút Cập nhật trên màn hình](/anh/{name})"),
        "the line to copy carries the description"
    );
    let image = author.get(&format!("/anh/{name}")).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(header_of(&image, header::CONTENT_TYPE), "image/png");

    let gif = author
        .post_multipart(
            "/bien-tap/anh",
            &[("csrf_token", &token), ("alt", "Ảnh động")],
            "a.gif",
            b"GIF89a\x01\x00\x01\x00",
        )
        .await;
    assert_eq!(gif.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        gif.text(".field-error"),
        "Chỉ nhận ảnh PNG, JPEG hoặc WebP."
    );
    let svg = author
        .post_multipart(
            "/bien-tap/anh",
            &[("csrf_token", &token), ("alt", "Ảnh có mã")],
            "x.svg",
            b"<svg onload=\"alert(1)\"></svg>",
        )
        .await;
    assert_eq!(svg.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_alt = author
        .post_multipart("/bien-tap/anh", &[("csrf_token", &token)], "b.png", PNG)
        .await;
    assert_eq!(no_alt.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_alt.texts(".field-error").join(" ").contains("mô tả ảnh"));
    let forged = author
        .post_multipart("/bien-tap/anh", &[("alt", "Không có mã")], "c.png", PNG)
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let mut learner = app.learner("0912000004", COMMUNE_A).await;
    let token = learner.csrf().await;
    let denied = learner
        .post_multipart(
            "/bien-tap/anh",
            &[("csrf_token", &token), ("alt", "Ảnh của người học")],
            "d.png",
            PNG,
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let stored = repo::media_list(app.state.db.read())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        stored
            .iter()
            .filter(|m| m.content_type == "image/png")
            .count(),
        1,
        "only the good upload is stored"
    );
}

test_both!(
    reading_printing_images_and_pdf,
    search_finds_what_people_type,
    votes_are_counted_once_per_browser,
    authors_draft_publish_and_keep_revisions,
    image_uploads_are_checked
);
