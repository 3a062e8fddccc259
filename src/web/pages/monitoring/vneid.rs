//! /thong-ke/vneid: counts of people confirmed on VNeID, imported per commune with the date and
//! the source of the figures (e.g. the provincial police). Dry run, then all or nothing; a new
//! import for the same date replaces the earlier one. Province admin only.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_domain::{format, Indicator, TargetGroup};
use hocvuso_import::denominators::RowError;
use serde::Deserialize;

use crate::clock::format_date_time;
use crate::clock::{format_day, parse_day};
use crate::services::monitoring::denominators::{check_source, Checked, ImportError};
use crate::services::monitoring::outside_counts;
use crate::services::shared::imports::{self, ImportKind};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::monitoring::denominators::{preview_page, stashed_rows, PreviewTarget};
use crate::web::pages::{group_options, Choice};

const INDICATOR: Indicator = Indicator::VneidConfirmed;

fn province_admin(ctx: &Ctx) -> Result<(), WebError> {
    if ctx.user()?.is_province_admin() {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

#[derive(Default, Deserialize)]
pub struct Which {
    #[serde(default, rename = "nhom")]
    group: String,
    #[serde(default, rename = "da-nhap")]
    imported: String,
}

pub struct ImportRow {
    pub as_of: String,
    pub source: String,
    pub by: String,
    pub at: String,
    pub units: usize,
    pub people: String,
}

#[derive(Template)]
#[template(path = "monitoring/vneid/index.html")]
pub struct IndexPage {
    pub l: Chrome,
    pub group: &'static str,
    pub groups: Vec<Choice>,
    pub imports: Vec<ImportRow>,
    pub imported: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Which>,
) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let group = crate::web::pages::group_of(&q.group).ok_or(WebError::NotFound)?;
    let imports = outside_counts::list(&state, INDICATOR, group)
        .await?
        .into_iter()
        .map(|i| ImportRow {
            as_of: format_day(i.as_of),
            source: i.source,
            by: i.by,
            at: format_date_time(i.at),
            units: i.units,
            people: format::number(i.people),
        })
        .collect();
    let page = IndexPage {
        l: ctx.chrome("Số người đã xác nhận trên VNeID"),
        group: group.code(),
        groups: group_options(group),
        imports,
        imported: parse_day(&q.imported).map(format_day),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

fn target(group: TargetGroup, day: &str, replaces: bool) -> PreviewTarget {
    PreviewTarget {
        what: format!("số người đã xác nhận trên VNeID ngày {day}"),
        group,
        action: "/thong-ke/vneid/nhap",
        hidden: vec![("ngay", day.to_owned()), ("nhom", group.code().to_owned())],
        back: format!("/thong-ke/vneid?nhom={}", group.code()),
        note: if replaces {
            format!("Đã có số liệu ngày {day}; lần nhập này sẽ thay thế (không cộng dồn).")
        } else {
            String::new()
        },
        button: Some(format!("Nhập số liệu ngày {day}")),
        confirm_unchanged: true,
        kind: ImportKind::Vneid,
        key: count_key(group, day),
    }
}

/// What stashed counts are for.
fn count_key(group: TargetGroup, day: &str) -> String {
    format!("{}/{day}", group.code())
}

/// Upload (multipart: `csrf_token`, `nhom`, `ngay`, `nguon`, `tep`) → dry run.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let upload = crate::web::pages::Upload::read(&state, &ctx, multipart, "tep", 2).await?;
    let group = crate::web::pages::group_of(upload.field("nhom")).ok_or(WebError::NotFound)?;
    let (day, source) = (
        upload.field("ngay").to_owned(),
        upload.field("nguon").to_owned(),
    );
    let (rows, mut errors) = upload.count_rows();
    if let Err(e) = check_source(&source) {
        errors.push(e);
    }
    let as_of = parse_day(&day);
    if as_of.is_none() {
        errors.push(RowError {
            line: 0,
            message: "Hãy ghi ngày của số liệu theo dạng ngày/tháng/năm, ví dụ 31/10/2026.".into(),
        });
    }
    let day = as_of.map(format_day).unwrap_or(day);
    let mut replaces = false;
    let outcome = match as_of {
        Some(d) => match outside_counts::plan(state.db.read(), INDICATOR, group, d, &rows).await? {
            Err(mut unknown) => {
                errors.append(&mut unknown);
                Err(errors)
            }
            Ok(_) if !errors.is_empty() => Err(errors),
            Ok(p) => {
                replaces = p.replaces;
                Ok(Checked {
                    changes: p.plan.changes,
                    unchanged: p.plan.unchanged,
                    skipped: p.plan.skipped,
                    rows,
                })
            }
        },
        None => Err(errors),
    }
    .map_err(|mut e: Vec<RowError>| {
        e.sort_by_key(|r| r.line);
        e
    });
    preview_page(&state, &ctx, target(group, &day, replaces), source, outcome).await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default, rename = "nhom")]
    group: String,
    #[serde(default, rename = "ngay")]
    day: String,
    #[serde(default, rename = "nguon")]
    source: String,
    /// The stash token of the dry run's rows.
    #[serde(default, rename = "ma")]
    token: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    form: CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let user = ctx.user()?;
    let f = form.data;
    let group = crate::web::pages::group_of(&f.group).ok_or(WebError::NotFound)?;
    let as_of = parse_day(&f.day)
        .ok_or_else(|| WebError::Refused("Ngày của số liệu không hợp lệ.".into()))?;
    let key = count_key(group, &format_day(as_of));
    let rows = stashed_rows(&state, user, &f.token, ImportKind::Vneid, &key).await?;
    match outside_counts::apply(&state, user, INDICATOR, group, as_of, &rows, &f.source).await {
        Ok(_) => {
            imports::forget(&state.db, &f.token).await?;
            Ok(see_other(&format!(
                "/thong-ke/vneid?nhom={}&da-nhap={}",
                group.code(),
                format_day(as_of)
            )))
        }
        Err(ImportError::Rows(errors)) => {
            preview_page(
                &state,
                &ctx,
                target(group, &format_day(as_of), false),
                f.source,
                Err(errors),
            )
            .await
        }
        Err(ImportError::Internal(e)) => Err(e.into()),
    }
}
