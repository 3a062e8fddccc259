//! SeaORM entities, one module per table (see `migration.rs` for the schema).

pub mod account;
pub mod achievement;
pub mod attempt_question;
pub mod certificate;
pub mod course;
pub mod course_completion;
pub mod denominator;
pub mod group_course;
pub mod indicator;
pub mod indicator_count;
pub mod lesson;
pub mod lesson_progress;
pub mod membership;
pub mod org_unit;
pub mod person;
pub mod question;
pub mod question_option;
pub mod quiz_attempt;
pub mod role_grant;
pub mod session;
pub mod setting;
pub mod target;
pub mod target_group;
