//! Loading many rows at once: ids reserved ahead, the bulk transaction (PostgreSQL `COPY` or
//! JSON-array inserts, SQLite multi-row inserts) and lists of values passed as one parameter.

use sea_orm::DbBackend;

use super::*;

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
