//! Denominators (mẫu số) for the province admin: the current values of a year and group, a
//! template to fill in Excel, upload (XLSX or CSV) or edit in the page → dry run → import,
//! and the history.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_domain::{format, TargetGroup};
use hocvuso_import::denominators::{parse_denominators, DenominatorRow, RowError};
use serde::Deserialize;

use crate::clock::format_date_time;
use crate::services::accounts::sign_in::SessionUser;
use crate::services::monitoring::denominators::{self, Checked, ImportError, Outcome, Plan, YEARS};
use crate::services::shared::imports::{self, ImportKind};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::{group_options, Choice};

fn province_admin(ctx: &Ctx) -> Result<&SessionUser, WebError> {
    let user = ctx.user()?;
    if user.is_province_admin() {
        Ok(user)
    } else {
        Err(WebError::Forbidden)
    }
}

#[derive(Default, Deserialize)]
pub struct Which {
    #[serde(default, rename = "nam")]
    year: String,
    #[serde(default, rename = "nhom")]
    group: String,
    #[serde(default, rename = "da-nhap")]
    imported: String,
}

/// The year and group asked for (this year and adults by default).
fn which(state: &AppState, nam: &str, nhom: &str) -> Result<(i32, TargetGroup), WebError> {
    let year = if nam.is_empty() {
        state.clock.year()
    } else {
        nam.parse()
            .ok()
            .filter(|y| YEARS.contains(y))
            .ok_or(WebError::NotFound)?
    };
    let group = crate::web::pages::group_of(nhom).ok_or(WebError::NotFound)?;
    Ok((year, group))
}

pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "monitoring/denominators/index.html")]
pub struct IndexPage {
    pub l: Chrome,
    pub year: i32,
    pub group: &'static str,
    pub group_name: &'static str,
    pub groups: Vec<Choice>,
    pub units: Vec<UnitRow>,
    pub with_value: usize,
    pub imported: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Which>,
) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let (year, group) = which(&state, &q.year, &q.group)?;
    let current = denominators::current(&state, year, group).await?;
    let page = IndexPage {
        l: ctx.chrome(format!("Mẫu số năm {year}")),
        year,
        group: group.code(),
        group_name: group.name_vi(),
        groups: group_options(group),
        with_value: current.iter().filter(|(_, v)| v.is_some()).count(),
        units: current
            .into_iter()
            .map(|(u, v)| UnitRow {
                code: u.code,
                name: u.name,
                value: v.map(|n| n.to_string()).unwrap_or_default(),
            })
            .collect(),
        imported: q
            .imported
            .parse::<usize>()
            .ok()
            .map(|n| format::number(n as i64)),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub struct ChangeRow {
    pub code: String,
    pub name: String,
    pub old: String,
    pub new: String,
}

#[derive(Template)]
#[template(path = "monitoring/denominators/preview.html")]
pub struct PreviewPage {
    pub l: Chrome,
    /// What is imported, for the heading ("Mẫu số năm 2026", "Số người đã xác nhận trên VNeID").
    pub what: String,
    pub group_name: &'static str,
    /// Where the confirm form posts, its extra hidden fields, and the way back.
    pub action: &'static str,
    pub hidden: Vec<(&'static str, String)>,
    pub back: String,
    /// A note above the changes (e.g. "replaces the import of the same date").
    pub note: String,
    /// The confirm button's words; whether a file without changes may still be imported (a
    /// dated count is news even when the numbers are the same).
    pub button: String,
    pub confirm_unchanged: bool,
    pub source: String,
    pub errors: Vec<RowError>,
    pub changes: Vec<ChangeRow>,
    pub unchanged: usize,
    pub skipped: usize,
    /// The stash token of the checked rows, carried by the confirm form.
    pub token: String,
}

/// What a preview page is about and where its confirm form goes.
pub struct PreviewTarget {
    pub what: String,
    pub group: TargetGroup,
    pub action: &'static str,
    pub hidden: Vec<(&'static str, String)>,
    pub back: String,
    pub note: String,
    /// `None`: "Nhập N thay đổi".
    pub button: Option<String>,
    pub confirm_unchanged: bool,
    /// Which import, and what its rows are for (year and group, or group and date): the
    /// checked rows are stashed under both, so a confirmation applies exactly them.
    pub kind: ImportKind,
    pub key: String,
}

/// The dry run's page: every error, or every change with the confirm form (shared by the
/// imports of denominators and of counts). Checked rows wait in the stash for the
/// confirmation.
pub async fn preview_page(
    state: &AppState,
    ctx: &Ctx,
    target: PreviewTarget,
    source: String,
    outcome: Outcome,
) -> Result<Response, WebError> {
    let (errors, changes, unchanged, skipped, token) = match outcome {
        Ok(c) => {
            let token = denominators::stash_rows(
                &state.db,
                state.clock.now(),
                ctx.user()?.person_id,
                target.kind,
                &target.key,
                &c.rows,
            )
            .await?;
            (Vec::new(), c.changes, c.unchanged, c.skipped, token)
        }
        Err(errors) => (errors, Vec::new(), 0, 0, String::new()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PreviewPage {
        l: ctx.chrome(format!("Kiểm tra: {}", target.what)),
        what: target.what,
        group_name: target.group.name_vi(),
        action: target.action,
        hidden: target.hidden,
        back: target.back,
        note: target.note,
        button: target
            .button
            .unwrap_or_else(|| format!("Nhập {} thay đổi", changes.len())),
        confirm_unchanged: target.confirm_unchanged,
        source,
        errors,
        changes: changes
            .iter()
            .map(|c| ChangeRow {
                code: c.code.clone(),
                name: c.name.clone(),
                old: c.old.map_or_else(|| "—".to_owned(), format::number),
                new: format::number(c.new),
            })
            .collect(),
        unchanged,
        skipped,
        token,
    };
    Ok(render(ctx, status, &page))
}

fn denominator_target(year: i32, group: TargetGroup) -> PreviewTarget {
    PreviewTarget {
        what: format!("mẫu số năm {year}"),
        group,
        action: "/thong-ke/mau-so/nhap",
        hidden: vec![("nam", year.to_string()), ("nhom", group.code().to_owned())],
        back: format!("/thong-ke/mau-so?nam={year}&nhom={}", group.code()),
        note: String::new(),
        button: None,
        confirm_unchanged: false,
        kind: ImportKind::Denominators,
        key: denominator_key(year, group),
    }
}

/// What stashed denominators are for.
fn denominator_key(year: i32, group: TargetGroup) -> String {
    format!("{year}/{}", group.code())
}

fn plan_outcome(outcome: Result<(Plan, Vec<DenominatorRow>), Vec<RowError>>) -> Outcome {
    outcome.map(|(p, rows)| Checked {
        changes: p.changes,
        unchanged: p.unchanged,
        skipped: p.skipped,
        rows,
    })
}

/// The dry run: every change and every error (of the file, of the source, unknown units), in
/// line order; nothing written.
async fn dry_run(
    state: &AppState,
    ctx: &Ctx,
    year: i32,
    group: TargetGroup,
    source: String,
    (rows, mut errors): (Vec<DenominatorRow>, Vec<RowError>),
) -> Result<Response, WebError> {
    if let Err(e) = denominators::check_source(&source) {
        errors.push(e);
    }
    let outcome = match denominators::plan(state.db.read(), year, group, &rows).await? {
        Err(mut unknown) => {
            errors.append(&mut unknown);
            Err(errors)
        }
        Ok(_) if !errors.is_empty() => Err(errors),
        Ok(plan) => Ok((plan, rows)),
    };
    let outcome = outcome.map_err(|mut e| {
        e.sort_by_key(|r| r.line);
        e
    });
    preview_page(
        state,
        ctx,
        denominator_target(year, group),
        source,
        plan_outcome(outcome),
    )
    .await
}

/// Upload (multipart: `csrf_token`, `nam`, `nhom`, `nguon`, `tep`) → dry run.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let upload = crate::web::pages::Upload::read(&state, &ctx, multipart, "tep", 2).await?;
    let (year, group) = which(&state, upload.field("nam"), upload.field("nhom"))?;
    let source = upload.field("nguon").to_owned();
    let rows = upload.count_rows();
    dry_run(&state, &ctx, year, group, source, rows).await
}

/// The values typed into the page's table (`d_<code>` fields) → dry run.
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    form: CsrfForm<Which>,
) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let (year, group) = which(&state, &form.data.year, &form.data.group)?;
    let source = form
        .pairs
        .iter()
        .find(|(k, _)| k == "nguon")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    // The form lists units in the page's order; the "line" is the row of the table.
    let mut table = vec![vec!["Mã đơn vị".to_owned(), "Số người".to_owned()]];
    for (k, v) in &form.pairs {
        if let Some(code) = k.strip_prefix("d_") {
            table.push(vec![code.to_owned(), v.clone()]);
        }
    }
    let current = denominators::current(&state, year, group).await?;
    let (rows, errors) = parse_denominators(&table);
    // Only what differs from the stored value counts as an edit; emptied cells are left alone
    // (a denominator is corrected, never deleted).
    let rows = rows
        .into_iter()
        .filter(|r| {
            let stored = current
                .iter()
                .find(|(u, _)| u.code == r.code)
                .and_then(|(_, v)| *v);
            r.people.is_some() && r.people != stored
        })
        .collect();
    let rows = (rows, errors);
    dry_run(&state, &ctx, year, group, source, rows).await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default, rename = "nam")]
    year: String,
    #[serde(default, rename = "nhom")]
    group: String,
    #[serde(default, rename = "nguon")]
    source: String,
    /// The stash token of the dry run's rows.
    #[serde(default, rename = "ma")]
    token: String,
}

/// The rows a dry run stashed for this confirmation (shared by the imports of denominators and
/// of counts); a token that names nothing waiting is refused in Vietnamese.
pub async fn stashed_rows(
    state: &AppState,
    user: &SessionUser,
    token: &str,
    kind: ImportKind,
    key: &str,
) -> Result<Vec<DenominatorRow>, WebError> {
    denominators::stashed_rows(&state.db, token, user.person_id, kind, key)
        .await?
        .ok_or_else(|| WebError::Refused(imports::GONE.into()))
}

/// The import itself, after the dry run: all or nothing.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    form: CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let user = province_admin(&ctx)?;
    let f = form.data;
    let (year, group) = which(&state, &f.year, &f.group)?;
    let key = denominator_key(year, group);
    let rows = stashed_rows(&state, user, &f.token, ImportKind::Denominators, &key).await?;
    match denominators::apply(&state, user, year, group, &rows, &f.source).await {
        Ok(plan) => {
            imports::forget(&state.db, &f.token).await?;
            Ok(see_other(&format!(
                "/thong-ke/mau-so?nam={year}&nhom={}&da-nhap={}",
                group.code(),
                plan.changes.len()
            )))
        }
        Err(ImportError::Rows(errors)) => {
            preview_page(
                &state,
                &ctx,
                denominator_target(year, group),
                f.source,
                Err(errors),
            )
            .await
        }
        Err(ImportError::Internal(e)) => Err(e.into()),
    }
}

/// A CSV to fill in Excel: every commune with its current value (UTF-8 with BOM so Excel shows
/// Vietnamese correctly).
pub async fn template(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Which>,
) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let (year, group) = which(&state, &q.year, &q.group)?;
    let current = denominators::current(&state, year, group).await?;
    let mut out = String::from("\u{feff}Mã đơn vị,Tên đơn vị,Số người\r\n");
    for (u, v) in current {
        let name = u.name.replace('"', "\"\"");
        out.push_str(&format!(
            "{},\"{name}\",{}\r\n",
            u.code,
            v.map(|n| n.to_string()).unwrap_or_default()
        ));
    }
    Ok(crate::web::pages::download(
        out.into_bytes(),
        "text/csv; charset=utf-8",
        &format!("mau-so-{year}-{}.csv", group.code()),
    ))
}

pub struct HistoryView {
    pub code: String,
    pub name: String,
    pub old: String,
    pub new: String,
    pub source: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "monitoring/denominators/history.html")]
pub struct HistoryPage {
    pub l: Chrome,
    pub year: i32,
    pub group: &'static str,
    pub group_name: &'static str,
    pub rows: Vec<HistoryView>,
}

pub async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Which>,
) -> Result<Response, WebError> {
    province_admin(&ctx)?;
    let (year, group) = which(&state, &q.year, &q.group)?;
    let rows = denominators::history(&state, year, group)
        .await?
        .into_iter()
        .map(|h| HistoryView {
            code: h.code,
            name: h.name,
            old: h.old.map_or_else(|| "—".to_owned(), format::number),
            new: format::number(h.new),
            source: h.source,
            by: h.by,
            at: format_date_time(h.at),
        })
        .collect();
    let page = HistoryPage {
        l: ctx.chrome(format!("Lịch sử mẫu số năm {year}")),
        year,
        group: group.code(),
        group_name: group.name_vi(),
        rows,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}
