//! Learning: the curriculum in memory (catalogue), reading lessons and taking quizzes with the
//! spine that records a pass (progress), and courses edited in the browser (course_edit).

pub mod catalog;
pub mod course_edit;
pub mod progress;
