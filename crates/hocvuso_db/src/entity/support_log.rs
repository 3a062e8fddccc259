//! Table `support_log`: help given by a member of a community digital technology team.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "support_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub helper_id: i64,
    /// The helper's commune (where the help counts).
    pub unit_id: i64,
    pub person_id: Option<i64>,
    pub topic: String,
    pub place: String,
    /// `yyyy-mm-dd`.
    pub day: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
