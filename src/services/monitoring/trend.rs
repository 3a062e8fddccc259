//! The trend of an indicator: how many had achieved it, week by week (learning on this
//! platform, from the weekly counts the spine keeps), or import by import (counts from
//! outside, e.g. VNeID confirmations), for the province or one unit and everything below it;
//! and the chart of it ([`Chart`]: coordinates that the dashboard template draws as SVG and
//! the report draws in its PDF; no JavaScript).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use hocvuso_db::repo::stats;
use hocvuso_domain::{format, Indicator, TargetGroup};

use crate::services::runtime::Runtime;
use crate::services::Internal;

/// Points shown at most (a year of weeks).
pub const MAX_POINTS: usize = 53;

/// One point: the week (its Monday) or the import's date, what was added then, the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub day: NaiveDate,
    pub added: i64,
    pub total: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Trend {
    pub points: Vec<Point>,
    /// True for weekly points (learning), false for dated imports.
    pub weekly: bool,
}

/// The whole province's trend of a group and indicator (no period), computed once for the
/// requests that ask at the same moment (`services::shared::coalesce`: nothing is kept after).
pub async fn province_trend(
    state: &Runtime,
    group: TargetGroup,
    indicator: Indicator,
) -> Result<std::sync::Arc<Trend>, Internal> {
    state
        .province_trends
        .run((group.code(), indicator.code()), || {
            trend(state, None, group, indicator, None)
        })
        .await
}

/// The trend of a group and indicator for the given units (`None`: the whole province).
/// Without a period, weekly points run from the first week with an achievement to this week,
/// at most [`MAX_POINTS`]; with a period `(from, to)` (a report's, at most about three years),
/// they run from the week of `from` to the week of `to`, and dated imports are those dated in
/// it. The totals always count everything before the first point.
pub async fn trend(
    state: &Runtime,
    units: Option<&[i64]>,
    group: TargetGroup,
    indicator: Indicator,
    period: Option<(NaiveDate, NaiveDate)>,
) -> Result<Trend, Internal> {
    let db = state.db.read();
    let under: Option<std::collections::HashSet<i64>> =
        units.map(|ids| ids.iter().copied().collect());
    let counted = |unit: i64| under.as_ref().is_none_or(|u| u.contains(&unit));
    if crate::services::monitoring::outside_counts::is_imported(indicator) {
        let list =
            hocvuso_db::repo::imports::imports_of(db, indicator.code(), group.code()).await?;
        let ids: Vec<i64> = list.iter().map(|i| i.id).collect();
        let date_of: BTreeMap<i64, NaiveDate> = list.iter().map(|i| (i.id, i.as_of)).collect();
        // unit → (date → people)
        let mut by_unit: BTreeMap<i64, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
        for r in hocvuso_db::repo::imports::rows_of(db, &ids).await? {
            if let (true, Some(d)) = (counted(r.unit_id), date_of.get(&r.import_id)) {
                by_unit.entry(r.unit_id).or_default().insert(*d, r.people);
            }
        }
        let mut dates: Vec<NaiveDate> = list.iter().map(|i| i.as_of).collect();
        dates.sort_unstable();
        dates.dedup();
        let mut points: Vec<Point> = Vec::new();
        for d in dates {
            // Each unit's latest figure on that date.
            let total: i64 = by_unit
                .values()
                .filter_map(|v| v.range(..=d).next_back().map(|(_, n)| *n))
                .sum();
            let before = points.last().map_or(0, |p| p.total);
            points.push(Point {
                day: d,
                added: total - before,
                total,
            });
        }
        if let Some((from, to)) = period {
            points.retain(|p| from <= p.day && p.day <= to);
            // The first point's "added" is since the last figure before the period.
            if let Some(first) = points.first_mut() {
                let before: i64 = by_unit
                    .values()
                    .filter_map(|v| v.range(..from).next_back().map(|(_, n)| *n))
                    .sum();
                first.added = first.total - before;
            }
            return Ok(Trend {
                points,
                weekly: false,
            });
        }
        let skip = points.len().saturating_sub(MAX_POINTS);
        return Ok(Trend {
            points: points.split_off(skip),
            weekly: false,
        });
    }
    let mut by_week: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for (week, n) in stats::week_totals(db, group.code(), indicator.code(), units).await? {
        if let Ok(d) = NaiveDate::parse_from_str(&week, "%Y-%m-%d") {
            *by_week.entry(d).or_default() += n;
        }
    }
    let this_week = NaiveDate::parse_from_str(&stats::week_of(state.clock.now()), "%Y-%m-%d")
        .map_err(|e| Internal::Other(format!("week: {e}")))?;
    let (first, last) = match period {
        Some((from, to)) => (week_start(from), week_start(to)),
        None => match by_week.keys().next().copied() {
            Some(first) => (first, this_week.max(first)),
            None => {
                return Ok(Trend {
                    points: Vec::new(),
                    weekly: true,
                })
            }
        },
    };
    let mut points = Vec::new();
    let mut total: i64 = by_week.range(..first).map(|(_, n)| n).sum();
    let mut day = first;
    while day <= last {
        let added = by_week.get(&day).copied().unwrap_or(0);
        total += added;
        points.push(Point { day, added, total });
        day += Duration::weeks(1);
    }
    if period.is_some() {
        return Ok(Trend {
            points,
            weekly: true,
        });
    }
    // Weeks after this one (achievements dated ahead, e.g. an import's clock) still count.
    total += by_week.range(day..).map(|(_, n)| n).sum::<i64>();
    if let Some(last) = points.last_mut() {
        last.total = total;
    }
    let skip = points.len().saturating_sub(MAX_POINTS);
    Ok(Trend {
        points: points.split_off(skip),
        weekly: true,
    })
}

/// The Monday of a day's week.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// A round upper bound for the axis: 1, 2 or 5 × 10ⁿ at or above `n`.
fn nice_max(n: i64) -> i64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= n {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// The chart of a trend in its own units (640 × 240, y down): what the SVG and the PDF both
/// draw.
pub struct Chart {
    pub width: f64,
    pub height: f64,
    /// `(y, label)` of the grid lines (0, half, top).
    pub grid: Vec<(f64, String)>,
    pub left: f64,
    pub right: f64,
    /// The running total's points.
    pub line: Vec<(f64, f64)>,
    /// The baseline's y (for the area under the line).
    pub base: f64,
    /// `(y, label)` of the target line.
    pub target: Option<(f64, String)>,
    /// `(x, label, anchor)` of the dates under the axis: "start", "middle" or "end".
    pub dates: Vec<(f64, String, &'static str)>,
    pub date_y: f64,
}

impl Chart {
    pub fn of(trend: &Trend, target_people: Option<i64>) -> Self {
        const W: f64 = 640.0;
        const H: f64 = 240.0;
        const L: f64 = 110.0;
        const R: f64 = 16.0;
        const T: f64 = 16.0;
        const B: f64 = 48.0;
        let pts = &trend.points;
        let top = pts
            .iter()
            .map(|p| p.total)
            .chain(target_people)
            .max()
            .unwrap_or(0)
            .max(1);
        let y_max = nice_max(top);
        let x = |i: usize| {
            if pts.len() <= 1 {
                L + (W - L - R) / 2.0
            } else {
                L + (W - L - R) * i as f64 / (pts.len() - 1) as f64
            }
        };
        let y = |v: i64| T + (H - T - B) * (1.0 - v as f64 / y_max as f64);
        let date = |i: usize, anchor| (x(i), pts[i].day.format("%d/%m/%Y").to_string(), anchor);
        Chart {
            width: W,
            height: H,
            grid: [0, y_max / 2, y_max]
                .into_iter()
                .map(|v| (y(v), format::number(v)))
                .collect(),
            left: L,
            right: W - R,
            line: pts
                .iter()
                .enumerate()
                .map(|(i, p)| (x(i), y(p.total)))
                .collect(),
            base: y(0),
            target: (!pts.is_empty())
                .then_some(target_people)
                .flatten()
                .map(|t| (y(t), format!("Chỉ tiêu: {}", format::number(t)))),
            dates: match pts.len() {
                0 => Vec::new(),
                1 => vec![date(0, "middle")],
                n => vec![date(0, "start"), date(n - 1, "end")],
            },
            date_y: H - B + 30.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(d: u32, added: i64, total: i64) -> Point {
        Point {
            day: NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default(),
            added,
            total,
        }
    }

    #[test]
    fn axis_bounds_are_round() {
        assert_eq!(nice_max(1), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(1234), 2000);
        assert_eq!(nice_max(500_001), 1_000_000);
    }

    #[test]
    fn the_chart_places_the_total_the_target_and_dates() {
        let t = Trend {
            points: vec![p(2, 3, 3), p(9, 0, 3), p(16, 4, 7)],
            weekly: true,
        };
        let c = Chart::of(&t, Some(8));
        assert_eq!(c.line.len(), 3);
        assert_eq!(c.target.as_ref().map(|t| t.1.as_str()), Some("Chỉ tiêu: 8"));
        let dates: Vec<&str> = c.dates.iter().map(|d| d.1.as_str()).collect();
        assert_eq!(dates, ["02/11/2026", "16/11/2026"]);
        assert!(c
            .line
            .iter()
            .all(|(x, y)| *x >= c.left && *x <= c.right && *y <= c.base));
        let empty = Chart::of(&Trend::default(), Some(8));
        assert!(empty.line.is_empty() && empty.target.is_none());
    }
}
