//! The ONLY place that knows whether we run on SQLite or PostgreSQL.
//!
//! * SQLite: WAL journal, `synchronous=FULL` (an acknowledged learner record survives a power
//!   loss, not only a process crash), `foreign_keys=ON`, `busy_timeout`, and exactly one writer
//!   connection so that write transactions queue in the process instead of failing with
//!   `SQLITE_BUSY`. Readers use a separate pool.
//! * PostgreSQL: one pool serves reads and writes.

use std::collections::BTreeMap;
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
    /// PostgreSQL: the pool under `read` and `write`, for bulk loads with `COPY`.
    pg_pool: Option<sqlx::PgPool>,
    /// SQLite: the database file (`None` in memory).
    sqlite_file: Option<std::path::PathBuf>,
    /// SQLite: the pools under `read` and `write` (for their use in `/metrics`).
    sqlite_pools: Option<[sqlx::SqlitePool; 2]>,
}

/// Held while one process migrates and seeds the database: another process starting at the
/// same moment (several servers, or a `hocvuso migrate` beside a running one) waits for it
/// instead of applying the same migration twice. PostgreSQL: a session advisory lock on a
/// connection of its own, released by [`StartupLock::release`] or, if the process dies, by
/// the connection closing. SQLite: an exclusive lock on the file `<database>.lock` beside
/// the database, released the same ways (the kernel drops it with the process).
#[must_use = "the lock is released when this is dropped"]
pub struct StartupLock {
    held: HeldLock,
}

enum HeldLock {
    Postgres(sqlx::PgConnection),
    File(std::fs::File),
    Nothing,
}

/// The advisory lock's key: any fixed 64-bit number, the same in every process
/// (`hocvuso` in ASCII).
const STARTUP_LOCK_KEY: i64 = 0x0068_6f63_7675_736f;

impl StartupLock {
    pub async fn release(self) {
        match self.held {
            HeldLock::Postgres(mut conn) => {
                use sqlx::Connection;
                let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(STARTUP_LOCK_KEY)
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
            }
            HeldLock::File(file) => {
                let _ = file.unlock();
            }
            HeldLock::Nothing => {}
        }
    }
}

/// A `LISTEN`ing connection (see [`Db::listen`]).
pub struct Listener(sqlx::postgres::PgListener);

/// What a [`Listener`] heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A notification's payload.
    Message(String),
    /// The connection was lost (and is made again on the next [`Listener::next`]):
    /// notifications sent meanwhile are lost, so the listener should assume anything changed.
    Lost,
}

impl Listener {
    pub async fn next(&mut self) -> Heard {
        match self.0.try_recv().await {
            Ok(Some(n)) => Heard::Message(n.payload().to_owned()),
            Ok(None) => Heard::Lost,
            Err(e) => {
                tracing::warn!("listening to the database: {e}");
                // Do not spin while the server is away.
                tokio::time::sleep(Duration::from_secs(1)).await;
                Heard::Lost
            }
        }
    }
}

/// One connection pool's use (see [`Db::pool_use`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUse {
    pub name: &'static str,
    pub open: u32,
    pub idle: usize,
    pub max: u32,
}

impl PoolUse {
    fn of<DB: sqlx::Database>(name: &'static str, pool: &sqlx::Pool<DB>) -> Self {
        PoolUse {
            name,
            open: pool.size(),
            idle: pool.num_idle(),
            max: pool.options().get_max_connections(),
        }
    }
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

    /// Begins the transaction of a bulk load (see [`BulkTxn`]).
    pub async fn begin_bulk(&self) -> Result<BulkTxn, sea_orm::DbErr> {
        use sea_orm::TransactionTrait;
        match &self.pg_pool {
            Some(pool) => Ok(BulkTxn::Pg(tokio::sync::Mutex::new(
                pool.begin().await.map_err(conn_err)?,
            ))),
            None => Ok(BulkTxn::Orm(self.write.begin().await?)),
        }
    }

    /// Tells every process listening on `channel` (PostgreSQL `NOTIFY`; delivered to the
    /// listeners of every server on this database). SQLite: nothing to do (see [`Db::listen`]).
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), sea_orm::DbErr> {
        if let Some(pool) = &self.pg_pool {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(pool)
                .await
                .map_err(query_err)?;
        }
        Ok(())
    }

    /// Listens to `channel` on a connection of its own (PostgreSQL `LISTEN`). `None` on
    /// SQLite, where one server process owns the database file and there is no one to hear.
    pub async fn listen(&self, channel: &str) -> Result<Option<Listener>, sea_orm::DbErr> {
        let Some(pool) = &self.pg_pool else {
            return Ok(None);
        };
        // A pool of its own (one connection, made again if lost): a listening connection taken
        // from the shared pool would never go back to it, and closing the shared pool waits for
        // every connection it lent out.
        let own = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with((*pool.connect_options()).clone());
        let mut listener = sqlx::postgres::PgListener::connect_with(&own)
            .await
            .map_err(query_err)?;
        listener.listen(channel).await.map_err(query_err)?;
        Ok(Some(Listener(listener)))
    }

    /// Each pool's connections (`/metrics`): name, open, idle, and the most it may open.
    pub fn pool_use(&self) -> Vec<PoolUse> {
        let mut out = Vec::new();
        if let Some(pool) = &self.pg_pool {
            out.push(PoolUse::of("all", pool));
            return out;
        }
        if let Some([read, write]) = &self.sqlite_pools {
            out.push(PoolUse::of("read", read));
            out.push(PoolUse::of("write", write));
        }
        out
    }

    /// Waits until no other process is migrating or seeding this database, then holds it
    /// off until the returned lock is released (see [`StartupLock`]).
    pub async fn startup_lock(&self) -> Result<StartupLock, DbError> {
        if let Some(pool) = &self.pg_pool {
            let mut conn = pool.acquire().await.map_err(sqlx_err)?.detach();
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(STARTUP_LOCK_KEY)
                .execute(&mut conn)
                .await
                .map_err(sqlx_err)?;
            return Ok(StartupLock {
                held: HeldLock::Postgres(conn),
            });
        }
        let Some(file) = &self.sqlite_file else {
            return Ok(StartupLock {
                held: HeldLock::Nothing,
            });
        };
        let lock_file = lock_sqlite_file(file).await?;
        Ok(StartupLock {
            held: HeldLock::File(lock_file),
        })
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

/// Takes the exclusive lock on `<database>.lock` beside a SQLite file, waiting (on a blocking
/// thread) until another process lets go.
async fn lock_sqlite_file(database: &std::path::Path) -> Result<std::fs::File, DbError> {
    let path = std::path::PathBuf::from(format!("{}.lock", database.display()));
    let folder_error = |source| DbError::Folder {
        path: path.display().to_string(),
        source,
    };
    let lock_file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(folder_error)?;
    tokio::task::spawn_blocking(move || lock_file.lock().map(|()| lock_file))
        .await
        .map_err(|e| DbError::Db(sea_orm::DbErr::Custom(e.to_string())))?
        .map_err(|source| DbError::Folder {
            path: path.display().to_string(),
            source,
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
        .pragma("cache_size", "-32000")
        // Names sort in Vietnamese alphabetical order (see `vietnamese_order`).
        .collation(SQLITE_VI, hocvuso_domain::text::vietnamese_cmp);
    // Opening a new file switches it to WAL, which needs the file to itself: processes
    // connecting at the same moment take turns (the lock of `Db::startup_lock`, held only for
    // the opening here).
    let opening = match path {
        ":memory:" => None,
        p => Some(lock_sqlite_file(std::path::Path::new(p)).await?),
    };
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
    if let Some(lock) = opening {
        let _ = lock.unlock();
    }
    Ok(Db {
        backend: Backend::Sqlite,
        read: SqlxSqliteConnector::from_sqlx_sqlite_pool(read.clone()),
        write: SqlxSqliteConnector::from_sqlx_sqlite_pool(write.clone()),
        sqlite_pools: Some([read, write]),
        pg_pool: None,
        sqlite_file: (path != ":memory:").then(|| std::path::PathBuf::from(path)),
    })
}

async fn connect_postgres(url: &str, sizes: PoolSizes) -> Result<Db, DbError> {
    let pool = PgPoolOptions::new()
        .max_connections(sizes.readers.max(2) + 2)
        .acquire_timeout(Duration::from_secs(30))
        .connect(url)
        .await
        .map_err(sqlx_err)?;
    let conn = SqlxPostgresConnector::from_sqlx_postgres_pool(pool.clone());
    Ok(Db {
        backend: Backend::Postgres,
        read: conn.clone(),
        write: conn,
        pg_pool: Some(pool),
        sqlite_file: None,
        sqlite_pools: None,
    })
}

fn sqlx_err(e: sqlx::Error) -> DbError {
    DbError::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)))
}

/// An auto-increment 64-bit primary key. SQLite only allows AUTOINCREMENT on a column declared
/// `INTEGER` (which is 64-bit there); PostgreSQL wants `BIGINT`.
/// The SQLite collation `vi`, registered on every connection.
const SQLITE_VI: &str = "vi";

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

/// Fresh ids for one table during a bulk load, for rows that carry their ids (no RETURNING
/// to parse, and the rows can be prepared before they are written). PostgreSQL draws them
/// from the table's sequence, on any connection (a sequence is outside transactions), safe
/// beside concurrent inserts. SQLite counts on from the largest id when the load began, which
/// is safe because the load's transaction holds the one writer connection: nobody else adds
/// rows until it ends.
pub struct IdReserver {
    /// PostgreSQL: the table's sequence.
    sequence: Option<String>,
    /// SQLite: the next id.
    next: i64,
}

impl IdReserver {
    /// Starts reserving ids of `table` for the load in `txn`.
    pub async fn new(txn: &BulkTxn, table: &str) -> Result<Self, sea_orm::DbErr> {
        use sea_orm::ConnectionTrait;
        let backend = txn.get_database_backend();
        if let BulkTxn::Pg(_) = txn {
            // The sequence's name once: `nextval` of a constant costs the server an eighth
            // of one that looks the sequence up for every row.
            let sql = format!("SELECT pg_get_serial_sequence('{table}', 'id') AS seq");
            let seq: String = txn
                .query_one(sea_orm::Statement::from_string(backend, sql))
                .await?
                .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("{table} id sequence")))?
                .try_get("", "seq")?;
            return Ok(IdReserver {
                sequence: Some(seq),
                next: 0,
            });
        }
        let sql = format!("SELECT COALESCE(MAX(id), 0) AS id FROM {table}");
        let max: i64 = match txn
            .query_one(sea_orm::Statement::from_string(backend, sql))
            .await?
        {
            Some(r) => r.try_get("", "id")?,
            None => 0,
        };
        Ok(IdReserver {
            sequence: None,
            next: max + 1,
        })
    }

    /// `n` fresh ids (PostgreSQL: drawn on `conn`, which need not be the load's).
    pub async fn take<C: sea_orm::ConnectionTrait>(
        &mut self,
        conn: &C,
        n: usize,
    ) -> Result<Vec<i64>, sea_orm::DbErr> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let Some(seq) = &self.sequence else {
            let first = self.next;
            self.next += n as i64;
            return Ok((first..self.next).collect());
        };
        // One row of text rather than n rows: decoding a row costs more than the nextval.
        let sql = format!(
            "SELECT string_agg(nextval('{}'::regclass)::text, ',') AS ids \
             FROM generate_series(1, {n})",
            seq.replace('\'', "''")
        );
        let row = conn
            .query_one(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                sql,
            ))
            .await?
            .ok_or_else(|| sea_orm::DbErr::RecordNotFound("nextval".to_owned()))?;
        let ids: String = row.try_get("", "ids")?;
        ids.split(',')
            .map(|id| {
                id.parse::<i64>()
                    .map_err(|e| sea_orm::DbErr::Custom(format!("nextval gave {id:?}: {e}")))
            })
            .collect()
    }
}

/// The transaction of a bulk load (a roster import). On SQLite it is sea-orm's; on
/// PostgreSQL it is held on a sqlx connection of the pool, so that rows can go in with `COPY`
/// (sea-orm's transaction keeps its connection to itself). Either way it is a
/// `ConnectionTrait`, so every other statement of the load goes through it as usual.
/// Dropped without [`commit`](BulkTxn::commit), it rolls back.
pub enum BulkTxn {
    Orm(sea_orm::DatabaseTransaction),
    Pg(tokio::sync::Mutex<sqlx::Transaction<'static, sqlx::Postgres>>),
}

impl BulkTxn {
    pub async fn commit(self) -> Result<(), sea_orm::DbErr> {
        match self {
            BulkTxn::Orm(t) => t.commit().await,
            BulkTxn::Pg(t) => t.into_inner().commit().await.map_err(exec_err),
        }
    }

    pub async fn rollback(self) -> Result<(), sea_orm::DbErr> {
        match self {
            BulkTxn::Orm(t) => t.rollback().await,
            BulkTxn::Pg(t) => t.into_inner().rollback().await.map_err(exec_err),
        }
    }
}

fn exec_err(e: sqlx::Error) -> sea_orm::DbErr {
    sea_orm::DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e))
}

fn query_err(e: sqlx::Error) -> sea_orm::DbErr {
    sea_orm::DbErr::Query(sea_orm::RuntimeErr::SqlxError(e))
}

fn conn_err(e: sqlx::Error) -> sea_orm::DbErr {
    sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e))
}

/// A sea-orm statement as a sqlx query (the values bound as sea-orm binds them).
fn pg_query(
    stmt: &sea_orm::Statement,
) -> sqlx::query::Query<'_, sqlx::Postgres, sea_query_binder::SqlxValues> {
    let values = stmt
        .values
        .clone()
        .unwrap_or_else(|| sea_orm::sea_query::Values(Vec::new()));
    sqlx::query_with(&stmt.sql, sea_query_binder::SqlxValues(values))
}

#[async_trait::async_trait]
impl sea_orm::ConnectionTrait for BulkTxn {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            BulkTxn::Orm(t) => t.get_database_backend(),
            BulkTxn::Pg(_) => DbBackend::Postgres,
        }
    }

    async fn execute(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<sea_orm::ExecResult, sea_orm::DbErr> {
        match self {
            BulkTxn::Orm(t) => t.execute(stmt).await,
            BulkTxn::Pg(t) => {
                let mut conn = t.lock().await;
                pg_query(&stmt)
                    .execute(&mut **conn)
                    .await
                    .map(Into::into)
                    .map_err(exec_err)
            }
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<sea_orm::ExecResult, sea_orm::DbErr> {
        match self {
            BulkTxn::Orm(t) => t.execute_unprepared(sql).await,
            BulkTxn::Pg(t) => {
                let mut conn = t.lock().await;
                sqlx::Executor::execute(&mut **conn, sql)
                    .await
                    .map(Into::into)
                    .map_err(exec_err)
            }
        }
    }

    async fn query_one(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Option<sea_orm::QueryResult>, sea_orm::DbErr> {
        match self {
            BulkTxn::Orm(t) => t.query_one(stmt).await,
            BulkTxn::Pg(t) => {
                let mut conn = t.lock().await;
                pg_query(&stmt)
                    .fetch_optional(&mut **conn)
                    .await
                    .map(|row| row.map(Into::into))
                    .map_err(query_err)
            }
        }
    }

    async fn query_all(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Vec<sea_orm::QueryResult>, sea_orm::DbErr> {
        match self {
            BulkTxn::Orm(t) => t.query_all(stmt).await,
            BulkTxn::Pg(t) => {
                let mut conn = t.lock().await;
                pg_query(&stmt)
                    .fetch_all(&mut **conn)
                    .await
                    .map(|rows| rows.into_iter().map(Into::into).collect())
                    .map_err(query_err)
            }
        }
    }

    fn support_returning(&self) -> bool {
        match self {
            BulkTxn::Orm(t) => t.support_returning(),
            BulkTxn::Pg(_) => true,
        }
    }
}

/// Rows per JSON document of a bulk insert on SQLite.
const JSON_ROWS: usize = 2_000;
/// Bytes per message of a `COPY` on PostgreSQL.
const COPY_MESSAGE: usize = 1 << 20;

/// One value of a row for [`BulkRows`].
#[derive(Debug, Clone, Copy)]
pub enum BulkValue<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

impl<'a> From<Option<&'a str>> for BulkValue<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(BulkValue::Null, BulkValue::Text)
    }
}

/// Rows for [`bulk_insert`], encoded as they are pushed, in the form the backend reads
/// fastest, so that they can be prepared away from the load's transaction (the roster import
/// does it while the previous chunk is written). PostgreSQL: `COPY` text format (values
/// separated by tabs, `\N` for NULL, backslash, tab and line breaks escaped). SQLite: JSON
/// documents of up to 2,000 row arrays.
#[derive(Debug)]
pub struct BulkRows {
    columns: &'static [&'static str],
    rows: usize,
    /// PostgreSQL: the `COPY` data.
    copy: Option<Vec<u8>>,
    /// SQLite: finished JSON documents, and the one being filled (without its `]`).
    docs: Vec<String>,
    doc: String,
    doc_rows: usize,
}

impl BulkRows {
    /// No rows yet, for `columns` (values are pushed in this order).
    pub fn new(backend: DbBackend, columns: &'static [&'static str]) -> Self {
        BulkRows {
            columns,
            rows: 0,
            copy: (backend == DbBackend::Postgres).then(Vec::new),
            docs: Vec::new(),
            doc: String::new(),
            doc_rows: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Adds one row: one value per column.
    pub fn push(&mut self, values: &[BulkValue<'_>]) {
        debug_assert_eq!(values.len(), self.columns.len());
        self.rows += 1;
        if let Some(out) = &mut self.copy {
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push(b'\t');
                }
                match v {
                    BulkValue::Null => out.extend_from_slice(b"\\N"),
                    BulkValue::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
                    BulkValue::Text(text) => {
                        for b in text.bytes() {
                            match b {
                                b'\\' => out.extend_from_slice(b"\\\\"),
                                b'\t' => out.extend_from_slice(b"\\t"),
                                b'\n' => out.extend_from_slice(b"\\n"),
                                b'\r' => out.extend_from_slice(b"\\r"),
                                other => out.push(other),
                            }
                        }
                    }
                }
            }
            out.push(b'\n');
            return;
        }
        let doc = &mut self.doc;
        doc.push(if self.doc_rows == 0 { '[' } else { ',' });
        doc.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                doc.push(',');
            }
            match v {
                BulkValue::Null => doc.push_str("null"),
                BulkValue::Int(n) => doc.push_str(&n.to_string()),
                BulkValue::Text(text) => json_string(doc, text),
            }
        }
        doc.push(']');
        self.doc_rows += 1;
        if self.doc_rows == JSON_ROWS {
            self.finish_doc();
        }
    }

    fn finish_doc(&mut self) {
        if self.doc_rows > 0 {
            self.doc.push(']');
            self.docs.push(std::mem::take(&mut self.doc));
            self.doc_rows = 0;
        }
    }

    /// Adds `other`'s rows after these.
    pub fn append(&mut self, mut other: BulkRows) {
        self.rows += other.rows;
        if let (Some(mine), Some(theirs)) = (&mut self.copy, other.copy.take()) {
            mine.extend_from_slice(&theirs);
            return;
        }
        self.finish_doc();
        other.finish_doc();
        self.docs.append(&mut other.docs);
    }
}

/// `text` as a JSON string.
fn json_string(out: &mut String, text: &str) {
    use std::fmt::Write;
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Inserts `rows` into `table` inside a bulk load. PostgreSQL takes them all with ONE
/// `COPY … FROM STDIN`, its fastest way in: in psql, a million people and their memberships
/// in 500 `COPY`s of 2,000 took 21.4 s, in 50 of 20,000 20.1 s, against 9.6 s for the people
/// alone as `INSERT … unnest` of arrays per 2,000 (8.1 s as one `COPY`); foreign keys and
/// indexes included. SQLite reads one JSON document per 2,000 rows, far cheaper than binding
/// thousands of parameters.
pub async fn bulk_insert(txn: &BulkTxn, table: &str, rows: BulkRows) -> Result<(), sea_orm::DbErr> {
    let mut rows = rows;
    if rows.is_empty() {
        return Ok(());
    }
    let names = rows.columns.join(", ");
    match (txn, rows.copy.take()) {
        (BulkTxn::Pg(t), Some(data)) => {
            let mut conn = t.lock().await;
            let mut copy = conn
                .copy_in_raw(&format!("COPY {table} ({names}) FROM STDIN"))
                .await
                .map_err(exec_err)?;
            for piece in data.chunks(COPY_MESSAGE) {
                copy.send(piece).await.map_err(exec_err)?;
            }
            copy.finish().await.map_err(exec_err)?;
            Ok(())
        }
        (BulkTxn::Orm(t), None) => {
            use sea_orm::ConnectionTrait;
            rows.finish_doc();
            let values: Vec<String> = (0..rows.columns.len())
                .map(|i| format!("json_extract(r.value, '$[{i}]')"))
                .collect();
            let sql = format!(
                "INSERT INTO {table} ({names}) SELECT {} FROM json_each(?) AS r",
                values.join(", ")
            );
            for doc in rows.docs {
                t.execute(sea_orm::Statement::from_sql_and_values(
                    t.get_database_backend(),
                    sql.clone(),
                    [sea_orm::Value::from(doc)],
                ))
                .await?;
            }
            Ok(())
        }
        _ => Err(sea_orm::DbErr::Custom(format!(
            "rows for {table} were prepared for another database"
        ))),
    }
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

/// A message of the send queue claimed by one sender.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ClaimedMessage {
    pub id: i64,
    pub person_id: i64,
    pub reminder_id: i64,
    /// Tries so far, this one included.
    pub attempts: i32,
    /// `sms` or `email`.
    pub channel: String,
}

/// Claims up to `limit` queued messages of `channel` (`sms`, `email`) whose time has come
/// (`next_at <= now`), oldest first:
/// each becomes `sending` until `lease_until` and counts one more try. Two senders never get
/// the same message: PostgreSQL skips the rows another transaction is claiming
/// (`FOR UPDATE SKIP LOCKED`), so several server processes claim side by side without
/// waiting; SQLite has one writer at a time, so the `UPDATE … RETURNING` is the claim. A
/// sender that dies leaves its messages `sending` until the lease runs out, when
/// `repo::reminders::release_expired` queues them again.
pub async fn claim_outbox<C: sea_orm::ConnectionTrait>(
    conn: &C,
    now: chrono::DateTime<chrono::Utc>,
    lease_until: chrono::DateTime<chrono::Utc>,
    channel: &str,
    limit: u64,
) -> Result<Vec<ClaimedMessage>, sea_orm::DbErr> {
    use sea_orm::FromQueryResult;
    let backend = conn.get_database_backend();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE outbox SET status = 'sending', lease_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_at <= $2 \
             AND channel = $3 ORDER BY next_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING id, person_id, reminder_id, attempts, channel"
        }
        _ => {
            "UPDATE outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_at <= ? \
             AND channel = ? ORDER BY next_at, id LIMIT ?) \
             RETURNING id, person_id, reminder_id, attempts, channel"
        }
    };
    let stmt = sea_orm::Statement::from_sql_and_values(
        backend,
        sql,
        [
            lease_until.into(),
            now.into(),
            channel.to_owned().into(),
            limit.into(),
        ],
    );
    ClaimedMessage::find_by_statement(stmt).all(conn).await
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

/// SQLite: writes a consistent copy of the database to a new file `path` from one read
/// snapshot (`VACUUM INTO`), while other connections keep reading and writing.
pub async fn vacuum_into(db: &Db, path: &std::path::Path) -> Result<(), sea_orm::DbErr> {
    use sea_orm::ConnectionTrait;
    db.read()
        .execute(sea_orm::Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "VACUUM INTO ?",
            [path.display().to_string().into()],
        ))
        .await?;
    Ok(())
}

/// SQLite: `PRAGMA quick_check` says "ok" (PostgreSQL: nothing to check).
pub async fn quick_check(db: &Db) -> Result<(), sea_orm::DbErr> {
    use sea_orm::ConnectionTrait;
    if db.backend != Backend::Sqlite {
        return Ok(());
    }
    let rows = db
        .read()
        .query_all(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA quick_check",
        ))
        .await?;
    let said: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()?;
    if said != ["ok"] {
        return Err(sea_orm::DbErr::Custom(format!(
            "the SQLite file is damaged: {}",
            said.join("; ")
        )));
    }
    Ok(())
}

/// One table as the database describes it: what [`crate::copy`] needs to move its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableShape {
    pub name: String,
    /// Columns in their order, each with its declared type as the backend names it
    /// (`bigint`, `timestamp_with_timezone_text`, … on SQLite; `int8`, `timestamptz`, … on
    /// PostgreSQL).
    pub columns: Vec<(String, String)>,
    pub primary_key: Vec<String>,
    /// Foreign keys: (column, the table it refers to).
    pub references: Vec<(String, String)>,
}

/// The application's tables (not the migration bookkeeping, not SQLite's own), by name.
pub async fn table_shapes<C: sea_orm::ConnectionTrait>(
    conn: &C,
) -> Result<Vec<TableShape>, sea_orm::DbErr> {
    use sea_orm::Statement;
    let backend = conn.get_database_backend();
    let text = |sql: &str| Statement::from_string(backend, sql.to_owned());
    let mut shapes: BTreeMap<String, TableShape> = BTreeMap::new();
    match backend {
        DbBackend::Postgres => {
            for row in conn
                .query_all(text(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                ))
                .await?
            {
                let name: String = row.try_get_by_index(0)?;
                shapes.insert(name.clone(), TableShape::named(name));
            }
            for row in conn
                .query_all(text(
                    "SELECT table_name::text, column_name::text, udt_name::text \
                     FROM information_schema.columns WHERE table_schema = current_schema() \
                     ORDER BY table_name, ordinal_position",
                ))
                .await?
            {
                let table: String = row.try_get_by_index(0)?;
                if let Some(shape) = shapes.get_mut(&table) {
                    shape
                        .columns
                        .push((row.try_get_by_index(1)?, row.try_get_by_index(2)?));
                }
            }
            for row in conn
                .query_all(text(
                    "SELECT k.table_name::text, k.column_name::text \
                     FROM information_schema.table_constraints c \
                     JOIN information_schema.key_column_usage k \
                       ON k.constraint_name = c.constraint_name \
                      AND k.table_schema = c.table_schema \
                     WHERE c.constraint_type = 'PRIMARY KEY' \
                       AND c.table_schema = current_schema() \
                     ORDER BY k.table_name, k.ordinal_position",
                ))
                .await?
            {
                let table: String = row.try_get_by_index(0)?;
                if let Some(shape) = shapes.get_mut(&table) {
                    shape.primary_key.push(row.try_get_by_index(1)?);
                }
            }
            for row in conn
                .query_all(text(
                    "SELECT c.conrelid::regclass::text, a.attname::text, \
                            c.confrelid::regclass::text \
                     FROM pg_constraint c \
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) \
                     WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace \
                     ORDER BY 1, 2",
                ))
                .await?
            {
                let table: String = row.try_get_by_index(0)?;
                if let Some(shape) = shapes.get_mut(&table) {
                    shape
                        .references
                        .push((row.try_get_by_index(1)?, row.try_get_by_index(2)?));
                }
            }
        }
        _ => {
            for row in conn
                .query_all(text(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                ))
                .await?
            {
                let name: String = row.try_get_by_index(0)?;
                shapes.insert(name.clone(), TableShape::named(name));
            }
            let names: Vec<String> = shapes.keys().cloned().collect();
            for name in names {
                let columns = conn
                    .query_all(Statement::from_sql_and_values(
                        backend,
                        "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid",
                        [name.clone().into()],
                    ))
                    .await?;
                let references = conn
                    .query_all(Statement::from_sql_and_values(
                        backend,
                        "SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?) \
                         ORDER BY \"from\"",
                        [name.clone().into()],
                    ))
                    .await?;
                let Some(shape) = shapes.get_mut(&name) else {
                    continue;
                };
                let mut key: Vec<(i64, String)> = Vec::new();
                for row in columns {
                    let column: String = row.try_get_by_index(0)?;
                    let declared: String = row.try_get_by_index(1)?;
                    let pk: i64 = row.try_get_by_index(2)?;
                    if pk > 0 {
                        key.push((pk, column.clone()));
                    }
                    shape.columns.push((column, declared.to_ascii_lowercase()));
                }
                key.sort();
                shape.primary_key = key.into_iter().map(|(_, c)| c).collect();
                for row in references {
                    shape
                        .references
                        .push((row.try_get_by_index(0)?, row.try_get_by_index(1)?));
                }
            }
        }
    }
    shapes.remove("seaql_migrations");
    Ok(shapes.into_values().collect())
}

impl TableShape {
    fn named(name: String) -> Self {
        TableShape {
            name,
            columns: Vec::new(),
            primary_key: Vec::new(),
            references: Vec::new(),
        }
    }
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
