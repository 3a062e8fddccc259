//! Learning: the curriculum in memory (catalogue), reading lessons and taking quizzes with the
//! spine that records a pass (progress), courses edited in the browser (course_edit), and which
//! courses each target group requires, changed with history and recounted (requirements).

pub mod catalog;
pub mod course_edit;
pub mod progress;
pub mod requirements;
