//! Table `withdrawn_completion`: the completion a revoked certificate attested, kept whole so
//! that undoing the revocation puts it back.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "withdrawn_completion")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub certificate_id: i64,
    pub person_id: i64,
    pub course_id: i64,
    pub attempt_id: Option<i64>,
    pub completed_at: DateTimeUtc,
    pub import_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
