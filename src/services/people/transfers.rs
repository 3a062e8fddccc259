//! Moving a person between units by request. A roster never moves someone the officer may not
//! see ("người này thuộc đơn vị khác"); instead the officer asks, naming the person by the
//! citizen ID or phone number in their file, and the officer of the person's unit — or the
//! province admin — approves or refuses. Asking never tells whether the key matched anyone
//! elsewhere. An approval moves the person's membership of that group (and their counts)
//! into the asking unit, and their residence when that unit is a commune, in one
//! transaction; both steps are audited.

use std::collections::BTreeMap;

use hocvuso_db::repo::{audit, org, people, roster, stats, transfer};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;
use hocvuso_domain::{CitizenId, PhoneNumber, TargetGroup, UnitKind};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::Internal;

/// What asking did, as the page says it.
#[derive(Debug, PartialEq, Eq)]
pub enum Asked {
    /// Sent, or nothing to send (the key matched nobody elsewhere): the same answer.
    Sent,
    /// The person already belongs to the officer's unit: import them as usual.
    AlreadyYours,
    /// The key is neither a citizen ID nor a phone number.
    BadKey(String),
}

/// A pending request as an approver sees it (the person is theirs to see).
pub struct Incoming {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub group: String,
    pub from_unit: String,
    pub to_unit: String,
    pub asked_at: String,
}

/// A request as the officer who made it sees it (the person's name is not shown: they may not
/// see them until it is approved).
pub struct Outgoing {
    pub group: String,
    pub to_unit: String,
    pub asked_at: String,
    pub status: &'static str,
    pub note: String,
}

/// The unit an officer asks for (their first unit), and its path.
async fn officer_unit(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Option<org::OrgUnit>, Internal> {
    match user.officer_units().next() {
        Some(id) => Ok(org::by_id(state.db.read(), id).await?),
        None => Ok(None),
    }
}

/// Whether a person lives or is a member under any unit this user is an officer of (the
/// province admin: everyone).
async fn looks_after(
    state: &Runtime,
    user: &SessionUser,
    person: &people::Person,
) -> Result<bool, Internal> {
    if user.is_province_admin() {
        return Ok(true);
    }
    for id in user.officer_units() {
        if let Some(u) = org::by_id(state.db.read(), id).await? {
            if crate::services::accounts::sign_in::lives_or_belongs_under(state, person, &u.path)
                .await?
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// An officer asks for the person with this citizen ID or phone number to move into their
/// unit, in a group.
pub async fn ask(
    state: &Runtime,
    user: &SessionUser,
    key: &str,
    group: TargetGroup,
) -> Result<Asked, Internal> {
    let Some(unit) = officer_unit(state, user).await? else {
        return Ok(Asked::BadKey(
            "Chỉ cán bộ phụ trách đơn vị gửi được đề nghị chuyển.".to_owned(),
        ));
    };
    let db = state.db.read();
    let found = if let Ok(c) = CitizenId::parse(key) {
        hocvuso_db::repo::roster::people_by_keys(db, &[c.as_str().to_owned()], &[])
            .await?
            .into_iter()
            .next()
    } else if let Ok(p) = PhoneNumber::parse(key) {
        people::person_by_phone(db, p.as_str()).await?
    } else {
        return Ok(Asked::BadKey(
            "Hãy ghi số định danh cá nhân (12 chữ số) hoặc số điện thoại của người đó.".to_owned(),
        ));
    };
    let now = state.clock.now();
    let Some(person) = found else {
        audit::record(
            state.db.write(),
            user.person_id,
            AuditAction::TransferAsk,
            "",
            &format!("nhóm {} → {} (không khớp ai)", group.code(), unit.name),
            now,
        )
        .await?;
        return Ok(Asked::Sent);
    };
    if crate::services::accounts::sign_in::lives_or_belongs_under(state, &person, &unit.path)
        .await?
    {
        let member_here = people::memberships(db, person.id)
            .await?
            .iter()
            .any(|m| m.group_code == group.code());
        if member_here {
            return Ok(Asked::AlreadyYours);
        }
    }
    let txn = state.db.write().begin().await?;
    transfer::request(&txn, person.id, group.code(), unit.id, user.person_id, now).await?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::TransferAsk,
        &person.id.to_string(),
        &format!("nhóm {} → {}", group.code(), unit.name),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Asked::Sent)
}

fn group_name(code: &str) -> String {
    TargetGroup::from_code(code).map_or_else(|| code.to_owned(), |g| g.name_vi().to_owned())
}

/// Pending requests this user may decide: for people they look after, asked by someone else
/// (the province admin decides any).
pub async fn incoming(state: &Runtime, user: &SessionUser) -> Result<Vec<Incoming>, Internal> {
    let db = state.db.read();
    let units: BTreeMap<i64, String> = crate::services::people::org::tree(state)
        .await?
        .iter()
        .map(|u| (u.id, u.name.clone()))
        .collect();
    let mut out = Vec::new();
    for r in transfer::pending(db).await? {
        if r.requested_by == user.person_id && !user.is_province_admin() {
            continue;
        }
        let Some(person) = people::person_by_id(db, r.person_id).await? else {
            continue;
        };
        if !looks_after(state, user, &person).await? {
            continue;
        }
        let from = people::memberships(db, person.id)
            .await?
            .into_iter()
            .find(|m| m.group_code == r.group_code)
            .map(|m| m.unit_id)
            .or(person.residence_unit_id)
            .and_then(|id| units.get(&id).cloned())
            .unwrap_or_else(|| "—".to_owned());
        out.push(Incoming {
            id: r.id,
            person_id: person.id,
            person_name: person.full_name,
            group: group_name(&r.group_code),
            from_unit: from,
            to_unit: units.get(&r.to_unit_id).cloned().unwrap_or_default(),
            asked_at: crate::clock::format_date_time(r.requested_at),
        });
    }
    Ok(out)
}

/// The requests this user made.
pub async fn outgoing(state: &Runtime, user: &SessionUser) -> Result<Vec<Outgoing>, Internal> {
    let db = state.db.read();
    let units: BTreeMap<i64, String> = crate::services::people::org::tree(state)
        .await?
        .iter()
        .map(|u| (u.id, u.name.clone()))
        .collect();
    Ok(transfer::made_by(db, user.person_id)
        .await?
        .into_iter()
        .map(|r| Outgoing {
            group: group_name(&r.group_code),
            to_unit: units.get(&r.to_unit_id).cloned().unwrap_or_default(),
            asked_at: crate::clock::format_date_time(r.requested_at),
            status: match r.status.as_str() {
                transfer::APPROVED => "Đã đồng ý",
                transfer::REFUSED => "Không đồng ý",
                _ => "Đang chờ",
            },
            note: r.note,
        })
        .collect())
}

/// Approves or refuses a request. `false`: not this user's to decide (or decided already).
pub async fn decide(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    approve: bool,
    note: &str,
) -> Result<bool, Internal> {
    let db = state.db.read();
    let Some(r) = transfer::by_id(db, id).await? else {
        return Ok(false);
    };
    if r.status != transfer::PENDING
        || (r.requested_by == user.person_id && !user.is_province_admin())
    {
        return Ok(false);
    }
    let Some(person) = people::person_by_id(db, r.person_id).await? else {
        return Ok(false);
    };
    if !looks_after(state, user, &person).await? {
        return Ok(false);
    }
    let Some(to) = org::by_id(db, r.to_unit_id).await? else {
        return Ok(false);
    };
    let now = state.clock.now();
    let note: String = note.trim().chars().take(500).collect();
    let txn = state.db.write().begin().await?;
    let status = if approve {
        transfer::APPROVED
    } else {
        transfer::REFUSED
    };
    if !transfer::decide(&txn, id, status, user.person_id, &note, now).await? {
        return Ok(false);
    }
    let mut detail = format!("nhóm {} → {}", r.group_code, to.name);
    if approve {
        let memberships = people::memberships(&txn, person.id).await?;
        let current = memberships.iter().find(|m| m.group_code == r.group_code);
        match current {
            Some(m) if m.unit_id == to.id => {}
            Some(m) => {
                roster::move_membership(&txn, m.id, to.id).await?;
                let achieved = roster::achievements_of(&txn, &[person.id]).await?;
                let unconfirmed = people::unconfirmed_among(&txn, &[person.id]).await?;
                let one = stats::Delta::of(!unconfirmed.contains(&person.id), 1);
                for (_, g, indicator, week) in achieved.iter().filter(|a| a.1 == r.group_code) {
                    let mut minus = stats::Delta::default();
                    minus -= one;
                    stats::add_to_count(&txn, m.unit_id, g, indicator, week, minus).await?;
                    stats::add_to_count(&txn, to.id, g, indicator, week, one).await?;
                }
                detail.push_str(&format!(" (trước ở đơn vị mã {})", m.unit_id));
            }
            None => {
                people::add_membership(&txn, person.id, &r.group_code, to.id, now).await?;
                crate::services::learning::spine::record_achievements(
                    &txn,
                    &state.catalog.current(),
                    &[person.id],
                    |_| Some(now),
                )
                .await?;
            }
        }
        if to.is(UnitKind::Commune) && person.residence_unit_id != Some(to.id) {
            people::set_residence(&txn, person.id, to.id).await?;
        }
    }
    audit::record(
        &txn,
        user.person_id,
        if approve {
            AuditAction::TransferApprove
        } else {
            AuditAction::TransferRefuse
        },
        &person.id.to_string(),
        &detail,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}
