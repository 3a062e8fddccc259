//! /ho-tro: the page of a helper of the community digital technology team (and of a commune
//! officer): register a resident on their behalf (`/ho-tro/dang-ky`, a slip to hand over),
//! reset a password (`/ho-tro/mat-khau`), and the support log (`POST /ho-tro/nhat-ky`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_db::repo::org::OrgUnit;
use serde::Deserialize;

use crate::services::people::support::{
    self, AssistedInput, EntryView, LogInput, Slip, CONSENT_TEXT, TOPICS,
};
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::{Choice, Errors};

async fn commune(state: &AppState, ctx: &Ctx) -> Result<OrgUnit, WebError> {
    let user = ctx.user()?;
    support::team_commune(state, user)
        .await?
        .ok_or(WebError::Forbidden)
}

fn errors_of(e: FormError) -> Result<Errors, WebError> {
    match e {
        FormError::Invalid(list) => {
            let mut errors = Errors::default();
            for (field, message) in list {
                errors.push(field, message);
            }
            Ok(errors)
        }
        FormError::Internal(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "people/support/hub.html")]
pub struct HubPage {
    pub l: Chrome,
    pub commune: String,
    pub topics: Vec<Choice>,
    pub errors: Errors,
    pub topic: String,
    pub place: String,
    pub day: String,
    pub phone: String,
    pub entries: Vec<EntryView>,
    pub saved: bool,
}

#[derive(Default, Deserialize)]
pub struct HubQuery {
    #[serde(default, rename = "da-ghi")]
    recorded: String,
}

async fn hub_page(
    state: &AppState,
    ctx: &Ctx,
    commune: &OrgUnit,
    errors: Errors,
    input: LogInput,
    saved: bool,
) -> Result<HubPage, WebError> {
    let user = ctx.user()?;
    Ok(HubPage {
        l: ctx.chrome("Hỗ trợ người dân"),
        commune: commune.name.clone(),
        topics: TOPICS
            .iter()
            .map(|t| Choice {
                value: (*t).to_owned(),
                label: (*t).to_owned(),
                selected: *t == input.topic,
            })
            .collect(),
        errors,
        topic: input.topic,
        place: input.place,
        day: input.day,
        phone: input.phone,
        entries: support::my_entries(state, user).await?,
        saved,
    })
}

pub async fn hub(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HubQuery>,
) -> Result<Response, WebError> {
    let commune = commune(&state, &ctx).await?;
    let today = crate::clock::format_date(state.clock.now());
    let input = LogInput {
        topic: String::new(),
        place: String::new(),
        day: today,
        phone: String::new(),
    };
    let page = hub_page(
        &state,
        &ctx,
        &commune,
        Errors::default(),
        input,
        !q.recorded.is_empty(),
    )
    .await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Default, Deserialize)]
pub struct LogForm {
    #[serde(default)]
    topic: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    phone: String,
}

pub async fn log(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<LogForm>,
) -> Result<Response, WebError> {
    let commune = commune(&state, &ctx).await?;
    let user = ctx.user()?;
    let input = LogInput {
        topic: f.topic,
        place: f.place,
        day: f.day,
        phone: f.phone,
    };
    match support::log_help(&state, user, &commune, &input).await {
        Ok(()) => Ok(see_other("/ho-tro?da-ghi=1")),
        Err(e) => {
            let errors = errors_of(e)?;
            let page = hub_page(&state, &ctx, &commune, errors, input, false).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "people/support/register.html")]
pub struct RegisterPage {
    pub l: Chrome,
    pub commune: String,
    pub consent_text: &'static str,
    pub parent_text: &'static str,
    pub errors: Errors,
    pub full_name: String,
    pub phone: String,
    pub birth_year: String,
    pub place: String,
    pub parent_name: String,
    pub slip: Option<Slip>,
}

pub async fn register_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let commune = commune(&state, &ctx).await?;
    let page = RegisterPage {
        l: ctx.chrome("Đăng ký giúp người dân"),
        commune: commune.name,
        consent_text: CONSENT_TEXT,
        parent_text: crate::services::accounts::sign_in::PARENT_CONSENT_TEXT,
        errors: Errors::default(),
        full_name: String::new(),
        phone: String::new(),
        birth_year: String::new(),
        place: String::new(),
        parent_name: String::new(),
        slip: None,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    consent: String,
    #[serde(default)]
    parent_name: String,
    #[serde(default)]
    parent_consent: String,
}

pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<RegisterForm>,
) -> Result<Response, WebError> {
    let commune = commune(&state, &ctx).await?;
    let user = ctx.user()?;
    let input = AssistedInput {
        full_name: f.full_name.clone(),
        phone: f.phone.clone(),
        birth_year: f.birth_year.clone(),
        place: f.place.clone(),
        consent: f.consent == "yes",
        parent_name: f.parent_name.clone(),
        parent_consent: f.parent_consent == "yes",
    };
    let (status, errors, slip) =
        match support::register_resident(&state, user, &commune, &input).await {
            Ok(slip) => (StatusCode::OK, Errors::default(), Some(slip)),
            Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, errors_of(e)?, None),
        };
    let page = RegisterPage {
        l: ctx.chrome("Đăng ký giúp người dân"),
        commune: commune.name,
        consent_text: CONSENT_TEXT,
        parent_text: crate::services::accounts::sign_in::PARENT_CONSENT_TEXT,
        errors,
        full_name: f.full_name,
        phone: f.phone,
        birth_year: f.birth_year,
        place: f.place,
        parent_name: f.parent_name,
        slip,
    };
    Ok(render(&ctx, status, &page))
}
