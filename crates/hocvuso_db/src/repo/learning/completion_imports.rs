//! Imports of results from the national platform, as recorded.

use super::*;

pub use crate::entity::completion_import::Model as CompletionImport;

/// One applied import of results, as recorded.
pub struct NewCompletionImport<'a> {
    pub actor_id: Option<i64>,
    pub course_id: i64,
    pub source: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub rows: i64,
    pub added: i64,
    pub unchanged: i64,
    pub skipped: i64,
}

/// Records an import of results; returns its id (completions name it).
pub async fn insert_completion_import<C: ConnectionTrait>(
    conn: &C,
    i: NewCompletionImport<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    use crate::entity::completion_import;
    Ok(
        completion_import::Entity::insert(completion_import::ActiveModel {
            actor_id: Set(i.actor_id),
            course_id: Set(i.course_id),
            source: Set(i.source.to_owned()),
            file_name: Set(i.file_name.to_owned()),
            sha256: Set(i.sha256.to_owned()),
            rows: Set(i.rows),
            added: Set(i.added),
            unchanged: Set(i.unchanged),
            skipped: Set(i.skipped),
            at: Set(now),
            ..Default::default()
        })
        .exec_with_returning(conn)
        .await?
        .id,
    )
}

/// Sets the number of completions an import added (known only once they are written).
pub async fn set_completion_import_counts<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    added: i64,
    unchanged: i64,
) -> Result<(), DbErr> {
    use crate::entity::completion_import;
    completion_import::Entity::update_many()
        .col_expr(completion_import::Column::Added, Expr::value(added))
        .col_expr(completion_import::Column::Unchanged, Expr::value(unchanged))
        .filter(completion_import::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The latest imports of results, newest first.
pub async fn recent_completion_imports<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<CompletionImport>, DbErr> {
    use crate::entity::completion_import;
    use sea_orm::QuerySelect;
    completion_import::Entity::find()
        .order_by_desc(completion_import::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}
