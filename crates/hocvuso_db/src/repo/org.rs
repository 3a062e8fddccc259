//! The org tree (đơn vị).

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use crate::entity::org_unit;

pub use org_unit::Model as OrgUnit;

pub const KIND_PROVINCE: &str = "province";
pub const KIND_COMMUNE: &str = "commune";

/// A unit to insert under `parent` (None for the province).
pub struct NewUnit<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub commune_type: Option<&'a str>,
    pub parent: Option<&'a OrgUnit>,
}

/// Inserts a unit; its `path` is the parent's path followed by its own code (`/68/22918/`).
pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    unit: NewUnit<'_>,
    now: DateTime<Utc>,
) -> Result<OrgUnit, DbErr> {
    let path = match unit.parent {
        Some(p) => format!("{}{}/", p.path, unit.code),
        None => format!("/{}/", unit.code),
    };
    org_unit::Entity::insert(org_unit::ActiveModel {
        code: Set(unit.code.to_owned()),
        name: Set(unit.name.to_owned()),
        kind: Set(unit.kind.to_owned()),
        commune_type: Set(unit.commune_type.map(str::to_owned)),
        parent_id: Set(unit.parent.map(|p| p.id)),
        path: Set(path),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await
}

pub async fn by_code<C: ConnectionTrait>(conn: &C, code: &str) -> Result<Option<OrgUnit>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code))
        .one(conn)
        .await
}

pub async fn by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<OrgUnit>, DbErr> {
    org_unit::Entity::find_by_id(id).one(conn).await
}

/// Every unit of a kind, ordered by code.
pub async fn of_kind<C: ConnectionTrait>(conn: &C, kind: &str) -> Result<Vec<OrgUnit>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq(kind))
        .order_by_asc(org_unit::Column::Code)
        .all(conn)
        .await
}

/// The whole tree (units are few: thousands, not millions).
pub async fn all<C: ConnectionTrait>(conn: &C) -> Result<Vec<OrgUnit>, DbErr> {
    org_unit::Entity::find()
        .order_by_asc(org_unit::Column::Id)
        .all(conn)
        .await
}

pub async fn count<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    org_unit::Entity::find().count(conn).await
}

/// Ids of a unit and every unit below it (its path is a prefix of theirs).
pub async fn ids_under<C: ConnectionTrait>(conn: &C, path: &str) -> Result<Vec<i64>, DbErr> {
    use sea_orm::QuerySelect;
    org_unit::Entity::find()
        .select_only()
        .column(org_unit::Column::Id)
        .filter(org_unit::Column::Path.starts_with(path))
        .into_tuple()
        .all(conn)
        .await
}
