//! `hocvuso serve [--listen ADDR]`

use std::path::Path;
use std::process::ExitCode;

use hocvuso::config::DEFAULT_LISTEN;

#[derive(clap::Args, Default)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, help = format!("Address to listen on [default: {DEFAULT_LISTEN}]"))]
    listen: Option<String>,
}

pub async fn run(
    database: Option<String>,
    config: Option<&Path>,
    args: Args,
) -> anyhow::Result<ExitCode> {
    let state = crate::open(database, config, args.listen).await?;
    state.config.check_for_serving()?;
    hocvuso::services::runtime::spawn_refresh(state.runtime().clone());
    hocvuso::services::reminders::sender::spawn(state.runtime().clone());
    let addr = state.config.listen;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(
        "hocvuso listening on http://{} ({})",
        listener.local_addr()?,
        state.db.backend().name()
    );
    let db = state.db.clone();
    let limits = hocvuso::web::serve::ServeLimits::default();
    hocvuso::web::serve::serve(listener, hocvuso::web::app(state), limits, shutdown()).await?;
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
