//! Table `news_item`: an announcement of the province or of a unit (`/tin-tuc`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "news_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub body: String,
    pub groups: String,
    pub public: bool,
    pub publish_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub image_type: Option<String>,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    pub image_alt: String,
    pub by_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
