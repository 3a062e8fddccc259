//! The public certificate verify page (no login): anyone holding the code or the QR link can
//! check that a certificate is real. The name is partly masked.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::clock::format_date;
use crate::services::learning;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::Ctx;
use crate::web::page::{render, see_other, Chrome};

#[derive(Template)]
#[template(path = "certificate/verify.html")]
pub struct VerifyPage {
    pub l: Chrome,
    pub code: String,
    pub masked_name: String,
    pub course_title: String,
    pub issued_on: String,
    pub issuer: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "certificate/lookup.html")]
pub struct LookupPage {
    pub l: Chrome,
    pub code: String,
    pub not_found: bool,
}

#[derive(Default, Deserialize)]
pub struct LookupQuery {
    #[serde(default)]
    ma: String,
}

/// Codes are typed by people: ignore spaces, dashes and case.
fn clean_code(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub async fn lookup(ctx: Ctx, Query(q): Query<LookupQuery>) -> Response {
    let code = clean_code(&q.ma);
    if !code.is_empty() {
        return see_other(&format!("/chung-nhan/{code}"));
    }
    let page = LookupPage {
        l: ctx.chrome("Kiểm tra chứng nhận"),
        code: String::new(),
        not_found: false,
    };
    render(&ctx, StatusCode::OK, &page)
}

pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let code = clean_code(&code);
    match learning::public_certificate(&state, &code).await? {
        Some(c) => {
            let page = VerifyPage {
                l: ctx.chrome("Chứng nhận hoàn thành khóa học"),
                code: c.code,
                masked_name: c.masked_name,
                course_title: c.course_title,
                issued_on: format_date(c.issued_at),
                issuer: state.config.issuer.clone(),
                revoked: c.revoked,
            };
            Ok(render(&ctx, StatusCode::OK, &page))
        }
        None => {
            let page = LookupPage {
                l: ctx.chrome("Không tìm thấy chứng nhận"),
                code,
                not_found: true,
            };
            Ok(render(&ctx, StatusCode::NOT_FOUND, &page))
        }
    }
}
