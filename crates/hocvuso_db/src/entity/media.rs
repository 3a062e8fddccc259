//! Table `media`: images, video, audio and captions shown in articles and lessons (shipped or
//! uploaded), stored in the database so that one backup holds everything; the bytes are in
//! `media_part`, a part at a time.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub content_type: String,
    /// The whole length in bytes (the sum of its parts).
    pub size: i64,
    pub alt: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
