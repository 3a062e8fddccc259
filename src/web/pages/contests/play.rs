//! Taking part in a contest: joining, starting a round, the entry form (plain HTML: radio
//! buttons and a submit button, so it works without JavaScript), submitting, and the review
//! after the round is over (`services::contests::play`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::contests::play::{self, EntryView, PlayError};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::accounts::sign_in::Empty;
use crate::web::pages::Errors;

pub struct OptionLine {
    pub input_id: String,
    pub value: i64,
    pub text: String,
    pub checked: bool,
    /// On review: this option is a right one.
    pub right: bool,
}

pub struct QuestionLine {
    pub name: String,
    pub number: i32,
    pub prompt: String,
    pub multiple: bool,
    pub options: Vec<OptionLine>,
    /// On review: whether the answer was right.
    pub correct: Option<bool>,
    pub explanation: String,
}

#[derive(Template)]
#[template(path = "contests/play/entry.html")]
pub struct EntryPage {
    pub l: Chrome,
    pub errors: Errors,
    pub v: EntryView,
    pub questions: Vec<QuestionLine>,
    pub prediction: String,
    /// “20:15, 12/12/2026”.
    pub deadline: String,
}

fn entry_page(
    ctx: &Ctx,
    v: EntryView,
    chosen: &HashMap<i64, Vec<i64>>,
    prediction: String,
    errors: Errors,
) -> EntryPage {
    let review = v.review();
    let questions = v
        .questions
        .iter()
        .map(|q| QuestionLine {
            name: format!("q{}", q.question_id),
            number: q.number,
            prompt: q.prompt.clone(),
            multiple: q.multiple,
            options: q
                .options
                .iter()
                .map(|(id, text)| OptionLine {
                    input_id: format!("q{}-{}", q.question_id, id),
                    value: *id,
                    text: text.clone(),
                    checked: if review || !v.open {
                        q.chosen.contains(id)
                    } else {
                        chosen.get(&q.question_id).is_some_and(|c| c.contains(id))
                    },
                    right: review
                        && v.right_options
                            .get(&q.question_id)
                            .is_some_and(|r| r.contains(id)),
                })
                .collect(),
            correct: q.correct,
            explanation: q.explanation.clone(),
        })
        .collect();
    EntryPage {
        l: ctx.chrome(format!("{} — {}", v.round.title, v.contest.title)),
        errors,
        deadline: crate::clock::format_date_time(v.entry.deadline_at),
        questions,
        prediction,
        v,
    }
}

#[derive(Default, Deserialize)]
pub struct JoinForm {
    #[serde(default, rename = "don_vi")]
    unit: String,
}

pub async fn join(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm { data: f, .. }: CsrfForm<JoinForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match play::join(&state, user.person_id, id, &f.unit).await {
        Ok(()) => Ok(see_other(&format!("/cuoc-thi/{id}?tb=da-tham-gia"))),
        Err(e) => refusal(id, e),
    }
}

/// A refused step back on the contest page, with its message.
fn refusal(contest_id: i64, e: PlayError) -> Result<Response, WebError> {
    let code = match e {
        PlayError::NotFound => return Err(WebError::NotFound),
        PlayError::Internal(e) => return Err(e.into()),
        PlayError::NotJoined => "chua-tham-gia",
        PlayError::NotOpen(_) => "chua-mo",
        PlayError::Closed => "da-dong",
        PlayError::NoAttemptsLeft(_) => "het-luot",
        PlayError::Late => "qua-gio",
        PlayError::NotEligible(m) => return Err(WebError::Refused(m)),
        PlayError::AlreadySubmitted | PlayError::Prediction | PlayError::ForeignAnswer => "da-nop",
    };
    Ok(see_other(&format!("/cuoc-thi/{contest_id}?tb={code}")))
}

pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, number)): Path<(i64, i32)>,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match play::start(&state, user, id, number).await {
        Ok(entry) => Ok(see_other(&format!("/cuoc-thi/bai/{entry}"))),
        Err(e) => refusal(id, e),
    }
}

pub async fn entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let v = match play::entry_view(&state, user, id).await {
        Ok(v) => v,
        Err(PlayError::Internal(e)) => return Err(e.into()),
        Err(_) => return Err(WebError::NotFound),
    };
    let prediction = v
        .entry
        .prediction
        .map(|p| p.to_string())
        .unwrap_or_default();
    let page = entry_page(&ctx, v, &HashMap::new(), prediction, Errors::default());
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let prediction = form
        .pairs
        .iter()
        .find(|(k, _)| k == "du_doan")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let answers = crate::web::pages::learning::learn::parse_answers(&form.pairs);
    let result = match answers {
        Ok(a) => play::submit(&state, user, id, a, &prediction).await,
        Err(_) => Err(PlayError::ForeignAnswer),
    };
    let message = match result {
        Ok(_) => return Ok(see_other(&format!("/cuoc-thi/bai/{id}"))),
        Err(PlayError::NotFound) => return Err(WebError::NotFound),
        Err(PlayError::Internal(e)) => return Err(e.into()),
        Err(e) => e.to_string(),
    };
    let v = match play::entry_view(&state, user, id).await {
        Ok(v) => v,
        Err(PlayError::Internal(e)) => return Err(e.into()),
        Err(_) => return Err(WebError::NotFound),
    };
    let chosen = crate::web::pages::learning::learn::parse_answers(&form.pairs).unwrap_or_default();
    let mut errors = Errors::default();
    errors.push("bai-thi", message);
    let page = entry_page(&ctx, v, &chosen, prediction, errors);
    Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
}
