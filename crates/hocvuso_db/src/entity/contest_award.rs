//! Table `contest_award`: a confirmed winner of a prize (a person or a unit).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contest_award")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contest_id: i64,
    pub prize_id: i64,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub place: i32,
    pub confirmed_by: i64,
    pub confirmed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
