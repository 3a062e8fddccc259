//! Table `parent_consent`: a parent's consent that their child learns here (children's data
//! under the personal-data law), as the teacher recorded it: who consented, the text, who
//! recorded it and when.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "parent_consent")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i64,
    pub parent_name: String,
    pub text: String,
    pub recorded_by: i64,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
