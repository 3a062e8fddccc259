//! What the people of a part of the org tree have read and how many they are.
//!
//! Both queries pick the memberships by `unit_id IN (the units under the path)`, so that the
//! database starts from the membership index of those few units and looks each person's
//! lessons up by key. Joined to `org_unit` instead, SQLite (planning without statistics) began
//! from every lesson read in the province: 7–27 s for a commune of the 4 M dataset, now well
//! under a second.

use super::*;

/// For each competence code of `builds` (`(lesson id, competence code)` pairs: which lessons
/// build which competence), how many distinct people who belong to a unit under `path` (the
/// unit and everything below it) read at least one lesson that builds it. Counted in the
/// database (`COUNT(DISTINCT …)` grouped by code): the province's millions of lesson reads
/// never come into the server's memory. Codes nobody reached are absent.
pub async fn competence_reach_under<C: ConnectionTrait>(
    conn: &C,
    path: &str,
    builds: &[(i64, String)],
) -> Result<Vec<(String, i64)>, DbErr> {
    use sea_orm::sea_query::{Alias, Func, JoinType, Query};
    use sea_orm::FromQueryResult;
    #[derive(FromQueryResult)]
    struct Row {
        code: String,
        n: i64,
    }
    if builds.is_empty() {
        return Ok(Vec::new());
    }
    let (m, lp, b, bb) = (
        Alias::new("m"),
        Alias::new("lp"),
        Alias::new("b"),
        Alias::new("bb"),
    );
    let c = |t: &Alias, n: &'static str| Expr::col((t.clone(), Alias::new(n)));
    // `(SELECT * FROM (VALUES (lesson, code), …) AS b) AS bb`: SQLite and PostgreSQL both
    // name the columns `column1`, `column2`.
    let mut pairs = Query::select();
    pairs.expr(Expr::cust("*")).from_values(
        builds.iter().map(|(lesson, code)| (*lesson, code.clone())),
        b.clone(),
    );
    let mut q = Query::select();
    q.expr_as(c(&bb, "column2"), Alias::new("code"))
        .expr_as(Func::count_distinct(c(&lp, "person_id")), Alias::new("n"))
        .from_as(Alias::new("membership"), m.clone())
        .join_as(
            JoinType::InnerJoin,
            Alias::new("lesson_progress"),
            lp.clone(),
            c(&lp, "person_id").equals((m.clone(), Alias::new("person_id"))),
        )
        .join_subquery(
            JoinType::InnerJoin,
            pairs,
            bb.clone(),
            c(&bb, "column1").equals((lp.clone(), Alias::new("lesson_id"))),
        )
        .and_where(crate::repo::org::of_units_under(&m, "unit_id", path))
        .group_by_col((bb.clone(), Alias::new("column2")));
    let stmt = conn.get_database_backend().build(&q);
    Ok(Row::find_by_statement(stmt)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.code, r.n))
        .collect())
}

/// How many people belong to a unit under `path` (the unit and everything below it).
pub async fn people_under<C: ConnectionTrait>(conn: &C, path: &str) -> Result<i64, DbErr> {
    use sea_orm::sea_query::{Alias, Func, Query};
    use sea_orm::FromQueryResult;
    #[derive(FromQueryResult)]
    struct Row {
        n: i64,
    }
    let m = Alias::new("m");
    let mut q = Query::select();
    q.expr_as(
        Func::count_distinct(Expr::col((m.clone(), Alias::new("person_id")))),
        Alias::new("n"),
    )
    .from_as(Alias::new("membership"), m.clone())
    .and_where(crate::repo::org::of_units_under(&m, "unit_id", path));
    let stmt = conn.get_database_backend().build(&q);
    Ok(Row::find_by_statement(stmt)
        .one(conn)
        .await?
        .map_or(0, |r| r.n))
}
