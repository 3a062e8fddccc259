//! Table `lesson`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lesson")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub course_id: i64,
    pub position: i32,
    pub title: String,
    pub body_md: String,
    pub minutes: i32,
    /// Competence codes (Thông tư 02/2025/TT-BGDĐT), space-separated.
    pub competences: String,
    /// Set when a newer version of the course no longer has it (the row stays: progress and
    /// attempts point at it).
    pub retired_at: Option<DateTimeUtc>,
    /// The module (part of the course) the lesson belongs to; consecutive lessons with the
    /// same title form one module (empty: none).
    pub module: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
