//! Courses, lessons, quizzes, attempts, completions and certificates.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{
    attempt_question, certificate, course, course_completion, group_course, lesson,
    lesson_progress, question, question_option, quiz_attempt,
};

pub use attempt_question::Model as AttemptQuestion;
pub use certificate::Model as Certificate;
pub use course::Model as Course;
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
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await
}

pub async fn insert_lesson<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    position: i32,
    title: &str,
    body_md: &str,
    minutes: i32,
) -> Result<(), DbErr> {
    lesson::Entity::insert(lesson::ActiveModel {
        course_id: Set(course_id),
        position: Set(position),
        title: Set(title.to_owned()),
        body_md: Set(body_md.to_owned()),
        minutes: Set(minutes),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Inserts a single-choice question with its options; `correct` indexes `options`.
pub async fn insert_question<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    position: i32,
    prompt: &str,
    explanation: &str,
    options: &[String],
    correct: usize,
) -> Result<(), DbErr> {
    let q = question::Entity::insert(question::ActiveModel {
        course_id: Set(course_id),
        position: Set(position),
        prompt: Set(prompt.to_owned()),
        explanation: Set(explanation.to_owned()),
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
            is_correct: Set(i == correct),
            ..Default::default()
        });
    question_option::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
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

pub async fn course_by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Course>, DbErr> {
    course::Entity::find_by_id(id).one(conn).await
}

pub async fn lessons<C: ConnectionTrait>(conn: &C, course_id: i64) -> Result<Vec<Lesson>, DbErr> {
    lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(course_id))
        .order_by_asc(lesson::Column::Position)
        .all(conn)
        .await
}

pub async fn lesson_at<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    position: i32,
) -> Result<Option<Lesson>, DbErr> {
    lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::Position.eq(position))
        .one(conn)
        .await
}

/// Ids of the lessons of a course this person has finished.
pub async fn finished_lessons<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    course_id: i64,
) -> Result<Vec<i64>, DbErr> {
    let lesson_ids: Vec<i64> = lessons(conn, course_id)
        .await?
        .iter()
        .map(|l| l.id)
        .collect();
    Ok(lesson_progress::Entity::find()
        .filter(lesson_progress::Column::PersonId.eq(person_id))
        .filter(lesson_progress::Column::LessonId.is_in(lesson_ids))
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

/// Creates an attempt that keeps exactly the given questions, in order.
pub async fn insert_attempt<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    course_id: i64,
    question_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<QuizAttempt, DbErr> {
    let attempt = quiz_attempt::Entity::insert(quiz_attempt::ActiveModel {
        person_id: Set(person_id),
        course_id: Set(course_id),
        started_at: Set(now),
        submitted_at: Set(None),
        question_count: Set(question_ids.len() as i32),
        correct_count: Set(None),
        passed: Set(None),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await?;
    if !question_ids.is_empty() {
        let rows = question_ids
            .iter()
            .enumerate()
            .map(|(i, q)| attempt_question::ActiveModel {
                attempt_id: Set(attempt.id),
                question_id: Set(*q),
                position: Set(i as i32 + 1),
                chosen_option_id: Set(None),
                is_correct: Set(None),
            });
        attempt_question::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(attempt)
}

pub async fn attempt<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<QuizAttempt>, DbErr> {
    quiz_attempt::Entity::find_by_id(id).one(conn).await
}

/// The person's latest attempt at a course that is not yet submitted.
pub async fn open_attempt<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    course_id: i64,
) -> Result<Option<QuizAttempt>, DbErr> {
    quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::PersonId.eq(person_id))
        .filter(quiz_attempt::Column::CourseId.eq(course_id))
        .filter(quiz_attempt::Column::SubmittedAt.is_null())
        .order_by_desc(quiz_attempt::Column::Id)
        .one(conn)
        .await
}

/// The questions kept by an attempt, in the order they were given.
pub async fn attempt_questions<C: ConnectionTrait>(
    conn: &C,
    attempt_id: i64,
) -> Result<Vec<(AttemptQuestion, Question)>, DbErr> {
    let rows = attempt_question::Entity::find()
        .filter(attempt_question::Column::AttemptId.eq(attempt_id))
        .order_by_asc(attempt_question::Column::Position)
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.question_id).collect();
    let qs = question::Entity::find()
        .filter(question::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let q = qs.iter().find(|q| q.id == r.question_id)?.clone();
            Some((r, q))
        })
        .collect())
}

/// Marks an attempt submitted, only if it was not already. Returns false when another
/// submission got there first (so the caller must not count anything).
pub async fn mark_submitted<C: ConnectionTrait>(
    conn: &C,
    attempt_id: i64,
    correct_count: i32,
    passed: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = quiz_attempt::Entity::update_many()
        .col_expr(quiz_attempt::Column::SubmittedAt, Expr::value(Some(now)))
        .col_expr(
            quiz_attempt::Column::CorrectCount,
            Expr::value(Some(correct_count)),
        )
        .col_expr(quiz_attempt::Column::Passed, Expr::value(Some(passed)))
        .filter(quiz_attempt::Column::Id.eq(attempt_id))
        .filter(quiz_attempt::Column::SubmittedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn record_answer<C: ConnectionTrait>(
    conn: &C,
    attempt_id: i64,
    question_id: i64,
    option_id: i64,
    is_correct: bool,
) -> Result<(), DbErr> {
    attempt_question::Entity::update_many()
        .col_expr(
            attempt_question::Column::ChosenOptionId,
            Expr::value(Some(option_id)),
        )
        .col_expr(
            attempt_question::Column::IsCorrect,
            Expr::value(Some(is_correct)),
        )
        .filter(attempt_question::Column::AttemptId.eq(attempt_id))
        .filter(attempt_question::Column::QuestionId.eq(question_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records that a person completed a course. Returns true only the first time.
pub async fn insert_completion<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    course_id: i64,
    attempt_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = course_completion::Entity::insert(course_completion::ActiveModel {
        person_id: Set(person_id),
        course_id: Set(course_id),
        attempt_id: Set(attempt_id),
        completed_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            course_completion::Column::PersonId,
            course_completion::Column::CourseId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(n == 1)
}

pub async fn completed_course_ids<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Vec<i64>, DbErr> {
    Ok(course_completion::Entity::find()
        .filter(course_completion::Column::PersonId.eq(person_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.course_id)
        .collect())
}

pub async fn insert_certificate<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    person_id: i64,
    course_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    certificate::Entity::insert(certificate::ActiveModel {
        code: Set(code.to_owned()),
        person_id: Set(person_id),
        course_id: Set(course_id),
        issued_at: Set(now),
        revoked_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([certificate::Column::PersonId, certificate::Column::CourseId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
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

/// How many of the given attempts are submitted.
pub async fn submitted_among<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<usize, DbErr> {
    use sea_orm::PaginatorTrait;
    Ok(quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::Id.is_in(ids.iter().copied()))
        .filter(quiz_attempt::Column::SubmittedAt.is_not_null())
        .count(conn)
        .await? as usize)
}
