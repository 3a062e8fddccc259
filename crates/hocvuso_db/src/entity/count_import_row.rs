//! Table `count_import_row`: one unit's count in an import.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "count_import_row")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub import_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: i64,
    pub people: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
