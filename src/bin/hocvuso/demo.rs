//! `hocvuso demo [--people N] [--seed S]`

use std::path::Path;
use std::process::ExitCode;

use hocvuso::services::setup::demo::{self, DemoOptions, DEMO_ACCOUNTS, DEMO_PASSWORD};

#[derive(clap::Args)]
pub struct Args {
    /// How many demo learners to generate, spread over the 124 communes.
    #[arg(long, default_value_t = 5000)]
    people: u64,
    /// Seed of the generator (the same seed gives the same data).
    #[arg(long, default_value_t = 1410)]
    seed: u64,
}

pub async fn run(
    database: Option<String>,
    config: Option<&Path>,
    args: Args,
) -> anyhow::Result<ExitCode> {
    let state = crate::open(database, config, None).await?;
    let opts = DemoOptions {
        people: args.people,
        seed: args.seed,
    };
    let report = demo::run(&state, &opts, &mut |line| println!("{line}")).await?;
    state.db.clone().close().await;
    println!("Demo accounts (password \"{DEMO_PASSWORD}\"):");
    for (phone, name, role, unit, _) in DEMO_ACCOUNTS {
        println!("  {phone}  {:<28} {} ({unit})", name, role.name_vi());
    }
    if !report.skipped_people {
        println!(
            "{} demo learners, {} of them passed.",
            report.people, report.passed
        );
    }
    Ok(ExitCode::SUCCESS)
}
