//! Hidden commands used by `bench/run` (not for operators):
//!
//! * `bench-reference --listen ADDR` — a bare axum handler returning a fixed string, the
//!   reference that request rates are compared with (same binary, same build profile);
//! * `bench-fixture --kind lesson|start|submit --learners N --commune CODE --out FILE` — N
//!   logged-in learners and one prepared request each, in `hocvuso-load`'s request-file format;
//! * `bench-check --acks FILE` — how many acknowledged submissions are stored;
//! * `bench-handbook --articles N` — fill the handbook up to N published articles.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use axum::routing::get;
use hocvuso::services::bench::{grant_role, prepare_learners, submitted_count, BENCH_COURSE};
use hocvuso::web::cookies;

#[derive(clap::Args)]
pub struct ReferenceArgs {
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: String,
}

pub async fn reference(args: ReferenceArgs) -> anyhow::Result<ExitCode> {
    let app = axum::Router::new().route("/", get(|| async { "Hello, World!" }));
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    axum::serve(listener, app).await?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum Kind {
    /// GET the first lesson of the basic course (or --path).
    Lesson,
    /// POST "start the quiz".
    Start,
    /// POST a passing answer sheet for a prepared attempt.
    Submit,
}

#[derive(clap::Args)]
pub struct FixtureArgs {
    #[arg(long, value_enum)]
    kind: Kind,
    #[arg(long, default_value_t = 1000)]
    learners: usize,
    #[arg(long, default_value = "22918")]
    commune: String,
    #[arg(long)]
    out: PathBuf,
    /// Also grant this role (scoped to --unit), e.g. province_admin for dashboard requests.
    #[arg(long)]
    role: Option<String>,
    #[arg(long, default_value = "68")]
    unit: String,
    /// For GET fixtures: the path to request instead of the first lesson.
    #[arg(long)]
    path: Option<String>,
}

pub async fn fixture(
    database: Option<String>,
    config: Option<&Path>,
    args: FixtureArgs,
) -> anyhow::Result<ExitCode> {
    let state = crate::open(database, config, None).await?;
    let submit = matches!(args.kind, Kind::Submit);
    let learners = prepare_learners(&state, args.learners, &args.commune, submit, &mut |n| {
        if n % 5000 == 0 {
            eprintln!("{n} learners ready");
        }
    })
    .await?;
    if let Some(role) = &args.role {
        let role = hocvuso_domain::Role::from_code(role)
            .ok_or_else(|| anyhow::anyhow!("unknown role {role}"))?;
        let ids: Vec<i64> = learners.iter().map(|l| l.person_id).collect();
        grant_role(&state, &ids, role, &args.unit).await?;
    }
    let key = state.cookie_key.as_ref();
    let mut out = String::new();
    for l in &learners {
        let csrf = hocvuso::services::hex(&hocvuso::services::random_bytes::<16>());
        let cookie = format!(
            "{}={}; {}={}",
            cookies::SESSION,
            cookies::sign(key, cookies::SESSION, &l.raw_session),
            cookies::CSRF,
            cookies::sign(key, cookies::CSRF, &csrf)
        );
        match (args.kind, &l.attempt) {
            (Kind::Lesson, _) => {
                let path = args
                    .path
                    .clone()
                    .unwrap_or_else(|| format!("/khoa-hoc/{BENCH_COURSE}/bai/1"));
                let _ = writeln!(out, "GET\t{path}\t{cookie}\t\t{}", l.person_id);
            }
            (Kind::Start, _) => {
                let _ = writeln!(
                    out,
                    "POST\t/khoa-hoc/{BENCH_COURSE}/kiem-tra\t{cookie}\tcsrf_token={csrf}\t{}",
                    l.person_id
                );
            }
            (Kind::Submit, Some((attempt, answers))) => {
                let mut body = format!("csrf_token={csrf}");
                for (q, o) in answers {
                    let _ = write!(body, "&q{q}={o}");
                }
                let _ = writeln!(out, "POST\t/bai-lam/{attempt}\t{cookie}\t{body}\t{attempt}");
            }
            (Kind::Submit, None) => anyhow::bail!("learner {} has no attempt", l.person_id),
        }
    }
    std::fs::write(&args.out, out)?;
    state.db.close().await;
    println!(
        "{} learners, requests in {}",
        learners.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// File of acknowledged attempt ids, one per line (from `hocvuso-load --acks`).
    #[arg(long)]
    acks: PathBuf,
}

pub async fn check(
    database: Option<String>,
    config: Option<&Path>,
    args: CheckArgs,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.acks)?;
    let mut ids: Vec<i64> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
    ids.sort_unstable();
    ids.dedup();
    let state = crate::open_existing(database, config).await?;
    let stored = submitted_count(&state, &ids).await?;
    state.db.close().await;
    println!("RESULT acknowledged={} stored={stored}", ids.len());
    Ok(if stored == ids.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[derive(clap::Args)]
pub struct HandbookArgs {
    /// How many published articles the handbook should hold.
    #[arg(long, default_value_t = 10_000)]
    articles: usize,
}

pub async fn handbook(
    database: Option<String>,
    config: Option<&Path>,
    args: HandbookArgs,
) -> anyhow::Result<ExitCode> {
    let state = crate::open(database, config, None).await?;
    let made = hocvuso::services::bench::synthetic_articles(&state, args.articles).await?;
    state.db.close().await;
    println!("{made} articles added");
    Ok(ExitCode::SUCCESS)
}
