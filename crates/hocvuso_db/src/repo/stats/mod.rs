//! Targets, denominators, achievements and the live indicator counts (the spine). This module
//! holds the live counts (weekly and totals) and what reads them; `targets`, `achievements`
//! and `recount` the rest.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Set,
};

use crate::entity::{achievement, indicator_count, indicator_week, target};

pub use target::Model as Target;

mod achievements;
mod recount;
mod targets;

pub use achievements::*;
pub use recount::*;
pub use targets::*;

/// The week an achievement falls in: the Monday (Vietnam time, UTC+7) that starts it, as
/// `yyyy-mm-dd` (sorts as text, the same on both backends).
pub fn week_of(at: DateTime<Utc>) -> String {
    use chrono::{Datelike, Duration};
    let local = (at + Duration::hours(7)).date_naive();
    let monday = local - Duration::days(i64::from(local.weekday().num_days_from_monday()));
    monday.format("%Y-%m-%d").to_string()
}

/// A change to a live count: of confirmed people (what the province reports) and of people who
/// registered themselves and are not confirmed (shown beside them, never mixed in).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delta {
    pub confirmed: i64,
    pub unconfirmed: i64,
}

impl Delta {
    /// `n` people, confirmed or not.
    pub fn of(confirmed: bool, n: i64) -> Self {
        if confirmed {
            Self {
                confirmed: n,
                unconfirmed: 0,
            }
        } else {
            Self {
                confirmed: 0,
                unconfirmed: n,
            }
        }
    }

    pub fn is_zero(&self) -> bool {
        self.confirmed == 0 && self.unconfirmed == 0
    }
}

impl std::ops::AddAssign for Delta {
    fn add_assign(&mut self, o: Self) {
        self.confirmed += o.confirmed;
        self.unconfirmed += o.unconfirmed;
    }
}

impl std::ops::SubAssign for Delta {
    fn sub_assign(&mut self, o: Self) {
        self.confirmed -= o.confirmed;
        self.unconfirmed -= o.unconfirmed;
    }
}

/// Adds `delta` to the live count of `(unit, group, indicator)` and to its count for the week
/// the achievements fall in (`week`, from [`week_of`]), creating the rows if needed.
pub async fn add_to_count<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    group_code: &str,
    indicator_code: &str,
    week: &str,
    delta: Delta,
) -> Result<(), DbErr> {
    if delta.is_zero() {
        return Ok(());
    }
    indicator_count::Entity::insert(indicator_count::ActiveModel {
        unit_id: Set(unit_id),
        group_code: Set(group_code.to_owned()),
        indicator_code: Set(indicator_code.to_owned()),
        achieved: Set(delta.confirmed),
        unconfirmed: Set(delta.unconfirmed),
    })
    .on_conflict(
        OnConflict::columns([
            indicator_count::Column::UnitId,
            indicator_count::Column::GroupCode,
            indicator_count::Column::IndicatorCode,
        ])
        .value(
            indicator_count::Column::Achieved,
            Expr::col((indicator_count::Entity, indicator_count::Column::Achieved))
                .add(delta.confirmed),
        )
        .value(
            indicator_count::Column::Unconfirmed,
            Expr::col((
                indicator_count::Entity,
                indicator_count::Column::Unconfirmed,
            ))
            .add(delta.unconfirmed),
        )
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    indicator_week::Entity::insert(indicator_week::ActiveModel {
        unit_id: Set(unit_id),
        group_code: Set(group_code.to_owned()),
        indicator_code: Set(indicator_code.to_owned()),
        week: Set(week.to_owned()),
        achieved: Set(delta.confirmed),
        unconfirmed: Set(delta.unconfirmed),
    })
    .on_conflict(
        OnConflict::columns([
            indicator_week::Column::UnitId,
            indicator_week::Column::GroupCode,
            indicator_week::Column::IndicatorCode,
            indicator_week::Column::Week,
        ])
        .value(
            indicator_week::Column::Achieved,
            Expr::col((indicator_week::Entity, indicator_week::Column::Achieved))
                .add(delta.confirmed),
        )
        .value(
            indicator_week::Column::Unconfirmed,
            Expr::col((indicator_week::Entity, indicator_week::Column::Unconfirmed))
                .add(delta.unconfirmed),
        )
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// One `(unit, group, indicator, week)` count.
pub type WeekKey = (i64, String, String, String);

/// `(unit_id, week) → achieved` for a group and indicator (direct counts, not rolled up).
pub async fn week_counts<C: ConnectionTrait>(
    conn: &C,
    group_code: &str,
    indicator_code: &str,
) -> Result<Vec<(i64, String, i64)>, DbErr> {
    use sea_orm::QueryOrder;
    Ok(indicator_week::Entity::find()
        .filter(indicator_week::Column::GroupCode.eq(group_code))
        .filter(indicator_week::Column::IndicatorCode.eq(indicator_code))
        .order_by_asc(indicator_week::Column::Week)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.unit_id, c.week, c.achieved))
        .collect())
}

/// Up to this many units, [`week_totals`] reads each unit's weeks by its key.
const FEW_UNITS: usize = 64;

/// `(week, achieved)` of a group and indicator summed over the given units (`None`: every
/// unit), oldest week first. Summed by the database: a province has thousands of weekly rows.
pub async fn week_totals<C: ConnectionTrait>(
    conn: &C,
    group_code: &str,
    indicator_code: &str,
    unit_ids: Option<&[i64]>,
) -> Result<Vec<(String, i64)>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    // SUM is a decimal on PostgreSQL: cast, so both backends give a BIGINT.
    let query = |ids: Option<&[i64]>| {
        let mut q = indicator_week::Entity::find()
            .select_only()
            .column(indicator_week::Column::Week)
            .column_as(Expr::cust("CAST(SUM(achieved) AS BIGINT)"), "n")
            .filter(indicator_week::Column::GroupCode.eq(group_code))
            .filter(indicator_week::Column::IndicatorCode.eq(indicator_code));
        if let Some(ids) = ids {
            q = match ids {
                [one] => q.filter(indicator_week::Column::UnitId.eq(*one)),
                _ => q.filter(indicator_week::Column::UnitId.is_in(ids.iter().copied())),
            };
        }
        q.group_by(indicator_week::Column::Week)
            .order_by_asc(indicator_week::Column::Week)
            .into_tuple::<(String, i64)>()
    };
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    match unit_ids {
        None => {
            for (w, n) in query(None).all(conn).await? {
                *totals.entry(w).or_default() += n;
            }
        }
        // A few units (a commune and what is under it) on SQLite: one lookup each on the
        // primary key (unit, group, indicator, week). With `unit_id IN (…)` SQLite picks the
        // (group, indicator, week) index and reads every unit's weeks of the group to keep a
        // few; PostgreSQL's planner reads the primary key for the list, in one round trip.
        Some(ids)
            if ids.len() <= FEW_UNITS
                && conn.get_database_backend() == sea_orm::DatabaseBackend::Sqlite =>
        {
            for id in ids {
                for (w, n) in query(Some(std::slice::from_ref(id))).all(conn).await? {
                    *totals.entry(w).or_default() += n;
                }
            }
        }
        Some(ids) => {
            for chunk in ids.chunks(500) {
                for (w, n) in query(Some(chunk)).all(conn).await? {
                    *totals.entry(w).or_default() += n;
                }
            }
        }
    }
    Ok(totals.into_iter().collect())
}

/// Every stored weekly count that is not zero: `(confirmed, unconfirmed)`.
pub async fn stored_weeks<C: ConnectionTrait>(
    conn: &C,
) -> Result<BTreeMap<WeekKey, (i64, i64)>, DbErr> {
    use sea_orm::Condition;
    Ok(indicator_week::Entity::find()
        .filter(
            Condition::any()
                .add(indicator_week::Column::Achieved.ne(0))
                .add(indicator_week::Column::Unconfirmed.ne(0)),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|c| {
            (
                (c.unit_id, c.group_code, c.indicator_code, c.week),
                (c.achieved, c.unconfirmed),
            )
        })
        .collect())
}

/// One `(unit, group, indicator)` count: confirmed people, and unconfirmed beside them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, FromQueryResult)]
pub struct CountRow {
    pub unit_id: i64,
    pub group_code: String,
    pub indicator_code: String,
    pub achieved: i64,
    pub unconfirmed: i64,
}

/// Every stored live count that is not zero.
pub async fn stored_counts<C: ConnectionTrait>(conn: &C) -> Result<Vec<CountRow>, DbErr> {
    crate::repo::query_rows(
        conn,
        "SELECT unit_id, group_code, indicator_code, achieved, unconfirmed FROM indicator_count \
         WHERE achieved <> 0 OR unconfirmed <> 0 ORDER BY unit_id, group_code, indicator_code",
    )
    .await
}

/// The weekly counts summed per `(unit, group, indicator)` over the weeks before `week`
/// (a Monday as [`week_of`] writes it): the live counts as they stood when that week began.
pub async fn counts_before_week<C: ConnectionTrait>(
    conn: &C,
    week: &str,
) -> Result<Vec<CountRow>, DbErr> {
    use sea_orm::QuerySelect;
    indicator_week::Entity::find()
        .select_only()
        .column(indicator_week::Column::UnitId)
        .column(indicator_week::Column::GroupCode)
        .column(indicator_week::Column::IndicatorCode)
        .column_as(Expr::cust("CAST(SUM(achieved) AS BIGINT)"), "achieved")
        .column_as(
            Expr::cust("CAST(SUM(unconfirmed) AS BIGINT)"),
            "unconfirmed",
        )
        .filter(indicator_week::Column::Week.lt(week))
        .group_by(indicator_week::Column::UnitId)
        .group_by(indicator_week::Column::GroupCode)
        .group_by(indicator_week::Column::IndicatorCode)
        .into_model::<CountRow>()
        .all(conn)
        .await
}

/// `(person, group, indicator)` of the achievements dated in `[from, until)`.
pub async fn achievements_between<C: ConnectionTrait>(
    conn: &C,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(i64, String, String)>, DbErr> {
    Ok(achievement::Entity::find()
        .filter(achievement::Column::AchievedAt.gte(from))
        .filter(achievement::Column::AchievedAt.lt(until))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.person_id, a.group_code, a.indicator_code))
        .collect())
}
