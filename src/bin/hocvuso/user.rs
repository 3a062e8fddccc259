//! `hocvuso user create-admin --phone … --name … [--password …]` and
//! `hocvuso user create-author …` (same flags).

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use hocvuso::services::accounts::sign_in::create_staff;
use hocvuso::services::setup::seed::PROVINCE_CODE;
use hocvuso::services::shared::form::FormError;
use hocvuso_domain::Role;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create the province administrator (or make an existing account one).
    CreateAdmin {
        /// Mobile number used to log in, e.g. 0912345678.
        #[arg(long)]
        phone: String,
        /// Full name.
        #[arg(long, default_value = "Quản trị tỉnh")]
        name: String,
        /// Password (at least 8 characters). If omitted it is read from HOCVUSO_ADMIN_PASSWORD
        /// or, failing that, from the first line of standard input.
        #[arg(long, env = "HOCVUSO_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Create an author of the handbook (biên tập viên), or make an existing account one.
    CreateAuthor {
        /// Mobile number used to log in, e.g. 0912345678.
        #[arg(long)]
        phone: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Password (at least 8 characters). If omitted it is read from HOCVUSO_AUTHOR_PASSWORD
        /// or, failing that, from the first line of standard input.
        #[arg(long, env = "HOCVUSO_AUTHOR_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

pub async fn run(
    database: Option<String>,
    config: Option<&Path>,
    command: Command,
) -> anyhow::Result<ExitCode> {
    let (role, who, phone, name, password) = match command {
        Command::CreateAdmin {
            phone,
            name,
            password,
        } => (
            Role::ProvinceAdmin,
            "Province administrator",
            phone,
            name,
            password,
        ),
        Command::CreateAuthor {
            phone,
            name,
            password,
        } => (Role::Author, "Author", phone, name, password),
    };
    let password = match password {
        Some(p) => p,
        None => {
            eprintln!("Password for the new account (then Enter):");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let state = crate::open(database, config, None).await?;
    let result = create_staff(&state, &phone, &name, &password, role, PROVINCE_CODE, None).await;
    state.db.clone().close().await;
    match result {
        Ok(_) => {
            println!("{who} ready: log in with {phone}.");
            Ok(ExitCode::SUCCESS)
        }
        Err(FormError::Invalid(errors)) => {
            for (field, message) in errors {
                eprintln!("{field}: {message}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}
