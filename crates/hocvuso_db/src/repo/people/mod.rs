//! People, their accounts, roles, sessions and group memberships.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entity::{account, login_throttle, membership, person, phone_code, role_grant, session};

pub use account::Model as Account;
pub use membership::Model as Membership;
pub use person::Model as Person;
pub use role_grant::Model as RoleGrant;

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

/// The person with this phone number and their login account, if they have one.
pub async fn login_by_phone<C: ConnectionTrait>(
    conn: &C,
    phone: &str,
) -> Result<Option<(Person, Account)>, DbErr> {
    let Some(p) = person_by_phone(conn, phone).await? else {
        return Ok(None);
    };
    let acc = account::Entity::find_by_id(p.id).one(conn).await?;
    Ok(acc.map(|a| (p, a)))
}

/// Claims one login try of `key` (`phone|client`): adds one to its failures in one statement
/// and returns the row as it is after that, so that parallel tries are numbered like serial
/// ones.
pub async fn claim_login_try<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    now: DateTime<Utc>,
) -> Result<login_throttle::Model, DbErr> {
    use sea_orm::sea_query::Expr;
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(1),
        locks: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(login_throttle::Column::Key)
            .value(
                login_throttle::Column::Failures,
                Expr::col((login_throttle::Entity, login_throttle::Column::Failures)).add(1),
            )
            .value(login_throttle::Column::UpdatedAt, Expr::value(now))
            .to_owned(),
    )
    .exec_with_returning(conn)
    .await
}

/// Gives back a claimed try that was never checked (the server was busy).
pub async fn release_login_try<C: ConnectionTrait>(conn: &C, key: &str) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    login_throttle::Entity::update_many()
        .col_expr(
            login_throttle::Column::Failures,
            Expr::col(login_throttle::Column::Failures).sub(1),
        )
        .filter(login_throttle::Column::Key.eq(key))
        .exec(conn)
        .await?;
    Ok(())
}

/// Locks `key` until `until`, once: only if it was locked `locks_before` times (a try that
/// lost the race does not lock it again, for longer).
pub async fn lock_login<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    locks_before: i32,
    until: DateTime<Utc>,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    login_throttle::Entity::update_many()
        .col_expr(login_throttle::Column::Locks, Expr::value(locks_before + 1))
        .col_expr(login_throttle::Column::LockedUntil, Expr::value(until))
        .filter(login_throttle::Column::Key.eq(key))
        .filter(login_throttle::Column::Locks.eq(locks_before))
        .exec(conn)
        .await?;
    Ok(())
}

/// A right password: `key` starts afresh.
pub async fn clear_login_tries<C: ConnectionTrait>(conn: &C, key: &str) -> Result<(), DbErr> {
    login_throttle::Entity::delete_by_id(key.to_owned())
        .exec(conn)
        .await?;
    Ok(())
}

/// Forgets the tries of clients not seen since `before` and not locked after it.
pub async fn forget_login_tries<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::Condition;
    Ok(login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::UpdatedAt.lt(before))
        .filter(
            Condition::any()
                .add(login_throttle::Column::LockedUntil.is_null())
                .add(login_throttle::Column::LockedUntil.lt(before)),
        )
        .exec(conn)
        .await?
        .rows_affected)
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

/// Stores a session under the SHA-256 hash of its id (the id itself is only in the cookie).
pub async fn insert_session<C: ConnectionTrait>(
    conn: &C,
    id_hash: &str,
    person_id: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::insert(session::ActiveModel {
        id_hash: Set(id_hash.to_owned()),
        person_id: Set(person_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn delete_session<C: ConnectionTrait>(conn: &C, id_hash: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(id_hash.to_owned())
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every session (everyone logged out).
pub async fn delete_all_sessions<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .exec(conn)
        .await?
        .rows_affected)
}

/// Deletes the sessions that expired before `now` (they no longer log anyone in).
pub async fn delete_expired_sessions<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(now))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Revokes every session of a person (e.g. after a password reset).
pub async fn delete_sessions_of<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::PersonId.eq(person_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Ends every session of a person but `keep` (a session hash: the browser that asked).
pub async fn delete_other_sessions<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    keep: Option<&str>,
) -> Result<u64, DbErr> {
    let mut q = session::Entity::delete_many().filter(session::Column::PersonId.eq(person_id));
    if let Some(k) = keep {
        q = q.filter(session::Column::IdHash.ne(k));
    }
    Ok(q.exec(conn).await?.rows_affected)
}

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

/// A live session's person, role grants `(role, unit)`, and whether the account's password is
/// a temporary one that must be replaced before anything else.
#[derive(Debug, Clone)]
pub struct SessionLogin {
    pub person: Person,
    pub grants: Vec<(String, Option<i64>)>,
    pub must_change_password: bool,
}

/// Who holds each of these live sessions (by session hash), with their role grants, in ONE
/// query: a burst of page views with cold session caches costs one round trip, not one each.
pub async fn sessions_login<C: ConnectionTrait>(
    conn: &C,
    id_hashes: &[String],
    now: DateTime<Utc>,
) -> Result<std::collections::HashMap<String, SessionLogin>, DbErr> {
    use sea_orm::sea_query::{Expr, Order, Query};
    let mut out: std::collections::HashMap<String, SessionLogin> = std::collections::HashMap::new();
    for chunk in id_hashes.chunks(500) {
        let stmt = Query::select()
            .column((session::Entity, session::Column::IdHash))
            .column((person::Entity, person::Column::Id))
            .column((person::Entity, person::Column::FullName))
            .column((person::Entity, person::Column::Phone))
            .column((person::Entity, person::Column::BirthYear))
            .column((person::Entity, person::Column::ResidenceUnitId))
            .column((person::Entity, person::Column::CreatedAt))
            .column((person::Entity, person::Column::CitizenId))
            .column((person::Entity, person::Column::Gender))
            .column((person::Entity, person::Column::BirthDate))
            .column((person::Entity, person::Column::ConfirmedVia))
            .column((person::Entity, person::Column::ConfirmedAt))
            .column((role_grant::Entity, role_grant::Column::Role))
            .column((role_grant::Entity, role_grant::Column::UnitId))
            .column((account::Entity, account::Column::MustChangePassword))
            .from(session::Entity)
            .inner_join(
                person::Entity,
                Expr::col((person::Entity, person::Column::Id))
                    .equals((session::Entity, session::Column::PersonId)),
            )
            .left_join(
                account::Entity,
                Expr::col((account::Entity, account::Column::PersonId))
                    .equals((person::Entity, person::Column::Id)),
            )
            .left_join(
                role_grant::Entity,
                Expr::col((role_grant::Entity, role_grant::Column::PersonId))
                    .equals((person::Entity, person::Column::Id)),
            )
            .and_where(
                Expr::col((session::Entity, session::Column::IdHash)).is_in(chunk.iter().cloned()),
            )
            .and_where(Expr::col((session::Entity, session::Column::ExpiresAt)).gt(now))
            .order_by((role_grant::Entity, role_grant::Column::Id), Order::Asc)
            .to_owned();
        let rows = conn
            .query_all(conn.get_database_backend().build(&stmt))
            .await?;
        for r in &rows {
            let hash: String = r.try_get("", "id_hash")?;
            let entry = match out.entry(hash) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(SessionLogin {
                    must_change_password: r
                        .try_get::<Option<bool>>("", "must_change_password")?
                        .unwrap_or(false),
                    person: Person {
                        id: r.try_get("", "id")?,
                        full_name: r.try_get("", "full_name")?,
                        phone: r.try_get("", "phone")?,
                        birth_year: r.try_get("", "birth_year")?,
                        residence_unit_id: r.try_get("", "residence_unit_id")?,
                        created_at: r.try_get("", "created_at")?,
                        citizen_id: r.try_get("", "citizen_id")?,
                        gender: r.try_get("", "gender")?,
                        birth_date: r.try_get("", "birth_date")?,
                        confirmed_via: r.try_get("", "confirmed_via")?,
                        confirmed_at: r.try_get("", "confirmed_at")?,
                    },
                    grants: Vec::new(),
                }),
            };
            if let Some(role) = r.try_get::<Option<String>>("", "role")? {
                entry.grants.push((role, r.try_get("", "unit_id")?));
            }
        }
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

/// Stores a one-time code (its hash) sent to a phone number.
pub async fn insert_code<C: ConnectionTrait>(
    conn: &C,
    phone: &str,
    purpose: &str,
    code_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    phone_code::Entity::insert(phone_code::ActiveModel {
        phone: Set(phone.to_owned()),
        purpose: Set(purpose.to_owned()),
        code_hash: Set(code_hash.to_owned()),
        expires_at: Set(expires_at),
        attempts: Set(0),
        used: Set(false),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// How many codes were sent to a phone number since `since`, for any purpose (the limit is the
/// same whether or not the number has an account).
pub async fn codes_since<C: ConnectionTrait>(
    conn: &C,
    phone: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    phone_code::Entity::find()
        .filter(phone_code::Column::Phone.eq(phone))
        .filter(phone_code::Column::CreatedAt.gt(since))
        .count(conn)
        .await
}

/// The newest code of a phone number for a purpose that is unused and not expired.
pub async fn live_code<C: ConnectionTrait>(
    conn: &C,
    phone: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<phone_code::Model>, DbErr> {
    phone_code::Entity::find()
        .filter(phone_code::Column::Phone.eq(phone))
        .filter(phone_code::Column::Purpose.eq(purpose))
        .filter(phone_code::Column::Used.eq(false))
        .filter(phone_code::Column::ExpiresAt.gt(now))
        .order_by_desc(phone_code::Column::Id)
        .one(conn)
        .await
}

/// Claims one try of a code before it is compared: adds one to its tries in one statement and
/// returns how many there are now (parallel guesses are numbered like serial ones).
pub async fn claim_code_try<C: ConnectionTrait>(conn: &C, id: i64) -> Result<i32, DbErr> {
    let rows = phone_code::Entity::update_many()
        .col_expr(
            phone_code::Column::Attempts,
            sea_orm::sea_query::Expr::col(phone_code::Column::Attempts).add(1),
        )
        .filter(phone_code::Column::Id.eq(id))
        .exec_with_returning(conn)
        .await?;
    Ok(rows.first().map_or(i32::MAX, |r| r.attempts))
}

/// Marks every code of a phone number for a purpose used.
pub async fn use_codes<C: ConnectionTrait>(
    conn: &C,
    phone: &str,
    purpose: &str,
) -> Result<(), DbErr> {
    phone_code::Entity::update_many()
        .col_expr(phone_code::Column::Used, true.into())
        .filter(phone_code::Column::Phone.eq(phone))
        .filter(phone_code::Column::Purpose.eq(purpose))
        .exec(conn)
        .await?;
    Ok(())
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
