//! The ONLY place that knows whether we run on SQLite or PostgreSQL.
//!
//! * SQLite: WAL journal, `synchronous=FULL` (an acknowledged learner record survives a power
//!   loss, not only a process crash), `foreign_keys=ON`, `busy_timeout`, and exactly one writer
//!   connection so that write transactions queue in the process instead of failing with
//!   `SQLITE_BUSY`. Readers use a separate pool.
//! * PostgreSQL: one pool serves reads and writes.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::sea_query::{ColumnDef, IntoIden};
use sea_orm::{DatabaseConnection, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::DbError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::UnsupportedUrl(url.to_owned()))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Connections to the configured database.
#[derive(Debug, Clone)]
pub struct Db {
    backend: Backend,
    /// Reads (may be several connections).
    read: DatabaseConnection,
    /// Writes and read-modify-write transactions (one connection on SQLite).
    write: DatabaseConnection,
}

/// Pool sizes; defaults suit a 2-core machine.
#[derive(Debug, Clone, Copy)]
pub struct PoolSizes {
    pub readers: u32,
}

impl Default for PoolSizes {
    fn default() -> Self {
        Self { readers: 8 }
    }
}

impl Db {
    /// Opens the database named by `url`, creating the SQLite file and its folder if needed.
    pub async fn connect(url: &str, sizes: PoolSizes) -> Result<Self, DbError> {
        match Backend::from_url(url)? {
            Backend::Sqlite => connect_sqlite(url, sizes).await,
            Backend::Postgres => connect_postgres(url, sizes).await,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn read(&self) -> &DatabaseConnection {
        &self.read
    }

    pub fn write(&self) -> &DatabaseConnection {
        &self.write
    }

    pub async fn close(self) {
        let _ = self.read.close().await;
        if self.backend == Backend::Sqlite {
            let _ = self.write.close().await;
        }
    }
}

/// Whether the database named by `url` is there already. Commands that only read (such as
/// `stats verify`) check this, so that a mistyped SQLite path is an error instead of a new,
/// empty database. A PostgreSQL database is never created by us: connecting tells.
pub fn database_exists(url: &str) -> Result<bool, DbError> {
    Ok(match Backend::from_url(url)? {
        Backend::Sqlite => {
            let path = sqlite_path(url);
            path == ":memory:" || std::path::Path::new(path).exists()
        }
        Backend::Postgres => true,
    })
}

fn sqlite_path(url: &str) -> &str {
    let rest = url.trim_start_matches("sqlite:");
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    rest.split('?').next().unwrap_or(rest)
}

async fn connect_sqlite(url: &str, sizes: PoolSizes) -> Result<Db, DbError> {
    let path = sqlite_path(url);
    if path != ":memory:" {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|source| DbError::Folder {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
        }
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
        .map_err(|e| DbError::Db(sea_orm::DbErr::Custom(e.to_string())))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-32000");
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.clone())
        .await
        .map_err(sqlx_err)?;
    let read = SqlitePoolOptions::new()
        .max_connections(sizes.readers.max(1))
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.read_only(true))
        .await
        .map_err(sqlx_err)?;
    Ok(Db {
        backend: Backend::Sqlite,
        read: SqlxSqliteConnector::from_sqlx_sqlite_pool(read),
        write: SqlxSqliteConnector::from_sqlx_sqlite_pool(write),
    })
}

async fn connect_postgres(url: &str, sizes: PoolSizes) -> Result<Db, DbError> {
    let pool = PgPoolOptions::new()
        .max_connections(sizes.readers.max(2) + 2)
        .acquire_timeout(Duration::from_secs(30))
        .connect(url)
        .await
        .map_err(sqlx_err)?;
    let conn = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
    Ok(Db {
        backend: Backend::Postgres,
        read: conn.clone(),
        write: conn,
    })
}

fn sqlx_err(e: sqlx::Error) -> DbError {
    DbError::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)))
}

/// An auto-increment 64-bit primary key. SQLite only allows AUTOINCREMENT on a column declared
/// `INTEGER` (which is 64-bit there); PostgreSQL wants `BIGINT`.
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

/// `n` fresh ids for `table`, for bulk inserts that write ids themselves (no RETURNING to
/// parse). PostgreSQL draws them from the table's sequence, safe beside concurrent inserts;
/// SQLite takes the ones after the largest, which is safe because every write goes through
/// the one writer connection and the caller holds its transaction.
pub async fn reserve_ids<C: sea_orm::ConnectionTrait>(
    conn: &C,
    table: &str,
    n: usize,
) -> Result<Vec<i64>, sea_orm::DbErr> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    if backend == DbBackend::Postgres {
        let sql = format!(
            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id \
             FROM generate_series(1, {n})"
        );
        let rows = conn
            .query_all(sea_orm::Statement::from_string(backend, sql))
            .await?;
        return rows.iter().map(|r| r.try_get::<i64>("", "id")).collect();
    }
    let sql = format!("SELECT COALESCE(MAX(id), 0) AS id FROM {table}");
    let max: i64 = match conn
        .query_one(sea_orm::Statement::from_string(backend, sql))
        .await?
    {
        Some(r) => r.try_get("", "id")?,
        None => 0,
    };
    Ok((1..=n as i64).map(|i| max + i).collect())
}

/// A column of [`bulk_insert`]: its name and its PostgreSQL type.
pub struct BulkColumn {
    pub name: &'static str,
    pub pg_type: &'static str,
}

/// Inserts many rows in ONE statement with ONE parameter: the rows as a JSON array of arrays
/// (values in column order; timestamps as RFC 3339 text). Parsing a JSON document is far
/// cheaper for the server than binding thousands of parameters: on PostgreSQL a million
/// people go in at about the speed of `INSERT … SELECT`.
pub async fn bulk_insert<C: sea_orm::ConnectionTrait>(
    conn: &C,
    table: &str,
    columns: &[BulkColumn],
    rows: &[serde_json::Value],
) -> Result<(), sea_orm::DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = conn.get_database_backend();
    let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
    let values: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| match backend {
            DbBackend::Postgres => format!("(r->>{i})::{}", c.pg_type),
            _ => format!("json_extract(r.value, '$[{i}]')"),
        })
        .collect();
    let source = match backend {
        DbBackend::Postgres => "json_array_elements($1::json) AS r",
        _ => "json_each(?) AS r",
    };
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {source}",
        names.join(", "),
        values.join(", ")
    );
    let doc = serde_json::Value::Array(rows.to_vec()).to_string();
    conn.execute(sea_orm::Statement::from_sql_and_values(
        backend,
        sql,
        [sea_orm::Value::from(doc)],
    ))
    .await?;
    Ok(())
}

/// After a bulk load, lets the query planner know the tables' new sizes. PostgreSQL plans
/// lookups by statistics that autovacuum refreshes only later (until then, a 1-million-row
/// table may still be planned as empty and scanned whole); SQLite plans by its indexes and
/// needs nothing.
pub async fn refresh_statistics<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tables: &[&str],
) -> Result<(), sea_orm::DbErr> {
    if conn.get_database_backend() == DbBackend::Postgres && !tables.is_empty() {
        let sql = format!("ANALYZE {}", tables.join(", "));
        conn.execute(sea_orm::Statement::from_string(DbBackend::Postgres, sql))
            .await?;
    }
    Ok(())
}

/// After rows were inserted with explicit ids (bulk loads), make the next generated id follow
/// them. SQLite's AUTOINCREMENT already does; PostgreSQL's sequence must be moved.
pub async fn sync_id_sequence<C: sea_orm::ConnectionTrait>(
    conn: &C,
    table: &str,
) -> Result<(), sea_orm::DbErr> {
    if conn.get_database_backend() == DbBackend::Postgres {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
        );
        conn.execute(sea_orm::Statement::from_string(DbBackend::Postgres, sql))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(
            Backend::from_url("sqlite://data/x.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(Backend::from_url("mysql://x").is_err());
        assert_eq!(
            sqlite_path("sqlite://./data/hocvuso.db?mode=rwc"),
            "./data/hocvuso.db"
        );
        assert_eq!(sqlite_path("sqlite:///tmp/a.db"), "/tmp/a.db");
        assert_eq!(sqlite_path("sqlite:data/a.db"), "data/a.db");
        assert_eq!(
            database_exists("sqlite:///no/such/dir/x.db").ok(),
            Some(false)
        );
        assert_eq!(database_exists("sqlite::memory:").ok(), Some(true));
        assert_eq!(database_exists("postgres://u@h/db").ok(), Some(true));
    }
}
