//! /ton-vinh: the public honour roll — accepted initiatives and good practices by year,
//! filterable by unit (`services::honours::proposals::roll`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::honours::proposals::{self, RollEntry};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::Ctx;
use crate::web::page::{render_readable, Chrome};
use crate::web::pages::Choice;

#[derive(Template)]
#[template(path = "honours/roll/roll.html")]
pub struct RollPage {
    pub l: Chrome,
    pub years: Vec<Choice>,
    pub units: Vec<Choice>,
    pub year: Option<i32>,
    pub unit_name: Option<String>,
    pub entries: Vec<RollEntry>,
}

#[derive(Default, Deserialize)]
pub struct RollQuery {
    #[serde(default, rename = "nam")]
    year: String,
    #[serde(default, rename = "don_vi")]
    unit: String,
}

pub async fn roll(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RollQuery>,
) -> Result<Response, WebError> {
    let unit = q.unit.trim();
    let roll = proposals::roll(
        &state,
        q.year.trim().parse().ok(),
        (!unit.is_empty()).then_some(unit),
    )
    .await?;
    let tree = crate::services::people::org::tree(&state).await?;
    let chosen = roll
        .unit
        .as_ref()
        .map(|u| u.code.clone())
        .unwrap_or_default();
    let page = RollPage {
        l: ctx.chrome("Tôn vinh sáng kiến, mô hình hay"),
        years: roll
            .years
            .iter()
            .map(|y| Choice {
                value: y.to_string(),
                label: y.to_string(),
                selected: Some(*y) == roll.year,
            })
            .collect(),
        units: tree
            .iter()
            .filter(|u| u.merged_into_id.is_none())
            .map(|u| Choice {
                value: u.code.clone(),
                label: u.name.clone(),
                selected: u.code == chosen,
            })
            .collect(),
        year: roll.year,
        unit_name: roll.unit.map(|u| u.name),
        entries: roll.entries,
    };
    Ok(render_readable(&ctx, StatusCode::OK, &page))
}
