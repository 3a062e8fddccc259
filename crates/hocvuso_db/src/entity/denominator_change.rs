//! Table `denominator_change`: the history of every denominator (who, when, old and new value).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "denominator_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub year: i32,
    pub unit_id: i64,
    pub group_code: String,
    pub old_people: Option<i64>,
    pub new_people: i64,
    pub source: String,
    /// `None`: made by the program (demo data, seed).
    pub changed_by: Option<i64>,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
