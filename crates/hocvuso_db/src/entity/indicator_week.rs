//! Table `indicator_week`: the live counts split by the week (Vietnam time, starting Monday,
//! stored as that Monday `yyyy-mm-dd`) in which each person achieved the indicator. The sum
//! over weeks of a `(unit, group, indicator)` equals its `indicator_count`; the trend charts
//! read it instead of scanning achievements.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_week")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub group_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub indicator_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub week: String,
    /// Confirmed people (what the province reports).
    pub achieved: i64,
    /// People who registered themselves and are not confirmed yet (shown beside, never in).
    pub unconfirmed: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
