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
        // The sequence's name first: `nextval` of a constant costs the server an eighth of
        // one that looks the sequence up for every row.
        let seq_sql = format!("SELECT pg_get_serial_sequence('{table}', 'id') AS seq");
        let seq: String = conn
            .query_one(sea_orm::Statement::from_string(backend, seq_sql))
            .await?
            .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("{table} id sequence")))?
            .try_get("", "seq")?;
        // One row of text rather than n rows: decoding a row costs more than the nextval.
        let sql = format!(
            "SELECT string_agg(nextval('{}'::regclass)::text, ',') AS ids \
             FROM generate_series(1, {n})",
            seq.replace('\'', "''")
        );
        let row = conn
            .query_one(sea_orm::Statement::from_string(backend, sql))
            .await?
            .ok_or_else(|| sea_orm::DbErr::RecordNotFound("nextval".to_owned()))?;
        let ids: String = row.try_get("", "ids")?;
        return ids
            .split(',')
            .map(|id| {
                id.parse::<i64>()
                    .map_err(|e| sea_orm::DbErr::Custom(format!("nextval gave {id:?}: {e}")))
            })
            .collect();
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

/// Inserts many rows in ONE statement: the rows as JSON arrays (values in column order;
/// timestamps as RFC 3339 text). SQLite reads them as one JSON document; PostgreSQL as one
/// array per column (`unnest`), which it reads faster than JSON (person rows: 8.8 s against
/// 11.5 s per million, measured with psql). Either is far cheaper for the server than binding
/// thousands of parameters.
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
    if backend == DbBackend::Postgres {
        // One array per column, unnested together: the cheapest form for the server to read
        // (no JSON to walk per value). Arrays go as text literals, cast by the server.
        let arrays: Vec<String> = (0..columns.len())
            .map(|i| array_literal(rows.iter().map(|r| r.get(i))))
            .collect();
        let params: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("${}::{}[]", i + 1, c.pg_type))
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}) SELECT * FROM unnest({})",
            names.join(", "),
            params.join(", ")
        );
        conn.execute(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            arrays.into_iter().map(sea_orm::Value::from),
        ))
        .await?;
        return Ok(());
    }
    let values: Vec<String> = (0..columns.len())
        .map(|i| format!("json_extract(r.value, '$[{i}]')"))
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM json_each(?) AS r",
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

/// `column` is one of `values` (text), as ONE bound parameter however many values there are:
/// PostgreSQL `= ANY(CAST($1 AS text[]))`, SQLite `IN (SELECT value FROM json_each(?))`. A
/// list of literals instead costs the server a parse and plan per value.
pub fn in_text_list(
    backend: DbBackend,
    column: &str,
    values: &[String],
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Expr;
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            format!("{column} = ANY(CAST($1 AS text[]))"),
            [array_of(
                values
                    .iter()
                    .map(|v| Some(std::borrow::Cow::Borrowed(v.as_str()))),
            )],
        ),
        _ => Expr::cust_with_values(
            format!("{column} IN (SELECT value FROM json_each(?))"),
            [serde_json::Value::from(values.to_vec()).to_string()],
        ),
    }
}

/// The length in bytes of a binary column: PostgreSQL `octet_length`, SQLite `length` (which
/// counts bytes for a BLOB).
pub fn byte_length(backend: DbBackend, column: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Expr;
    match backend {
        DbBackend::Postgres => Expr::cust(format!("CAST(octet_length({column}) AS BIGINT)")),
        _ => Expr::cust(format!("length({column})")),
    }
}

/// `len` bytes of a binary column from byte `start` (0-based), read by the server without
/// sending the rest: PostgreSQL `substring(… from … for …)`, SQLite `substr` (1-based, bytes
/// for a BLOB).
pub fn byte_range(
    backend: DbBackend,
    column: &str,
    start: i64,
    len: i64,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Expr;
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            format!("substring({column} from CAST($1 AS INTEGER) for CAST($2 AS INTEGER))"),
            [start + 1, len],
        ),
        _ => Expr::cust_with_values(format!("substr({column}, ?, ?)"), [start + 1, len]),
    }
}

/// A PostgreSQL array literal (`{1,"a \\"b\\"",NULL}`) of JSON scalars: every element quoted
/// (the server casts it to the column's type), `null` (or a missing value) as NULL.
fn array_literal<'a>(values: impl Iterator<Item = Option<&'a serde_json::Value>>) -> String {
    use serde_json::Value;
    array_of(values.map(|v| match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(std::borrow::Cow::Borrowed(s.as_str())),
        Some(other) => Some(std::borrow::Cow::Owned(other.to_string())),
    }))
}

/// A PostgreSQL array literal of texts (`None` for NULL), every element quoted.
fn array_of<'a>(values: impl Iterator<Item = Option<std::borrow::Cow<'a, str>>>) -> String {
    let mut out = String::from("{");
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let Some(text) = v else {
            out.push_str("NULL");
            continue;
        };
        out.push('"');
        for c in text.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push('}');
    out
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
