//! `hocvuso`: one binary. `serve` (the default) runs the web server; the other subcommands are
//! the administrator's tools. Each subcommand lives in its own file.

#[cfg(feature = "bench")]
mod bench;
mod contest;
mod course;
mod database;
mod demo;
mod import;
mod keys;
mod serve;
mod stats;
mod user;
mod verify;

/// mimalloc rather than glibc's malloc: the server's threads no longer wait on each other's
/// allocator locks (docs/PERFORMANCE.md, issue 23's round).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use hocvuso::clock::SystemClock;
use hocvuso::config::{Config, Overrides};
use hocvuso::state::AppState;

#[derive(Parser)]
#[command(
    name = "hocvuso",
    version,
    about = "Học vụ số: học kỹ năng số và theo dõi chỉ tiêu"
)]
struct Cli {
    /// Database URL: sqlite://PATH (default ./data/hocvuso.db) or postgres://USER@HOST/DB.
    /// (`DATABASE_URL` and `HOCVUSO_DATABASE__URL` are read with the other settings, in their
    /// layer: a flag beats them, they beat the configuration file.)
    #[arg(long, global = true)]
    database: Option<String>,
    /// Configuration file (default: ./hocvuso.toml if present).
    #[arg(long, global = true)]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve(serve::Args),
    /// Create or upgrade the database schema and load the seed data, then exit.
    Migrate,
    /// Load demo accounts for every role and demo learners with progress.
    Demo(demo::Args),
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: user::Command,
    },
    /// Import files (rosters of people, results from the national platform).
    Import {
        #[command(subcommand)]
        command: import::Command,
    },
    /// Check a certificate credential file (.json) offline: valid or not, and why.
    Verify(verify::Args),
    /// A course as a folder of text files: export it, or import one into its draft.
    Course {
        #[command(subcommand)]
        command: course::Command,
    },
    /// Write a consistent copy of the database to a new SQLite file, while servers run.
    Backup(database::BackupArgs),
    /// Load a backup into the configured database, which must be empty.
    Restore(database::RestoreArgs),
    /// Replace the installation's keys (certificate signing, cookies).
    Keys {
        #[command(subcommand)]
        command: keys::Command,
    },
    /// Move a whole database: `hocvuso db copy --from URL --to URL`.
    Db {
        #[command(subcommand)]
        command: database::DbCommand,
    },
    /// Contests: recompute a round's ranking from its raw entries (`contest verify ROUND`).
    Contest {
        #[command(subcommand)]
        command: contest::Command,
    },
    /// Check the live figures.
    Stats {
        #[command(subcommand)]
        command: stats::Command,
    },
    /// Benchmark reference server (used by bench/run).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchReference(bench::ReferenceArgs),
    /// Benchmark fixtures (used by bench/run).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchFixture(bench::FixtureArgs),
    /// Fills the handbook with synthetic articles (used by bench/run).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchHandbook(bench::HandbookArgs),
    /// Writes or reads a synthetic roster (used by bench/run).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchRoster(bench::RosterArgs),
    /// Times queueing a reminder to a province's non-finishers (used by bench/run).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchReminders(bench::RemindersArgs),
    /// A reporting period with half the reports sent (used by bench/run).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchPeriod(bench::PeriodArgs),
    /// Checks acknowledged submissions are stored (used by bench/run).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchCheck(bench::CheckArgs),
    /// Times ranking a contest round of many entries (used by bench/run).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchContestRank(bench::ContestRankArgs),
}

/// Loads the configuration layers and opens the database (migrations and seed applied).
pub async fn open(
    cli_database: Option<String>,
    config_file: Option<&std::path::Path>,
    listen: Option<String>,
) -> anyhow::Result<AppState> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let overrides = Overrides {
        database_url: cli_database,
        listen,
    };
    let (config, warnings) = Config::load(config_file, &env, &overrides)?;
    for w in warnings {
        tracing::warn!("{w}");
    }
    let state = hocvuso::open(config, Arc::new(SystemClock)).await?;
    Ok(state)
}

/// The configured database's URL (command line, environment, configuration file, default),
/// without opening it.
pub fn database_url(
    cli_database: Option<String>,
    config_file: Option<&std::path::Path>,
) -> anyhow::Result<String> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let overrides = Overrides {
        database_url: cli_database,
        listen: None,
    };
    let (config, _) = Config::load(config_file, &env, &overrides)?;
    Ok(config.database_url)
}

/// Like [`open`], but refuses to create a database that does not exist yet (for commands that
/// only read).
pub async fn open_existing(
    cli_database: Option<String>,
    config_file: Option<&std::path::Path>,
) -> anyhow::Result<AppState> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let overrides = Overrides {
        database_url: cli_database.clone(),
        listen: None,
    };
    let (config, _) = Config::load(config_file, &env, &overrides)?;
    if !hocvuso_db::dialect::database_exists(&config.database_url)? {
        anyhow::bail!("no database at {} (nothing to check)", config.database_url);
    }
    open(cli_database, config_file, None).await
}

/// Logs go to standard error: plain text (coloured only on a terminal, so files and the
/// journal get no escape codes), or one JSON object per line with `HOCVUSO_LOG_FORMAT=json`
/// (for a log collector). `HOCVUSO_LOG` sets the level.
fn init_logging() {
    use std::io::IsTerminal;
    let filter = std::env::var("HOCVUSO_LOG").unwrap_or_else(|_| "info".to_owned());
    let level = match filter.as_str() {
        "error" => tracing::Level::ERROR,
        "warn" => tracing::Level::WARN,
        "debug" => tracing::Level::DEBUG,
        "trace" => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    };
    let logs = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if std::env::var("HOCVUSO_LOG_FORMAT").is_ok_and(|v| v == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let config = cli.config.as_deref();
    let result = match cli.command {
        None => serve::run(cli.database, config, serve::Args::default()).await,
        Some(Command::Serve(args)) => serve::run(cli.database, config, args).await,
        Some(Command::Migrate) => match open(cli.database, config, None).await {
            Ok(state) => {
                println!(
                    "Database ready ({}): schema up to date, seed data loaded.",
                    state.db.backend().name()
                );
                state.db.clone().close().await;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => Err(e),
        },
        Some(Command::Demo(args)) => demo::run(cli.database, config, args).await,
        Some(Command::User { command }) => user::run(cli.database, config, command).await,
        Some(Command::Verify(args)) => verify::run(args, config),
        Some(Command::Course { command }) => course::run(cli.database, config, command).await,
        Some(Command::Backup(args)) => database::backup(cli.database, config, args).await,
        Some(Command::Restore(args)) => database::restore(cli.database, config, args).await,
        Some(Command::Db { command }) => database::run(command).await,
        Some(Command::Keys { command }) => keys::run(cli.database, config, command).await,
        Some(Command::Stats { command }) => stats::run(cli.database, config, command).await,
        Some(Command::Contest { command }) => contest::run(cli.database, config, command).await,
        Some(Command::Import { command }) => import::run(cli.database, config, command).await,
        #[cfg(feature = "bench")]
        Some(Command::BenchReference(args)) => bench::reference(args).await,
        #[cfg(feature = "bench")]
        Some(Command::BenchFixture(args)) => bench::fixture(cli.database, config, args).await,
        #[cfg(feature = "bench")]
        Some(Command::BenchCheck(args)) => bench::check(cli.database, config, args).await,
        #[cfg(feature = "bench")]
        Some(Command::BenchContestRank(args)) => {
            bench::contest_rank(cli.database, config, args).await
        }
        #[cfg(feature = "bench")]
        Some(Command::BenchHandbook(args)) => bench::handbook(cli.database, config, args).await,
        #[cfg(feature = "bench")]
        Some(Command::BenchRoster(args)) => bench::roster(cli.database, config, args).await,
        #[cfg(feature = "bench")]
        Some(Command::BenchReminders(args)) => bench::reminders(cli.database, config, args).await,
        #[cfg(feature = "bench")]
        Some(Command::BenchPeriod(args)) => bench::period(cli.database, config, args).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hocvuso: {e:#}");
            ExitCode::FAILURE
        }
    }
}
