//! Registration, login and logout.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use crate::services::accounts::sign_in::{self, LoginError, RegisterInput};
use crate::services::people::recovery;
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::cookies;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::{local_path, Choice, Errors};

#[derive(Template)]
#[template(path = "accounts/sign_in/register.html")]
pub struct RegisterPhonePage {
    pub l: Chrome,
    pub errors: Errors,
    pub phone: String,
    /// Where to go once registered (a local path, e.g. a contest's page), or "".
    pub next: String,
}

#[derive(Template)]
#[template(path = "accounts/sign_in/register_code.html")]
pub struct RegisterCodePage {
    pub l: Chrome,
    pub errors: Errors,
    pub phone: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "accounts/sign_in/register_details.html")]
pub struct RegisterPage {
    pub l: Chrome,
    pub errors: Errors,
    pub phone: String,
    pub full_name: String,
    pub birth_year: String,
    pub parent_name: String,
    pub communes: Vec<Choice>,
    pub next: String,
    /// Registering to join a contest: the password may be left empty.
    pub for_contest: bool,
}

/// The contest a return path leads to (`/cuoc-thi/5` → 5): registering from a contest page
/// joins it in the same step, and the password may wait.
fn contest_of(next: &str) -> Option<i64> {
    next.strip_prefix("/cuoc-thi/")?.parse().ok()
}

#[derive(Default, Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
    #[serde(default, rename = "tiep")]
    next: String,
}

#[derive(Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default, rename = "tiep")]
    next: String,
}

#[derive(Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default, rename = "tiep")]
    next: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    commune_code: String,
    #[serde(default)]
    password: String,
    /// "1": the person agreed to the privacy notice.
    #[serde(default)]
    consent: String,
    /// A child's parent or guardian, and "1" when that parent agreed.
    #[serde(default)]
    parent_name: String,
    #[serde(default)]
    parent_consent: String,
}

#[derive(Default, Deserialize)]
pub struct PhoneQuery {
    #[serde(default, rename = "so")]
    phone: String,
    #[serde(default, rename = "tiep")]
    next: String,
}

/// Where a registration returns to (`?tiep=/cuoc-thi/5`).
#[derive(Default, Deserialize)]
pub struct NextQuery {
    #[serde(default, rename = "tiep")]
    next: String,
}

/// The return path if it is a local one, else "".
fn next_of(tiep: &str) -> String {
    local_path(tiep).unwrap_or_default().to_owned()
}

/// `&tiep=…` (or `?tiep=…` when `first`) for a return path, "" without one.
fn next_param(next: &str, first: bool) -> String {
    if next.is_empty() {
        return String::new();
    }
    let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("{}tiep={encoded}", if first { '?' } else { '&' })
}

/// Communes sorted by name as a Vietnamese reader expects (ignoring "Xã"/"Phường"), each with
/// the old communes merged into it in 2025 ("Phường Mũi Né (trước đây: …)").
async fn commune_options(state: &AppState, selected: &str) -> Result<Vec<Choice>, WebError> {
    let units = crate::services::people::org::communes_with_old_names(state.db.read()).await?;
    Ok(units
        .into_iter()
        .map(|(u, before)| Choice {
            selected: u.code == selected,
            label: if before.is_empty() {
                u.name
            } else {
                format!("{} (trước đây: {})", u.name, before.join(", "))
            },
            value: u.code,
        })
        .collect())
}

/// How long a phone number proved by a code stays proved for finishing the registration.
const PROVED_MINUTES: i64 = 30;

/// The phone number this browser proved with a code (signed cookie, not expired).
fn proved_phone(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let raw = cookies::get(headers, cookies::PHONE)
        .and_then(|s| cookies::verify(state.cookie_key.as_ref(), cookies::PHONE, s))?;
    let (phone, until) = raw.split_once('-')?;
    let until: i64 = until.parse().ok()?;
    (until > state.clock.now().timestamp()).then(|| phone.to_owned())
}

/// Step 1: the phone number.
pub async fn register_form(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    let page = RegisterPhonePage {
        l: ctx.chrome("Đăng ký tài khoản"),
        errors: Errors::default(),
        phone: String::new(),
        next: next_of(&q.next),
    };
    render(&ctx, StatusCode::OK, &page)
}

/// Step 1 sent: a code by SMS (every number is answered alike), then step 2.
pub async fn register_phone(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<PhoneForm>,
) -> Result<Response, WebError> {
    state
        .limits
        .register_client
        .check(&ctx.client, state.clock.now())
        .map_err(WebError::TooMany)?;
    match recovery::send_code(&state, &f.phone, recovery::Purpose::Register, &ctx.client).await? {
        Ok(phone) => Ok(see_other(&format!(
            "/dang-ky/ma?so={}{}",
            phone.as_str(),
            next_param(&next_of(&f.next), false)
        ))),
        Err(e) => {
            let mut errors = Errors::default();
            errors.push("phone", e.to_string());
            let page = RegisterPhonePage {
                l: ctx.chrome("Đăng ký tài khoản"),
                errors,
                phone: f.phone,
                next: next_of(&f.next),
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// Step 2: the code from the SMS.
pub async fn register_code_form(ctx: Ctx, Query(q): Query<PhoneQuery>) -> Response {
    let phone = hocvuso_domain::PhoneNumber::parse(&q.phone)
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let page = RegisterCodePage {
        l: ctx.chrome("Nhập mã xác nhận"),
        errors: Errors::default(),
        phone,
        next: next_of(&q.next),
    };
    render(&ctx, StatusCode::OK, &page)
}

/// Step 2 sent: a right code proves the number for a while (a signed cookie), then step 3.
pub async fn register_code(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: f, .. }: CsrfForm<CodeForm>,
) -> Result<Response, WebError> {
    let next = next_of(&f.next);
    let fail = |ctx: &Ctx, message: String, phone: String| {
        let mut errors = Errors::default();
        errors.push("code", message);
        let page = RegisterCodePage {
            l: ctx.chrome("Nhập mã xác nhận"),
            errors,
            phone,
            next: next.clone(),
        };
        render(ctx, StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let Ok(phone) = hocvuso_domain::PhoneNumber::parse(&f.phone) else {
        return Ok(fail(
            &ctx,
            recovery::UseCodeError::Wrong.to_string(),
            f.phone,
        ));
    };
    match recovery::check_code(
        &state,
        &phone,
        recovery::Purpose::Register,
        &f.code,
        &ctx.client,
    )
    .await?
    {
        Ok(()) => {
            let until = state.clock.now().timestamp() + PROVED_MINUTES * 60;
            let value = format!("{}-{until}", phone.as_str());
            let signed = cookies::sign(state.cookie_key.as_ref(), cookies::PHONE, &value);
            let mut res = see_other(&format!("/dang-ky/thong-tin{}", next_param(&next, true)));
            cookies::set(
                res.headers_mut(),
                cookies::PHONE,
                &signed,
                Some(PROVED_MINUTES * 60),
                state.config.https(),
            );
            Ok(res)
        }
        Err(e) => Ok(fail(&ctx, e.to_string(), phone.as_str().to_owned())),
    }
}

/// Step 3: name, birth year, commune, password (only with a proved number).
pub async fn register_details_form(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let Some(phone) = proved_phone(&state, &headers) else {
        return Ok(see_other("/dang-ky"));
    };
    let page = RegisterPage {
        l: ctx.chrome("Đăng ký tài khoản"),
        errors: Errors::default(),
        phone,
        full_name: String::new(),
        birth_year: String::new(),
        parent_name: String::new(),
        communes: commune_options(&state, "").await?,
        for_contest: contest_of(&next_of(&q.next)).is_some(),
        next: next_of(&q.next),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm { data: f, .. }: CsrfForm<RegisterForm>,
) -> Result<Response, WebError> {
    let Some(phone) = proved_phone(&state, &headers) else {
        return Ok(see_other("/dang-ky"));
    };
    let input = RegisterInput {
        phone: phone.clone(),
        full_name: f.full_name.clone(),
        birth_year: f.birth_year.clone(),
        commune_code: f.commune_code.clone(),
        password: f.password,
        consent: f.consent == "1",
        parent_name: f.parent_name.clone(),
        parent_consent: f.parent_consent == "1",
        password_optional: contest_of(&next_of(&f.next)).is_some(),
    };
    match sign_in::register(&state, &input).await {
        Ok(person_id) => {
            let raw = sign_in::start_session(&state, person_id).await?;
            let next = next_of(&f.next);
            // From a contest: joined at once when the person may enter for one unit only
            // (otherwise the contest page asks which, or says why not).
            let joined = match contest_of(&next) {
                Some(id) => crate::services::contests::play::join(&state, person_id, id, "")
                    .await
                    .is_ok(),
                None => false,
            };
            let to = if next.is_empty() {
                "/hoc".to_owned()
            } else if joined {
                format!("{next}?tb=da-tham-gia")
            } else {
                next.clone()
            };
            let mut res = logged_in(&state, &raw, &to);
            cookies::set(
                res.headers_mut(),
                cookies::PHONE,
                "",
                Some(0),
                state.config.https(),
            );
            Ok(res)
        }
        Err(FormError::Invalid(errors)) => {
            let page = RegisterPage {
                l: ctx.chrome("Đăng ký tài khoản"),
                errors: errors.into(),
                phone,
                full_name: f.full_name,
                birth_year: f.birth_year,
                parent_name: f.parent_name,
                communes: commune_options(&state, f.commune_code.trim()).await?,
                for_contest: contest_of(&next_of(&f.next)).is_some(),
                next: next_of(&f.next),
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

/// A redirect that carries the new session cookie and a new CSRF token (a token seen before
/// the login is not trusted after it).
fn logged_in(state: &AppState, raw_session: &str, to: &str) -> Response {
    logged_in_for(state, raw_session, to, sign_in::SESSION_DAYS * 24 * 3600)
}

/// [`logged_in`] with a session cookie that lasts `seconds` (a pupil's, on a shared device).
pub(crate) fn logged_in_for(
    state: &AppState,
    raw_session: &str,
    to: &str,
    seconds: i64,
) -> Response {
    let mut res = see_other(to);
    let key = state.cookie_key.as_ref();
    let secure = state.config.https();
    let signed = cookies::sign(key, cookies::SESSION, raw_session);
    cookies::set(
        res.headers_mut(),
        cookies::SESSION,
        &signed,
        Some(seconds),
        secure,
    );
    let csrf = crate::services::hex(&crate::services::random_bytes::<16>());
    let signed = cookies::sign(key, cookies::CSRF, &csrf);
    cookies::set(res.headers_mut(), cookies::CSRF, &signed, None, secure);
    res
}

/// How long a browser stays known for a phone number after a login there.
const DEVICE_DAYS: i64 = 180;

/// A short, one-way tag of a phone number for the device cookie (the cookie does not carry
/// the number itself).
fn phone_tag(phone: &str) -> String {
    use sha2::Digest;
    crate::services::hex(&sha2::Sha256::digest(format!("device:{phone}").as_bytes())[..8])
}

/// The device id of this browser for this phone number, if it logged in to it before.
fn device_for(ctx: &Ctx, phone: &str) -> Option<String> {
    let (id, tag) = ctx.device.as_deref()?.split_once('-')?;
    (tag == phone_tag(phone)).then(|| id.to_owned())
}

#[derive(Template)]
#[template(path = "accounts/sign_in/login.html")]
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
    #[serde(default, rename = "tiep")]
    next: String,
    #[serde(default, rename = "da-doi")]
    changed: String,
}

#[derive(Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "tiep")]
    next: String,
}

pub async fn login_form(ctx: Ctx, Query(q): Query<LoginQuery>) -> Response {
    let page = LoginPage {
        l: ctx.chrome("Đăng nhập"),
        errors: Errors::default(),
        phone: String::new(),
        next: local_path(&q.next).unwrap_or_default().to_owned(),
        changed: !q.changed.is_empty(),
    };
    render(&ctx, StatusCode::OK, &page)
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm { data: f, .. }: CsrfForm<LoginForm>,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let typed = hocvuso_domain::PhoneNumber::parse(&f.phone)
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|_| f.phone.trim().chars().take(20).collect());
    // A browser that logged in to this number before counts its own tries, apart from
    // everyone else's, and is not held back by the number's limit: a guesser elsewhere
    // cannot lock the owner out.
    let device = device_for(&ctx, &typed);
    state
        .limits
        .login_client
        .check(&ctx.client, now)
        .map_err(WebError::TooMany)?;
    if device.is_none() {
        state
            .limits
            .login_phone
            .check(&typed, now)
            .map_err(WebError::TooMany)?;
    }
    let client = device
        .as_ref()
        .map_or_else(|| format!("ip:{}", ctx.client), |id| format!("device:{id}"));
    match sign_in::login(&state, &f.phone, &f.password, &client).await {
        Ok(person_id) => {
            // A fresh session id at every login (no session fixation); an older session in
            // this browser ends.
            if let Some(old) = session_id(&state, &headers) {
                sign_in::end_session(&state, &old).await?;
            }
            let raw = sign_in::start_session(&state, person_id).await?;
            let home = match sign_in::session_user(&state, &raw).await? {
                Some(u) if u.is_province_admin() || u.officer_units().next().is_some() => {
                    "/thong-ke"
                }
                _ => "/hoc",
            };
            let to = if crate::services::people::recovery::must_change(&state, person_id).await? {
                "/doi-mat-khau"
            } else {
                local_path(&f.next).unwrap_or(home)
            };
            let mut res = logged_in(&state, &raw, to);
            let id = device
                .unwrap_or_else(|| crate::services::hex(&crate::services::random_bytes::<16>()));
            let value = format!("{id}-{}", phone_tag(&typed));
            let signed = cookies::sign(state.cookie_key.as_ref(), cookies::DEVICE, &value);
            cookies::set(
                res.headers_mut(),
                cookies::DEVICE,
                &signed,
                Some(DEVICE_DAYS * 24 * 3600),
                state.config.https(),
            );
            Ok(res)
        }
        Err(LoginError::Internal(e)) => Err(e.into()),
        Err(e) => {
            // Which of the two was wrong is not said (nor guessable); the password is what to
            // type again, so the message stands by it and the phone number stays as typed.
            let mut errors = Errors::default();
            errors.push("password", e.to_string());
            let page = LoginPage {
                l: ctx.chrome("Đăng nhập"),
                errors,
                phone: f.phone,
                next: local_path(&f.next).unwrap_or_default().to_owned(),
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
        sign_in::end_session(&state, &raw).await?;
    }
    let mut res = see_other("/");
    cookies::set(
        res.headers_mut(),
        cookies::SESSION,
        "",
        Some(0),
        state.config.https(),
    );
    Ok(res)
}
