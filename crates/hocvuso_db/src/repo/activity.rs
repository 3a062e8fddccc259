//! What was done under a part of the org tree in a span of time, for the periodic reports:
//! class sessions held (by classes its units organised) and the people present, contest
//! entries sent by people entering for its units, and the help its community teams logged.
//! Each query picks the units by `unit_id IN (the units under the path)`, as `learning::reach`
//! does, so that the database starts from those units' rows.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::repo::org::of_units_under;

fn c(t: &Alias, n: &'static str) -> Expr {
    Expr::col((t.clone(), Alias::new(n)))
}

#[derive(FromQueryResult)]
struct Pair {
    a: i64,
    b: i64,
}

async fn pair<C: ConnectionTrait>(conn: &C, q: &SelectStatement) -> Result<(i64, i64), DbErr> {
    let stmt = conn.get_database_backend().build(q);
    Ok(Pair::find_by_statement(stmt)
        .one(conn)
        .await?
        .map_or((0, 0), |r| (r.a, r.b)))
}

/// Keeps the sessions `s` starting in `[from, to)` of classes organised by a unit under `path`.
fn sessions_of(
    q: &mut SelectStatement,
    s: &Alias,
    path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) {
    let k = Alias::new("k");
    q.join_as(
        JoinType::InnerJoin,
        Alias::new("training_class"),
        k.clone(),
        c(&k, "id").equals((s.clone(), Alias::new("class_id"))),
    )
    .and_where(of_units_under(&k, "unit_id", path))
    .and_where(c(s, "starts_at").gte(from))
    .and_where(c(s, "starts_at").lt(to));
}

/// The classes that held a session starting in `[from, to)` and how many sessions: classes
/// organised by a unit under `path`.
pub async fn class_sessions<C: ConnectionTrait>(
    conn: &C,
    path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(i64, i64), DbErr> {
    let s = Alias::new("s");
    let mut q = Query::select();
    q.expr_as(Func::count_distinct(c(&s, "class_id")), Alias::new("a"))
        .expr_as(Func::count(c(&s, "id")), Alias::new("b"))
        .from_as(Alias::new("training_session"), s.clone());
    sessions_of(&mut q, &s, path, from, to);
    pair(conn, &q).await
}

/// The people present at least once at those sessions, and the attendances.
pub async fn class_attendance<C: ConnectionTrait>(
    conn: &C,
    path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(i64, i64), DbErr> {
    let (a, s) = (Alias::new("a"), Alias::new("s"));
    let mut q = Query::select();
    q.expr_as(Func::count_distinct(c(&a, "person_id")), Alias::new("a"))
        .expr_as(Func::count(c(&a, "id")), Alias::new("b"))
        .from_as(Alias::new("training_attendance"), a.clone())
        .join_as(
            JoinType::InnerJoin,
            Alias::new("training_session"),
            s.clone(),
            c(&s, "id").equals((a.clone(), Alias::new("session_id"))),
        );
    sessions_of(&mut q, &s, path, from, to);
    pair(conn, &q).await
}

/// Contest entries sent in `[from, to)` by people entering for a unit under `path`, and how
/// many people sent them.
pub async fn contest_entries<C: ConnectionTrait>(
    conn: &C,
    path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(i64, i64), DbErr> {
    let (e, r, t) = (Alias::new("e"), Alias::new("r"), Alias::new("t"));
    let mut q = Query::select();
    q.expr_as(Func::count(c(&e, "id")), Alias::new("a"))
        .expr_as(Func::count_distinct(c(&e, "person_id")), Alias::new("b"))
        .from_as(Alias::new("contest_entrant"), t.clone())
        .join_as(
            JoinType::InnerJoin,
            Alias::new("contest_round"),
            r.clone(),
            c(&r, "contest_id").equals((t.clone(), Alias::new("contest_id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            Alias::new("contest_entry"),
            e.clone(),
            c(&e, "round_id")
                .equals((r.clone(), Alias::new("id")))
                .and(c(&e, "person_id").equals((t.clone(), Alias::new("person_id")))),
        )
        .and_where(of_units_under(&t, "unit_id", path))
        .and_where(c(&e, "submitted_at").gte(from))
        .and_where(c(&e, "submitted_at").lt(to));
    pair(conn, &q).await
}

/// Help logged by the community teams of units under `path` on the days `first..=last`, and
/// how many people were helped (those named).
pub async fn support_given<C: ConnectionTrait>(
    conn: &C,
    path: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<(i64, i64), DbErr> {
    let l = Alias::new("l");
    let mut q = Query::select();
    q.expr_as(Func::count(c(&l, "id")), Alias::new("a"))
        .expr_as(Func::count_distinct(c(&l, "person_id")), Alias::new("b"))
        .from_as(Alias::new("support_log"), l.clone())
        .and_where(of_units_under(&l, "unit_id", path))
        .and_where(c(&l, "day").gte(first.format("%Y-%m-%d").to_string()))
        .and_where(c(&l, "day").lte(last.format("%Y-%m-%d").to_string()));
    pair(conn, &q).await
}
