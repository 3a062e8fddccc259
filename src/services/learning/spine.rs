//! The spine: what a completed course (or a person joining a group) changes — the
//! `digital_skills` achievements and the live indicator counts of the person's units — always in
//! the caller's transaction, so a completion and its counts are written together or not at all.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use hocvuso_db::repo::{learning, people, stats};
use hocvuso_db::{ConnectionTrait, DbErr};
use hocvuso_domain::Indicator;

use crate::services::credentials::lookup::certificate_code;
use crate::services::learning::catalog::Catalog;

/// How a course was completed outside a quiz.
pub enum CompletedBy {
    /// A class attended: the platform issues the certificate.
    Class,
    /// An import of completions from another platform (which issued its own certificates).
    Import(i64),
}

/// Completions earned outside a quiz, then the spine for the people they complete — in the
/// caller's transaction. `done`: `(person, completed at)`; a person who already has the course
/// is left alone. Returns the people whose completion was added.
pub async fn complete_course<C: ConnectionTrait>(
    conn: &C,
    catalog: &Catalog,
    course_id: i64,
    done: &[(i64, DateTime<Utc>)],
    by: CompletedBy,
) -> Result<Vec<i64>, DbErr> {
    let rows: Vec<(i64, i64, Option<i64>, DateTime<Utc>)> = done
        .iter()
        .map(|(p, at)| (*p, course_id, None, *at))
        .collect();
    let import_id = match by {
        CompletedBy::Import(id) => Some(id),
        CompletedBy::Class => None,
    };
    let added: BTreeSet<i64> = learning::insert_completions(conn, &rows, import_id)
        .await?
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    if matches!(by, CompletedBy::Class) {
        let certificates: Vec<(String, i64, i64, DateTime<Utc>)> = done
            .iter()
            .filter(|(p, _)| added.contains(p))
            .map(|(p, at)| (certificate_code(), *p, course_id, *at))
            .collect();
        learning::insert_certificates(conn, &certificates).await?;
    }
    let people: Vec<i64> = added.into_iter().collect();
    // Dated by each person's last required completion (an older imported one never dates an
    // achievement before a course completed here since).
    record_achievements(conn, catalog, &people, |_| None).await?;
    Ok(people)
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
