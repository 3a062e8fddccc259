//! Attendance: a learner checks in with the code on the trainer's screen (scanned or typed),
//! or the trainer ticks the list; a learner who attended the class's share of sessions
//! completes its course through the spine, with a certificate.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use hocvuso_db::repo::training;
use hocvuso_db::repo::{audit, learning};
use hocvuso_db::{ConnectionTrait, TransactionTrait};
use hocvuso_domain::AuditAction;

use super::classes::{managed, CHECK_IN_MARGIN_MINUTES};
use super::code;
use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::Internal;

/// What a code typed by a learner came to.
#[derive(Debug, PartialEq, Eq)]
pub enum CheckIn {
    /// Marked present at this class's session.
    Present { class: String, session: String },
    /// Marked before.
    Already { class: String },
    /// No session of the learner's classes is on now.
    NoSession,
    /// Not the code of a session of theirs now (wrong, old, or another session's).
    Wrong,
    /// Too many tries: wait this many seconds.
    TooMany(u64),
}

/// A learner marks themselves present with the code on the trainer's screen (scanned or typed).
pub async fn check_in(
    state: &Runtime,
    user: &SessionUser,
    typed: &str,
) -> Result<CheckIn, Internal> {
    let now = state.clock.now();
    if let Err(wait) = state
        .limits
        .attendance_person
        .check(&user.person_id.to_string(), now)
    {
        return Ok(CheckIn::TooMany(wait));
    }
    let typed = code::normalise(typed);
    let db = state.db.read();
    let places: Vec<training::Place> = training::places_of_person(db, user.person_id)
        .await?
        .into_iter()
        .filter(|p| p.status == training::REGISTERED)
        .collect();
    let class_ids: Vec<i64> = places.iter().map(|p| p.class_id).collect();
    let margin = Duration::minutes(CHECK_IN_MARGIN_MINUTES);
    let on_now: Vec<training::Session> = training::sessions_of_classes(db, &class_ids)
        .await?
        .into_iter()
        .filter(|s| s.starts_at - margin <= now && now <= s.ends_at + margin)
        .collect();
    if on_now.is_empty() {
        return Ok(CheckIn::NoSession);
    }
    let Some(session) = on_now
        .into_iter()
        .find(|s| code::matches(&s.secret, &typed, now))
    else {
        return Ok(CheckIn::Wrong);
    };
    let Some(c) = training::class_by_id(db, session.class_id).await? else {
        return Ok(CheckIn::Wrong);
    };
    let txn = state.db.write().begin().await?;
    if !training::attend(
        &txn,
        session.id,
        user.person_id,
        training::BY_QR,
        user.person_id,
        now,
    )
    .await?
    {
        return Ok(CheckIn::Already { class: c.title });
    }
    audit::record(
        &txn,
        user.person_id,
        AuditAction::TrainingPresent,
        &user.person_id.to_string(),
        &format!("lớp {} buổi {} (mã)", c.id, session.id),
        now,
    )
    .await?;
    complete_if_met(state, &txn, &c, &[user.person_id], now).await?;
    txn.commit().await?;
    Ok(CheckIn::Present {
        class: c.title,
        session: crate::clock::format_date_time(session.starts_at),
    })
}

/// Completes the class — and its course, through the spine, with a certificate — for each of
/// `people` (registered in `c`) who attended at least the class's share of its sessions. In the
/// caller's transaction.
async fn complete_if_met<C: ConnectionTrait>(
    state: &Runtime,
    conn: &C,
    c: &training::Class,
    people: &[i64],
    now: DateTime<Utc>,
) -> Result<(), Internal> {
    let sessions = training::sessions(conn, c.id).await?;
    if sessions.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let marks = training::attendance(conn, &ids).await?;
    let places = training::places(conn, c.id).await?;
    let total = i64::try_from(sessions.len()).unwrap_or(i64::MAX);
    // With the class's quiz rule, only people who passed the course's quiz complete it now
    // (the others when they pass it: `quiz_passed`).
    let passed: Option<Vec<i64>> = if c.needs_quiz {
        Some(learning::passed_quiz_among(conn, c.course_id, people).await?)
    } else {
        None
    };
    let mut done = Vec::new();
    for p in places.iter().filter(|p| {
        p.status == training::REGISTERED
            && p.completed_at.is_none()
            && people.contains(&p.person_id)
            && passed.as_ref().is_none_or(|ok| ok.contains(&p.person_id))
    }) {
        let attended =
            i64::try_from(marks.iter().filter(|m| m.person_id == p.person_id).count()).unwrap_or(0);
        if attended * 100 >= i64::from(c.min_attendance) * total {
            training::set_completed(conn, p.id, now).await?;
            done.push(p.person_id);
        }
    }
    if done.is_empty() {
        return Ok(());
    }
    let done: Vec<(i64, DateTime<Utc>)> = done.into_iter().map(|p| (p, now)).collect();
    crate::services::learning::spine::complete_course(
        conn,
        &state.catalog.current(),
        c.course_id,
        &done,
        crate::services::learning::spine::CompletedBy::Class,
    )
    .await?;
    Ok(())
}

/// After quiz passes (`(person, course)`), in the same transaction: the places of classes that
/// teach those courses with the quiz rule whose holders attended enough sessions are completed
/// (the course itself was completed by the pass, through the spine). Called by
/// `learning::quiz::SubmitHandler`.
pub async fn quiz_passed<C: ConnectionTrait>(
    conn: &C,
    passes: &[(i64, i64)],
    now: DateTime<Utc>,
) -> Result<(), hocvuso_db::DbErr> {
    if passes.is_empty() {
        return Ok(());
    }
    let courses: Vec<i64> = passes
        .iter()
        .map(|(_, c)| *c)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let classes = training::quiz_classes(conn, &courses).await?;
    if classes.is_empty() {
        return Ok(());
    }
    let people: Vec<i64> = passes.iter().map(|(p, _)| *p).collect();
    let class_ids: Vec<i64> = classes.iter().map(|c| c.id).collect();
    for place in training::open_places_of(conn, &class_ids, &people).await? {
        let Some(c) = classes.iter().find(|c| c.id == place.class_id) else {
            continue;
        };
        if !passes.contains(&(place.person_id, c.course_id)) {
            continue;
        }
        let sessions = training::sessions(conn, c.id).await?;
        let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
        let attended = training::attendance(conn, &ids)
            .await?
            .iter()
            .filter(|m| m.person_id == place.person_id)
            .count();
        if !sessions.is_empty()
            && attended * 100 >= c.min_attendance.max(0) as usize * sessions.len()
        {
            training::set_completed(conn, place.id, now).await?;
        }
    }
    Ok(())
}

/// The trainer's screen of a session: its code now, and for how many more seconds.
pub struct CodeScreen {
    pub session_id: i64,
    pub class: String,
    pub session: String,
    pub code: String,
    pub seconds_left: i64,
    /// Attendance by code is open now (else the screen says so and shows no code).
    pub on_now: bool,
}

/// The code of a session of a class this user manages (looked up within that class).
pub async fn code_screen(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    session_id: i64,
) -> Result<Option<CodeScreen>, Internal> {
    let Some(c) = managed(state, user, id).await? else {
        return Ok(None);
    };
    let Some(s) = training::sessions(state.db.read(), c.id)
        .await?
        .into_iter()
        .find(|s| s.id == session_id)
    else {
        return Ok(None);
    };
    let now = state.clock.now();
    let margin = Duration::minutes(CHECK_IN_MARGIN_MINUTES);
    let on_now = s.starts_at - margin <= now && now <= s.ends_at + margin;
    Ok(Some(CodeScreen {
        session_id: s.id,
        class: c.title,
        session: crate::clock::format_date_time(s.starts_at),
        code: if on_now {
            code::current(&s.secret, now)
        } else {
            String::new()
        },
        seconds_left: code::seconds_left(now),
        on_now,
    }))
}

/// The trainer ticks who was present at one session on the list: exactly `present` (of the
/// registered people) are marked; each change is audited; those who now meet the rule
/// complete. `false` when the class or session is not this user's.
pub async fn mark(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    session_id: i64,
    present: &BTreeSet<i64>,
) -> Result<bool, Internal> {
    let Some(c) = managed(state, user, id).await? else {
        return Ok(false);
    };
    let db = state.db.read();
    let Some(s) = training::sessions(db, c.id)
        .await?
        .into_iter()
        .find(|s| s.id == session_id)
    else {
        return Ok(false);
    };
    let registered: Vec<i64> = training::places(db, c.id)
        .await?
        .into_iter()
        .filter(|p| p.status == training::REGISTERED)
        .map(|p| p.person_id)
        .collect();
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    let mut changed = Vec::new();
    for person in &registered {
        let (did, what) = if present.contains(person) {
            (
                training::attend(&txn, s.id, *person, training::BY_LIST, user.person_id, now)
                    .await?,
                "có mặt",
            )
        } else {
            (training::unattend(&txn, s.id, *person).await?, "vắng")
        };
        if did {
            audit::record(
                &txn,
                user.person_id,
                AuditAction::TrainingMark,
                &person.to_string(),
                &format!("lớp {} buổi {}: {what}", c.id, s.id),
                now,
            )
            .await?;
            changed.push(*person);
        }
    }
    complete_if_met(state, &txn, &c, &changed, now).await?;
    txn.commit().await?;
    Ok(true)
}
