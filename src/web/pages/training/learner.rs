//! /lop-hoc and /diem-danh: the classes a learner may join, their place in them, and checking in
//! at a session with the code on the trainer's screen (`services::training::classes`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::training::attendance::{self, CheckIn};
use crate::services::training::classes::ClassLine;
use crate::services::training::places::{self, Taken};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::DoneQuery;
use crate::web::pages::Errors;

#[derive(Template)]
#[template(path = "training/learner/classes.html")]
pub struct ClassesPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub classes: Vec<ClassLine>,
}

#[derive(Template)]
#[template(path = "training/learner/check_in.html")]
pub struct CheckInPage {
    pub l: Chrome,
    pub errors: Errors,
    pub code: String,
    /// After a check-in: what it came to.
    pub present: Option<String>,
}

/// What `?xong=` says after each form of this page.
const DONE: &[(&str, &str)] = &[
    ("da-dang-ky", "Đã đăng ký. Hãy đến đúng giờ; khi học, quét mã QR trên màn hình của giảng viên để điểm danh."),
    ("danh-sach-cho", "Lớp đã đủ chỗ: bạn ở trong danh sách chờ. Khi có người hủy, bạn được vào lớp."),
    ("da-co", "Bạn đã đăng ký lớp này rồi."),
    ("da-huy", "Đã hủy đăng ký."),
];

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let page = ClassesPage {
        l: ctx.chrome("Lớp học"),
        done: q.message(DONE),
        classes: places::open_to(&state, user).await?,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// Registering and cancelling places count against the person's limit of the hour.
fn limit_places(
    state: &AppState,
    user: &crate::services::accounts::sign_in::SessionUser,
) -> Result<(), WebError> {
    state
        .limits
        .place_person
        .check(&user.person_id.to_string(), state.clock.now())
        .map_err(WebError::TooMany)
}

pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    _form: CsrfForm<crate::web::pages::accounts::sign_in::Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    limit_places(&state, user)?;
    let done = match places::register(&state, user, id).await? {
        Taken::Registered => "da-dang-ky",
        Taken::Waiting => "danh-sach-cho",
        Taken::Already => "da-co",
        Taken::NotOpen => return Err(WebError::NotFound),
    };
    Ok(see_other(&format!("/lop-hoc?xong={done}")))
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    _form: CsrfForm<crate::web::pages::accounts::sign_in::Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    limit_places(&state, user)?;
    if !places::cancel(&state, user, id).await? {
        return Err(WebError::NotFound);
    }
    Ok(see_other("/lop-hoc?xong=da-huy"))
}

#[derive(Default, Deserialize)]
pub struct CodeQuery {
    #[serde(default, rename = "ma")]
    code: String,
}

/// The check-in form; a scanned QR code opens it with the code filled in (nothing is marked
/// until the learner presses the button).
pub async fn check_in_form(ctx: Ctx, Query(q): Query<CodeQuery>) -> Result<Response, WebError> {
    let page = CheckInPage {
        l: ctx.chrome("Điểm danh lớp học"),
        errors: Errors::default(),
        code: q.code.chars().take(20).collect(),
        present: None,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: q, .. }: CsrfForm<CodeQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let typed: String = q.code.chars().take(20).collect();
    let mut errors = Errors::default();
    let present = match attendance::check_in(&state, user, &typed).await? {
        CheckIn::Present { class, session } => Some(format!(
            "Đã điểm danh: bạn có mặt ở buổi học {session} của lớp “{class}”."
        )),
        CheckIn::Already { class } => Some(format!(
            "Bạn đã được điểm danh ở buổi học này của lớp “{class}” rồi."
        )),
        CheckIn::NoSession => {
            errors.push(
                "ma",
                "Bây giờ không có buổi học nào của lớp bạn đã đăng ký. Mã chỉ dùng được trong giờ học.",
            );
            None
        }
        CheckIn::Wrong => {
            errors.push(
                "ma",
                "Mã không đúng hoặc đã hết hạn (mã đổi sau 30 giây). Hãy quét hoặc gõ lại mã đang hiện trên màn hình.",
            );
            None
        }
        CheckIn::TooMany(wait) => {
            errors.push(
                "ma",
                format!("Bạn đã thử quá nhiều lần. Hãy thử lại sau {wait} giây."),
            );
            None
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CheckInPage {
        l: ctx.chrome("Điểm danh lớp học"),
        errors,
        code: if present.is_some() {
            String::new()
        } else {
            typed
        },
        present,
    };
    Ok(render(&ctx, status, &page))
}
