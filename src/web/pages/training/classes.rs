//! /lop-hoc/quan-ly: a unit's classes — create one with its sessions, enrol people, tick
//! attendance, show a session's changing code as a QR code (`services::training::classes`).

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::shared::form::FormError;
use crate::services::training::attendance::{self, CodeScreen};
use crate::services::training::classes::{self, ClassInput, ClassLine, ClassPage};
use crate::services::training::places::{self, Enrolled};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::{Choice, Errors};

#[derive(Template)]
#[template(path = "training/classes/list.html")]
pub struct ListPage {
    pub l: Chrome,
    pub classes: Vec<ClassLine>,
    pub by_unit: Vec<classes::UnitReportRow>,
}

#[derive(Template)]
#[template(path = "training/classes/new.html")]
pub struct NewPage {
    pub l: Chrome,
    pub errors: Errors,
    pub units: Vec<Choice>,
    pub courses: Vec<Choice>,
    pub groups: Vec<Choice>,
    pub input: ClassInput,
}

#[derive(Template)]
#[template(path = "training/classes/class.html")]
pub struct ClassView {
    pub l: Chrome,
    pub done: Option<String>,
    pub refused: Option<String>,
    pub c: ClassPage,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "training/classes/code.html")]
pub struct CodeView {
    pub l: Chrome,
    pub s: CodeScreen,
    pub class_id: i64,
    /// The QR code (SVG) of the check-in address with the code.
    pub qr: String,
}

pub async fn index(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let page = ListPage {
        l: ctx.chrome("Lớp học của đơn vị"),
        classes: classes::managed_list(&state, user).await?,
        by_unit: classes::unit_report(&state, user).await?,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    input: ClassInput,
    errors: Errors,
) -> Result<NewPage, WebError> {
    let user = ctx.user()?;
    let units = classes::units_for(state, user).await?;
    Ok(NewPage {
        l: ctx.chrome("Mở lớp học mới"),
        errors,
        units: units
            .iter()
            .map(|u| Choice {
                value: u.code.clone(),
                label: u.name.clone(),
                selected: u.code == input.unit || units.len() == 1,
            })
            .collect(),
        courses: classes::courses(state)
            .into_iter()
            .map(|(slug, title)| Choice {
                selected: slug == input.khoa_hoc,
                value: slug,
                label: title,
            })
            .collect(),
        groups: hocvuso_domain::TargetGroup::ALL
            .iter()
            .map(|g| Choice {
                value: g.code().to_owned(),
                label: g.name_vi().to_owned(),
                selected: g.code() == input.group,
            })
            .collect(),
        input,
    })
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let input = ClassInput {
        suc_chua: "40".to_owned(),
        ty_le: "80".to_owned(),
        ..ClassInput::default()
    };
    let page = new_page(&state, &ctx, input, Errors::default()).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: input, .. }: CsrfForm<ClassInput>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match classes::create(&state, user, &input).await {
        Ok(id) => Ok(see_other(&format!("/lop-hoc/quan-ly/{id}?xong=da-mo"))),
        Err(FormError::Invalid(errors)) => {
            let page = new_page(&state, &ctx, input, errors.into()).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

#[derive(Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default, rename = "xong")]
    done: String,
    /// After an enrolment: `registered-waiting-already`.
    #[serde(default, rename = "so")]
    enrolled: String,
}

/// What an enrolment came to, in words (`so` = `registered-waiting-already`).
fn enrolled_message(so: &str) -> Option<String> {
    let n: Vec<usize> = so.split('-').filter_map(|x| x.parse().ok()).collect();
    let [registered, waiting, already] = n[..] else {
        return None;
    };
    let mut parts = vec![format!("Đã ghi danh {registered} người")];
    if waiting > 0 {
        parts.push(format!("{waiting} người vào danh sách chờ (lớp đã đủ chỗ)"));
    }
    if already > 0 {
        parts.push(format!("{already} người đã có trong lớp từ trước"));
    }
    Some(format!("{}.", parts.join("; ")))
}

/// What `?xong=` says after each form of this page.
const DONE: &[(&str, &str)] = &[
    (
        "da-mo",
        "Đã mở lớp. Người học đăng ký tại “Lớp học”, hoặc bạn ghi danh họ ở dưới.",
    ),
    ("da-ghi-danh", "Đã ghi danh."),
    (
        "da-vao-danh-sach-cho",
        "Lớp đã đủ chỗ: người này vào danh sách chờ.",
    ),
    ("da-co", "Người này đã đăng ký (hoặc đang chờ) lớp này rồi."),
    ("da-diem-danh", "Đã lưu điểm danh."),
];

async fn class_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    done: Option<String>,
    refused: Option<String>,
    phone: String,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(c) = classes::class_page(state, user, id).await? else {
        return Err(WebError::NotFound);
    };
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ClassView {
        l: ctx.chrome(c.line.title.clone()),
        done,
        refused,
        c,
        phone,
    };
    Ok(render(ctx, status, &page))
}

pub async fn class(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let done = enrolled_message(&q.enrolled)
        .or_else(|| crate::web::pages::done_sentence(&q.done, DONE).map(str::to_owned));
    class_view(&state, &ctx, id, done, None, String::new()).await
}

#[derive(Default, Deserialize)]
pub struct EnrolForm {
    #[serde(default, rename = "dien_thoai")]
    phone: String,
}

pub async fn enrol(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm { data: f, .. }: CsrfForm<EnrolForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match places::enrol(&state, user, id, &f.phone).await? {
        Enrolled::NotFound => Err(WebError::NotFound),
        Enrolled::Refused(why) => class_view(&state, &ctx, id, None, Some(why), f.phone).await,
        Enrolled::Done {
            registered,
            waiting,
            already,
        } => Ok(see_other(&format!(
            "/lop-hoc/quan-ly/{id}?so={registered}-{waiting}-{already}#ghi-danh"
        ))),
    }
}

/// Most people one attendance list may tick.
const MAX_TICKS: usize = 5_000;

pub async fn mark(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, session_id)): Path<(i64, i64)>,
    form: CsrfForm<crate::web::pages::accounts::sign_in::Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let mut present = BTreeSet::new();
    for (k, v) in &form.pairs {
        if k == "co-mat" {
            if present.len() >= MAX_TICKS {
                return Err(WebError::BadRequest("too many ticks".into()));
            }
            present.insert(
                v.parse::<i64>()
                    .map_err(|_| WebError::BadRequest(format!("person id {v:?}")))?,
            );
        }
    }
    if !attendance::mark(&state, user, id, session_id, &present).await? {
        return Err(WebError::NotFound);
    }
    Ok(see_other(&format!(
        "/lop-hoc/quan-ly/{id}?xong=da-diem-danh#buoi-{session_id}"
    )))
}

pub async fn code(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, session_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(s) = attendance::code_screen(&state, user, id, session_id).await? else {
        return Err(WebError::NotFound);
    };
    let qr = if s.on_now {
        crate::services::shared::qr::svg(
            &format!("{}/diem-danh?ma={}", state.config.site_url(), s.code),
            &format!("Mã QR điểm danh: {}", s.code),
        )
        .unwrap_or_default()
    } else {
        String::new()
    };
    let page = CodeView {
        l: ctx.chrome(format!("Điểm danh: {}", s.class)),
        s,
        class_id: id,
        qr,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn list_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    list_file(state, ctx, id, classes::FileFormat::Xlsx).await
}

pub async fn list_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    list_file(state, ctx, id, classes::FileFormat::Pdf).await
}

async fn list_file(
    state: AppState,
    ctx: Ctx,
    id: i64,
    format: classes::FileFormat,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(bytes) = classes::list_file(&state, user, id, format).await? else {
        return Err(WebError::NotFound);
    };
    let (kind, ext) = file_kind(format);
    Ok(crate::web::pages::download(
        bytes,
        kind,
        &format!("lop-hoc-{id}.{ext}"),
    ))
}

/// The content type and the file name's extension of a format.
fn file_kind(format: classes::FileFormat) -> (&'static str, &'static str) {
    match format {
        classes::FileFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        classes::FileFormat::Pdf => ("application/pdf", "pdf"),
    }
}

pub async fn report_xlsx(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    report_file(state, ctx, classes::FileFormat::Xlsx).await
}

pub async fn report_pdf(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    report_file(state, ctx, classes::FileFormat::Pdf).await
}

async fn report_file(
    state: AppState,
    ctx: Ctx,
    format: classes::FileFormat,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let bytes = classes::unit_report_file(&state, user, format).await?;
    let (kind, ext) = file_kind(format);
    Ok(crate::web::pages::download(
        bytes,
        kind,
        &format!("lop-hoc-theo-don-vi.{ext}"),
    ))
}
