//! The org tree (đơn vị). Every change [`bump`](crate::repo::settings::bump)s
//! [`ORG_VERSION`](crate::repo::settings::ORG_VERSION) in its transaction: servers keep the tree in memory.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use crate::entity::org_unit;

pub use org_unit::Model as OrgUnit;

use hocvuso_domain::UnitKind;

impl OrgUnit {
    /// Whether the unit is of this kind.
    pub fn is(&self, kind: UnitKind) -> bool {
        self.kind == kind.code()
    }

    /// The unit's kind (`None` only for a code this version does not know).
    pub fn unit_kind(&self) -> Option<UnitKind> {
        UnitKind::from_code(&self.kind)
    }
}

pub use crate::entity::org_change::Model as OrgChange;

/// `path` is the unit at `scope` or a unit below it, tested exactly: the first
/// characters of `path` equal `scope` (which ends with `/`). Never `LIKE 'scope%'`: unit
/// codes may hold `_`, a `LIKE` wildcard, and SQLite's `LIKE` ignores case, so a sibling such
/// as `thonx1` would match `thon_1`. Works the same on SQLite and PostgreSQL.
pub fn path_under(
    path: sea_orm::sea_query::SimpleExpr,
    scope: &str,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Alias, Expr, Func};
    let len = i32::try_from(scope.chars().count()).unwrap_or(i32::MAX);
    Expr::expr(Func::cust(Alias::new("substr")).args([
        path,
        Expr::val(1).into(),
        Expr::val(len).into(),
    ]))
    .eq(scope)
}

/// Whether the unit at `path` is `scope` or below it (the same test as [`path_under`], in
/// memory). Paths end with `/`, so `/68/thon_1/` never contains `/68/thon_1x/`.
pub fn is_under(path: &str, scope: &str) -> bool {
    scope.ends_with('/') && path.starts_with(scope)
}

/// `t.column IN (SELECT id FROM org_unit WHERE path under `scope`)`: rows of the units under
/// a part of the tree, picked so that the database starts from those units' rows (see
/// `learning::reach`).
pub(crate) fn of_units_under(
    t: &sea_orm::sea_query::Alias,
    column: &'static str,
    scope: &str,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Alias, Expr, Query};
    Expr::col((t.clone(), Alias::new(column))).in_subquery(
        Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("org_unit"))
            .and_where(path_under(Expr::col(Alias::new("path")).into(), scope))
            .to_owned(),
    )
}

/// A unit to insert under `parent` (None for the province).
pub struct NewUnit<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: UnitKind,
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
    let unit = org_unit::Entity::insert(org_unit::ActiveModel {
        code: Set(unit.code.to_owned()),
        name: Set(unit.name.to_owned()),
        kind: Set(unit.kind.code().to_owned()),
        commune_type: Set(unit.commune_type.map(str::to_owned)),
        parent_id: Set(unit.parent.map(|p| p.id)),
        path: Set(path),
        created_at: Set(now),
        merged_into_id: Set(None),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await?;
    crate::repo::settings::bump(conn, crate::repo::settings::ORG_VERSION).await?;
    Ok(unit)
}

/// Units directly under a unit (merged ones left out), by name.
pub async fn children<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<OrgUnit>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::ParentId.eq(id))
        .filter(org_unit::Column::MergedIntoId.is_null())
        .order_by(
            crate::dialect::vietnamese_order(conn.get_database_backend(), "\"org_unit\".\"name\""),
            sea_orm::Order::Asc,
        )
        .all(conn)
        .await
}

pub async fn rename<C: ConnectionTrait>(conn: &C, id: i64, name: &str) -> Result<(), DbErr> {
    org_unit::Entity::update(org_unit::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    crate::repo::settings::bump(conn, crate::repo::settings::ORG_VERSION).await
}

/// Puts a unit under a new parent; the paths of the unit and of everything below it follow.
pub async fn reparent<C: ConnectionTrait>(
    conn: &C,
    unit: &OrgUnit,
    parent: &OrgUnit,
) -> Result<(), DbErr> {
    let new_path = format!("{}{}/", parent.path, unit.code);
    let below = org_unit::Entity::find()
        .filter(path_under(
            sea_orm::sea_query::Expr::col(org_unit::Column::Path).into(),
            &unit.path,
        ))
        .all(conn)
        .await?;
    for u in below {
        let path = format!("{new_path}{}", &u.path[unit.path.len()..]);
        let mut m = org_unit::ActiveModel {
            id: Set(u.id),
            path: Set(path),
            ..Default::default()
        };
        if u.id == unit.id {
            m.parent_id = Set(Some(parent.id));
        }
        org_unit::Entity::update(m).exec(conn).await?;
    }
    crate::repo::settings::bump(conn, crate::repo::settings::ORG_VERSION).await
}

pub async fn set_merged<C: ConnectionTrait>(conn: &C, id: i64, into: i64) -> Result<(), DbErr> {
    org_unit::Entity::update(org_unit::ActiveModel {
        id: Set(id),
        merged_into_id: Set(Some(into)),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    crate::repo::settings::bump(conn, crate::repo::settings::ORG_VERSION).await
}

pub async fn record_change<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    action: &str,
    old_value: &str,
    new_value: &str,
    actor_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use crate::entity::org_change;
    org_change::Entity::insert(org_change::ActiveModel {
        unit_id: Set(unit_id),
        action: Set(action.to_owned()),
        old_value: Set(old_value.to_owned()),
        new_value: Set(new_value.to_owned()),
        actor_id: Set(actor_id),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// A unit's history, newest first.
pub async fn changes<C: ConnectionTrait>(conn: &C, unit_id: i64) -> Result<Vec<OrgChange>, DbErr> {
    use crate::entity::org_change;
    org_change::Entity::find()
        .filter(org_change::Column::UnitId.eq(unit_id))
        .order_by_desc(org_change::Column::Id)
        .all(conn)
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
pub async fn of_kind<C: ConnectionTrait>(conn: &C, kind: UnitKind) -> Result<Vec<OrgUnit>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq(kind.code()))
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

/// A unit and every unit below it (its path is a prefix of theirs).
pub async fn units_under<C: ConnectionTrait>(conn: &C, path: &str) -> Result<Vec<OrgUnit>, DbErr> {
    org_unit::Entity::find()
        .filter(path_under(
            sea_orm::sea_query::Expr::col(org_unit::Column::Path).into(),
            path,
        ))
        .all(conn)
        .await
}

/// Ids of a unit and every unit below it (its path is a prefix of theirs).
pub async fn ids_under<C: ConnectionTrait>(conn: &C, path: &str) -> Result<Vec<i64>, DbErr> {
    use sea_orm::QuerySelect;
    org_unit::Entity::find()
        .select_only()
        .column(org_unit::Column::Id)
        .filter(path_under(
            sea_orm::sea_query::Expr::col(org_unit::Column::Path).into(),
            path,
        ))
        .into_tuple()
        .all(conn)
        .await
}
