//! Achievements: recorded once per person, group and indicator, read, redated and taken
//! back.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::entity::achievement;

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
