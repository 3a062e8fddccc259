//! Table `transfer_request`: an officer asks for a person of another unit to move into theirs
//! (a roster cannot move them: "người này thuộc đơn vị khác"); the officer of the person's
//! unit, or the province admin, approves or refuses.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transfer_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub group_code: String,
    pub to_unit_id: i64,
    pub requested_by: i64,
    pub requested_at: DateTimeUtc,
    /// `pending`, `approved` or `refused`.
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub note: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
