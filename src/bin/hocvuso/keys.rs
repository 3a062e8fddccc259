//! `hocvuso keys rotate-issuer` and `hocvuso keys rotate-cookie`: replacing the installation's
//! keys (both kept in the database; docs/OPERATIONS.md, "Rotate keys").

use std::path::Path;
use std::process::ExitCode;

use hocvuso::clock::{Clock, SystemClock};
use hocvuso_db::dialect::{database_exists, PoolSizes};
use hocvuso_db::Db;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Retire the key that signs certificate files and make a new one. Files signed before
    /// stay valid; new downloads are signed by the new key at once (servers may keep running).
    RotateIssuer,
    /// Replace the key that signs cookies and end every session: everyone is logged out.
    /// Stop every server first and start them after (they read the key when they start).
    RotateCookie,
}

pub async fn run(
    database: Option<String>,
    config: Option<&Path>,
    command: Command,
) -> anyhow::Result<ExitCode> {
    let url = crate::database_url(database, config)?;
    if !database_exists(&url)? {
        anyhow::bail!("no database at {url}");
    }
    let db = Db::connect(&url, PoolSizes { readers: 1 }).await?;
    let done = match command {
        Command::RotateIssuer => {
            let did = hocvuso::services::credentials::certificates::rotate_issuer_key(
                &db,
                SystemClock.now(),
            )
            .await;
            did.map(|did| {
                println!(
                    "New signing key: {did}\nFiles signed by the old key stay valid. Where \
                     `hocvuso verify` is used, set certificate.issuer_did to the new key (files \
                     signed before need --issuer with the old one)."
                );
            })
        }
        Command::RotateCookie => {
            let ended = hocvuso::services::accounts::sign_in::rotate_cookie_key(&db).await;
            ended.map(|n| {
                println!(
                    "New cookie key; {n} sessions ended: everyone is logged out. Start the \
                     servers now (each reads the key when it starts)."
                );
            })
        }
    };
    db.close().await;
    done?;
    Ok(ExitCode::SUCCESS)
}
