//! The ONLY place that knows whether we run on SQLite or PostgreSQL.
//!
//! * SQLite: WAL journal, `synchronous=FULL` (an acknowledged learner record survives a power
//!   loss, not only a process crash), `foreign_keys=ON`, `busy_timeout`, and exactly one writer
//!   connection so that write transactions queue in the process instead of failing with
//!   `SQLITE_BUSY`. Readers use a separate pool.
//! * PostgreSQL: one pool serves reads and writes.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::{DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector};
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
        .collation(sql::SQLITE_VI, hocvuso_domain::text::vietnamese_cmp);
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

fn exec_err(e: sqlx::Error) -> sea_orm::DbErr {
    sea_orm::DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e))
}

fn query_err(e: sqlx::Error) -> sea_orm::DbErr {
    sea_orm::DbErr::Query(sea_orm::RuntimeErr::SqlxError(e))
}

fn conn_err(e: sqlx::Error) -> sea_orm::DbErr {
    sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e))
}

mod bulk;
mod operations;
mod queue;
mod sql;

pub use bulk::*;
pub use operations::*;
pub use queue::*;
pub use sql::*;

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
