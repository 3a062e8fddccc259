//! Table `org_unit`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_unit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub commune_type: Option<String>,
    pub parent_id: Option<i64>,
    pub path: String,
    pub created_at: DateTimeUtc,
    /// Set when the unit was merged into another (it stays for history and old records).
    pub merged_into_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
