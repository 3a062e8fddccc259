//! The community digital technology teams' work: consents recorded at assisted registrations,
//! and the support log.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entity::{consent, support_log};

pub use support_log::Model as SupportEntry;

pub async fn record_consent<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    recorded_by: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    consent::Entity::insert(consent::ActiveModel {
        person_id: Set(person_id),
        recorded_by: Set(recorded_by),
        text: Set(text.to_owned()),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The consents a person gave (oldest first).
pub async fn consents_of<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Vec<consent::Model>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    consent::Entity::find()
        .filter(consent::Column::PersonId.eq(person_id))
        .order_by_asc(consent::Column::Id)
        .all(conn)
        .await
}

/// One entry of the support log.
pub struct NewEntry<'a> {
    pub helper_id: i64,
    pub unit_id: i64,
    pub person_id: Option<i64>,
    pub topic: &'a str,
    pub place: &'a str,
    pub day: &'a str,
}

pub async fn add<C: ConnectionTrait>(
    conn: &C,
    e: NewEntry<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    support_log::Entity::insert(support_log::ActiveModel {
        helper_id: Set(e.helper_id),
        unit_id: Set(e.unit_id),
        person_id: Set(e.person_id),
        topic: Set(e.topic.to_owned()),
        place: Set(e.place.to_owned()),
        day: Set(e.day.to_owned()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// A helper's latest entries.
pub async fn of_helper<C: ConnectionTrait>(
    conn: &C,
    helper_id: i64,
    limit: u64,
) -> Result<Vec<SupportEntry>, DbErr> {
    support_log::Entity::find()
        .filter(support_log::Column::HelperId.eq(helper_id))
        .order_by_desc(support_log::Column::Day)
        .order_by_desc(support_log::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// A unit's entries from `since_day` (`yyyy-mm-dd`) on, newest first.
pub async fn of_unit_since<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    since_day: &str,
) -> Result<Vec<SupportEntry>, DbErr> {
    support_log::Entity::find()
        .filter(support_log::Column::UnitId.eq(unit_id))
        .filter(support_log::Column::Day.gte(since_day))
        .order_by_desc(support_log::Column::Day)
        .order_by_desc(support_log::Column::Id)
        .all(conn)
        .await
}
