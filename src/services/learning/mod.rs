//! Learning: the curriculum in memory (catalogue), reading lessons and the competence profile
//! (progress), quizzes (quiz), the spine that records what a pass changes (spine), courses
//! edited in the browser (course_edit), and which courses each target group requires, changed
//! with history and recounted (requirements).

pub mod catalog;
pub mod course_edit;
pub mod progress;
pub mod quiz;
pub mod requirements;
pub mod spine;
