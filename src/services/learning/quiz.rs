//! Quizzes: drawing an attempt's questions and option order, starting attempts and grading
//! submissions, both through the group-commit
//! [`Batcher`](crate::services::shared::writer::Batcher), which answers only after the
//! transaction holding the write has committed. A first pass runs the [`spine`](super::spine)
//! in the same transaction.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use hocvuso_db::repo::learning;
use hocvuso_db::{DatabaseTransaction, DbErr};

use crate::clock::Clock;
use crate::services::learning::catalog::{Catalog, CatalogStore};
use crate::services::runtime::Runtime;
use crate::services::shared::writer::{distinct, BatchHandler, BoxFuture, WriteError};
use crate::services::Internal;

use super::progress::{course, lessons_read, LearnError};
use super::spine::record_achievements;
use crate::services::credentials::lookup::certificate_code;
pub use learning::{Certificate, Course};

/// Time allowed after an attempt's deadline for an answer sheet still on its way over a slow
/// network.
pub const GRACE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// When an attempt must be submitted (`None`: the quiz has no time limit).
pub fn deadline(
    course: &Course,
    attempt: &learning::QuizAttempt,
) -> Option<chrono::DateTime<chrono::Utc>> {
    course
        .quiz_minutes
        .map(|m| attempt.started_at + chrono::TimeDelta::minutes(i64::from(m)))
}

/// Whether an answer sheet arriving at `at` is too late to be graded.
pub fn is_late(
    course: &Course,
    attempt: &learning::QuizAttempt,
    at: chrono::DateTime<chrono::Utc>,
) -> bool {
    deadline(course, attempt).is_some_and(|d| at > d + GRACE)
}

/// Starts (or resumes) an attempt at a course's quiz. Returns the attempt id.
pub async fn start_attempt(state: &Runtime, person_id: i64, slug: &str) -> Result<i64, LearnError> {
    let catalog = state.catalog.current();
    let c = course(&catalog, slug)?;
    // A course taught elsewhere has no quiz here.
    if c.course.external_url.is_some() || c.bank_questions().next().is_none() {
        return Err(LearnError::NotFound);
    }
    if c.course.require_lessons {
        let unread = lessons_read(state, person_id, c)
            .await?
            .iter()
            .filter(|(_, done)| !*done)
            .count();
        if unread > 0 {
            return Err(LearnError::LessonsFirst(unread));
        }
    }
    state
        .starts
        .submit((person_id, c.course.id))
        .await
        .map_err(LearnError::from)
}

/// Starts attempts in batches: each learner's open attempt at the course is reused, otherwise
/// a new one keeps exactly the course's current questions.
pub struct StartHandler {
    pub catalog: Arc<CatalogStore>,
    pub clock: Arc<dyn Clock>,
}

impl BatchHandler for StartHandler {
    /// (person, course)
    type Request = (i64, i64);
    type Output = i64;
    type Refusal = LearnError;

    fn handle<'t>(
        &'t self,
        txn: &'t DatabaseTransaction,
        requests: &'t [(i64, i64)],
    ) -> BoxFuture<'t, Result<Vec<Result<i64, LearnError>>, DbErr>> {
        Box::pin(async move {
            let now = self.clock.now();
            let catalog = self.catalog.current();
            let mut found: HashMap<(i64, i64), i64> = HashMap::new();
            let mut used_up: HashMap<(i64, i64), i32> = HashMap::new();
            let mut revoked: BTreeSet<(i64, i64)> = BTreeSet::new();
            let courses: BTreeSet<i64> = requests.iter().map(|(_, c)| *c).collect();
            for course_id in courses {
                let Some(c) = catalog.by_id(course_id) else {
                    continue;
                };
                let persons: Vec<i64> = distinct(
                    requests
                        .iter()
                        .filter(|(_, rc)| *rc == course_id)
                        .map(|(p, _)| *p),
                );
                // An open attempt past its deadline is closed as timed out, not reused.
                let mut expired = Vec::new();
                for a in learning::open_attempts_of(txn, &persons, course_id).await? {
                    if is_late(&c.course, &a, now) {
                        expired.push((a.id, 0, false));
                        continue;
                    }
                    let e = found.entry((a.person_id, course_id)).or_insert(a.id);
                    *e = (*e).max(a.id);
                }
                learning::submit_many(txn, &expired, now).await?;
                let mut needing: Vec<i64> = persons
                    .iter()
                    .copied()
                    .filter(|p| !found.contains_key(&(*p, course_id)))
                    .collect();
                if !needing.is_empty() {
                    let held = learning::revoked_holders(txn, &needing, course_id).await?;
                    needing.retain(|p| !held.contains(p));
                    revoked.extend(held.into_iter().map(|p| (p, course_id)));
                }
                if let Some(limit) = c.course.quiz_attempts {
                    for (p, n) in learning::attempt_counts(txn, &needing, course_id).await? {
                        if n >= i64::from(limit) {
                            used_up.insert((p, course_id), limit);
                        }
                    }
                }
                let new: Vec<(i64, i64, Vec<i64>)> = needing
                    .iter()
                    .filter(|p| !used_up.contains_key(&(**p, course_id)))
                    .map(|p| (*p, course_id, c.draw()))
                    .collect();
                for a in learning::insert_attempts(txn, &new, now).await? {
                    found.insert((a.person_id, course_id), a.id);
                }
            }
            Ok(requests
                .iter()
                .map(|key| match (found.get(key), used_up.get(key)) {
                    (Some(id), _) => Ok(*id),
                    (None, _) if revoked.contains(key) => Err(LearnError::CertificateRevoked),
                    (None, Some(limit)) => Err(LearnError::NoAttemptsLeft(*limit)),
                    (None, None) => Err(LearnError::NotFound),
                })
                .collect())
        })
    }
}

/// The questions of a new attempt. First, for each `(competence, n)` of `quotas`, n questions
/// at random among those tagged with it (and not drawn yet); then the rest of `draw` at random
/// from the remaining bank; all in random order. Without a draw or quotas: the whole bank in its
/// order. `bank` holds `(question, its competence codes)`.
pub fn draw_questions(
    bank: &[(i64, &str)],
    draw: Option<i32>,
    quotas: &[(String, usize)],
    twins: &[(i64, i64)],
) -> Vec<i64> {
    use rand::seq::SliceRandom;
    let mut rng = rand::rngs::OsRng;
    let total = draw
        .and_then(|n| usize::try_from(n).ok())
        .map_or(bank.len(), |n| n.min(bank.len()));
    if total == bank.len() && quotas.is_empty() {
        return bank.iter().map(|(id, _)| *id).collect();
    }
    // A question whose near-duplicate is drawn already is passed over while others remain.
    let clashes = |id: i64, chosen: &[i64]| {
        twins
            .iter()
            .any(|(a, b)| (*a == id && chosen.contains(b)) || (*b == id && chosen.contains(a)))
    };
    let mut chosen: Vec<i64> = Vec::with_capacity(total);
    for (code, n) in quotas {
        let mut tagged: Vec<i64> = bank
            .iter()
            .filter(|(id, codes)| {
                !chosen.contains(id) && codes.split_whitespace().any(|c| c == code)
            })
            .map(|(id, _)| *id)
            .collect();
        tagged.shuffle(&mut rng);
        let want = (*n).min(total.saturating_sub(chosen.len()));
        let mut taken = 0;
        for id in tagged {
            if taken == want {
                break;
            }
            if !clashes(id, &chosen) {
                chosen.push(id);
                taken += 1;
            }
        }
    }
    let mut rest: Vec<i64> = bank
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !chosen.contains(id))
        .collect();
    rest.shuffle(&mut rng);
    let mut passed_over = Vec::new();
    for id in rest {
        if chosen.len() == total {
            break;
        }
        if clashes(id, &chosen) {
            passed_over.push(id);
        } else {
            chosen.push(id);
        }
    }
    // A draw as large as the bank allows: near-duplicates only when nothing else is left.
    let room = total.saturating_sub(chosen.len());
    chosen.extend(passed_over.into_iter().take(room));
    chosen.shuffle(&mut rng);
    chosen
}

/// A question's options in the order one attempt shows them: shuffled per attempt (the same
/// order every time that attempt is shown, so a reload moves nothing), except two-option
/// questions such as "Đúng" / "Sai", which keep their order.
pub(crate) fn shuffled_options(
    attempt_id: i64,
    options: &[learning::QuestionOption],
) -> Vec<(i64, String)> {
    use std::hash::{Hash, Hasher};
    let mut out: Vec<(u64, i64, String)> = options
        .iter()
        .map(|o| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (attempt_id, o.id).hash(&mut h);
            (h.finish(), o.id, o.body.clone())
        })
        .collect();
    if out.len() > 2 {
        out.sort_by_key(|(key, ..)| *key);
    }
    out.into_iter().map(|(_, id, body)| (id, body)).collect()
}

/// One question of an attempt as shown to the learner (no answer key).
pub struct ShownQuestion {
    pub question_id: i64,
    pub number: i32,
    pub prompt: String,
    pub options: Vec<(i64, String)>,
    /// The options chosen (once submitted).
    pub chosen: Vec<i64>,
    /// Every right option must be chosen (checkboxes), not just one.
    pub multiple: bool,
    /// Filled only once the attempt is submitted.
    pub correct: Option<bool>,
    pub explanation: String,
}

pub struct AttemptView<'a> {
    pub attempt: learning::QuizAttempt,
    pub course: &'a Course,
    /// When the answers must be in (`None`: no time limit).
    pub deadline: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether the time ran out before the answers came in (nothing was graded).
    pub late: bool,
    pub questions: Vec<ShownQuestion>,
    pub certificate: Option<Certificate>,
}

/// An attempt of this person (another person's attempt is "not found").
pub async fn attempt_view<'a>(
    state: &Runtime,
    catalog: &'a Catalog,
    person_id: i64,
    attempt_id: i64,
) -> Result<AttemptView<'a>, LearnError> {
    let db = state.db.read();
    let attempt = learning::attempt(db, attempt_id)
        .await?
        .filter(|a| a.person_id == person_id)
        .ok_or(LearnError::NotFound)?;
    let c = catalog
        .by_id(attempt.course_id)
        .ok_or(LearnError::NotFound)?;
    let rows = learning::attempt_rows(db, &attempt).await?;
    let questions = rows
        .into_iter()
        .filter_map(|r| {
            let q = c.question(r.question_id)?;
            Some(ShownQuestion {
                question_id: r.question_id,
                number: r.position,
                prompt: q.question.prompt.clone(),
                options: shuffled_options(attempt.id, &q.options),
                chosen: r.chosen(),
                multiple: q.question.kind == learning::KIND_MULTIPLE,
                correct: r.is_correct,
                explanation: q.question.explanation.clone(),
            })
        })
        .collect();
    let certificate = if attempt.passed == Some(true) {
        learning::certificate_of(db, person_id, c.course.id)
            .await?
            .filter(|c| c.revoked_at.is_none())
    } else {
        None
    };
    let deadline = deadline(&c.course, &attempt);
    let late = is_late(
        &c.course,
        &attempt,
        attempt.submitted_at.unwrap_or_else(|| state.clock.now()),
    );
    Ok(AttemptView {
        deadline,
        late,
        attempt,
        course: &c.course,
        questions,
        certificate,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("not found")]
    NotFound,
    #[error("Bài làm này đã được nộp rồi. Kết quả không thay đổi.")]
    AlreadySubmitted,
    /// Numbers (1-based) of the questions left unanswered.
    #[error("unanswered")]
    Unanswered(Vec<i32>),
    #[error("Câu trả lời không thuộc bài làm này.")]
    ForeignAnswer,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<hocvuso_db::DbErr> for SubmitError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        SubmitError::Internal(e.into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmitOutcome {
    pub correct: i32,
    pub total: i32,
    pub passed: bool,
    /// True when this pass completed the course for the first time.
    pub first_completion: bool,
    /// True when the answers came after the deadline: the attempt ended ungraded.
    pub late: bool,
}

/// Grades and stores an attempt. `answers` maps question id → chosen option ids.
///
/// The attempt is marked submitted only if it was not already (a second submission changes
/// nothing), and on a first pass the completion, the certificate, the achievement and the live
/// counts are written in the same transaction — or nothing is. The answer comes back only after
/// that transaction has committed (see [`SubmitHandler`]).
pub async fn submit_attempt(
    state: &Runtime,
    person_id: i64,
    attempt_id: i64,
    answers: HashMap<i64, Vec<i64>>,
) -> Result<SubmitOutcome, SubmitError> {
    let request = SubmitRequest {
        person_id,
        attempt_id,
        answers,
    };
    match state.submits.submit(request).await {
        Ok(outcome) => Ok(outcome),
        Err(WriteError::Refused(e)) => Err(e),
        Err(WriteError::Db(m)) => Err(SubmitError::Internal(Internal::Other(m))),
    }
}

pub struct SubmitRequest {
    pub person_id: i64,
    pub attempt_id: i64,
    pub answers: HashMap<i64, Vec<i64>>,
}

/// Grades and stores a batch of submissions with a fixed number of statements per batch:
/// every request is validated before anything is written, so a refused one writes nothing.
pub struct SubmitHandler {
    pub catalog: Arc<CatalogStore>,
    pub clock: Arc<dyn Clock>,
}

/// A validated submission waiting for its writes.
struct Graded {
    index: usize,
    person_id: i64,
    attempt_id: i64,
    course_id: i64,
    correct: i32,
    total: i32,
    passed: bool,
    late: bool,
}

use learning::AnswerRow;

impl SubmitHandler {
    /// Checks request number `index` against its attempt; returns its grade and answer rows.
    fn grade(
        catalog: &Catalog,
        index: usize,
        req: &SubmitRequest,
        attempt: Option<&learning::QuizAttempt>,
        rows: &[&learning::AttemptQuestion],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Graded, Vec<AnswerRow>), SubmitError> {
        let attempt = attempt
            .filter(|a| a.person_id == req.person_id)
            .ok_or(SubmitError::NotFound)?;
        if attempt.submitted_at.is_some() {
            return Err(SubmitError::AlreadySubmitted);
        }
        let c = catalog
            .by_id(attempt.course_id)
            .ok_or(SubmitError::NotFound)?;
        let total = rows.len() as i32;
        if is_late(&c.course, attempt, now) {
            // Too late: the attempt ends, not passed, and its answers are not graded.
            let graded = Graded {
                index,
                person_id: req.person_id,
                attempt_id: req.attempt_id,
                course_id: c.course.id,
                correct: 0,
                total,
                passed: false,
                late: true,
            };
            return Ok((graded, Vec::new()));
        }
        if req
            .answers
            .keys()
            .any(|q| !rows.iter().any(|r| r.question_id == *q))
        {
            return Err(SubmitError::ForeignAnswer);
        }
        let mut answer_rows = Vec::with_capacity(rows.len());
        let mut unanswered = Vec::new();
        for r in rows {
            let mut chosen: Vec<i64> = req.answers.get(&r.question_id).cloned().unwrap_or_default();
            chosen.sort_unstable();
            chosen.dedup();
            if chosen.is_empty() {
                unanswered.push(r.position);
                continue;
            }
            let q = c
                .question(r.question_id)
                .ok_or(SubmitError::ForeignAnswer)?;
            let multiple = q.question.kind == learning::KIND_MULTIPLE;
            if (!multiple && chosen.len() > 1)
                || chosen.iter().any(|o| !q.options.iter().any(|k| k.id == *o))
            {
                return Err(SubmitError::ForeignAnswer);
            }
            // Right when the chosen options are exactly the right ones.
            let right = q
                .options
                .iter()
                .all(|o| o.is_correct == chosen.contains(&o.id));
            answer_rows.push(AnswerRow {
                attempt_id: attempt.id,
                question_id: r.question_id,
                position: r.position,
                chosen,
                correct: right,
            });
        }
        if !unanswered.is_empty() {
            return Err(SubmitError::Unanswered(unanswered));
        }
        let correct = answer_rows.iter().filter(|a| a.correct).count() as i32;
        let passed = total > 0 && correct * 100 >= c.course.pass_percent * total;
        let graded = Graded {
            index,
            person_id: req.person_id,
            attempt_id: req.attempt_id,
            course_id: c.course.id,
            correct,
            total,
            passed,
            late: false,
        };
        Ok((graded, answer_rows))
    }
}

impl BatchHandler for SubmitHandler {
    type Request = SubmitRequest;
    type Output = SubmitOutcome;
    type Refusal = SubmitError;

    fn handle<'t>(
        &'t self,
        txn: &'t DatabaseTransaction,
        requests: &'t [SubmitRequest],
    ) -> BoxFuture<'t, Result<Vec<Result<SubmitOutcome, SubmitError>>, DbErr>> {
        Box::pin(async move {
            let now = self.clock.now();
            let catalog = self.catalog.current();
            let ids: Vec<i64> = distinct(requests.iter().map(|r| r.attempt_id));
            let found = learning::attempts_by_ids(txn, &ids).await?;
            let rows = learning::rows_of_attempts(txn, &found).await?;
            let attempts: HashMap<i64, learning::QuizAttempt> =
                found.into_iter().map(|a| (a.id, a)).collect();

            // 1. Validate and grade every request; the first of two for one attempt wins.
            let mut results: Vec<Option<Result<SubmitOutcome, SubmitError>>> =
                requests.iter().map(|_| None).collect();
            let mut claimed = BTreeSet::new();
            let mut graded = Vec::new();
            let mut answer_rows = Vec::new();
            for (index, req) in requests.iter().enumerate() {
                let mine: Vec<&learning::AttemptQuestion> = rows
                    .iter()
                    .filter(|r| r.attempt_id == req.attempt_id)
                    .collect();
                let grade = if claimed.contains(&req.attempt_id)
                    && attempts
                        .get(&req.attempt_id)
                        .is_some_and(|a| a.person_id == req.person_id)
                {
                    Err(SubmitError::AlreadySubmitted)
                } else {
                    Self::grade(
                        &catalog,
                        index,
                        req,
                        attempts.get(&req.attempt_id),
                        &mine,
                        now,
                    )
                };
                match grade {
                    Err(e) => results[index] = Some(Err(e)),
                    Ok((g, answers)) => {
                        claimed.insert(req.attempt_id);
                        answer_rows.extend(answers);
                        graded.push(g);
                    }
                }
            }

            // 2. Mark submitted only what is still open (another process may have won).
            let grades: Vec<(i64, i32, bool)> = graded
                .iter()
                .map(|g| (g.attempt_id, g.correct, g.passed))
                .collect();
            let submitted: BTreeSet<i64> = learning::submit_many(txn, &grades, now)
                .await?
                .into_iter()
                .collect();
            answer_rows.retain(|a| submitted.contains(&a.attempt_id));
            learning::record_answers_many(txn, &answer_rows).await?;

            // 3. First passes: completion, certificate, then the spine.
            let passes: Vec<(i64, i64, Option<i64>, chrono::DateTime<chrono::Utc>)> = graded
                .iter()
                .filter(|g| g.passed && submitted.contains(&g.attempt_id))
                .map(|g| (g.person_id, g.course_id, Some(g.attempt_id), now))
                .collect();
            let mut first: BTreeSet<(i64, i64)> = learning::insert_completions(txn, &passes, None)
                .await?
                .into_iter()
                .collect();
            let certificates: Vec<(String, i64, i64, chrono::DateTime<chrono::Utc>)> = first
                .iter()
                .map(|(p, c)| (certificate_code(), *p, *c, now))
                .collect();
            learning::insert_certificates(txn, &certificates).await?;
            let people: Vec<i64> = distinct(first.iter().map(|(p, _)| *p));
            record_achievements(txn, &catalog, &people, |_| Some(now)).await?;
            // Classes whose rule also asks for the quiz: a pass completes the place of whoever
            // attended enough.
            let passed: Vec<(i64, i64)> = passes.iter().map(|(p, c, ..)| (*p, *c)).collect();
            crate::services::training::attendance::quiz_passed(txn, &passed, now).await?;

            for g in &graded {
                results[g.index] = Some(if submitted.contains(&g.attempt_id) {
                    Ok(SubmitOutcome {
                        correct: g.correct,
                        total: g.total,
                        passed: g.passed,
                        // The first request of a person's first pass of a course.
                        first_completion: g.passed && first.remove(&(g.person_id, g.course_id)),
                        late: g.late,
                    })
                } else {
                    Err(SubmitError::AlreadySubmitted)
                });
            }
            Ok(results
                .into_iter()
                .map(|r| r.unwrap_or(Err(SubmitError::NotFound)))
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_attempt_never_draws_two_near_duplicates_while_others_remain() {
        let bank = [(1, ""), (2, ""), (3, ""), (4, "")];
        let twins = [(1, 2)];
        for _ in 0..200 {
            let drawn = super::draw_questions(&bank, Some(3), &[], &twins);
            assert_eq!(drawn.len(), 3);
            assert!(!(drawn.contains(&1) && drawn.contains(&2)), "{drawn:?}");
        }
        // Asked for more than the bank holds without them: both, rather than a short attempt.
        let all = super::draw_questions(&bank, Some(4), &[("x".to_owned(), 1)], &twins);
        assert_eq!(all.len(), 4);
    }
}
