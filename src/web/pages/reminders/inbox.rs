//! /thong-bao: a person's notifications (the reminders sent to them), their choice to
//! receive none, and the address to receive them by email (`services::reminders::inbox`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::reminders::inbox::{self, Inbox};
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::DoneQuery;
use crate::web::pages::Errors;

#[derive(Template)]
#[template(path = "reminders/inbox/index.html")]
pub struct InboxPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub inbox: Inbox,
    /// The email typed, shown again with its error.
    pub email_typed: String,
    pub errors: Errors,
    /// No text messages at night (`[sms] quiet_hours`).
    pub quiet_hours: bool,
}

impl InboxPage {
    pub fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::clock::format_date_time(*t)
    }
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let done = match q.done.as_str() {
        "da-tat" => Some("Đã tắt lời nhắc học tập. Bạn có thể bật lại bất cứ lúc nào."),
        "da-bat" => Some("Đã bật lại lời nhắc học tập."),
        "da-luu-thu" => Some("Đã lưu: từ nay lời nhắc được gửi tới thư điện tử của bạn."),
        "da-bo-thu" => Some("Đã bỏ địa chỉ thư: lời nhắc lại được gửi bằng tin nhắn."),
        _ => None,
    };
    page(
        &state,
        &ctx,
        user.person_id,
        done,
        String::new(),
        Errors::default(),
    )
    .await
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    person_id: i64,
    done: Option<&'static str>,
    email_typed: String,
    errors: Errors,
) -> Result<Response, WebError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = InboxPage {
        l: ctx.chrome("Thông báo"),
        done,
        inbox: inbox::open(state, person_id).await?,
        email_typed,
        errors,
        quiet_hours: state.config.sms_quiet_hours,
    };
    Ok(render(ctx, status, &page))
}

#[derive(Default, Deserialize)]
pub struct EmailForm {
    /// The address; empty with `bo=1` to remove it.
    #[serde(default, rename = "thu")]
    email: String,
    #[serde(default, rename = "bo")]
    remove: String,
}

/// POST /thong-bao/thu-dien-tu: reminders by email to this address, or (`bo=1`) by text
/// message again.
pub async fn email(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<EmailForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    state
        .limits
        .reminder_person
        .check(&format!("thu-{}", user.person_id), state.clock.now())
        .map_err(WebError::TooMany)?;
    let remove = f.remove == "1";
    let typed: String = f.email.chars().take(MAX_TYPED).collect();
    let given = (!remove).then_some(typed.as_str());
    match inbox::set_email(&state, user.person_id, given).await {
        Ok(()) => Ok(see_other(if remove {
            "/thong-bao?xong=da-bo-thu"
        } else {
            "/thong-bao?xong=da-luu-thu"
        })),
        Err(FormError::Invalid(errors)) => {
            page(&state, &ctx, user.person_id, None, typed, errors.into()).await
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

/// The most of a typed address shown again (longer ones are refused anyway).
const MAX_TYPED: usize = 300;

#[derive(Default, Deserialize)]
pub struct ChoiceForm {
    /// "1": receive reminders; "0": none.
    #[serde(default, rename = "nhan")]
    receive: String,
}

pub async fn choose(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<ChoiceForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    state
        .limits
        .reminder_person
        .check(&format!("nhan-{}", user.person_id), state.clock.now())
        .map_err(WebError::TooMany)?;
    let out = match f.receive.as_str() {
        "0" => true,
        "1" => false,
        _ => return Err(WebError::BadRequest("Lựa chọn không hợp lệ.".to_owned())),
    };
    inbox::set_opt_out(&state, user.person_id, out).await?;
    Ok(see_other(if out {
        "/thong-bao?xong=da-tat"
    } else {
        "/thong-bao?xong=da-bat"
    }))
}
