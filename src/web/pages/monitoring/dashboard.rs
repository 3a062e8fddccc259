//! Figures against targets. The province admin sees all 124 communes; a unit officer sees only
//! their own unit (and is sent there); anyone else gets 403.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_domain::{format, Indicator, TargetGroup, UnitKind};
use serde::Deserialize;

use crate::services::monitoring::dashboard::{self, Figures};
use crate::services::monitoring::trend;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::Ctx;
use crate::web::page::{render, see_other, Chrome};

/// One row as shown: every number already formatted the Vietnamese way.
pub struct Row {
    pub code: String,
    pub name: String,
    pub denominator: String,
    pub achieved: String,
    /// Self-registered people, not confirmed: shown beside, never counted in.
    pub unconfirmed: String,
    pub percent: String,
    pub target: String,
    pub gap: String,
    /// "met", "not-met" or "unknown" (no denominator).
    pub status: &'static str,
}

impl Row {
    fn from(f: &Figures) -> Self {
        Row {
            code: f.code.clone(),
            name: f.name.clone(),
            denominator: f.denominator.map_or_else(|| "—".to_owned(), format::number),
            achieved: format::number(f.achieved),
            unconfirmed: format::number(f.unconfirmed),
            percent: f.percent_text(),
            target: f
                .target_percent
                .map_or_else(|| "—".to_owned(), |t| format!("{t}%")),
            gap: f.gap().map_or_else(|| "—".to_owned(), format::number),
            status: match f.met() {
                Some(true) => "met",
                Some(false) => "not-met",
                None => "unknown",
            },
        }
    }
}

/// The province over the communes that have a denominator, when some lack one, formatted.
pub struct KnownView {
    pub denominator: String,
    pub achieved: String,
    pub percent: String,
    pub gap: String,
    pub communes_with: usize,
    pub communes: usize,
    pub communes_without: usize,
}

impl KnownView {
    fn of(k: &dashboard::KnownPart) -> Self {
        let row = Row::from(&k.figures);
        KnownView {
            denominator: row.denominator,
            achieved: row.achieved,
            percent: row.percent,
            gap: row.gap,
            communes_with: k.communes_with,
            communes: k.communes,
            communes_without: k.communes_without(),
        }
    }
}

/// The trend chart and its figures, for the page (the table is the chart's text version).
pub struct TrendView {
    /// The chart, drawn by `monitoring/dashboard/_trend.html`.
    pub chart: ChartView,
    pub weekly: bool,
    /// `(week or date, added, total)`, formatted.
    pub rows: Vec<(String, String, String)>,
}

/// A trend chart's coordinates as the SVG template writes them (one decimal).
pub struct ChartView {
    pub title: String,
    pub width: String,
    pub height: String,
    /// `(y, label's y, label)` of each grid line.
    pub grid: Vec<(String, String, String)>,
    pub left: String,
    pub right: String,
    /// Where grid labels end (just left of the axis).
    pub label_x: String,
    /// `(y, label's y, label)` of the target line.
    pub target: Option<(String, String, String)>,
    /// The running total as `x,y x,y …`; empty when there is no point yet.
    pub points: String,
    /// The area under the line (the points closed on the baseline).
    pub area: String,
    /// The one point, marked, when there is only one.
    pub dot: Option<(String, String)>,
    /// `(x, label, anchor)` of the dates under the axis.
    pub dates: Vec<(String, String, &'static str)>,
    pub date_y: String,
    pub middle: (String, String),
}

impl ChartView {
    fn of(c: &trend::Chart, title: &str) -> Self {
        let n = |v: f64| format!("{v:.1}");
        let points: Vec<String> = c
            .line
            .iter()
            .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
            .collect();
        let area = match (c.line.first(), c.line.last()) {
            (Some(first), Some(last)) => format!(
                "{},{} {} {},{}",
                n(first.0),
                n(c.base),
                points.join(" "),
                n(last.0),
                n(c.base)
            ),
            _ => String::new(),
        };
        ChartView {
            title: title.to_owned(),
            width: c.width.to_string(),
            height: c.height.to_string(),
            grid: c
                .grid
                .iter()
                .map(|(y, label)| (n(*y), n(y + 7.0), label.clone()))
                .collect(),
            left: c.left.to_string(),
            right: c.right.to_string(),
            label_x: (c.left - 6.0).to_string(),
            target: c
                .target
                .as_ref()
                .map(|(y, label)| (n(*y), n(y - 5.0), label.clone())),
            dot: match c.line.as_slice() {
                [(x, y)] => Some((n(*x), n(*y))),
                _ => None,
            },
            points: points.join(" "),
            area,
            dates: c
                .dates
                .iter()
                .map(|(x, label, anchor)| (n(*x), label.clone(), *anchor))
                .collect(),
            date_y: c.date_y.to_string(),
            middle: ((c.width / 2.0).to_string(), (c.height / 2.0).to_string()),
        }
    }
}

impl TrendView {
    fn of(t: &trend::Trend, f: &Figures, title: &str) -> Self {
        TrendView {
            chart: ChartView::of(&trend::Chart::of(t, f.needed()), title),
            weekly: t.weekly,
            rows: t
                .points
                .iter()
                .rev()
                .map(|p| {
                    (
                        p.day.format("%d/%m/%Y").to_string(),
                        format::number(p.added),
                        format::number(p.total),
                    )
                })
                .collect(),
        }
    }
}

/// One line of the province overview, with the query that opens it.
pub struct OverviewLine {
    pub group: &'static str,
    pub indicator: &'static str,
    pub group_name: &'static str,
    pub indicator_name: &'static str,
    pub row: Row,
    pub known: Option<KnownView>,
}

/// What a dashboard page shows (year, group, indicator) and the choices of its filters
/// (`monitoring/dashboard/_filters.html`).
pub struct Filters {
    pub year: i32,
    pub years: Vec<crate::web::pages::Choice>,
    pub group: &'static str,
    pub group_name: &'static str,
    pub groups: Vec<crate::web::pages::Choice>,
    pub indicator: &'static str,
    pub indicator_name: &'static str,
    pub indicators: Vec<crate::web::pages::Choice>,
}

impl Filters {
    fn new(year: i32, years: &[i32], group: TargetGroup, indicator: Indicator) -> Self {
        Filters {
            year,
            years: crate::web::pages::Choice::years(years, year),
            group: group.code(),
            group_name: group.name_vi(),
            groups: crate::web::pages::group_options(group),
            indicator: indicator.code(),
            indicator_name: indicator.name_vi(),
            indicators: crate::web::pages::indicator_options(indicator),
        }
    }
}

#[derive(Template)]
#[template(path = "monitoring/dashboard/province.html")]
pub struct ProvincePage {
    pub l: Chrome,
    pub f: Filters,
    pub sorts: Vec<crate::web::pages::Choice>,
    pub total: Row,
    /// The province over the communes with a denominator, when some lack one.
    pub known: Option<KnownView>,
    pub rows: Vec<Row>,
    pub communes_met: usize,
    pub overview: Vec<OverviewLine>,
    pub trend: TrendView,
}

#[derive(Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default, rename = "nam")]
    year: String,
    #[serde(default, rename = "nhom")]
    group: String,
    #[serde(default, rename = "chi-so")]
    indicator: String,
    #[serde(default, rename = "sap-xep")]
    sort: String,
}

const SORTS: &[(&str, &str)] = &[
    ("ty-le", "Tỷ lệ đạt (cao xuống thấp)"),
    ("con-thieu", "Số người còn thiếu (nhiều xuống ít)"),
    ("ten", "Tên xã, phường"),
    ("ma", "Mã đơn vị"),
];

/// The year asked for, or this year (Vietnam time).
fn year_of(state: &AppState, q: &BoardQuery) -> Result<i32, WebError> {
    if q.year.is_empty() {
        return Ok(state.clock.year());
    }
    match q.year.parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Ok(y),
        _ => Err(WebError::NotFound),
    }
}

/// The year, group and indicator a dashboard query asks for (this year, adults and digital
/// skills when it names none); 404 for anything unknown.
fn asked(state: &AppState, q: &BoardQuery) -> Result<(i32, TargetGroup, Indicator), WebError> {
    Ok((
        year_of(state, q)?,
        crate::web::pages::group_of(&q.group).ok_or(WebError::NotFound)?,
        crate::web::pages::indicator_of(&q.indicator).ok_or(WebError::NotFound)?,
    ))
}

fn sort_rows(rows: &mut [Figures], by: &str) {
    match by {
        "ten" => rows.sort_by_cached_key(|r| hocvuso_domain::text::vietnamese_key(&r.name)),
        "ma" => rows.sort_by(|a, b| a.code.cmp(&b.code)),
        "con-thieu" => {
            rows.sort_by_key(|r| (std::cmp::Reverse(r.gap().unwrap_or(-1)), r.code.clone()))
        }
        // Best first; communes without a denominator last.
        _ => rows.sort_by_key(|r| {
            (
                std::cmp::Reverse(r.per_mille().unwrap_or(-1)),
                r.code.clone(),
            )
        }),
    }
}

/// Province pages for someone who is not the province admin: a unit officer goes to their
/// own unit's page; anyone else may not see figures.
async fn officer_home(
    state: &AppState,
    user: &crate::services::accounts::sign_in::SessionUser,
) -> Result<Response, WebError> {
    match dashboard::home_unit_code(state, user).await? {
        Some(code) => Ok(see_other(&format!("/thong-ke/{code}"))),
        None => Err(WebError::Forbidden),
    }
}

pub async fn province(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    if !user.is_province_admin() {
        return officer_home(&state, user).await;
    }
    let (year, group, indicator) = asked(&state, &q)?;
    let snapshot = dashboard::province_snapshot(&state, year).await?;
    let mut board = snapshot.board(&state, group, indicator).await?;
    let overview = snapshot
        .overview(&state)
        .await?
        .into_iter()
        .map(|o| OverviewLine {
            group: o.group.code(),
            indicator: o.indicator.code(),
            group_name: o.group.name_vi(),
            indicator_name: o.indicator.name_vi(),
            row: Row::from(&o.figures),
            known: o.known.as_ref().map(KnownView::of),
        })
        .collect();
    let t = trend::province_trend(&state, group, indicator).await?;
    let trend = TrendView::of(
        &t,
        &board.total,
        &format!(
            "Số người đạt theo thời gian, toàn tỉnh: {}",
            group.name_vi()
        ),
    );
    let sort = SORTS
        .iter()
        .find(|(v, _)| *v == q.sort)
        .map_or("ty-le", |(v, _)| v);
    sort_rows(&mut board.rows, sort);
    let page = ProvincePage {
        l: ctx.chrome(format!("Thống kê toàn tỉnh năm {year}")),
        f: Filters::new(year, &board.years, group, indicator),
        sorts: SORTS
            .iter()
            .map(|(value, label)| crate::web::pages::Choice {
                value: (*value).to_owned(),
                label: (*label).to_owned(),
                selected: *value == sort,
            })
            .collect(),
        communes_met: board.rows.iter().filter(|r| r.met() == Some(true)).count(),
        total: Row::from(&board.total),
        known: board.known.as_ref().map(KnownView::of),
        rows: board.rows.iter().map(Row::from).collect(),
        overview,
        trend,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "monitoring/dashboard/unit.html")]
pub struct UnitPage {
    pub l: Chrome,
    pub f: Filters,
    pub row: Row,
    pub trend: TrendView,
    /// The units directly under this one, each with everything below it.
    pub sub_units: Vec<Row>,
    pub is_province_admin: bool,
    /// The community digital technology team's last 30 days (communes only).
    pub activity: Option<crate::services::people::support::Activity>,
    /// A school's students class by class (students' digital skills only).
    pub classes: Vec<ClassView>,
}

pub struct ClassView {
    pub name: String,
    pub pupils: String,
    pub achieved: String,
    pub percent: String,
}

pub async fn unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    // Scope first: an officer learns nothing about other units, not even whether they exist.
    if !dashboard::may_view(&state, user, &code).await? {
        return Err(WebError::Forbidden);
    }
    let (year, group, indicator) = asked(&state, &q)?;
    let Some(figures) = dashboard::unit_figures(&state, year, &code, group, indicator).await?
    else {
        return Err(WebError::NotFound);
    };
    let sub_units = dashboard::sub_units(&figures)
        .iter()
        .map(Row::from)
        .collect();
    let dashboard::UnitFigures {
        unit,
        ids,
        figures: f,
        years,
        ..
    } = figures;
    let t = trend::trend(&state, Some(&ids), group, indicator, None).await?;
    let trend = TrendView::of(
        &t,
        &f,
        &format!(
            "Số người đạt theo thời gian, {}: {}",
            f.name,
            group.name_vi()
        ),
    );
    let page = UnitPage {
        l: ctx.chrome(format!("{} — năm {year}", f.name)),
        f: Filters::new(year, &years, group, indicator),
        row: Row::from(&f),
        trend,
        sub_units,
        is_province_admin: user.is_province_admin(),
        activity: if crate::services::people::org::is_commune(&unit) {
            Some(crate::services::people::support::activity(&state, unit.id).await?)
        } else {
            None
        },
        classes: if group == TargetGroup::Students
            && indicator == Indicator::DigitalSkills
            && unit.is(UnitKind::School)
        {
            dashboard::classes(&state, unit.id)
                .await?
                .into_iter()
                .map(|(name, pupils, achieved)| ClassView {
                    name: name.unwrap_or_else(|| "Chưa ghi lớp".to_owned()),
                    pupils: format::number(pupils),
                    achieved: format::number(achieved),
                    percent: format::percent(achieved, pupils).unwrap_or_default(),
                })
                .collect()
        } else {
            Vec::new()
        },
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// One commune on the map: its outline, colour class and what a tap or a screen reader says.
pub struct MapArea {
    pub code: String,
    pub d: String,
    pub class: &'static str,
    pub label: String,
}

pub struct LegendItem {
    pub class: &'static str,
    pub label: &'static str,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "monitoring/dashboard/map.html")]
pub struct MapPage {
    pub l: Chrome,
    pub f: Filters,
    pub width: i64,
    pub height: i64,
    pub areas: Vec<MapArea>,
    pub legend: Vec<LegendItem>,
}

/// Colour classes, from "reached the target" to "no denominator yet".
const BANDS: &[(&str, &str)] = &[
    ("m-dat", "Đạt chỉ tiêu"),
    ("m-gan", "Từ 75% chỉ tiêu trở lên"),
    ("m-giua", "Từ 50% đến dưới 75% chỉ tiêu"),
    ("m-xa", "Dưới 50% chỉ tiêu"),
    ("m-chua", "Chưa có mẫu số hoặc chỉ tiêu"),
];

/// How far a commune is from its target, as a colour class.
fn band(f: &Figures) -> &'static str {
    BANDS[f.band()].0
}

/// The map of the 124 communes coloured by how far each is from the year's target; each
/// commune links to its page. Province admin only (officers are sent to their unit's page).
pub async fn map(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    if !user.is_province_admin() {
        return officer_home(&state, user).await;
    }
    let (year, group, indicator) = asked(&state, &q)?;
    let board = dashboard::province_board(&state, year, group, indicator).await?;
    // In Vietnamese alphabetical order: the list under the map reads in it.
    let map = state.map.get();
    let mut areas: Vec<MapArea> = map
        .shapes
        .iter()
        .filter_map(|s| {
            let f = board.rows.iter().find(|r| r.code == s.code)?;
            let class = band(f);
            let label = match f.denominator {
                Some(_) => format!(
                    "{}: {} ({} người), chỉ tiêu {}",
                    f.name,
                    f.percent_text(),
                    format::number(f.achieved),
                    f.target_percent
                        .map_or_else(|| "—".to_owned(), |t| format!("{t}%"))
                ),
                None => format!("{}: chưa có mẫu số", f.name),
            };
            Some(MapArea {
                code: s.code.clone(),
                d: s.d.clone(),
                class,
                label,
            })
        })
        .collect();
    areas.sort_by_cached_key(|a| hocvuso_domain::text::vietnamese_key(&a.label));
    let legend = BANDS
        .iter()
        .map(|(class, label)| LegendItem {
            class,
            label,
            count: areas.iter().filter(|a| a.class == *class).count(),
        })
        .collect();
    let page = MapPage {
        l: ctx.chrome(format!("Bản đồ năm {year}")),
        f: Filters::new(year, &board.years, group, indicator),
        width: map.width,
        height: map.height,
        areas,
        legend,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// The ranking of every group for a year and indicator as one XLSX (a sheet per group).
/// Province admin only.
pub async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BoardQuery>,
) -> Result<Response, WebError> {
    if !ctx.user()?.is_province_admin() {
        return Err(WebError::Forbidden);
    }
    let year = year_of(&state, &q)?;
    let indicator = crate::web::pages::indicator_of(&q.indicator).ok_or(WebError::NotFound)?;
    let snapshot = dashboard::province_snapshot(&state, year).await?;
    let mut boards = Vec::new();
    for g in hocvuso_domain::TargetGroup::ALL {
        let mut b = snapshot.board(&state, *g, indicator).await?;
        sort_rows(&mut b.rows, "ty-le");
        boards.push(b);
    }
    let overview = snapshot.overview(&state).await?;
    let bytes = crate::services::monitoring::exports::ranking_xlsx(
        &overview,
        &boards,
        &state.config.issuer,
        state.clock.now(),
    )?;
    Ok(crate::web::pages::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("ket-qua-{year}-{}.xlsx", indicator.code()),
    ))
}

/// One group's ranking as CSV. Province admin only.
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BoardQuery>,
) -> Result<Response, WebError> {
    if !ctx.user()?.is_province_admin() {
        return Err(WebError::Forbidden);
    }
    let (year, group, indicator) = asked(&state, &q)?;
    let mut b = dashboard::province_board(&state, year, group, indicator).await?;
    sort_rows(&mut b.rows, "ty-le");
    Ok(crate::web::pages::download(
        crate::services::monitoring::exports::ranking_csv(&b).into_bytes(),
        "text/csv; charset=utf-8",
        &format!("ket-qua-{year}-{}-{}.csv", group.code(), indicator.code()),
    ))
}

pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub citizen_id: String,
    pub birth: String,
    pub phone: String,
    pub unit: String,
    pub status: String,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "monitoring/dashboard/people.html")]
pub struct PeoplePageView {
    pub l: Chrome,
    pub code: String,
    pub unit_name: String,
    pub group: &'static str,
    pub groups: Vec<crate::web::pages::Choice>,
    pub unfinished: bool,
    /// The name searched for (as typed).
    pub name: String,
    pub page: u64,
    pub pages: u64,
    /// How many people match, formatted.
    pub total: String,
    pub rows: Vec<PersonRow>,
    /// The query of this list without its page (`nhom=…&loc=…&ten=…`, escaped).
    pub query: String,
}

#[derive(Default, Deserialize)]
pub struct PeopleQuery {
    #[serde(default, rename = "nhom")]
    group: String,
    #[serde(default, rename = "loc")]
    filter: String,
    #[serde(default, rename = "trang")]
    page: String,
    /// Part of a name to look for.
    #[serde(default, rename = "ten")]
    name: String,
}

/// `1962` → `196x`: enough to tell people apart in a list, not their exact age.
fn masked_year(y: Option<i32>) -> String {
    y.map(|y| format!("{}x", y / 10)).unwrap_or_default()
}

/// The people of a group in a unit: names (the officer follows them up), phone and birth year
/// masked; each view is recorded in the audit log. Scoped like the unit's page.
pub async fn people(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<PeopleQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let group = crate::web::pages::group_of(&q.group).ok_or(WebError::NotFound)?;
    let unfinished = q.filter == "chua-dat";
    let page = q.page.parse::<u64>().unwrap_or(1).clamp(1, 100_000);
    let Some(p) =
        dashboard::people_of_unit(&state, user, &code, group, unfinished, &q.name, page).await?
    else {
        return Err(WebError::Forbidden);
    };
    let mut query = format!("nhom={}", group.code());
    if unfinished {
        query.push_str("&loc=chua-dat");
    }
    if !q.name.trim().is_empty() {
        query.push_str("&ten=");
        query.push_str(
            &form_urlencoded::byte_serialize(q.name.trim().as_bytes()).collect::<String>(),
        );
    }
    let view = PeoplePageView {
        l: ctx.chrome(format!("Danh sách: {}", p.unit_name)),
        code: p.unit_code,
        unit_name: p.unit_name,
        group: group.code(),
        groups: crate::web::pages::group_options(group),
        unfinished,
        name: q.name.trim().to_owned(),
        page: page.min(p.pages),
        pages: p.pages,
        total: format::number(i64::try_from(p.total).unwrap_or(i64::MAX)),
        query,
        rows: p
            .rows
            .into_iter()
            .map(|r| PersonRow {
                id: r.person_id,
                name: r.full_name,
                citizen_id: r
                    .citizen_id
                    .as_deref()
                    .map(hocvuso_domain::mask::citizen_id)
                    .unwrap_or_default(),
                birth: masked_year(r.birth_year),
                phone: r
                    .phone
                    .as_deref()
                    .map(hocvuso_domain::mask::phone)
                    .unwrap_or_default(),
                unit: r.unit_name,
                done: r.achieved_at.is_some(),
                status: r.achieved_at.map_or_else(
                    || "Chưa đạt".to_owned(),
                    |t| format!("Đạt ngày {}", crate::clock::format_date(t)),
                ),
            })
            .collect(),
    };
    Ok(render(&ctx, StatusCode::OK, &view))
}

/// The people of a group in a unit who have not finished, with phone numbers, as CSV for
/// follow-up. Audited; scoped like the unit's page.
pub async fn people_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<PeopleQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let group = crate::web::pages::group_of(&q.group).ok_or(WebError::NotFound)?;
    let Some((code, rows)) = dashboard::unfinished_export(&state, user, &code, group).await? else {
        return Err(WebError::Forbidden);
    };
    let mut out = String::from("\u{feff}Họ và tên,Năm sinh,Điện thoại,Đơn vị\r\n");
    for r in rows {
        let field = |s: &str| {
            if s.contains([',', '"']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_owned()
            }
        };
        out.push_str(&format!(
            "{},{},{},{}\r\n",
            field(&r.full_name),
            r.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            r.phone.unwrap_or_default(),
            field(&r.unit_name)
        ));
    }
    Ok(crate::web::pages::download(
        out.into_bytes(),
        "text/csv; charset=utf-8",
        &format!("chua-dat-{code}-{}.csv", group.code()),
    ))
}

#[derive(Template)]
#[template(path = "monitoring/dashboard/audit.html")]
pub struct AuditPage {
    pub l: Chrome,
    pub rows: Vec<crate::services::people::audit_log::AuditLine>,
}

/// The last 500 views and exports of personal data (province admin).
pub async fn audit(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    if !ctx.user()?.is_province_admin() {
        return Err(WebError::Forbidden);
    }
    let rows = crate::services::people::audit_log::recent(state.db.read(), 500).await?;
    let page = AuditPage {
        l: ctx.chrome("Nhật ký truy cập dữ liệu cá nhân"),
        rows,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub struct CoverageRow {
    pub code: &'static str,
    pub name: &'static str,
    pub learned: String,
    pub percent: String,
}

pub struct CoverageDomainView {
    pub number: u8,
    pub name: &'static str,
    pub rows: Vec<CoverageRow>,
}

#[derive(Template)]
#[template(path = "monitoring/dashboard/competences.html")]
pub struct CoveragePage {
    pub l: Chrome,
    pub code: String,
    pub unit_name: String,
    pub people: String,
    pub domains: Vec<CoverageDomainView>,
}

/// A unit's competence coverage: for each competence of the national framework, how many of
/// its people have learned it.
pub async fn competences(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some(c) = dashboard::competence_coverage(&state, user, &code).await? else {
        return Err(WebError::Forbidden);
    };
    let page = CoveragePage {
        l: ctx.chrome(format!("Năng lực số: {}", c.unit_name)),
        code: c.unit_code,
        unit_name: c.unit_name,
        people: hocvuso_domain::format::number(c.people),
        domains: c
            .domains
            .into_iter()
            .map(|d| CoverageDomainView {
                number: d.number,
                name: d.name,
                rows: d
                    .lines
                    .into_iter()
                    .map(|l| CoverageRow {
                        code: l.code,
                        name: l.name,
                        learned: hocvuso_domain::format::number(l.learned),
                        percent: hocvuso_domain::format::percent(l.learned, c.people)
                            .unwrap_or_else(|| "—".to_owned()),
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}
