//! A learner's progress: lessons finished, the questions and options of a course, one
//! attempt and the questions it was given.

use super::*;

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
pub(super) fn listed_questions(a: &QuizAttempt) -> Vec<i64> {
    a.question_ids
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// An attempt's question list as unanswered rows.
pub(super) fn rows_from_list(a: &QuizAttempt) -> Vec<AttemptQuestion> {
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

/// Which of these people passed the course's quiz (a submitted attempt graded as passed).
pub async fn passed_quiz_among<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    person_ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(500) {
        use sea_orm::QuerySelect;
        let rows: Vec<i64> = quiz_attempt::Entity::find()
            .select_only()
            .column(quiz_attempt::Column::PersonId)
            .filter(quiz_attempt::Column::CourseId.eq(course_id))
            .filter(quiz_attempt::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(quiz_attempt::Column::Passed.eq(true))
            .distinct()
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}
