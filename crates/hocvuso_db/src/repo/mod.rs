//! Repositories, one module per aggregate. Functions take any connection or transaction
//! (`C: ConnectionTrait`) so that a service can run several of them in one transaction.
//! SQL here is portable; anything that differs per backend is in `crate::dialect`.

pub mod activity;
pub mod audit;
pub mod bulk;
pub mod classes;
pub mod contests;
pub mod handbook;
pub mod honours;
pub mod imports;
pub mod learning;
pub mod news;
pub mod org;
pub mod people;
pub mod plan;
pub mod reminders;
pub mod reports;
pub mod roster;
pub mod settings;
pub mod stats;
pub mod support;
pub mod training;
pub mod transfer;

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};

/// Runs a portable SQL query without parameters and maps its rows.
pub(crate) async fn query_rows<C: ConnectionTrait, T: FromQueryResult>(
    conn: &C,
    sql: &str,
) -> Result<Vec<T>, DbErr> {
    let stmt = Statement::from_string(conn.get_database_backend(), sql.to_owned());
    T::find_by_statement(stmt).all(conn).await
}

/// Moves the row `id` of a table with a workflow status (`status`, `updated_at`) from `from`
/// to `to` — once: a row moved meanwhile by someone else is left alone. Returns whether this
/// call moved it.
pub(crate) async fn move_status<E, C>(
    conn: &C,
    [id_col, status_col, updated_col]: [E::Column; 3],
    id: i64,
    from: &str,
    to: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr>
where
    E: sea_orm::EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    let res = E::update_many()
        .col_expr(status_col, Expr::value(to))
        .col_expr(updated_col, Expr::value(now))
        .filter(id_col.eq(id))
        .filter(status_col.eq(from))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}
