//! /vao-lop: a pupil signs in on a teacher's or a parent's device with the class code, their
//! name in the class list and their sign-in number (`services::accounts::class_sign_in`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::accounts::class_sign_in::{self, ClassDoor, PUPIL_SESSION_HOURS};
use crate::services::accounts::sign_in::LoginError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, Chrome};
use crate::web::pages::accounts::sign_in::logged_in_for;
use crate::web::pages::Errors;

#[derive(Template)]
#[template(path = "accounts/class_sign_in/index.html")]
pub struct DoorPage {
    pub l: Chrome,
    pub errors: Errors,
    pub typed: String,
    /// The class, once its code was found.
    pub door: Option<ClassDoor>,
    pub chosen: i64,
}

fn page(
    ctx: &Ctx,
    errors: Errors,
    typed: String,
    door: Option<ClassDoor>,
    chosen: i64,
) -> DoorPage {
    DoorPage {
        l: ctx.chrome("Vào lớp".to_owned()),
        errors,
        typed,
        door,
        chosen,
    }
}

/// The code form. A class code is never read from the address (it would stay in the browser's
/// history on a shared device, and in logs): it is posted (`buoc=ma`, see [`sign_in`]).
pub async fn door(ctx: Ctx) -> Result<Response, WebError> {
    Ok(render(
        &ctx,
        StatusCode::OK,
        &page(&ctx, Errors::default(), String::new(), None, 0),
    ))
}

/// The class of a typed code with its pupils to choose from, or the code form with an error.
async fn door_of(state: &AppState, ctx: &Ctx, typed: String) -> Result<Response, WebError> {
    if typed.is_empty() {
        let mut errors = Errors::default();
        errors.push("ma", "Hãy gõ mã lớp thầy cô ghi trên bảng.");
        return Ok(render(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(ctx, errors, typed, None, 0),
        ));
    }
    match class_sign_in::door(state, &typed).await? {
        Some(door) => Ok(render(
            ctx,
            StatusCode::OK,
            &page(ctx, Errors::default(), typed, Some(door), 0),
        )),
        None => {
            let mut errors = Errors::default();
            errors.push(
                "ma",
                "Không có lớp nào có mã này. Hãy xem lại mã thầy cô ghi (8 chữ và số, không có chữ O, I, L).",
            );
            Ok(render(
                ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(ctx, errors, typed, None, 0),
            ))
        }
    }
}

#[derive(Default, Deserialize)]
pub struct SignInForm {
    #[serde(default, rename = "ma")]
    code: String,
    #[serde(default, rename = "hoc-sinh")]
    pupil: String,
    #[serde(default, rename = "so")]
    pin: String,
    /// `ma`: the first step, the class code typed (then the pupils are shown).
    #[serde(default, rename = "buoc")]
    step: String,
}

/// Signs the pupil in for [`PUPIL_SESSION_HOURS`] and opens their courses.
pub async fn sign_in(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<SignInForm>,
) -> Result<Response, WebError> {
    state
        .limits
        .class_client
        .check(&ctx.client, state.clock.now())
        .map_err(WebError::TooMany)?;
    let typed: String = f.code.trim().chars().take(32).collect();
    if f.step == "ma" {
        return door_of(&state, &ctx, typed).await;
    }
    let Some(door) = class_sign_in::door(&state, &typed).await? else {
        let mut errors = Errors::default();
        errors.push("ma", "Không có lớp nào có mã này. Hãy gõ lại mã lớp.");
        return Ok(render(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&ctx, errors, typed, None, 0),
        ));
    };
    let chosen: i64 = f.pupil.parse().unwrap_or(0);
    let mut errors = Errors::default();
    if !door.pupils.iter().any(|(id, _)| *id == chosen) {
        errors.push("hoc-sinh", "Hãy chọn tên của em.");
    } else if f.pin.trim().is_empty() {
        errors.push("so", "Hãy gõ mã đăng nhập thầy cô đưa cho em.");
    } else {
        match class_sign_in::sign_in(&state, &door, chosen, &f.pin).await {
            Ok(raw) => {
                return Ok(logged_in_for(
                    &state,
                    &raw,
                    "/hoc",
                    PUPIL_SESSION_HOURS * 3600,
                ))
            }
            Err(LoginError::Invalid) => {
                errors.push("so", "Mã đăng nhập chưa đúng. Em xem lại phiếu thầy cô đưa nhé.");
            }
            Err(LoginError::Locked { minutes }) => errors.push(
                "so",
                format!("Em đã gõ sai nhiều lần. Hãy thử lại sau {minutes} phút, hoặc nhờ thầy cô tạo mã mới."),
            ),
            Err(LoginError::Internal(e)) => return Err(e.into()),
        }
    }
    Ok(render(
        &ctx,
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&ctx, errors, typed, Some(door), chosen),
    ))
}
