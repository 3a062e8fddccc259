//! Targets, denominators, achievements and the live indicator counts (the spine).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Set,
};

use crate::entity::{
    achievement, denominator, indicator, indicator_count, indicator_week, target, target_group,
};

pub use target::Model as Target;

pub async fn upsert_group<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    name_vi: &str,
    sort_order: i32,
) -> Result<(), DbErr> {
    target_group::Entity::insert(target_group::ActiveModel {
        code: Set(code.to_owned()),
        name_vi: Set(name_vi.to_owned()),
        sort_order: Set(sort_order),
    })
    .on_conflict(
        OnConflict::column(target_group::Column::Code)
            .update_columns([
                target_group::Column::NameVi,
                target_group::Column::SortOrder,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn upsert_indicator<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    name_vi: &str,
) -> Result<(), DbErr> {
    indicator::Entity::insert(indicator::ActiveModel {
        code: Set(code.to_owned()),
        name_vi: Set(name_vi.to_owned()),
    })
    .on_conflict(
        OnConflict::column(indicator::Column::Code)
            .update_column(indicator::Column::NameVi)
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Sets a target unless one exists (seeding never overwrites the province's edits).
pub async fn insert_target_if_missing<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    group_code: &str,
    indicator_code: &str,
    percent: i32,
) -> Result<(), DbErr> {
    target::Entity::insert(target::ActiveModel {
        year: Set(year),
        group_code: Set(group_code.to_owned()),
        indicator_code: Set(indicator_code.to_owned()),
        percent: Set(percent),
    })
    .on_conflict(
        OnConflict::columns([
            target::Column::Year,
            target::Column::GroupCode,
            target::Column::IndicatorCode,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn target<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    group_code: &str,
    indicator_code: &str,
) -> Result<Option<i32>, DbErr> {
    Ok(
        target::Entity::find_by_id((year, group_code.to_owned(), indicator_code.to_owned()))
            .one(conn)
            .await?
            .map(|t| t.percent),
    )
}

pub use crate::entity::target_change::Model as TargetChange;

/// Every target of every year (a small table).
pub async fn all_targets<C: ConnectionTrait>(conn: &C) -> Result<Vec<target::Model>, DbErr> {
    target::Entity::find().all(conn).await
}

/// Every target of a year.
pub async fn targets_of_year<C: ConnectionTrait>(
    conn: &C,
    year: i32,
) -> Result<Vec<target::Model>, DbErr> {
    target::Entity::find()
        .filter(target::Column::Year.eq(year))
        .all(conn)
        .await
}

/// Sets (or, with `None`, removes) a target and records the change with who made it.
#[expect(
    clippy::too_many_arguments,
    reason = "one row of the history, field by field"
)]
pub async fn set_target<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    group_code: &str,
    indicator_code: &str,
    old_percent: Option<i32>,
    percent: Option<i32>,
    changed_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use crate::entity::target_change;
    match percent {
        Some(p) => {
            target::Entity::insert(target::ActiveModel {
                year: Set(year),
                group_code: Set(group_code.to_owned()),
                indicator_code: Set(indicator_code.to_owned()),
                percent: Set(p),
            })
            .on_conflict(
                OnConflict::columns([
                    target::Column::Year,
                    target::Column::GroupCode,
                    target::Column::IndicatorCode,
                ])
                .update_column(target::Column::Percent)
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
        }
        None => {
            target::Entity::delete_many()
                .filter(target::Column::Year.eq(year))
                .filter(target::Column::GroupCode.eq(group_code))
                .filter(target::Column::IndicatorCode.eq(indicator_code))
                .exec(conn)
                .await?;
        }
    }
    target_change::Entity::insert(target_change::ActiveModel {
        year: Set(year),
        group_code: Set(group_code.to_owned()),
        indicator_code: Set(indicator_code.to_owned()),
        old_percent: Set(old_percent),
        new_percent: Set(percent),
        changed_by: Set(changed_by),
        changed_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The history of a year's targets, newest first.
pub async fn target_changes<C: ConnectionTrait>(
    conn: &C,
    year: i32,
) -> Result<Vec<TargetChange>, DbErr> {
    use crate::entity::target_change;
    use sea_orm::QueryOrder;
    target_change::Entity::find()
        .filter(target_change::Column::Year.eq(year))
        .order_by_desc(target_change::Column::Id)
        .all(conn)
        .await
}

/// Sets the number of people of a group in a unit for a year (replaces the previous value).
pub async fn set_denominator<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    unit_id: i64,
    group_code: &str,
    people: i64,
    source: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    set_denominators(conn, &[(year, unit_id, group_code, people)], source, now).await
}

/// Sets many denominators `(year, unit, group, people)` at once, and bumps their version once
/// (PostgreSQL keeps every version of a row a transaction updates: thousands of bumps of the
/// one counter row in one transaction would make each read of it walk them until vacuum).
pub async fn set_denominators<C: ConnectionTrait>(
    conn: &C,
    rows: &[(i32, i64, &str, i64)],
    source: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    for chunk in rows.chunks(500) {
        denominator::Entity::insert_many(chunk.iter().map(|&(year, unit_id, group, people)| {
            denominator::ActiveModel {
                year: Set(year),
                unit_id: Set(unit_id),
                group_code: Set(group.to_owned()),
                people: Set(people),
                source: Set(source.to_owned()),
                updated_at: Set(now),
            }
        }))
        .on_conflict(
            OnConflict::columns([
                denominator::Column::Year,
                denominator::Column::UnitId,
                denominator::Column::GroupCode,
            ])
            .update_columns([
                denominator::Column::People,
                denominator::Column::Source,
                denominator::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    crate::repo::settings::bump(conn, crate::repo::settings::DENOMINATORS_VERSION).await
}

pub use crate::entity::denominator_change::Model as DenominatorChange;

/// Records one change of a denominator (call in the transaction that makes it).
#[expect(
    clippy::too_many_arguments,
    reason = "one row of the history, field by field"
)]
pub async fn record_denominator_change<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    unit_id: i64,
    group_code: &str,
    old_people: Option<i64>,
    new_people: i64,
    source: &str,
    changed_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use crate::entity::denominator_change;
    denominator_change::Entity::insert(denominator_change::ActiveModel {
        year: Set(year),
        unit_id: Set(unit_id),
        group_code: Set(group_code.to_owned()),
        old_people: Set(old_people),
        new_people: Set(new_people),
        source: Set(source.to_owned()),
        changed_by: Set(changed_by),
        changed_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The history of a year's denominators for a group, newest first.
pub async fn denominator_changes<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    group_code: &str,
) -> Result<Vec<DenominatorChange>, DbErr> {
    use crate::entity::denominator_change;
    use sea_orm::QueryOrder;
    denominator_change::Entity::find()
        .filter(denominator_change::Column::Year.eq(year))
        .filter(denominator_change::Column::GroupCode.eq(group_code))
        .order_by_desc(denominator_change::Column::Id)
        .all(conn)
        .await
}

/// `group → unit_id → people` for a year, every group at once.
pub async fn denominators_of_year<C: ConnectionTrait>(
    conn: &C,
    year: i32,
) -> Result<BTreeMap<String, BTreeMap<i64, i64>>, DbErr> {
    use sea_orm::QuerySelect;
    let mut out: BTreeMap<String, BTreeMap<i64, i64>> = BTreeMap::new();
    for (g, u, n) in denominator::Entity::find()
        .select_only()
        .column(denominator::Column::GroupCode)
        .column(denominator::Column::UnitId)
        .column(denominator::Column::People)
        .filter(denominator::Column::Year.eq(year))
        .into_tuple::<(String, i64, i64)>()
        .all(conn)
        .await?
    {
        out.entry(g).or_default().insert(u, n);
    }
    Ok(out)
}

/// `unit_id → people` for a year and group.
pub async fn denominators<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    group_code: &str,
) -> Result<BTreeMap<i64, i64>, DbErr> {
    Ok(denominator::Entity::find()
        .filter(denominator::Column::Year.eq(year))
        .filter(denominator::Column::GroupCode.eq(group_code))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.unit_id, d.people))
        .collect())
}

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

#[derive(Debug, FromQueryResult)]
struct MemberAchievement {
    unit_id: i64,
    group_code: String,
    indicator_code: String,
    achieved_at: DateTime<Utc>,
    confirmed: i32,
}

/// People per query when the weekly counts are recomputed (keeps memory flat at any size).
const PEOPLE_PER_SCAN: i64 = 100_000;

/// The weekly counts recomputed from raw records (membership ⋈ achievement ⋈ person, bucketed
/// by the week of each achievement), `(confirmed, unconfirmed)`, a range of people at a time.
pub async fn recomputed_weeks<C: ConnectionTrait>(
    conn: &C,
) -> Result<BTreeMap<WeekKey, (i64, i64)>, DbErr> {
    recomputed_weeks_where(conn, Some("")).await
}

/// The weekly counts as they were before people were confirmed or not (every achievement
/// counted as confirmed): for the migration that created the weekly counts, which runs
/// before `person.confirmed_via` exists.
pub async fn recomputed_weeks_before_confirmation<C: ConnectionTrait>(
    conn: &C,
) -> Result<BTreeMap<WeekKey, i64>, DbErr> {
    Ok(recomputed_weeks_where(conn, None)
        .await?
        .into_iter()
        .map(|(k, (n, _))| (k, n))
        .collect())
}

/// [`recomputed_weeks`] of the people matching `person_filter` (SQL on `p`, ours, not input);
/// `None`: without looking at people (all confirmed).
async fn recomputed_weeks_where<C: ConnectionTrait>(
    conn: &C,
    person_filter: Option<&str>,
) -> Result<BTreeMap<WeekKey, (i64, i64)>, DbErr> {
    let (confirmed, join, filter) = match person_filter {
        Some(f) => (
            "CASE WHEN p.confirmed_via IS NULL THEN 0 ELSE 1 END",
            "JOIN person p ON p.id = a.person_id",
            f,
        ),
        None => ("1", "", ""),
    };
    use sea_orm::QuerySelect;
    let max: Option<i64> = achievement::Entity::find()
        .select_only()
        .column_as(achievement::Column::PersonId.max(), "m")
        .into_tuple()
        .one(conn)
        .await?
        .flatten();
    let mut out: BTreeMap<WeekKey, (i64, i64)> = BTreeMap::new();
    let mut from = 0;
    while from <= max.unwrap_or(-1) {
        let to = from + PEOPLE_PER_SCAN;
        // Two integers of ours, not input: written into the statement.
        let rows: Vec<MemberAchievement> = super::query_rows(
            conn,
            &format!(
                "SELECT m.unit_id AS unit_id, m.group_code AS group_code, \
                        a.indicator_code AS indicator_code, a.achieved_at AS achieved_at, \
                        {confirmed} AS confirmed \
                 FROM achievement a \
                 JOIN membership m ON m.person_id = a.person_id AND m.group_code = a.group_code \
                 {join} \
                 WHERE a.person_id >= {from} AND a.person_id < {to} {filter}"
            ),
        )
        .await?;
        for r in rows {
            let n = out
                .entry((
                    r.unit_id,
                    r.group_code,
                    r.indicator_code,
                    week_of(r.achieved_at),
                ))
                .or_default();
            if r.confirmed == 1 {
                n.0 += 1;
            } else {
                n.1 += 1;
            }
        }
        from = to;
    }
    Ok(out)
}

/// Moves the achievements of people not confirmed from the confirmed counts to the
/// unconfirmed ones (the migration that splits the counts).
pub async fn split_unconfirmed<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    let weeks = recomputed_weeks_where(conn, Some("AND p.confirmed_via IS NULL")).await?;
    for ((unit, group, indicator, week), (_, n)) in weeks {
        add_to_count(
            conn,
            unit,
            &group,
            &indicator,
            &week,
            Delta {
                confirmed: -n,
                unconfirmed: n,
            },
        )
        .await?;
    }
    Ok(())
}

/// Writes weekly counts into an empty table (the migration that creates it).
pub async fn insert_weeks<C: ConnectionTrait>(
    conn: &C,
    weeks: &BTreeMap<WeekKey, i64>,
) -> Result<(), DbErr> {
    let rows: Vec<_> = weeks.iter().collect();
    for chunk in rows.chunks(500) {
        indicator_week::Entity::insert_many(chunk.iter().map(|((u, g, i, w), n)| {
            indicator_week::ActiveModel {
                unit_id: Set(*u),
                group_code: Set(g.clone()),
                indicator_code: Set(i.clone()),
                week: Set(w.clone()),
                achieved: Set(**n),
                unconfirmed: Set(0),
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// `unit_id → (achieved, unconfirmed)` (direct counts) for a group and indicator, in one read:
/// of the units in `units` only when given (a commune's dozen units, read by the primary key),
/// else of every unit.
pub async fn pair_counts<C: ConnectionTrait>(
    conn: &C,
    group_code: &str,
    indicator_code: &str,
    units: Option<&[i64]>,
) -> Result<BTreeMap<i64, (i64, i64)>, DbErr> {
    use sea_orm::QuerySelect;
    let mut q = indicator_count::Entity::find()
        .select_only()
        .column(indicator_count::Column::UnitId)
        .column(indicator_count::Column::Achieved)
        .column(indicator_count::Column::Unconfirmed)
        .filter(indicator_count::Column::GroupCode.eq(group_code))
        .filter(indicator_count::Column::IndicatorCode.eq(indicator_code));
    if let Some(ids) = units {
        q = q.filter(indicator_count::Column::UnitId.is_in(ids.iter().copied()));
    }
    Ok(q.into_tuple::<(i64, i64, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(u, a, n)| (u, (a, n)))
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
    super::query_rows(
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

/// The counts recomputed from raw records: each membership whose person achieved the
/// indicator in that group counts once, as confirmed or not by the person's record.
pub async fn recomputed_counts<C: ConnectionTrait>(conn: &C) -> Result<Vec<CountRow>, DbErr> {
    super::query_rows(
        conn,
        "SELECT m.unit_id AS unit_id, m.group_code AS group_code, \
                a.indicator_code AS indicator_code, \
                CAST(SUM(CASE WHEN p.confirmed_via IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS achieved, \
                CAST(SUM(CASE WHEN p.confirmed_via IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS unconfirmed \
         FROM membership m \
         JOIN achievement a ON a.person_id = m.person_id AND a.group_code = m.group_code \
         JOIN person p ON p.id = m.person_id \
         GROUP BY m.unit_id, m.group_code, a.indicator_code \
         ORDER BY m.unit_id, m.group_code, a.indicator_code",
    )
    .await
}

#[derive(Debug, FromQueryResult)]
struct ImportedRow {
    indicator_code: String,
    group_code: String,
    unit_id: i64,
    people: i64,
}

/// For indicators counted outside (imported per unit and date): `(indicator, group, unit) →
/// people` of each unit's latest dated import, recomputed in SQL (for `stats verify`).
pub async fn recomputed_imported<C: ConnectionTrait>(
    conn: &C,
) -> Result<BTreeMap<(String, String, i64), i64>, DbErr> {
    let rows: Vec<ImportedRow> = super::query_rows(
        conn,
        "SELECT i.indicator_code AS indicator_code, i.group_code AS group_code, \
                r.unit_id AS unit_id, r.people AS people \
         FROM count_import_row r JOIN count_import i ON i.id = r.import_id \
         WHERE i.as_of = (SELECT MAX(i2.as_of) FROM count_import i2 \
                          JOIN count_import_row r2 ON r2.import_id = i2.id \
                          WHERE i2.indicator_code = i.indicator_code \
                            AND i2.group_code = i.group_code AND r2.unit_id = r.unit_id)",
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.indicator_code, r.group_code, r.unit_id), r.people))
        .collect())
}

/// A person × group whose `digital_skills` achievement disagrees with their completions.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct AchievementMismatch {
    pub person_id: i64,
    pub group_code: String,
}

/// Members of a group who completed every course the group requires, or a course that counts
/// as it (and it requires at least one), but have no `digital_skills` achievement for it.
pub async fn missing_achievements<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<AchievementMismatch>, DbErr> {
    super::query_rows(
        conn,
        "SELECT DISTINCT m.person_id AS person_id, m.group_code AS group_code \
         FROM membership m \
         WHERE EXISTS (SELECT 1 FROM group_course g WHERE g.group_code = m.group_code) \
           AND NOT EXISTS (SELECT 1 FROM group_course g WHERE g.group_code = m.group_code \
                 AND NOT EXISTS (SELECT 1 FROM course_completion c \
                                 WHERE c.person_id = m.person_id AND (c.course_id = g.course_id \
                                   OR c.course_id IN (SELECT k.id FROM course k WHERE k.counts_as_id = g.course_id)))) \
           AND NOT EXISTS (SELECT 1 FROM achievement a WHERE a.person_id = m.person_id \
                 AND a.group_code = m.group_code AND a.indicator_code = 'digital_skills') \
         ORDER BY person_id, group_code",
    )
    .await
}

/// `digital_skills` achievements without every required completion behind them, or without
/// a membership in that group.
pub async fn unbacked_achievements<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<AchievementMismatch>, DbErr> {
    super::query_rows(
        conn,
        "SELECT a.person_id AS person_id, a.group_code AS group_code \
         FROM achievement a \
         WHERE a.indicator_code = 'digital_skills' AND ( \
           NOT EXISTS (SELECT 1 FROM membership m WHERE m.person_id = a.person_id \
                       AND m.group_code = a.group_code) \
           OR NOT EXISTS (SELECT 1 FROM group_course g WHERE g.group_code = a.group_code) \
           OR EXISTS (SELECT 1 FROM group_course g WHERE g.group_code = a.group_code \
                 AND NOT EXISTS (SELECT 1 FROM course_completion c \
                                 WHERE c.person_id = a.person_id AND (c.course_id = g.course_id \
                                   OR c.course_id IN (SELECT k.id FROM course k WHERE k.counts_as_id = g.course_id))))) \
         ORDER BY person_id, group_code",
    )
    .await
}

/// `digital_skills` achievements dated before the last course they needed was completed
/// (each requirement met at the earliest completion of the course or of a course that counts
/// as it): such an achievement would count in a week, a report period or a year too early.
pub async fn early_achievements<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<AchievementMismatch>, DbErr> {
    super::query_rows(
        conn,
        "SELECT a.person_id AS person_id, a.group_code AS group_code \
         FROM achievement a \
         WHERE a.indicator_code = 'digital_skills' \
           AND EXISTS (SELECT 1 FROM group_course g WHERE g.group_code = a.group_code \
                 AND (SELECT MIN(c.completed_at) FROM course_completion c \
                      WHERE c.person_id = a.person_id AND (c.course_id = g.course_id \
                        OR c.course_id IN (SELECT k.id FROM course k WHERE k.counts_as_id = g.course_id))) \
                     > a.achieved_at) \
         ORDER BY person_id, group_code",
    )
    .await
}

/// Records achievements `(person, group, indicator, at)`; returns `(person, group, indicator)`
/// of those that are new, so the caller counts each exactly once.
pub async fn insert_achievements<C: ConnectionTrait>(
    conn: &C,
    rows: &[(i64, String, String, DateTime<Utc>)],
) -> Result<Vec<(i64, String, String)>, DbErr> {
    let mut new = Vec::new();
    for chunk in rows.chunks(500) {
        let res = achievement::Entity::insert_many(chunk.iter().map(|(p, g, i, at)| {
            achievement::ActiveModel {
                person_id: Set(*p),
                group_code: Set(g.clone()),
                indicator_code: Set(i.clone()),
                achieved_at: Set(*at),
            }
        }))
        .on_conflict(
            OnConflict::columns([
                achievement::Column::PersonId,
                achievement::Column::GroupCode,
                achievement::Column::IndicatorCode,
            ])
            .do_nothing()
            .to_owned(),
        )
        .do_nothing()
        .exec_with_returning_many(conn)
        .await?;
        if let sea_orm::TryInsertResult::Inserted(models) = res {
            new.extend(
                models
                    .into_iter()
                    .map(|m| (m.person_id, m.group_code, m.indicator_code)),
            );
        }
    }
    Ok(new)
}

/// The number of people of a group in a unit for a year, if known.
pub async fn denominator<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    unit_id: i64,
    group_code: &str,
) -> Result<Option<i64>, DbErr> {
    Ok(
        denominator::Entity::find_by_id((year, unit_id, group_code.to_owned()))
            .one(conn)
            .await?
            .map(|d| d.people),
    )
}

/// Everything one person achieved, oldest first.
pub async fn achievements_of_person<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Vec<crate::entity::achievement::Model>, DbErr> {
    use sea_orm::QueryOrder;
    crate::entity::achievement::Entity::find()
        .filter(crate::entity::achievement::Column::PersonId.eq(person_id))
        .order_by_asc(crate::entity::achievement::Column::AchievedAt)
        .all(conn)
        .await
}

/// Takes back the `digital_skills` achievements in one group of these people; returns each
/// taken back `(person, achieved_at)`, to take it off the counts of that week.
pub async fn delete_group_achievements<C: ConnectionTrait>(
    conn: &C,
    group_code: &str,
    person_ids: &[i64],
) -> Result<Vec<(i64, DateTime<Utc>)>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(500) {
        let of_chunk = || {
            achievement::Column::PersonId
                .is_in(chunk.iter().copied())
                .and(achievement::Column::GroupCode.eq(group_code))
                .and(achievement::Column::IndicatorCode.eq("digital_skills"))
        };
        let found = achievement::Entity::find()
            .filter(of_chunk())
            .all(conn)
            .await?;
        achievement::Entity::delete_many()
            .filter(of_chunk())
            .exec(conn)
            .await?;
        out.extend(found.into_iter().map(|a| (a.person_id, a.achieved_at)));
    }
    Ok(out)
}

/// `(person, achieved_at)` of the `digital_skills` achievements in one group of these people.
pub async fn group_achievements_of<C: ConnectionTrait>(
    conn: &C,
    group_code: &str,
    person_ids: &[i64],
) -> Result<Vec<(i64, DateTime<Utc>)>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(500) {
        out.extend(
            achievement::Entity::find()
                .filter(achievement::Column::PersonId.is_in(chunk.iter().copied()))
                .filter(achievement::Column::GroupCode.eq(group_code))
                .filter(achievement::Column::IndicatorCode.eq("digital_skills"))
                .all(conn)
                .await?
                .into_iter()
                .map(|a| (a.person_id, a.achieved_at)),
        );
    }
    Ok(out)
}

/// Dates one person's `digital_skills` achievement in a group anew.
pub async fn redate_achievement<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    group_code: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    achievement::Entity::update_many()
        .col_expr(achievement::Column::AchievedAt, Expr::value(at))
        .filter(achievement::Column::PersonId.eq(person_id))
        .filter(achievement::Column::GroupCode.eq(group_code))
        .filter(achievement::Column::IndicatorCode.eq("digital_skills"))
        .exec(conn)
        .await?;
    Ok(())
}

/// Takes back `digital_skills` achievements of one person in these groups; returns each taken
/// back with when it had been achieved (to take it off the counts of that week).
pub async fn delete_achievements<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    groups: &[String],
) -> Result<Vec<(String, DateTime<Utc>)>, DbErr> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let found = achievement::Entity::find()
        .filter(achievement::Column::PersonId.eq(person_id))
        .filter(achievement::Column::IndicatorCode.eq("digital_skills"))
        .filter(achievement::Column::GroupCode.is_in(groups.iter().cloned()))
        .all(conn)
        .await?;
    achievement::Entity::delete_many()
        .filter(achievement::Column::PersonId.eq(person_id))
        .filter(achievement::Column::IndicatorCode.eq("digital_skills"))
        .filter(achievement::Column::GroupCode.is_in(groups.iter().cloned()))
        .exec(conn)
        .await?;
    Ok(found
        .into_iter()
        .map(|a| (a.group_code, a.achieved_at))
        .collect())
}
