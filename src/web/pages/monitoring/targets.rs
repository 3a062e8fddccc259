//! /thong-ke/chi-tieu: the province admin sets the year's targets (percent per group and
//! indicator); every change is kept with who and when.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::clock::format_date_time;
use crate::services::monitoring::denominators::YEARS;
use crate::services::monitoring::targets;
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::Errors;

#[derive(Default, Deserialize)]
pub struct YearQuery {
    #[serde(default, rename = "nam")]
    year: String,
    #[serde(default, rename = "da-luu")]
    saved: String,
}

fn year_of(state: &AppState, nam: &str) -> Result<i32, WebError> {
    if nam.is_empty() {
        return Ok(state.clock.year());
    }
    nam.parse()
        .ok()
        .filter(|y| YEARS.contains(y))
        .ok_or(WebError::NotFound)
}

pub struct CellView {
    pub field: String,
    pub group: &'static str,
    pub indicator: &'static str,
    pub value: String,
}

pub struct HistoryView {
    pub group: &'static str,
    pub indicator: &'static str,
    pub old: String,
    pub new: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "monitoring/targets/index.html")]
pub struct TargetsPage {
    pub l: Chrome,
    pub year: i32,
    pub errors: Errors,
    pub cells: Vec<CellView>,
    pub history: Vec<HistoryView>,
    pub saved: Option<String>,
}

fn pct(p: Option<i32>) -> String {
    p.map_or_else(|| "—".to_owned(), |p| format!("{p}%"))
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    year: i32,
    errors: Errors,
    typed: Option<&[(String, String)]>,
    saved: Option<String>,
) -> Result<TargetsPage, WebError> {
    let cells = targets::grid(state, year)
        .await?
        .into_iter()
        .map(|c| {
            let field = targets::field_name(c.group, c.indicator);
            let value = typed
                .and_then(|t| t.iter().find(|(k, _)| *k == field))
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| c.percent.map(|p| p.to_string()).unwrap_or_default());
            CellView {
                field,
                group: c.group.name_vi(),
                indicator: c.indicator.name_vi(),
                value,
            }
        })
        .collect();
    let history = targets::history(state, year)
        .await?
        .into_iter()
        .map(|h| HistoryView {
            group: h.group,
            indicator: h.indicator,
            old: pct(h.old),
            new: pct(h.new),
            by: h.by,
            at: format_date_time(h.at),
        })
        .collect();
    Ok(TargetsPage {
        l: ctx.chrome(format!("Chỉ tiêu năm {year}")),
        year,
        errors,
        cells,
        history,
        saved,
    })
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    if !ctx.user()?.is_province_admin() {
        return Err(WebError::Forbidden);
    }
    let year = year_of(&state, &q.year)?;
    let saved = q.saved.parse::<usize>().ok().map(|n| n.to_string());
    let p = page(&state, &ctx, year, Errors::default(), None, saved).await?;
    Ok(render(&ctx, StatusCode::OK, &p))
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    form: CsrfForm<YearQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    if !user.is_province_admin() {
        return Err(WebError::Forbidden);
    }
    let year = year_of(&state, &form.data.year)?;
    match targets::save(&state, user, year, &form.pairs).await {
        Ok(n) => Ok(see_other(&format!(
            "/thong-ke/chi-tieu?nam={year}&da-luu={n}"
        ))),
        Err(FormError::Invalid(errors)) => {
            let p = page(&state, &ctx, year, errors.into(), Some(&form.pairs), None).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}
