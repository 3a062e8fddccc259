//! `hocvuso contest verify ROUND…`: recompute each round's ranking from its raw entries and
//! compare it with the ranking recorded when the round closed; exit 1 if any differs or was
//! never recorded.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use hocvuso::services::contests::ranking;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Recompute rounds' rankings from their raw entries and compare with the recorded ones.
    Verify {
        /// Round ids (as on the organiser's page and in `contest_round.id`).
        #[arg(required = true)]
        rounds: Vec<i64>,
    },
}

pub async fn run(
    database: Option<String>,
    config: Option<&Path>,
    command: Command,
) -> anyhow::Result<ExitCode> {
    let Command::Verify { rounds } = command;
    let state = crate::open_existing(database, config).await?;
    let mut ok = true;
    for id in rounds {
        let started = Instant::now();
        match ranking::verify(state.db.read(), id).await? {
            None => {
                println!("MISSING round {id}: no such round");
                ok = false;
            }
            Some(v) => {
                let took = started.elapsed().as_secs_f64();
                match &v.recorded {
                    Some(_) if v.agrees() => println!(
                        "OK round {id}: {} people ranked, {} answered every question right, digest {} ({took:.2} s)",
                        v.entries, v.all_right, v.computed
                    ),
                    Some(r) => {
                        ok = false;
                        println!(
                            "DIFFERENT round {id}: recorded digest {r}, recomputed {} ({} people, {took:.2} s)",
                            v.computed, v.entries
                        );
                    }
                    None => {
                        ok = false;
                        println!(
                            "NOT RECORDED round {id}: the round has not closed or its ranking was never shown; recomputed digest {} ({} people, {took:.2} s)",
                            v.computed, v.entries
                        );
                    }
                }
            }
        }
    }
    state.db.clone().close().await;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
