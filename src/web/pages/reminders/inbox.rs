//! /thong-bao: a person's notifications (the reminders sent to them) and their choice to
//! receive none (`services::reminders::inbox`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::reminders::inbox::{self, Inbox};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};

#[derive(Template)]
#[template(path = "reminders/inbox/index.html")]
pub struct InboxPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub inbox: Inbox,
    /// No text messages at night (`[sms] quiet_hours`).
    pub quiet_hours: bool,
}

impl InboxPage {
    pub fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::clock::format_date_time(*t)
    }
}

#[derive(Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    xong: String,
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let page = InboxPage {
        l: ctx.chrome("Thông báo"),
        done: match q.xong.as_str() {
            "da-tat" => Some("Đã tắt lời nhắc học tập. Bạn có thể bật lại bất cứ lúc nào."),
            "da-bat" => Some("Đã bật lại lời nhắc học tập."),
            _ => None,
        },
        inbox: inbox::open(&state, user.person_id).await?,
        quiet_hours: state.config.sms_quiet_hours,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Default, Deserialize)]
pub struct ChoiceForm {
    /// "1": receive reminders; "0": none.
    #[serde(default)]
    nhan: String,
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
    let out = match f.nhan.as_str() {
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
