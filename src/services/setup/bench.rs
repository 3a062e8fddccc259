//! Fixtures for the benchmarks (`bench/run`): many logged-in learners at once, made directly in
//! the database (one password hash shared by all, so that setting up 40,000 learners does not
//! take 40,000 argon2 runs). Never used by the web server.

use chrono::Duration;
use hocvuso_db::repo::{learning, org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::{Role, TargetGroup};

use crate::services::accounts::sign_in::{hash_password, session_hash, SESSION_DAYS};
use crate::services::runtime::Runtime;
use crate::services::{hex, random_bytes, Internal};

/// A ready learner: a raw session id for the cookie and, if asked, an open quiz attempt with
/// its right answers as `(question id, option id)`.
pub struct BenchLearner {
    pub person_id: i64,
    pub raw_session: String,
    pub attempt: Option<(i64, Vec<(i64, i64)>)>,
}

pub const BENCH_COURSE: &str = "ky-nang-so-co-ban";

/// Makes `n` adult learners of a commune, each logged in; with `attempts`, each has an open
/// attempt at the basic course's quiz.
pub async fn prepare_learners(
    state: &Runtime,
    n: usize,
    commune_code: &str,
    attempts: bool,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<BenchLearner>, Internal> {
    let now = state.clock.now();
    let db = state.db.read();
    let commune = org::by_code(db, commune_code)
        .await?
        .ok_or_else(|| Internal::Other(format!("no unit {commune_code}")))?;
    let catalog = state.catalog.current();
    let course = catalog
        .by_slug(BENCH_COURSE)
        .ok_or_else(|| Internal::Other("the basic course is missing".into()))?;
    let catalog_course = course;
    let key: Vec<(i64, i64)> = course
        .questions
        .iter()
        .flat_map(|q| q.options.iter().filter(|o| o.is_correct))
        .map(|o| (o.question_id, o.id))
        .collect();
    let course = &course.course;
    let hash = hash_password(state, hex(&random_bytes::<16>())).await?;
    let mut out = Vec::with_capacity(n);
    for chunk_start in (0..n).step_by(500) {
        let txn = state.db.write().begin().await?;
        for i in chunk_start..(chunk_start + 500).min(n) {
            let name = format!("Người Học Thử {}", i + 1);
            let person = people::insert_person(
                &txn,
                people::NewPerson {
                    full_name: &name,
                    phone: None,
                    birth_year: Some(1970),
                    residence_unit_id: Some(commune.id),
                    confirmed_via: Some("roster"),
                },
                now,
            )
            .await?;
            people::insert_account(&txn, person.id, &hash, now).await?;
            people::grant_role(&txn, person.id, Role::Learner.code(), None, now).await?;
            people::add_membership(&txn, person.id, TargetGroup::Adults.code(), commune.id, now)
                .await?;
            let raw = hex(&random_bytes::<32>());
            people::insert_session(
                &txn,
                &session_hash(&raw),
                person.id,
                now,
                now + Duration::days(SESSION_DAYS),
            )
            .await?;
            let attempt = if attempts {
                let drawn = catalog_course.draw();
                let made =
                    learning::insert_attempts(&txn, &[(person.id, course.id, drawn.clone())], now)
                        .await?;
                // The right answers to the questions this attempt drew (and no other: answers
                // to questions outside the attempt are refused).
                let answers: Vec<(i64, i64)> = key
                    .iter()
                    .filter(|(q, _)| drawn.contains(q))
                    .copied()
                    .collect();
                made.first().map(|a| (a.id, answers))
            } else {
                None
            };
            out.push(BenchLearner {
                person_id: person.id,
                raw_session: raw,
                attempt,
            });
        }
        txn.commit().await?;
        progress(out.len());
    }
    Ok(out)
}

/// How many of these attempts are stored as submitted.
pub async fn submitted_count(state: &Runtime, attempt_ids: &[i64]) -> Result<usize, Internal> {
    let mut stored = 0;
    for chunk in attempt_ids.chunks(500) {
        stored += learning::submitted_among(state.db.read(), chunk).await?;
    }
    Ok(stored)
}

/// Grants a role scoped to a unit to each of these people.
pub async fn grant_role(
    state: &Runtime,
    person_ids: &[i64],
    role: Role,
    unit_code: &str,
) -> Result<(), Internal> {
    let unit = org::by_code(state.db.read(), unit_code)
        .await?
        .ok_or_else(|| Internal::Other(format!("no unit {unit_code}")))?;
    let txn = state.db.write().begin().await?;
    for id in person_ids {
        people::grant_role(&txn, *id, role.code(), Some(unit.id), state.clock.now()).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Adds published articles until the handbook has `total`, made from the shipped ones (a title
/// with a number, and paragraphs of two shipped articles interleaved), so that search runs over
/// a realistic vocabulary at the size of a large national handbook. Deterministic.
pub async fn synthetic_articles(state: &Runtime, total: usize) -> Result<usize, Internal> {
    use hocvuso_db::repo::handbook as repo;
    let shipped = crate::content::shipped_handbook().map_err(|e| Internal::Other(e.to_string()))?;
    let chapters = repo::chapters(state.db.read()).await?;
    let have = repo::articles(state.db.read()).await?.len();
    let now = state.clock.now();
    let mut made = 0;
    let n = shipped.articles.len();
    let mut i = have;
    while i < total {
        let txn = state.db.write().begin().await?;
        for _ in 0..500 {
            if i >= total {
                break;
            }
            let a = &shipped.articles[i % n];
            let b = &shipped.articles[(i * 7 + 3) % n];
            // As long as a real article: paragraphs taken from `a` and `b` in turn.
            let mut body = String::new();
            let pa: Vec<&str> = a.body.split("\n\n").collect();
            let pb: Vec<&str> = b.body.split("\n\n").collect();
            for k in 0..pa.len() {
                let p = if k % 2 == 0 { pa.get(k) } else { pb.get(k) };
                if let Some(p) = p.or(pa.get(k)) {
                    body.push_str(p);
                    body.push_str("\n\n");
                }
            }
            let chapter = &chapters[i % chapters.len()];
            let slug = format!("bai-mau-{i}");
            let article = repo::insert_article(&txn, &slug, chapter.id, i as i32, now).await?;
            let rev = repo::add_revision(
                &txn,
                article.id,
                repo::NewRevision {
                    title: &format!("{} (bài mẫu {i})", a.front.title),
                    summary: &b.front.summary,
                    keywords: &a.front.keywords.join(", "),
                    related: "",
                    body_md: &body,
                    author_id: None,
                },
                now,
            )
            .await?;
            repo::set_published(&txn, article.id, Some(rev.number), now).await?;
            i += 1;
            made += 1;
        }
        txn.commit().await?;
    }
    Ok(made)
}

/// A contest of a commune for benchmarks: one round of ten questions of the basic course, open
/// from a minute ago to tomorrow, one attempt, an hour allowed; every one of `learners` joined.
/// With `entries`, each has started the round: `(entry id, the right answers)` per learner.
pub struct BenchContest {
    pub contest_id: i64,
    pub entries: Vec<(i64, Vec<(i64, i64)>)>,
}

pub async fn prepare_contest(
    state: &Runtime,
    commune_code: &str,
    learners: &[BenchLearner],
    entries: bool,
) -> Result<BenchContest, Internal> {
    use hocvuso_db::repo::contests;
    let now = state.clock.now();
    let db = state.db.read();
    let commune = org::by_code(db, commune_code)
        .await?
        .ok_or_else(|| Internal::Other(format!("no unit {commune_code}")))?;
    let catalog = state.catalog.current();
    let course = catalog
        .by_slug(BENCH_COURSE)
        .ok_or_else(|| Internal::Other("the basic course is missing".into()))?;
    let creator = learners
        .first()
        .map(|l| l.person_id)
        .ok_or_else(|| Internal::Other("no learners".into()))?;
    let txn = state.db.write().begin().await?;
    let contest_id = contests::insert_contest(
        &txn,
        &contests::NewContest {
            unit_id: commune.id,
            title: "Cuộc thi đo tải",
            description: "",
            audience_units: "",
            audience_groups: "",
        },
        creator,
        now,
    )
    .await?;
    let round_id = contests::insert_round(
        &txn,
        &contests::NewRound {
            contest_id,
            number: 1,
            title: "Vòng 1",
            opens_at: now - Duration::minutes(1),
            closes_at: now + Duration::days(1),
            course_id: course.course.id,
            question_count: 10,
            draw_by: "",
            minutes: 60,
            attempts: 1,
            prediction: crate::services::contests::organise::DEFAULT_PREDICTION,
        },
    )
    .await?;
    let joined: Vec<(i64, i64)> = learners.iter().map(|l| (l.person_id, commune.id)).collect();
    contests::insert_entrants(&txn, contest_id, &joined, now).await?;
    let mut out = Vec::new();
    if entries {
        let round = contests::round_by_id(&txn, round_id)
            .await?
            .ok_or_else(|| Internal::Other("round".into()))?;
        let key: Vec<(i64, i64)> = course
            .questions
            .iter()
            .flat_map(|q| q.options.iter().filter(|o| o.is_correct))
            .map(|o| (o.question_id, o.id))
            .collect();
        let mut new = Vec::with_capacity(learners.len());
        for l in learners {
            let drawn = crate::services::contests::play::draw(&catalog, &round)
                .ok_or_else(|| Internal::Other("empty bank".into()))?;
            new.push(contests::NewEntry {
                round_id,
                person_id: l.person_id,
                attempt_no: 1,
                questions: drawn,
                deadline_at: now + Duration::minutes(60),
            });
        }
        for e in contests::insert_entries(&txn, &new, now).await? {
            let drawn = crate::services::contests::play::question_ids(&e);
            let answers = key
                .iter()
                .filter(|(q, _)| drawn.contains(q))
                .copied()
                .collect();
            out.push((e.id, answers));
        }
    }
    txn.commit().await?;
    Ok(BenchContest {
        contest_id,
        entries: out,
    })
}

/// A closed round with `n` submitted entries of `n` new people (made in bulk), for timing the
/// ranking. Returns the round id. Right answers, predictions and times are spread
/// deterministically so that every tie-break is used.
pub async fn contest_ranking_dataset(
    state: &Runtime,
    commune_code: &str,
    n: usize,
) -> Result<i64, Internal> {
    use hocvuso_db::repo::{bulk, contests};
    let now = state.clock.now();
    let db = state.db.read();
    let commune = org::by_code(db, commune_code)
        .await?
        .ok_or_else(|| Internal::Other(format!("no unit {commune_code}")))?;
    let course = state
        .catalog
        .current()
        .by_slug(BENCH_COURSE)
        .map(|c| c.course.id)
        .ok_or_else(|| Internal::Other("the basic course is missing".into()))?;
    let first = people::max_person_id(db).await? + 1;
    // People, in batches of 20,000.
    for start in (0..n).step_by(20_000) {
        let txn = state.db.write().begin().await?;
        let batch = bulk::Batch {
            people: (start..(start + 20_000).min(n))
                .map(|i| bulk::BulkPerson {
                    id: first + i as i64,
                    full_name: format!("Người Dự Thi {}", i + 1),
                    birth_year: 1970 + (i % 40) as i32,
                    residence_unit_id: commune.id,
                    created_at: now,
                })
                .collect(),
            ..Default::default()
        };
        bulk::insert_batch(&txn, &batch).await?;
        txn.commit().await?;
    }
    let txn = state.db.write().begin().await?;
    let contest_id = contests::insert_contest(
        &txn,
        &contests::NewContest {
            unit_id: commune.id,
            title: "Cuộc thi đo thời gian xếp hạng",
            description: "",
            audience_units: "",
            audience_groups: "",
        },
        first,
        now,
    )
    .await?;
    let round_id = contests::insert_round(
        &txn,
        &contests::NewRound {
            contest_id,
            number: 1,
            title: "Vòng 1",
            opens_at: now - Duration::hours(3),
            closes_at: now - Duration::hours(1),
            course_id: course,
            question_count: 20,
            draw_by: "",
            minutes: 30,
            attempts: 1,
            prediction: crate::services::contests::organise::DEFAULT_PREDICTION,
        },
    )
    .await?;
    txn.commit().await?;
    for start in (0..n).step_by(20_000) {
        let txn = state.db.write().begin().await?;
        let ids: Vec<(i64, i64)> = (start..(start + 20_000).min(n))
            .map(|i| (first + i as i64, commune.id))
            .collect();
        contests::insert_entrants(&txn, contest_id, &ids, now).await?;
        let rows: Vec<contests::LoadedEntry> = (start..(start + 20_000).min(n))
            .map(|i| {
                let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                contests::LoadedEntry {
                    round_id,
                    person_id: first + i as i64,
                    total: 20,
                    right_count: (h % 21) as i32,
                    prediction: ((h >> 8) % 5_000) as i64,
                    started_at: now - Duration::hours(3) + Duration::seconds((i % 7_000) as i64),
                    time_ms: 60_000 + ((h >> 20) % 1_740_000) as i64,
                }
            })
            .collect();
        contests::load_entries(&txn, &rows).await?;
        txn.commit().await?;
    }
    Ok(round_id)
}
