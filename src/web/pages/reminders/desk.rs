//! /nhac-nho: officers remind the people of their units who have not finished — write,
//! preview (how many it reaches, how the text message reads), send, follow the delivery log —
//! and set weekly reminders (`services::reminders`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::reminders::compose::{
    self, DeliveryLog, Preview, ReminderInput, ReminderLine,
};
use crate::services::reminders::schedules::{self, ScheduleInput, ScheduleLine, DAYS};
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::accounts::sign_in::Empty;
use crate::web::pages::DoneQuery;
use crate::web::pages::{Choice, Errors};

#[derive(Template)]
#[template(path = "reminders/desk/index.html")]
pub struct IndexPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub errors: Errors,
    pub units: Vec<Choice>,
    pub groups: Vec<Choice>,
    pub input: ReminderInput,
    pub reminders: Vec<ReminderLine>,
    pub text_hint: String,
    /// No text messages at night (`[sms] quiet_hours`).
    pub quiet_hours: bool,
}

#[derive(Template)]
#[template(path = "reminders/desk/weekly.html")]
pub struct WeeklyPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub errors: Errors,
    pub schedules: Vec<ScheduleLine>,
    pub input: ScheduleInput,
    pub units: Vec<Choice>,
    pub groups: Vec<Choice>,
    pub days: Vec<Choice>,
    pub hours: Vec<Choice>,
    pub text_hint: String,
}

#[derive(Template)]
#[template(path = "reminders/desk/preview.html")]
pub struct PreviewPage {
    pub l: Chrome,
    pub p: Preview,
    pub input: ReminderInput,
    pub recipients: i64,
    pub quiet: bool,
}

#[derive(Template)]
#[template(path = "reminders/desk/log.html")]
pub struct LogPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub log: DeliveryLog,
}

/// `dd/mm/yyyy hh:mm` (Vietnam time), for the templates.
fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    crate::clock::format_date_time(*t)
}

impl IndexPage {
    pub fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        when(t)
    }
}

impl WeeklyPage {
    pub fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        when(t)
    }
}

impl LogPage {
    pub fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        when(t)
    }
}

impl PreviewPage {
    pub fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        when(t)
    }

    /// `12.345`.
    pub fn number(&self, n: &i64) -> String {
        hocvuso_domain::format::number(*n)
    }
}

#[derive(Default, Deserialize)]
pub struct IndexQuery {
    #[serde(default, rename = "don_vi")]
    unit: String,
    #[serde(default, rename = "nhom")]
    group: String,
    #[serde(default, rename = "xong")]
    done: String,
}

fn choices(units: &[hocvuso_db::repo::org::OrgUnit], chosen: &str) -> Vec<Choice> {
    units
        .iter()
        .map(|u| Choice {
            value: u.code.clone(),
            label: u.name.clone(),
            selected: u.code == chosen || units.len() == 1,
        })
        .collect()
}

fn group_choices(chosen: &str) -> Vec<Choice> {
    hocvuso_domain::TargetGroup::ALL
        .iter()
        .map(|g| Choice {
            value: g.code().to_owned(),
            label: g.name_vi().to_owned(),
            selected: g.code() == chosen,
        })
        .collect()
}

async fn index_page(
    state: &AppState,
    ctx: &Ctx,
    input: ReminderInput,
    errors: Errors,
    done: Option<&'static str>,
) -> Result<IndexPage, WebError> {
    let user = ctx.user()?;
    let units = compose::units_for(state, user).await?;
    Ok(IndexPage {
        l: ctx.chrome("Nhắc người chưa học xong"),
        done,
        errors,
        units: choices(&units, &input.unit),
        groups: group_choices(&input.group),
        reminders: compose::recent(state, user).await?,
        quiet_hours: state.config.sms_quiet_hours,
        input,
        text_hint: format!(
            "Ngắn gọn, dễ hiểu, tối đa {} ký tự. Tin nhắn gửi đi không dấu, bắt đầu bằng \"{}\". Ví dụ: Ba con chua hoc xong bai ky nang so co ban, moi den nha van hoa thon sang thu Bay de duoc huong dan.",
            compose::MAX_TEXT,
            compose::SIGNATURE.trim_end()
        ),
    })
}

async fn weekly_page(
    state: &AppState,
    ctx: &Ctx,
    input: ScheduleInput,
    errors: Errors,
    done: Option<&'static str>,
) -> Result<WeeklyPage, WebError> {
    let user = ctx.user()?;
    let units = compose::units_for(state, user).await?;
    Ok(WeeklyPage {
        l: ctx.chrome("Lời nhắc hằng tuần"),
        done,
        errors,
        schedules: schedules::list(state, user).await?,
        units: choices(&units, &input.unit),
        groups: group_choices(&input.group),
        days: DAYS
            .iter()
            .enumerate()
            .map(|(i, d)| Choice {
                value: (i + 1).to_string(),
                label: (*d).to_owned(),
                selected: input.weekday == (i + 1).to_string(),
            })
            .collect(),
        hours: schedules::hours(state)
            .map(|h: u32| Choice {
                value: h.to_string(),
                label: format!("{h:02}:00"),
                selected: input.gio == h.to_string(),
            })
            .collect(),
        input,
        text_hint: format!(
            "Tối đa {} ký tự; tin nhắn gửi đi không dấu.",
            compose::MAX_TEXT
        ),
    })
}

/// A loop of previews or sends is stopped (`Limits::reminder_person`).
fn throttle(state: &AppState, person_id: i64) -> Result<(), WebError> {
    state
        .limits
        .reminder_person
        .check(&format!("gui-{person_id}"), state.clock.now())
        .map_err(WebError::TooMany)
}

/// What `?xong=` says after each form of this page.
const DONE: &[(&str, &str)] = &[
    ("da-dat-lich", "Đã đặt lời nhắc hằng tuần."),
    ("da-tam-dung", "Đã tạm dừng lời nhắc hằng tuần."),
    ("da-tiep-tuc", "Lời nhắc hằng tuần chạy lại từ tuần này."),
    (
        "da-gui",
        "Đã xếp lời nhắc vào hàng gửi. Trang này cho biết từng tin đã đi chưa.",
    ),
];

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<IndexQuery>,
) -> Result<Response, WebError> {
    let input = ReminderInput {
        unit: q.unit,
        group: q.group,
        ..ReminderInput::default()
    };
    let page = index_page(
        &state,
        &ctx,
        input,
        Errors::default(),
        crate::web::pages::done_sentence(&q.done, DONE),
    )
    .await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn weekly(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let input = ScheduleInput {
        weekday: "1".to_owned(),
        gio: "8".to_owned(),
        duoi_chi_tieu: "1".to_owned(),
        ..ScheduleInput::default()
    };
    let page = weekly_page(&state, &ctx, input, Errors::default(), q.message(DONE)).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// The form sent: the preview (nothing written), or the form again with the errors.
pub async fn preview(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: input, .. }: CsrfForm<ReminderInput>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    throttle(&state, user.person_id)?;
    match compose::preview(&state, user, &input).await {
        Ok(p) => {
            let page = PreviewPage {
                l: ctx.chrome("Xem trước lời nhắc"),
                recipients: p.reach.recipients(),
                quiet: p.sms_from != p.send_after,
                p,
                input,
            };
            Ok(render(&ctx, StatusCode::OK, &page))
        }
        Err(FormError::Invalid(errors)) => {
            let page = index_page(&state, &ctx, input, errors.into(), None).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

/// The preview confirmed: queued, then its delivery log.
pub async fn send(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: input, .. }: CsrfForm<ReminderInput>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    throttle(&state, user.person_id)?;
    match compose::send(&state, user, &input).await {
        Ok((id, _)) => Ok(see_other(&format!("/nhac-nho/{id}?xong=da-gui"))),
        Err(FormError::Invalid(errors)) => {
            let page = index_page(&state, &ctx, input, errors.into(), None).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

pub async fn log(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let log = compose::log(&state, user, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let page = LogPage {
        l: ctx.chrome("Lời nhắc đã gửi"),
        done: q.message(DONE),
        log,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn create_schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm { data: input, .. }: CsrfForm<ScheduleInput>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match schedules::create(&state, user, &input).await {
        Ok(_) => Ok(see_other("/nhac-nho/hang-tuan?xong=da-dat-lich")),
        Err(FormError::Invalid(errors)) => {
            let page = weekly_page(&state, &ctx, input, errors.into(), None).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

/// `tam-dung` (pause) or `tiep-tuc` (resume) a weekly reminder.
pub async fn schedule_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let active = match action.as_str() {
        "tam-dung" => false,
        "tiep-tuc" => true,
        _ => return Err(WebError::NotFound),
    };
    if !schedules::set_active(&state, user, id, active).await? {
        return Err(WebError::NotFound);
    }
    Ok(see_other(if active {
        "/nhac-nho/hang-tuan?xong=da-tiep-tuc"
    } else {
        "/nhac-nho/hang-tuan?xong=da-tam-dung"
    }))
}
