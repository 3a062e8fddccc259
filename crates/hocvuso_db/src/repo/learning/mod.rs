//! Courses, lessons, quizzes, attempts, completions and certificates: the row types and the
//! shared imports here, the queries in one file per concern, all reached as
//! `repo::learning::…`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{
    attempt_question, certificate, course, course_completion, course_version, group_course,
    issuer_key, lesson, lesson_progress, question, question_option, quiz_attempt,
    requirement_change, withdrawn_completion,
};

pub use attempt_question::Model as AttemptQuestion;

impl AttemptQuestion {
    /// The options this answer chose (none while the attempt is open).
    pub fn chosen(&self) -> Vec<i64> {
        if self.chosen_ids.is_empty() {
            self.chosen_option_id.into_iter().collect()
        } else {
            self.chosen_ids
                .split(',')
                .filter_map(|s| s.parse().ok())
                .collect()
        }
    }
}
pub use certificate::Model as Certificate;
pub use course::Model as Course;
pub use course_version::Model as CourseVersion;
pub use lesson::Model as Lesson;
pub use question::Model as Question;
pub use question_option::Model as QuestionOption;
pub use quiz_attempt::Model as QuizAttempt;
pub use requirement_change::Model as RequirementChange;

mod batched;
mod certificates;
mod completion_imports;
mod courses;
mod progress;
mod reach;

pub use batched::*;
pub use certificates::*;
pub use completion_imports::*;
pub use courses::*;
pub use progress::*;
pub use reach::*;
