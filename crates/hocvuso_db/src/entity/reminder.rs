//! Table `reminder`: one send of a reminder to the people of a unit (and its units below) of a
//! group who have not finished — by an officer, or by a `reminder_schedule`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminder")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub group_code: String,
    pub body: String,
    /// How many people it was queued for.
    pub recipients: i64,
    /// Not sent before this time.
    pub send_after: DateTimeUtc,
    pub schedule_id: Option<i64>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
