//! `hocvuso demo`: demo accounts for every role, and a scaled, deterministic population of
//! learners with progress spread over the real 124 communes (weights from the rough population
//! file, which is fine for demo data and NOT for official denominators).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};

use hocvuso_db::dialect::sync_id_sequence;
use hocvuso_db::repo::bulk::{self, Batch, BulkPerson};
use hocvuso_db::repo::{org, people, settings, stats};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::person::ADULT_AGE;
use hocvuso_domain::{Indicator, Role, TargetGroup};
use hocvuso_import::communes::parse_populations;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::services::accounts::sign_in::{create_staff, FormError};
use crate::services::Internal;
use crate::state::AppState;

pub const DEMO_PASSWORD: &str = "hocvuso-demo";
/// The commune the demo officer, helper and learner belong to: Phường Xuân Hương - Đà Lạt.
pub const DEMO_COMMUNE: &str = "24781";

/// (phone, name, role, unit code, birth year)
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, &str, i32)] = &[
    (
        "0900000001",
        "Quản Trị Tỉnh",
        Role::ProvinceAdmin,
        "68",
        1980,
    ),
    (
        "0900000002",
        "Cán Bộ Xã",
        Role::UnitOfficer,
        DEMO_COMMUNE,
        1985,
    ),
    (
        "0900000003",
        "Thành Viên Tổ Công Nghệ",
        Role::Helper,
        DEMO_COMMUNE,
        1995,
    ),
    ("0900000004", "Biên Tập Viên", Role::Author, "68", 1990),
    (
        "0900000005",
        "Người Học Mẫu",
        Role::Learner,
        DEMO_COMMUNE,
        1962,
    ),
];

const DEMO_SOURCE: &str = "Dữ liệu minh họa (hocvuso demo), không phải số liệu chính thức";

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Ka", "K'",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu",
];
const GIVEN: &[&str] = &[
    "An", "Bình", "Hoa", "Lan", "Hùng", "Dũng", "Mai", "Hương", "Tuấn", "Nga", "Phúc", "Thảo",
    "Sơn", "Yến", "Khánh", "Điệp", "Nhi", "Brêu", "Liên", "Tâm",
];

pub struct DemoOptions {
    /// How many learners to generate (0 = accounts only).
    pub people: u64,
    pub seed: u64,
}

#[derive(Debug, Default)]
pub struct DemoReport {
    pub accounts: usize,
    pub people: u64,
    pub passed: u64,
    pub skipped_people: bool,
}

pub async fn run(
    state: &AppState,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<DemoReport, Internal> {
    let mut report = DemoReport::default();
    for (phone, name, role, unit, birth) in DEMO_ACCOUNTS {
        let id = create_staff(state, phone, name, DEMO_PASSWORD, *role, unit, Some(*birth))
            .await
            .map_err(|e| match e {
                FormError::Invalid(errs) => Internal::Other(format!("{errs:?}")),
                FormError::Internal(i) => i,
            })?;
        if *role == Role::Learner {
            if let Some(commune) = org::by_code(state.db.read(), unit).await? {
                people::add_membership(
                    state.db.write(),
                    id,
                    TargetGroup::Adults.code(),
                    commune.id,
                    state.clock.now(),
                )
                .await?;
            }
        }
        report.accounts += 1;
    }
    progress(&format!("{} demo accounts ready", report.accounts));

    if opts.people == 0 {
        return Ok(report);
    }
    if settings::get(state.db.read(), "demo_people")
        .await?
        .is_some()
    {
        progress("demo learners were already generated; skipping");
        report.skipped_people = true;
        return Ok(report);
    }
    generate_people(state, opts, progress, &mut report).await?;
    Ok(report)
}

/// Shares of the generated population (rough, for plausible demo data).
const STUDENT_SHARE: f64 = 0.22;
const OFFICIAL_SHARE_OF_WORKING_ADULTS: f64 = 0.06;
const WORKER_SHARE_OF_WORKING_ADULTS: f64 = 0.22;
/// People per transaction: memory stays flat whatever `--people` is.
const BATCH_PEOPLE: u64 = 5_000;

/// A moment between `from` and `now`. Takes exactly one number from the generator whatever the
/// span (an integer range would draw a varying count), so that the same seed makes the same
/// people, courses and passes on any day; only the dates stretch with `now`.
fn random_time(rng: &mut StdRng, from: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let span = (now - from).num_seconds().max(1) as f64;
    let fraction: f64 = rng.gen();
    from + Duration::seconds((span * fraction) as i64)
}

/// One commune's share of the generated people and how far its campaign has come.
struct CommunePlan {
    unit_id: i64,
    people: u64,
    /// Share of people who started the course, and of those who passed it.
    participation: f64,
    pass_rate: f64,
    /// Share of the commune's real population that the generated people are (for denominators).
    coverage: f64,
}

async fn generate_people(
    state: &AppState,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(&str),
    report: &mut DemoReport,
) -> Result<(), Internal> {
    let started = std::time::Instant::now();
    let now = state.clock.now();
    let year = state.clock.year();
    let campaign_start = Utc
        .with_ymd_and_hms(2025, 3, 1, 1, 0, 0)
        .single()
        .filter(|t| *t < now)
        .unwrap_or(now - Duration::days(365));
    let db = state.db.read();
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let pops = parse_populations(crate::services::setup::seed::POPULATION_CSV)
        .map_err(|e| Internal::Other(e.to_string()))?;
    let communes: BTreeMap<String, org::OrgUnit> = org::of_kind(db, org::KIND_COMMUNE)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let catalog = state.catalog.current();
    let course = catalog
        .by_slug("ky-nang-so-co-ban")
        .ok_or_else(|| Internal::Other("the basic course is missing".into()))?;
    let lessons: Vec<i64> = course.lessons.iter().map(|l| l.lesson.id).collect();
    let course = &course.course;
    // Groups for which this course is the whole requirement achieve `digital_skills` with it.
    let achieving: BTreeSet<&'static str> = TargetGroup::ALL
        .iter()
        .map(|g| g.code())
        .filter(|g| catalog.required_for(g) == vec![course.id])
        .collect();

    let total_pop: u64 = pops.iter().map(|p| p.population).sum::<u64>().max(1);
    let mut plan = Vec::new();
    let mut assigned = 0u64;
    for (i, p) in pops.iter().enumerate() {
        let Some(unit) = communes.get(&p.code) else {
            continue;
        };
        let n = if i + 1 == pops.len() {
            opts.people.saturating_sub(assigned)
        } else {
            opts.people * p.population / total_pop
        };
        assigned += n;
        plan.push(CommunePlan {
            unit_id: unit.id,
            people: n,
            participation: rng.gen_range(0.35..0.95),
            pass_rate: rng.gen_range(0.3..0.9),
            coverage: rng.gen_range(0.55..0.95),
        });
    }

    let mut next_id = people::max_person_id(db).await? + 1;
    let mut done = 0u64;
    let mut rows_written = 0usize;
    let indicator = Indicator::DigitalSkills.code();
    let mut counts: BTreeMap<(i64, &'static str, String), i64> = BTreeMap::new();
    let mut members: BTreeMap<(i64, &'static str), i64> = BTreeMap::new();
    let mut batch = Batch::default();
    for c in &plan {
        for _ in 0..c.people {
            if batch.people.len() as u64 >= BATCH_PEOPLE {
                rows_written += write_batch(state, &mut batch).await?;
                progress(&progress_line(done, opts.people, rows_written, started));
            }
            done += 1;
            let id = next_id;
            next_id += 1;
            let name = format!(
                "{} {} {}",
                FAMILY[rng.gen_range(0..FAMILY.len())],
                MIDDLE[rng.gen_range(0..MIDDLE.len())],
                GIVEN[rng.gen_range(0..GIVEN.len())]
            )
            .replace("K' ", "K'");
            let student = rng.gen_bool(STUDENT_SHARE);
            let age = if student {
                rng.gen_range(6..=22)
            } else {
                rng.gen_range(18..=85)
            };
            let joined = random_time(&mut rng, campaign_start, now);
            batch.people.push(BulkPerson {
                id,
                full_name: name,
                birth_year: year - age,
                residence_unit_id: c.unit_id,
                created_at: joined,
            });
            let mut groups: Vec<&'static str> = Vec::with_capacity(3);
            if student {
                groups.push(TargetGroup::Students.code());
            }
            if age >= ADULT_AGE {
                groups.push(TargetGroup::Adults.code());
            }
            if !student && age <= 60 {
                let r: f64 = rng.gen();
                if r < OFFICIAL_SHARE_OF_WORKING_ADULTS {
                    groups.push(TargetGroup::Officials.code());
                } else if r < OFFICIAL_SHARE_OF_WORKING_ADULTS + WORKER_SHARE_OF_WORKING_ADULTS {
                    groups.push(TargetGroup::EnterpriseWorkers.code());
                }
            }
            for g in &groups {
                batch.memberships.push((id, g, c.unit_id, joined));
                *members.entry((c.unit_id, g)).or_default() += 1;
            }
            if !rng.gen_bool(c.participation) {
                continue;
            }
            let passed = rng.gen_bool(c.pass_rate);
            let read = if passed {
                lessons.len()
            } else {
                rng.gen_range(1..=lessons.len().max(1))
            };
            let mut at = random_time(&mut rng, joined, now);
            for l in lessons.iter().take(read) {
                batch.lessons_finished.push((id, *l, at));
                at = (at + Duration::minutes(rng.gen_range(5..3 * 24 * 60))).min(now);
            }
            if passed {
                let code: String = (0..32)
                    .map(|_| b"0123456789abcdefghjkmnpqrstvwxyz"[rng.gen_range(0..32)] as char)
                    .collect();
                batch.completions.push((id, course.id, at, code));
                for g in groups.iter().filter(|g| achieving.contains(*g)) {
                    batch.achievements.push((id, g, indicator, at));
                    *counts
                        .entry((c.unit_id, g, stats::week_of(at)))
                        .or_default() += 1;
                }
                report.passed += 1;
            }
        }
    }
    if !batch.people.is_empty() {
        rows_written += write_batch(state, &mut batch).await?;
    }
    report.people = done;
    progress(&progress_line(done, opts.people, rows_written, started));

    // Live counts for what was loaded, and denominators as if the generated people were the
    // registered share (`coverage`) of each commune's real population.
    let txn = state.db.write().begin().await?;
    sync_id_sequence(&txn, "person").await?;
    for ((unit, group, week), n) in &counts {
        stats::add_to_count(
            &txn,
            *unit,
            group,
            indicator,
            week,
            stats::Delta::of(true, *n),
        )
        .await?;
    }
    for c in &plan {
        for ((unit, group), n) in members.range((c.unit_id, "")..) {
            if *unit != c.unit_id {
                break;
            }
            let real = ((*n as f64) / c.coverage).round() as i64;
            for y in [year - 1, year] {
                // The population grows a little from one year to the next.
                let people_in_year = if y == year { real + real / 100 } else { real };
                stats::set_denominator(&txn, y, *unit, group, people_in_year, DEMO_SOURCE, now)
                    .await?;
            }
        }
    }
    settings::set(&txn, "demo_people", &opts.people.to_string()).await?;
    txn.commit().await?;
    progress(&format!(
        "live counts and denominators written; {:.1} s in all",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

async fn write_batch(state: &AppState, batch: &mut Batch) -> Result<usize, Internal> {
    let rows = batch.rows();
    let txn = state.db.write().begin().await?;
    bulk::insert_batch(&txn, batch).await?;
    txn.commit().await?;
    *batch = Batch::default();
    Ok(rows)
}

fn progress_line(done: u64, total: u64, rows: usize, started: std::time::Instant) -> String {
    let secs = started.elapsed().as_secs_f64().max(0.001);
    format!(
        "{done}/{total} people, {rows} rows, {secs:.1} s ({:.0} rows/s)",
        rows as f64 / secs
    )
}
