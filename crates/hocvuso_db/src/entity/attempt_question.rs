//! Table `attempt_question`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attempt_question")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub attempt_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_id: i64,
    pub position: i32,
    pub chosen_option_id: Option<i64>,
    pub is_correct: Option<bool>,
    /// Every chosen option id, comma-separated (empty for rows from before this column:
    /// `chosen_option_id` holds their one answer).
    pub chosen_ids: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
