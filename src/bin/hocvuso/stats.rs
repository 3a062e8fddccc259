//! `hocvuso stats verify`: recompute every live count from raw records; exit 1 naming each
//! difference if any count disagrees.

use std::path::Path;
use std::process::ExitCode;

use hocvuso::services::monitoring::stats;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Recompute every count from raw records and compare with the live counts.
    Verify,
}

pub async fn run(
    database: Option<String>,
    config: Option<&Path>,
    command: Command,
) -> anyhow::Result<ExitCode> {
    let Command::Verify = command;
    let state = crate::open_existing(database, config).await?;
    let report = stats::verify(&state).await?;
    let codes = stats::unit_codes(&state).await?;
    let code_of = |id: i64| {
        codes
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("id {id}"))
    };
    for (unit, group, indicator, stored, recomputed) in &report.count_differences {
        println!(
            "DIFFERENT unit {} group {group} indicator {indicator}: live count {stored}, recomputed {recomputed}",
            code_of(*unit)
        );
    }
    for (unit, group, indicator, week, stored, recomputed) in &report.week_differences {
        println!(
            "DIFFERENT unit {} group {group} indicator {indicator} week of {week}: weekly count {stored}, recomputed {recomputed}",
            code_of(*unit)
        );
    }
    for (unit, group, indicator, shown, recomputed) in &report.imported_differences {
        println!(
            "DIFFERENT imported unit {} group {group} indicator {indicator}: shown {shown}, recounted {recomputed}",
            code_of(*unit)
        );
    }
    for (person, group) in &report.missing_achievements {
        println!("MISSING achievement: person {person} completed every required course of group {group} but is not counted");
    }
    for (person, group) in &report.unbacked_achievements {
        println!("UNBACKED achievement: person {person} counted in group {group} without the required completions or membership");
    }
    for (person, group) in &report.early_achievements {
        println!("EARLY achievement: person {person} counted in group {group} before the last required course was completed");
    }
    state.db.clone().close().await;
    if report.is_ok() {
        println!(
            "OK: {} live counts, {} weekly counts and {} imported figures agree with the raw records.",
            report.counts_checked, report.weeks_checked, report.imported_checked
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "FAILED: {} count differences, {} weekly, {} imported, {} missing and {} unbacked achievements.",
            report.count_differences.len(),
            report.week_differences.len(),
            report.imported_differences.len(),
            report.missing_achievements.len(),
            report.unbacked_achievements.len()
        );
        Ok(ExitCode::FAILURE)
    }
}
