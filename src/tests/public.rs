//! Public routes: home, health, static files, unknown paths, and the headers every page has.

use axum::http::{header, StatusCode};
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::TestApp;

async fn health_home_and_headers(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut br = app.browser();
    let health = br.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    let home = br.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.attrs("html", "lang"), vec!["vi".to_owned()]);
    let csp = home
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(
        home.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let cookie = home
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        cookie.starts_with("hv_csrf=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let css = br.get("/static/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("font-family"));
    let missing = br.get("/khong-co-trang-nay").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.text("h1"), "Không tìm thấy trang");
}

async fn health_fails_when_the_database_is_gone(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    app.state.db.clone().close().await;
    let mut br = app.browser();
    assert_eq!(
        br.get("/healthz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

test_both!(
    health_home_and_headers,
    health_fails_when_the_database_is_gone
);
