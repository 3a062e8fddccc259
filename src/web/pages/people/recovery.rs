//! Getting back into an account (`services::people::recovery`): “Quên mật khẩu” with a code by SMS,
//! the staff reset at /ho-tro/mat-khau (a slip to hand over), and the change of a temporary
//! password at /doi-mat-khau.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_domain::Role;
use serde::Deserialize;

use crate::services::people::recovery::{self, TemporaryPassword};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::Errors;

#[derive(Template)]
#[template(path = "people/recovery/forgot.html")]
pub struct ForgotPage {
    pub l: Chrome,
    pub errors: Errors,
    pub phone: String,
}

pub async fn forgot_form(ctx: Ctx) -> Response {
    let page = ForgotPage {
        l: ctx.chrome("Quên mật khẩu"),
        errors: Errors::default(),
        phone: String::new(),
    };
    render(&ctx, StatusCode::OK, &page)
}

#[derive(Default, Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<PhoneForm>,
) -> Result<Response, WebError> {
    match recovery::send_code(&state, &f.phone, recovery::Purpose::Reset, &ctx.client).await? {
        Ok(phone) => Ok(see_other(&format!(
            "/quen-mat-khau/ma?so={}",
            phone.as_str()
        ))),
        Err(e) => {
            let mut errors = Errors::default();
            errors.push("phone", e.to_string());
            let page = ForgotPage {
                l: ctx.chrome("Quên mật khẩu"),
                errors,
                phone: f.phone,
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "people/recovery/code.html")]
pub struct CodePage {
    pub l: Chrome,
    pub errors: Errors,
    pub phone: String,
}

#[derive(Default, Deserialize)]
pub struct CodeQuery {
    #[serde(default, rename = "so")]
    phone: String,
}

pub async fn code_form(ctx: Ctx, Query(q): Query<CodeQuery>) -> Response {
    // Only a phone number goes back into the form, never other text from the address.
    let phone = hocvuso_domain::PhoneNumber::parse(&q.phone)
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let page = CodePage {
        l: ctx.chrome("Nhập mã và mật khẩu mới"),
        errors: Errors::default(),
        phone,
    };
    render(&ctx, StatusCode::OK, &page)
}

#[derive(Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

pub async fn code(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<CodeForm>,
) -> Result<Response, WebError> {
    match recovery::reset_with_code(&state, &f.phone, &f.code, &f.password, &ctx.client).await? {
        Ok(()) => Ok(see_other("/dang-nhap?da-doi=1")),
        Err(e) => {
            let mut errors = Errors::default();
            let field = match e {
                recovery::UseCodeError::Password(_) => "password",
                _ => "code",
            };
            errors.push(field, e.to_string());
            let page = CodePage {
                l: ctx.chrome("Nhập mã và mật khẩu mới"),
                errors,
                phone: f.phone,
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// Staff who may reset passwords: the province admin, unit officers, helpers.
fn staff(ctx: &Ctx) -> Result<(), WebError> {
    let user = ctx.user()?;
    if user.is_province_admin() || user.has(Role::UnitOfficer) || user.has(Role::Helper) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

#[derive(Template)]
#[template(path = "people/recovery/staff.html")]
pub struct StaffPage {
    pub l: Chrome,
    pub errors: Errors,
    pub phone: String,
    pub done: Option<TemporaryPassword>,
}

pub async fn staff_form(ctx: Ctx) -> Result<Response, WebError> {
    staff(&ctx)?;
    let page = StaffPage {
        l: ctx.chrome("Đặt lại mật khẩu cho người dân"),
        errors: Errors::default(),
        phone: String::new(),
        done: None,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn staff_reset(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<PhoneForm>,
) -> Result<Response, WebError> {
    staff(&ctx)?;
    let user = ctx.user()?;
    let (status, errors, done) = match recovery::reset_by_staff(&state, user, &f.phone).await? {
        Ok(t) => (StatusCode::OK, Errors::default(), Some(t)),
        Err(e) => {
            let mut errors = Errors::default();
            errors.push("phone", e.to_string());
            (StatusCode::UNPROCESSABLE_ENTITY, errors, None)
        }
    };
    let page = StaffPage {
        l: ctx.chrome("Đặt lại mật khẩu cho người dân"),
        errors,
        phone: f.phone,
        done,
    };
    Ok(render(&ctx, status, &page))
}

#[derive(Template)]
#[template(path = "people/recovery/change.html")]
pub struct ChangePage {
    pub l: Chrome,
    pub errors: Errors,
    pub required: bool,
}

pub async fn change_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let page = ChangePage {
        l: ctx.chrome("Đổi mật khẩu"),
        errors: Errors::default(),
        required: recovery::must_change(&state, user.person_id).await?,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

pub async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<ChangeForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let keep = ctx.session_hash();
    match recovery::change_password(
        &state,
        user.person_id,
        keep.as_deref(),
        &f.current,
        &f.password,
        &f.repeat,
    )
    .await?
    {
        Ok(()) => Ok(see_other("/hoc?da-doi-mat-khau=1")),
        Err(e) => {
            let mut errors = Errors::default();
            let field = match e {
                recovery::ChangeError::Current => "current",
                recovery::ChangeError::New(_) => "password",
                recovery::ChangeError::Mismatch => "repeat",
            };
            errors.push(field, e.to_string());
            let page = ChangePage {
                l: ctx.chrome("Đổi mật khẩu"),
                errors,
                required: recovery::must_change(&state, user.person_id).await?,
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}
