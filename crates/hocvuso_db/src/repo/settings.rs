//! Installation settings (key/value).

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::entity::setting;

pub async fn get<C: ConnectionTrait>(conn: &C, key: &str) -> Result<Option<String>, DbErr> {
    Ok(setting::Entity::find_by_id(key.to_owned())
        .one(conn)
        .await?
        .map(|m| m.value))
}

/// Stores `value` under `key` unless the key already has a value; returns the stored value.
pub async fn get_or_insert<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    value: &str,
) -> Result<String, DbErr> {
    setting::Entity::insert(setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
    })
    .on_conflict(
        OnConflict::column(setting::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(get(conn, key).await?.unwrap_or_else(|| value.to_owned()))
}

pub async fn set<C: ConnectionTrait>(conn: &C, key: &str, value: &str) -> Result<(), DbErr> {
    setting::Entity::insert(setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
    })
    .on_conflict(
        OnConflict::column(setting::Column::Key)
            .update_column(setting::Column::Value)
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The version of the org tree: [`bump`]ed by every change of a unit, in the same transaction.
pub const ORG_VERSION: &str = "org_tree_version";
/// The version of the denominators: [`bump`]ed by every change of one.
pub const DENOMINATORS_VERSION: &str = "denominators_version";

/// Adds one to the counter stored under `key` (1 when absent), in one statement, so that two
/// transactions changing the same table at once never write the same version (PostgreSQL takes
/// the row's lock; SQLite has one writer). Servers keep copies of small tables in memory and
/// compare this counter on every read (`services::shared::versioned`).
pub async fn bump<C: ConnectionTrait>(conn: &C, key: &str) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    setting::Entity::insert(setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set("1".to_owned()),
    })
    .on_conflict(
        OnConflict::column(setting::Column::Key)
            .value(
                setting::Column::Value,
                Expr::cust(r#"CAST(CAST("setting"."value" AS BIGINT) + 1 AS TEXT)"#),
            )
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Claims a periodic job for this process: when the time stored under `key` (seconds since
/// 1970, as text; none yet counts as due) is at or before `now`, moves it to `next` and returns
/// true. One statement, so of several server processes asking at the same moment exactly one
/// gets it (the others' updates match no row once the first has moved the time).
pub async fn claim_due<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    now: i64,
    next: i64,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    get_or_insert(conn, key, "0").await?;
    let claimed = setting::Entity::update_many()
        .col_expr(setting::Column::Value, Expr::value(next.to_string()))
        .filter(setting::Column::Key.eq(key))
        .filter(Expr::expr(Expr::cust(r#"CAST("setting"."value" AS BIGINT)"#)).lte(now))
        .exec(conn)
        .await?;
    Ok(claimed.rows_affected == 1)
}
