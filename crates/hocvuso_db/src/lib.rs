//! Database access for hocvuso: one schema, one migration source and one data-access path for
//! SQLite and PostgreSQL. Everything that differs between the two lives in [`dialect`].

pub mod copy;
pub mod dialect;
pub mod entity;
pub mod migration;
pub mod repo;

pub use dialect::{Backend, Db};
pub use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait,
};

/// A portable SQL statement without parameters, for tests that set up rare states by hand.
pub fn sea_query_statement(backend: sea_orm::DatabaseBackend, sql: &str) -> sea_orm::Statement {
    sea_orm::Statement::from_string(backend, sql.to_owned())
}

/// Errors from the data layer that callers act on.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("unsupported DATABASE_URL (use sqlite://… or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("cannot prepare the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
}

/// Applies every pending migration (the one migration source serves both backends).
pub async fn migrate(db: &Db) -> Result<(), DbErr> {
    use sea_orm_migration::MigratorTrait;
    migration::Migrator::up(db.write(), None).await
}

/// Answers whether the database can be reached (for `/healthz`).
pub async fn ping(db: &Db) -> Result<(), DbErr> {
    db.read().ping().await
}

/// Answers whether both the read and the write connections answer (for `/readyz`: on SQLite
/// the one writer connection is busy while a long transaction holds it).
pub async fn ping_both(db: &Db) -> Result<(), DbErr> {
    db.read().ping().await?;
    db.write().ping().await
}
