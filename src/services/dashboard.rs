//! Figures against targets: live counts rolled up the org tree, denominators and targets.
//! Reads only the live counters, the org tree and small tables — never raw learning records —
//! so it stays fast at province scale.

use std::collections::{BTreeMap, HashMap};

use hocvuso_db::repo::{org, stats};
use hocvuso_domain::{format, Indicator, TargetGroup};

use super::accounts::SessionUser;
use super::Internal;
use crate::state::AppState;

/// One unit's figures for a group and indicator in a year.
#[derive(Debug, Clone)]
pub struct Figures {
    pub code: String,
    pub name: String,
    pub denominator: Option<i64>,
    pub achieved: i64,
    pub target_percent: Option<i32>,
}

impl Figures {
    /// Tenths of a percent achieved.
    pub fn per_mille(&self) -> Option<i64> {
        self.denominator
            .and_then(|d| format::per_mille(self.achieved, d))
    }

    pub fn percent_text(&self) -> String {
        self.denominator
            .and_then(|d| format::percent(self.achieved, d))
            .unwrap_or_else(|| "—".to_owned())
    }

    /// How many people the target needs (rounded up).
    pub fn needed(&self) -> Option<i64> {
        let (d, t) = (self.denominator?, i64::from(self.target_percent?));
        Some((d * t + 99) / 100)
    }

    /// People still needed to reach the target (0 once reached).
    pub fn gap(&self) -> Option<i64> {
        Some((self.needed()? - self.achieved).max(0))
    }

    pub fn met(&self) -> Option<bool> {
        self.gap().map(|g| g == 0)
    }

    /// How far from the target, for colouring: 0 reached, 1 at 75% of it or more, 2 at 50% or
    /// more, 3 below, 4 unknown (no denominator or target).
    pub fn band(&self) -> usize {
        match (self.met(), self.per_mille(), self.target_percent) {
            (Some(true), _, _) => 0,
            (Some(false), Some(pm), Some(t)) if t > 0 => {
                let share = pm as f64 / (f64::from(t) * 10.0);
                if share >= 0.75 {
                    1
                } else if share >= 0.5 {
                    2
                } else {
                    3
                }
            }
            _ => 4,
        }
    }
}

pub struct Board {
    pub year: i32,
    pub years: Vec<i32>,
    pub group: TargetGroup,
    pub indicator: Indicator,
    pub target_percent: Option<i32>,
    pub total: Figures,
    pub rows: Vec<Figures>,
}

/// Years that have targets, plus the year asked for, ascending (the year picker's choices).
async fn years_with<C: hocvuso_db::ConnectionTrait>(
    db: &C,
    year: i32,
) -> Result<Vec<i32>, hocvuso_db::DbErr> {
    let mut years = stats::target_years(db).await?;
    if !years.contains(&year) {
        years.push(year);
        years.sort_unstable();
    }
    Ok(years)
}

/// The commune code a unit's path falls under (`/68/22918/…` → `22918`).
fn commune_of(path: &str) -> Option<&str> {
    path.split('/').filter(|s| !s.is_empty()).nth(1)
}

/// `unit_id → count` of a group and indicator: the live counters for learning on this
/// platform, the latest imported counts for indicators counted outside (VNeID confirmations).
async fn counts_of<C: hocvuso_db::ConnectionTrait>(
    db: &C,
    group: TargetGroup,
    indicator: Indicator,
) -> Result<BTreeMap<i64, i64>, hocvuso_db::DbErr> {
    if super::imports::is_imported(indicator) {
        Ok(super::imports::latest_counts(db, indicator, group)
            .await?
            .into_iter()
            .map(|(unit, (n, _))| (unit, n))
            .collect())
    } else {
        stats::counts(db, group.code(), indicator.code()).await
    }
}

/// The province's denominator: its own when set, else the communes' sum when every commune
/// has one.
fn province_denominator(units: &[org::OrgUnit], denominators: &BTreeMap<i64, i64>) -> Option<i64> {
    if let Some(d) = units
        .iter()
        .find(|u| u.kind == org::KIND_PROVINCE)
        .and_then(|p| denominators.get(&p.id))
    {
        return Some(*d);
    }
    let communes: Vec<Option<i64>> = units
        .iter()
        .filter(|u| u.kind == org::KIND_COMMUNE && u.merged_into_id.is_none())
        .map(|u| denominators.get(&u.id).copied())
        .collect();
    (!communes.is_empty() && communes.iter().all(Option::is_some))
        .then(|| communes.iter().flatten().sum())
}

/// One line of the province overview.
pub struct OverviewRow {
    pub group: TargetGroup,
    pub indicator: Indicator,
    pub figures: Figures,
}

/// The province's figures for every group and indicator of a year: each group's
/// `digital_skills`, and every other indicator that has a target or figures.
pub async fn overview(state: &AppState, year: i32) -> Result<Vec<OverviewRow>, Internal> {
    let db = state.db.read();
    let units = org::all(db).await?;
    let province = units.iter().find(|u| u.kind == org::KIND_PROVINCE);
    let targets: BTreeMap<(String, String), i32> = stats::targets_of_year(db, year)
        .await?
        .into_iter()
        .map(|t| ((t.group_code, t.indicator_code), t.percent))
        .collect();
    let mut out = Vec::new();
    for &group in TargetGroup::ALL {
        let denominators = stats::denominators(db, year, group.code()).await?;
        for &indicator in Indicator::ALL {
            let target_percent = targets
                .get(&(group.code().to_owned(), indicator.code().to_owned()))
                .copied();
            let achieved: i64 = counts_of(db, group, indicator).await?.values().sum();
            if indicator != Indicator::DigitalSkills && target_percent.is_none() && achieved == 0 {
                continue;
            }
            out.push(OverviewRow {
                group,
                indicator,
                figures: Figures {
                    code: province.map(|p| p.code.clone()).unwrap_or_default(),
                    name: format!("{} — {}", group.name_vi(), indicator.name_vi()),
                    denominator: province_denominator(&units, &denominators),
                    achieved,
                    target_percent,
                },
            });
        }
    }
    Ok(out)
}

/// The figures of the units directly under a unit (schools, agencies, villages under a
/// commune; communes under the province), each with everything below it, by name.
pub async fn sub_units(
    state: &AppState,
    year: i32,
    code: &str,
    group: TargetGroup,
    indicator: Indicator,
) -> Result<Vec<Figures>, Internal> {
    let db = state.db.read();
    let Some(unit) = org::by_code(db, code).await? else {
        return Ok(Vec::new());
    };
    let children = org::children(db, unit.id).await?;
    if children.is_empty() {
        return Ok(Vec::new());
    }
    let units = org::all(db).await?;
    let counts = counts_of(db, group, indicator).await?;
    let denominators = stats::denominators(db, year, group.code()).await?;
    let target_percent = stats::target(db, year, group.code(), indicator.code()).await?;
    let mut out: Vec<Figures> = children
        .into_iter()
        .map(|c| Figures {
            achieved: units
                .iter()
                .filter(|u| u.path.starts_with(&c.path))
                .filter_map(|u| counts.get(&u.id))
                .sum(),
            denominator: denominators.get(&c.id).copied(),
            target_percent,
            code: c.code,
            name: c.name,
        })
        .collect();
    out.sort_by(|a, b| {
        hocvuso_domain::text::fold(&a.name).cmp(&hocvuso_domain::text::fold(&b.name))
    });
    Ok(out)
}

/// Figures of every commune (and the province total) for a group and indicator.
pub async fn province_board(
    state: &AppState,
    year: i32,
    group: TargetGroup,
    indicator: Indicator,
) -> Result<Board, Internal> {
    let db = state.db.read();
    let units = org::all(db).await?;
    let counts = counts_of(db, group, indicator).await?;
    let denominators = stats::denominators(db, year, group.code()).await?;
    let target_percent = stats::target(db, year, group.code(), indicator.code()).await?;
    let years = years_with(db, year).await?;

    let by_id: HashMap<i64, &org::OrgUnit> = units.iter().map(|u| (u.id, u)).collect();
    let mut achieved_by_commune: BTreeMap<&str, i64> = BTreeMap::new();
    let mut province_achieved = 0;
    for (unit_id, n) in &counts {
        province_achieved += n;
        if let Some(c) = by_id.get(unit_id).and_then(|u| commune_of(&u.path)) {
            *achieved_by_commune.entry(c).or_default() += n;
        }
    }
    let mut rows = Vec::new();
    // A commune merged into another is no longer ranked (its people and counts moved).
    for u in units
        .iter()
        .filter(|u| u.kind == org::KIND_COMMUNE && u.merged_into_id.is_none())
    {
        let denominator = denominators.get(&u.id).copied();
        rows.push(Figures {
            code: u.code.clone(),
            name: u.name.clone(),
            denominator,
            achieved: achieved_by_commune
                .get(u.code.as_str())
                .copied()
                .unwrap_or(0),
            target_percent,
        });
    }
    let province = units.iter().find(|u| u.kind == org::KIND_PROVINCE);
    let province_denominator = province_denominator(&units, &denominators);
    let total = Figures {
        code: province.map(|p| p.code.clone()).unwrap_or_default(),
        name: province.map(|p| p.name.clone()).unwrap_or_default(),
        denominator: province_denominator,
        achieved: province_achieved,
        target_percent,
    };
    Ok(Board {
        year,
        years,
        group,
        indicator,
        target_percent,
        total,
        rows,
    })
}

/// One unit's figures (its own count and everything below it), with the years that have
/// targets; None if there is no such unit.
pub async fn unit_figures(
    state: &AppState,
    year: i32,
    code: &str,
    group: TargetGroup,
    indicator: Indicator,
) -> Result<Option<(Figures, Vec<i32>)>, Internal> {
    let db = state.db.read();
    let Some(unit) = org::by_code(db, code).await? else {
        return Ok(None);
    };
    let ids = org::ids_under(db, &unit.path).await?;
    let achieved = if super::imports::is_imported(indicator) {
        let counts = counts_of(db, group, indicator).await?;
        ids.iter().filter_map(|id| counts.get(id)).sum()
    } else {
        stats::achieved_in(db, &ids, group.code(), indicator.code()).await?
    };
    let figures = Figures {
        achieved,
        denominator: stats::denominator(db, year, unit.id, group.code()).await?,
        target_percent: stats::target(db, year, group.code(), indicator.code()).await?,
        code: unit.code,
        name: unit.name,
    };
    let years = years_with(db, year).await?;
    Ok(Some((figures, years)))
}

/// Whether this user may see a unit's figures: the province admin sees all; a unit officer sees
/// their unit and everything under it.
pub async fn may_view(state: &AppState, user: &SessionUser, code: &str) -> Result<bool, Internal> {
    if user.is_province_admin() {
        return Ok(true);
    }
    let db = state.db.read();
    let Some(target) = org::by_code(db, code).await? else {
        return Ok(false);
    };
    for unit_id in user.officer_units() {
        if let Some(scope) = org::by_id(db, unit_id).await? {
            if target.path.starts_with(&scope.path) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The commune a unit officer looks after first (for redirecting to their page).
pub async fn home_unit_code(
    state: &AppState,
    user: &SessionUser,
) -> Result<Option<String>, Internal> {
    for unit_id in user.officer_units() {
        if let Some(u) = org::by_id(state.db.read(), unit_id).await? {
            return Ok(Some(u.code));
        }
    }
    Ok(None)
}

/// Members of a group in a unit (and below), one page of them, for the people who follow up.
pub struct PeoplePage {
    pub unit_code: String,
    pub unit_name: String,
    pub rows: Vec<hocvuso_db::repo::people::MemberRow>,
    pub has_more: bool,
}

/// People shown per page.
pub const PEOPLE_PER_PAGE: u64 = 50;

/// One page of a unit's members of a group (`page` from 1), after the scope check, recording
/// the view in the audit log. `None`: no such unit, or not allowed (the caller answers 403).
pub async fn people_of_unit(
    state: &AppState,
    user: &SessionUser,
    code: &str,
    group: TargetGroup,
    only_unfinished: bool,
    page: u64,
) -> Result<Option<PeoplePage>, Internal> {
    if !may_view(state, user, code).await? {
        return Ok(None);
    }
    let db = state.db.read();
    let Some(unit) = org::by_code(db, code).await? else {
        return Ok(None);
    };
    let mut rows = hocvuso_db::repo::people::members_under(
        db,
        &unit.path,
        group.code(),
        Indicator::DigitalSkills.code(),
        only_unfinished,
        PEOPLE_PER_PAGE + 1,
        (page.max(1) - 1) * PEOPLE_PER_PAGE,
    )
    .await?;
    let has_more = rows.len() as u64 > PEOPLE_PER_PAGE;
    rows.truncate(PEOPLE_PER_PAGE as usize);
    hocvuso_db::repo::audit::record(
        state.db.write(),
        user.person_id,
        "view_people",
        &unit.code,
        &format!(
            "group={} unfinished={only_unfinished} page={page} rows={}",
            group.code(),
            rows.len()
        ),
        state.clock.now(),
    )
    .await?;
    Ok(Some(PeoplePage {
        unit_code: unit.code,
        unit_name: unit.name,
        rows,
        has_more,
    }))
}

/// Everyone of a group in a unit who has not achieved yet, with their phone numbers, for
/// follow-up; the export is recorded in the audit log. `None`: not allowed or no such unit.
pub async fn unfinished_export(
    state: &AppState,
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
        &unit.path,
        group.code(),
        Indicator::DigitalSkills.code(),
        true,
        u64::MAX >> 1,
        0,
    )
    .await?;
    hocvuso_db::repo::audit::record(
        state.db.write(),
        user.person_id,
        "export_people",
        &unit.code,
        &format!("group={} unfinished=true rows={}", group.code(), rows.len()),
        state.clock.now(),
    )
    .await?;
    Ok(Some((unit.code, rows)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(denominator: Option<i64>, achieved: i64, target: Option<i32>) -> Figures {
        Figures {
            code: "1".into(),
            name: "x".into(),
            denominator,
            achieved,
            target_percent: target,
        }
    }

    #[test]
    fn gap_and_percent() {
        assert_eq!(f(Some(1000), 450, Some(80)).gap(), Some(350));
        assert_eq!(f(Some(1000), 900, Some(80)).gap(), Some(0));
        assert_eq!(
            f(Some(3), 0, Some(80)).gap(),
            Some(3),
            "80% of 3 people rounds up to 3"
        );
        assert_eq!(f(None, 5, Some(80)).gap(), None);
        assert_eq!(f(Some(8), 1, None).percent_text(), "12,5%");
        assert_eq!(f(None, 1, None).percent_text(), "—");
        assert_eq!(commune_of("/68/22918/"), Some("22918"));
        assert_eq!(commune_of("/68/22918/99/"), Some("22918"));
        assert_eq!(commune_of("/68/"), None);
    }
}
