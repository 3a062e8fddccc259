//! /ton-vinh/de-xuat: a unit's proposals to honour an individual or a collective, with evidence
//! files, and the province's review (`services::honours::proposals`). Officers reach their
//! units' proposals only; the province decides.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::honours::proposals::{self, Decision, Detail, Done, Input, Summary};
use crate::services::shared::evidence;
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::DoneQuery;
use crate::web::pages::{Choice, Errors, Upload};

/// Largest request body of a form with an evidence file.
pub const BODY_LIMIT: usize = evidence::MAX_BYTES + 64 * 1024;

#[derive(Template)]
#[template(path = "honours/proposals/list.html")]
pub struct ListPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub is_province: bool,
    pub years: Vec<Choice>,
    pub proposals: Vec<Summary>,
}

#[derive(Template)]
#[template(path = "honours/proposals/new.html")]
pub struct NewPage {
    pub l: Chrome,
    pub errors: Errors,
    pub form: FormValues,
}

#[derive(Template)]
#[template(path = "honours/proposals/proposal.html")]
pub struct ProposalPage {
    pub l: Chrome,
    pub errors: Errors,
    pub done: Option<&'static str>,
    pub refused: Option<&'static str>,
    pub p: Detail,
    /// The resubmission form's values (the proposal's, or what was sent back with errors).
    pub form: FormValues,
}

/// What the proposal form shows.
pub struct FormValues {
    pub units: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub name: String,
    pub title: String,
    pub description: String,
    pub year: String,
    pub comment: String,
}

impl FormValues {
    fn of(input: &Input, units: &[hocvuso_db::repo::org::OrgUnit]) -> Self {
        FormValues {
            units: units
                .iter()
                .map(|u| Choice {
                    value: u.code.clone(),
                    label: u.name.clone(),
                    selected: u.code == input.unit,
                })
                .collect(),
            kinds: [("ca-nhan", "Cá nhân"), ("tap-the", "Tập thể")]
                .iter()
                .map(|(v, l)| Choice {
                    value: (*v).to_owned(),
                    label: (*l).to_owned(),
                    selected: input.loai == *v,
                })
                .collect(),
            name: input.name.clone(),
            title: input.sang_kien.clone(),
            description: input.mo_ta.clone(),
            year: input.year.clone(),
            comment: input.note.clone(),
        }
    }
}

#[derive(Default, Deserialize)]
pub struct ListQuery {
    #[serde(default, rename = "nam")]
    year: String,
    #[serde(default, rename = "xong")]
    done: String,
}

/// What `?xong=` says after each form of this page.
const DONE: &[(&str, &str)] = &[
    (
        "da-gui",
        "Đã gửi đề nghị. Cấp tỉnh sẽ xem xét; kết quả hiện ở đây.",
    ),
    ("da-gui-lai", "Đã gửi lại đề nghị sau khi bổ sung."),
    ("da-them-tep", "Đã thêm tệp minh chứng."),
    ("da-tra-lai", "Đã trả lại đề nghị để đơn vị bổ sung."),
    (
        "da-chap-nhan",
        "Đã chấp nhận: đề nghị hiện trên trang tôn vinh.",
    ),
    ("da-khong-chap-nhan", "Đã ghi kết quả: không chấp nhận."),
];

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let year: Option<i32> = q.year.trim().parse().ok();
    let this_year = chrono::Datelike::year(&crate::clock::vietnam_time(state.clock.now()));
    let page = ListPage {
        l: ctx.chrome("Đề nghị tôn vinh"),
        done: crate::web::pages::done_sentence(&q.done, DONE),
        is_province: user.is_province_admin(),
        years: (this_year - 3..=this_year + 1)
            .rev()
            .map(|y| Choice {
                value: y.to_string(),
                label: y.to_string(),
                selected: Some(y) == year,
            })
            .collect(),
        proposals: proposals::list(&state, user, year).await?,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let units = proposals::units_for(&state, user).await?;
    let this_year = chrono::Datelike::year(&crate::clock::vietnam_time(state.clock.now()));
    let input = Input {
        unit: if units.len() == 1 {
            units[0].code.clone()
        } else {
            String::new()
        },
        year: this_year.to_string(),
        ..Input::default()
    };
    let page = NewPage {
        l: ctx.chrome("Đề nghị tôn vinh mới"),
        errors: Errors::default(),
        form: FormValues::of(&input, &units),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

fn input_of(upload: &Upload) -> Input {
    Input {
        unit: upload.field("don_vi").to_owned(),
        loai: upload.field("loai").to_owned(),
        name: upload.field("ten").to_owned(),
        sang_kien: upload.field("sang_kien").to_owned(),
        mo_ta: upload.field("mo_ta").to_owned(),
        year: upload.field("nam").to_owned(),
        note: upload.field("ghi_chu").to_owned(),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let upload = Upload::read_evidence(&state, &ctx, multipart).await?;
    let input = input_of(&upload);
    match proposals::create(
        &state,
        user,
        &input,
        Some((&upload.file_name, &upload.bytes)),
    )
    .await
    {
        Ok(id) => Ok(see_other(&format!("/ton-vinh/de-xuat/{id}?xong=da-gui"))),
        Err(FormError::Invalid(errors)) => {
            let units = proposals::units_for(&state, user).await?;
            let page = NewPage {
                l: ctx.chrome("Đề nghị tôn vinh mới"),
                errors: errors.into(),
                form: FormValues::of(&input, &units),
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

/// The proposal's page, with `errors` and `refused` from a step that did not go through.
async fn proposal_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: Errors,
    refused: Option<&'static str>,
    sent: Option<&Input>,
    done: Option<&'static str>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(p) = proposals::detail(state, user, id).await? else {
        return Err(WebError::NotFound);
    };
    let units = proposals::units_for(state, user).await?;
    let input = sent.cloned().unwrap_or_else(|| Input {
        unit: p.unit_code.clone(),
        loai: p.kind_code.to_owned(),
        name: p.summary.nominee.clone(),
        sang_kien: p.summary.title.clone(),
        mo_ta: p.description.clone(),
        year: p.summary.year.to_string(),
        note: String::new(),
    });
    let status = if errors.is_empty() && refused.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ProposalPage {
        l: ctx.chrome(format!("Đề nghị tôn vinh: {}", p.summary.title)),
        errors,
        done,
        refused,
        form: FormValues::of(&input, &units),
        p,
    };
    Ok(render(ctx, status, &page))
}

pub async fn proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    proposal_page(
        &state,
        &ctx,
        id,
        Errors::default(),
        None,
        None,
        q.message(DONE),
    )
    .await
}

/// Where a step lands: the proposal again with a message, or with what went wrong.
async fn after(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    result: Result<Done, FormError>,
    sent: Option<&Input>,
    done: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(Done::Done) => Ok(see_other(&format!("/ton-vinh/de-xuat/{id}?xong={done}"))),
        Ok(Done::NotFound) => Err(WebError::NotFound),
        Ok(Done::Refused(why)) => {
            proposal_page(state, ctx, id, Errors::default(), Some(why), sent, None).await
        }
        Err(FormError::Invalid(errors)) => {
            proposal_page(state, ctx, id, errors.into(), None, sent, None).await
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

pub async fn resubmit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm { data: input, .. }: CsrfForm<Input>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let result = proposals::resubmit(&state, user, id, &input).await;
    after(&state, &ctx, id, result, Some(&input), "da-gui-lai").await
}

pub async fn add_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let upload = Upload::read_evidence(&state, &ctx, multipart).await?;
    let result = proposals::add_file(&state, user, id, &upload.file_name, &upload.bytes).await;
    after(&state, &ctx, id, result, None, "da-them-tep").await
}

pub async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(f) = proposals::file(&state, user, id, file_id).await? else {
        return Err(WebError::NotFound);
    };
    Ok(crate::web::pages::evidence_download(
        f.bytes,
        &f.content_type,
        &format!("minh-chung-{id}-{file_id}"),
    ))
}

#[derive(Default, Deserialize)]
pub struct ReviewForm {
    #[serde(default, rename = "quyet")]
    decision: String,
    #[serde(default, rename = "ghi_chu")]
    note: String,
}

pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm { data: f, .. }: CsrfForm<ReviewForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(decision) = Decision::from_code(&f.decision) else {
        let mut errors = Errors::default();
        errors.push("quyet", "Hãy chọn một kết quả xét.");
        return proposal_page(&state, &ctx, id, errors, None, None, None).await;
    };
    let result = proposals::review(&state, user, id, decision, &f.note).await;
    let done = match decision {
        Decision::Return => "da-tra-lai",
        Decision::Accept => "da-chap-nhan",
        Decision::Decline => "da-khong-chap-nhan",
    };
    after(&state, &ctx, id, result, None, done).await
}
