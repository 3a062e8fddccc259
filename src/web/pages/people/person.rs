//! /nguoi/{id}: one person, for the staff who look after them (full phone and citizen ID,
//! which lists mask); their data as JSON; erasure by the province admin. Every view, export
//! and erasure is audited (`services::people::person`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::people::person::{self, EraseOutcome, PersonView};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};

#[derive(Template)]
#[template(path = "people/person/person.html")]
pub struct PersonPage {
    pub l: Chrome,
    pub p: PersonView,
    pub can_erase: bool,
    pub just_erased: bool,
}

#[derive(Default, Deserialize)]
pub struct Shown {
    #[serde(default, rename = "da-xoa")]
    erased: String,
}

pub async fn person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<Shown>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let p = person::view(&state, user, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let page = PersonPage {
        l: ctx.chrome(p.full_name.clone()),
        can_erase: user.is_province_admin() && !p.is_staff && !p.erased,
        just_erased: !q.erased.is_empty(),
        p,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let json = person::export(&state, user, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    Ok(crate::web::pages::download(
        json.into_bytes(),
        "application/json; charset=utf-8",
        &format!("du-lieu-ca-nhan-{id}.json"),
    ))
}

#[derive(Template)]
#[template(path = "people/person/erase.html")]
pub struct ErasePage {
    pub l: Chrome,
    pub p: PersonView,
}

/// The confirmation page (province admin).
pub async fn erase_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    if !user.is_province_admin() {
        return Err(WebError::Forbidden);
    }
    let p = person::view(&state, user, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let page = ErasePage {
        l: ctx.chrome("Xoá dữ liệu cá nhân"),
        p,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct NoFields {}

pub async fn erase(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    _form: CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match person::erase(&state, user, id).await? {
        EraseOutcome::Erased => Ok(see_other(&format!("/nguoi/{id}?da-xoa=1"))),
        EraseOutcome::IsStaff => Err(WebError::Refused(
            "Người này là cán bộ của hệ thống: hãy bỏ quyền cán bộ trước khi xoá dữ liệu.".into(),
        )),
        EraseOutcome::NotAllowed => Err(WebError::Forbidden),
    }
}

#[derive(Template)]
#[template(path = "people/person/edit.html")]
pub struct EditPage {
    pub l: Chrome,
    pub id: i64,
    pub errors: crate::web::pages::Errors,
    pub full_name: String,
    pub phone: String,
    pub citizen_id: String,
}

/// The province admin's form to correct a person's name, phone or citizen ID.
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let p = person::view(&state, user, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let page = EditPage {
        l: ctx.chrome("Sửa thông tin người"),
        id,
        errors: crate::web::pages::Errors::default(),
        full_name: p.full_name,
        phone: p.phone.unwrap_or_default(),
        citizen_id: p.citizen_id.unwrap_or_default(),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    form: CsrfForm<person::IdentityInput>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match person::edit_identity(&state, user, id, &form.data).await? {
        None => Err(WebError::Forbidden),
        Some(Ok(())) => Ok(see_other(&format!("/nguoi/{id}"))),
        Some(Err(errors)) => {
            let f = form.data;
            let page = EditPage {
                l: ctx.chrome("Sửa thông tin người"),
                id,
                errors: errors.into(),
                full_name: f.full_name,
                phone: f.phone,
                citizen_id: f.citizen_id,
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}
