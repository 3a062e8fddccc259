//! Table `question`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub course_id: i64,
    pub position: i32,
    pub prompt: String,
    pub explanation: String,
    /// Competence codes (Thông tư 02/2025/TT-BGDĐT), space-separated.
    pub competences: String,
    /// `single` or `multiple` (see [`super::super::repo::learning::KIND_MULTIPLE`]).
    pub kind: String,
    /// Set when a newer version of the course no longer has it (the row stays: progress and
    /// attempts point at it).
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
