//! Target groups and indicators, targets by year (with their history) and denominators (with
//! theirs).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::entity::{denominator, indicator, target, target_group};

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
