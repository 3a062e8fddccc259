//! One error type for every handler. Each variant becomes a plain Vietnamese error page with
//! the right status (or a redirect to the login page); internal failures are logged, never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::page::{security_headers, see_other, Chrome};
use crate::services::Internal;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not logged in; go to the login page and come back to this path.
    #[error("login required")]
    LoginRequired { back_to: String },
    /// The user's password is a temporary one: they go to its change first.
    #[error("a temporary password must be changed first")]
    PasswordChangeRequired,
    /// A form arrived without a valid CSRF token.
    #[error("bad csrf token")]
    Csrf,
    /// A request that is not a page form (e.g. a malformed body): logged, and the visitor sees
    /// a general message.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A request refused for a reason the visitor can act on (a file too large, a dry run that
    /// is no longer waiting, …): 400 with this message, written in Vietnamese for them.
    #[error("refused: {0}")]
    Refused(String),
    /// Too many tries from this client or for this phone number: wait this many seconds.
    #[error("too many requests, retry after {0} s")]
    TooMany(u64),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<hocvuso_db::DbErr> for WebError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        WebError::Internal(e.into())
    }
}

#[derive(Template)]
#[template(path = "error/error.html")]
struct ErrorPage<'a> {
    l: Chrome,
    message: &'a str,
}

pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let l = Chrome {
        title: title.to_owned(),
        user_name: None,
        is_staff: false,
        is_helper: false,
        is_author: false,
        show_account_links: false,
        unread: 0,
        csrf: String::new(),
        nonce: String::new(),
    };
    let body = ErrorPage { l, message }
        .render()
        .unwrap_or_else(|_| message.to_owned());
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    security_headers(h, "none");
    res
}

/// Percent-encodes a path for the `tiep` (next) query parameter.
fn encode(path: &str) -> String {
    form_urlencoded::byte_serialize(path.as_bytes()).collect()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::NotFound => error_page(
                StatusCode::NOT_FOUND,
                "Không tìm thấy trang",
                "Trang bạn tìm không có hoặc đã được chuyển đi. Hãy kiểm tra lại địa chỉ.",
            ),
            WebError::Forbidden => error_page(
                StatusCode::FORBIDDEN,
                "Không có quyền truy cập",
                "Tài khoản của bạn không được xem trang này. Nếu cần, hãy liên hệ cán bộ phụ trách.",
            ),
            WebError::LoginRequired { back_to } => {
                see_other(&format!("/dang-nhap?tiep={}", encode(&back_to)))
            }
            WebError::PasswordChangeRequired => see_other("/doi-mat-khau"),
            WebError::Csrf => error_page(
                StatusCode::FORBIDDEN,
                "Biểu mẫu đã hết hạn",
                "Biểu mẫu này đã hết hạn hoặc không hợp lệ. Hãy quay lại, tải lại trang rồi thử lại.",
            ),
            WebError::BadRequest(why) => {
                tracing::info!("bad request: {why}");
                error_page(
                    StatusCode::BAD_REQUEST,
                    "Yêu cầu không hợp lệ",
                    "Dữ liệu gửi lên không đúng. Hãy quay lại trang trước và thử lại.",
                )
            }
            WebError::Refused(why) => {
                error_page(StatusCode::BAD_REQUEST, "Không thực hiện được", &why)
            }
            WebError::TooMany(seconds) => {
                let mut res = error_page(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Thử lại sau ít phút",
                    &format!(
                        "Có quá nhiều lần thử từ máy này hoặc cho số điện thoại này. Hãy đợi khoảng {} rồi thử lại.",
                        wait_text(seconds)
                    ),
                );
                if let Ok(v) = axum::http::HeaderValue::from_str(&seconds.to_string()) {
                    res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
                }
                res
            }
            WebError::Internal(Internal::Busy) => {
                let mut res = error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Hệ thống đang bận",
                    "Hệ thống đang bận phục vụ nhiều người cùng lúc. Hãy đợi vài giây rồi thử lại.",
                );
                res.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("5"),
                );
                res
            }
            WebError::Internal(e) => {
                tracing::error!("internal error: {e}");
                #[cfg(test)]
                eprintln!("internal error: {e}");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Hệ thống đang gặp sự cố",
                    "Xin lỗi, hệ thống đang gặp sự cố. Dữ liệu của bạn không bị mất. Hãy thử lại sau ít phút.",
                )
            }
        }
    }
}

/// "45 giây", "3 phút".
fn wait_text(seconds: u64) -> String {
    if seconds < 60 {
        format!("{} giây", seconds.max(1))
    } else {
        format!("{} phút", seconds.div_ceil(60))
    }
}

/// The answer for any path that matches no route.
pub async fn not_found() -> WebError {
    WebError::NotFound
}
