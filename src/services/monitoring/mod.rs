//! Monitoring: figures against targets rolled up the org tree (dashboard), the targets and
//! denominators, counts imported from outside (completions on the national platform, VNeID),
//! exports, the map, the trend, the period report and `stats verify`.

pub mod completions;
pub mod dashboard;
pub mod denominators;
pub mod exports;
pub mod map;
pub mod outside_counts;
pub mod report;
pub mod stats;
pub mod targets;
pub mod trend;
