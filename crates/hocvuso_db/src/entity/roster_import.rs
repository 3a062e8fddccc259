//! Table `roster_import`: each applied roster import, with what it did.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roster_import")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Who imported it; none for the command line.
    pub actor_id: Option<i64>,
    /// The unit the importer's rights covered.
    pub scope_unit_id: i64,
    pub file_name: String,
    pub sha256: String,
    pub rows: i64,
    pub added: i64,
    pub updated: i64,
    pub moved: i64,
    pub unchanged: i64,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
