//! Group memberships: a person in a target group in a unit, and the lists of a unit's people.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::membership;

use super::*;

/// Adds a membership; a person is a member of a group in a unit at most once.
/// Returns true if it was new.
pub async fn add_membership<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    group_code: &str,
    unit_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = membership::Entity::insert(membership::ActiveModel {
        person_id: Set(person_id),
        group_code: Set(group_code.to_owned()),
        unit_id: Set(unit_id),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            membership::Column::PersonId,
            membership::Column::GroupCode,
            membership::Column::UnitId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(res == 1)
}
pub async fn memberships<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Vec<Membership>, DbErr> {
    membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person_id))
        .order_by_asc(membership::Column::Id)
        .all(conn)
        .await
}
/// Every membership of these people.
pub async fn memberships_of<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
) -> Result<Vec<Membership>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(500) {
        out.extend(
            membership::Entity::find()
                .filter(membership::Column::PersonId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}
/// One member of a group in a unit (or below it), with when they achieved the indicator.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct MemberRow {
    pub person_id: i64,
    pub full_name: String,
    pub phone: Option<String>,
    pub birth_year: Option<i32>,
    pub citizen_id: Option<String>,
    pub unit_name: String,
    pub achieved_at: Option<DateTime<Utc>>,
}
/// Which members of a group a list shows: those whose unit lies under `path`; with
/// `only_unfinished`, those who have not achieved the indicator yet; with `name`, those whose
/// name holds it (case-insensitive; as typed, with its accents).
#[derive(Clone, Copy)]
pub struct MemberFilter<'a> {
    pub path: &'a str,
    pub group_code: &'a str,
    pub indicator_code: &'a str,
    pub only_unfinished: bool,
    pub name: Option<&'a str>,
}
/// Members matching a filter, by name in Vietnamese order, a page at a time.
pub async fn members_under<C: ConnectionTrait>(
    conn: &C,
    f: &MemberFilter<'_>,
    limit: u64,
    offset: u64,
) -> Result<Vec<MemberRow>, DbErr> {
    use sea_orm::sea_query::{Alias, Expr, Order};
    let backend = conn.get_database_backend();
    let c = |t: &str, n: &'static str| Expr::col((Alias::new(t), Alias::new(n)));
    let mut q = members_query(f, backend);
    q.expr_as(c("p", "id"), Alias::new("person_id"))
        .expr_as(c("p", "full_name"), Alias::new("full_name"))
        .expr_as(c("p", "phone"), Alias::new("phone"))
        .expr_as(c("p", "birth_year"), Alias::new("birth_year"))
        .expr_as(c("p", "citizen_id"), Alias::new("citizen_id"))
        .expr_as(c("u", "name"), Alias::new("unit_name"))
        .expr_as(c("a", "achieved_at"), Alias::new("achieved_at"))
        .order_by_expr(
            crate::dialect::vietnamese_order(backend, "\"p\".\"full_name\""),
            Order::Asc,
        )
        .order_by((Alias::new("p"), Alias::new("id")), Order::Asc)
        .limit(limit)
        .offset(offset);
    let stmt = backend.build(&q);
    <MemberRow as sea_orm::FromQueryResult>::find_by_statement(stmt)
        .all(conn)
        .await
}
/// How many members match a filter (for "trang 2/15 · 1.234 người").
pub async fn count_members_under<C: ConnectionTrait>(
    conn: &C,
    f: &MemberFilter<'_>,
) -> Result<u64, DbErr> {
    use sea_orm::sea_query::{Alias, Expr};
    let backend = conn.get_database_backend();
    let mut q = members_query(f, backend);
    q.expr_as(Expr::cust("COUNT(*)"), Alias::new("n"));
    let row = conn.query_one(backend.build(&q)).await?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}
/// Every membership in a unit.
pub async fn memberships_in<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
) -> Result<Vec<Membership>, DbErr> {
    membership::Entity::find()
        .filter(membership::Column::UnitId.eq(unit_id))
        .all(conn)
        .await
}
pub async fn delete_membership<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    membership::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}
