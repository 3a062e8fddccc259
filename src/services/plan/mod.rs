//! The plan and its loop (the plan's section V): the plan's tasks with their lead agencies,
//! progress notes with evidence, and the board of what is late (`tasks`). Owns the `plan_*`
//! tables; pages in `web/pages/plan/`, templates in `templates/plan/`.

pub mod reports;
pub mod tasks;
