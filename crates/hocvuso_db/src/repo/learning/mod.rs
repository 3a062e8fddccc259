//! Courses, lessons, quizzes, attempts, completions and certificates.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{
    attempt_question, certificate, course, course_completion, course_version, group_course,
    issuer_key, lesson, lesson_progress, question, question_option, quiz_attempt,
};

pub use attempt_question::Model as AttemptQuestion;

impl AttemptQuestion {
    /// The options this answer chose (none while the attempt is open).
    pub fn chosen(&self) -> Vec<i64> {
        if self.chosen_ids.is_empty() {
            self.chosen_option_id.into_iter().collect()
        } else {
            self.chosen_ids
                .split(',')
                .filter_map(|s| s.parse().ok())
                .collect()
        }
    }
}
pub use certificate::Model as Certificate;
pub use course::Model as Course;
pub use course_version::Model as CourseVersion;
pub use lesson::Model as Lesson;
pub use question::Model as Question;
pub use question_option::Model as QuestionOption;
pub use quiz_attempt::Model as QuizAttempt;

pub struct NewCourse<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub level: &'a str,
    pub pass_percent: i32,
    pub license: &'a str,
    /// Where the course is taught, when it is taught on another platform.
    pub external_url: Option<&'a str>,
    /// The course whose requirement a completion of this one also meets.
    pub counts_as_id: Option<i64>,
    /// Questions drawn per attempt (`None`: every question).
    pub quiz_draw: Option<i32>,
    /// Attempts a learner may start (`None`: no limit).
    pub quiz_attempts: Option<i32>,
    /// Minutes to submit an attempt (`None`: no limit).
    pub quiz_minutes: Option<i32>,
    pub sequential: bool,
    pub require_lessons: bool,
    /// `code=n` separated by spaces (see `course.quiz_draw_by`).
    pub quiz_draw_by: &'a str,
    /// 1 for shipped content; 0 for a course created in the browser, unseen by learners until
    /// its first version is published.
    pub version: i32,
}

pub async fn insert_course<C: ConnectionTrait>(
    conn: &C,
    c: NewCourse<'_>,
    now: DateTime<Utc>,
) -> Result<Course, DbErr> {
    course::Entity::insert(course::ActiveModel {
        slug: Set(c.slug.to_owned()),
        title: Set(c.title.to_owned()),
        summary: Set(c.summary.to_owned()),
        level: Set(c.level.to_owned()),
        pass_percent: Set(c.pass_percent),
        license: Set(c.license.to_owned()),
        created_at: Set(now),
        external_url: Set(c.external_url.map(str::to_owned)),
        counts_as_id: Set(c.counts_as_id),
        quiz_draw: Set(c.quiz_draw),
        quiz_attempts: Set(c.quiz_attempts),
        quiz_minutes: Set(c.quiz_minutes),
        version: Set(c.version),
        sequential: Set(c.sequential),
        require_lessons: Set(c.require_lessons),
        quiz_draw_by: Set(c.quiz_draw_by.to_owned()),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await
}

/// A lesson's content as stored.
pub struct LessonContent<'a> {
    pub position: i32,
    pub module: &'a str,
    pub title: &'a str,
    pub body_md: &'a str,
    pub minutes: i32,
    pub competences: &'a [String],
}

pub async fn insert_lesson<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    l: LessonContent<'_>,
) -> Result<(), DbErr> {
    lesson::Entity::insert(lesson::ActiveModel {
        course_id: Set(course_id),
        position: Set(l.position),
        module: Set(l.module.to_owned()),
        title: Set(l.title.to_owned()),
        body_md: Set(l.body_md.to_owned()),
        minutes: Set(l.minutes),
        competences: Set(l.competences.join(" ")),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Changes a lesson of the published version in place (its id, and so everyone's progress on
/// it, stays).
pub async fn update_lesson<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    l: LessonContent<'_>,
) -> Result<(), DbErr> {
    lesson::Entity::update_many()
        .col_expr(lesson::Column::Position, Expr::value(l.position))
        .col_expr(lesson::Column::Module, Expr::value(l.module))
        .col_expr(lesson::Column::Title, Expr::value(l.title))
        .col_expr(lesson::Column::BodyMd, Expr::value(l.body_md))
        .col_expr(lesson::Column::Minutes, Expr::value(l.minutes))
        .col_expr(
            lesson::Column::Competences,
            Expr::value(l.competences.join(" ")),
        )
        .filter(lesson::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Moves every current lesson of a course out of the way (position = -id) so that new
/// positions can be given one by one without meeting the unique (course, position) index.
pub async fn park_lessons<C: ConnectionTrait>(conn: &C, course_id: i64) -> Result<(), DbErr> {
    lesson::Entity::update_many()
        .col_expr(
            lesson::Column::Position,
            Expr::col(lesson::Column::Id).mul(-1),
        )
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::RetiredAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Retires lessons a new version no longer has (call after [`park_lessons`]: they keep their
/// parked position).
pub async fn retire_lessons<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    lesson::Entity::update_many()
        .col_expr(lesson::Column::RetiredAt, Expr::value(Some(now)))
        .filter(lesson::Column::Id.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Retires questions a new version changed or removed: new attempts no longer draw them, and
/// attempts that were given them keep them.
pub async fn retire_questions<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    question::Entity::update_many()
        .col_expr(question::Column::RetiredAt, Expr::value(Some(now)))
        .filter(question::Column::Id.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn set_question_position<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    position: i32,
) -> Result<(), DbErr> {
    question::Entity::update_many()
        .col_expr(question::Column::Position, Expr::value(position))
        .filter(question::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A course's settings as a version publishes them.
pub struct CourseSettings<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub pass_percent: i32,
    pub quiz_draw: Option<i32>,
    pub quiz_attempts: Option<i32>,
    pub quiz_minutes: Option<i32>,
    pub sequential: bool,
    pub require_lessons: bool,
    pub quiz_draw_by: &'a str,
}

pub async fn set_course_settings<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    c: CourseSettings<'_>,
    version: i32,
) -> Result<(), DbErr> {
    course::Entity::update_many()
        .col_expr(course::Column::Title, Expr::value(c.title))
        .col_expr(course::Column::Summary, Expr::value(c.summary))
        .col_expr(course::Column::PassPercent, Expr::value(c.pass_percent))
        .col_expr(course::Column::QuizDraw, Expr::value(c.quiz_draw))
        .col_expr(course::Column::QuizAttempts, Expr::value(c.quiz_attempts))
        .col_expr(course::Column::QuizMinutes, Expr::value(c.quiz_minutes))
        .col_expr(course::Column::Sequential, Expr::value(c.sequential))
        .col_expr(
            course::Column::RequireLessons,
            Expr::value(c.require_lessons),
        )
        .col_expr(course::Column::Version, Expr::value(version))
        .filter(course::Column::Id.eq(course_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub const VERSION_DRAFT: &str = "draft";
pub const VERSION_PUBLISHED: &str = "published";

/// A course's versions, newest first (the draft, if any, is the newest).
pub async fn versions_of<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
) -> Result<Vec<CourseVersion>, DbErr> {
    course_version::Entity::find()
        .filter(course_version::Column::CourseId.eq(course_id))
        .order_by_desc(course_version::Column::Number)
        .all(conn)
        .await
}

pub async fn draft_of<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
) -> Result<Option<CourseVersion>, DbErr> {
    course_version::Entity::find()
        .filter(course_version::Column::CourseId.eq(course_id))
        .filter(course_version::Column::Status.eq(VERSION_DRAFT))
        .one(conn)
        .await
}

/// A new version row (a draft, or the record of a version already published).
pub struct NewVersion<'a> {
    pub course_id: i64,
    pub number: i32,
    pub status: &'a str,
    pub content: &'a str,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

pub async fn insert_version<C: ConnectionTrait>(
    conn: &C,
    v: NewVersion<'_>,
) -> Result<CourseVersion, DbErr> {
    course_version::Entity::insert(course_version::ActiveModel {
        course_id: Set(v.course_id),
        number: Set(v.number),
        status: Set(v.status.to_owned()),
        content: Set(v.content.to_owned()),
        note: Set(String::new()),
        created_by: Set(v.created_by),
        created_at: Set(v.created_at),
        updated_at: Set(v.created_at),
        published_by: Set(None),
        published_at: Set(v.published_at),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await
}

/// Replaces a draft's content only if it still holds `expected` (another author's change in
/// between makes this return false and change nothing).
pub async fn update_draft<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    expected: &str,
    content: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = course_version::Entity::update_many()
        .col_expr(course_version::Column::Content, Expr::value(content))
        .col_expr(course_version::Column::UpdatedAt, Expr::value(now))
        .filter(course_version::Column::Id.eq(id))
        .filter(course_version::Column::Status.eq(VERSION_DRAFT))
        .filter(course_version::Column::Content.eq(expected))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn delete_draft<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool, DbErr> {
    let res = course_version::Entity::delete_many()
        .filter(course_version::Column::Id.eq(id))
        .filter(course_version::Column::Status.eq(VERSION_DRAFT))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Marks a draft published (only if it is still the draft). Returns whether it was.
pub async fn mark_published<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    by: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = course_version::Entity::update_many()
        .col_expr(
            course_version::Column::Status,
            Expr::value(VERSION_PUBLISHED),
        )
        .col_expr(course_version::Column::PublishedBy, Expr::value(Some(by)))
        .col_expr(course_version::Column::PublishedAt, Expr::value(Some(now)))
        .col_expr(course_version::Column::Note, Expr::value(note))
        .filter(course_version::Column::Id.eq(id))
        .filter(course_version::Column::Status.eq(VERSION_DRAFT))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// A question whose one right option must be chosen.
pub const KIND_SINGLE: &str = "single";
/// A question whose right options must all be chosen, and no wrong one.
pub const KIND_MULTIPLE: &str = "multiple";

/// A question with its options; `correct` indexes `options`.
pub struct NewQuestion<'a> {
    pub course_id: i64,
    pub position: i32,
    pub prompt: &'a str,
    pub explanation: &'a str,
    pub options: &'a [String],
    pub correct: &'a [usize],
    /// All right options to choose (else exactly one).
    pub multiple: bool,
    /// Competence codes (Thông tư 02/2025/TT-BGDĐT).
    pub competences: &'a [String],
}

/// Inserts a question with its options.
pub async fn insert_question<C: ConnectionTrait>(
    conn: &C,
    NewQuestion {
        course_id,
        position,
        prompt,
        explanation,
        options,
        correct,
        multiple,
        competences,
    }: NewQuestion<'_>,
) -> Result<i64, DbErr> {
    let q = question::Entity::insert(question::ActiveModel {
        course_id: Set(course_id),
        position: Set(position),
        prompt: Set(prompt.to_owned()),
        explanation: Set(explanation.to_owned()),
        competences: Set(competences.join(" ")),
        kind: Set(if multiple { KIND_MULTIPLE } else { KIND_SINGLE }.to_owned()),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await?;
    let rows = options
        .iter()
        .enumerate()
        .map(|(i, body)| question_option::ActiveModel {
            question_id: Set(q.id),
            position: Set(i as i32 + 1),
            body: Set(body.clone()),
            is_correct: Set(correct.contains(&i)),
            ..Default::default()
        });
    question_option::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(q.id)
}

pub async fn require_course_for_group<C: ConnectionTrait>(
    conn: &C,
    group_code: &str,
    course_id: i64,
) -> Result<(), DbErr> {
    group_course::Entity::insert(group_course::ActiveModel {
        group_code: Set(group_code.to_owned()),
        course_id: Set(course_id),
    })
    .on_conflict(
        OnConflict::columns([
            group_course::Column::GroupCode,
            group_course::Column::CourseId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// `(group_code, course_id)` for every course a group requires.
pub async fn required_courses<C: ConnectionTrait>(conn: &C) -> Result<Vec<(String, i64)>, DbErr> {
    Ok(group_course::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|g| (g.group_code, g.course_id))
        .collect())
}

pub async fn courses<C: ConnectionTrait>(conn: &C) -> Result<Vec<Course>, DbErr> {
    course::Entity::find()
        .order_by_asc(course::Column::Id)
        .all(conn)
        .await
}

pub async fn course_by_slug<C: ConnectionTrait>(
    conn: &C,
    slug: &str,
) -> Result<Option<Course>, DbErr> {
    course::Entity::find()
        .filter(course::Column::Slug.eq(slug))
        .one(conn)
        .await
}

/// The lessons of a course's published version, in order (retired lessons left out).
pub async fn lessons<C: ConnectionTrait>(conn: &C, course_id: i64) -> Result<Vec<Lesson>, DbErr> {
    lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::RetiredAt.is_null())
        .order_by_asc(lesson::Column::Position)
        .all(conn)
        .await
}

/// Which of these lessons the person has finished.
pub async fn finished_among<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    lesson_ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    Ok(lesson_progress::Entity::find()
        .filter(lesson_progress::Column::PersonId.eq(person_id))
        .filter(lesson_progress::Column::LessonId.is_in(lesson_ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.lesson_id)
        .collect())
}

pub async fn mark_lesson_finished<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    lesson_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    lesson_progress::Entity::insert(lesson_progress::ActiveModel {
        person_id: Set(person_id),
        lesson_id: Set(lesson_id),
        completed_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            lesson_progress::Column::PersonId,
            lesson_progress::Column::LessonId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Every question a course ever had, retired ones too (attempts keep the questions they were
/// given); the bank is those with no `retired_at`.
pub async fn questions<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
) -> Result<Vec<Question>, DbErr> {
    question::Entity::find()
        .filter(question::Column::CourseId.eq(course_id))
        .order_by_asc(question::Column::Position)
        .all(conn)
        .await
}

/// Options of the given questions, ordered by question then position.
pub async fn options_of<C: ConnectionTrait>(
    conn: &C,
    question_ids: &[i64],
) -> Result<Vec<QuestionOption>, DbErr> {
    question_option::Entity::find()
        .filter(question_option::Column::QuestionId.is_in(question_ids.iter().copied()))
        .order_by_asc(question_option::Column::QuestionId)
        .order_by_asc(question_option::Column::Position)
        .all(conn)
        .await
}

pub async fn attempt<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<QuizAttempt>, DbErr> {
    quiz_attempt::Entity::find_by_id(id).one(conn).await
}

/// The questions an attempt was given, as rows in the order given: from its own list while it
/// is open, from the stored rows (with the chosen answers) once submitted.
pub async fn attempt_rows<C: ConnectionTrait>(
    conn: &C,
    attempt: &QuizAttempt,
) -> Result<Vec<AttemptQuestion>, DbErr> {
    rows_of_attempts(conn, std::slice::from_ref(attempt)).await
}

/// The question ids of an attempt's own list (empty for attempts from before the list).
fn listed_questions(a: &QuizAttempt) -> Vec<i64> {
    a.question_ids
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// An attempt's question list as unanswered rows.
fn rows_from_list(a: &QuizAttempt) -> Vec<AttemptQuestion> {
    listed_questions(a)
        .into_iter()
        .enumerate()
        .map(|(i, q)| AttemptQuestion {
            attempt_id: a.id,
            question_id: q,
            position: i as i32 + 1,
            chosen_option_id: None,
            is_correct: None,
            chosen_ids: String::new(),
        })
        .collect()
}

pub async fn certificate_by_code<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<Option<Certificate>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::Code.eq(code))
        .one(conn)
        .await
}

pub async fn certificate_of<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    course_id: i64,
) -> Result<Option<Certificate>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(person_id))
        .filter(certificate::Column::CourseId.eq(course_id))
        .one(conn)
        .await
}

/// Revokes a certificate (once: a revoked certificate keeps its first reason). True when this
/// call revoked it.
pub async fn revoke_certificate<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    reason: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(now))
        .col_expr(certificate::Column::RevokeReason, Expr::value(reason))
        .col_expr(certificate::Column::RevokedBy, Expr::value(by))
        .filter(certificate::Column::Id.eq(id))
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// The key that signs new credentials.
pub async fn current_issuer_key<C: ConnectionTrait>(
    conn: &C,
) -> Result<Option<issuer_key::Model>, DbErr> {
    issuer_key::Entity::find()
        .filter(issuer_key::Column::RetiredAt.is_null())
        .order_by_desc(issuer_key::Column::Id)
        .one(conn)
        .await
}

/// Every key this installation has signed with (`did`s), newest first.
pub async fn issuer_dids<C: ConnectionTrait>(conn: &C) -> Result<Vec<String>, DbErr> {
    Ok(issuer_key::Entity::find()
        .order_by_desc(issuer_key::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|k| k.did)
        .collect())
}

pub async fn insert_issuer_key<C: ConnectionTrait>(
    conn: &C,
    did: &str,
    secret_hex: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    issuer_key::Entity::insert(issuer_key::ActiveModel {
        did: Set(did.to_owned()),
        secret_hex: Set(secret_hex.to_owned()),
        created_at: Set(now),
        retired_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// How many of the given attempts are submitted.
pub async fn submitted_among<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<usize, DbErr> {
    use sea_orm::PaginatorTrait;
    Ok(quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::Id.is_in(ids.iter().copied()))
        .filter(quiz_attempt::Column::SubmittedAt.is_not_null())
        .count(conn)
        .await? as usize)
}

// ---- Batched forms, for the group-commit writer (one statement per batch, not per request).

/// Rows per multi-row statement (well under both backends' bound-parameter limits).
const CHUNK: usize = 500;

pub async fn attempts_by_ids<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<Vec<QuizAttempt>, DbErr> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            quiz_attempt::Entity::find()
                .filter(quiz_attempt::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// The questions kept by these attempts, by attempt then position (see [`attempt_rows`]). Open
/// attempts need no query: their list is in their own row.
pub async fn rows_of_attempts<C: ConnectionTrait>(
    conn: &C,
    attempts: &[QuizAttempt],
) -> Result<Vec<AttemptQuestion>, DbErr> {
    let stored: Vec<i64> = attempts
        .iter()
        .filter(|a| a.submitted_at.is_some() || a.question_ids.is_empty())
        .map(|a| a.id)
        .collect();
    let mut out = Vec::new();
    for chunk in stored.chunks(CHUNK) {
        out.extend(
            attempt_question::Entity::find()
                .filter(attempt_question::Column::AttemptId.is_in(chunk.iter().copied()))
                .order_by_asc(attempt_question::Column::AttemptId)
                .order_by_asc(attempt_question::Column::Position)
                .all(conn)
                .await?,
        );
    }
    for a in attempts {
        if !out.iter().any(|r| r.attempt_id == a.id) {
            out.extend(rows_from_list(a));
        }
    }
    Ok(out)
}

/// Marks attempts submitted with their grades `(attempt, correct, passed)`, each only if it was
/// not submitted yet. Returns the ids that this statement submitted.
pub async fn submit_many<C: ConnectionTrait>(
    conn: &C,
    grades: &[(i64, i32, bool)],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, DbErr> {
    let mut done = Vec::with_capacity(grades.len());
    for chunk in grades.chunks(CHUNK) {
        let mut correct = CaseStatement::new();
        let mut passed = CaseStatement::new();
        for (id, c, p) in chunk {
            correct = correct.case(Expr::col(quiz_attempt::Column::Id).eq(*id), Expr::val(*c));
            passed = passed.case(Expr::col(quiz_attempt::Column::Id).eq(*id), Expr::val(*p));
        }
        let updated = quiz_attempt::Entity::update_many()
            .col_expr(quiz_attempt::Column::SubmittedAt, Expr::value(Some(now)))
            .col_expr(quiz_attempt::Column::CorrectCount, correct.into())
            .col_expr(quiz_attempt::Column::Passed, passed.into())
            .filter(quiz_attempt::Column::Id.is_in(chunk.iter().map(|(id, _, _)| *id)))
            .filter(quiz_attempt::Column::SubmittedAt.is_null())
            .exec_with_returning(conn)
            .await?;
        done.extend(updated.into_iter().map(|a| a.id));
    }
    Ok(done)
}

/// One stored answer of a submitted attempt.
pub struct AnswerRow {
    pub attempt_id: i64,
    pub question_id: i64,
    pub position: i32,
    /// The chosen options (one for a single-choice question).
    pub chosen: Vec<i64>,
    pub correct: bool,
}

/// Stores the answers of submitted attempts.
pub async fn record_answers_many<C: ConnectionTrait>(
    conn: &C,
    answers: &[AnswerRow],
) -> Result<(), DbErr> {
    for chunk in answers.chunks(CHUNK) {
        attempt_question::Entity::insert_many(chunk.iter().map(|a| {
            attempt_question::ActiveModel {
                attempt_id: Set(a.attempt_id),
                question_id: Set(a.question_id),
                position: Set(a.position),
                chosen_option_id: Set(a.chosen.first().copied()),
                is_correct: Set(Some(a.correct)),
                chosen_ids: Set(a
                    .chosen
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")),
            }
        }))
        .on_conflict(
            OnConflict::columns([
                attempt_question::Column::AttemptId,
                attempt_question::Column::QuestionId,
            ])
            .update_columns([
                attempt_question::Column::ChosenOptionId,
                attempt_question::Column::IsCorrect,
                attempt_question::Column::ChosenIds,
            ])
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// Records completions `(person, course, attempt, at)` (`import_id`: the import of results
/// that brought them, for completions made elsewhere); returns `(person, course)` of those
/// that are new (a course completes once per person).
pub async fn insert_completions<C: ConnectionTrait>(
    conn: &C,
    rows: &[(i64, i64, Option<i64>, DateTime<Utc>)],
    import_id: Option<i64>,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut new = Vec::new();
    for chunk in rows.chunks(CHUNK) {
        let res = course_completion::Entity::insert_many(chunk.iter().map(|(p, c, a, at)| {
            course_completion::ActiveModel {
                person_id: Set(*p),
                course_id: Set(*c),
                attempt_id: Set(*a),
                completed_at: Set(*at),
                import_id: Set(import_id),
            }
        }))
        .on_conflict(
            OnConflict::columns([
                course_completion::Column::PersonId,
                course_completion::Column::CourseId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .do_nothing()
        .exec_with_returning_many(conn)
        .await?;
        if let sea_orm::TryInsertResult::Inserted(models) = res {
            new.extend(models.into_iter().map(|m| (m.person_id, m.course_id)));
        }
    }
    Ok(new)
}

/// Certificates `(code, person, course, issued at)`.
pub async fn insert_certificates<C: ConnectionTrait>(
    conn: &C,
    rows: &[(String, i64, i64, DateTime<Utc>)],
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        certificate::Entity::insert_many(chunk.iter().map(|(code, p, c, at)| {
            certificate::ActiveModel {
                code: Set(code.clone()),
                person_id: Set(*p),
                course_id: Set(*c),
                issued_at: Set(*at),
                revoked_at: Set(None),
                revoke_reason: Set(None),
                revoked_by: Set(None),
                ..Default::default()
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// When this person completed this course, if they did.
pub async fn completion_of<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    course_id: i64,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(
        course_completion::Entity::find_by_id((person_id, course_id))
            .one(conn)
            .await?
            .map(|c| c.completed_at),
    )
}

/// `(person, course)` of every completion of these people.
pub async fn completions_of<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(CHUNK) {
        out.extend(
            course_completion::Entity::find()
                .filter(course_completion::Column::PersonId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
                .into_iter()
                .map(|c| (c.person_id, c.course_id)),
        );
    }
    Ok(out)
}

/// Open (not submitted) attempts of these people at a course.
pub async fn open_attempts_of<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
    course_id: i64,
) -> Result<Vec<QuizAttempt>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(CHUNK) {
        out.extend(
            quiz_attempt::Entity::find()
                .filter(quiz_attempt::Column::PersonId.is_in(chunk.iter().copied()))
                .filter(quiz_attempt::Column::CourseId.eq(course_id))
                .filter(quiz_attempt::Column::SubmittedAt.is_null())
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// How many attempts at a course each of these people has started: `(person, count)`.
pub async fn attempt_counts<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
    course_id: i64,
) -> Result<Vec<(i64, i64)>, DbErr> {
    use sea_orm::{QuerySelect, SelectColumns};
    let mut out = Vec::new();
    for chunk in person_ids.chunks(CHUNK) {
        out.extend(
            quiz_attempt::Entity::find()
                .select_only()
                .select_column(quiz_attempt::Column::PersonId)
                .column_as(quiz_attempt::Column::Id.count(), "n")
                .filter(quiz_attempt::Column::PersonId.is_in(chunk.iter().copied()))
                .filter(quiz_attempt::Column::CourseId.eq(course_id))
                .group_by(quiz_attempt::Column::PersonId)
                .into_tuple::<(i64, i64)>()
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// New attempts `(person, course, question ids)`, each keeping exactly its questions (in its
/// own row; the per-question rows are written at submission). Returns the attempts in the same
/// order.
pub async fn insert_attempts<C: ConnectionTrait>(
    conn: &C,
    rows: &[(i64, i64, Vec<i64>)],
    now: DateTime<Utc>,
) -> Result<Vec<QuizAttempt>, DbErr> {
    let mut attempts = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let res = quiz_attempt::Entity::insert_many(chunk.iter().map(|(p, c, qs)| {
            quiz_attempt::ActiveModel {
                person_id: Set(*p),
                course_id: Set(*c),
                started_at: Set(now),
                submitted_at: Set(None),
                question_count: Set(qs.len() as i32),
                correct_count: Set(None),
                passed: Set(None),
                question_ids: Set(qs.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
                ..Default::default()
            }
        }))
        .exec_with_returning_many(conn)
        .await?;
        // RETURNING gives rows in insertion order on both backends for a single INSERT.
        let mut inserted = res;
        inserted.sort_by_key(|a| a.id);
        attempts.extend(inserted);
    }
    Ok(attempts)
}

pub use crate::entity::completion_import::Model as CompletionImport;

/// One applied import of results, as recorded.
pub struct NewCompletionImport<'a> {
    pub actor_id: Option<i64>,
    pub course_id: i64,
    pub source: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub rows: i64,
    pub added: i64,
    pub unchanged: i64,
    pub skipped: i64,
}

/// Records an import of results; returns its id (completions name it).
pub async fn insert_completion_import<C: ConnectionTrait>(
    conn: &C,
    i: NewCompletionImport<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    use crate::entity::completion_import;
    Ok(
        completion_import::Entity::insert(completion_import::ActiveModel {
            actor_id: Set(i.actor_id),
            course_id: Set(i.course_id),
            source: Set(i.source.to_owned()),
            file_name: Set(i.file_name.to_owned()),
            sha256: Set(i.sha256.to_owned()),
            rows: Set(i.rows),
            added: Set(i.added),
            unchanged: Set(i.unchanged),
            skipped: Set(i.skipped),
            at: Set(now),
            ..Default::default()
        })
        .exec_with_returning(conn)
        .await?
        .id,
    )
}

/// Sets the number of completions an import added (known only once they are written).
pub async fn set_completion_import_counts<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    added: i64,
    unchanged: i64,
) -> Result<(), DbErr> {
    use crate::entity::completion_import;
    completion_import::Entity::update_many()
        .col_expr(completion_import::Column::Added, Expr::value(added))
        .col_expr(completion_import::Column::Unchanged, Expr::value(unchanged))
        .filter(completion_import::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The latest imports of results, newest first.
pub async fn recent_completion_imports<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<CompletionImport>, DbErr> {
    use crate::entity::completion_import;
    use sea_orm::QuerySelect;
    completion_import::Entity::find()
        .order_by_desc(completion_import::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// `(person, lesson)` for every lesson read by someone who belongs to a unit under `path`
/// (the unit and everything below it), each pair once.
pub async fn lessons_read_under<C: ConnectionTrait>(
    conn: &C,
    path: &str,
) -> Result<Vec<(i64, i64)>, DbErr> {
    use sea_orm::sea_query::{Alias, JoinType, Query};
    use sea_orm::FromQueryResult;
    #[derive(FromQueryResult)]
    struct Row {
        person_id: i64,
        lesson_id: i64,
    }
    let (m, u, lp) = (Alias::new("m"), Alias::new("u"), Alias::new("lp"));
    let c = |t: &Alias, n: &'static str| Expr::col((t.clone(), Alias::new(n)));
    let mut q = Query::select();
    q.distinct()
        .expr_as(c(&lp, "person_id"), Alias::new("person_id"))
        .expr_as(c(&lp, "lesson_id"), Alias::new("lesson_id"))
        .from_as(Alias::new("membership"), m.clone())
        .join_as(
            JoinType::InnerJoin,
            Alias::new("org_unit"),
            u.clone(),
            c(&u, "id").equals((m.clone(), Alias::new("unit_id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            Alias::new("lesson_progress"),
            lp.clone(),
            c(&lp, "person_id").equals((m.clone(), Alias::new("person_id"))),
        )
        .and_where(super::org::path_under(c(&u, "path").into(), path));
    let stmt = conn.get_database_backend().build(&q);
    Ok(Row::find_by_statement(stmt)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.person_id, r.lesson_id))
        .collect())
}

/// How many people belong to a unit under `path` (the unit and everything below it).
pub async fn people_under<C: ConnectionTrait>(conn: &C, path: &str) -> Result<i64, DbErr> {
    use sea_orm::sea_query::{Alias, Func, JoinType, Query};
    use sea_orm::FromQueryResult;
    #[derive(FromQueryResult)]
    struct Row {
        n: i64,
    }
    let (m, u) = (Alias::new("m"), Alias::new("u"));
    let c = |t: &Alias, n: &'static str| Expr::col((t.clone(), Alias::new(n)));
    let mut q = Query::select();
    q.expr_as(Func::count_distinct(c(&m, "person_id")), Alias::new("n"))
        .from_as(Alias::new("membership"), m.clone())
        .join_as(
            JoinType::InnerJoin,
            Alias::new("org_unit"),
            u.clone(),
            c(&u, "id").equals((m.clone(), Alias::new("unit_id"))),
        )
        .and_where(super::org::path_under(c(&u, "path").into(), path));
    let stmt = conn.get_database_backend().build(&q);
    Ok(Row::find_by_statement(stmt)
        .one(conn)
        .await?
        .map_or(0, |r| r.n))
}
