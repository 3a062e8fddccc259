//! Table `plan_task`: a task of the plan (section III) or one the province added for a later year.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_task")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub plan_year: i32,
    pub title: String,
    pub body: String,
    pub lead: String,
    pub coordinating: String,
    pub timing: String,
    pub starts_on: Date,
    pub due_on: Option<Date>,
    pub lead_unit_id: Option<i64>,
    pub position: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
