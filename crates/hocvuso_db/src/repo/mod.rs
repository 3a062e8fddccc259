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
