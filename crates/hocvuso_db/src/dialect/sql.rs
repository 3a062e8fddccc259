//! SQL that differs by backend inside ordinary statements: the Vietnamese collation (ordering
//! and accent-insensitive search), auto-increment keys, recognising a unique violation.

use sea_orm::sea_query::{ColumnDef, IntoIden};
use sea_orm::DbBackend;

/// An auto-increment 64-bit primary key. SQLite only allows AUTOINCREMENT on a column declared
/// `INTEGER` (which is 64-bit there); PostgreSQL wants `BIGINT`.
/// The SQLite collation `vi`, registered on every connection.
pub(super) const SQLITE_VI: &str = "vi";

/// The PostgreSQL collation made by the migration `m20261206_000004_vietnamese_order`: ICU's
/// Vietnamese where the server has ICU, else bytewise.
const POSTGRES_VI: &str = "hocvuso_vi";

/// `column COLLATE …`: the column in Vietnamese alphabetical order ("Hồ" before "Huỳnh"), for
/// ORDER BY. `column` is a trusted, qualified column name written by the caller.
pub fn vietnamese_order(backend: DbBackend, column: &str) -> sea_orm::sea_query::SimpleExpr {
    let collation = match backend {
        DbBackend::Postgres => format!("\"{POSTGRES_VI}\""),
        _ => SQLITE_VI.to_owned(),
    };
    sea_orm::sea_query::Expr::cust(format!("{column} COLLATE {collation}"))
}

/// `column` holds `text`, ignoring case (`ILIKE` on PostgreSQL; on SQLite `LIKE`, which
/// ignores the case of ASCII letters only), `%` and `_` in `text` taken literally.
pub fn name_contains(
    backend: DbBackend,
    column: &str,
    text: &str,
) -> sea_orm::sea_query::SimpleExpr {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let pattern = format!("%{escaped}%");
    let sql = match backend {
        DbBackend::Postgres => format!("{column} ILIKE $1 ESCAPE '\\'"),
        _ => format!("{column} LIKE ? ESCAPE '\\'"),
    };
    sea_orm::sea_query::Expr::cust_with_values(sql, [pattern])
}

/// Makes the PostgreSQL collation of [`vietnamese_order`] (a migration's step).
pub fn create_vietnamese_collation_sql() -> String {
    format!(
        "DO $$ BEGIN \
           CREATE COLLATION IF NOT EXISTS \"{POSTGRES_VI}\" (provider = icu, locale = 'vi-VN'); \
         EXCEPTION WHEN OTHERS THEN \
           CREATE COLLATION IF NOT EXISTS \"{POSTGRES_VI}\" FROM \"C\"; \
         END $$;"
    )
}

pub fn pk_auto<T: IntoIden>(backend: DbBackend, name: T) -> ColumnDef {
    let mut def = ColumnDef::new(name);
    match backend {
        DbBackend::Sqlite => def.integer(),
        _ => def.big_integer(),
    };
    def.not_null().auto_increment().primary_key();
    def
}

/// True when the error is a unique-constraint violation on either backend.
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
