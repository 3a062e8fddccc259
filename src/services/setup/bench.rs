//! Fixtures for the benchmarks (`bench/run`): many logged-in learners at once, made directly in
//! the database (one password hash shared by all, so that setting up 40,000 learners does not
//! take 40,000 argon2 runs). Never used by the web server.

use chrono::Duration;
use hocvuso_db::repo::{learning, org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::{Role, TargetGroup};

use crate::services::accounts::sign_in::{hash_password, session_hash, SESSION_DAYS};
use crate::services::{hex, random_bytes, Internal};
use crate::state::AppState;

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
    state: &AppState,
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
pub async fn submitted_count(state: &AppState, attempt_ids: &[i64]) -> Result<usize, Internal> {
    let mut stored = 0;
    for chunk in attempt_ids.chunks(500) {
        stored += learning::submitted_among(state.db.read(), chunk).await?;
    }
    Ok(stored)
}

/// Grants a role scoped to a unit to each of these people.
pub async fn grant_role(
    state: &AppState,
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
pub async fn synthetic_articles(state: &AppState, total: usize) -> Result<usize, Internal> {
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
