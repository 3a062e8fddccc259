//! Table `pending_upload`: an uploaded file waiting for its dry run to be confirmed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_upload")]
pub struct Model {
    /// Unguessable, random.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token: String,
    pub actor_id: i64,
    pub kind: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
