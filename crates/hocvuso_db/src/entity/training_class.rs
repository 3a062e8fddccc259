//! Table `training_class`: a class that teaches a course in sessions (AI or innovation for
//! officials, a village class run by a community team).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_class")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The organising unit: its officers (and those above) manage the class; people who live
    /// or belong under it may register.
    pub unit_id: i64,
    pub course_id: i64,
    pub title: String,
    /// Target group codes, comma-separated ("" for everyone under the unit).
    pub groups: String,
    pub capacity: i32,
    pub trainer: String,
    /// Percent of the sessions a learner must attend to complete.
    pub min_attendance: i32,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    /// Completion also needs the course's quiz passed (not only the attendance).
    pub needs_quiz: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
