//! Table `article`: one handbook article; its text lives in `article_revision`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "article")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    pub chapter_id: i64,
    pub position: i32,
    /// The revision readers see; `None` while only a draft exists or after it was taken down.
    pub published_revision: Option<i32>,
    pub latest_revision: i32,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
