//! Table `contest_round`: one round of a contest: when it is open, what it draws, the prediction question.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contest_round")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contest_id: i64,
    pub number: i32,
    pub title: String,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub course_id: i64,
    pub question_count: i32,
    pub draw_by: String,
    pub minutes: i32,
    pub attempts: i32,
    pub prediction: String,
    pub all_right: Option<i64>,
    pub digest: Option<String>,
    pub ranked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
