//! Counts imported from outside (e.g. VNeID confirmations per commune from the police): one
//! import per indicator, group and date; a new import for the same date replaces the rows.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{count_import, count_import_row};

pub use count_import::Model as CountImport;
pub use count_import_row::Model as CountImportRow;

/// Every import of an indicator and group, oldest date first.
pub async fn imports_of<C: ConnectionTrait>(
    conn: &C,
    indicator_code: &str,
    group_code: &str,
) -> Result<Vec<CountImport>, DbErr> {
    count_import::Entity::find()
        .filter(count_import::Column::IndicatorCode.eq(indicator_code))
        .filter(count_import::Column::GroupCode.eq(group_code))
        .order_by_asc(count_import::Column::AsOf)
        .all(conn)
        .await
}

/// The groups that have at least one import of an indicator.
pub async fn groups_of<C: ConnectionTrait>(
    conn: &C,
    indicator_code: &str,
) -> Result<Vec<String>, DbErr> {
    use sea_orm::QuerySelect;
    count_import::Entity::find()
        .select_only()
        .column(count_import::Column::GroupCode)
        .distinct()
        .filter(count_import::Column::IndicatorCode.eq(indicator_code))
        .into_tuple::<String>()
        .all(conn)
        .await
}

/// The rows of these imports.
pub async fn rows_of<C: ConnectionTrait>(
    conn: &C,
    import_ids: &[i64],
) -> Result<Vec<CountImportRow>, DbErr> {
    if import_ids.is_empty() {
        return Ok(Vec::new());
    }
    count_import_row::Entity::find()
        .filter(count_import_row::Column::ImportId.is_in(import_ids.iter().copied()))
        .all(conn)
        .await
}

/// Stores an import: a new one, or — when one exists for the same indicator, group and date —
/// replaces its rows, source and who/when. Call in a transaction. Returns the import's id.
#[expect(clippy::too_many_arguments, reason = "one import, field by field")]
pub async fn replace_import<C: ConnectionTrait>(
    conn: &C,
    indicator_code: &str,
    group_code: &str,
    as_of: NaiveDate,
    source: &str,
    imported_by: Option<i64>,
    rows: &[(i64, i64)],
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let existing = count_import::Entity::find()
        .filter(count_import::Column::IndicatorCode.eq(indicator_code))
        .filter(count_import::Column::GroupCode.eq(group_code))
        .filter(count_import::Column::AsOf.eq(as_of))
        .one(conn)
        .await?;
    let id = match existing {
        Some(e) => {
            count_import_row::Entity::delete_many()
                .filter(count_import_row::Column::ImportId.eq(e.id))
                .exec(conn)
                .await?;
            count_import::Entity::update_many()
                .col_expr(count_import::Column::Source, Expr::value(source))
                .col_expr(count_import::Column::ImportedBy, Expr::value(imported_by))
                .col_expr(count_import::Column::ImportedAt, Expr::value(now))
                .filter(count_import::Column::Id.eq(e.id))
                .exec(conn)
                .await?;
            e.id
        }
        None => {
            count_import::Entity::insert(count_import::ActiveModel {
                indicator_code: Set(indicator_code.to_owned()),
                group_code: Set(group_code.to_owned()),
                as_of: Set(as_of),
                source: Set(source.to_owned()),
                imported_by: Set(imported_by),
                imported_at: Set(now),
                ..Default::default()
            })
            .exec_with_returning(conn)
            .await?
            .id
        }
    };
    for chunk in rows.chunks(500) {
        count_import_row::Entity::insert_many(chunk.iter().map(|(unit_id, people)| {
            count_import_row::ActiveModel {
                import_id: Set(id),
                unit_id: Set(*unit_id),
                people: Set(*people),
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(id)
}
