//! Issue 16, items 6, 7, 9 and 10: addresses come from configuration, banners from a fixed
//! list, stored files are streamed a part at a time and never compressed, connections cannot
//! be held open, and an `https` site marks cookies `Secure` and sends HSTS.

use std::time::Duration;

use axum::http::StatusCode;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::util::TestApp;

/// QR codes, the print page and the handbook PDF never carry the request's `Host`.
async fn the_site_address_comes_from_configuration(b: TestBackend) {
    let Some(app) = TestApp::with_config(b, |c| {
        c.public_url = Some("https://hocvuso.lamdong.gov.vn".into());
    })
    .await
    else {
        return;
    };
    let mut anyone = app.browser();
    let evil = [("host", "evil.example")];
    let (status, _, print) = anyone.get_with("/so-tay/cai-dat-vneid/in", &evil).await;
    assert_eq!(status, StatusCode::OK);
    let print = String::from_utf8_lossy(&print);
    assert!(print.contains("https://hocvuso.lamdong.gov.vn/so-tay/cai-dat-vneid"));
    assert!(!print.contains("evil.example"));

    // Without a public address (development on loopback): the listen address, still never
    // the Host header.
    let Some(dev) = TestApp::new(b).await else {
        return;
    };
    let mut anyone = dev.browser();
    let (_, _, print) = anyone.get_with("/so-tay/cai-dat-vneid/in", &evil).await;
    let print = String::from_utf8_lossy(&print);
    assert!(print.contains("http://127.0.0.1:8080/so-tay/cai-dat-vneid"));
    assert!(!print.contains("evil.example"));
}

/// `https` public address: cookies `Secure`, HSTS on every answer; plain `http`: neither.
async fn https_sites_mark_cookies_secure_and_send_hsts(b: TestBackend) {
    let Some(app) = TestApp::with_config(b, |c| {
        c.public_url = Some("https://hocvuso.lamdong.gov.vn".into());
    })
    .await
    else {
        return;
    };
    let mut br = app.browser();
    let page = br.get("/dang-nhap").await;
    assert_eq!(
        page.headers
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
    let cookies: Vec<&str> = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(!cookies.is_empty());
    assert!(
        cookies.iter().all(|c| c.contains("; Secure")),
        "{cookies:?}"
    );

    let Some(plain) = TestApp::new(b).await else {
        return;
    };
    let page = plain.browser().get("/dang-nhap").await;
    assert!(page.headers.get("strict-transport-security").is_none());
    assert!(page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .all(|c| !c.contains("Secure")));
}

/// `?xong=` and `?da-nhap=` cannot put words on a page.
async fn banners_come_from_a_fixed_list(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let lure = "Tài khoản bị khoá, gọi 0999999999";
    let q = form_urlencoded::byte_serialize(lure.as_bytes()).collect::<String>();
    let page = admin.get(&format!("/to-chuc/68?xong={q}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("0999999999"));
    assert!(!page.has("#xong"));
    let page = admin.get("/to-chuc/68?xong=doi-ten").await;
    assert_eq!(page.text("#xong"), "Đã đổi tên.");

    let page = admin
        .get(&format!("/thong-ke/vneid?nhom=adults&da-nhap={q}"))
        .await;
    assert!(!page.body.contains("0999999999"), "{}", page.body);
    let page = admin
        .get("/thong-ke/vneid?nhom=adults&da-nhap=01/12/2026")
        .await;
    assert!(page.body.contains("Đã nhập số liệu ngày 01/12/2026"));
}

/// A fake MP4 of `len` bytes.
fn video(len: usize) -> Vec<u8> {
    [&[0u8, 0, 0, 0x18][..], b"ftypisom"]
        .concat()
        .into_iter()
        .chain((0..len - 12).map(|i| (i % 251) as u8))
        .collect()
}

/// A video of 1.2 MB is stored in parts of 256 KB and sent a part at a time: whole, by ranges
/// across parts, never gzipped; `/anh/` serves images only; with every stream slot taken the
/// answer is "busy", not more memory.
async fn stored_files_are_streamed_in_parts(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut author = app.staff("0912000017", Role::Author, "68").await;
    let video = video(1_200_000);
    let token = author.csrf().await;
    let ok = author
        .post_file(
            "/bien-tap/phuong-tien",
            &[("csrf_token", &token), ("av_alt", "Hướng dẫn quét mã QR")],
            "av_file",
            "Quét mã QR.mp4",
            &video,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let line = author.get(ok.location()).await.text("#dong-chep");
    let name = line
        .split("/phuong-tien/")
        .nth(1)
        .and_then(|r| r.split([' ', ')']).next())
        .unwrap_or_default()
        .to_owned();
    let stored = hocvuso_db::repo::handbook::media_by_name(app.state.db.read(), &name)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("{name} stored"));
    assert_eq!(stored.size, 1_200_000);
    let parts = hocvuso_db::repo::handbook::media_part(app.state.db.read(), stored.id, 4)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        parts.len(),
        1_200_000 - 4 * 256 * 1024,
        "the fifth and last part"
    );

    let mut anyone = app.browser();
    let path = format!("/phuong-tien/{name}");
    let (status, headers, whole) = anyone.get_with(&path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers.get("content-encoding").is_none(),
        "never compressed"
    );
    assert_eq!(
        headers.get("content-length").and_then(|v| v.to_str().ok()),
        Some("1200000")
    );
    assert!(whole == video, "the whole file, byte for byte");
    let (status, _, part) = anyone.get_range(&path, Some("bytes=262000-786500")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert!(
        part == video[262_000..=786_500],
        "a range across three parts"
    );

    let (status, _, _) = anyone.get_range(&format!("/anh/{name}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "/anh/ serves images only");

    // A picture (SVG is text) is compressed when asked: the streamed parts end cleanly.
    let (status, headers, svg) = anyone
        .get_with(
            "/anh/cai-dat-vneid-cac-buoc.svg",
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    assert!(svg.len() > 100, "a gzipped picture, not an empty body");

    let all = app
        .state
        .limits
        .media_streams
        .clone()
        .acquire_many_owned(crate::services::shared::limits::MEDIA_STREAMS as u32)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, headers, _) = anyone.get_range(&path, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(headers.get("retry-after").is_some());
    drop(all);
    let (status, _, _) = anyone.get_range(&path, Some("bytes=0-9")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
}

/// Handbook pages may be kept for reading offline only when nobody is logged in; the service
/// worker keeps nothing marked `no-store`.
async fn only_anonymous_handbook_pages_are_kept(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let cache = |p: &super::util::Page| {
        p.headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let anonymous = app.browser().get("/so-tay/cai-dat-vneid").await;
    assert_eq!(cache(&anonymous), "private, no-cache");
    let mut learner = app.learner("0944444444", super::util::COMMUNE_A).await;
    let named = learner.get("/so-tay/cai-dat-vneid").await;
    assert_eq!(cache(&named), "no-store");
    let (_, _, sw) = learner.get_with("/sw.js", &[]).await;
    assert!(String::from_utf8_lossy(&sw).contains("!/no-store/i.test(rule)"));
}

test_both!(
    only_anonymous_handbook_pages_are_kept,
    the_site_address_comes_from_configuration,
    https_sites_mark_cookies_secure_and_send_hsts,
    banners_come_from_a_fixed_list,
    stored_files_are_streamed_in_parts,
);

// The accept loop, over real sockets (no database needed).

async fn start(limits: crate::web::serve::ServeLimits) -> std::net::SocketAddr {
    use axum::extract::ConnectInfo;
    let app =
        axum::Router::new().route(
            "/",
            axum::routing::get(
                |ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>| async move {
                    peer.ip().to_string()
                },
            ),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(crate::web::serve::serve(
        listener,
        app,
        limits,
        std::future::pending(),
    ));
    addr
}

async fn ask(conn: &mut tokio::net::TcpStream) -> String {
    let _ = conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let mut buf = vec![0u8; 1024];
    let n = conn.read(&mut buf).await.unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// A client that sends half a request is cut off after the header time; requests carry the
/// peer address (rate limits depend on it).
#[tokio::test]
async fn half_sent_requests_are_closed() {
    let addr = start(crate::web::serve::ServeLimits {
        header: Duration::from_millis(500),
        ..Default::default()
    })
    .await;
    let mut full = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = ask(&mut full).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("127.0.0.1"), "the peer address: {answer}");

    let mut slow = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: ").await;
    let mut buf = [0u8; 256];
    // Within a generous bound (10 s) the server closes it (the limit is 0.5 s).
    let read = tokio::time::timeout(Duration::from_secs(10), slow.read(&mut buf)).await;
    assert!(read.is_ok(), "a half-sent request is still open after 10 s");

    // An idle kept-alive connection is closed too.
    let read = tokio::time::timeout(Duration::from_secs(10), full.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "an idle connection is still open"
    );
}

/// Past the connection cap, a new connection waits until one closes.
#[tokio::test]
async fn connections_are_capped() {
    let addr = start(crate::web::serve::ServeLimits {
        connections: 2,
        header: Duration::from_secs(30),
        ..Default::default()
    })
    .await;
    let connect = || async {
        tokio::net::TcpStream::connect(addr)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let mut first = connect().await;
    let mut second = connect().await;
    assert!(ask(&mut first).await.starts_with("HTTP/1.1 200"));
    assert!(ask(&mut second).await.starts_with("HTTP/1.1 200"));
    let mut third = connect().await;
    let _ = third.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let mut buf = vec![0u8; 1024];
    let waited = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf)).await;
    assert!(
        waited.is_err(),
        "a third connection is served beyond a cap of 2"
    );
    drop(first);
    let n = tokio::time::timeout(Duration::from_secs(10), third.read(&mut buf))
        .await
        .unwrap_or_else(|_| panic!("the third is served once one closes"))
        .unwrap_or(0);
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
}
