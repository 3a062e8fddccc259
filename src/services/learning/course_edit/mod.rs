//! Courses edited in the browser (authors and the province administrator), Open edX style:
//! every change goes into the course's ONE draft — the whole course as a [`CourseDoc`] in a
//! `course_version` row — while learners keep seeing the published version; "Xuất bản"
//! publishes the draft as the next version in one transaction.
//!
//! Publishing never breaks a learner in the middle of the course:
//! - a lesson that the new version keeps is changed in place, so everyone's progress on it
//!   stays; a removed lesson is retired (kept for the progress that points at it);
//! - a question is never changed in place: a changed one is retired and its new text is a new
//!   question, so an open attempt shows, and is graded on, exactly the questions it was given;
//!   new attempts draw from the new bank;
//! - settings (pass mark, draw, limits) apply to attempts started after publishing, except the
//!   time limit, which the server reads when an answer sheet arrives.
//!
//! Every published version keeps its whole content, so the history says what learners saw.
//!
//! The parts: [`draft`] (the document and its checks), [`editing`] (changes to the draft),
//! [`publishing`] (the draft becomes the next version) and [`folder`] (a course as files).

mod draft;
mod editing;
mod folder;
mod publishing;

pub use draft::{CourseDoc, LessonDoc, QuestionDoc};
pub use editing::*;
pub use folder::*;
pub use publishing::*;
