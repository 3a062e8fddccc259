//! In-process HTTP tests: ONE test binary (the library's), one module per feature, mirroring
//! the routes. Every test that touches the database runs on SQLite and on PostgreSQL
//! (`test_both!`), each on a fresh database.

mod access;
mod account;
mod certificates;
mod classes;
mod completions;
mod contests;
mod course_authoring;
mod dashboard;
mod denominators;
mod handbook;
mod honours;
mod hostile;
mod layering;
mod learn;
mod news;
mod operations;
mod org;
mod paths;
mod people;
mod period_reports;
mod plan;
mod public;
mod recovery;
mod reminders;
mod report;
mod requirements;
mod roster;
mod security;
mod support;
mod targets;
mod training;
mod transport;
mod util;
mod vneid;
mod writer;
