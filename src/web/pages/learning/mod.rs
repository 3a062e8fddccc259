//! Pages of learning: the learner's courses, lessons and quizzes, and course authoring
//! (`services::learning::progress`).

pub mod course_authoring;
pub mod learn;
