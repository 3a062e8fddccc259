//! Table `requirement_change`: the history of the courses each group requires (who, when,
//! why, before and after, and what the recount changed).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "requirement_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub group_code: String,
    /// Course slugs, comma-separated.
    pub courses_before: String,
    pub courses_after: String,
    pub reason: String,
    /// Achievements the new rule recorded, took back and dated later.
    pub gained: i64,
    pub lost: i64,
    pub redated: i64,
    pub changed_by: Option<i64>,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
