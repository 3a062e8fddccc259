//! Learning: reading lessons, taking the quiz, and — on a pass — the spine: completion,
//! certificate, achievement and the live indicator counts, all in ONE transaction.
//!
//! Course content comes from the in-memory
//! [`Catalog`](crate::services::learning::catalog::Catalog); starting and submitting attempts
//! go through the group-commit [`Batcher`](crate::services::shared::writer::Batcher), which
//! answers only after the transaction holding the write has committed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use hocvuso_db::repo::{learning, people, stats};
use hocvuso_db::{ConnectionTrait, DatabaseTransaction, DbErr};
use hocvuso_domain::Indicator;

use crate::clock::Clock;
use crate::services::learning::catalog::{Catalog, CatalogCourse, CatalogLesson, CatalogStore};
use crate::services::shared::writer::{BatchHandler, BoxFuture, WriteError};
use crate::services::Internal;
use crate::state::AppState;

pub use learning::{Certificate, Course};

#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    #[error("not found")]
    NotFound,
    /// The quiz's attempt limit is reached.
    #[error("Bạn đã dùng hết {0} lượt làm bài kiểm tra của khóa học này.")]
    NoAttemptsLeft(i32),
    /// A lesson of a sequential course whose earlier lessons are not all read; the position of
    /// the lesson to read first.
    #[error("Bài này mở khi bạn học xong các bài trước.")]
    Locked(i32),
    /// The quiz opens once every lesson is read; how many are left.
    #[error("Khóa học này yêu cầu học hết các bài trước khi làm bài kiểm tra. Bạn còn {0} bài chưa học.")]
    LessonsFirst(usize),
    /// The learner's certificate of this course was revoked: no new attempt until the province
    /// undoes it.
    #[error("Chứng nhận khóa học này của bạn đã bị thu hồi nên chưa làm lại bài kiểm tra được. Hãy liên hệ cán bộ xã, phường hoặc Sở Khoa học và Công nghệ.")]
    CertificateRevoked,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<hocvuso_db::DbErr> for LearnError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        LearnError::Internal(e.into())
    }
}

impl<E: Into<LearnError>> From<WriteError<E>> for LearnError {
    fn from(e: WriteError<E>) -> Self {
        match e {
            WriteError::Refused(e) => e.into(),
            WriteError::Db(m) => LearnError::Internal(Internal::Other(m)),
        }
    }
}

/// A course as one learner sees it.
pub struct CourseProgress<'a> {
    pub course: &'a CatalogCourse,
    /// Each lesson and whether this learner finished it.
    pub lessons: Vec<(&'a CatalogLesson, bool)>,
    pub certificate: Option<Certificate>,
    /// When the learner completed the course (here, or elsewhere through imported results).
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Attempts this learner has started at the quiz.
    pub attempts_used: i64,
}

impl CourseProgress<'_> {
    pub fn finished_count(&self) -> usize {
        self.lessons.iter().filter(|(_, done)| *done).count()
    }

    /// Where to go on: the first lesson not read yet (`None`: all read).
    pub fn resume_at(&self) -> Option<i32> {
        first_unread(&self.lessons)
    }

    /// Whether the lesson at `index` (0-based) may be opened (see [`is_open`]).
    pub fn is_open(&self, index: usize) -> bool {
        is_open(self.course.course.sequential, &self.lessons, index)
    }

    /// Lessons not read yet.
    pub fn unread(&self) -> usize {
        self.lessons.len() - self.finished_count()
    }

    /// Attempts left under the quiz's limit (`None`: no limit).
    pub fn attempts_left(&self) -> Option<i64> {
        self.course
            .course
            .quiz_attempts
            .map(|limit| (i64::from(limit) - self.attempts_used).max(0))
    }
}

/// A course's lessons, each with whether this learner has read it (one query).
async fn lessons_read<'a>(
    state: &AppState,
    person_id: i64,
    c: &'a CatalogCourse,
) -> Result<Vec<(&'a CatalogLesson, bool)>, LearnError> {
    let ids: Vec<i64> = c.lessons.iter().map(|l| l.lesson.id).collect();
    let finished: BTreeSet<i64> = learning::finished_among(state.db.read(), person_id, &ids)
        .await?
        .into_iter()
        .collect();
    Ok(c.lessons
        .iter()
        .map(|l| (l, finished.contains(&l.lesson.id)))
        .collect())
}

/// The first lesson not read yet.
fn first_unread(lessons: &[(&CatalogLesson, bool)]) -> Option<i32> {
    lessons
        .iter()
        .find(|(_, done)| !*done)
        .map(|(l, _)| l.lesson.position)
}

/// Whether the lesson at `index` (0-based) may be opened: always in a course that is not
/// sequential; otherwise once read, or once every lesson before it is read.
fn is_open(sequential: bool, lessons: &[(&CatalogLesson, bool)], index: usize) -> bool {
    !sequential
        || lessons.get(index).is_some_and(|(_, done)| *done)
        || lessons.iter().take(index).all(|(_, done)| *done)
}

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

fn course<'a>(catalog: &'a Catalog, slug: &str) -> Result<&'a CatalogCourse, LearnError> {
    catalog.by_slug(slug).ok_or(LearnError::NotFound)
}

pub async fn course_progress<'a>(
    state: &AppState,
    catalog: &'a Catalog,
    person_id: i64,
    slug: &str,
) -> Result<CourseProgress<'a>, LearnError> {
    let db = state.db.read();
    let c = course(catalog, slug)?;
    let lessons = lessons_read(state, person_id, c).await?;
    // A revoked certificate no longer says the course was completed.
    let certificate = learning::certificate_of(db, person_id, c.course.id)
        .await?
        .filter(|c| c.revoked_at.is_none());
    let completed_at = learning::completion_of(db, person_id, c.course.id).await?;
    let attempts_used = learning::attempt_counts(db, &[person_id], c.course.id)
        .await?
        .first()
        .map_or(0, |(_, n)| *n);
    Ok(CourseProgress {
        course: c,
        lessons,
        certificate,
        completed_at,
        attempts_used,
    })
}

/// Every course with this learner's progress.
pub async fn my_courses<'a>(
    state: &AppState,
    catalog: &'a Catalog,
    person_id: i64,
) -> Result<Vec<CourseProgress<'a>>, LearnError> {
    let mut out = Vec::new();
    for c in catalog.courses() {
        out.push(course_progress(state, catalog, person_id, &c.course.slug).await?);
    }
    Ok(out)
}

/// The target groups a person belongs to (their group codes, each once).
pub async fn groups_of_person(state: &AppState, person_id: i64) -> Result<Vec<String>, Internal> {
    let mut codes: Vec<String> = people::memberships(state.db.read(), person_id)
        .await?
        .into_iter()
        .map(|m| m.group_code)
        .collect();
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// One competence of the framework in a learner's profile.
pub struct CompetenceLine {
    pub code: &'static str,
    pub name: &'static str,
    /// Lessons finished that build it: `(course title, lesson title)`.
    pub learned: Vec<(String, String)>,
    /// Courses here that teach it and the learner has not finished all of: `(slug, title)`.
    pub offered: Vec<(String, String)>,
}

pub struct CompetenceDomain {
    pub number: u8,
    pub name: &'static str,
    pub competences: Vec<CompetenceLine>,
}

/// The learner's digital-competence profile (Thông tư 02/2025/TT-BGDĐT): for every competence,
/// the finished lessons that build it, else the courses that teach it.
pub async fn competence_profile(
    state: &AppState,
    person_id: i64,
) -> Result<Vec<CompetenceDomain>, LearnError> {
    let catalog = state.catalog.current();
    let progress = my_courses(state, &catalog, person_id).await?;
    let has =
        |l: &CatalogLesson, code: &str| l.lesson.competences.split_whitespace().any(|c| c == code);
    Ok(hocvuso_domain::competence::FRAMEWORK
        .iter()
        .map(|d| CompetenceDomain {
            number: d.number,
            name: d.name,
            competences: d
                .competences
                .iter()
                .map(|(code, name)| {
                    let mut learned = Vec::new();
                    let mut offered = Vec::new();
                    for p in &progress {
                        let title = &p.course.course.title;
                        let mut teaches_unfinished = false;
                        for (lesson, done) in p.lessons.iter().filter(|(l, _)| has(l, code)) {
                            if *done {
                                learned.push((title.clone(), lesson.lesson.title.clone()));
                            } else {
                                teaches_unfinished = true;
                            }
                        }
                        if teaches_unfinished {
                            offered.push((p.course.course.slug.clone(), title.clone()));
                        }
                    }
                    CompetenceLine {
                        code,
                        name,
                        learned,
                        offered,
                    }
                })
                .collect(),
        })
        .collect())
}

pub struct LessonPage<'a> {
    pub course: &'a CatalogCourse,
    pub lesson: &'a CatalogLesson,
    pub total: i32,
}

/// A lesson is content: it reads only the in-memory catalog (no query), which keeps the page
/// that learners open most the cheapest. Per-person progress is on the course page — except in
/// a sequential course, where the learner's progress says whether the lesson is open yet.
pub async fn lesson<'a>(
    state: &AppState,
    catalog: &'a Catalog,
    person_id: i64,
    slug: &str,
    position: i32,
) -> Result<LessonPage<'a>, LearnError> {
    let c = course(catalog, slug)?;
    let lesson = c.lesson_at(position).ok_or(LearnError::NotFound)?;
    if c.course.sequential {
        check_open(state, catalog, person_id, slug, position).await?;
    }
    Ok(LessonPage {
        total: c.lessons.len() as i32,
        course: c,
        lesson,
    })
}

/// In a sequential course, refuses a lesson whose earlier lessons are not all read.
async fn check_open(
    state: &AppState,
    catalog: &Catalog,
    person_id: i64,
    slug: &str,
    position: i32,
) -> Result<(), LearnError> {
    let c = course(catalog, slug)?;
    let lessons = lessons_read(state, person_id, c).await?;
    let index = lessons
        .iter()
        .position(|(l, _)| l.lesson.position == position)
        .ok_or(LearnError::NotFound)?;
    if is_open(c.course.sequential, &lessons, index) {
        Ok(())
    } else {
        Err(LearnError::Locked(first_unread(&lessons).unwrap_or(1)))
    }
}

/// Marks a lesson finished. Returns the position of the next lesson, if any.
pub async fn finish_lesson(
    state: &AppState,
    person_id: i64,
    slug: &str,
    position: i32,
) -> Result<Option<i32>, LearnError> {
    let catalog = state.catalog.current();
    let c = course(&catalog, slug)?;
    let lesson = c.lesson_at(position).ok_or(LearnError::NotFound)?;
    if c.course.sequential {
        check_open(state, &catalog, person_id, slug, position).await?;
    }
    learning::mark_lesson_finished(
        state.db.write(),
        person_id,
        lesson.lesson.id,
        state.clock.now(),
    )
    .await?;
    Ok((position < c.lessons.len() as i32).then_some(position + 1))
}

/// Starts (or resumes) an attempt at a course's quiz. Returns the attempt id.
pub async fn start_attempt(
    state: &AppState,
    person_id: i64,
    slug: &str,
) -> Result<i64, LearnError> {
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
                let persons: Vec<i64> = requests
                    .iter()
                    .filter(|(_, rc)| *rc == course_id)
                    .map(|(p, _)| *p)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
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
    state: &AppState,
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
    state: &AppState,
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
            let ids: Vec<i64> = requests
                .iter()
                .map(|r| r.attempt_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
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
            let people: Vec<i64> = first
                .iter()
                .map(|(p, _)| *p)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
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

/// The spine, for a batch of people who just completed a course or joined a group: for every
/// group a person belongs to whose required courses are now all completed, record
/// `digital_skills` once and add one to the live count of each of the person's units in that
/// group, in the week of the achievement. The achievement is dated when its **last** required
/// course was completed ([`Catalog::met_at`]), and not before `not_before(person)` when given
/// (someone who joins a group today counts in it from today). Runs inside the caller's
/// transaction; counts only achievements that are new.
pub async fn record_achievements<C: ConnectionTrait>(
    conn: &C,
    catalog: &Catalog,
    person_ids: &[i64],
    not_before: impl Fn(i64) -> Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(), DbErr> {
    if person_ids.is_empty() {
        return Ok(());
    }
    let memberships = people::memberships_of(conn, person_ids).await?;
    let completed: BTreeMap<(i64, i64), chrono::DateTime<chrono::Utc>> =
        learning::completions_of(conn, person_ids)
            .await?
            .into_iter()
            .map(|(p, c, at)| ((p, c), at))
            .collect();
    let indicator = Indicator::DigitalSkills.code();
    let candidates: Vec<(i64, String, String, chrono::DateTime<chrono::Utc>)> = memberships
        .iter()
        .map(|m| (m.person_id, m.group_code.as_str()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter_map(|(p, g)| {
            let met = catalog.met_at(g, |c| completed.get(&(p, c)).copied())?;
            Some((
                p,
                g.to_owned(),
                indicator.to_owned(),
                met.max(not_before(p).unwrap_or(met)),
            ))
        })
        .collect();
    let new = stats::insert_achievements(conn, &candidates).await?;
    if new.is_empty() {
        return Ok(());
    }
    // People who registered themselves and are not confirmed count apart (DESIGN §6).
    let achievers: Vec<i64> = new.iter().map(|(p, ..)| *p).collect();
    let unconfirmed = people::unconfirmed_among(conn, &achievers).await?;
    let mut deltas: BTreeMap<(i64, &str, String), stats::Delta> = BTreeMap::new();
    let dated: BTreeMap<(i64, &str), chrono::DateTime<chrono::Utc>> = candidates
        .iter()
        .map(|(p, g, _, at)| ((*p, g.as_str()), *at))
        .collect();
    for (person, group, _) in &new {
        let Some(at) = dated.get(&(*person, group.as_str())) else {
            continue;
        };
        let week = stats::week_of(*at);
        let one = stats::Delta::of(!unconfirmed.contains(person), 1);
        for m in memberships
            .iter()
            .filter(|m| m.person_id == *person && m.group_code == *group)
        {
            *deltas
                .entry((m.unit_id, m.group_code.as_str(), week.clone()))
                .or_default() += one;
        }
    }
    for ((unit, group, week), n) in deltas {
        stats::add_to_count(conn, unit, group, indicator, &week, n).await?;
    }
    Ok(())
}

/// The other half of the spine: takes back one person's `digital_skills` achievements that
/// their completions no longer earn (after a revoked certificate withdrew a completion), and
/// takes each off the live counts of the person's units in that group, in the week it had been
/// counted — in the caller's transaction. Returns the groups taken back.
pub async fn withdraw_achievements<C: ConnectionTrait>(
    conn: &C,
    catalog: &Catalog,
    person_id: i64,
) -> Result<Vec<String>, DbErr> {
    let ids = [person_id];
    let memberships = people::memberships_of(conn, &ids).await?;
    let completed: BTreeSet<i64> = learning::completions_of(conn, &ids)
        .await?
        .into_iter()
        .map(|(_, c, _)| c)
        .collect();
    let indicator = Indicator::DigitalSkills.code();
    let held: Vec<String> = stats::achievements_of_person(conn, person_id)
        .await?
        .into_iter()
        .filter(|a| a.indicator_code == indicator)
        .map(|a| a.group_code)
        .collect();
    let lost: Vec<String> = held
        .into_iter()
        .filter(|g| !catalog.meets(g, |c| completed.contains(&c)))
        .collect();
    let taken = stats::delete_achievements(conn, person_id, &lost).await?;
    if taken.is_empty() {
        return Ok(Vec::new());
    }
    let confirmed = people::unconfirmed_among(conn, &ids).await?.is_empty();
    for (group, achieved_at) in &taken {
        let week = stats::week_of(*achieved_at);
        for m in memberships.iter().filter(|m| m.group_code == *group) {
            stats::add_to_count(
                conn,
                m.unit_id,
                group,
                indicator,
                &week,
                stats::Delta::of(confirmed, -1),
            )
            .await?;
        }
    }
    Ok(taken.into_iter().map(|(g, _)| g).collect())
}

/// Confirms people's identity (`via`: `roster`, `assisted`, `staff`): those who were not
/// confirmed become so, and — in the caller's transaction — their achievements move from the
/// unconfirmed counts of their units to the confirmed ones (week by week), so that the
/// figures the province reports count them from now on. Returns who changed.
pub async fn confirm_people<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
    via: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<i64>, DbErr> {
    let changed = people::confirm(conn, person_ids, via, now).await?;
    if changed.is_empty() {
        return Ok(changed);
    }
    let memberships = people::memberships_of(conn, &changed).await?;
    let achieved = hocvuso_db::repo::roster::achievements_of(conn, &changed).await?;
    let mut deltas: BTreeMap<(i64, String, String, String), stats::Delta> = BTreeMap::new();
    for (person, group, indicator, week) in &achieved {
        for m in memberships
            .iter()
            .filter(|m| m.person_id == *person && m.group_code == *group)
        {
            *deltas
                .entry((m.unit_id, group.clone(), indicator.clone(), week.clone()))
                .or_default() += stats::Delta {
                confirmed: 1,
                unconfirmed: -1,
            };
        }
    }
    for ((unit, group, indicator, week), d) in deltas {
        stats::add_to_count(conn, unit, &group, &indicator, &week, d).await?;
    }
    Ok(changed)
}

/// 160 random bits in Crockford base32: unguessable, unambiguous when read aloud or typed.
pub fn certificate_code() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let bytes = crate::services::random_bytes::<20>();
    let mut bits: u64 = 0;
    let mut n = 0;
    let mut out = String::with_capacity(32);
    for b in bytes {
        bits = (bits << 8) | u64::from(b);
        n += 8;
        while n >= 5 {
            n -= 5;
            out.push(ALPHABET[((bits >> n) & 31) as usize] as char);
        }
    }
    out
}

pub struct PublicCertificate {
    pub code: String,
    pub masked_name: String,
    pub course_title: String,
    pub issued_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoke_reason: Option<String>,
    /// Whether the province published the reason (else only the owner and the province see it).
    pub revoke_reason_public: bool,
    /// Whose it is (never shown; lets the owner see the download links).
    pub person_id: i64,
    /// The full name, for the owner's own eyes only.
    pub full_name: String,
}

/// What a code typed on the lookup page names.
pub enum TypedCode {
    /// The certificate's whole code (to open its page).
    Found(String),
    /// A short code whose check character does not match: a character was mistyped.
    Mistyped,
    /// Nothing has this code.
    Unknown,
}

/// Resolves a code typed on the lookup page: a short code (`7K3M-PQX9-T2AB`, as printed) or
/// the whole code of a link.
pub async fn find_typed_code(state: &AppState, typed: &str) -> Result<TypedCode, Internal> {
    use crate::services::credentials::credential::parse_short_code;
    match parse_short_code(typed) {
        Some(Err(())) => Ok(TypedCode::Mistyped),
        Some(Ok(prefix)) => {
            let found = learning::certificates_by_prefix(state.db.read(), &prefix).await?;
            Ok(match found.as_slice() {
                [one] => TypedCode::Found(one.code.clone()),
                _ => TypedCode::Unknown,
            })
        }
        None => {
            let whole = crate::services::credentials::credential::clean_code(typed);
            Ok(
                match learning::certificate_by_code(state.db.read(), &whole).await? {
                    Some(c) => TypedCode::Found(c.code),
                    None => TypedCode::Unknown,
                },
            )
        }
    }
}

/// A certificate as the public verify page shows it (name masked).
pub async fn public_certificate(
    state: &AppState,
    code: &str,
) -> Result<Option<PublicCertificate>, Internal> {
    let db = state.db.read();
    let Some(c) = learning::certificate_by_code(db, code).await? else {
        return Ok(None);
    };
    let person = people::person_by_id(db, c.person_id).await?;
    let catalog = state.catalog.current();
    let course = catalog.by_id(c.course_id).map(|k| &k.course);
    let (Some(person), Some(course)) = (person, course) else {
        return Ok(None);
    };
    Ok(Some(PublicCertificate {
        code: c.code,
        masked_name: hocvuso_domain::mask::full_name(&person.full_name),
        course_title: course.title.clone(),
        issued_at: c.issued_at,
        revoked_at: c.revoked_at,
        revoke_reason: c.revoke_reason,
        revoke_reason_public: c.revoke_reason_public,
        person_id: c.person_id,
        full_name: person.full_name,
    }))
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

    #[test]
    fn certificate_codes_are_long_and_distinct() {
        let a = super::certificate_code();
        let b = super::certificate_code();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() && !"ilou".contains(c)));
    }
}
