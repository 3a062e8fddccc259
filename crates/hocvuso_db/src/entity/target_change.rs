//! Table `target_change`: the history of the targets (who, when, old and new percent).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "target_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub year: i32,
    pub group_code: String,
    pub indicator_code: String,
    pub old_percent: Option<i32>,
    /// `None`: the target was removed.
    pub new_percent: Option<i32>,
    pub changed_by: Option<i64>,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
