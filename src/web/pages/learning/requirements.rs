//! /thong-ke/khoa-bat-buoc: the province administrator decides which courses each target group
//! requires (`services::learning::requirements`): the rules as they stand and their history;
//! a change is shown first as what it would do (who would achieve, who would no longer,
//! whose date would move), then applied with its reason.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::clock::format_date_time;
use crate::services::learning::requirements::{self, Effect, Mode};
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::accounts::sign_in::Empty;
use crate::web::pages::Errors;
use hocvuso_domain::TargetGroup;

pub struct RuleView {
    pub code: &'static str,
    pub group: &'static str,
    pub required: String,
}

pub struct HistoryView {
    pub at: String,
    pub group: &'static str,
    pub before: String,
    pub after: String,
    pub reason: String,
    pub effect: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "learning/requirements/index.html")]
pub struct IndexPage {
    pub l: Chrome,
    pub rules: Vec<RuleView>,
    pub history: Vec<HistoryView>,
    pub changed: Option<&'static str>,
}

pub struct CourseBox {
    pub id: i64,
    pub title: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "learning/requirements/edit.html")]
pub struct EditPage {
    pub l: Chrome,
    pub code: &'static str,
    pub group: &'static str,
    pub errors: Errors,
    pub courses: Vec<CourseBox>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "learning/requirements/preview.html")]
pub struct PreviewPage {
    pub l: Chrome,
    pub code: &'static str,
    pub group: &'static str,
    pub before: String,
    pub after: String,
    pub effect: Effect,
    pub chosen: Vec<i64>,
    pub reason: String,
}

#[derive(Default, Deserialize)]
pub struct ChangedQuery {
    #[serde(default, rename = "da-doi")]
    changed: String,
}

fn titles(list: &[impl AsRef<str>]) -> String {
    if list.is_empty() {
        "— (chưa có khóa nào: nhóm này chưa thể đạt)".to_owned()
    } else {
        list.iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn effect_text(e: &Effect) -> String {
    format!(
        "thêm {} người đạt, bớt {} người đạt, {} người tính đạt muộn hơn",
        e.gained, e.lost, e.redated
    )
}

fn province_admin(ctx: &Ctx) -> Result<&crate::services::accounts::sign_in::SessionUser, WebError> {
    let user = ctx.user()?;
    if !user.is_province_admin() {
        return Err(WebError::Forbidden);
    }
    Ok(user)
}

fn group_of(code: &str) -> Result<TargetGroup, WebError> {
    TargetGroup::from_code(code).ok_or(WebError::NotFound)
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ChangedQuery>,
) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let catalog = state.catalog.current();
    let rules = requirements::rules(&catalog)
        .iter()
        .map(|r| RuleView {
            code: r.group.code(),
            group: r.group.name_vi(),
            required: titles(&r.required_titles()),
        })
        .collect();
    let history = requirements::history(&state)
        .await?
        .into_iter()
        .map(|h| HistoryView {
            at: format_date_time(h.at),
            group: h.group,
            before: titles(&h.before),
            after: titles(&h.after),
            reason: h.reason,
            effect: effect_text(&h.effect),
            by: h.by,
        })
        .collect();
    let changed = TargetGroup::from_code(&q.changed).map(|g| g.name_vi());
    let p = IndexPage {
        l: ctx.chrome("Khóa học bắt buộc của từng nhóm".to_owned()),
        rules,
        history,
        changed,
    };
    Ok(render(&ctx, StatusCode::OK, &p))
}

fn edit_page(
    state: &AppState,
    ctx: &Ctx,
    group: TargetGroup,
    errors: Errors,
    chosen: Option<&[i64]>,
    reason: String,
) -> EditPage {
    let catalog = state.catalog.current();
    let courses = requirements::rules(&catalog)
        .into_iter()
        .find(|r| r.group == group)
        .map(|r| r.courses)
        .unwrap_or_default()
        .into_iter()
        .map(|c| CourseBox {
            id: c.id,
            checked: chosen.map_or(c.required, |ids| ids.contains(&c.id)),
            title: c.title,
        })
        .collect();
    EditPage {
        l: ctx.chrome(format!("Khóa học bắt buộc: {}", group.name_vi())),
        code: group.code(),
        group: group.name_vi(),
        errors,
        courses,
        reason,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let group = group_of(&code)?;
    let p = edit_page(&state, &ctx, group, Errors::default(), None, String::new());
    Ok(render(&ctx, StatusCode::OK, &p))
}

/// Most courses a rule form may tick.
const MAX_COURSES: usize = 100;

/// The courses ticked (`khoa-hoc`, once per course) and the reason (`ly-do`).
fn read_form(pairs: &[(String, String)]) -> Result<(Vec<i64>, String), WebError> {
    let mut ids = Vec::new();
    let mut reason = String::new();
    for (k, v) in pairs {
        match k.as_str() {
            // A form has a handful of courses; more is not a form of ours.
            "khoa-hoc" if ids.len() >= MAX_COURSES => {
                return Err(WebError::BadRequest("too many courses".into()))
            }
            "khoa-hoc" => ids.push(
                v.parse()
                    .map_err(|_| WebError::BadRequest(format!("course id {v:?}")))?,
            ),
            "ly-do" => reason = v.clone(),
            _ => {}
        }
    }
    Ok((ids, reason))
}

/// A loop of previews or changes is stopped (`Limits::requirement_person`).
fn throttle(state: &AppState, person_id: i64) -> Result<(), WebError> {
    state
        .limits
        .requirement_person
        .check(&person_id.to_string(), state.clock.now())
        .map_err(WebError::TooMany)
}

/// Shows what the change would do (nothing is kept), with the button that makes it.
pub async fn preview(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = province_admin(&ctx)?;
    let group = group_of(&code)?;
    let (chosen, reason) = read_form(&form.pairs)?;
    throttle(&state, user.person_id)?;
    match requirements::change(&state, user, group, &chosen, &reason, Mode::DryRun).await {
        Ok(effect) => {
            let catalog = state.catalog.current();
            let rule = requirements::rules(&catalog)
                .into_iter()
                .find(|r| r.group == group);
            let (before, after) = rule.map_or_else(Default::default, |r| {
                let before = titles(&r.required_titles());
                let after: Vec<&str> = r
                    .courses
                    .iter()
                    .filter(|c| chosen.contains(&c.id))
                    .map(|c| c.title.as_str())
                    .collect();
                (before, titles(&after))
            });
            let p = PreviewPage {
                l: ctx.chrome(format!("Xem trước thay đổi: {}", group.name_vi())),
                code: group.code(),
                group: group.name_vi(),
                before,
                after,
                effect,
                chosen,
                reason: reason.trim().to_owned(),
            };
            Ok(render(&ctx, StatusCode::OK, &p))
        }
        Err(FormError::Invalid(errors)) => {
            let p = edit_page(&state, &ctx, group, errors.into(), Some(&chosen), reason);
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

/// Makes the change (recounted anew: what stands now, not what the preview saw).
pub async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = province_admin(&ctx)?;
    let group = group_of(&code)?;
    let (chosen, reason) = read_form(&form.pairs)?;
    throttle(&state, user.person_id)?;
    match requirements::change(&state, user, group, &chosen, &reason, Mode::Apply).await {
        Ok(_) => Ok(see_other(&format!(
            "/thong-ke/khoa-bat-buoc?da-doi={}",
            group.code()
        ))),
        Err(FormError::Invalid(errors)) => {
            let p = edit_page(&state, &ctx, group, errors.into(), Some(&chosen), reason);
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}
