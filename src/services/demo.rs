//! `hocvuso demo`: demo accounts for every role, and a scaled, deterministic population of
//! learners with progress spread over the real 124 communes (weights from the rough population
//! file, which is fine for demo data and NOT for official denominators).

use std::collections::BTreeMap;

use hocvuso_db::dialect::sync_id_sequence;
use hocvuso_db::repo::{learning, org, people, settings, stats};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::{Indicator, Role, TargetGroup};
use hocvuso_import::communes::parse_populations;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::accounts::{create_staff, FormError};
use super::Internal;
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

const POPULATION_CSV: &str = include_str!("../../seed/lam-dong-communes-population.csv");
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

async fn generate_people(
    state: &AppState,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(&str),
    report: &mut DemoReport,
) -> Result<(), Internal> {
    let now = state.clock.now();
    let year = state.clock.year();
    let db = state.db.read();
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let pops = parse_populations(POPULATION_CSV).map_err(|e| Internal::Other(e.to_string()))?;
    let communes: BTreeMap<String, org::OrgUnit> = org::of_kind(db, org::KIND_COMMUNE)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let course = learning::course_by_slug(db, "ky-nang-so-co-ban")
        .await?
        .ok_or_else(|| Internal::Other("the basic course is missing".into()))?;
    let lessons: Vec<i64> = learning::lessons(db, course.id)
        .await?
        .iter()
        .map(|l| l.id)
        .collect();

    // People per commune in proportion to population; each commune gets its own
    // participation and pass rate so the dashboard shows real differences.
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
        let participation: f64 = rng.gen_range(0.35..0.95);
        let pass_rate: f64 = rng.gen_range(0.15..0.9);
        plan.push((unit.id, n, participation, pass_rate));
    }

    let mut next_id = people::max_person_id(db).await? + 1;
    let mut done = 0u64;
    let batch = 5_000u64;
    let adults = TargetGroup::Adults.code();
    let indicator = Indicator::DigitalSkills.code();
    let mut denominators = Vec::new();
    for (unit_id, n, participation, pass_rate) in plan {
        denominators.push((unit_id, ((n as f64) / participation).round() as i64));
        let mut left = n;
        while left > 0 {
            let take = left.min(batch);
            left -= take;
            let mut rows = Vec::with_capacity(take as usize);
            let mut finished = Vec::new();
            let mut completions = Vec::new();
            let mut achievements = Vec::new();
            for _ in 0..take {
                let id = next_id;
                next_id += 1;
                let name = format!(
                    "{} {} {}",
                    FAMILY[rng.gen_range(0..FAMILY.len())],
                    MIDDLE[rng.gen_range(0..MIDDLE.len())],
                    GIVEN[rng.gen_range(0..GIVEN.len())]
                )
                .replace("K' ", "K'");
                rows.push(people::BulkPerson {
                    id,
                    full_name: name,
                    birth_year: rng.gen_range(year - 80..=year - 18),
                    residence_unit_id: unit_id,
                });
                let passed = rng.gen_bool(pass_rate);
                let read = if passed {
                    lessons.len()
                } else {
                    rng.gen_range(0..=lessons.len())
                };
                for l in lessons.iter().take(read) {
                    finished.push((id, *l));
                }
                if passed {
                    let code: String = (0..32)
                        .map(|_| b"0123456789abcdefghjkmnpqrstvwxyz"[rng.gen_range(0..32)] as char)
                        .collect();
                    completions.push((id, course.id, code));
                    achievements.push((id, adults, indicator));
                }
            }
            let txn = state.db.write().begin().await?;
            people::bulk_insert_residents(&txn, &rows, adults, now).await?;
            learning::bulk_insert_progress(&txn, &finished, &completions, now).await?;
            stats::bulk_insert_achievements(&txn, &achievements, now).await?;
            txn.commit().await?;
            done += take;
            report.passed += completions.len() as u64;
            progress(&format!("{done}/{} demo learners", opts.people));
        }
    }
    report.people = done;

    let txn = state.db.write().begin().await?;
    sync_id_sequence(&txn, "person").await?;
    for y in [year - 1, year] {
        for (unit_id, d) in &denominators {
            // The population grows a little from one year to the next.
            let people_in_year = if y == year { *d + *d / 100 } else { *d };
            stats::set_denominator(&txn, y, *unit_id, adults, people_in_year, DEMO_SOURCE, now)
                .await?;
        }
    }
    let rebuilt = stats::rebuild_counts(&txn).await?;
    settings::set(&txn, "demo_people", &done.to_string()).await?;
    txn.commit().await?;
    progress(&format!("live counts rebuilt ({rebuilt} rows)"));
    Ok(())
}
