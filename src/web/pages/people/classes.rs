//! /lop: a school's classes for its officer (a teacher): the classes of the units they look
//! after; a class's pupils with their progress (`/lop/{unit}?ten=6A1`), the class code for
//! learning on a shared device, the pupils' sign-in numbers (printed once) and the parents'
//! consents (`services::people::classes`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::people::classes::{self, PARENT_CONSENT_TEXT};
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::accounts::sign_in::Empty;
use crate::web::pages::Errors;

#[derive(Template)]
#[template(path = "people/classes/index.html")]
pub struct IndexPage {
    pub l: Chrome,
    pub classes: Vec<ClassRow>,
}

pub struct ClassRow {
    pub unit_code: String,
    pub unit_name: String,
    pub class: String,
    pub query: String,
    pub pupils: i64,
    pub code: Option<String>,
}

pub struct PupilView {
    pub id: i64,
    pub name: String,
    pub birth_year: String,
    pub parent: Option<String>,
    pub has_pin: bool,
    pub achieved: bool,
}

#[derive(Template)]
#[template(path = "people/classes/class.html")]
pub struct ClassPage {
    pub l: Chrome,
    pub unit_code: String,
    pub unit_name: String,
    pub class: String,
    /// The class name as a query value (`ten=6A1`), encoded.
    pub query: String,
    pub code: Option<String>,
    pub pupils: Vec<PupilView>,
    pub consented: usize,
    pub with_pin: usize,
    pub errors: Errors,
    pub saved: Option<String>,
    pub consent_text: &'static str,
}

#[derive(Template)]
#[template(path = "people/classes/pins.html")]
pub struct PinsPage {
    pub l: Chrome,
    pub unit_name: String,
    pub class: String,
    pub query: String,
    pub unit_code: String,
    pub code: Option<String>,
    pub slips: Vec<(String, String)>,
}

#[derive(Default, Deserialize)]
pub struct ClassQuery {
    #[serde(default, rename = "ten")]
    name: String,
    #[serde(default, rename = "da-ghi")]
    recorded: String,
}

fn encoded(class: &str) -> String {
    form_urlencoded::byte_serialize(class.as_bytes()).collect()
}

pub async fn index(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let p = IndexPage {
        l: ctx.chrome("Lớp học".to_owned()),
        classes: classes::classes_of(&state, user)
            .await?
            .into_iter()
            .map(|c| ClassRow {
                query: encoded(&c.class),
                unit_code: c.unit_code,
                unit_name: c.unit_name,
                class: c.class,
                pupils: c.pupils,
                code: c.code,
            })
            .collect(),
    };
    Ok(render(&ctx, StatusCode::OK, &p))
}

async fn class_page(
    state: &AppState,
    ctx: &Ctx,
    unit_code: &str,
    class: &str,
    errors: Errors,
    saved: Option<String>,
) -> Result<ClassPage, WebError> {
    let user = ctx.user()?;
    let c = classes::class(state, user, unit_code, class)
        .await?
        .ok_or(WebError::NotFound)?;
    let pupils: Vec<PupilView> = c
        .pupils
        .into_iter()
        .map(|p| PupilView {
            id: p.person_id,
            name: p.full_name,
            birth_year: p.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            has_pin: p.has_pin,
            achieved: p.achieved,
            parent: p.parent,
        })
        .collect();
    Ok(ClassPage {
        l: ctx.chrome(format!("Lớp {} — {}", c.class, c.unit.name)),
        unit_code: c.unit.code,
        unit_name: c.unit.name,
        query: encoded(&c.class),
        class: c.class,
        code: c.code,
        consented: pupils.iter().filter(|p| p.parent.is_some()).count(),
        with_pin: pupils.iter().filter(|p| p.has_pin).count(),
        pupils,
        errors,
        saved,
        consent_text: PARENT_CONSENT_TEXT,
    })
}

pub async fn class(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
    Query(q): Query<ClassQuery>,
) -> Result<Response, WebError> {
    let saved = q.recorded.parse::<usize>().ok().map(|n| n.to_string());
    let p = class_page(&state, &ctx, &unit, &q.name, Errors::default(), saved).await?;
    Ok(render(&ctx, StatusCode::OK, &p))
}

/// A new class code (the old one stops working).
pub async fn new_code(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
    Query(q): Query<ClassQuery>,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    classes::new_code(&state, user, &unit, &q.name)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(see_other(&format!("/lop/{unit}?ten={}", encoded(&q.name))))
}

#[derive(Default, Deserialize)]
pub struct PinsForm {
    /// "1": every pupil gets a new number (else only those without one).
    #[serde(default, rename = "tat-ca")]
    all: String,
}

/// Sign-in numbers for the pupils who have none (or all), shown once to print.
pub async fn new_pins(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
    Query(q): Query<ClassQuery>,
    form: CsrfForm<PinsForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let slips = classes::new_pins(&state, user, &unit, &q.name, form.data.all == "1")
        .await?
        .ok_or(WebError::NotFound)?;
    let c = classes::class(&state, user, &unit, &q.name)
        .await?
        .ok_or(WebError::NotFound)?;
    let p = PinsPage {
        l: ctx.chrome(format!("Mã đăng nhập lớp {}", c.class)),
        unit_name: c.unit.name,
        unit_code: c.unit.code,
        query: encoded(&c.class),
        class: c.class,
        code: c.code,
        slips,
    };
    Ok(render(&ctx, StatusCode::OK, &p))
}

/// Parents' consents: a field `cha-me-{pupil id}` per pupil, the parent's name.
pub async fn consents(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
    Query(q): Query<ClassQuery>,
    form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let mut named = Vec::new();
    for (k, v) in &form.pairs {
        if let Some(id) = k.strip_prefix("cha-me-") {
            // A class has a few dozen pupils; more is not a form of ours.
            if named.len() >= 500 {
                return Err(WebError::BadRequest("too many pupils".into()));
            }
            let id = id
                .parse()
                .map_err(|_| WebError::BadRequest(format!("field {k:?}")))?;
            named.push((id, v.clone()));
        }
    }
    match classes::record_consents(&state, user, &unit, &q.name, &named).await {
        Ok(Some(n)) => Ok(see_other(&format!(
            "/lop/{unit}?ten={}&da-ghi={n}",
            encoded(&q.name)
        ))),
        Ok(None) => Err(WebError::NotFound),
        Err(FormError::Invalid(errors)) => {
            let p = class_page(&state, &ctx, &unit, &q.name, errors.into(), None).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}
