//! Pages of monitoring: dashboards and the map, the report, targets, denominators, and the
//! imports of completions and VNeID counts (`services::monitoring`).

pub mod completions;
pub mod dashboard;
pub mod denominators;
pub mod report;
pub mod targets;
pub mod vneid;
