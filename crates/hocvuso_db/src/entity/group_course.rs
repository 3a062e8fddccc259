//! Table `group_course`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "group_course")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub group_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub course_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
