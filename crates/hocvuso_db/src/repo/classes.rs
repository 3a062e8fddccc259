//! A school's classes: the pupils of each (memberships of the group `students` with a class
//! name), the code pupils type to learn on a shared device, each pupil's sign-in number
//! (hashed) and their parent's consent.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::entity::{achievement, class_code, membership, parent_consent, person, pupil_pin};

pub use class_code::Model as ClassCode;

/// The code of a class, if one was made.
pub async fn code_of<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    class: &str,
) -> Result<Option<String>, DbErr> {
    Ok(class_code::Entity::find()
        .filter(class_code::Column::UnitId.eq(unit_id))
        .filter(class_code::Column::ClassName.eq(class))
        .one(conn)
        .await?
        .map(|c| c.code))
}

/// Gives a class a new code (the old one stops working).
pub async fn replace_code<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    class: &str,
    code: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    class_code::Entity::delete_many()
        .filter(class_code::Column::UnitId.eq(unit_id))
        .filter(class_code::Column::ClassName.eq(class))
        .exec(conn)
        .await?;
    class_code::Entity::insert(class_code::ActiveModel {
        code: Set(code.to_owned()),
        unit_id: Set(unit_id),
        class_name: Set(class.to_owned()),
        created_by: Set(Some(by)),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The class a code opens.
pub async fn by_code<C: ConnectionTrait>(conn: &C, code: &str) -> Result<Option<ClassCode>, DbErr> {
    class_code::Entity::find_by_id(code.to_owned())
        .one(conn)
        .await
}

/// One pupil of a class, as the teacher's page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pupil {
    pub person_id: i64,
    pub full_name: String,
    pub birth_year: Option<i32>,
    pub has_pin: bool,
    /// The parent who consented, when recorded.
    pub parent: Option<String>,
    pub achieved: bool,
}

/// The ids of a class's pupils.
pub async fn pupil_ids<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    class: &str,
) -> Result<Vec<i64>, DbErr> {
    membership::Entity::find()
        .select_only()
        .column(membership::Column::PersonId)
        .filter(membership::Column::UnitId.eq(unit_id))
        .filter(membership::Column::GroupCode.eq("students"))
        .filter(membership::Column::ClassName.eq(class))
        .into_tuple::<i64>()
        .all(conn)
        .await
}

/// A class's pupils, with their sign-in number set or not, their parent's consent and whether
/// they achieved (in no particular order).
pub async fn pupils<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    class: &str,
) -> Result<Vec<Pupil>, DbErr> {
    let ids = pupil_ids(conn, unit_id, class).await?;
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let people = person::Entity::find()
            .filter(person::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        let pins: BTreeSet<i64> = pupil_pin::Entity::find()
            .select_only()
            .column(pupil_pin::Column::PersonId)
            .filter(pupil_pin::Column::PersonId.is_in(chunk.iter().copied()))
            .into_tuple::<i64>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        let parents: BTreeMap<i64, String> = parent_consent::Entity::find()
            .filter(parent_consent::Column::PersonId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
            .into_iter()
            .map(|c| (c.person_id, c.parent_name))
            .collect();
        let achieved: BTreeSet<i64> = achievement::Entity::find()
            .select_only()
            .column(achievement::Column::PersonId)
            .filter(achievement::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(achievement::Column::GroupCode.eq("students"))
            .filter(achievement::Column::IndicatorCode.eq("digital_skills"))
            .into_tuple::<i64>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        out.extend(people.into_iter().map(|p| Pupil {
            has_pin: pins.contains(&p.id),
            parent: parents.get(&p.id).cloned(),
            achieved: achieved.contains(&p.id),
            person_id: p.id,
            full_name: p.full_name,
            birth_year: p.birth_year,
        }));
    }
    Ok(out)
}

/// Sets (or replaces) a pupil's sign-in number, hashed.
pub async fn set_pin<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    pin_hash: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    pupil_pin::Entity::insert(pupil_pin::ActiveModel {
        person_id: Set(person_id),
        pin_hash: Set(pin_hash.to_owned()),
        set_by: Set(Some(by)),
        set_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(pupil_pin::Column::PersonId)
            .update_columns([
                pupil_pin::Column::PinHash,
                pupil_pin::Column::SetBy,
                pupil_pin::Column::SetAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// A pupil's sign-in number, hashed, if set.
pub async fn pin_hash<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Option<String>, DbErr> {
    Ok(pupil_pin::Entity::find_by_id(person_id)
        .one(conn)
        .await?
        .map(|p| p.pin_hash))
}

/// Records (or records again) a parent's consent for their child.
pub async fn record_parent_consent<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    parent_name: &str,
    text: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    parent_consent::Entity::insert(parent_consent::ActiveModel {
        person_id: Set(person_id),
        parent_name: Set(parent_name.to_owned()),
        text: Set(text.to_owned()),
        recorded_by: Set(by),
        at: Set(now),
    })
    .on_conflict(
        OnConflict::column(parent_consent::Column::PersonId)
            .update_columns([
                parent_consent::Column::ParentName,
                parent_consent::Column::Text,
                parent_consent::Column::RecordedBy,
                parent_consent::Column::At,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The parent's consent recorded for a child, if any.
pub async fn parent_consent_of<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Option<parent_consent::Model>, DbErr> {
    parent_consent::Entity::find_by_id(person_id)
        .one(conn)
        .await
}

/// Whether a parent's consent was recorded for this pupil.
pub async fn has_parent_consent<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<bool, DbErr> {
    Ok(parent_consent::Entity::find_by_id(person_id)
        .one(conn)
        .await?
        .is_some())
}

/// The named classes of these units: `(unit, class, pupils)`.
pub async fn classes_in<C: ConnectionTrait>(
    conn: &C,
    unit_ids: &[i64],
) -> Result<Vec<(i64, String, i64)>, DbErr> {
    let mut out = Vec::new();
    for chunk in unit_ids.chunks(500) {
        out.extend(
            membership::Entity::find()
                .select_only()
                .column(membership::Column::UnitId)
                .column(membership::Column::ClassName)
                .column_as(membership::Column::Id.count(), "n")
                .filter(membership::Column::UnitId.is_in(chunk.iter().copied()))
                .filter(membership::Column::GroupCode.eq("students"))
                .filter(membership::Column::ClassName.is_not_null())
                .group_by(membership::Column::UnitId)
                .group_by(membership::Column::ClassName)
                .into_tuple::<(i64, String, i64)>()
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}
