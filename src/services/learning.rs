//! Learning: reading lessons, taking the quiz, and — on a pass — the spine: completion,
//! certificate, achievement and the live indicator counts, all in ONE transaction.

use std::collections::{BTreeSet, HashMap};

use hocvuso_db::repo::{learning, people, stats};
use hocvuso_db::{ConnectionTrait, TransactionTrait};
use hocvuso_domain::Indicator;

use super::Internal;
use crate::state::AppState;

pub use learning::{Certificate, Course, Lesson};

#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<hocvuso_db::DbErr> for LearnError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        LearnError::Internal(e.into())
    }
}

/// A course as one learner sees it.
pub struct CourseProgress {
    pub course: Course,
    pub lessons: Vec<(Lesson, bool)>,
    pub certificate: Option<Certificate>,
}

impl CourseProgress {
    pub fn finished_count(&self) -> usize {
        self.lessons.iter().filter(|(_, done)| *done).count()
    }
}

pub async fn course_progress(
    state: &AppState,
    person_id: i64,
    slug: &str,
) -> Result<CourseProgress, LearnError> {
    let db = state.db.read();
    let course = learning::course_by_slug(db, slug)
        .await?
        .ok_or(LearnError::NotFound)?;
    let finished: BTreeSet<i64> = learning::finished_lessons(db, person_id, course.id)
        .await?
        .into_iter()
        .collect();
    let lessons = learning::lessons(db, course.id)
        .await?
        .into_iter()
        .map(|l| {
            let done = finished.contains(&l.id);
            (l, done)
        })
        .collect();
    let certificate = learning::certificate_of(db, person_id, course.id).await?;
    Ok(CourseProgress {
        course,
        lessons,
        certificate,
    })
}

/// Every course with this learner's progress.
pub async fn my_courses(
    state: &AppState,
    person_id: i64,
) -> Result<Vec<CourseProgress>, LearnError> {
    let mut out = Vec::new();
    for c in learning::courses(state.db.read()).await? {
        out.push(course_progress(state, person_id, &c.slug).await?);
    }
    Ok(out)
}

pub struct LessonPage {
    pub course: Course,
    pub lesson: Lesson,
    pub total: i32,
    pub finished: bool,
}

pub async fn lesson(
    state: &AppState,
    person_id: i64,
    slug: &str,
    position: i32,
) -> Result<LessonPage, LearnError> {
    let db = state.db.read();
    let course = learning::course_by_slug(db, slug)
        .await?
        .ok_or(LearnError::NotFound)?;
    let lesson = learning::lesson_at(db, course.id, position)
        .await?
        .ok_or(LearnError::NotFound)?;
    let all = learning::lessons(db, course.id).await?;
    let finished = learning::finished_lessons(db, person_id, course.id)
        .await?
        .contains(&lesson.id);
    Ok(LessonPage {
        total: all.len() as i32,
        course,
        lesson,
        finished,
    })
}

/// Marks a lesson finished. Returns the position of the next lesson, if any.
pub async fn finish_lesson(
    state: &AppState,
    person_id: i64,
    slug: &str,
    position: i32,
) -> Result<Option<i32>, LearnError> {
    let page = lesson(state, person_id, slug, position).await?;
    learning::mark_lesson_finished(
        state.db.write(),
        person_id,
        page.lesson.id,
        state.clock.now(),
    )
    .await?;
    Ok((position < page.total).then_some(position + 1))
}

/// How many questions an attempt at this course's quiz has.
pub async fn question_count(state: &AppState, course_id: i64) -> Result<usize, LearnError> {
    Ok(learning::questions(state.db.read(), course_id).await?.len())
}

/// Starts (or resumes) an attempt at a course's quiz. Returns the attempt id.
pub async fn start_attempt(
    state: &AppState,
    person_id: i64,
    slug: &str,
) -> Result<i64, LearnError> {
    let course = learning::course_by_slug(state.db.read(), slug)
        .await?
        .ok_or(LearnError::NotFound)?;
    let txn = state.db.write().begin().await?;
    if let Some(open) = learning::open_attempt(&txn, person_id, course.id).await? {
        return Ok(open.id);
    }
    let question_ids: Vec<i64> = learning::questions(&txn, course.id)
        .await?
        .iter()
        .map(|q| q.id)
        .collect();
    let attempt =
        learning::insert_attempt(&txn, person_id, course.id, &question_ids, state.clock.now())
            .await?;
    txn.commit().await?;
    Ok(attempt.id)
}

/// One question of an attempt as shown to the learner (no answer key).
pub struct ShownQuestion {
    pub question_id: i64,
    pub number: i32,
    pub prompt: String,
    pub options: Vec<(i64, String)>,
    pub chosen: Option<i64>,
    /// Filled only once the attempt is submitted.
    pub correct: Option<bool>,
    pub explanation: String,
}

pub struct AttemptView {
    pub attempt: learning::QuizAttempt,
    pub course: Course,
    pub questions: Vec<ShownQuestion>,
    pub certificate: Option<Certificate>,
}

/// An attempt of this person (another person's attempt is "not found").
pub async fn attempt_view(
    state: &AppState,
    person_id: i64,
    attempt_id: i64,
) -> Result<AttemptView, LearnError> {
    let db = state.db.read();
    let attempt = learning::attempt(db, attempt_id)
        .await?
        .filter(|a| a.person_id == person_id)
        .ok_or(LearnError::NotFound)?;
    let course = learning::course_by_id(db, attempt.course_id)
        .await?
        .ok_or(LearnError::NotFound)?;
    let rows = learning::attempt_questions(db, attempt.id).await?;
    let ids: Vec<i64> = rows.iter().map(|(r, _)| r.question_id).collect();
    let options = learning::options_of(db, &ids).await?;
    let questions = rows
        .into_iter()
        .map(|(r, q)| ShownQuestion {
            question_id: q.id,
            number: r.position,
            prompt: q.prompt,
            options: options
                .iter()
                .filter(|o| o.question_id == q.id)
                .map(|o| (o.id, o.body.clone()))
                .collect(),
            chosen: r.chosen_option_id,
            correct: r.is_correct,
            explanation: q.explanation,
        })
        .collect();
    let certificate = learning::certificate_of(db, person_id, course.id).await?;
    Ok(AttemptView {
        attempt,
        course,
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
}

/// Grades and stores an attempt. `answers` maps question id → chosen option id.
///
/// Everything happens in one transaction: the attempt is marked submitted only if it was not
/// already (a second submission changes nothing), and on a first pass the completion, the
/// certificate, the achievement and the live counts are written together — or not at all.
pub async fn submit_attempt(
    state: &AppState,
    person_id: i64,
    attempt_id: i64,
    answers: &HashMap<i64, i64>,
) -> Result<SubmitOutcome, SubmitError> {
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    let attempt = learning::attempt(&txn, attempt_id)
        .await?
        .filter(|a| a.person_id == person_id)
        .ok_or(SubmitError::NotFound)?;
    if attempt.submitted_at.is_some() {
        return Err(SubmitError::AlreadySubmitted);
    }
    let course = learning::course_by_id(&txn, attempt.course_id)
        .await?
        .ok_or(SubmitError::NotFound)?;
    let rows = learning::attempt_questions(&txn, attempt.id).await?;
    let ids: Vec<i64> = rows.iter().map(|(r, _)| r.question_id).collect();
    if answers.keys().any(|q| !ids.contains(q)) {
        return Err(SubmitError::ForeignAnswer);
    }
    let options = learning::options_of(&txn, &ids).await?;
    let mut graded = Vec::with_capacity(rows.len());
    let mut unanswered = Vec::new();
    for (r, _) in &rows {
        match answers.get(&r.question_id) {
            None => unanswered.push(r.position),
            Some(opt) => {
                let Some(o) = options
                    .iter()
                    .find(|o| o.id == *opt && o.question_id == r.question_id)
                else {
                    return Err(SubmitError::ForeignAnswer);
                };
                graded.push((r.question_id, o.id, o.is_correct));
            }
        }
    }
    if !unanswered.is_empty() {
        return Err(SubmitError::Unanswered(unanswered));
    }
    let total = rows.len() as i32;
    let correct = graded.iter().filter(|(_, _, c)| *c).count() as i32;
    let passed = total > 0 && correct * 100 >= course.pass_percent * total;

    if !learning::mark_submitted(&txn, attempt.id, correct, passed, now).await? {
        return Err(SubmitError::AlreadySubmitted);
    }
    for (q, o, c) in &graded {
        learning::record_answer(&txn, attempt.id, *q, *o, *c).await?;
    }
    let mut first_completion = false;
    if passed {
        first_completion =
            learning::insert_completion(&txn, person_id, course.id, Some(attempt.id), now).await?;
        if first_completion {
            let code = certificate_code();
            learning::insert_certificate(&txn, &code, person_id, course.id, now).await?;
            record_achievements(&txn, person_id, now).await?;
        }
    }
    txn.commit().await?;
    Ok(SubmitOutcome {
        correct,
        total,
        passed,
        first_completion,
    })
}

/// The spine: for every group this person belongs to whose required courses are now all
/// completed, record `digital_skills` once and add one to the live count of each of the
/// person's units in that group. Runs inside the caller's transaction.
pub async fn record_achievements<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), hocvuso_db::DbErr> {
    let memberships = people::memberships(conn, person_id).await?;
    if memberships.is_empty() {
        return Ok(());
    }
    let required = learning::required_courses(conn).await?;
    let completed: BTreeSet<i64> = learning::completed_course_ids(conn, person_id)
        .await?
        .into_iter()
        .collect();
    let groups: BTreeSet<&str> = memberships.iter().map(|m| m.group_code.as_str()).collect();
    for group in groups {
        let needed: Vec<i64> = required
            .iter()
            .filter(|(g, _)| g == group)
            .map(|(_, c)| *c)
            .collect();
        if needed.is_empty() || !needed.iter().all(|c| completed.contains(c)) {
            continue;
        }
        let indicator = Indicator::DigitalSkills.code();
        if stats::insert_achievement(conn, person_id, group, indicator, now).await? {
            for m in memberships.iter().filter(|m| m.group_code == group) {
                stats::add_to_count(conn, m.unit_id, group, indicator, 1).await?;
            }
        }
    }
    Ok(())
}

/// 160 random bits in Crockford base32: unguessable, unambiguous when read aloud or typed.
pub fn certificate_code() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let bytes = super::random_bytes::<20>();
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
    pub revoked: bool,
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
    let course = learning::course_by_id(db, c.course_id).await?;
    let (Some(person), Some(course)) = (person, course) else {
        return Ok(None);
    };
    Ok(Some(PublicCertificate {
        code: c.code,
        masked_name: hocvuso_domain::mask::full_name(&person.full_name),
        course_title: course.title,
        issued_at: c.issued_at,
        revoked: c.revoked_at.is_some(),
    }))
}

#[cfg(test)]
mod tests {
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
