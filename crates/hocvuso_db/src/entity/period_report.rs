//! Table `period_report`: a unit's report for a period: figures frozen at the period's end,
//! the written parts, the workflow's status.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "period_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    pub status: String,
    pub figures: String,
    /// What was done in the period (JSON), frozen with the figures; "" for older reports.
    pub activity: String,
    pub done_text: String,
    pub difficulties: String,
    pub proposals: String,
    pub submitted_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
