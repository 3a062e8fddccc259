//! Table `news_image`: the picture of a news item (checked and fitted for phones on upload).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "news_image")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub news_id: i64,
    pub bytes: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
