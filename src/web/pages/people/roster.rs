//! /danh-sach/nhap: a unit officer or the province admin imports a roster of people from Excel
//! or CSV. Upload → dry run (every row error in Vietnamese, with its line; what would be added,
//! updated, moved) → confirm → all or nothing. The uploaded file waits in the database between
//! the two steps, so the officer does not upload it twice.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_domain::format;
use serde::Deserialize;

use crate::clock::format_date_time;
use crate::services::people::roster::{self, Mode, Report, Scope};
use crate::services::shared::imports::{self, ImportKind};
use crate::services::Internal;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, Chrome};

/// Largest roster upload (a million rows as .xlsx is ≈ 45 MB).
pub const MAX_MB: usize = 100;

/// The importer's scope: the province for its admin, the officer's unit for a unit officer.
async fn scope(state: &AppState, ctx: &Ctx) -> Result<Scope, WebError> {
    let user = ctx.user()?;
    let found = if user.is_province_admin() {
        roster::province_scope(state.db.read()).await?
    } else if let Some(unit) = user.officer_units().next() {
        roster::scope_of(state.db.read(), unit).await?
    } else {
        None
    };
    found.ok_or(WebError::Forbidden)
}

pub struct ImportView {
    pub at: String,
    pub file_name: String,
    pub unit: String,
    pub rows: String,
    pub added: String,
    pub updated: String,
    pub moved: String,
    pub unchanged: String,
}

#[derive(Template)]
#[template(path = "people/roster/index.html")]
pub struct IndexPage {
    pub l: Chrome,
    pub scope_name: String,
    pub max_mb: usize,
    pub imports: Vec<ImportView>,
    pub done: Option<ReportView>,
}

/// A report, ready to show.
pub struct ReportView {
    pub encoding: &'static str,
    pub rows: String,
    pub blank: usize,
    pub added: String,
    pub updated: String,
    pub moved: String,
    pub unchanged: String,
    pub ignored: String,
    /// `(line text, message)`
    pub errors: Vec<(String, String)>,
    pub more_errors: String,
    pub error_count: String,
    /// Who would change and how, `(line text, what)`; and how many more.
    pub changes: Vec<(String, String)>,
    pub more_changes: String,
    /// Written already (else a dry run).
    pub applied: bool,
    /// No errors: what the import does is shown (a refused file does nothing).
    pub ok: bool,
}

impl ReportView {
    fn of(r: &Report) -> Self {
        let n = |x: usize| format::number(x as i64);
        let listed = crate::web::pages::ErrorList::of(&r.errors, r.error_count);
        let changed = crate::web::pages::ErrorList::of(&r.changes, r.change_count);
        Self {
            encoding: r.encoding,
            rows: n(r.rows),
            blank: r.blank,
            added: n(r.added),
            updated: n(r.updated),
            moved: n(r.moved),
            unchanged: n(r.unchanged),
            ignored: r.ignored_columns.join(", "),
            errors: listed.errors,
            more_errors: listed.more,
            error_count: listed.count,
            changes: changed.errors,
            more_changes: changed.more,
            applied: r.applied,
            ok: r.is_ok(),
        }
    }
}

async fn index_page(
    state: &AppState,
    ctx: &Ctx,
    scope: &Scope,
    done: Option<ReportView>,
) -> Result<IndexPage, Internal> {
    let n = |x: i64| format::number(x);
    let imports = roster::recent_imports(state.db.read(), scope, 20)
        .await?
        .into_iter()
        .map(|r| ImportView {
            at: format_date_time(r.import.at),
            file_name: r.import.file_name,
            unit: r.unit_name,
            rows: n(r.import.rows),
            added: n(r.import.added),
            updated: n(r.import.updated),
            moved: n(r.import.moved),
            unchanged: n(r.import.unchanged),
        })
        .collect();
    Ok(IndexPage {
        l: ctx.chrome("Nhập danh sách người học"),
        scope_name: scope.name.clone(),
        max_mb: MAX_MB,
        imports,
        done,
    })
}

pub async fn index(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let scope = scope(&state, &ctx).await?;
    let page = index_page(&state, &ctx, &scope, None).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "people/roster/preview.html")]
pub struct PreviewPage {
    pub l: Chrome,
    pub scope_name: String,
    pub file_name: String,
    pub report: ReportView,
    pub ok: bool,
    pub token: String,
}

/// Upload (multipart: `csrf_token`, `tep`) → the dry run.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let scope = scope(&state, &ctx).await?;
    let user = ctx.user()?;
    let upload = crate::web::pages::Upload::read(&state, &ctx, multipart, "tep", MAX_MB).await?;
    let file_name = upload.file_name.chars().take(200).collect::<String>();
    let report = roster::run(
        &state,
        &scope,
        Some(user.person_id),
        &file_name,
        upload.bytes.clone(),
        Mode::DryRun,
    )
    .await?;
    let mut token = String::new();
    if report.is_ok() {
        token = imports::stash(
            &state.db,
            state.clock.now(),
            user.person_id,
            ImportKind::Roster,
            &file_name,
            upload.bytes,
        )
        .await?;
    }
    let page = PreviewPage {
        l: ctx.chrome("Kiểm tra danh sách trước khi nhập"),
        scope_name: scope.name,
        file_name,
        report: ReportView::of(&report),
        ok: report.is_ok(),
        token,
    };
    let status = if report.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(&ctx, status, &page))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default, rename = "ma")]
    token: String,
}

/// Confirm (`ma`: the upload's token) → the import, all or nothing.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    form: CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let scope = scope(&state, &ctx).await?;
    let user = ctx.user()?;
    let Some(pending) = imports::stashed(
        &state.db,
        &form.data.token,
        user.person_id,
        ImportKind::Roster,
    )
    .await?
    else {
        return Err(WebError::Refused(imports::GONE.into()));
    };
    let report = roster::run(
        &state,
        &scope,
        Some(user.person_id),
        &pending.file_name,
        pending.bytes,
        Mode::Apply,
    )
    .await?;
    if !report.is_ok() {
        // Something changed since the dry run (another import, a registration): show why.
        let page = PreviewPage {
            l: ctx.chrome("Kiểm tra danh sách trước khi nhập"),
            scope_name: scope.name,
            file_name: pending.file_name,
            report: ReportView::of(&report),
            ok: false,
            token: String::new(),
        };
        return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    imports::forget(&state.db, &pending.token).await?;
    let page = index_page(&state, &ctx, &scope, Some(ReportView::of(&report))).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// The header row alone, as CSV (UTF-8 with a byte-order mark, which Excel needs): no sample
/// people, so that the template uploaded as it is changes nobody.
pub async fn template_csv(ctx: Ctx) -> Result<Response, WebError> {
    ctx.user()?;
    let mut out = String::from('\u{feff}');
    out.push_str(&template_rows().join("\r\n"));
    out.push_str("\r\n");
    Ok(crate::web::pages::download(
        out.into_bytes(),
        "text/csv; charset=utf-8",
        "mau-danh-sach.csv",
    ))
}

/// The same as an Excel workbook whose phone and ID columns are text (Excel keeps the 0).
pub async fn template_xlsx(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.user()?;
    let bytes = crate::services::monitoring::exports::roster_template(
        &TEMPLATE_HEADER,
        &TEMPLATE_GUIDE,
        state.clock.now(),
    )?;
    Ok(crate::web::pages::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "mau-danh-sach.xlsx",
    ))
}

pub const TEMPLATE_HEADER: [&str; 10] = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số điện thoại",
    "Số định danh cá nhân",
    "Mã xã",
    "Nhóm",
    "Mã đơn vị",
    "Lớp",
];

/// What each column takes, for the template's "Hướng dẫn" sheet. The template carries no
/// sample people: a template uploaded as it is must change nobody (a sample phone once matched
/// a real learner and would have renamed her).
pub const TEMPLATE_GUIDE: [[&str; 2]; 10] = [
    ["STT", "Số thứ tự (không bắt buộc)."],
    ["Họ và tên", "Bắt buộc, viết có dấu, ví dụ: Nguyễn Thị Hoa."],
    [
        "Ngày sinh",
        "Ngày/tháng/năm (05/03/1962) hoặc chỉ năm sinh (1962).",
    ],
    ["Giới tính", "Nam hoặc Nữ (không bắt buộc)."],
    [
        "Số điện thoại",
        "10 chữ số, bắt đầu bằng 0. Cần số điện thoại hoặc số định danh.",
    ],
    ["Số định danh cá nhân", "12 chữ số trên căn cước công dân."],
    [
        "Mã xã",
        "Mã 5 chữ số của xã, phường (xem trang Tổ chức); có thể ghi tên xã.",
    ],
    [
        "Nhóm",
        "Người dân, Học sinh, sinh viên, Cán bộ, công chức, viên chức, …",
    ],
    [
        "Mã đơn vị",
        "Trường, cơ quan, thôn của người đó (không bắt buộc).",
    ],
    [
        "Lớp",
        "Lớp của học sinh ở trường ghi trong Mã đơn vị, ví dụ 6A1 (không bắt buộc; chỉ cho học sinh).",
    ],
];

fn template_rows() -> Vec<String> {
    vec![TEMPLATE_HEADER.join(",")]
}
