//! The report for a period, as a PDF for printing and filing upward: for the province or one
//! unit, the figures of every group at the end of the period and what was added during it,
//! the trend chart, the map of the communes, and the table of communes (or of the units under
//! the unit). Learning figures come from the weekly counts, so a period is counted in whole
//! weeks (Monday to Sunday); imported figures (VNeID confirmations) by the date of each import.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use hocvuso_db::repo::{org, stats};
use hocvuso_domain::{format, Indicator, TargetGroup, UnitKind};
use hocvuso_pdf::{Anchor, Block, Column, Document, Orientation, Rgb, Run, Shape};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::monitoring::dashboard::Figures;
use crate::services::monitoring::trend::{self, Chart};
use crate::services::runtime::Runtime;
use crate::services::Internal;

/// What to report on.
#[derive(Debug, Clone)]
pub struct Request {
    /// The unit (None: the province).
    pub code: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The group and indicator of the chart, the map and the table of units.
    pub group: TargetGroup,
    pub indicator: Indicator,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")]
    Order,
    #[error("Kỳ báo cáo dài nhất 3 năm.")]
    TooLong,
    #[error("not allowed")]
    Forbidden,
    #[error("no such unit")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<hocvuso_db::DbErr> for ReportError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        ReportError::Internal(e.into())
    }
}

/// A unit's count at the start and at the end of the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: i64,
    end: i64,
}

/// `unit_id → Span` for a group and indicator. Learning: the weeks before the period's first
/// week, and up to its last week; imported: each unit's latest figure before `from`, and on or
/// before `to`.
async fn spans(
    state: &Runtime,
    group: TargetGroup,
    indicator: Indicator,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<i64, Span>, Internal> {
    let db = state.db.read();
    let mut out: BTreeMap<i64, Span> = BTreeMap::new();
    if crate::services::monitoring::outside_counts::is_imported(indicator) {
        let list =
            hocvuso_db::repo::imports::imports_of(db, indicator.code(), group.code()).await?;
        let dates: BTreeMap<i64, NaiveDate> = list.iter().map(|i| (i.id, i.as_of)).collect();
        let ids: Vec<i64> = list.iter().map(|i| i.id).collect();
        let mut by_unit: BTreeMap<i64, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
        for r in hocvuso_db::repo::imports::rows_of(db, &ids).await? {
            if let Some(d) = dates.get(&r.import_id) {
                by_unit.entry(r.unit_id).or_default().insert(*d, r.people);
            }
        }
        for (unit, values) in by_unit {
            let at = |last: NaiveDate| values.range(..=last).next_back().map_or(0, |(_, n)| *n);
            out.insert(
                unit,
                Span {
                    start: at(from - Duration::days(1)),
                    end: at(to),
                },
            );
        }
        return Ok(out);
    }
    let first_week = trend::week_start(from);
    let last_week = trend::week_start(to);
    for (unit, week, n) in stats::week_counts(db, group.code(), indicator.code()).await? {
        let Ok(w) = NaiveDate::parse_from_str(&week, "%Y-%m-%d") else {
            continue;
        };
        let span = out.entry(unit).or_default();
        if w < first_week {
            span.start += n;
        }
        if w <= last_week {
            span.end += n;
        }
    }
    Ok(out)
}

use crate::clock::format_day as day;

/// Sums spans over the units under a path.
fn sum_under(units: &[org::OrgUnit], spans: &BTreeMap<i64, Span>, path: &str) -> Span {
    units
        .iter()
        .filter(|u| hocvuso_db::repo::org::is_under(&u.path, path))
        .filter_map(|u| spans.get(&u.id))
        .fold(Span::default(), |a, s| Span {
            start: a.start + s.start,
            end: a.end + s.end,
        })
}

const BAND_COLORS: [Rgb; 5] = [
    Rgb(0, 112, 60),
    Rgb(133, 200, 138),
    Rgb(242, 201, 76),
    Rgb(212, 53, 28),
    Rgb(177, 180, 182),
];
const BAND_LABELS: [&str; 5] = [
    "Đạt chỉ tiêu",
    "Từ 75% chỉ tiêu trở lên",
    "Từ 50% đến dưới 75% chỉ tiêu",
    "Dưới 50% chỉ tiêu",
    "Chưa có mẫu số hoặc chỉ tiêu",
];

fn number_or_dash(n: Option<i64>) -> String {
    n.map_or_else(|| "—".to_owned(), format::number)
}

fn plain(text: impl Into<String>) -> Block {
    Block::Paragraph(vec![Run::plain(text)])
}

fn col(header: &str, weight: f32, numeric: bool) -> Column {
    Column {
        header: header.to_owned(),
        weight,
        numeric,
    }
}

/// The figures columns of a unit's row: denominator, at the end, added, %, target, gap.
fn figure_cells(f: &Figures, added: i64) -> Vec<String> {
    vec![
        number_or_dash(f.denominator),
        format::number(f.achieved),
        format::number(added),
        f.percent_text(),
        f.target_percent
            .map_or_else(|| "—".to_owned(), |t| format!("{t}%")),
        number_or_dash(f.gap()),
    ]
}

/// The chart as PDF shapes.
fn chart_shapes(c: &Chart) -> Vec<Shape> {
    let f = |v: f64| v as f32;
    let grey = Rgb(51, 51, 51);
    let mut shapes = Vec::new();
    for (y, label) in &c.grid {
        shapes.push(Shape::Polyline {
            points: vec![(f(c.left), f(*y)), (f(c.right), f(*y))],
            color: Rgb(208, 208, 208),
            width: 0.5,
            dashed: false,
        });
        shapes.push(Shape::Text {
            at: (f(c.left - 6.0), f(y + 4.0)),
            text: label.clone(),
            size: 8.0,
            color: grey,
            anchor: Anchor::End,
        });
    }
    if let (Some(first), Some(last)) = (c.line.first(), c.line.last()) {
        let mut area = vec![(f(first.0), f(c.base))];
        area.extend(c.line.iter().map(|(x, y)| (f(*x), f(*y))));
        area.push((f(last.0), f(c.base)));
        shapes.push(Shape::Polygon {
            rings: vec![area],
            fill: Rgb(207, 227, 245),
            stroke: None,
        });
        shapes.push(Shape::Polyline {
            points: c.line.iter().map(|(x, y)| (f(*x), f(*y))).collect(),
            color: Rgb(29, 112, 184),
            width: 1.5,
            dashed: false,
        });
        if c.line.len() == 1 {
            let (x, y) = (f(first.0), f(first.1));
            shapes.push(Shape::Polygon {
                rings: vec![vec![
                    (x - 4.0, y - 4.0),
                    (x + 4.0, y - 4.0),
                    (x + 4.0, y + 4.0),
                    (x - 4.0, y + 4.0),
                ]],
                fill: Rgb(29, 112, 184),
                stroke: None,
            });
        }
    } else {
        shapes.push(Shape::Text {
            at: (f(c.width / 2.0), f(c.height / 2.0)),
            text: "Chưa có số liệu".into(),
            size: 10.0,
            color: grey,
            anchor: Anchor::Middle,
        });
    }
    if let Some((y, label)) = &c.target {
        shapes.push(Shape::Polyline {
            points: vec![(f(c.left), f(*y)), (f(c.right), f(*y))],
            color: Rgb(176, 0, 32),
            width: 1.0,
            dashed: true,
        });
        shapes.push(Shape::Text {
            at: (f(c.right), f(y - 5.0)),
            text: label.clone(),
            size: 8.0,
            color: Rgb(176, 0, 32),
            anchor: Anchor::End,
        });
    }
    for (x, label, anchor) in &c.dates {
        shapes.push(Shape::Text {
            at: (f(*x), f(c.date_y)),
            text: label.clone(),
            size: 8.0,
            color: grey,
            anchor: match *anchor {
                "start" => Anchor::Start,
                "end" => Anchor::End,
                _ => Anchor::Middle,
            },
        });
    }
    shapes
}

/// The map: every commune in its band's colour (`bands`: code → band); with `only`, the other
/// communes grey. A legend under it.
fn map_shapes(
    state: &Runtime,
    bands: &BTreeMap<String, usize>,
    counts: bool,
) -> ((f32, f32), Vec<Shape>) {
    let map = state.map.get();
    let legend_top = map.height as f32 + 30.0;
    let mut shapes: Vec<Shape> = map
        .shapes
        .iter()
        .map(|s| Shape::Polygon {
            rings: s
                .rings
                .iter()
                .map(|r| r.iter().map(|(x, y)| (*x as f32, *y as f32)).collect())
                .collect(),
            fill: BAND_COLORS[bands.get(&s.code).copied().unwrap_or(4).min(4)],
            stroke: Some(Rgb(255, 255, 255)),
        })
        .collect();
    for (i, (color, label)) in BAND_COLORS.iter().zip(BAND_LABELS).enumerate() {
        let y = legend_top + i as f32 * 34.0;
        shapes.push(Shape::Polygon {
            rings: vec![vec![(0.0, y), (24.0, y), (24.0, y + 24.0), (0.0, y + 24.0)]],
            fill: *color,
            stroke: None,
        });
        let count = bands.values().filter(|b| **b == i).count();
        shapes.push(Shape::Text {
            at: (36.0, y + 19.0),
            text: if counts {
                format!("{label}: {count} xã, phường")
            } else {
                label.to_owned()
            },
            size: 10.0,
            color: Rgb(0, 0, 0),
            anchor: Anchor::Start,
        });
    }
    ((map.width as f32, legend_top + 5.0 * 34.0), shapes)
}

/// One line of a unit's summary: a group and indicator with its figures at the end of a
/// period, as printed (`cells`: the line's name, denominator, achieved at the end, added in
/// the period, %, target, gap — numbers written the Vietnamese way).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SummaryLine {
    pub cells: Vec<String>,
}

/// The column headers of [`SummaryLine::cells`].
pub const SUMMARY_HEADER: [&str; 7] = [
    "Nhóm đối tượng, chỉ số",
    "Mẫu số",
    "Đã đạt cuối kỳ",
    "Tăng trong kỳ",
    "Tỷ lệ",
    "Chỉ tiêu",
    "Còn thiếu",
];

/// Every group and indicator of a unit (and the units under it) at the end of the period
/// `from`..=`to`: the lines a period's report starts with. Indicators with no target and no
/// figure are left out (digital skills always shown). Denominators and targets of `to`'s year.
pub async fn summary(
    state: &Runtime,
    units: &[org::OrgUnit],
    unit: &org::OrgUnit,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SummaryLine>, Internal> {
    use chrono::Datelike;
    let db = state.db.read();
    let year = to.year();
    let targets: BTreeMap<(String, String), i32> = stats::targets_of_year(db, year)
        .await?
        .into_iter()
        .map(|t| ((t.group_code, t.indicator_code), t.percent))
        .collect();
    let is_province = unit.is(UnitKind::Province);
    let mut lines = Vec::new();
    for &g in TargetGroup::ALL {
        let denominators = stats::denominators(db, year, g.code()).await?;
        let denominator = if is_province {
            crate::services::monitoring::dashboard::province_denominator(units, &denominators)
        } else {
            denominators.get(&unit.id).copied()
        };
        for &i in Indicator::ALL {
            let target = targets
                .get(&(g.code().to_owned(), i.code().to_owned()))
                .copied();
            let spans = spans(state, g, i, from, to).await?;
            let s = sum_under(units, &spans, &unit.path);
            if i != Indicator::DigitalSkills && target.is_none() && s.end == 0 {
                continue;
            }
            let f = Figures {
                code: unit.code.clone(),
                name: String::new(),
                denominator,
                achieved: s.end,
                unconfirmed: 0,
                target_percent: target,
            };
            let mut cells = vec![format!("{}: {}", g.name_vi(), i.name_vi())];
            cells.extend(figure_cells(&f, s.end - s.start));
            lines.push(SummaryLine { cells });
        }
    }
    Ok(lines)
}

/// The report as PDF bytes, after the scope check (`Forbidden` when the user may not see the
/// unit).
pub async fn pdf(
    state: &Runtime,
    user: &SessionUser,
    req: &Request,
) -> Result<(String, Vec<u8>), ReportError> {
    if req.from > req.to {
        return Err(ReportError::Order);
    }
    if req.to - req.from > Duration::days(3 * 366) {
        return Err(ReportError::TooLong);
    }
    let db = state.db.read();
    let units = crate::services::people::org::tree(state).await?;
    let province = units
        .iter()
        .find(|u| u.is(UnitKind::Province))
        .ok_or(ReportError::NotFound)?;
    let unit = match &req.code {
        None if user.is_province_admin() => province.clone(),
        None => return Err(ReportError::Forbidden),
        Some(code) => {
            if !crate::services::monitoring::dashboard::may_view(state, user, code).await? {
                return Err(ReportError::Forbidden);
            }
            units
                .iter()
                .find(|u| &u.code == code)
                .cloned()
                .ok_or(ReportError::NotFound)?
        }
    };
    use chrono::Datelike;
    let year = req.to.year();
    let first_week = trend::week_start(req.from);
    let last_sunday = trend::week_start(req.to) + Duration::days(6);
    let targets: BTreeMap<(String, String), i32> = stats::targets_of_year(db, year)
        .await?
        .into_iter()
        .map(|t| ((t.group_code, t.indicator_code), t.percent))
        .collect();
    let target_of = |g: TargetGroup, i: Indicator| {
        targets
            .get(&(g.code().to_owned(), i.code().to_owned()))
            .copied()
    };
    let is_province = unit.id == province.id;
    // A unit's denominator; the province's falls back to the communes' sum.
    let denominator_of = |d: &BTreeMap<i64, i64>, u: &org::OrgUnit| -> Option<i64> {
        if u.id == province.id {
            crate::services::monitoring::dashboard::province_denominator(&units, d)
        } else {
            d.get(&u.id).copied()
        }
    };

    let mut blocks = vec![
        Block::Title("Báo cáo Bình dân học vụ số".into()),
        Block::Subtitle(format!(
            "{} — từ ngày {} đến ngày {}",
            unit.name,
            day(req.from),
            day(req.to)
        )),
        plain(format!(
            "Số liệu lấy trực tiếp từ hệ thống lúc {}. Số người đạt được tính theo tuần (thứ Hai đến Chủ nhật): kỳ này gồm các tuần từ thứ Hai {} đến Chủ nhật {}. Số xác nhận trên VNeID theo số liệu được nhập có ngày trong kỳ. Mẫu số và chỉ tiêu của năm {year}.",
            crate::clock::format_date_time(state.clock.now()),
            day(first_week),
            day(last_sunday),
        )),
        Block::Heading {
            level: 1,
            text: "1. Tổng hợp theo nhóm đối tượng".into(),
        },
    ];
    let summary: Vec<Vec<String>> = summary(state, &units, &unit, req.from, req.to)
        .await?
        .into_iter()
        .map(|l| l.cells)
        .collect();
    let figure_columns = || {
        vec![
            col("Mẫu số", 1.2, true),
            col("Đã đạt cuối kỳ", 1.2, true),
            col("Tăng trong kỳ", 1.1, true),
            col("Tỷ lệ", 0.9, true),
            col("Chỉ tiêu", 0.9, true),
            col("Còn thiếu", 1.1, true),
        ]
    };
    let mut columns = vec![col("Nhóm đối tượng, chỉ số", 3.6, false)];
    columns.extend(figure_columns());
    blocks.push(Block::Table {
        columns,
        rows: summary,
        total: None,
    });

    // The chosen group and indicator: trend, map, units.
    let (g, i) = (req.group, req.indicator);
    let denominators = stats::denominators(db, year, g.code()).await?;
    let spans = spans(state, g, i, req.from, req.to).await?;
    let target_percent = target_of(g, i);
    let figures_of = |u: &org::OrgUnit| {
        let s = sum_under(&units, &spans, &u.path);
        (
            Figures {
                code: u.code.clone(),
                name: u.name.clone(),
                denominator: denominator_of(&denominators, u),
                achieved: s.end,
                unconfirmed: 0,
                target_percent,
            },
            s.end - s.start,
        )
    };
    let (unit_figures, _) = figures_of(&unit);
    blocks.push(Block::Heading {
        level: 1,
        text: format!("2. Tiến độ: {} — {}", g.name_vi(), i.name_vi()),
    });
    let ids = org::ids_under(db, &unit.path).await?;
    let t = trend::trend(
        state,
        (!is_province).then_some(ids.as_slice()),
        g,
        i,
        Some((req.from, req.to)),
    )
    .await?;
    let chart = Chart::of(&t, unit_figures.needed());
    blocks.push(Block::Figure {
        view: (chart.width as f32, chart.height as f32),
        width_pt: 480.0,
        shapes: chart_shapes(&chart),
        caption: format!(
            "Hình 1. Tổng số người đạt {}, từ ngày {} đến ngày {}. Đường đỏ đứt nét: số người cần đạt để đủ chỉ tiêu năm {year}.",
            if t.weekly { "theo tuần" } else { "theo từng lần nhập số liệu" },
            day(req.from),
            day(req.to)
        ),
    });

    let communes: Vec<&org::OrgUnit> = units
        .iter()
        .filter(|u| u.is(UnitKind::Commune) && u.merged_into_id.is_none())
        .collect();
    let mut rows: Vec<(Figures, i64)> = if is_province {
        communes.iter().map(|c| figures_of(c)).collect()
    } else {
        let mut children: Vec<(Figures, i64)> = units
            .iter()
            .filter(|u| u.parent_id == Some(unit.id) && u.merged_into_id.is_none())
            .map(figures_of)
            .collect();
        children.sort_by_cached_key(|(f, _)| hocvuso_domain::text::vietnamese_key(&f.name));
        children
    };
    let bands: BTreeMap<String, usize> = if is_province {
        rows.iter()
            .map(|(f, _)| (f.code.clone(), f.band()))
            .collect()
    } else {
        // The unit's commune in its colour, the others grey.
        let commune = unit
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        units
            .iter()
            .find(|u| u.code == commune)
            .map(|c| (c.code.clone(), figures_of(c).0.band()))
            .into_iter()
            .collect()
    };
    blocks.push(Block::Heading {
        level: 1,
        text: "3. Bản đồ các xã, phường, đặc khu".into(),
    });
    let (view, shapes) = map_shapes(state, &bands, is_province);
    blocks.push(Block::Figure {
        view,
        width_pt: 420.0,
        shapes,
        caption: if is_province {
            format!(
                "Hình 2. Mức đạt chỉ tiêu năm {year} của từng xã, phường, đặc khu, đến ngày {}.",
                day(req.to)
            )
        } else {
            "Hình 2. Vị trí của đơn vị (có màu theo mức đạt chỉ tiêu); các xã, phường khác để màu xám.".into()
        },
    });
    if !rows.is_empty() {
        if is_province {
            rows.sort_by_key(|(f, _)| {
                (
                    std::cmp::Reverse(f.per_mille().unwrap_or(-1)),
                    f.code.clone(),
                )
            });
        }
        blocks.push(Block::Heading {
            level: 1,
            text: if is_province {
                format!("4. Xếp hạng {} xã, phường, đặc khu", rows.len())
            } else {
                "4. Các đơn vị trực thuộc".into()
            },
        });
        let mut columns = vec![
            col("#", 0.5, true),
            col("Mã", 0.9, false),
            col("Đơn vị", 3.0, false),
        ];
        columns.extend(figure_columns());
        let table_rows = rows
            .iter()
            .enumerate()
            .map(|(n, (f, added))| {
                let mut r = vec![(n + 1).to_string(), f.code.clone(), f.name.clone()];
                r.extend(figure_cells(f, *added));
                r
            })
            .collect();
        let (total, added) = figures_of(&unit);
        let mut total_row = vec![String::new(), String::new(), format!("Cộng: {}", unit.name)];
        total_row.extend(figure_cells(&total, added));
        blocks.push(Block::Table {
            columns,
            rows: table_rows,
            total: Some(total_row),
        });
    }
    let doc = Document {
        title: format!(
            "Báo cáo {} từ {} đến {}",
            unit.name,
            day(req.from),
            day(req.to)
        ),
        author: state.config.issuer.clone(),
        orientation: Orientation::Portrait,
        blocks,
        footer: Some(format!(
            "Báo cáo Bình dân học vụ số — {} — {} đến {}",
            unit.name,
            day(req.from),
            day(req.to)
        )),
    };
    let bytes = tokio::task::spawn_blocking(move || hocvuso_pdf::render(&doc))
        .await
        .map_err(|e| Internal::Other(format!("report: {e}")))?
        .map_err(|e| Internal::Other(format!("report: {e}")))?;
    let file = format!(
        "bao-cao-{}-{}-{}.pdf",
        unit.code,
        req.from.format("%Y%m%d"),
        req.to.format("%Y%m%d")
    );
    Ok((file, bytes))
}

/// The units this user may report on: for the province admin the province (`None`) and every
/// commune; for an officer their units. Empty for anyone else.
pub async fn reportable_units<C: hocvuso_db::ConnectionTrait>(
    conn: &C,
    user: &SessionUser,
) -> Result<Vec<Option<org::OrgUnit>>, Internal> {
    let all = org::all(conn).await?;
    if user.is_province_admin() {
        let communes = all
            .into_iter()
            .filter(|u| u.is(UnitKind::Commune) && u.merged_into_id.is_none())
            .map(Some);
        return Ok(std::iter::once(None).chain(communes).collect());
    }
    Ok(user
        .officer_units()
        .filter_map(|id| all.iter().find(|u| u.id == id).cloned().map(Some))
        .collect())
}
