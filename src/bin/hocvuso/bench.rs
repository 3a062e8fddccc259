//! Hidden commands used by `bench/run` (not for operators):
//!
//! * `bench-reference --listen ADDR` — a bare axum handler returning a fixed string, the
//!   reference that request rates are compared with (same binary, same build profile);
//! * `bench-fixture --kind lesson|start|submit --learners N --commune CODE --out FILE` — N
//!   logged-in learners and one prepared request each, in `hocvuso-load`'s request-file format;
//! * `bench-check --acks FILE` — how many acknowledged submissions are stored;
//! * `bench-contest-rank --entries N` — a closed contest round of N submitted entries (N new
//!   people), then the time to rank it from the raw entries, as `hocvuso contest verify` does;
//! * `bench-reminders --unit CODE --group G` — the preview's count and the queueing of a
//!   reminder to every non-finisher of a group under a unit (the province: every commune), then
//!   one sender round's claim of 1,000 messages; prints the times;
//! * `bench-period --every N [--reporters KINDS|all]` — a monthly reporting period (last month)
//!   for communes and departments (or the kinds given), with every N-th unit's report written
//!   from the live figures and sent, as the province's completeness page reads it; prints the
//!   period's id;
//! * `bench-handbook --articles N` — fill the handbook up to N published articles;
//! * `bench-roster --rows N --out FILE` — write a roster of N people as .xlsx (as an officer's
//!   Excel file would be: text cells, shared strings); `bench-roster --read FILE` — only read
//!   it through the streaming reader (the reference the import is compared with).

use hocvuso_domain::UnitKind;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use axum::routing::get;
use hocvuso::services::setup::bench::{
    contest_ranking_dataset, grant_role, prepare_contest, prepare_learners, submitted_count,
    BENCH_COURSE,
};
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
    /// POST "enter round 1" of a contest every learner joined.
    ContestStart,
    /// POST a right answer sheet and a prediction for a prepared contest entry.
    ContestSubmit,
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
    let contest_kind = matches!(args.kind, Kind::ContestStart | Kind::ContestSubmit);
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
    let contest = if contest_kind {
        Some(
            prepare_contest(
                &state,
                &args.commune,
                &learners,
                matches!(args.kind, Kind::ContestSubmit),
            )
            .await?,
        )
    } else {
        None
    };
    let key = state.cookie_key.as_ref();
    let mut out = String::new();
    for (i, l) in learners.iter().enumerate() {
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
            (Kind::ContestStart, _) => {
                let id = contest.as_ref().map_or(0, |c| c.contest_id);
                let _ = writeln!(
                    out,
                    "POST\t/cuoc-thi/{id}/vong/1/bat-dau\t{cookie}\tcsrf_token={csrf}\t{}",
                    l.person_id
                );
            }
            (Kind::ContestSubmit, _) => {
                let Some((entry, answers)) = contest.as_ref().and_then(|c| c.entries.get(i)) else {
                    anyhow::bail!("learner {} has no contest entry", l.person_id);
                };
                let mut body = format!("csrf_token={csrf}&du_doan={}", i % 100);
                for (q, o) in answers {
                    let _ = write!(body, "&q{q}={o}");
                }
                let _ = writeln!(
                    out,
                    "POST\t/cuoc-thi/bai/{entry}\t{cookie}\t{body}\t{entry}"
                );
            }
        }
    }
    std::fs::write(&args.out, out)?;
    state.db.clone().close().await;
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
    state.db.clone().close().await;
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
    let made = hocvuso::services::setup::bench::synthetic_articles(&state, args.articles).await?;
    state.db.clone().close().await;
    println!("{made} articles added");
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct RosterArgs {
    /// How many people the roster lists.
    #[arg(long, default_value_t = 1_000_000)]
    rows: usize,
    /// Write the roster here (.xlsx).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Only read this roster through the streaming reader and print how long it took.
    #[arg(long)]
    read: Option<PathBuf>,
}

pub async fn roster(
    database: Option<String>,
    config: Option<&Path>,
    args: RosterArgs,
) -> anyhow::Result<ExitCode> {
    if let Some(path) = args.read {
        let bytes = std::fs::read(&path)?;
        let started = std::time::Instant::now();
        let mut rows = 0usize;
        hocvuso_import::stream::read_rows(
            &bytes,
            2_000,
            |_| {},
            |chunk| {
                rows += chunk.len();
                true
            },
        )?;
        println!(
            "RESULT rows={rows} seconds={:.2}",
            started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let Some(out) = args.out else {
        anyhow::bail!("give --out FILE or --read FILE");
    };
    let state = crate::open(database, config, None).await?;
    let communes: Vec<String> = hocvuso_db::repo::org::of_kind(state.db.read(), UnitKind::Commune)
        .await?
        .into_iter()
        .map(|u| u.code)
        .collect();
    state.db.clone().close().await;
    let bytes = synthetic_roster(args.rows, &communes)?;
    std::fs::write(&out, bytes)?;
    println!("{} rows written to {}", args.rows, out.display());
    Ok(ExitCode::SUCCESS)
}

/// A deterministic roster: valid, unique citizen IDs (consistent with birth year and gender)
/// and phone numbers, the communes in turn, most people adults.
fn synthetic_roster(rows: usize, communes: &[String]) -> anyhow::Result<Vec<u8>> {
    const FAMILY: [&str; 10] = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    ];
    const MIDDLE: [&str; 6] = ["Văn", "Thị", "Hữu", "Ngọc", "Minh", "Thanh"];
    const GIVEN: [&str; 12] = [
        "An", "Bình", "Cúc", "Dũng", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Thảo", "Tuấn",
    ];
    const GROUPS: [&str; 10] = [
        "Người dân",
        "Người dân",
        "Người dân",
        "Người dân",
        "Người dân",
        "Người dân",
        "Học sinh",
        "Cán bộ",
        "Người lao động",
        "Đoàn viên",
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số điện thoại",
        "Số định danh cá nhân",
        "Mã xã",
        "Nhóm",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for i in 0..rows {
        let r = i as u32 + 1;
        let year = 1940 + (i * 7 % 70) as i32;
        let female = i % 2 == 1;
        let century = if year >= 2000 { 2 } else { 0 } + u32::from(female);
        let name = format!(
            "{} {} {}",
            FAMILY[i % FAMILY.len()],
            MIDDLE[(i / 10) % MIDDLE.len()],
            GIVEN[(i / 60) % GIVEN.len()]
        );
        let birth = if i % 3 == 0 {
            year.to_string()
        } else {
            format!("{:02}/{:02}/{year}", 1 + i % 28, 1 + i % 12)
        };
        // Most rows carry both keys; some only a phone, some only an ID.
        let phone = (i % 10 != 3).then(|| format!("038{:07}", i % 10_000_000));
        let province = [68, 60, 67, 79][(i / 1_000_000) % 4];
        let id = (i % 10 != 7).then(|| {
            format!(
                "{province:03}{century}{:02}{:06}",
                year % 100,
                i % 1_000_000
            )
        });
        sheet.write_number(r, 0, (i + 1) as f64)?;
        sheet.write_string(r, 1, &name)?;
        sheet.write_string(r, 2, &birth)?;
        sheet.write_string(r, 3, if female { "Nữ" } else { "Nam" })?;
        if let Some(p) = phone {
            sheet.write_string(r, 4, &p)?;
        }
        if let Some(id) = id {
            sheet.write_string(r, 5, &id)?;
        }
        sheet.write_string(r, 6, &communes[i % communes.len()])?;
        sheet.write_string(r, 7, GROUPS[i % GROUPS.len()])?;
    }
    Ok(book.save_to_buffer()?)
}

#[derive(clap::Args)]
pub struct ContestRankArgs {
    #[arg(long, default_value_t = 1_000_000)]
    entries: usize,
    #[arg(long, default_value = "22918")]
    commune: String,
}

/// Makes a closed round of `--entries` entries, ranks it from the raw entries (reading them
/// and sorting, as `hocvuso contest verify` and the first board view do) and prints
/// `RESULT entries=… load_s=… rank_s=…`.
pub async fn contest_rank(
    database: Option<String>,
    config: Option<&Path>,
    args: ContestRankArgs,
) -> anyhow::Result<ExitCode> {
    let state = crate::open(database, config, None).await?;
    let started = std::time::Instant::now();
    let round = contest_ranking_dataset(&state, &args.commune, args.entries).await?;
    let load_s = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let ranked = hocvuso::services::contests::ranking::compute(state.db.read(), round).await?;
    let rank_s = started.elapsed().as_secs_f64();
    state.db.clone().close().await;
    println!(
        "RESULT entries={} people={} all_right={} load_s={load_s:.1} rank_s={rank_s:.2}",
        args.entries,
        ranked.rows.len(),
        ranked.all_right
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct RemindersArgs {
    #[arg(long, default_value = "68")]
    unit: String,
    #[arg(long, default_value = "adults")]
    group: String,
    /// Leave the queue to the servers (the crash test): no claim is timed.
    #[arg(long)]
    no_claim: bool,
}

/// As the province admin: counts who a reminder reaches (the preview), queues it (the send)
/// and claims 1,000 of its messages as a sender would; prints
/// `RESULT unfinished=… queued=… reach_s=… queue_s=… claim_ms=…`.
pub async fn reminders(
    database: Option<String>,
    config: Option<&Path>,
    args: RemindersArgs,
) -> anyhow::Result<ExitCode> {
    use hocvuso::services::reminders::compose::{self, ReminderInput};
    let state = crate::open(database, config, None).await?;
    let unit = hocvuso_db::repo::org::by_code(state.db.read(), &args.unit)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no unit {}", args.unit))?;
    let admin = province_admin(&state, unit.id).await?;
    let input = ReminderInput {
        unit: args.unit.clone(),
        group: args.group.clone(),
        text: "Ba con chua hoc xong bai ky nang so co ban, moi den nha van hoa thon.".to_owned(),
        send_at: String::new(),
    };
    let form = |e: hocvuso::services::shared::form::FormError| anyhow::anyhow!("{e:?}");
    let started = std::time::Instant::now();
    let preview = compose::preview(&state, &admin, &input)
        .await
        .map_err(form)?;
    let reach_s = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let (_, queued) = compose::send(&state, &admin, &input).await.map_err(form)?;
    let queue_s = started.elapsed().as_secs_f64();
    let now = state.clock.now();
    let started = std::time::Instant::now();
    let claimed = if args.no_claim {
        Vec::new()
    } else {
        hocvuso_db::dialect::claim_outbox(
            state.db.write(),
            now,
            now + chrono::Duration::seconds(120),
            hocvuso_db::repo::reminders::BY_SMS,
            1_000,
        )
        .await?
    };
    let claim_ms = started.elapsed().as_secs_f64() * 1000.0;
    state.db.clone().close().await;
    println!(
        "RESULT unfinished={} queued={queued} reach_s={reach_s:.2} queue_s={queue_s:.2} claimed={} claim_ms={claim_ms:.1}",
        preview.reach.unfinished,
        claimed.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// A province administrator acting for unit `unit_id`, for the commands that act as one: a new
/// person (made as a learner) that the rows they write and the audit log point to.
async fn province_admin(
    state: &hocvuso::state::AppState,
    unit_id: i64,
) -> anyhow::Result<hocvuso::services::accounts::sign_in::SessionUser> {
    Ok(hocvuso::services::accounts::sign_in::SessionUser {
        person_id: prepare_learners(state, 1, "22918", false, &mut |_| {})
            .await?
            .first()
            .map(|l| l.person_id)
            .ok_or_else(|| anyhow::anyhow!("no person to act as the province admin"))?,
        full_name: "Quản trị đo".to_owned(),
        roles: vec![(hocvuso_domain::Role::ProvinceAdmin, Some(unit_id))],
        must_change_password: false,
    })
}

#[derive(clap::Args)]
pub struct PeriodArgs {
    /// Every N-th reporting unit sends its report (the others are missing).
    #[arg(long, default_value_t = 2)]
    every: usize,
    /// The kinds of unit that report (comma-separated): the plan's "communes and departments"
    /// by default; `all` for every kind that may report.
    #[arg(long, default_value = "commune,department")]
    reporters: String,
}

/// As the province admin: schedules last month's reporting period for `--reporters` (kinds of
/// unit) and sends every `--every`-th unit's report (figures frozen from the live ones,
/// as a unit's save does); prints `RESULT period=… units=… sent=… seconds=…`.
pub async fn period(
    database: Option<String>,
    config: Option<&Path>,
    args: PeriodArgs,
) -> anyhow::Result<ExitCode> {
    use chrono::Datelike;
    use hocvuso::services::plan::reports::{self, Done, PeriodInput, WrittenInput};
    let state = crate::open(database, config, None).await?;
    let province = hocvuso_db::repo::org::by_code(state.db.read(), "68")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no province unit 68"))?;
    let admin = province_admin(&state, province.id).await?;
    let reporters: Vec<String> = if args.reporters == "all" {
        reports::REPORTER_KINDS
            .iter()
            .map(|k| k.code().to_owned())
            .collect()
    } else {
        args.reporters.split(',').map(str::to_owned).collect()
    };
    let today = hocvuso::clock::vietnam_time(state.clock.now()).date_naive();
    let last_month = today
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    let form = |e: hocvuso::services::shared::form::FormError| anyhow::anyhow!("{e:?}");
    let started = std::time::Instant::now();
    let id = reports::create_period(
        &state,
        &admin,
        &PeriodInput {
            kind: "month".to_owned(),
            year: last_month.year().to_string(),
            number: last_month.month().to_string(),
            due: (today + chrono::Duration::days(7))
                .format("%d/%m/%Y")
                .to_string(),
            reporters: reporters.clone(),
        },
    )
    .await
    .map_err(form)?;
    let units: Vec<String> = hocvuso::services::people::org::tree(&state)
        .await?
        .iter()
        .filter(|u| u.merged_into_id.is_none() && reporters.contains(&u.kind))
        .map(|u| u.code.clone())
        .collect();
    let written = WrittenInput {
        done_work: "Tổ chức 4 lớp bồi dưỡng kỹ năng số cho người dân tại nhà văn hoá thôn."
            .to_owned(),
        difficulties: "Sóng điện thoại yếu ở các thôn vùng cao.".to_owned(),
        proposals: "Hỗ trợ thêm điện thoại thông minh cho hộ nghèo.".to_owned(),
    };
    let mut sent = 0;
    for code in units.iter().step_by(args.every.max(1)) {
        match reports::save(&state, &admin, id, code, &written, true)
            .await
            .map_err(form)?
        {
            Done::Done => sent += 1,
            other => anyhow::bail!("report of {code}: {other:?}"),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    state.db.clone().close().await;
    println!(
        "RESULT period={id} units={} sent={sent} seconds={seconds:.1}",
        units.len()
    );
    Ok(ExitCode::SUCCESS)
}
