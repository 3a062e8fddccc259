//! Table `reminder_schedule`: a reminder the province sends every week at a set time (e.g.
//! Monday 08:00) to the people of a group who have not finished, optionally only in the
//! communes below their target.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminder_schedule")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub group_code: String,
    pub body: String,
    /// 1 (Monday) to 7 (Sunday), Vietnam time.
    pub weekday: i32,
    /// 0 to 23, Vietnam time.
    pub hour: i32,
    pub only_below_target: bool,
    pub active: bool,
    pub next_run_at: DateTimeUtc,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
