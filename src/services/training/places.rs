//! Places in classes: a learner registers (while places are left, else waits) or gives their
//! place up (the first waiting takes it); a unit's officer enrols people of the class's unit
//! (and group) by phone. Places are counted and taken one at a time (the class row is held).

use std::collections::BTreeMap;

use hocvuso_db::repo::training;
use hocvuso_db::repo::{audit, org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;
use hocvuso_domain::PhoneNumber;

use super::classes::{line, managed, place_label, unit_names, ClassLine};
use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::Internal;

/// Whether a person may take a place in a class: they live or belong under its unit, and are in
/// its group when it has one.
async fn eligible(
    state: &Runtime,
    person: &people::Person,
    c: &training::Class,
    tree: &[org::OrgUnit],
) -> Result<bool, Internal> {
    let Some(unit) = tree.iter().find(|u| u.id == c.unit_id) else {
        return Ok(false);
    };
    if !crate::services::accounts::sign_in::lives_or_belongs_under(state, person, &unit.path)
        .await?
    {
        return Ok(false);
    }
    if c.groups.is_empty() {
        return Ok(true);
    }
    let groups = crate::services::learning::progress::groups_of_person(state, person.id).await?;
    Ok(c.groups.split(',').any(|g| groups.iter().any(|m| m == g)))
}

/// The classes a learner may join that have not ended, and the ones they have a place in.
pub async fn open_to(state: &Runtime, user: &SessionUser) -> Result<Vec<ClassLine>, Internal> {
    let db = state.db.read();
    let Some(person) = people::person_by_id(db, user.person_id).await? else {
        return Ok(Vec::new());
    };
    let tree = crate::services::people::org::tree(state).await?;
    let names = unit_names(&tree);
    let mine: BTreeMap<i64, String> = training::places_of_person(db, person.id)
        .await?
        .into_iter()
        .filter(|p| p.status != training::CANCELLED)
        .map(|p| (p.class_id, p.status))
        .collect();
    // Only classes of the units above (or at) where the person lives or belongs, and those they
    // have a place in, are read.
    let mut own: Vec<i64> = people::memberships(db, person.id)
        .await?
        .into_iter()
        .map(|m| m.unit_id)
        .collect();
    own.extend(person.residence_unit_id);
    let above = crate::services::people::org::with_units_above(state, &own).await?;
    let mut candidates = training::classes(db, Some(&above)).await?;
    for id in mine.keys() {
        if !candidates.iter().any(|c| c.id == *id) {
            candidates.extend(training::class_by_id(db, *id).await?);
        }
    }
    let now = state.clock.now();
    let mut out = Vec::new();
    for c in candidates {
        let status = mine.get(&c.id).map_or("", |s| place_label(s));
        let sessions = training::sessions(db, c.id).await?;
        if status.is_empty() {
            let ended = sessions.last().is_none_or(|s| s.ends_at < now);
            if ended || !eligible(state, &person, &c, &tree).await? {
                continue;
            }
        }
        let places = training::places(db, c.id).await?;
        out.push(line(state, &c, &sessions, &places, &names, status));
    }
    Ok(out)
}

/// What taking a place came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Taken {
    Registered,
    Waiting,
    /// Already registered or waiting.
    Already,
    /// Not a class this person may join (or it does not exist, or it has ended).
    NotOpen,
}

/// Takes a place for `person` in class `c` (registered while places are left, else waiting),
/// by `by` (the person, or an officer enrolling them).
async fn take(
    state: &Runtime,
    c: &training::Class,
    person_id: i64,
    by: i64,
) -> Result<Taken, Internal> {
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    // Holds the class until commit, so that two people taking the last place at once do not
    // both get it.
    training::lock_class(&txn, c.id).await?;
    if let Some(p) = training::place_of(&txn, c.id, person_id).await? {
        if p.status != training::CANCELLED {
            return Ok(Taken::Already);
        }
    }
    let full =
        training::registered_count(&txn, c.id).await? >= u64::try_from(c.capacity).unwrap_or(0);
    let status = if full {
        training::WAITING
    } else {
        training::REGISTERED
    };
    training::take_place(&txn, c.id, person_id, status, by, now).await?;
    audit::record(
        &txn,
        by,
        AuditAction::TrainingPlace,
        &person_id.to_string(),
        &format!("lớp {} ({}): {status}", c.id, c.title),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(if full {
        Taken::Waiting
    } else {
        Taken::Registered
    })
}

/// A learner registers for a class.
pub async fn register(state: &Runtime, user: &SessionUser, id: i64) -> Result<Taken, Internal> {
    let db = state.db.read();
    let (Some(c), Some(person)) = (
        training::class_by_id(db, id).await?,
        people::person_by_id(db, user.person_id).await?,
    ) else {
        return Ok(Taken::NotOpen);
    };
    let tree = crate::services::people::org::tree(state).await?;
    let ended = training::sessions(db, c.id)
        .await?
        .last()
        .is_none_or(|s| s.ends_at < state.clock.now());
    if ended || !eligible(state, &person, &c, &tree).await? {
        return Ok(Taken::NotOpen);
    }
    take(state, &c, person.id, user.person_id).await
}

/// Most people one enrolment list may name.
pub const MAX_ENROL: usize = 200;

/// What enrolling a list of phone numbers came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Enrolled {
    /// How many took a place, went on the waiting list, and were in the class already.
    Done {
        registered: usize,
        waiting: usize,
        already: usize,
    },
    /// The class is not this officer's (answered as a missing page).
    NotFound,
    /// Some line is not a person this class is for: nobody was enrolled; the message says
    /// which lines.
    Refused(String),
}

/// A unit's officer enrols people (by the phone numbers in their files, one a line, at most
/// [`MAX_ENROL`]) in one of its classes: every line is checked first, and if one is not a
/// person the class is for, nobody is enrolled.
pub async fn enrol(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    phones: &str,
) -> Result<Enrolled, Internal> {
    let Some(c) = managed(state, user, id).await? else {
        return Ok(Enrolled::NotFound);
    };
    let lines: Vec<(usize, &str)> = phones
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Ok(Enrolled::Refused(
            "Hãy ghi số điện thoại của người cần ghi danh (10 chữ số), mỗi dòng một số.".to_owned(),
        ));
    }
    if lines.len() > MAX_ENROL {
        return Ok(Enrolled::Refused(format!(
            "Mỗi lần ghi danh tối đa {MAX_ENROL} người; danh sách có {} dòng.",
            lines.len()
        )));
    }
    let tree = crate::services::people::org::tree(state).await?;
    let mut people: Vec<i64> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for (n, line) in lines {
        let shown: String = line.chars().take(20).collect();
        let Ok(phone) = PhoneNumber::parse(line) else {
            problems.push(format!(
                "Dòng {n}: «{shown}» không phải số điện thoại (10 chữ số)."
            ));
            continue;
        };
        // One answer whether the number is unknown or someone the class is not for: an
        // officer learns nothing about people outside their units.
        match people::person_by_phone(state.db.read(), phone.as_str()).await? {
            Some(p) if eligible(state, &p, &c, &tree).await? => {
                if !people.contains(&p.id) {
                    people.push(p.id);
                }
            }
            _ => problems.push(format!("Dòng {n} ({shown}): {}", not_for_class())),
        }
    }
    if !problems.is_empty() {
        return Ok(Enrolled::Refused(format!(
            "Chưa ghi danh ai. {}",
            problems.join(" ")
        )));
    }
    let (mut registered, mut waiting, mut already) = (0, 0, 0);
    for person in people {
        match take(state, &c, person, user.person_id).await? {
            Taken::Registered => registered += 1,
            Taken::Waiting => waiting += 1,
            Taken::Already => already += 1,
            Taken::NotOpen => return Ok(Enrolled::NotFound),
        }
    }
    Ok(Enrolled::Done {
        registered,
        waiting,
        already,
    })
}

fn not_for_class() -> String {
    "Không ghi danh được: số điện thoại này không thuộc người trong đơn vị (và nhóm) mà lớp dành cho.".to_owned()
}

/// A learner gives up their place (or leaves the waiting list); the first waiting takes it.
/// Returns whether there was a place to give up.
pub async fn cancel(state: &Runtime, user: &SessionUser, id: i64) -> Result<bool, Internal> {
    let Some(c) = training::class_by_id(state.db.read(), id).await? else {
        return Ok(false);
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    training::lock_class(&txn, c.id).await?;
    let Some(p) = training::place_of(&txn, c.id, user.person_id).await? else {
        return Ok(false);
    };
    if p.status == training::CANCELLED {
        return Ok(false);
    }
    training::set_place_status(&txn, p.id, training::CANCELLED).await?;
    if p.status == training::REGISTERED {
        if let Some(next) = training::first_waiting(&txn, c.id).await? {
            training::set_place_status(&txn, next.id, training::REGISTERED).await?;
        }
    }
    audit::record(
        &txn,
        user.person_id,
        AuditAction::TrainingCancel,
        &user.person_id.to_string(),
        &format!("lớp {} ({})", c.id, c.title),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}
