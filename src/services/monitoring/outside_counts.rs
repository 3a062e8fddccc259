//! Indicators counted outside this platform and imported per unit with the date and source of
//! the figures — today `vneid_confirmed` (people confirmed on VNeID, from the provincial police).
//! The current value of a unit is its count in the latest import (by date) that has the unit;
//! a new import for the same date replaces that import. Same two steps as denominators: dry
//! run, then all or nothing.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use hocvuso_db::repo::{imports, org, people};
use hocvuso_db::{ConnectionTrait, DbErr, TransactionTrait};
use hocvuso_domain::{Indicator, TargetGroup};
use hocvuso_import::denominators::{DenominatorRow, RowError};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::monitoring::denominators::{check_source, compare, ImportError, Plan};
use crate::services::runtime::Runtime;

/// Whether an indicator's counts come from imports (not from learning on this platform).
pub fn is_imported(indicator: Indicator) -> bool {
    indicator == Indicator::VneidConfirmed
}

/// `unit_id → (count, date)` from the latest import that has the unit (dated on or before
/// `until`, when given: the figures as they stood on that day).
pub async fn latest_counts<C: ConnectionTrait>(
    conn: &C,
    indicator: Indicator,
    group: TargetGroup,
    until: Option<NaiveDate>,
) -> Result<BTreeMap<i64, (i64, NaiveDate)>, DbErr> {
    let mut list = imports::imports_of(conn, indicator.code(), group.code()).await?;
    if let Some(day) = until {
        list.retain(|i| i.as_of <= day);
    }
    let dates: BTreeMap<i64, NaiveDate> = list.iter().map(|i| (i.id, i.as_of)).collect();
    let ids: Vec<i64> = list.iter().map(|i| i.id).collect();
    let mut out: BTreeMap<i64, (i64, NaiveDate)> = BTreeMap::new();
    for r in imports::rows_of(conn, &ids).await? {
        let Some(&date) = dates.get(&r.import_id) else {
            continue;
        };
        match out.get(&r.unit_id) {
            Some((_, d)) if *d >= date => {}
            _ => {
                out.insert(r.unit_id, (r.people, date));
            }
        }
    }
    Ok(out)
}

/// What an import would do.
#[derive(Debug, Default)]
pub struct ImportPlan {
    pub plan: Plan,
    /// An import for the same date exists and would be replaced.
    pub replaces: bool,
}

pub async fn plan<C: ConnectionTrait>(
    conn: &C,
    indicator: Indicator,
    group: TargetGroup,
    as_of: NaiveDate,
    rows: &[DenominatorRow],
) -> Result<Result<ImportPlan, Vec<RowError>>, DbErr> {
    let units = org::all(conn).await?;
    let latest: BTreeMap<i64, i64> = latest_counts(conn, indicator, group, None)
        .await?
        .into_iter()
        .map(|(unit, (n, _))| (unit, n))
        .collect();
    let replaces = imports::imports_of(conn, indicator.code(), group.code())
        .await?
        .iter()
        .any(|i| i.as_of == as_of);
    Ok(compare(&units, rows, &latest).map(|plan| ImportPlan { plan, replaces }))
}

/// Stores the import in one transaction (replacing one of the same date), or nothing.
pub async fn apply(
    state: &Runtime,
    user: &SessionUser,
    indicator: Indicator,
    group: TargetGroup,
    as_of: NaiveDate,
    rows: &[DenominatorRow],
    source: &str,
) -> Result<ImportPlan, ImportError> {
    let _timer = state
        .metrics
        .time_import(crate::services::shared::imports::ImportKind::Vneid);
    let source = check_source(source).map_err(|e| ImportError::Rows(vec![e]))?;
    let txn = state.db.write().begin().await?;
    let plan = plan(&txn, indicator, group, as_of, rows)
        .await?
        .map_err(ImportError::Rows)?;
    let ids: BTreeMap<String, i64> = org::all(&txn)
        .await?
        .into_iter()
        .map(|u| (u.code, u.id))
        .collect();
    // The import holds every row given (unchanged ones too): it is the source's full list.
    let values: Vec<(i64, i64)> = rows
        .iter()
        .filter_map(|r| Some((*ids.get(&r.code)?, r.people?)))
        .collect();
    imports::replace_import(
        &txn,
        indicator.code(),
        group.code(),
        as_of,
        &source,
        Some(user.person_id),
        &values,
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(plan)
}

/// One past import, ready to list.
pub struct ImportInfo {
    pub as_of: NaiveDate,
    pub source: String,
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub units: usize,
    pub people: i64,
}

/// The imports of an indicator and group, newest date first.
pub async fn list(
    state: &Runtime,
    indicator: Indicator,
    group: TargetGroup,
) -> Result<Vec<ImportInfo>, DbErr> {
    let conn = state.db.read();
    let all = imports::imports_of(conn, indicator.code(), group.code()).await?;
    let ids: Vec<i64> = all.iter().map(|i| i.id).collect();
    let rows = imports::rows_of(conn, &ids).await?;
    let mut out = Vec::new();
    for i in all.into_iter().rev() {
        let mine: Vec<_> = rows.iter().filter(|r| r.import_id == i.id).collect();
        let by = match i.imported_by {
            Some(pid) => people::person_by_id(conn, pid)
                .await?
                .map_or_else(|| format!("#{pid}"), |p| p.full_name),
            None => "Chương trình".to_owned(),
        };
        out.push(ImportInfo {
            as_of: i.as_of,
            source: i.source,
            by,
            at: i.imported_at,
            units: mine.len(),
            people: mine.iter().map(|r| r.people).sum(),
        });
    }
    Ok(out)
}
