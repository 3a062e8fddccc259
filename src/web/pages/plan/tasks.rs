//! /ke-hoach: the plan's tasks with their lead agencies and progress notes (`services::plan::
//! tasks`). Every officer sees the board; the province and the officers of a task's lead unit
//! record progress; the province names lead units and adds tasks.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::plan::tasks::{self, NoteInput, TaskInput, TaskLine, TaskPage};
use crate::services::shared::evidence;
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::DoneQuery;
use crate::web::pages::{Choice, Errors, Upload};

/// Largest request body of a progress note with its evidence file.
pub const BODY_LIMIT: usize = evidence::MAX_BYTES + 64 * 1024;

#[derive(Template)]
#[template(path = "plan/tasks/board.html")]
pub struct BoardPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub is_province: bool,
    pub tasks: Vec<TaskLine>,
    pub overdue: usize,
}

#[derive(Template)]
#[template(path = "plan/tasks/task.html")]
pub struct TaskView {
    pub l: Chrome,
    pub errors: Errors,
    pub done: Option<&'static str>,
    pub t: TaskPage,
    pub statuses: Vec<Choice>,
    pub units: Vec<Choice>,
    pub day: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "plan/tasks/new.html")]
pub struct NewPage {
    pub l: Chrome,
    pub errors: Errors,
    pub form: TaskInput,
}

/// What `?xong=` says after each form of this page.
const DONE: &[(&str, &str)] = &[
    ("da-ghi", "Đã ghi báo cáo tiến độ."),
    ("da-giao", "Đã ghi đơn vị chủ trì."),
    ("da-them", "Đã thêm nhiệm vụ."),
];

pub async fn board(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let lines = tasks::board(&state).await?;
    let page = BoardPage {
        l: ctx.chrome("Nhiệm vụ của kế hoạch"),
        done: q.message(DONE),
        is_province: user.is_province_admin(),
        overdue: lines.iter().filter(|t| t.overdue.is_some()).count(),
        tasks: lines,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// The task's page, with what was sent back when a form did not go through.
async fn task_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: Errors,
    sent: Option<&NoteInput>,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(t) = tasks::task_page(state, user, id).await? else {
        return Err(WebError::NotFound);
    };
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    let status = sent.map_or_else(|| t.line.status_code.clone(), |s| s.status.clone());
    let lead_code = t.lead_unit_code.clone();
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TaskView {
        l: ctx.chrome(format!(
            "Nhiệm vụ {}: {}",
            t.line.task.code, t.line.task.title
        )),
        statuses: tasks::STATUSES
            .iter()
            .map(|(v, l)| Choice {
                value: (*v).to_owned(),
                label: (*l).to_owned(),
                selected: *v == status,
            })
            .collect(),
        units: t
            .units
            .iter()
            .map(|(code, name)| Choice {
                value: code.clone(),
                label: name.clone(),
                selected: *code == lead_code,
            })
            .collect(),
        day: sent.map_or_else(|| today.format("%d/%m/%Y").to_string(), |s| s.day.clone()),
        note: sent.map(|s| s.note.clone()).unwrap_or_default(),
        errors,
        done,
        t,
    };
    Ok(render(ctx, code, &page))
}

pub async fn task(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    task_view(&state, &ctx, id, Errors::default(), None, q.message(DONE)).await
}

pub async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let upload = Upload::read_evidence(&state, &ctx, multipart).await?;
    let input = NoteInput {
        status: upload.field("trang_thai").to_owned(),
        day: upload.field("ngay").to_owned(),
        note: upload.field("ghi_chu").to_owned(),
    };
    let file = (!upload.bytes.is_empty()).then(|| (upload.file_name.as_str(), &upload.bytes[..]));
    match tasks::record(&state, user, id, &input, file).await {
        Ok(Some(())) => Ok(see_other(&format!("/ke-hoach/{id}?xong=da-ghi#tien-do"))),
        Ok(None) => Err(WebError::NotFound),
        Err(FormError::Invalid(errors)) => {
            task_view(&state, &ctx, id, errors.into(), Some(&input), None).await
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

pub async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    ctx.user()?;
    let Some(f) = tasks::file(&state, id, file_id).await? else {
        return Err(WebError::NotFound);
    };
    Ok(crate::web::pages::evidence_download(
        f.bytes,
        &f.content_type,
        &format!("ke-hoach-{id}-{file_id}"),
    ))
}

#[derive(Default, Deserialize)]
pub struct LeadForm {
    #[serde(default, rename = "don_vi")]
    unit: String,
}

pub async fn set_lead_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm { data: f, .. }: CsrfForm<LeadForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match tasks::set_lead_unit(&state, user, id, &f.unit).await? {
        None => Err(WebError::NotFound),
        Some(Ok(())) => Ok(see_other(&format!("/ke-hoach/{id}?xong=da-giao"))),
        Some(Err(why)) => {
            let mut errors = Errors::default();
            errors.push("don_vi", why);
            task_view(&state, &ctx, id, errors, None, None).await
        }
    }
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let year = chrono::Datelike::year(&crate::clock::vietnam_time(state.clock.now())) + 1;
    let page = NewPage {
        l: ctx.chrome("Thêm nhiệm vụ"),
        errors: Errors::default(),
        form: TaskInput {
            year: year.to_string(),
            bat_dau: format!("01/01/{year}"),
            ..TaskInput::default()
        },
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: input, .. }: CsrfForm<TaskInput>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match tasks::create(&state, user, &input).await {
        Ok(id) => Ok(see_other(&format!("/ke-hoach/{id}?xong=da-them"))),
        Err(FormError::Invalid(errors)) => {
            let page = NewPage {
                l: ctx.chrome("Thêm nhiệm vụ"),
                errors: errors.into(),
                form: input,
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}
