//! A unit's people as its dashboard lists them (masked, paged, audited) and the export of
//! those who have not finished.

use hocvuso_db::repo::org;
use hocvuso_domain::AuditAction;
use hocvuso_domain::{Indicator, TargetGroup};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::Internal;

use super::*;

/// Members of a group in a unit (and below), one page of them, for the people who follow up.
pub struct PeoplePage {
    pub unit_code: String,
    pub unit_name: String,
    pub rows: Vec<hocvuso_db::repo::people::MemberRow>,
    /// How many people the list holds in all (every page).
    pub total: u64,
    pub pages: u64,
}
/// People shown per page.
pub const PEOPLE_PER_PAGE: u64 = 50;
/// One page of a unit's members of a group (`page` from 1), after the scope check, recording
/// the view in the audit log. `None`: no such unit, or not allowed (the caller answers 403).
pub async fn people_of_unit(
    state: &Runtime,
    user: &SessionUser,
    code: &str,
    group: TargetGroup,
    only_unfinished: bool,
    name: &str,
    page: u64,
) -> Result<Option<PeoplePage>, Internal> {
    if !may_view(state, user, code).await? {
        return Ok(None);
    }
    let db = state.db.read();
    let Some(unit) = org::by_code(db, code).await? else {
        return Ok(None);
    };
    // A name searched for is at most a name's length.
    let name: String = name.trim().chars().take(100).collect();
    let filter = hocvuso_db::repo::people::MemberFilter {
        path: &unit.path,
        group_code: group.code(),
        indicator_code: Indicator::DigitalSkills.code(),
        only_unfinished,
        name: Some(name.as_str()).filter(|n| !n.is_empty()),
    };
    let total = hocvuso_db::repo::people::count_members_under(db, &filter).await?;
    let pages = total.div_ceil(PEOPLE_PER_PAGE).max(1);
    let rows = hocvuso_db::repo::people::members_under(
        db,
        &filter,
        PEOPLE_PER_PAGE,
        (page.clamp(1, pages) - 1) * PEOPLE_PER_PAGE,
    )
    .await?;
    hocvuso_db::repo::audit::record(
        state.db.write(),
        user.person_id,
        AuditAction::ViewPeople,
        &unit.code,
        &format!(
            "group={} unfinished={only_unfinished} page={page} rows={}{}",
            group.code(),
            rows.len(),
            if name.is_empty() {
                String::new()
            } else {
                format!(" name={name}")
            }
        ),
        state.clock.now(),
    )
    .await?;
    Ok(Some(PeoplePage {
        unit_code: unit.code,
        unit_name: unit.name,
        rows,
        total,
        pages,
    }))
}
/// Everyone of a group in a unit who has not achieved yet, with their phone numbers, for
/// follow-up; the export is recorded in the audit log. `None`: not allowed or no such unit.
pub async fn unfinished_export(
    state: &Runtime,
    user: &SessionUser,
    code: &str,
    group: TargetGroup,
) -> Result<Option<(String, Vec<hocvuso_db::repo::people::MemberRow>)>, Internal> {
    if !may_view(state, user, code).await? {
        return Ok(None);
    }
    let db = state.db.read();
    let Some(unit) = org::by_code(db, code).await? else {
        return Ok(None);
    };
    let rows = hocvuso_db::repo::people::members_under(
        db,
        &hocvuso_db::repo::people::MemberFilter {
            path: &unit.path,
            group_code: group.code(),
            indicator_code: Indicator::DigitalSkills.code(),
            only_unfinished: true,
            name: None,
        },
        u64::MAX >> 1,
        0,
    )
    .await?;
    hocvuso_db::repo::audit::record(
        state.db.write(),
        user.person_id,
        AuditAction::ExportPeople,
        &unit.code,
        &format!("group={} unfinished=true rows={}", group.code(), rows.len()),
        state.clock.now(),
    )
    .await?;
    Ok(Some((unit.code, rows)))
}
