//! People, their accounts, roles, sessions and group memberships.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entity::{account, membership, person, role_grant};

pub use account::Model as Account;
pub use membership::Model as Membership;
pub use person::Model as Person;
pub use role_grant::Model as RoleGrant;

mod access;
mod members;

pub use access::*;
pub use members::*;

pub struct NewPerson<'a> {
    pub full_name: &'a str,
    pub phone: Option<&'a str>,
    pub birth_year: Option<i32>,
    pub residence_unit_id: Option<i64>,
    /// How their identity is confirmed (`roster`, `assisted`, `staff`), None for a
    /// self-registration.
    pub confirmed_via: Option<&'a str>,
}
/// Inserts a person. A taken phone number surfaces as a unique violation
/// (`crate::dialect::is_unique_violation`).
pub async fn insert_person<C: ConnectionTrait>(
    conn: &C,
    p: NewPerson<'_>,
    now: DateTime<Utc>,
) -> Result<Person, DbErr> {
    person::Entity::insert(person::ActiveModel {
        full_name: Set(p.full_name.to_owned()),
        phone: Set(p.phone.map(str::to_owned)),
        birth_year: Set(p.birth_year),
        residence_unit_id: Set(p.residence_unit_id),
        created_at: Set(now),
        confirmed_via: Set(p.confirmed_via.map(str::to_owned)),
        confirmed_at: Set(p.confirmed_via.map(|_| now)),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await
}
pub async fn insert_account<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    account::Entity::insert(account::ActiveModel {
        person_id: Set(person_id),
        password_hash: Set(password_hash.to_owned()),
        failed_logins: Set(0),
        locked_until: Set(None),
        created_at: Set(now),
        must_change_password: Set(false),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
pub async fn person_by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Person>, DbErr> {
    person::Entity::find_by_id(id).one(conn).await
}
pub async fn account_of<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Option<Account>, DbErr> {
    account::Entity::find_by_id(person_id).one(conn).await
}
pub async fn person_by_phone<C: ConnectionTrait>(
    conn: &C,
    phone: &str,
) -> Result<Option<Person>, DbErr> {
    person::Entity::find()
        .filter(person::Column::Phone.eq(phone))
        .one(conn)
        .await
}
/// Sets a password; `must_change` makes the next login ask for a new one (a staff reset).
/// Clears failed logins and any lock.
pub async fn set_password<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    password_hash: &str,
    must_change: bool,
) -> Result<(), DbErr> {
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, password_hash.into())
        .col_expr(account::Column::MustChangePassword, must_change.into())
        .col_expr(account::Column::FailedLogins, 0.into())
        .col_expr(
            account::Column::LockedUntil,
            sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(account::Column::PersonId.eq(person_id))
        .exec(conn)
        .await?;
    Ok(())
}
/// Grants a role (scoped to a unit, or province-wide when the unit is the province). Idempotent.
pub async fn grant_role<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    role: &str,
    unit_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let existing = roles(conn, person_id).await?;
    if existing
        .iter()
        .any(|g| g.role == role && g.unit_id == unit_id)
    {
        return Ok(());
    }
    role_grant::Entity::insert(role_grant::ActiveModel {
        person_id: Set(person_id),
        role: Set(role.to_owned()),
        unit_id: Set(unit_id),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
pub async fn roles<C: ConnectionTrait>(conn: &C, person_id: i64) -> Result<Vec<RoleGrant>, DbErr> {
    role_grant::Entity::find()
        .filter(role_grant::Column::PersonId.eq(person_id))
        .order_by_asc(role_grant::Column::Id)
        .all(conn)
        .await
}
/// Largest person id so far (bulk loaders assign ids themselves).
pub async fn max_person_id<C: ConnectionTrait>(conn: &C) -> Result<i64, DbErr> {
    let max: Option<Option<i64>> = person::Entity::find()
        .select_only()
        .column_as(person::Column::Id.max(), "m")
        .into_tuple()
        .one(conn)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}
/// The FROM and WHERE of a member list (aliases `m`, `p`, `u`, `a`).
pub(crate) fn members_query(
    f: &MemberFilter<'_>,
    backend: sea_orm::DbBackend,
) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::{Alias, Condition, Expr, JoinType, Query};
    let (m, p, u, a) = (
        Alias::new("m"),
        Alias::new("p"),
        Alias::new("u"),
        Alias::new("a"),
    );
    let c = |t: &Alias, n: &'static str| Expr::col((t.clone(), Alias::new(n)));
    let mut q = Query::select();
    q.from_as(Alias::new("membership"), m.clone())
        .join_as(
            JoinType::InnerJoin,
            Alias::new("person"),
            p.clone(),
            c(&p, "id").equals((m.clone(), Alias::new("person_id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            Alias::new("org_unit"),
            u.clone(),
            c(&u, "id").equals((m.clone(), Alias::new("unit_id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            Alias::new("achievement"),
            a.clone(),
            Condition::all()
                .add(c(&a, "person_id").equals((m.clone(), Alias::new("person_id"))))
                .add(c(&a, "group_code").equals((m.clone(), Alias::new("group_code"))))
                .add(c(&a, "indicator_code").eq(f.indicator_code)),
        )
        .and_where(c(&m, "group_code").eq(f.group_code))
        .and_where(super::org::path_under(c(&u, "path").into(), f.path));
    if f.only_unfinished {
        q.and_where(c(&a, "person_id").is_null());
    }
    if let Some(name) = f.name.map(str::trim).filter(|n| !n.is_empty()) {
        q.and_where(crate::dialect::name_contains(
            backend,
            "\"p\".\"full_name\"",
            name,
        ));
    }
    q
}
/// Replaces a person's identifying data with a label (name) and nothing (phone, citizen ID,
/// birth, gender). Memberships and achievements stay, so the counts do not change.
pub async fn anonymise<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    label: &str,
) -> Result<(), DbErr> {
    person::Entity::update(person::ActiveModel {
        id: Set(person_id),
        full_name: Set(label.to_owned()),
        phone: Set(None),
        birth_year: Set(None),
        citizen_id: Set(None),
        gender: Set(None),
        birth_date: Set(None),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    account::Entity::delete_by_id(person_id).exec(conn).await?;
    Ok(())
}
/// Sets a person's name, phone number and citizen ID (the province admin's edit). A taken phone
/// or citizen ID surfaces as a unique violation.
pub async fn set_identity<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    full_name: &str,
    phone: Option<&str>,
    citizen_id: Option<&str>,
) -> Result<(), DbErr> {
    person::Entity::update(person::ActiveModel {
        id: Set(person_id),
        full_name: Set(full_name.to_owned()),
        phone: Set(phone.map(str::to_owned)),
        citizen_id: Set(citizen_id.map(str::to_owned)),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}
/// Sets where a person lives.
pub async fn set_residence<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    unit_id: i64,
) -> Result<(), DbErr> {
    person::Entity::update(person::ActiveModel {
        id: Set(person_id),
        residence_unit_id: Set(Some(unit_id)),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}
/// Role grants scoped to a unit.
pub async fn grants_in<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
) -> Result<Vec<RoleGrant>, DbErr> {
    role_grant::Entity::find()
        .filter(role_grant::Column::UnitId.eq(unit_id))
        .order_by_asc(role_grant::Column::Id)
        .all(conn)
        .await
}
/// Moves every grant of a unit to another (a merger).
pub async fn move_grants<C: ConnectionTrait>(conn: &C, from: i64, to: i64) -> Result<(), DbErr> {
    role_grant::Entity::update_many()
        .col_expr(
            role_grant::Column::UnitId,
            sea_orm::sea_query::Expr::value(to),
        )
        .filter(role_grant::Column::UnitId.eq(from))
        .exec(conn)
        .await?;
    Ok(())
}
pub async fn revoke_grant<C: ConnectionTrait>(conn: &C, grant_id: i64) -> Result<(), DbErr> {
    role_grant::Entity::delete_by_id(grant_id)
        .exec(conn)
        .await?;
    Ok(())
}
/// Which of these people are not confirmed (registered themselves, never matched to a roster
/// by citizen ID, registered by a helper or made staff).
pub async fn unconfirmed_among<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
) -> Result<std::collections::BTreeSet<i64>, DbErr> {
    use sea_orm::QuerySelect;
    let mut out = std::collections::BTreeSet::new();
    for chunk in person_ids.chunks(1000) {
        let ids: Vec<i64> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .filter(person::Column::Id.is_in(chunk.iter().copied()))
            .filter(person::Column::ConfirmedVia.is_null())
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(ids);
    }
    Ok(out)
}
/// Marks people confirmed (`via`: `roster`, `assisted`, `staff`) who were not; returns those
/// who changed, whose counts the caller moves from unconfirmed to confirmed.
pub async fn confirm<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
    via: &str,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, DbErr> {
    let changed: Vec<i64> = unconfirmed_among(conn, person_ids)
        .await?
        .into_iter()
        .collect();
    for chunk in changed.chunks(1000) {
        person::Entity::update_many()
            .col_expr(
                person::Column::ConfirmedVia,
                sea_orm::sea_query::Expr::value(via),
            )
            .col_expr(
                person::Column::ConfirmedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(person::Column::Id.is_in(chunk.iter().copied()))
            .filter(person::Column::ConfirmedVia.is_null())
            .exec(conn)
            .await?;
    }
    Ok(changed)
}
/// Which of these people hold a role other than learner (staff: their records change only on
/// the province admin's page).
pub async fn staff_among<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
) -> Result<std::collections::BTreeSet<i64>, DbErr> {
    let mut out = std::collections::BTreeSet::new();
    for chunk in person_ids.chunks(1000) {
        let ids: Vec<i64> = role_grant::Entity::find()
            .select_only()
            .column(role_grant::Column::PersonId)
            .filter(role_grant::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(role_grant::Column::Role.ne("learner"))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(ids);
    }
    Ok(out)
}
/// Which of these people have a login (their phone number is how they sign in).
pub async fn with_login_among<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
) -> Result<std::collections::BTreeSet<i64>, DbErr> {
    let mut out = std::collections::BTreeSet::new();
    for chunk in person_ids.chunks(1000) {
        let ids: Vec<i64> = account::Entity::find()
            .select_only()
            .column(account::Column::PersonId)
            .filter(account::Column::PersonId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(ids);
    }
    Ok(out)
}
/// `(person, where they live)` of the first `limit` people with a residence, by id (sample data
/// for demos).
pub async fn first_residents<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let rows: Vec<(i64, Option<i64>)> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .column(person::Column::ResidenceUnitId)
        .filter(person::Column::ResidenceUnitId.is_not_null())
        .order_by_asc(person::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, u)| Some((p, u?)))
        .collect())
}
