//! Publishing the draft as the next version in one transaction (see the module's notes on
//! what learners keep).

use std::collections::{BTreeMap, BTreeSet};

use hocvuso_db::repo::learning as repo;
use hocvuso_db::{ConnectionTrait, DbErr, TransactionTrait};
use hocvuso_domain::text::nfc;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;

use super::draft::{codes, right_indexes, CourseDoc, QuestionDoc};
use super::editing::{editable_course, EditError};

/// Publishes the draft as the next version (see the module's notes on what learners keep).
/// Returns the new version's number.
pub async fn publish(
    state: &Runtime,
    author: &SessionUser,
    slug: &str,
    note: &str,
) -> Result<i32, EditError> {
    let catalog = state.catalog.current();
    editable_course(&catalog, slug)?;
    let now = state.clock.now();
    let note = nfc(note.trim());
    if note.chars().count() > 300 {
        return Err(EditError::Invalid(vec![(
            "note",
            "Ghi chú dài quá 300 ký tự.".to_owned(),
        )]));
    }
    let txn = state.db.write().begin().await?;
    let course = repo::course_by_slug(&txn, slug)
        .await?
        .ok_or(EditError::NotFound)?;
    let Some(draft) = repo::draft_of(&txn, course.id).await? else {
        return Err(EditError::Invalid(vec![(
            "note",
            "Chưa có thay đổi nào để xuất bản.".to_owned(),
        )]));
    };
    let doc = CourseDoc::from_json(&draft.content)?;
    let problems = doc.problems();
    if !problems.is_empty() {
        return Err(EditError::Invalid(
            problems.into_iter().map(|p| ("note", p)).collect(),
        ));
    }
    let number = course.version + 1;
    if draft.number != number
        || !repo::mark_published(&txn, draft.id, author.person_id, &note, now).await?
    {
        return Err(EditError::Conflict);
    }
    apply(&txn, &course, &doc, number, now).await?;
    crate::services::learning::catalog::mark_changed(&txn).await?;
    txn.commit().await?;
    crate::services::learning::catalog::reload(state).await?;
    Ok(number)
}

/// Makes `doc` the published content of `course` (inside the caller's transaction).
async fn apply<C: ConnectionTrait>(
    conn: &C,
    course: &repo::Course,
    doc: &CourseDoc,
    number: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    // Lessons: kept ones change in place, new ones are added, the rest retire.
    let live: BTreeSet<i64> = repo::lessons(conn, course.id)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();
    repo::park_lessons(conn, course.id).await?;
    let mut kept = BTreeSet::new();
    for (i, l) in doc.lessons.iter().enumerate() {
        let position = i as i32 + 1;
        match l.id.filter(|id| live.contains(id) && !kept.contains(id)) {
            Some(id) => {
                kept.insert(id);
                repo::update_lesson(conn, id, l.content(position)).await?;
            }
            None => {
                repo::insert_lesson(conn, course.id, l.content(position)).await?;
            }
        }
    }
    let gone: Vec<i64> = live.difference(&kept).copied().collect();
    repo::retire_lessons(conn, &gone, now).await?;

    // Questions: unchanged ones stay (moved if need be); changed ones retire and come back as
    // new questions; the rest retire.
    let bank: Vec<repo::Question> = repo::questions(conn, course.id)
        .await?
        .into_iter()
        .filter(|q| q.retired_at.is_none())
        .collect();
    let ids: Vec<i64> = bank.iter().map(|q| q.id).collect();
    let mut options: BTreeMap<i64, Vec<repo::QuestionOption>> = BTreeMap::new();
    for o in repo::options_of(conn, &ids).await? {
        options.entry(o.question_id).or_default().push(o);
    }
    let published: BTreeMap<i64, QuestionDoc> = bank
        .iter()
        .map(|q| {
            let opts = options.remove(&q.id).unwrap_or_default();
            (
                q.id,
                QuestionDoc {
                    id: Some(q.id),
                    prompt: q.prompt.clone(),
                    correct: right_indexes(&opts),
                    multiple: q.kind == repo::KIND_MULTIPLE,
                    options: opts.into_iter().map(|o| o.body).collect(),
                    explanation: q.explanation.clone(),
                    competences: codes(&q.competences),
                },
            )
        })
        .collect();
    let mut kept = BTreeSet::new();
    for (i, q) in doc.questions.iter().enumerate() {
        let position = i as i32 + 1;
        let same =
            q.id.filter(|id| !kept.contains(id))
                .and_then(|id| published.get(&id))
                .filter(|p| p.same_as(q));
        match same.and_then(|p| p.id) {
            Some(id) => {
                kept.insert(id);
                repo::set_question_position(conn, id, position).await?;
            }
            None => {
                repo::insert_question(
                    conn,
                    repo::NewQuestion {
                        course_id: course.id,
                        position,
                        prompt: &q.prompt,
                        explanation: &q.explanation,
                        options: &q.options,
                        correct: &q.correct,
                        multiple: q.multiple,
                        competences: &q.competences,
                    },
                )
                .await?;
            }
        }
    }
    let gone: Vec<i64> = ids.into_iter().filter(|id| !kept.contains(id)).collect();
    repo::retire_questions(conn, &gone, now).await?;

    repo::set_course_settings(
        conn,
        course.id,
        repo::CourseSettings {
            title: &doc.title,
            summary: &doc.summary,
            pass_percent: doc.pass_percent,
            quiz_draw: doc.quiz_draw,
            quiz_attempts: doc.quiz_attempts,
            quiz_minutes: doc.quiz_minutes,
            sequential: doc.sequential,
            require_lessons: doc.require_lessons,
            quiz_draw_by: &hocvuso_domain::competence::format_quotas(&doc.draw_by),
        },
        number,
    )
    .await
}
