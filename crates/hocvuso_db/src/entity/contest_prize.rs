//! Table `contest_prize`: a prize of a contest: for people or for units, its label and how many win it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contest_prize")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contest_id: i64,
    pub kind: String,
    pub position: i32,
    pub label: String,
    pub winners: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
