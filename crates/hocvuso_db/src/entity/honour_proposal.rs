//! Table `honour_proposal`: a unit's proposal to honour an individual or a collective for an
//! initiative or a good practice (the plan's task 1).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "honour_proposal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The proposing unit.
    pub unit_id: i64,
    /// `individual` or `collective`.
    pub kind: String,
    /// Who is proposed: a person's full name or a collective's name.
    pub nominee: String,
    pub title: String,
    pub description: String,
    /// The year of the honour roll it is for.
    pub year: i32,
    /// `submitted`, `returned`, `accepted` or `declined`.
    pub status: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
