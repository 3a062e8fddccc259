//! The plan and its loop (the plan's section V): the plan's tasks with their lead agencies,
//! progress notes with evidence, and the board of what is late (`tasks`); periodic reports of
//! the units with their workflow and completeness (`reports`), the files attached to them
//! (`report_files`) and the consolidated report for the ministry as PDF and .docx
//! (`consolidated`). Owns the `plan_*`, `report_period` and
//! `period_report*` tables; pages in `web/pages/plan/`, templates in `templates/plan/`.

pub mod activity;
pub mod consolidated;
pub mod report_files;
pub mod reports;
pub mod tasks;
