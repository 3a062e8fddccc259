//! Registration, login and logout.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hocvuso_db::repo::org;
use serde::Deserialize;

use super::{local_path, Errors};
use crate::services::accounts::{self, FormError, LoginError, RegisterInput};
use crate::state::AppState;
use crate::web::cookies;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};

/// One commune in the registration list.
pub struct CommuneOption {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "account/register.html")]
pub struct RegisterPage {
    pub l: Chrome,
    pub errors: Errors,
    pub phone: String,
    pub full_name: String,
    pub birth_year: String,
    pub communes: Vec<CommuneOption>,
}

#[derive(Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    commune_code: String,
    #[serde(default)]
    password: String,
}

/// Communes sorted by name as a Vietnamese reader expects (ignoring "Xã"/"Phường" and tones).
async fn commune_options(state: &AppState, selected: &str) -> Result<Vec<CommuneOption>, WebError> {
    let mut units = org::of_kind(state.db.read(), org::KIND_COMMUNE).await?;
    let key = |name: &str| {
        let bare = ["Đặc khu ", "Phường ", "Xã "]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .unwrap_or(name);
        hocvuso_domain::text::fold(bare)
    };
    units.sort_by_cached_key(|u| key(&u.name));
    Ok(units
        .into_iter()
        .map(|u| CommuneOption {
            selected: u.code == selected,
            code: u.code,
            name: u.name,
        })
        .collect())
}

pub async fn register_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let page = RegisterPage {
        l: ctx.chrome("Đăng ký tài khoản"),
        errors: Errors::default(),
        phone: String::new(),
        full_name: String::new(),
        birth_year: String::new(),
        communes: commune_options(&state, "").await?,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<RegisterForm>,
) -> Result<Response, WebError> {
    let input = RegisterInput {
        phone: f.phone.clone(),
        full_name: f.full_name.clone(),
        birth_year: f.birth_year.clone(),
        commune_code: f.commune_code.clone(),
        password: f.password,
    };
    match accounts::register(&state, &input).await {
        Ok(person_id) => {
            let raw = accounts::start_session(&state, person_id).await?;
            Ok(logged_in(&state, &raw, "/hoc"))
        }
        Err(FormError::Invalid(errors)) => {
            let page = RegisterPage {
                l: ctx.chrome("Đăng ký tài khoản"),
                errors: errors.into(),
                phone: f.phone,
                full_name: f.full_name,
                birth_year: f.birth_year,
                communes: commune_options(&state, f.commune_code.trim()).await?,
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

/// A redirect that carries the new session cookie.
fn logged_in(state: &AppState, raw_session: &str, to: &str) -> Response {
    let mut res = see_other(to);
    let signed = cookies::sign(state.cookie_key.as_ref(), cookies::SESSION, raw_session);
    cookies::set(
        res.headers_mut(),
        cookies::SESSION,
        &signed,
        Some(accounts::SESSION_DAYS * 24 * 3600),
        state.config.secure_cookies,
    );
    res
}

#[derive(Template)]
#[template(path = "account/login.html")]
pub struct LoginPage {
    pub l: Chrome,
    pub errors: Errors,
    pub phone: String,
    pub next: String,
    /// Just set a new password (after a code by SMS).
    pub changed: bool,
}

#[derive(Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    tiep: String,
    #[serde(default, rename = "da-doi")]
    da_doi: String,
}

#[derive(Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    tiep: String,
}

pub async fn login_form(ctx: Ctx, Query(q): Query<LoginQuery>) -> Response {
    let page = LoginPage {
        l: ctx.chrome("Đăng nhập"),
        errors: Errors::default(),
        phone: String::new(),
        next: local_path(&q.tiep).unwrap_or_default().to_owned(),
        changed: !q.da_doi.is_empty(),
    };
    render(&ctx, StatusCode::OK, &page)
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm { data: f, .. }: CsrfForm<LoginForm>,
) -> Result<Response, WebError> {
    match accounts::login(&state, &f.phone, &f.password).await {
        Ok(person_id) => {
            // A fresh session id at every login (no session fixation); an older session in
            // this browser ends.
            if let Some(old) = session_id(&state, &headers) {
                accounts::end_session(&state, &old).await?;
            }
            let raw = accounts::start_session(&state, person_id).await?;
            let home = match accounts::session_user(&state, &raw).await? {
                Some(u) if u.is_province_admin() || u.officer_units().next().is_some() => {
                    "/thong-ke"
                }
                _ => "/hoc",
            };
            let to = if crate::services::recovery::must_change(&state, person_id).await? {
                "/doi-mat-khau"
            } else {
                local_path(&f.tiep).unwrap_or(home)
            };
            Ok(logged_in(&state, &raw, to))
        }
        Err(LoginError::Internal(e)) => Err(e.into()),
        Err(e) => {
            let mut errors = Errors::default();
            errors.push("phone", e.to_string());
            let page = LoginPage {
                l: ctx.chrome("Đăng nhập"),
                errors,
                phone: f.phone,
                next: local_path(&f.tiep).unwrap_or_default().to_owned(),
                changed: false,
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

#[derive(Default, Deserialize)]
pub struct Empty {}

/// The raw session id from a validly signed session cookie.
fn session_id(state: &AppState, headers: &HeaderMap) -> Option<String> {
    cookies::get(headers, cookies::SESSION)
        .and_then(|s| cookies::verify(state.cookie_key.as_ref(), cookies::SESSION, s))
}

/// Ends the session on the server (so a stolen cookie stops working) and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    if let Some(raw) = session_id(&state, &headers) {
        accounts::end_session(&state, &raw).await?;
    }
    let mut res = see_other("/");
    cookies::set(
        res.headers_mut(),
        cookies::SESSION,
        "",
        Some(0),
        state.config.secure_cookies,
    );
    Ok(res)
}
