//! Table `completion_import`: each applied import of course results from another platform.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "completion_import")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Who imported it; none for the command line.
    pub actor_id: Option<i64>,
    pub course_id: i64,
    /// Where the results come from, as the importer wrote it.
    pub source: String,
    pub file_name: String,
    pub sha256: String,
    pub rows: i64,
    pub added: i64,
    pub unchanged: i64,
    /// People not found here, left out at the importer's request.
    pub skipped: i64,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
