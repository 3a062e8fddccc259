//! `hocvuso stats verify`: recompute every live count from raw records and compare.

use std::collections::BTreeMap;

use hocvuso_db::repo::stats;
use hocvuso_domain::{Indicator, TargetGroup};

use crate::services::runtime::Runtime;
use crate::services::Internal;

#[derive(Debug, Default)]
pub struct VerifyReport {
    /// (unit_id, group, indicator, stored, recomputed) where they differ.
    pub count_differences: Vec<(i64, String, String, i64, i64)>,
    pub missing_achievements: Vec<(i64, String)>,
    pub unbacked_achievements: Vec<(i64, String)>,
    /// Achievements dated before their last required completion.
    pub early_achievements: Vec<(i64, String)>,
    pub counts_checked: usize,
    /// (unit_id, group, indicator, week, stored, recomputed) where the weekly counts differ.
    pub week_differences: Vec<(i64, String, String, String, i64, i64)>,
    pub weeks_checked: usize,
    /// (unit_id, group, indicator, shown, recomputed) where the figure the dashboard shows for
    /// an imported indicator (the latest dated count per unit) differs from a recount.
    pub imported_differences: Vec<(i64, String, String, i64, i64)>,
    pub imported_checked: usize,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.count_differences.is_empty()
            && self.missing_achievements.is_empty()
            && self.unbacked_achievements.is_empty()
            && self.early_achievements.is_empty()
            && self.week_differences.is_empty()
            && self.imported_differences.is_empty()
    }
}

pub async fn verify(state: &Runtime) -> Result<VerifyReport, Internal> {
    let db = state.db.read();
    let key = |r: &stats::CountRow| (r.unit_id, r.group_code.clone(), r.indicator_code.clone());
    // Confirmed people and, apart, unconfirmed ones (named "<indicator> (unconfirmed)").
    let split = |rows: Vec<stats::CountRow>| -> BTreeMap<(i64, String, String), i64> {
        rows.iter()
            .flat_map(|r| {
                let (u, g, i) = key(r);
                [
                    ((u, g.clone(), i.clone()), r.achieved),
                    ((u, g, format!("{i} (unconfirmed)")), r.unconfirmed),
                ]
            })
            .filter(|(_, n)| *n != 0)
            .collect()
    };
    let stored = split(stats::stored_counts(db).await?);
    let recomputed = split(stats::recomputed_counts(db).await?);
    let mut report = VerifyReport::default();
    let mut keys: Vec<_> = stored.keys().chain(recomputed.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    report.counts_checked = keys.len();
    for k in keys {
        let s = stored.get(&k).copied().unwrap_or(0);
        let r = recomputed.get(&k).copied().unwrap_or(0);
        if s != r {
            report.count_differences.push((k.0, k.1, k.2, s, r));
        }
    }
    let split_weeks =
        |weeks: BTreeMap<stats::WeekKey, (i64, i64)>| -> BTreeMap<stats::WeekKey, i64> {
            weeks
                .into_iter()
                .flat_map(|((u, g, i, w), (c, n))| {
                    [
                        ((u, g.clone(), i.clone(), w.clone()), c),
                        ((u, g, format!("{i} (unconfirmed)"), w), n),
                    ]
                })
                .filter(|(_, n)| *n != 0)
                .collect()
        };
    let stored_weeks = split_weeks(stats::stored_weeks(db).await?);
    let recomputed_weeks = split_weeks(stats::recomputed_weeks(db).await?);
    let mut weeks: Vec<_> = stored_weeks
        .keys()
        .chain(recomputed_weeks.keys())
        .cloned()
        .collect();
    weeks.sort();
    weeks.dedup();
    report.weeks_checked = weeks.len();
    for k in weeks {
        let s = stored_weeks.get(&k).copied().unwrap_or(0);
        let r = recomputed_weeks.get(&k).copied().unwrap_or(0);
        if s != r {
            report.week_differences.push((k.0, k.1, k.2, k.3, s, r));
        }
    }
    // Imported indicators: what the dashboard shows against an independent recount in SQL.
    let recounted = stats::recomputed_imported(db).await?;
    for &indicator in Indicator::ALL
        .iter()
        .filter(|i| crate::services::monitoring::outside_counts::is_imported(**i))
    {
        for &group in TargetGroup::ALL {
            let shown = crate::services::monitoring::outside_counts::latest_counts(
                db, indicator, group, None,
            )
            .await?;
            let mut units: Vec<i64> = shown.keys().copied().collect();
            units.extend(
                recounted
                    .keys()
                    .filter(|(i, g, _)| i == indicator.code() && g == group.code())
                    .map(|(.., u)| *u),
            );
            units.sort_unstable();
            units.dedup();
            for unit in units {
                report.imported_checked += 1;
                let s = shown.get(&unit).map(|(n, _)| *n).unwrap_or(0);
                let key = (indicator.code().to_owned(), group.code().to_owned(), unit);
                let r = recounted.get(&key).copied().unwrap_or(0);
                if s != r {
                    report.imported_differences.push((
                        unit,
                        group.code().to_owned(),
                        indicator.code().to_owned(),
                        s,
                        r,
                    ));
                }
            }
        }
    }
    report.missing_achievements = stats::missing_achievements(db)
        .await?
        .into_iter()
        .map(|m| (m.person_id, m.group_code))
        .collect();
    report.unbacked_achievements = stats::unbacked_achievements(db)
        .await?
        .into_iter()
        .map(|m| (m.person_id, m.group_code))
        .collect();
    report.early_achievements = stats::early_achievements(db)
        .await?
        .into_iter()
        .map(|m| (m.person_id, m.group_code))
        .collect();
    Ok(report)
}

/// `unit id → government code`, to name units in reports.
pub async fn unit_codes(state: &Runtime) -> Result<BTreeMap<i64, String>, Internal> {
    Ok(crate::services::people::org::tree(state)
        .await?
        .iter()
        .map(|u| (u.id, u.code.clone()))
        .collect())
}
