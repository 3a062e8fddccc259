//! Table `contest_entry`: one attempt of one person at one round.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contest_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub round_id: i64,
    pub person_id: i64,
    pub attempt_no: i32,
    pub questions: String,
    pub started_at: DateTimeUtc,
    pub deadline_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
    pub answers: Option<String>,
    pub right_count: Option<i32>,
    pub total: i32,
    pub prediction: Option<i64>,
    pub time_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
