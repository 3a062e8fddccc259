//! Table `person`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub full_name: String,
    pub phone: Option<String>,
    pub birth_year: Option<i32>,
    pub residence_unit_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// 12 digits, unique when known.
    pub citizen_id: Option<String>,
    /// `M` or `F`.
    pub gender: Option<String>,
    /// `yyyy-mm-dd`, or `yyyy` when only the year is known.
    pub birth_date: Option<String>,
    /// How this person's identity was confirmed: `roster` (put in by an officer, or matched
    /// to a roster by citizen ID), `assisted` (registered by a helper), `staff`; `None` for
    /// someone who registered themselves and was never confirmed. Reported figures count
    /// only confirmed people.
    pub confirmed_via: Option<String>,
    pub confirmed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
