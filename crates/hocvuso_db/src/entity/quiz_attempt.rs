//! Table `quiz_attempt`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_attempt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub course_id: i64,
    pub started_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
    pub question_count: i32,
    pub correct_count: Option<i32>,
    pub passed: Option<bool>,
    /// The question ids given, in order, comma-separated (empty for attempts started before
    /// this column existed: their `attempt_question` rows hold the list).
    pub question_ids: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
