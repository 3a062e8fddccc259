//! The database's own upkeep: statistics after bulk loads, id sequences after explicit ids,
//! online backups (`VACUUM INTO`), integrity checks and the tables' shapes compared between
//! backends (`hocvuso db copy`).

use std::collections::BTreeMap;

use sea_orm::DbBackend;

use super::*;

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
