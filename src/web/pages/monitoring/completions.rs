//! /thong-ke/hoan-thanh: the province imports results of courses taught on the national
//! platform (binhdanhocvuso.gov.vn): who completed, by citizen ID, and when. Upload → dry run
//! (every row error in Vietnamese, with its line; what would be added) → confirm → all or
//! nothing. The file waits in the database between the two steps. Province admin only.

use crate::services::shared::imports::{self, ImportKind};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_domain::format;
use serde::Deserialize;

use crate::clock::format_date_time;
use crate::services::monitoring::completions::{self, CompletionError, Mode, Report, Request};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, Chrome};

/// Largest results upload (a million rows as .xlsx is ≈ 25 MB).
pub const MAX_MB: usize = 60;

impl From<CompletionError> for WebError {
    fn from(e: CompletionError) -> Self {
        match e {
            CompletionError::Internal(i) => i.into(),
            other => WebError::Refused(other.to_string()),
        }
    }
}

fn province_admin(ctx: &Ctx) -> Result<i64, WebError> {
    let user = ctx.user()?;
    if user.is_province_admin() {
        Ok(user.person_id)
    } else {
        Err(WebError::Forbidden)
    }
}

pub struct ImportView {
    pub at: String,
    pub course: String,
    pub source: String,
    pub file_name: String,
    pub rows: String,
    pub added: String,
    pub unchanged: String,
    pub skipped: String,
}

#[derive(Template)]
#[template(path = "monitoring/completions/index.html")]
pub struct IndexPage {
    pub l: Chrome,
    pub courses: Vec<crate::web::pages::Choice>,
    pub max_mb: usize,
    pub imports: Vec<ImportView>,
    pub done: Option<ReportView>,
}

/// A report, ready to show.
pub struct ReportView {
    pub course_title: String,
    pub encoding: &'static str,
    pub rows: String,
    pub blank: usize,
    pub added: String,
    pub unchanged: String,
    pub skipped: String,
    pub skipped_lines: String,
    pub ignored: String,
    /// `(line text, message)`
    pub errors: Vec<(String, String)>,
    pub more_errors: String,
    pub error_count: String,
}

impl ReportView {
    fn of(r: &Report) -> Self {
        let n = |x: usize| format::number(x as i64);
        let listed = crate::web::pages::ErrorList::of(&r.errors, r.error_count);
        Self {
            course_title: r.course_title.clone(),
            encoding: r.encoding,
            rows: n(r.rows),
            blank: r.blank,
            added: n(r.added),
            unchanged: n(r.unchanged),
            skipped: n(r.skipped),
            skipped_lines: r
                .skipped_lines
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            ignored: r.ignored_columns.join(", "),
            errors: listed.errors,
            more_errors: listed.more,
            error_count: listed.count,
        }
    }
}

async fn index_page(
    state: &AppState,
    ctx: &Ctx,
    chosen: &str,
    done: Option<ReportView>,
) -> Result<IndexPage, WebError> {
    let n = |x: i64| format::number(x);
    let imports = completions::recent(state)
        .await?
        .into_iter()
        .map(|i| ImportView {
            at: format_date_time(i.at),
            course: i.course_title,
            source: i.source,
            file_name: i.file_name,
            rows: n(i.rows),
            added: n(i.added),
            unchanged: n(i.unchanged),
            skipped: n(i.skipped),
        })
        .collect();
    let courses = completions::importable_courses(state)
        .into_iter()
        .enumerate()
        .map(|(i, (slug, title))| crate::web::pages::Choice {
            selected: slug == chosen || (chosen.is_empty() && i == 0),
            value: slug,
            label: title,
        })
        .collect();
    Ok(IndexPage {
        l: ctx.chrome("Nhập kết quả học trên nền tảng quốc gia"),
        courses,
        max_mb: MAX_MB,
        imports,
        done,
    })
}

pub async fn index(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let page = index_page(&state, &ctx, "", None).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "monitoring/completions/preview.html")]
pub struct PreviewPage {
    pub l: Chrome,
    pub file_name: String,
    pub course: String,
    pub source: String,
    pub skip_unknown: bool,
    pub report: ReportView,
    pub ok: bool,
    pub token: String,
}

fn preview_status(ok: bool) -> StatusCode {
    if ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Upload (multipart: `csrf_token`, `khoa`, `nguon`, `bo-qua`, `tep`) → the dry run.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let actor = province_admin(&ctx)?;
    let upload = crate::web::pages::Upload::read(&state, &ctx, multipart, "tep", MAX_MB).await?;
    let file_name = upload.file_name.chars().take(200).collect::<String>();
    let course = upload.field("khoa").to_owned();
    let source = upload
        .field("nguon")
        .trim()
        .chars()
        .take(200)
        .collect::<String>();
    let skip_unknown = !upload.field("bo-qua").is_empty();
    let req = Request {
        course_slug: &course,
        source: &source,
        file_name: &file_name,
        skip_unknown,
    };
    let report = completions::run(
        &state,
        Some(actor),
        &req,
        upload.bytes.clone(),
        Mode::DryRun,
    )
    .await?;
    let mut token = String::new();
    if report.is_ok() {
        token = imports::stash(
            &state.db,
            state.clock.now(),
            actor,
            ImportKind::Completions,
            &file_name,
            upload.bytes,
        )
        .await?;
    }
    let page = PreviewPage {
        l: ctx.chrome("Kiểm tra kết quả trước khi nhập"),
        file_name,
        course,
        source,
        skip_unknown,
        report: ReportView::of(&report),
        ok: report.is_ok(),
        token,
    };
    Ok(render(&ctx, preview_status(page.ok), &page))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default, rename = "ma")]
    token: String,
    #[serde(default, rename = "khoa")]
    course: String,
    #[serde(default, rename = "nguon")]
    source: String,
    #[serde(default, rename = "bo-qua")]
    skip: String,
}

/// Confirm (`ma`: the upload's token; the course, source and choice carried over) → the
/// import, all or nothing.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    form: CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let actor = province_admin(&ctx)?;
    let f = &form.data;
    let Some(upload) =
        imports::stashed(&state.db, &f.token, actor, ImportKind::Completions).await?
    else {
        return Err(WebError::Refused(imports::GONE.into()));
    };
    let req = Request {
        course_slug: &f.course,
        source: &f.source,
        file_name: &upload.file_name,
        skip_unknown: !f.skip.is_empty(),
    };
    let report = completions::run(&state, Some(actor), &req, upload.bytes, Mode::Apply).await?;
    if !report.is_ok() {
        // Something changed since the dry run: show why.
        let page = PreviewPage {
            l: ctx.chrome("Kiểm tra kết quả trước khi nhập"),
            file_name: upload.file_name.clone(),
            course: f.course.clone(),
            source: f.source.clone(),
            skip_unknown: req.skip_unknown,
            report: ReportView::of(&report),
            ok: false,
            token: String::new(),
        };
        return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    imports::forget(&state.db, &upload.token).await?;
    let page = index_page(&state, &ctx, &f.course, Some(ReportView::of(&report))).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// The header row alone, as CSV (UTF-8 with a byte-order mark, which Excel needs): no sample
/// person, whose ID could be a real one.
pub async fn template_csv(ctx: Ctx) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let text = "\u{feff}STT,Họ và tên,Số định danh cá nhân,Ngày hoàn thành\r\n";
    Ok(crate::web::pages::download(
        text.as_bytes().to_vec(),
        "text/csv; charset=utf-8",
        "mau-ket-qua-hoan-thanh.csv",
    ))
}
