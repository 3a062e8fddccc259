//! `hocvuso demo`: demo accounts for every role, and a scaled, deterministic population of
//! learners with progress spread over the real 124 communes (weights from the rough population
//! file, which is fine for demo data and NOT for official denominators).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};

use hocvuso_db::dialect::sync_id_sequence;
use hocvuso_db::repo::bulk::{self, Batch, BulkPerson};
use hocvuso_db::repo::{org, people, settings, stats};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::person::ADULT_AGE;
use hocvuso_domain::{Indicator, Role, TargetGroup, UnitKind};
use hocvuso_import::communes::parse_populations;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::services::accounts::sign_in::create_staff;
use crate::services::runtime::Runtime;
use crate::services::shared::form::FormError;
use crate::services::Internal;

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
    state: &Runtime,
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
    demo_contest(state).await?;
    progress("a demo contest: round 1 over (ranked), round 2 open this week");
    demo_plan(state).await?;
    progress("progress notes on four of the plan's tasks");
    demo_honours(state).await?;
    progress("two initiatives on the honour roll, one waiting for review");
    demo_news(state).await?;
    progress("three news items (two public from the province, one for the ward's people)");
    // The planner learns the new sizes now, not when autovacuum gets round to it (a commune
    // page right after a 4-million-person load was planned as if the tables were empty).
    hocvuso_db::dialect::refresh_statistics(
        state.db.write(),
        &[
            "person",
            "membership",
            "lesson_progress",
            "course_completion",
            "achievement",
            "org_unit",
            "denominator",
            "indicator_count",
            "indicator_week",
        ],
    )
    .await?;
    Ok(report)
}

/// Shares of the generated population (rough, for plausible demo data).
const STUDENT_SHARE: f64 = 0.22;
const OFFICIAL_SHARE_OF_WORKING_ADULTS: f64 = 0.06;
const WORKER_SHARE_OF_WORKING_ADULTS: f64 = 0.22;
const ARMED_FORCES_SHARE_OF_WORKING_ADULTS: f64 = 0.03;
/// Share of people aged 16 to 30 who are youth-union members, and of those who serve in the
/// commune's community technology team rather than a union branch.
const YOUTH_SHARE: f64 = 0.35;
const TEAM_SHARE_OF_YOUTH: f64 = 0.2;
/// People per transaction: memory stays flat whatever `--people` is.
const BATCH_PEOPLE: u64 = 5_000;

/// The units the demo makes under each commune: (code suffix, name, kind).
const SUB_UNITS: &[(&str, &str, UnitKind)] = &[
    ("T1", "Thôn 1", UnitKind::Village),
    ("T2", "Thôn 2", UnitKind::Village),
    ("TH", "Trường Tiểu học", UnitKind::School),
    ("THCS", "Trường Trung học cơ sở", UnitKind::School),
    ("THPT", "Trường Trung học phổ thông", UnitKind::School),
    ("HTX", "Hợp tác xã nông nghiệp", UnitKind::Cooperative),
    ("DN", "Công ty TNHH Du lịch", UnitKind::Enterprise),
    ("DTN", "Đoàn Thanh niên", UnitKind::YouthBranch),
    ("TCN", "Tổ Công nghệ số cộng đồng", UnitKind::DigitalTeam),
];

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
    /// `code suffix → unit id` of the units made under it.
    sub: BTreeMap<&'static str, i64>,
    people: u64,
    /// Share of people who started learning, and the chance of passing each course.
    participation: f64,
    pass_rate: f64,
    /// Share of the commune's real population that the generated people are (for denominators).
    coverage: f64,
}

impl CommunePlan {
    fn unit(&self, suffix: &str) -> i64 {
        self.sub.get(suffix).copied().unwrap_or(self.unit_id)
    }
}

/// A course the demo's learners take: its id and lessons.
struct DemoCourse {
    id: i64,
    lessons: Vec<i64>,
}

/// The courses each group's people take (for students, the course of their school level,
/// which counts as the students' course), in the order they take them.
fn courses_for(
    catalog: &crate::services::learning::catalog::Catalog,
    group: &str,
    age: i32,
) -> Vec<DemoCourse> {
    let demo = |c: &crate::services::learning::catalog::CatalogCourse| DemoCourse {
        id: c.course.id,
        lessons: c.lessons.iter().map(|l| l.lesson.id).collect(),
    };
    let mut out: Vec<DemoCourse> = catalog
        .required_for(group)
        .into_iter()
        .filter_map(|id| catalog.by_id(id).map(demo))
        .collect();
    if group == TargetGroup::Students.code() {
        let level = match age {
            ..=10 => "ky-nang-so-hoc-sinh-tieu-hoc",
            11..=14 => "ky-nang-so-hoc-sinh-thcs",
            _ => "ky-nang-so-hoc-sinh-thpt-sinh-vien",
        };
        if let Some(c) = catalog.by_slug(level) {
            out = vec![demo(c)];
        }
    }
    out
}

async fn generate_people(
    state: &Runtime,
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
    let communes: BTreeMap<String, org::OrgUnit> = org::of_kind(db, UnitKind::Commune)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let catalog = state.catalog.current();

    // Villages, schools, a cooperative, an enterprise, a union branch and a community
    // technology team under every commune, so that every level of the drill-down has figures.
    let txn = state.db.write().begin().await?;
    let mut sub_units: BTreeMap<i64, BTreeMap<&'static str, i64>> = BTreeMap::new();
    for commune in communes.values() {
        let place = commune
            .name
            .split_once(' ')
            .map(|(_, rest)| rest)
            .unwrap_or(&commune.name);
        for (suffix, name, kind) in SUB_UNITS {
            let code = format!("{}-{suffix}", commune.code);
            let unit = match org::by_code(&txn, &code).await? {
                Some(u) => u,
                None => {
                    org::insert(
                        &txn,
                        org::NewUnit {
                            code: &code,
                            name: &format!("{name} {place}"),
                            kind: *kind,
                            commune_type: None,
                            parent: Some(commune),
                        },
                        now,
                    )
                    .await?
                }
            };
            sub_units
                .entry(commune.id)
                .or_default()
                .insert(suffix, unit.id);
        }
    }
    txn.commit().await?;
    progress(&format!(
        "{} units made under the communes",
        communes.len() * SUB_UNITS.len()
    ));

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
            sub: sub_units.remove(&unit.id).unwrap_or_default(),
            people: n,
            participation: rng.gen_range(0.35..0.95),
            pass_rate: rng.gen_range(0.45..0.95),
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
            // (group, the unit the person belongs to in it)
            let mut groups: Vec<(&'static str, i64)> = Vec::with_capacity(3);
            let mut class: Option<String> = None;
            if student {
                let school = match age {
                    ..=10 => c.unit("TH"),
                    11..=14 => c.unit("THCS"),
                    15..=17 => c.unit("THPT"),
                    // University students are counted where they live.
                    _ => c.unit_id,
                };
                groups.push((TargetGroup::Students.code(), school));
                // A pupil's class: the grade from the age, the letter from the id (no draw
                // from the generator, so the rest of the data stays as it was).
                if age <= 17 {
                    let letter = if id % 2 == 0 { 'A' } else { 'B' };
                    class = Some(format!("{}{letter}", (age - 5).clamp(1, 12)));
                }
            }
            if age >= ADULT_AGE {
                let village = if rng.gen_bool(0.5) { "T1" } else { "T2" };
                groups.push((TargetGroup::Adults.code(), c.unit(village)));
            }
            if !student && age <= 60 {
                let r: f64 = rng.gen();
                let officials = OFFICIAL_SHARE_OF_WORKING_ADULTS;
                let workers = officials + WORKER_SHARE_OF_WORKING_ADULTS;
                let armed = workers + ARMED_FORCES_SHARE_OF_WORKING_ADULTS;
                if r < officials {
                    groups.push((TargetGroup::Officials.code(), c.unit_id));
                } else if r < workers {
                    let employer = if rng.gen_bool(0.6) { "HTX" } else { "DN" };
                    groups.push((TargetGroup::EnterpriseWorkers.code(), c.unit(employer)));
                } else if r < armed && age <= 45 {
                    groups.push((TargetGroup::ArmedForces.code(), c.unit_id));
                }
            }
            if (16..=30).contains(&age) && rng.gen_bool(YOUTH_SHARE) {
                let branch = if rng.gen_bool(TEAM_SHARE_OF_YOUTH) {
                    "TCN"
                } else {
                    "DTN"
                };
                groups.push((TargetGroup::YouthMembers.code(), c.unit(branch)));
            }
            for (g, unit) in &groups {
                let class = (*g == TargetGroup::Students.code())
                    .then(|| class.clone())
                    .flatten();
                batch.memberships.push((id, g, *unit, joined, class));
                *members.entry((*unit, g)).or_default() += 1;
            }
            if !rng.gen_bool(c.participation) {
                continue;
            }
            // The courses the person's groups need, each once, in order.
            let mut courses: Vec<DemoCourse> = Vec::new();
            for (g, _) in &groups {
                for k in courses_for(&catalog, g, age) {
                    if !courses.iter().any(|x| x.id == k.id) {
                        courses.push(k);
                    }
                }
            }
            let mut at = random_time(&mut rng, joined, now);
            let mut completed: BTreeMap<i64, DateTime<Utc>> = BTreeMap::new();
            for course in &courses {
                let passed = rng.gen_bool(c.pass_rate);
                let read = if passed {
                    course.lessons.len()
                } else {
                    rng.gen_range(1..=course.lessons.len().max(1))
                };
                for l in course.lessons.iter().take(read) {
                    batch.lessons_finished.push((id, *l, at));
                    at = (at + Duration::minutes(rng.gen_range(5..3 * 24 * 60))).min(now);
                }
                if !passed {
                    break;
                }
                let code: String = (0..32)
                    .map(|_| b"0123456789abcdefghjkmnpqrstvwxyz"[rng.gen_range(0..32)] as char)
                    .collect();
                batch.completions.push((id, course.id, at, code));
                completed.insert(course.id, at);
                at = (at + Duration::minutes(rng.gen_range(5..7 * 24 * 60))).min(now);
            }
            if completed.is_empty() {
                continue;
            }
            report.passed += 1;
            // The spine: each group whose courses are all done, dated by the last of them.
            for (g, unit) in &groups {
                if let Some(met) = catalog.met_at(g, |k| completed.get(&k).copied()) {
                    batch.achievements.push((id, g, indicator, met));
                    *counts.entry((*unit, g, stats::week_of(met))).or_default() += 1;
                }
            }
        }
    }
    if !batch.people.is_empty() {
        rows_written += write_batch(state, &mut batch).await?;
    }
    report.people = done;
    progress(&progress_line(done, opts.people, rows_written, started));

    // Live counts for what was loaded, and denominators as if the generated people were the
    // registered share (`coverage`) of each commune's real population: for every unit that has
    // members, and for the commune as a whole.
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
    let mut denominators = Vec::new();
    for c in &plan {
        let mut commune_total: BTreeMap<&'static str, i64> = BTreeMap::new();
        let units = std::iter::once(c.unit_id).chain(c.sub.values().copied());
        for unit in units {
            for ((_, group), n) in members
                .range((unit, "")..)
                .take_while(|((u, _), _)| *u == unit)
            {
                *commune_total.entry(group).or_default() += *n;
                if unit != c.unit_id {
                    demo_denominators(&mut denominators, year, unit, group, *n, c.coverage);
                }
            }
        }
        for (group, n) in commune_total {
            demo_denominators(&mut denominators, year, c.unit_id, group, n, c.coverage);
        }
    }
    stats::set_denominators(&txn, &denominators, DEMO_SOURCE, now).await?;
    settings::set(&txn, "demo_people", &opts.people.to_string()).await?;
    txn.commit().await?;
    progress(&format!(
        "live counts and denominators written; {:.1} s in all",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// A unit's demo denominators for last year and this one: its generated members as the
/// registered share `coverage` of its real people (who grow a little from year to year).
fn demo_denominators(
    out: &mut Vec<(i32, i64, &'static str, i64)>,
    year: i32,
    unit: i64,
    group: &'static str,
    members: i64,
    coverage: f64,
) {
    let real = ((members as f64) / coverage).round() as i64;
    for y in [year - 1, year] {
        let people_in_year = if y == year { real + real / 100 } else { real };
        out.push((y, unit, group, people_in_year));
    }
}

async fn write_batch(state: &Runtime, batch: &mut Batch) -> Result<usize, Internal> {
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

/// People who took part in the demo contest's first round (at most).
const CONTEST_ENTRANTS: u64 = 3_000;

/// A province-wide contest to show: round 1 last week with entries of the first generated
/// people (scores, predictions and times spread deterministically), round 2 open this week,
/// prizes set and not yet awarded (round 2 is not over).
async fn demo_contest(state: &Runtime) -> Result<(), Internal> {
    use hocvuso_db::repo::contests;
    let now = state.clock.now();
    let db = state.db.read();
    let province = org::by_code(db, "68")
        .await?
        .ok_or_else(|| Internal::Other("no province unit".into()))?;
    let admin = people::person_by_phone(db, "0900000001")
        .await?
        .map(|p| p.id)
        .ok_or_else(|| Internal::Other("no demo province admin".into()))?;
    let catalog = state.catalog.current();
    let Some(course) = catalog.by_slug("ky-nang-so-co-ban") else {
        return Ok(());
    };
    let entrants = people::first_residents(db, CONTEST_ENTRANTS).await?;
    let txn = state.db.write().begin().await?;
    let contest_id = contests::insert_contest(
        &txn,
        &contests::NewContest {
            unit_id: province.id,
            title: "Cuộc thi tìm hiểu “Bình dân học vụ số” tỉnh Lâm Đồng (minh họa)",
            description: "Cuộc thi trực tuyến hằng tuần về kỹ năng số cơ bản: dịch vụ công trực tuyến, định danh điện tử, thanh toán không dùng tiền mặt, phòng tránh lừa đảo.\nDữ liệu minh họa (hocvuso demo).",
            audience_units: "",
            audience_groups: "",
        },
        admin,
        now,
    )
    .await?;
    let week = chrono::Duration::days(7);
    let mut round_ids = Vec::new();
    for (number, opens) in [(1, now - week * 2), (2, now - chrono::Duration::days(1))] {
        round_ids.push(
            contests::insert_round(
                &txn,
                &contests::NewRound {
                    contest_id,
                    number,
                    title: &format!("Vòng {number}"),
                    opens_at: opens,
                    closes_at: opens + week,
                    course_id: course.course.id,
                    question_count: 10,
                    draw_by: "",
                    minutes: 20,
                    attempts: 1,
                    prediction: crate::services::contests::organise::DEFAULT_PREDICTION,
                },
            )
            .await?,
        );
    }
    contests::insert_entrants(&txn, contest_id, &entrants, now - week * 2).await?;
    let rows: Vec<contests::LoadedEntry> = entrants
        .iter()
        .enumerate()
        .map(|(i, (person, _))| {
            let h = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            contests::LoadedEntry {
                round_id: round_ids[0],
                person_id: *person,
                total: 10,
                right_count: (4 + h % 7) as i32,
                prediction: ((h >> 8) % 600) as i64,
                started_at: now - week * 2 + chrono::Duration::minutes((i % 9_000) as i64),
                time_ms: 120_000 + ((h >> 20) % 1_000_000) as i64,
            }
        })
        .collect();
    contests::load_entries(&txn, &rows).await?;
    let prize = |kind, position, label: &str, winners| contests::NewPrize {
        kind,
        position,
        label: label.to_owned(),
        winners,
    };
    contests::replace_prizes(
        &txn,
        contest_id,
        &[
            prize(contests::FOR_PERSON, 1, "Giải Nhất", 1),
            prize(contests::FOR_PERSON, 2, "Giải Nhì", 2),
            prize(contests::FOR_PERSON, 3, "Giải Ba", 3),
            prize(contests::FOR_PERSON, 4, "Giải Khuyến khích", 5),
            prize(contests::FOR_UNIT, 1, "Giải tập thể", 3),
        ],
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Progress notes on a few of the plan's tasks (as the province would have written them), so
/// the board of `/ke-hoach` shows tasks on track, done and late.
async fn demo_plan(state: &Runtime) -> Result<(), Internal> {
    use hocvuso_db::repo::plan;
    let now = state.clock.now();
    let today = crate::clock::vietnam_time(now).date_naive();
    let db = state.db.read();
    let admin = people::person_by_phone(db, "0900000001")
        .await?
        .map(|p| p.id)
        .ok_or_else(|| Internal::Other("no demo province admin".into()))?;
    let tasks = plan::tasks(db).await?;
    let notes: [(&str, &str, i64, &str); 4] = [
        (
            "1",
            plan::ON_TRACK,
            20,
            "Đã phát hành 12 tin, bài trên Cổng thông tin điện tử tỉnh và ứng dụng Công dân số Lâm Đồng; tổ chức 2 tọa đàm chuyên đề.",
        ),
        (
            "3",
            plan::ON_TRACK,
            9,
            "Nền tảng học tập và Sổ tay điện tử đã vận hành; số liệu theo dõi trực tiếp trên trang Thống kê.",
        ),
        (
            "4.1",
            plan::BEHIND,
            35,
            "Đã mở 3 lớp AI cho cán bộ cấp tỉnh; các xã chưa bố trí được giảng viên, đề nghị Sở Nội vụ hỗ trợ.",
        ),
        (
            "2",
            plan::DONE,
            60,
            "Đã có văn bản của Ủy ban nhân dân tỉnh yêu cầu cán bộ, công chức, viên chức tự học qua nền tảng.",
        ),
    ];
    let txn = state.db.write().begin().await?;
    for (code, status, days_ago, note) in notes {
        let Some(task) = tasks.iter().find(|t| t.code == code) else {
            continue;
        };
        let day = today - chrono::Duration::days(days_ago);
        plan::insert_update(&txn, task.id, status, note, day, admin, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Initiatives on the honour roll (two accepted by the province this year) and one waiting for
/// its review, so `/ton-vinh` and the proposals' list have something to show.
async fn demo_honours(state: &Runtime) -> Result<(), Internal> {
    use hocvuso_db::repo::honours;
    let now = state.clock.now();
    let year = chrono::Datelike::year(&crate::clock::vietnam_time(now));
    let db = state.db.read();
    let person = |phone: &'static str| async move {
        people::person_by_phone(db, phone)
            .await?
            .map(|p| p.id)
            .ok_or_else(|| Internal::Other(format!("no demo account {phone}")))
    };
    let (admin, officer) = (person("0900000001").await?, person("0900000002").await?);
    let Some(ward) = org::by_code(db, "24781").await? else {
        return Ok(());
    };
    let proposals: [(&str, &str, &str, &str, bool); 3] = [
        (
            honours::COLLECTIVE,
            "Tổ công nghệ số cộng đồng tổ dân phố 3",
            "“Cà phê số” sáng chủ nhật",
            "Mỗi sáng chủ nhật, tổ mở quán cà phê của tổ dân phố để hướng dẫn bà con cài VNeID, nộp hồ sơ dịch vụ công trực tuyến và nhận biết tin nhắn lừa đảo; sau sáu tháng, 412 người đã được hướng dẫn.",
            true,
        ),
        (
            honours::INDIVIDUAL,
            "Nguyễn Thị Hạnh",
            "Góc “Hỏi nhanh – Làm ngay” ở chợ Đà Lạt",
            "Tiểu thương ở chợ Đà Lạt; mỗi sáng thứ bảy đặt một bàn ở cổng chợ hướng dẫn các tiểu thương khác mở tài khoản thanh toán và nhận tiền bằng mã QR: 186 tiểu thương đã dùng mã QR.",
            true,
        ),
        (
            honours::COLLECTIVE,
            "Chi đoàn thanh niên phường Xuân Hương",
            "Thanh niên tình nguyện hướng dẫn người cao tuổi dùng điện thoại",
            "Đoàn viên đến từng nhà người cao tuổi, hướng dẫn gọi video, dùng VNeID và cảnh giác với cuộc gọi giả danh công an.",
            false,
        ),
    ];
    let txn = state.db.write().begin().await?;
    for (kind, nominee, title, description, accepted) in proposals {
        let id = honours::insert(
            &txn,
            ward.id,
            &honours::Content {
                kind,
                nominee,
                title,
                description,
                year,
            },
            officer,
            now,
        )
        .await?;
        honours::add_step(&txn, id, honours::SUBMITTED, "", officer, now).await?;
        if accepted {
            honours::set_status(&txn, id, honours::SUBMITTED, honours::ACCEPTED, now).await?;
            honours::add_step(&txn, id, honours::ACCEPTED, "", admin, now).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// News: two public items of the province and one for the demo ward's people only (the demo
/// learner sees it on their home page), so `/tin-tuc` and the feed have something to show.
async fn demo_news(state: &Runtime) -> Result<(), Internal> {
    use hocvuso_db::repo::news;
    let now = state.clock.now();
    let db = state.db.read();
    let (Some(admin), Some(officer)) = (
        people::person_by_phone(db, "0900000001").await?,
        people::person_by_phone(db, "0900000002").await?,
    ) else {
        return Ok(());
    };
    let (Some(province), Some(ward)) = (
        org::by_code(db, "68").await?,
        org::by_code(db, DEMO_COMMUNE).await?,
    ) else {
        return Ok(());
    };
    let items: [(i64, i64, &str, &str, bool, i64); 3] = [
        (
            province.id,
            admin.id,
            "Phát động phong trào “Bình dân học vụ số” trên toàn tỉnh",
            "Ủy ban nhân dân tỉnh phát động phong trào **“Bình dân học vụ số”**: mỗi người dân học kỹ năng số cơ bản, miễn phí, ngay trên điện thoại.\n\n## Học ở đâu?\n\n- Trên trang này: mục [Học tập](/hoc).\n- Tại các lớp của Tổ công nghệ số cộng đồng ở xã, phường.\n\nHọc xong và làm bài kiểm tra đạt, bạn nhận chứng nhận có mã QR.",
            true,
            6,
        ),
        (
            province.id,
            admin.id,
            "Hội thi tìm hiểu kỹ năng số: vòng 2 mở tuần này",
            "Vòng 2 của hội thi mở cả tuần. Mỗi người được thi một lần; xếp hạng theo số câu đúng, rồi dự đoán gần nhất, rồi thời gian làm bài. Xem thể lệ và tham gia tại mục [Cuộc thi](/cuoc-thi).",
            true,
            1,
        ),
        (
            ward.id,
            officer.id,
            "“Cà phê số” sáng chủ nhật tại tổ dân phố 3",
            "Sáng chủ nhật này, từ 7 giờ 30, Tổ công nghệ số cộng đồng hướng dẫn bà con cài VNeID, nộp hồ sơ dịch vụ công trực tuyến và nhận biết tin nhắn lừa đảo. Mang theo điện thoại và căn cước.",
            false,
            0,
        ),
    ];
    let txn = state.db.write().begin().await?;
    for (unit_id, by, title, body, public, days_ago) in items {
        news::insert(
            &txn,
            &news::NewItem {
                unit_id,
                title,
                body,
                groups: "",
                public,
                publish_at: now - chrono::Duration::days(days_ago),
                expires_at: None,
                image_alt: "",
            },
            by,
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
