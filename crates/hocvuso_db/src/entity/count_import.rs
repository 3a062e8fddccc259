//! Table `count_import`: one import of counts from outside (indicator, group, date, source).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "count_import")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub indicator_code: String,
    pub group_code: String,
    /// The date the counts are for (as the source states it).
    pub as_of: Date,
    pub source: String,
    pub imported_by: Option<i64>,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
