//! Table `honour_file`: an evidence file of an honour proposal (PDF or an image, checked to be
//! what its name says), stored in the database so that one backup holds everything.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "honour_file")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub proposal_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub bytes: Vec<u8>,
    pub added_by: i64,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
