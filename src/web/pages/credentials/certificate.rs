//! Certificates. Public (no login): the verify page, where anyone holding the code or the QR
//! link can check that a certificate is real (the name partly masked), and a check of a
//! credential file. The learner: their certificate as PDF and as a signed credential. The
//! province administrator: revoking a certificate, with the reason.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::clock::format_date;
use crate::services::credentials::certificates::{
    self, CertificateError, Checked, ReinstateError, RevokeError,
};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};

#[derive(Template)]
#[template(path = "credentials/certificate/verify.html")]
pub struct VerifyPage {
    pub l: Chrome,
    pub code: String,
    /// The code printed on the certificate, to read and type (`7K3M-PQX9-T2AB`).
    pub short_code: String,
    /// Masked, except for the learner looking at their own certificate.
    pub name: String,
    pub course_title: String,
    pub issued_on: String,
    pub issuer: String,
    pub revoked: bool,
    pub revoked_on: String,
    /// Shown when the province published it, and always to the owner and the province.
    pub revoke_reason: String,
    pub reason_public: bool,
    /// The learner looking at their own certificate: links to the files.
    pub is_owner: bool,
    /// The province administrator: the revoke form, or the undo form.
    pub may_revoke: bool,
    pub revoke_error: String,
    pub reinstate_error: String,
}

#[derive(Template)]
#[template(path = "credentials/certificate/lookup.html")]
pub struct LookupPage {
    pub l: Chrome,
    pub code: String,
    pub not_found: bool,
    /// A short code whose check character does not match.
    pub mistyped: bool,
}

#[derive(Default, Deserialize)]
pub struct LookupQuery {
    #[serde(default, rename = "ma")]
    code: String,
}

/// The lookup form; a code typed in it (the short one printed on the certificate, or the
/// whole one of a link) opens the certificate's page.
pub async fn lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LookupQuery>,
) -> Result<Response, WebError> {
    let typed: String = q.code.trim().chars().take(100).collect();
    if typed.is_empty() {
        let page = LookupPage {
            l: ctx.chrome("Kiểm tra chứng nhận"),
            code: String::new(),
            not_found: false,
            mistyped: false,
        };
        return Ok(render(&ctx, StatusCode::OK, &page));
    }
    let (status, mistyped) =
        match crate::services::credentials::lookup::find_typed_code(&state, &typed).await? {
            crate::services::credentials::lookup::TypedCode::Found(code) => {
                return Ok(see_other(&format!("/chung-nhan/{code}")))
            }
            crate::services::credentials::lookup::TypedCode::Mistyped => {
                (StatusCode::UNPROCESSABLE_ENTITY, true)
            }
            crate::services::credentials::lookup::TypedCode::Unknown => {
                (StatusCode::NOT_FOUND, false)
            }
        };
    let page = LookupPage {
        l: ctx.chrome("Không tìm thấy chứng nhận"),
        code: typed,
        not_found: !mistyped,
        mistyped,
    };
    Ok(render(&ctx, status, &page))
}

pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    verify_page(&state, &ctx, &code, (String::new(), String::new())).await
}

async fn verify_page(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    (revoke_error, reinstate_error): (String, String),
) -> Result<Response, WebError> {
    let code = crate::services::credentials::credential::clean_code(code);
    match crate::services::credentials::lookup::public_certificate(state, &code).await? {
        Some(c) => {
            let status = if revoke_error.is_empty() && reinstate_error.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let is_owner = ctx
                .user
                .as_ref()
                .is_some_and(|u| u.person_id == c.person_id);
            let may_revoke = ctx.user.as_ref().is_some_and(|u| u.is_province_admin());
            let page = VerifyPage {
                l: ctx.chrome("Chứng nhận hoàn thành khóa học"),
                short_code: crate::services::credentials::credential::short_code(&c.code),
                code: c.code,
                name: if is_owner { c.full_name } else { c.masked_name },
                course_title: c.course_title,
                issued_on: format_date(c.issued_at),
                issuer: state.config.issuer.clone(),
                revoked: c.revoked_at.is_some(),
                revoked_on: c.revoked_at.map(format_date).unwrap_or_default(),
                revoke_reason: c
                    .revoke_reason
                    .filter(|_| c.revoke_reason_public || is_owner || may_revoke)
                    .unwrap_or_default(),
                reason_public: c.revoke_reason_public,
                is_owner,
                may_revoke,
                revoke_error,
                reinstate_error,
            };
            Ok(render(ctx, status, &page))
        }
        None => {
            let page = LookupPage {
                l: ctx.chrome("Không tìm thấy chứng nhận"),
                code,
                not_found: true,
                mistyped: false,
            };
            Ok(render(ctx, StatusCode::NOT_FOUND, &page))
        }
    }
}

impl From<CertificateError> for WebError {
    fn from(e: CertificateError) -> Self {
        match e {
            CertificateError::NotFound => WebError::NotFound,
            CertificateError::Revoked => WebError::NotFound,
            CertificateError::Internal(i) => i.into(),
        }
    }
}

/// The logged-in learner's own certificate with this code, as of this site's address.
async fn own_certificate(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
) -> Result<certificates::Owned, WebError> {
    let user = ctx.user()?;
    let site = state.config.site_url();
    Ok(certificates::owned(
        state,
        user.person_id,
        &crate::services::credentials::credential::clean_code(code),
        &site,
    )
    .await?)
}

/// The learner's certificate to print (A4 landscape PDF).
pub async fn pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let owned = own_certificate(&state, &ctx, &code).await?;
    let bytes = certificates::pdf(&owned)?;
    Ok(crate::web::pages::download(
        bytes,
        "application/pdf",
        &format!("chung-nhan-{}.pdf", owned.certificate.code),
    ))
}

/// The learner's certificate as a signed Open Badges 3.0 credential.
pub async fn credential(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let owned = own_certificate(&state, &ctx, &code).await?;
    let bytes = certificates::credential_json(&state, &owned).await?;
    Ok(crate::web::pages::download(
        bytes,
        "application/json",
        &format!("chung-nhan-{}.json", owned.certificate.code),
    ))
}

#[derive(Template)]
#[template(path = "credentials/certificate/check.html")]
pub struct CheckPage {
    pub l: Chrome,
    pub checked: bool,
    /// Why the file is not valid ("" when it is).
    pub invalid: String,
    /// Another kind of file (the certificate's PDF, a photo): what to do instead.
    pub other_file: String,
    /// Signed validly but by another issuer: its did.
    pub other_issuer: String,
    pub learner_name: String,
    pub course_title: String,
    pub issuer_name: String,
    pub valid_from: String,
    pub code: String,
    pub found: bool,
    pub revoked_on: String,
    pub revoke_reason: String,
    /// The keys this system signs with (for `hocvuso verify --issuer`).
    pub issuer_dids: Vec<String>,
}

impl CheckPage {
    async fn empty(state: &AppState, ctx: &Ctx) -> Result<Self, WebError> {
        Ok(CheckPage {
            l: ctx.chrome("Kiểm tra tệp chứng nhận số"),
            checked: false,
            invalid: String::new(),
            other_file: String::new(),
            other_issuer: String::new(),
            learner_name: String::new(),
            course_title: String::new(),
            issuer_name: String::new(),
            valid_from: String::new(),
            code: String::new(),
            found: false,
            revoked_on: String::new(),
            revoke_reason: String::new(),
            issuer_dids: certificates::issuer_dids(state).await?,
        })
    }
}

/// Largest credential file accepted (they are a few kilobytes).
const MAX_CREDENTIAL_MB: usize = 1;

pub async fn check_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let page = CheckPage::empty(&state, &ctx).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// Checks an uploaded (or pasted) credential file.
pub async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let upload =
        crate::web::pages::Upload::read(&state, &ctx, multipart, "tep", MAX_CREDENTIAL_MB).await?;
    let raw: Vec<u8> = if upload.bytes.is_empty() {
        upload.field("noi-dung").as_bytes().to_vec()
    } else {
        upload.bytes.clone()
    };
    let mut page = CheckPage::empty(&state, &ctx).await?;
    page.checked = true;
    if raw.iter().all(u8::is_ascii_whitespace) {
        page.invalid = "Hãy chọn tệp chứng nhận (.json) hoặc dán nội dung của tệp.".into();
        return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let status = match certificates::check(&state, &raw).await? {
        Checked::NotACredential(why) => {
            page.other_file = why.to_owned();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Checked::Invalid(e) => {
            page.invalid = e.to_string();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Checked::OtherIssuer(v) => {
            page.other_issuer = v.issuer;
            page.learner_name = v.learner_name;
            page.course_title = v.course_title;
            page.issuer_name = v.issuer_name;
            StatusCode::OK
        }
        Checked::Ours {
            verified,
            revoked,
            found,
        } => {
            page.code = crate::services::credentials::credential::code_of(&verified.id)
                .unwrap_or("")
                .to_owned();
            page.learner_name = verified.learner_name;
            page.course_title = verified.course_title;
            page.issuer_name = verified.issuer_name;
            page.valid_from = verified.valid_from.chars().take(10).collect();
            page.found = found;
            if let Some((on, reason)) = revoked {
                page.revoked_on = on;
                page.revoke_reason = reason.unwrap_or_default();
            }
            StatusCode::OK
        }
    };
    Ok(render(&ctx, status, &page))
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default, rename = "ly_do")]
    reason: String,
    /// "1": the reason is shown on the public page.
    #[serde(default, rename = "cong_khai")]
    public: String,
    /// "1": the administrator confirmed what a revocation does.
    #[serde(default, rename = "xac_nhan")]
    confirm: String,
}

/// The province administrator revokes a certificate (after confirming what it does).
pub async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm { data: form, .. }: CsrfForm<RevokeForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    if !user.is_province_admin() {
        return Err(WebError::Forbidden);
    }
    let code = crate::services::credentials::credential::clean_code(&code);
    if form.confirm != "1" {
        let why = "Hãy đánh dấu ô xác nhận: thu hồi sẽ trừ người này khỏi số người đạt.";
        return verify_page(&state, &ctx, &code, (why.to_owned(), String::new())).await;
    }
    let publish = form.public == "1";
    match certificates::revoke(&state, user.person_id, &code, &form.reason, publish).await {
        Ok(()) => Ok(see_other(&format!("/chung-nhan/{code}?da-thu-hoi=1"))),
        Err(RevokeError::NotFound) => Err(WebError::NotFound),
        Err(RevokeError::Internal(e)) => Err(e.into()),
        Err(e @ (RevokeError::NoReason | RevokeError::AlreadyRevoked)) => {
            verify_page(&state, &ctx, &code, (e.to_string(), String::new())).await
        }
    }
}

#[derive(Deserialize)]
pub struct ReinstateForm {
    #[serde(default, rename = "ly_do_khoi_phuc")]
    reason: String,
}

/// The province administrator undoes a revocation, with a reason.
pub async fn reinstate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm { data: form, .. }: CsrfForm<ReinstateForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    if !user.is_province_admin() {
        return Err(WebError::Forbidden);
    }
    let code = crate::services::credentials::credential::clean_code(&code);
    match certificates::reinstate(&state, user.person_id, &code, &form.reason).await {
        Ok(()) => Ok(see_other(&format!("/chung-nhan/{code}?da-khoi-phuc=1"))),
        Err(ReinstateError::NotFound) => Err(WebError::NotFound),
        Err(ReinstateError::Internal(e)) => Err(e.into()),
        Err(e @ (ReinstateError::NoReason | ReinstateError::NotRevoked)) => {
            verify_page(&state, &ctx, &code, (String::new(), e.to_string())).await
        }
    }
}
