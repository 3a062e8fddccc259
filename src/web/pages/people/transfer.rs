//! /danh-sach/chuyen: asking for a person of another unit to move into yours, and deciding what
//! others asked about your people (`services::people::transfers`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::people::transfers::{self, Asked, Incoming, Outgoing};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::DoneQuery;
use crate::web::pages::{group_options, Choice, Errors};

#[derive(Template)]
#[template(path = "people/transfer/transfers.html")]
pub struct TransfersPage {
    pub l: Chrome,
    pub errors: Errors,
    pub key: String,
    pub groups: Vec<Choice>,
    /// A fixed message after a step (`?xong=` codes only, never text from the address).
    pub done: Option<&'static str>,
    pub is_officer: bool,
    pub incoming: Vec<Incoming>,
    pub outgoing: Vec<Outgoing>,
}

/// What `?xong=` says after each form of this page.
const DONE: &[(&str, &str)] = &[
    ("da-gui", "Đã gửi đề nghị. Nếu người này thuộc đơn vị khác, cán bộ đơn vị đó hoặc cấp tỉnh sẽ xem xét; khi được đồng ý, hãy nhập lại danh sách."),
    ("da-co", "Người này đã thuộc đơn vị của bạn trong nhóm đó: hãy nhập danh sách như thường lệ."),
    ("da-dong-y", "Đã đồng ý chuyển người này."),
    ("da-tu-choi", "Đã từ chối đề nghị."),
];

async fn page(
    state: &AppState,
    ctx: &Ctx,
    errors: Errors,
    key: String,
    done: Option<&'static str>,
) -> Result<TransfersPage, WebError> {
    let user = ctx.user()?;
    Ok(TransfersPage {
        l: ctx.chrome("Chuyển người giữa các đơn vị"),
        errors,
        key,
        groups: group_options(hocvuso_domain::TargetGroup::Adults),
        done,
        is_officer: user.officer_units().next().is_some(),
        incoming: transfers::incoming(state, user).await?,
        outgoing: transfers::outgoing(state, user).await?,
    })
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let p = page(
        &state,
        &ctx,
        Errors::default(),
        String::new(),
        q.message(DONE),
    )
    .await?;
    Ok(render(&ctx, StatusCode::OK, &p))
}

#[derive(Default, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    key: String,
    #[serde(default, rename = "nhom")]
    group: String,
}

pub async fn ask(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<AskForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(group) = hocvuso_domain::TargetGroup::from_code(&f.group) else {
        let mut errors = Errors::default();
        errors.push("nhom", "Hãy chọn nhóm đối tượng.");
        let p = page(&state, &ctx, errors, f.key, None).await?;
        return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &p));
    };
    match transfers::ask(&state, user, f.key.trim(), group).await? {
        Asked::Sent => Ok(see_other("/danh-sach/chuyen?xong=da-gui")),
        Asked::AlreadyYours => Ok(see_other("/danh-sach/chuyen?xong=da-co")),
        Asked::BadKey(message) => {
            let mut errors = Errors::default();
            errors.push("key", message);
            let p = page(&state, &ctx, errors, f.key, None).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
    }
}

#[derive(Default, Deserialize)]
pub struct DecideForm {
    #[serde(default, rename = "quyet")]
    decision: String,
    #[serde(default, rename = "ghi_chu")]
    note: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm { data: f, .. }: CsrfForm<DecideForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let approve = match f.decision.as_str() {
        "dong-y" => true,
        "tu-choi" => false,
        _ => return Err(WebError::BadRequest("quyet".into())),
    };
    if !transfers::decide(&state, user, id, approve, &f.note).await? {
        return Err(WebError::Forbidden);
    }
    Ok(see_other(if approve {
        "/danh-sach/chuyen?xong=da-dong-y"
    } else {
        "/danh-sach/chuyen?xong=da-tu-choi"
    }))
}
