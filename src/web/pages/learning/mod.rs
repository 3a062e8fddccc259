//! Pages of learning: the learner's courses, lessons and quizzes, course authoring
//! (`services::learning::progress`), and the courses each group requires (`requirements`).

pub mod course_authoring;
pub mod learn;
pub mod requirements;
