//! Figures against targets: live counts rolled up the org tree, denominators and targets.
//! Reads only the live counters, the org tree and small tables — never raw learning records —
//! so it stays fast at province scale.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use hocvuso_db::repo::{org, stats};
use hocvuso_domain::{format, Indicator, TargetGroup, UnitKind};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::Internal;

mod coverage;
mod people_lists;

pub use coverage::*;
pub use people_lists::*;

/// One unit's figures for a group and indicator in a year.
#[derive(Debug, Clone)]
pub struct Figures {
    pub code: String,
    pub name: String,
    pub denominator: Option<i64>,
    /// Confirmed people (what the province reports; rates and gaps use only these).
    pub achieved: i64,
    /// People who registered themselves and achieved it, not confirmed yet: shown beside
    /// the figures, never in them.
    pub unconfirmed: i64,
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
    /// The province over the communes with a denominator, when some lack one.
    pub known: Option<KnownPart>,
    pub rows: Vec<Figures>,
}
/// Years that have targets, plus the year asked for, ascending (the year picker's choices).
fn years_with(targets: &[stats::Target], year: i32) -> Vec<i32> {
    let mut years: Vec<i32> = targets.iter().map(|t| t.year).collect();
    years.push(year);
    years.sort_unstable();
    years.dedup();
    years
}
/// The commune code a unit's path falls under (`/68/22918/…` → `22918`).
fn commune_of(path: &str) -> Option<&str> {
    path.split('/').filter(|s| !s.is_empty()).nth(1)
}
/// The moment a year's figures are read at: None for this year and later (the live counts);
/// for a past year, its end (1 January after it, 00:00 Vietnam time), so that `nam=2025` shows
/// the figures as they stood on 31/12/2025.
pub fn year_end(state: &Runtime, year: i32) -> Option<DateTime<Utc>> {
    if year >= state.clock.year() {
        return None;
    }
    let midnight = NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?.and_hms_opt(0, 0, 0)?;
    Some(midnight.and_utc() - Duration::hours(7))
}
/// Every live count `(unit, group, indicator)` with its unconfirmed people, as it stood at
/// `until` (None: now): the weekly counts of the weeks before the one `until` falls in, plus
/// the achievements of that week before `until`, counted in their people's units (exact to
/// the second without reading every achievement).
async fn counts_at<C: hocvuso_db::ConnectionTrait>(
    db: &C,
    until: Option<DateTime<Utc>>,
) -> Result<Vec<stats::CountRow>, hocvuso_db::DbErr> {
    let Some(until) = until else {
        return stats::stored_counts(db).await;
    };
    let week = stats::week_of(until - Duration::seconds(1));
    let Some(monday) = NaiveDate::parse_from_str(&week, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    else {
        return Ok(Vec::new());
    };
    let week_start = monday.and_utc() - Duration::hours(7);
    let mut sums: BTreeMap<(i64, String, String), (i64, i64)> =
        stats::counts_before_week(db, &week)
            .await?
            .into_iter()
            .map(|r| {
                (
                    (r.unit_id, r.group_code, r.indicator_code),
                    (r.achieved, r.unconfirmed),
                )
            })
            .collect();
    let partial = stats::achievements_between(db, week_start, until).await?;
    let mut people: Vec<i64> = partial.iter().map(|(p, ..)| *p).collect();
    people.sort_unstable();
    people.dedup();
    let memberships = hocvuso_db::repo::people::memberships_of(db, &people).await?;
    let unconfirmed = hocvuso_db::repo::people::unconfirmed_among(db, &people).await?;
    for (person, group, indicator) in partial {
        for m in memberships
            .iter()
            .filter(|m| m.person_id == person && m.group_code == group)
        {
            let n = sums
                .entry((m.unit_id, group.clone(), indicator.clone()))
                .or_default();
            if unconfirmed.contains(&person) {
                n.1 += 1;
            } else {
                n.0 += 1;
            }
        }
    }
    Ok(sums
        .into_iter()
        .filter(|(_, (a, u))| *a != 0 || *u != 0)
        .map(
            |((unit_id, group_code, indicator_code), (achieved, unconfirmed))| stats::CountRow {
                unit_id,
                group_code,
                indicator_code,
                achieved,
                unconfirmed,
            },
        )
        .collect())
}
/// `unit_id → (achieved, unconfirmed)` of a group and indicator at `until` (None: now): the
/// live counters for learning on this platform, the latest imported counts up to that day for
/// indicators counted outside (VNeID confirmations; nobody unconfirmed there).
async fn counts_of<C: hocvuso_db::ConnectionTrait>(
    db: &C,
    group: TargetGroup,
    indicator: Indicator,
    until: Option<DateTime<Utc>>,
    units: Option<&[i64]>,
) -> Result<BTreeMap<i64, (i64, i64)>, hocvuso_db::DbErr> {
    if crate::services::monitoring::outside_counts::is_imported(indicator) {
        let day = until.map(|t| (t + Duration::hours(7) - Duration::seconds(1)).date_naive());
        return Ok(crate::services::monitoring::outside_counts::latest_counts(
            db, indicator, group, day,
        )
        .await?
        .into_iter()
        .map(|(unit, (n, _))| (unit, (n, 0)))
        .collect());
    }
    if until.is_none() {
        // A few units by the primary key; many (the province's) by one pass over the pair.
        let units = units.filter(|ids| ids.len() <= MAX_UNITS_BY_KEY);
        return stats::pair_counts(db, group.code(), indicator.code(), units).await;
    }
    Ok(counts_at(db, until)
        .await?
        .into_iter()
        .filter(|r| r.group_code == group.code() && r.indicator_code == indicator.code())
        .map(|r| (r.unit_id, (r.achieved, r.unconfirmed)))
        .collect())
}
/// Up to this many units, a unit's live counts are read unit by unit through the primary key.
const MAX_UNITS_BY_KEY: usize = 200;
/// The province's denominator: its own when set, else the communes' sum when every commune
/// has one.
pub(crate) fn province_denominator(
    units: &[org::OrgUnit],
    denominators: &BTreeMap<i64, i64>,
) -> Option<i64> {
    if let Some(d) = units
        .iter()
        .find(|u| u.is(UnitKind::Province))
        .and_then(|p| denominators.get(&p.id))
    {
        return Some(*d);
    }
    let communes: Vec<Option<i64>> = units
        .iter()
        .filter(|u| u.is(UnitKind::Commune) && u.merged_into_id.is_none())
        .map(|u| denominators.get(&u.id).copied())
        .collect();
    (!communes.is_empty() && communes.iter().all(Option::is_some))
        .then(|| communes.iter().flatten().sum())
}
/// The province's figures over only the communes that have a denominator, shown when some
/// lack one (the whole province's rate is then unknown, but the achieved count never is).
#[derive(Debug, Clone)]
pub struct KnownPart {
    /// Denominator: the sum over those communes; achieved: the people of those communes.
    pub figures: Figures,
    pub communes_with: usize,
    pub communes: usize,
}
impl KnownPart {
    pub fn communes_without(&self) -> usize {
        self.communes - self.communes_with
    }
}
/// `None` when the province's denominator is known (its own, or every commune's); else the
/// figures over the communes that have one (`counts`: `unit_id → count`, any unit).
pub(crate) fn known_part(
    units: &[org::OrgUnit],
    denominators: &BTreeMap<i64, i64>,
    counts: &BTreeMap<i64, i64>,
    target_percent: Option<i32>,
) -> Option<KnownPart> {
    if province_denominator(units, denominators).is_some() {
        return None;
    }
    let communes: Vec<&org::OrgUnit> = units
        .iter()
        .filter(|u| u.is(UnitKind::Commune) && u.merged_into_id.is_none())
        .collect();
    let known: HashMap<&str, i64> = communes
        .iter()
        .filter_map(|c| denominators.get(&c.id).map(|d| (c.code.as_str(), *d)))
        .collect();
    let path_of: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.path.as_str())).collect();
    let achieved = counts
        .iter()
        .filter(|(unit, _)| {
            path_of
                .get(unit)
                .and_then(|p| commune_of(p))
                .is_some_and(|c| known.contains_key(c))
        })
        .map(|(_, n)| n)
        .sum();
    let province = units.iter().find(|u| u.is(UnitKind::Province));
    Some(KnownPart {
        figures: Figures {
            code: province.map(|p| p.code.clone()).unwrap_or_default(),
            name: province.map(|p| p.name.clone()).unwrap_or_default(),
            denominator: (!known.is_empty()).then(|| known.values().sum()),
            achieved,
            unconfirmed: 0,
            target_percent,
        },
        communes_with: known.len(),
        communes: communes.len(),
    })
}
/// One line of the province overview.
pub struct OverviewRow {
    pub group: TargetGroup,
    pub indicator: Indicator,
    pub figures: Figures,
    /// Over the communes with a denominator, when some lack one.
    pub known: Option<KnownPart>,
}
/// Everything the province's pages read, loaded with a few queries of small tables (the org
/// tree, every live count, every target, the year's denominators, which groups have imported
/// figures), so that the ranking and the overview share them.
pub struct Snapshot {
    pub year: i32,
    /// The end of a past year whose figures are shown as they stood then (None: live).
    until: Option<DateTime<Utc>>,
    pub units: Arc<Vec<org::OrgUnit>>,
    /// `(group, indicator) → unit → count` of the live counters.
    live: BTreeMap<(String, String), BTreeMap<i64, i64>>,
    /// The same of people not confirmed (self-registered).
    unconfirmed: BTreeMap<(String, String), BTreeMap<i64, i64>>,
    /// `(group, indicator) → percent` of the year.
    targets: BTreeMap<(String, String), i32>,
    /// Years that have targets, plus the year asked for.
    pub years: Vec<i32>,
    /// `group → unit → people` of the year.
    denominators: Arc<BTreeMap<String, BTreeMap<i64, i64>>>,
    /// Groups with imports of an imported indicator.
    imported: BTreeMap<String, Vec<String>>,
}
impl Snapshot {
    pub async fn load(state: &Runtime, year: i32) -> Result<Self, Internal> {
        let db = state.db.read();
        let until = year_end(state, year);
        let units = crate::services::people::org::tree(state).await?;
        let mut live: BTreeMap<(String, String), BTreeMap<i64, i64>> = BTreeMap::new();
        let mut unconfirmed: BTreeMap<(String, String), BTreeMap<i64, i64>> = BTreeMap::new();
        for r in counts_at(db, until).await? {
            let key = (r.group_code, r.indicator_code);
            if r.unconfirmed != 0 {
                unconfirmed
                    .entry(key.clone())
                    .or_default()
                    .insert(r.unit_id, r.unconfirmed);
            }
            live.entry(key).or_default().insert(r.unit_id, r.achieved);
        }
        let all_targets = stats::all_targets(db).await?;
        let years = years_with(&all_targets, year);
        let targets = all_targets
            .into_iter()
            .filter(|t| t.year == year)
            .map(|t| ((t.group_code, t.indicator_code), t.percent))
            .collect();
        let mut imported = BTreeMap::new();
        for &i in Indicator::ALL
            .iter()
            .filter(|i| crate::services::monitoring::outside_counts::is_imported(**i))
        {
            imported.insert(
                i.code().to_owned(),
                hocvuso_db::repo::imports::groups_of(db, i.code()).await?,
            );
        }
        Ok(Snapshot {
            year,
            until,
            units,
            live,
            unconfirmed,
            targets,
            years,
            denominators: crate::services::monitoring::denominators::of_year(state, year).await?,
            imported,
        })
    }

    fn target(&self, group: TargetGroup, indicator: Indicator) -> Option<i32> {
        self.targets
            .get(&(group.code().to_owned(), indicator.code().to_owned()))
            .copied()
    }

    fn denominators(&self, group: TargetGroup) -> BTreeMap<i64, i64> {
        self.denominators
            .get(group.code())
            .cloned()
            .unwrap_or_default()
    }

    /// `unit → count` of a pair: the live counters, or the latest imported figures.
    async fn counts(
        &self,
        state: &Runtime,
        group: TargetGroup,
        indicator: Indicator,
    ) -> Result<BTreeMap<i64, i64>, Internal> {
        if crate::services::monitoring::outside_counts::is_imported(indicator) {
            let has = self
                .imported
                .get(indicator.code())
                .is_some_and(|g| g.iter().any(|g| g == group.code()));
            if !has {
                return Ok(BTreeMap::new());
            }
            return Ok(
                counts_of(state.db.read(), group, indicator, self.until, None)
                    .await?
                    .into_iter()
                    .map(|(unit, (n, _))| (unit, n))
                    .collect(),
            );
        }
        Ok(self
            .live
            .get(&(group.code().to_owned(), indicator.code().to_owned()))
            .cloned()
            .unwrap_or_default())
    }

    /// `unit → unconfirmed people` of a pair (live counters only; imported figures have none).
    fn unconfirmed(&self, group: TargetGroup, indicator: Indicator) -> BTreeMap<i64, i64> {
        self.unconfirmed
            .get(&(group.code().to_owned(), indicator.code().to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    /// The province's figures for every group and indicator of the year: each group's
    /// `digital_skills`, and every other indicator that has a target or figures.
    pub async fn overview(&self, state: &Runtime) -> Result<Vec<OverviewRow>, Internal> {
        let province = self.units.iter().find(|u| u.is(UnitKind::Province));
        let mut out = Vec::new();
        for &group in TargetGroup::ALL {
            let denominators = self.denominators(group);
            for &indicator in Indicator::ALL {
                let target_percent = self.target(group, indicator);
                let counts = self.counts(state, group, indicator).await?;
                let achieved: i64 = counts.values().sum();
                if indicator != Indicator::DigitalSkills
                    && target_percent.is_none()
                    && achieved == 0
                {
                    continue;
                }
                out.push(OverviewRow {
                    group,
                    indicator,
                    known: known_part(&self.units, &denominators, &counts, target_percent),
                    figures: Figures {
                        code: province.map(|p| p.code.clone()).unwrap_or_default(),
                        name: format!("{} — {}", group.name_vi(), indicator.name_vi()),
                        denominator: province_denominator(&self.units, &denominators),
                        achieved,
                        unconfirmed: self.unconfirmed(group, indicator).values().sum(),
                        target_percent,
                    },
                });
            }
        }
        Ok(out)
    }

    /// Figures of every commune (and the province total) for a group and indicator.
    pub async fn board(
        &self,
        state: &Runtime,
        group: TargetGroup,
        indicator: Indicator,
    ) -> Result<Board, Internal> {
        let units = &self.units;
        let counts = self.counts(state, group, indicator).await?;
        let denominators = self.denominators(group);
        let target_percent = self.target(group, indicator);
        let by_id: HashMap<i64, &org::OrgUnit> = units.iter().map(|u| (u.id, u)).collect();
        let mut achieved_by_commune: BTreeMap<&str, i64> = BTreeMap::new();
        let mut province_achieved = 0;
        for (unit_id, n) in &counts {
            province_achieved += n;
            if let Some(c) = by_id.get(unit_id).and_then(|u| commune_of(&u.path)) {
                *achieved_by_commune.entry(c).or_default() += n;
            }
        }
        let mut unconfirmed_by_commune: BTreeMap<&str, i64> = BTreeMap::new();
        let mut province_unconfirmed = 0;
        for (unit_id, n) in &self.unconfirmed(group, indicator) {
            province_unconfirmed += n;
            if let Some(c) = by_id.get(unit_id).and_then(|u| commune_of(&u.path)) {
                *unconfirmed_by_commune.entry(c).or_default() += n;
            }
        }
        // A commune merged into another is no longer ranked (its people and counts moved).
        let rows = units
            .iter()
            .filter(|u| u.is(UnitKind::Commune) && u.merged_into_id.is_none())
            .map(|u| Figures {
                code: u.code.clone(),
                name: u.name.clone(),
                denominator: denominators.get(&u.id).copied(),
                achieved: achieved_by_commune
                    .get(u.code.as_str())
                    .copied()
                    .unwrap_or(0),
                unconfirmed: unconfirmed_by_commune
                    .get(u.code.as_str())
                    .copied()
                    .unwrap_or(0),
                target_percent,
            })
            .collect();
        let province = units.iter().find(|u| u.is(UnitKind::Province));
        let total = Figures {
            code: province.map(|p| p.code.clone()).unwrap_or_default(),
            name: province.map(|p| p.name.clone()).unwrap_or_default(),
            denominator: province_denominator(units, &denominators),
            achieved: province_achieved,
            unconfirmed: province_unconfirmed,
            target_percent,
        };
        Ok(Board {
            known: known_part(units, &denominators, &counts, target_percent),
            year: self.year,
            years: self.years.clone(),
            group,
            indicator,
            target_percent,
            total,
            rows,
        })
    }
}
/// The province's snapshot of a year for a page, computed once for the requests that ask at
/// the same moment (`services::shared::coalesce`: nothing is kept after).
pub async fn province_snapshot(state: &Runtime, year: i32) -> Result<Arc<Snapshot>, Internal> {
    state
        .province_snapshots
        .run(year, || Snapshot::load(state, year))
        .await
}
/// The province's figures for every group and indicator of a year.
pub async fn overview(state: &Runtime, year: i32) -> Result<Vec<OverviewRow>, Internal> {
    Snapshot::load(state, year).await?.overview(state).await
}
/// Figures of every commune (and the province total) for a group and indicator.
pub async fn province_board(
    state: &Runtime,
    year: i32,
    group: TargetGroup,
    indicator: Indicator,
) -> Result<Board, Internal> {
    Snapshot::load(state, year)
        .await?
        .board(state, group, indicator)
        .await
}
/// A school's students class by class, as they stand now: `(class, pupils, achieved)`, classes
/// in the order a school numbers them ("6A1" before "10A1"), pupils without a class last
/// (`None`). Empty when no class was ever named (a unit that is not a school).
pub async fn classes(
    state: &Runtime,
    unit_id: i64,
) -> Result<Vec<(Option<String>, i64, i64)>, Internal> {
    let found = hocvuso_db::repo::roster::class_progress(state.db.read(), unit_id).await?;
    if found.keys().all(Option::is_none) {
        return Ok(Vec::new());
    }
    let mut out: Vec<(Option<String>, i64, i64)> = found
        .into_iter()
        .map(|(class, p)| (class, p.pupils, p.achieved))
        .collect();
    out.sort_by(|(a, ..), (b, ..)| match (a, b) {
        (Some(a), Some(b)) => hocvuso_domain::text::class_order(a, b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    Ok(out)
}
/// The figures of the units directly under a unit (schools, agencies, villages under a
/// commune; communes under the province), each with everything below it, by name: from what
/// [`unit_figures`] read (no further query).
pub fn sub_units(of: &UnitFigures) -> Vec<Figures> {
    let unit = &of.unit;
    let units: Vec<&org::OrgUnit> = of
        .tree
        .iter()
        .filter(|u| org::is_under(&u.path, &unit.path))
        .collect();
    let mut out: Vec<Figures> = units
        .iter()
        .filter(|u| u.parent_id == Some(unit.id) && u.merged_into_id.is_none())
        .map(|c| {
            let (achieved, unconfirmed) = units
                .iter()
                .filter(|u| org::is_under(&u.path, &c.path))
                .filter_map(|u| of.counts.get(&u.id))
                .fold((0, 0), |(a, n), (x, y)| (a + x, n + y));
            Figures {
                achieved,
                unconfirmed,
                denominator: of.denominators.as_ref().and_then(|d| d.get(&c.id)).copied(),
                target_percent: of.figures.target_percent,
                code: c.code.clone(),
                name: c.name.clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| hocvuso_domain::text::vietnamese_cmp(&a.name, &b.name));
    out
}
/// A unit's figures as its page shows them.
pub struct UnitFigures {
    pub unit: org::OrgUnit,
    /// The unit and every unit under it.
    pub ids: Vec<i64>,
    pub figures: Figures,
    /// Years that have targets, plus the year asked for.
    pub years: Vec<i32>,
    /// What the figures were made from, for [`sub_units`]: the org tree, the direct counts of
    /// `ids`, and the group's denominators of the year.
    tree: Arc<Vec<org::OrgUnit>>,
    counts: BTreeMap<i64, (i64, i64)>,
    denominators: Option<BTreeMap<i64, i64>>,
}
/// One unit's figures (its own count and everything below it), with the years that have
/// targets; None if there is no such unit.
pub async fn unit_figures(
    state: &Runtime,
    year: i32,
    code: &str,
    group: TargetGroup,
    indicator: Indicator,
) -> Result<Option<UnitFigures>, Internal> {
    let db = state.db.read();
    let tree = crate::services::people::org::tree(state).await?;
    let Some(unit) = tree.iter().find(|u| u.code == code).cloned() else {
        return Ok(None);
    };
    let ids: Vec<i64> = tree
        .iter()
        .filter(|u| org::is_under(&u.path, &unit.path))
        .map(|u| u.id)
        .collect();
    let counts = counts_of(db, group, indicator, year_end(state, year), Some(&ids)).await?;
    let (achieved, unconfirmed) = ids
        .iter()
        .filter_map(|id| counts.get(id))
        .fold((0, 0), |(a, u), (n, m)| (a + n, u + m));
    let targets = stats::all_targets(db).await?;
    let years = years_with(&targets, year);
    let target_percent = targets
        .iter()
        .find(|t| {
            t.year == year && t.group_code == group.code() && t.indicator_code == indicator.code()
        })
        .map(|t| t.percent);
    let denominators = crate::services::monitoring::denominators::of_year(state, year)
        .await?
        .get(group.code())
        .cloned();
    let figures = Figures {
        achieved,
        unconfirmed,
        denominator: denominators.as_ref().and_then(|d| d.get(&unit.id)).copied(),
        target_percent,
        code: unit.code.clone(),
        name: unit.name.clone(),
    };
    Ok(Some(UnitFigures {
        unit,
        ids,
        figures,
        years,
        tree,
        counts,
        denominators,
    }))
}
/// Whether this user may see a unit's figures: the province admin sees all; a unit officer sees
/// their unit and everything under it.
pub async fn may_view(state: &Runtime, user: &SessionUser, code: &str) -> Result<bool, Internal> {
    if user.is_province_admin() {
        return Ok(true);
    }
    let tree = crate::services::people::org::tree(state).await?;
    let Some(target) = tree.iter().find(|u| u.code == code) else {
        return Ok(false);
    };
    Ok(user.officer_units().any(|unit_id| {
        tree.iter()
            .any(|scope| scope.id == unit_id && org::is_under(&target.path, &scope.path))
    }))
}
/// The commune a unit officer looks after first (for redirecting to their page).
pub async fn home_unit_code(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Option<String>, Internal> {
    for unit_id in user.officer_units() {
        if let Some(u) = org::by_id(state.db.read(), unit_id).await? {
            return Ok(Some(u.code));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(denominator: Option<i64>, achieved: i64, target: Option<i32>) -> Figures {
        Figures {
            unconfirmed: 0,
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
