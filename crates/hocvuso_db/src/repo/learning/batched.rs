//! Batched forms, for the group-commit writer (one statement per batch, not per request):
//! attempts, submissions, answers, completions and certificates.

use super::progress::rows_from_list;
use super::*;

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
                revoke_reason_public: Set(false),
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

/// `(person, course, when)` of every completion of these people.
pub async fn completions_of<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
) -> Result<Vec<(i64, i64, DateTime<Utc>)>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(CHUNK) {
        out.extend(
            course_completion::Entity::find()
                .filter(course_completion::Column::PersonId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
                .into_iter()
                .map(|c| (c.person_id, c.course_id, c.completed_at)),
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
