//! /bao-cao-dinh-ky: reporting periods, a unit's report for a period and its workflow, and who
//! reported (`services::plan::reports`). The province schedules periods and reviews; officers
//! write their units' reports.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_domain::UnitKind;
use serde::Deserialize;

use crate::services::plan::reports::{
    self, Done, PeriodInput, PeriodLine, PeriodPage, ReportPage, WrittenInput, KINDS,
    REPORTER_KINDS,
};
use crate::services::plan::{consolidated, report_files};
use crate::services::shared::evidence;
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::DoneQuery;
use crate::web::pages::{Choice, Errors, Upload};

/// Largest request body of a file attached to a report.
pub const BODY_LIMIT: usize = evidence::MAX_BYTES + 64 * 1024;

#[derive(Template)]
#[template(path = "plan/reports/list.html")]
pub struct ListPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub is_province: bool,
    pub periods: Vec<PeriodLine>,
}

#[derive(Template)]
#[template(path = "plan/reports/new.html")]
pub struct NewPage {
    pub l: Chrome,
    pub errors: Errors,
    pub kinds: Vec<Choice>,
    pub year: String,
    pub number: String,
    pub due: String,
    /// `(code, words, ticked)`.
    pub reporters: Vec<(String, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "plan/reports/period.html")]
pub struct PeriodView {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub is_province: bool,
    pub p: PeriodPage,
}

#[derive(Template)]
#[template(path = "plan/reports/report.html")]
pub struct ReportView {
    pub l: Chrome,
    pub errors: Errors,
    pub done: Option<&'static str>,
    pub refused: Option<&'static str>,
    pub r: ReportPage,
    pub header: [&'static str; 7],
}

/// What `?xong=` says after each form of this page.
const DONE: &[(&str, &str)] = &[
    (
        "da-tao",
        "Đã tạo kỳ báo cáo. Các đơn vị viết báo cáo sau ngày cuối của kỳ.",
    ),
    (
        "da-luu",
        "Đã lưu bản nháp. Số liệu cuối kỳ đã được chốt vào báo cáo.",
    ),
    (
        "da-gui",
        "Đã gửi báo cáo. Cấp tỉnh sẽ duyệt; kết quả hiện ở đây.",
    ),
    ("da-tra-lai", "Đã trả lại báo cáo để đơn vị sửa."),
    ("da-duyet", "Đã duyệt báo cáo."),
    ("da-dinh-kem", "Đã đính kèm tệp."),
    ("da-bo-tep", "Đã bỏ tệp."),
];

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let page = ListPage {
        l: ctx.chrome("Báo cáo định kỳ"),
        done: q.message(DONE),
        is_province: user.is_province_admin(),
        periods: reports::periods(&state, user).await?,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

fn new_page(ctx: &Ctx, errors: Errors, input: &PeriodInput) -> NewPage {
    NewPage {
        l: ctx.chrome("Kỳ báo cáo mới"),
        errors,
        kinds: KINDS
            .iter()
            .map(|(v, l)| Choice {
                value: (*v).to_owned(),
                label: (*l).to_owned(),
                selected: input.kind == *v,
            })
            .collect(),
        year: input.year.clone(),
        number: input.number.clone(),
        due: input.due.clone(),
        reporters: REPORTER_KINDS
            .iter()
            .map(|k| {
                (
                    k.code().to_owned(),
                    k.name_vi(),
                    input.reporters.iter().any(|r| r == k.code()),
                )
            })
            .collect(),
    }
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let now = crate::clock::vietnam_time(state.clock.now());
    let input = PeriodInput {
        kind: "month".into(),
        year: chrono::Datelike::year(&now).to_string(),
        number: chrono::Datelike::month(&now).to_string(),
        reporters: vec![UnitKind::Commune.code().to_owned()],
        ..PeriodInput::default()
    };
    Ok(render(
        &ctx,
        StatusCode::OK,
        &new_page(&ctx, Errors::default(), &input),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    form: CsrfForm<crate::web::pages::accounts::sign_in::Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let field = |name: &str| {
        form.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = PeriodInput {
        kind: field("loai"),
        year: field("nam"),
        number: field("so"),
        due: field("han"),
        reporters: form
            .pairs
            .iter()
            .filter(|(k, _)| k == "don_vi")
            .take(REPORTER_KINDS.len() + 1)
            .map(|(_, v)| v.clone())
            .collect(),
    };
    match reports::create_period(&state, user, &input).await {
        Ok(id) => Ok(see_other(&format!("/bao-cao-dinh-ky/{id}?xong=da-tao"))),
        Err(FormError::Invalid(errors)) => Ok(render(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(&ctx, errors.into(), &input),
        )),
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

pub async fn period(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(p) = reports::period_page(&state, user, id).await? else {
        return Err(WebError::NotFound);
    };
    let page = PeriodView {
        l: ctx.chrome(format!("Báo cáo định kỳ: {}", p.line.period.title)),
        done: q.message(DONE),
        is_province: user.is_province_admin(),
        p,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// The report's page, with what was sent back when a step did not go through.
async fn report_view(
    state: &AppState,
    ctx: &Ctx,
    (id, code): (i64, &str),
    errors: Errors,
    refused: Option<&'static str>,
    sent: Option<&WrittenInput>,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(mut r) = reports::report_page(state, user, id, code).await? else {
        return Err(WebError::NotFound);
    };
    if let Some(s) = sent {
        r.done_text.clone_from(&s.done_work);
        r.difficulties.clone_from(&s.difficulties);
        r.proposals.clone_from(&s.proposals);
    }
    let status = if errors.is_empty() && refused.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ReportView {
        l: ctx.chrome(format!("Báo cáo {}: {}", r.period.title, r.unit_name)),
        errors,
        done,
        refused,
        header: crate::services::monitoring::report::SUMMARY_HEADER,
        r,
    };
    Ok(render(ctx, status, &page))
}

pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    report_view(
        &state,
        &ctx,
        (id, &code),
        Errors::default(),
        None,
        None,
        q.message(DONE),
    )
    .await
}

/// Where a step lands: the report again with a message, or with what went wrong.
async fn after(
    state: &AppState,
    ctx: &Ctx,
    (id, code): (i64, &str),
    result: Result<Done, FormError>,
    sent: Option<&WrittenInput>,
    done: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(Done::Done) => Ok(see_other(&format!(
            "/bao-cao-dinh-ky/{id}/{code}?xong={done}"
        ))),
        Ok(Done::NotFound) => Err(WebError::NotFound),
        Ok(Done::Refused(why)) => {
            report_view(
                state,
                ctx,
                (id, code),
                Errors::default(),
                Some(why),
                sent,
                None,
            )
            .await
        }
        Err(FormError::Invalid(errors)) => {
            report_view(state, ctx, (id, code), errors.into(), None, sent, None).await
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

#[derive(Default, Deserialize)]
pub struct SaveForm {
    #[serde(default, rename = "da_lam")]
    done_work: String,
    #[serde(default, rename = "kho_khan")]
    difficulties: String,
    #[serde(default, rename = "de_xuat")]
    proposals: String,
    #[serde(default, rename = "gui")]
    send: String,
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    CsrfForm { data: f, .. }: CsrfForm<SaveForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let send = f.send == "1";
    let written = WrittenInput {
        done_work: f.done_work,
        difficulties: f.difficulties,
        proposals: f.proposals,
    };
    let result = reports::save(&state, user, id, &code, &written, send).await;
    let done = if send { "da-gui" } else { "da-luu" };
    after(&state, &ctx, (id, &code), result, Some(&written), done).await
}

#[derive(Default, Deserialize)]
pub struct ReviewForm {
    #[serde(default, rename = "quyet")]
    decision: String,
    #[serde(default, rename = "nhan_xet")]
    comment: String,
}

pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    CsrfForm { data: f, .. }: CsrfForm<ReviewForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let approve = match f.decision.as_str() {
        "duyet" => true,
        "tra-lai" => false,
        _ => {
            let mut errors = Errors::default();
            errors.push("quyet", "Hãy chọn duyệt hoặc trả lại.");
            return report_view(&state, &ctx, (id, &code), errors, None, None, None).await;
        }
    };
    let result = reports::review(&state, user, id, &code, approve, &f.comment).await;
    let done = if approve { "da-duyet" } else { "da-tra-lai" };
    after(&state, &ctx, (id, &code), result, None, done).await
}

/// Attaches a file (a PDF or a photo) to the report while it can be edited.
pub async fn attach(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code)): Path<(i64, String)>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let upload = Upload::read_evidence(&state, &ctx, multipart).await?;
    match report_files::attach(&state, user, id, &code, &upload.file_name, &upload.bytes).await? {
        Ok(done) => after(&state, &ctx, (id, &code), Ok(done), None, "da-dinh-kem").await,
        Err(why) => {
            let mut errors = Errors::default();
            errors.push("tep", why);
            report_view(&state, &ctx, (id, &code), errors, None, None, None).await
        }
    }
}

/// Removes an attached file while the report can be edited.
pub async fn remove_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code, file)): Path<(i64, String, i64)>,
    CsrfForm { .. }: CsrfForm<DoneQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let result = report_files::remove(&state, user, id, &code, file).await?;
    after(&state, &ctx, (id, &code), Ok(result), None, "da-bo-tep").await
}

/// A file attached to a report, to whoever may read the report.
pub async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, code, file)): Path<(i64, String, i64)>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(f) = report_files::file(&state, user, id, &code, file).await? else {
        return Err(WebError::NotFound);
    };
    Ok(crate::web::pages::evidence_download(
        f.bytes,
        &f.content_type,
        &format!("bao-cao-{id}-{code}-{file}"),
    ))
}

/// The consolidated report of a period (the province): PDF.
pub async fn consolidated_pdf(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let Some((name, bytes)) = consolidated::pdf(&state, id).await? else {
        return Err(WebError::NotFound);
    };
    Ok(crate::web::pages::download(bytes, "application/pdf", &name))
}

/// The consolidated report of a period (the province): .docx to edit in Word.
pub async fn consolidated_docx(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let Some((name, bytes)) = consolidated::docx(&state, id).await? else {
        return Err(WebError::NotFound);
    };
    Ok(crate::web::pages::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &name,
    ))
}
