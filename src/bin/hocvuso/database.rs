//! `hocvuso backup`, `hocvuso restore` and `hocvuso db copy`: a consistent copy of the
//! database while servers run, loading it back, and moving a province between SQLite and
//! PostgreSQL. The work is `hocvuso_db::copy`'s; this file reads the command line and
//! prints what was done.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hocvuso_db::copy::{self, CopyReport};
use hocvuso_db::dialect::{database_exists, PoolSizes};
use hocvuso_db::Db;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (a new SQLite file; never overwritten).
    pub file: PathBuf,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A backup file made by `hocvuso backup`. The configured database must be empty (a new
    /// SQLite path, or a new PostgreSQL database): stop the servers and move the old one
    /// aside first.
    pub file: PathBuf,
}

#[derive(clap::Subcommand)]
pub enum DbCommand {
    /// Copy every row of one database into another, empty one (SQLite ↔ PostgreSQL).
    Copy {
        /// The database to copy from (it is only read; servers may keep running on it).
        #[arg(long)]
        from: String,
        /// The database to copy into: a new SQLite path or an empty PostgreSQL database.
        #[arg(long)]
        to: String,
    },
}

/// Opens a database that must already be there.
async fn existing(url: &str) -> anyhow::Result<Db> {
    if !database_exists(url)? {
        anyhow::bail!("no database at {url}");
    }
    Ok(Db::connect(url, PoolSizes { readers: 1 }).await?)
}

fn say_table(table: &str, rows: u64) {
    eprintln!("  {table}: {rows} rows");
}

fn done(what: &str, report: &CopyReport) -> ExitCode {
    println!("{what}: {} tables, {} rows.", report.tables, report.rows);
    ExitCode::SUCCESS
}

pub async fn backup(
    database: Option<String>,
    config: Option<&Path>,
    args: BackupArgs,
) -> anyhow::Result<ExitCode> {
    let url = crate::database_url(database, config)?;
    let source = existing(&url).await?;
    let result = copy::backup(&source, &args.file, &mut say_table).await;
    source.close().await;
    Ok(done(
        &format!("Backup written to {}", args.file.display()),
        &result?,
    ))
}

pub async fn restore(
    database: Option<String>,
    config: Option<&Path>,
    args: RestoreArgs,
) -> anyhow::Result<ExitCode> {
    let url = crate::database_url(database, config)?;
    let target = Db::connect(&url, PoolSizes { readers: 1 }).await?;
    let result = copy::restore(&args.file, &target, &mut say_table).await;
    target.close().await;
    Ok(done(
        &format!("Restored {} into {url}", args.file.display()),
        &result?,
    ))
}

pub async fn run(command: DbCommand) -> anyhow::Result<ExitCode> {
    let DbCommand::Copy { from, to } = command;
    if from == to {
        anyhow::bail!("--from and --to name the same database");
    }
    let source = existing(&from).await?;
    let target = Db::connect(&to, PoolSizes { readers: 1 }).await?;
    let result = copy::copy_database(&source, &target, &mut say_table).await;
    source.close().await;
    target.close().await;
    Ok(done(&format!("Copied {from} into {to}"), &result?))
}
