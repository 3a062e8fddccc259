//! Table `certificate`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub person_id: i64,
    pub course_id: i64,
    pub issued_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    /// Why the province revoked it (on the verify page only when `revoke_reason_public`).
    pub revoke_reason: Option<String>,
    pub revoked_by: Option<i64>,
    pub revoke_reason_public: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
