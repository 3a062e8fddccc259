//! The one place that turns a page into a response: status, content type, cache headers, the
//! Content-Security-Policy with this response's nonce, and the CSRF cookie when it is new.

use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::extract::Ctx;

/// What every page's layout needs (title, who is logged in, the CSRF token for the logout
/// form, the CSP nonce for any inline script).
pub struct Chrome {
    pub title: String,
    pub user_name: Option<String>,
    pub is_staff: bool,
    /// A helper of the community digital technology team (a "Hỗ trợ" link in the header).
    pub is_helper: bool,
    /// May write the handbook (a "Biên tập" link in the header).
    pub is_author: bool,
    /// Whether "Đăng nhập / Đăng ký" make sense here: false on error pages, which do not know
    /// who is asking (a logged-in officer on a 403 page must not be told to log in).
    pub show_account_links: bool,
    /// New notifications of the logged-in person (a count beside "Thông báo").
    pub unread: u64,
    pub csrf: String,
    pub nonce: String,
}

/// Security headers every HTML response carries.
pub fn security_headers(headers: &mut HeaderMap, nonce: &str) {
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; media-src 'self'; worker-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        headers.insert(CONTENT_SECURITY_POLICY, v);
    }
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("same-origin"),
    );
}

/// Renders a page. Pages may hold personal data or a CSRF token, so they are never stored by
/// shared caches or the browser's back-forward cache.
pub fn render<T: Template>(ctx: &Ctx, status: StatusCode, page: &T) -> Response {
    let body = match page.render() {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("template error: {e}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Lỗi hệ thống.").into_response();
        }
    };
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    security_headers(h, &ctx.nonce);
    ctx.set_cookies(h);
    res
}

/// Renders a page anyone may read (the handbook): for someone not logged in it may be kept by
/// this browser (`private, no-cache`: the service worker keeps it for reading offline, always
/// asking the server first); for someone logged in it is `no-store` like every page, and the
/// service worker never keeps it (a shared phone must not show the last person's name).
pub fn render_readable<T: Template>(ctx: &Ctx, status: StatusCode, page: &T) -> Response {
    let mut res = render(ctx, status, page);
    if ctx.user.is_none() {
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    }
    res
}

/// `303 See Other` to a path on this site (the answer to a successful form post).
pub fn see_other(path: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(path) {
        res.headers_mut().insert(LOCATION, v);
    }
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The stylesheet, embedded in the binary.
pub const STYLE_CSS: &str = include_str!("../../static/style.css");

pub async fn style_css() -> Response {
    let mut res = STYLE_CSS.into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    res
}
