//! Training classes (the plan's task 4: AI and innovation for officials, village classes of the
//! community teams): a unit organises a class that teaches a course in sessions; people
//! register (or their unit enrols them; a waiting list when full); attendance by a code that
//! changes every 30 seconds (shown as a QR code on the trainer's screen) or ticked on the list;
//! a learner who attended enough sessions completes the course **through the spine**, so the
//! class shows in the live figures at once, with a certificate. Owns the `training_*` tables;
//! pages in `web/pages/training/`, templates in `templates/training/`.

pub mod attendance;
pub mod classes;
pub mod code;
pub mod places;
