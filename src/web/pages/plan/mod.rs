//! Pages of the plan and its loop (`services::plan`): the plan's tasks and their progress
//! (`tasks`).

pub mod reports;
pub mod tasks;
