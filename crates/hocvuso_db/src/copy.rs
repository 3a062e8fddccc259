//! Moving a whole database to another one, on either backend: `hocvuso db copy` (a province
//! moving from SQLite to PostgreSQL, or back), `hocvuso backup` from PostgreSQL and
//! `hocvuso restore` (a backup is a SQLite file).
//!
//! The source is read in ONE snapshot (a read transaction; on PostgreSQL `REPEATABLE READ`),
//! so a copy taken while servers write is consistent. The target is written in ONE
//! transaction: it holds every row or none. The target must be empty (fresh, or only
//! migrated); the source must be at this program's schema version. Rows keep their ids; the
//! target's id sequences are moved past them. Every value is read and bound as its column's
//! type, so each backend stores it exactly as the application itself would.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::TryStreamExt;
use sea_orm::sea_query::{Alias, Expr, Order, Query};
use sea_orm::{
    AccessMode, ConnectionTrait, DbBackend, DbErr, IsolationLevel, QueryResult, StreamTrait,
    TransactionTrait, Value,
};
use sea_orm_migration::MigratorTrait;

use crate::dialect::{table_shapes, TableShape};
use crate::Db;

/// Why a copy was refused or failed (nothing was written to the target).
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error(
        "the source's schema is not this program's ({missing} migrations missing, {unknown} unknown): \
         run `hocvuso migrate` on it with this version first"
    )]
    SourceVersion { missing: usize, unknown: usize },
    #[error("the target is not empty: table {table} has rows (copy only into a new database)")]
    TargetNotEmpty { table: String },
    #[error("the source and the target have different tables or columns ({0})")]
    Shape(String),
    #[error("{0} exists already (a backup never overwrites a file)")]
    Exists(String),
    #[error("there is no database at {0}")]
    Missing(String),
    #[error("cannot write {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("column {table}.{column} has a type this copy does not know: {declared}")]
    UnknownType {
        table: String,
        column: String,
        declared: String,
    },
}

/// What a copy moved.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: usize,
    pub rows: u64,
}

/// How a column's values are read and bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    I32,
    I64,
    Bool,
    Text,
    Bytes,
    Date,
    Time,
}

fn kind_of(declared: &str) -> Option<Kind> {
    let t = declared.to_ascii_lowercase();
    Some(match t.as_str() {
        "int4" => Kind::I32,
        "int8" | "integer" | "bigint" => Kind::I64,
        "bool" | "boolean" => Kind::Bool,
        "text" | "varchar" => Kind::Text,
        _ if t.starts_with("varchar(") || t.starts_with("character varying") => Kind::Text,
        "bytea" | "blob" => Kind::Bytes,
        "date" | "date_text" => Kind::Date,
        "timestamptz" | "timestamp_with_timezone_text" => Kind::Time,
        _ => return None,
    })
}

fn read_value(row: &QueryResult, i: usize, kind: Kind) -> Result<Value, DbErr> {
    Ok(match kind {
        Kind::I32 => row.try_get_by_index::<Option<i32>>(i)?.into(),
        Kind::I64 => row.try_get_by_index::<Option<i64>>(i)?.into(),
        Kind::Bool => row.try_get_by_index::<Option<bool>>(i)?.into(),
        Kind::Text => row.try_get_by_index::<Option<String>>(i)?.into(),
        Kind::Bytes => row.try_get_by_index::<Option<Vec<u8>>>(i)?.into(),
        Kind::Date => row.try_get_by_index::<Option<chrono::NaiveDate>>(i)?.into(),
        Kind::Time => row
            .try_get_by_index::<Option<chrono::DateTime<chrono::Utc>>>(i)?
            .into(),
    })
}

/// Writes a consistent copy of `source`, taken while servers run, to a new SQLite file
/// `file` (a backup of either backend is a SQLite file, which `hocvuso restore` or
/// `hocvuso db copy` loads into either). SQLite: `VACUUM INTO` from one read snapshot;
/// PostgreSQL: [`copy_database`] into the file. The copy is written beside `file` under a
/// temporary name and renamed at the end, so `file` is never a half-written backup; then it
/// is opened and checked (schema version, and SQLite's `quick_check`).
pub async fn backup(
    source: &Db,
    file: &std::path::Path,
    progress: &mut (dyn FnMut(&str, u64) + Send),
) -> Result<CopyReport, CopyError> {
    if file.exists() {
        return Err(CopyError::Exists(file.display().to_string()));
    }
    let partial = std::path::PathBuf::from(format!("{}.partial", file.display()));
    let file_error = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| CopyError::File { path, source }
    };
    for leftover in sqlite_files(&partial) {
        match std::fs::remove_file(&leftover) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(file_error(&leftover)(e))
            }
            _ => {}
        }
    }
    let url = |path: &std::path::Path| format!("sqlite://{}", path.display());
    match source.backend() {
        crate::Backend::Sqlite => {
            crate::dialect::vacuum_into(source, &partial).await?;
        }
        crate::Backend::Postgres => {
            let into = Db::connect(&url(&partial), crate::dialect::PoolSizes { readers: 1 })
                .await
                .map_err(|e| CopyError::Db(DbErr::Custom(e.to_string())))?;
            let copied = copy_database(source, &into, progress).await;
            into.close().await;
            copied?;
        }
    }
    let check = Db::connect(&url(&partial), crate::dialect::PoolSizes { readers: 1 })
        .await
        .map_err(|e| CopyError::Db(DbErr::Custom(e.to_string())))?;
    let checked = check_backup(&check).await;
    check.close().await;
    let report = checked?;
    // The copy's own journal files are gone once it is closed; only the file is renamed.
    std::fs::rename(&partial, file).map_err(file_error(file))?;
    for leftover in sqlite_files(&partial) {
        let _ = std::fs::remove_file(leftover);
    }
    Ok(report)
}

/// Loads a backup (a SQLite file made by [`backup`]) into `target`, which must be empty:
/// [`copy_database`] from the file.
pub async fn restore(
    file: &std::path::Path,
    target: &Db,
    progress: &mut (dyn FnMut(&str, u64) + Send),
) -> Result<CopyReport, CopyError> {
    if !file.is_file() {
        return Err(CopyError::Missing(file.display().to_string()));
    }
    let source = Db::connect(
        &format!("sqlite://{}", file.display()),
        crate::dialect::PoolSizes { readers: 1 },
    )
    .await
    .map_err(|e| CopyError::Db(DbErr::Custom(e.to_string())))?;
    let copied = copy_database(&source, target, progress).await;
    source.close().await;
    copied
}

/// A SQLite database's file and its journal files.
fn sqlite_files(path: &std::path::Path) -> [std::path::PathBuf; 3] {
    ["", "-wal", "-shm"].map(|s| std::path::PathBuf::from(format!("{}{s}", path.display())))
}

/// A backup opens, has this program's schema and passes SQLite's `quick_check`; its tables
/// and rows, counted.
async fn check_backup(db: &Db) -> Result<CopyReport, CopyError> {
    check_version(db.read()).await?;
    crate::dialect::quick_check(db).await?;
    let backend = db.read().get_database_backend();
    let mut report = CopyReport::default();
    for shape in table_shapes(db.read()).await? {
        let stmt = Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from(Alias::new(&shape.name))
            .to_owned();
        let rows = match db.read().query_one(backend.build(&stmt)).await? {
            Some(row) => row.try_get_by_index::<i64>(0)?,
            None => 0,
        };
        report.tables += 1;
        report.rows += u64::try_from(rows).unwrap_or(0);
    }
    Ok(report)
}

/// Parameters per INSERT statement (SQLite allows 32,766, PostgreSQL 65,535).
const PARAMS_PER_STATEMENT: usize = 8_000;

/// Copies every row of `source` into `target`, which is migrated first and must be empty.
/// `progress` hears each table's name and row count as it is done.
pub async fn copy_database(
    source: &Db,
    target: &Db,
    progress: &mut (dyn FnMut(&str, u64) + Send),
) -> Result<CopyReport, CopyError> {
    check_version(source.read()).await?;
    // A server starting on the target waits until the copy is in (or refused).
    let lock = target
        .startup_lock()
        .await
        .map_err(|e| CopyError::Db(DbErr::Custom(e.to_string())))?;
    let result = copy_locked(source, target, progress).await;
    lock.release().await;
    result
}

async fn copy_locked(
    source: &Db,
    target: &Db,
    progress: &mut (dyn FnMut(&str, u64) + Send),
) -> Result<CopyReport, CopyError> {
    // Refused before anything is written, even the schema.
    let target_backend = target.write().get_database_backend();
    for shape in table_shapes(target.write()).await? {
        if has_rows(target.write(), target_backend, &shape.name).await? {
            return Err(CopyError::TargetNotEmpty { table: shape.name });
        }
    }
    crate::migrate(target).await?;
    let shapes = table_shapes(target.write()).await?;
    let source_shapes: BTreeMap<String, TableShape> = table_shapes(source.read())
        .await?
        .into_iter()
        .map(|s| (s.name.clone(), s))
        .collect();
    if source_shapes.len() != shapes.len() {
        return Err(CopyError::Shape(format!(
            "{} tables in the source, {} in the target",
            source_shapes.len(),
            shapes.len()
        )));
    }
    let ordered = parents_first(&shapes)?;

    let source_txn = match source.backend() {
        crate::Backend::Postgres => {
            source
                .read()
                .begin_with_config(
                    Some(IsolationLevel::RepeatableRead),
                    Some(AccessMode::ReadOnly),
                )
                .await?
        }
        crate::Backend::Sqlite => source.read().begin().await?,
    };
    let target_txn = target.write().begin().await?;
    let mut report = CopyReport::default();
    for shape in ordered {
        let from = source_shapes
            .get(&shape.name)
            .ok_or_else(|| CopyError::Shape(format!("no table {} in the source", shape.name)))?;
        let rows = copy_table(&source_txn, &target_txn, from, shape).await?;
        progress(&shape.name, rows);
        report.tables += 1;
        report.rows += rows;
    }
    for shape in &shapes {
        if shape.primary_key == ["id"] {
            crate::dialect::sync_id_sequence(&target_txn, &shape.name).await?;
        }
    }
    target_txn.commit().await?;
    source_txn.rollback().await?;
    let names: Vec<&str> = shapes.iter().map(|s| s.name.as_str()).collect();
    crate::dialect::refresh_statistics(target.write(), &names).await?;
    Ok(report)
}

/// The migrations the source has applied must be exactly this program's.
async fn check_version<C: ConnectionTrait>(conn: &C) -> Result<(), CopyError> {
    let backend = conn.get_database_backend();
    let stmt = Query::select()
        .column(Alias::new("version"))
        .from(Alias::new("seaql_migrations"))
        .to_owned();
    let applied: BTreeSet<String> = conn
        .query_all(backend.build(&stmt))
        .await?
        .iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()?;
    let ours: BTreeSet<String> = crate::migration::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let missing = ours.difference(&applied).count();
    let unknown = applied.difference(&ours).count();
    if missing > 0 || unknown > 0 {
        return Err(CopyError::SourceVersion { missing, unknown });
    }
    Ok(())
}

async fn has_rows<C: ConnectionTrait>(
    conn: &C,
    backend: DbBackend,
    table: &str,
) -> Result<bool, DbErr> {
    let stmt = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new(table))
        .limit(1)
        .to_owned();
    Ok(conn.query_one(backend.build(&stmt)).await?.is_some())
}

/// Tables in an order where every table comes after the tables it refers to.
fn parents_first(shapes: &[TableShape]) -> Result<Vec<&TableShape>, CopyError> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut ordered = Vec::with_capacity(shapes.len());
    while ordered.len() < shapes.len() {
        let before = ordered.len();
        for shape in shapes {
            if done.contains(shape.name.as_str()) {
                continue;
            }
            let ready = shape
                .references
                .iter()
                .all(|(_, t)| t == &shape.name || done.contains(t.as_str()));
            if ready {
                done.insert(&shape.name);
                ordered.push(shape);
            }
        }
        if ordered.len() == before {
            return Err(CopyError::Shape(
                "the tables refer to each other in a circle".to_owned(),
            ));
        }
    }
    Ok(ordered)
}

/// Copies one table's rows, in primary-key order (rows that refer to rows of the same table
/// after the rows they refer to). Returns how many.
async fn copy_table<S, T>(
    source: &S,
    target: &T,
    from: &TableShape,
    to: &TableShape,
) -> Result<u64, CopyError>
where
    S: ConnectionTrait + StreamTrait,
    T: ConnectionTrait,
{
    let target_columns: BTreeSet<&str> = to.columns.iter().map(|(c, _)| c.as_str()).collect();
    let source_columns: BTreeSet<&str> = from.columns.iter().map(|(c, _)| c.as_str()).collect();
    if target_columns != source_columns {
        return Err(CopyError::Shape(format!(
            "the columns of table {}",
            to.name
        )));
    }
    let mut columns = Vec::with_capacity(from.columns.len());
    for (name, declared) in &from.columns {
        let kind = kind_of(declared).ok_or_else(|| CopyError::UnknownType {
            table: from.name.clone(),
            column: name.clone(),
            declared: declared.clone(),
        })?;
        columns.push((name.as_str(), kind));
    }
    let mut select = Query::select();
    select.from(Alias::new(&from.name));
    for (name, _) in &columns {
        select.column(Alias::new(*name));
    }
    for key in &from.primary_key {
        select.order_by(Alias::new(key), Order::Asc);
    }
    let select = source.get_database_backend().build(&select);
    let self_refs: Vec<usize> = to
        .references
        .iter()
        .filter(|(_, t)| t == &to.name)
        .filter_map(|(c, _)| columns.iter().position(|(name, _)| name == c))
        .collect();
    let per_statement = (PARAMS_PER_STATEMENT / columns.len().max(1)).max(1);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_statement);
    let mut count = 0u64;
    if self_refs.is_empty() {
        let mut stream = Box::pin(source.stream(select).await?);
        while let Some(row) = stream.try_next().await? {
            batch.push(read_row(&row, &columns)?);
            count += 1;
            if batch.len() == per_statement {
                insert(target, &to.name, &columns, std::mem::take(&mut batch)).await?;
            }
        }
    } else {
        let id_at = columns
            .iter()
            .position(|(name, _)| *name == "id")
            .ok_or_else(|| {
                CopyError::Shape(format!("table {} refers to itself without an id", to.name))
            })?;
        let mut rows = Vec::new();
        for row in source.query_all(select).await? {
            rows.push(read_row(&row, &columns)?);
        }
        for row in referred_first(rows, id_at, &self_refs, &to.name)? {
            batch.push(row);
            count += 1;
            if batch.len() == per_statement {
                insert(target, &to.name, &columns, std::mem::take(&mut batch)).await?;
            }
        }
    }
    if !batch.is_empty() {
        insert(target, &to.name, &columns, batch).await?;
    }
    Ok(count)
}

fn read_row(row: &QueryResult, columns: &[(&str, Kind)]) -> Result<Vec<Value>, DbErr> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| read_value(row, i, *kind))
        .collect()
}

/// Rows of a table that refers to itself (a unit and its parent), each after the rows its
/// references name.
fn referred_first(
    rows: Vec<Vec<Value>>,
    id_at: usize,
    refs: &[usize],
    table: &str,
) -> Result<Vec<Vec<Value>>, CopyError> {
    let id = |v: &Value| match v {
        Value::BigInt(Some(n)) => Some(*n),
        Value::Int(Some(n)) => Some(i64::from(*n)),
        _ => None,
    };
    let mut placed: BTreeSet<i64> = BTreeSet::new();
    let mut waiting = rows;
    let mut out = Vec::with_capacity(waiting.len());
    while !waiting.is_empty() {
        let before = waiting.len();
        let mut still = Vec::new();
        for row in waiting {
            let ready = refs
                .iter()
                .all(|&i| id(&row[i]).is_none_or(|r| placed.contains(&r)));
            if ready {
                if let Some(n) = id(&row[id_at]) {
                    placed.insert(n);
                }
                out.push(row);
            } else {
                still.push(row);
            }
        }
        if still.len() == before {
            return Err(CopyError::Shape(format!(
                "rows of table {table} refer to rows that are missing or to each other in a circle"
            )));
        }
        waiting = still;
    }
    Ok(out)
}

async fn insert<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    columns: &[(&str, Kind)],
    rows: Vec<Vec<Value>>,
) -> Result<(), CopyError> {
    let mut stmt = Query::insert();
    stmt.into_table(Alias::new(table))
        .columns(columns.iter().map(|(c, _)| Alias::new(*c)));
    for row in rows {
        let values: Vec<sea_orm::sea_query::SimpleExpr> =
            row.into_iter().map(|v| v.into()).collect();
        stmt.values(values)
            .map_err(|e| CopyError::Db(DbErr::Custom(e.to_string())))?;
    }
    conn.execute(conn.get_database_backend().build(&stmt))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_every_declared_type_of_the_schema() {
        for t in [
            "int4",
            "int8",
            "integer",
            "bigint",
            "bool",
            "boolean",
            "text",
            "varchar",
            "bytea",
            "blob",
            "date",
            "date_text",
            "timestamptz",
            "timestamp_with_timezone_text",
        ] {
            assert!(kind_of(t).is_some(), "{t}");
        }
        assert_eq!(kind_of("numeric"), None);
    }

    #[test]
    fn places_parents_before_children() {
        let row = |id: i64, parent: Option<i64>| vec![Value::BigInt(Some(id)), parent.into()];
        let rows = vec![row(1, Some(3)), row(2, None), row(3, Some(2))];
        let out = referred_first(rows, 0, &[1], "org_unit").unwrap_or_default();
        let ids: Vec<_> = out
            .iter()
            .map(|r| match r[0] {
                Value::BigInt(Some(n)) => n,
                _ => 0,
            })
            .collect();
        assert_eq!(ids, [2, 3, 1]);
        let circle = vec![row(1, Some(2)), row(2, Some(1))];
        assert!(referred_first(circle, 0, &[1], "org_unit").is_err());
    }
}
