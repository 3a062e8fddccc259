//! Table `course`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "course")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub level: String,
    pub pass_percent: i32,
    pub license: String,
    pub created_at: DateTimeUtc,
    /// Where the course is taught when it is not on this platform (a deep link).
    pub external_url: Option<String>,
    /// The course whose requirement a completion of this one also meets.
    pub counts_as_id: Option<i64>,
    /// Questions drawn at random from the bank for each attempt (`None`: all of them).
    pub quiz_draw: Option<i32>,
    /// Attempts a learner may start at the quiz (`None`: no limit).
    pub quiz_attempts: Option<i32>,
    /// Minutes to submit an attempt, enforced on the server (`None`: no limit).
    pub quiz_minutes: Option<i32>,
    /// The published version (1 for shipped content never edited in the browser).
    pub version: i32,
    /// Each lesson opens once the one before it is read.
    pub sequential: bool,
    /// The quiz opens once every lesson is read (completion = all lessons + quiz passed).
    pub require_lessons: bool,
    /// Questions drawn per competence before the rest, `code=n` separated by spaces
    /// (`4.2=4 2.3=2`; empty: none).
    pub quiz_draw_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
