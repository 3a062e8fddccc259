//! /thong-ke/bao-cao: the report for a period as a PDF (province or one unit). The province
//! admin chooses any unit; a unit officer their own unit and the units under it.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::clock::parse_day;
use crate::services::monitoring::report::{self, ReportError, Request};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::Ctx;
use crate::web::page::{render, Chrome};

#[derive(Default, Deserialize)]
pub struct ReportQuery {
    #[serde(default, rename = "don-vi")]
    unit: String,
    #[serde(default, rename = "tu")]
    from: String,
    #[serde(default, rename = "den")]
    to: String,
    #[serde(default, rename = "nhom")]
    group: String,
    #[serde(default, rename = "chi-so")]
    indicator: String,
}

#[derive(Template)]
#[template(path = "monitoring/report/report.html")]
pub struct ReportPage {
    pub l: Chrome,
    pub units: Vec<crate::web::pages::Choice>,
    pub from: String,
    pub to: String,
    pub groups: Vec<crate::web::pages::Choice>,
    pub indicators: Vec<crate::web::pages::Choice>,
    /// `(field id, message)`
    pub errors: Vec<(&'static str, String)>,
}

/// The units this user may report on: the province admin the province and every commune; an
/// officer their units.
async fn units_for(
    state: &AppState,
    user: &crate::services::accounts::sign_in::SessionUser,
    chosen: &str,
) -> Result<Vec<crate::web::pages::Choice>, WebError> {
    let out: Vec<crate::web::pages::Choice> = report::reportable_units(state.db.read(), user)
        .await?
        .into_iter()
        .map(|u| match u {
            None => crate::web::pages::Choice {
                value: String::new(),
                label: "Toàn tỉnh".to_owned(),
                selected: chosen.is_empty(),
            },
            Some(u) => crate::web::pages::Choice {
                selected: u.code == chosen,
                value: u.code,
                label: u.name,
            },
        })
        .collect();
    if out.is_empty() {
        return Err(WebError::Forbidden);
    }
    Ok(out)
}

async fn form(
    state: &AppState,
    ctx: &Ctx,
    q: &ReportQuery,
    errors: Vec<(&'static str, String)>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    let or = |s: &str, d: NaiveDate| {
        if s.is_empty() {
            d.format("%d/%m/%Y").to_string()
        } else {
            s.to_owned()
        }
    };
    let page = ReportPage {
        l: ctx.chrome("Báo cáo theo kỳ"),
        units: units_for(state, user, &q.unit).await?,
        from: or(
            &q.from,
            NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
        ),
        to: or(&q.to, today),
        groups: crate::web::pages::group_options(
            crate::web::pages::group_of(&q.group).unwrap_or(hocvuso_domain::TargetGroup::Adults),
        ),
        indicators: crate::web::pages::indicator_options(
            crate::web::pages::indicator_of(&q.indicator)
                .unwrap_or(hocvuso_domain::Indicator::DigitalSkills),
        ),
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(ctx, status, &page))
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    form(&state, &ctx, &q, Vec::new()).await
}

pub async fn pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let mut errors = Vec::new();
    let from = parse_day(&q.from);
    if from.is_none() {
        errors.push((
            "tu",
            "Hãy ghi ngày bắt đầu theo dạng ngày/tháng/năm, ví dụ 01/01/2026.".to_owned(),
        ));
    }
    let to = parse_day(&q.to);
    if to.is_none() {
        errors.push((
            "den",
            "Hãy ghi ngày kết thúc theo dạng ngày/tháng/năm, ví dụ 30/06/2026.".to_owned(),
        ));
    }
    let (group, indicator) = (
        crate::web::pages::group_of(&q.group),
        crate::web::pages::indicator_of(&q.indicator),
    );
    let (Some(from), Some(to), Some(group), Some(indicator)) = (from, to, group, indicator) else {
        if errors.is_empty() {
            return Err(WebError::NotFound);
        }
        return form(&state, &ctx, &q, errors).await;
    };
    let req = Request {
        code: (!q.unit.is_empty()).then(|| q.unit.clone()),
        from,
        to,
        group,
        indicator,
    };
    match report::pdf(&state, user, &req).await {
        Ok((file, bytes)) => Ok(crate::web::pages::download(bytes, "application/pdf", &file)),
        Err(ReportError::Forbidden) => Err(WebError::Forbidden),
        Err(ReportError::NotFound) => Err(WebError::NotFound),
        Err(ReportError::Internal(e)) => Err(e.into()),
        Err(e @ (ReportError::Order | ReportError::TooLong)) => {
            form(&state, &ctx, &q, vec![("den", e.to_string())]).await
        }
    }
}
