//! Signing in: the login throttle, sessions (and the batched lookup that finds a session's
//! person and roles), and the one-time codes sent by text message.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{account, login_throttle, person, phone_code, role_grant, session};

use super::*;

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
