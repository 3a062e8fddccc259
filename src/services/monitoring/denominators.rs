//! Denominators (how many people of a group each unit has, per year): imported from a table
//! (XLSX or CSV) or edited in the browser. Always in two steps — a dry run that lists every
//! change and every error in Vietnamese and writes nothing, then the import itself, which
//! checks everything again and writes all of it or nothing, keeping the history (who, when,
//! source, old value).

use std::collections::BTreeMap;

use hocvuso_db::repo::{org, stats};
use hocvuso_db::{ConnectionTrait, DbErr, TransactionTrait};
use hocvuso_domain::{TargetGroup, UnitKind};
use hocvuso_import::denominators::{DenominatorRow, RowError};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::imports;
use crate::services::Internal;

/// One unit's value as the import would change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub code: String,
    pub name: String,
    pub old: Option<i64>,
    pub new: i64,
}

/// What an import would do.
#[derive(Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Rows whose value is already stored.
    pub unchanged: usize,
    /// Rows left empty (nothing to change).
    pub skipped: usize,
}

/// A dry run's result ready to show: the changes, what stays, what is skipped, and the rows
/// the confirm form carries.
pub struct Checked {
    pub changes: Vec<Change>,
    pub unchanged: usize,
    pub skipped: usize,
    pub rows: Vec<DenominatorRow>,
}

/// A dry run: checked, or every error found.
pub type Outcome = Result<Checked, Vec<RowError>>;

/// Years the province may set figures for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2020..=2100;

/// `group → unit → people` of a year: the copy in memory, as of the last change any process
/// made (`services::shared::versioned`).
pub async fn of_year(
    state: &Runtime,
    year: i32,
) -> Result<std::sync::Arc<BTreeMap<String, BTreeMap<i64, i64>>>, Internal> {
    let db = state.db.read();
    Ok(state
        .denominators
        .get(db, i64::from(year), || {
            stats::denominators_of_year(db, year)
        })
        .await?)
}

/// Checks rows against the org tree and the stored values.
pub async fn plan<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    group: TargetGroup,
    rows: &[DenominatorRow],
) -> Result<Result<Plan, Vec<RowError>>, DbErr> {
    let units = org::all(conn).await?;
    let stored = stats::denominators(conn, year, group.code()).await?;
    Ok(compare(&units, rows, &stored))
}

/// Compares imported rows with the current values (`unit_id → value`): a code that is not a
/// unit of the tree is an error (with its line, in Vietnamese); an empty value is skipped.
/// Shared by every import of numbers per unit.
pub fn compare(
    units: &[org::OrgUnit],
    rows: &[DenominatorRow],
    current: &BTreeMap<i64, i64>,
) -> Result<Plan, Vec<RowError>> {
    let by_code: BTreeMap<&str, &org::OrgUnit> =
        units.iter().map(|u| (u.code.as_str(), u)).collect();
    let mut plan = Plan::default();
    let mut errors = Vec::new();
    for r in rows {
        let Some(unit) = by_code.get(r.code.as_str()) else {
            errors.push(RowError {
                line: r.line,
                message: format!(
                    "Dòng {}: không có đơn vị mã {} trong tỉnh. Hãy kiểm tra mã (5 chữ số, theo danh mục hành chính).",
                    r.line, r.code
                ),
            });
            continue;
        };
        let Some(new) = r.people else {
            plan.skipped += 1;
            continue;
        };
        let old = current.get(&unit.id).copied();
        if old == Some(new) {
            plan.unchanged += 1;
        } else {
            plan.changes.push(Change {
                code: unit.code.clone(),
                name: unit.name.clone(),
                old,
                new,
            });
        }
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

/// Why an import was refused (nothing was written).
#[derive(Debug)]
pub enum ImportError {
    Rows(Vec<RowError>),
    Internal(Internal),
}

impl From<DbErr> for ImportError {
    fn from(e: DbErr) -> Self {
        ImportError::Internal(e.into())
    }
}

/// Checks the source text people give for figures.
pub fn check_source(source: &str) -> Result<String, RowError> {
    let s = hocvuso_domain::text::nfc(source.trim());
    match s.chars().count() {
        0 => Err(RowError {
            line: 0,
            message: "Hãy ghi nguồn số liệu (ví dụ: Công an tỉnh, báo cáo tháng 10/2026).".into(),
        }),
        n if n > 200 => Err(RowError {
            line: 0,
            message: "Nguồn số liệu dài quá 200 ký tự.".into(),
        }),
        _ => Ok(s),
    }
}

/// Applies rows in one transaction: every change with its history, or nothing.
pub async fn apply(
    state: &Runtime,
    user: &SessionUser,
    year: i32,
    group: TargetGroup,
    rows: &[DenominatorRow],
    source: &str,
) -> Result<Plan, ImportError> {
    let _timer = state
        .metrics
        .time_import(crate::services::shared::imports::ImportKind::Denominators);
    let source = check_source(source).map_err(|e| ImportError::Rows(vec![e]))?;
    let txn = state.db.write().begin().await?;
    let plan = plan(&txn, year, group, rows)
        .await?
        .map_err(ImportError::Rows)?;
    let now = state.clock.now();
    let ids: BTreeMap<String, i64> = org::all(&txn)
        .await?
        .into_iter()
        .map(|u| (u.code, u.id))
        .collect();
    let mut set: Vec<(i32, i64, &str, i64)> = Vec::with_capacity(plan.changes.len());
    for c in &plan.changes {
        let Some(&unit_id) = ids.get(&c.code) else {
            continue;
        };
        set.push((year, unit_id, group.code(), c.new));
        stats::record_denominator_change(
            &txn,
            year,
            unit_id,
            group.code(),
            c.old,
            c.new,
            &source,
            Some(user.person_id),
            now,
        )
        .await?;
    }
    stats::set_denominators(&txn, &set, &source, now).await?;
    txn.commit().await?;
    Ok(plan)
}

/// Rows as carried from the dry run to the import (`line,code,people` per line).
fn encode_rows(rows: &[DenominatorRow]) -> String {
    rows.iter()
        .filter_map(|r| r.people.map(|p| format!("{},{},{p}", r.line, r.code)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Keeps the checked rows of a dry run (denominators or counts) in the one stash, bound to the
/// person, the kind of import and `key` (what they are for: year and group, or group and
/// date); returns the token the confirmation form carries.
pub async fn stash_rows(
    db: &hocvuso_db::Db,
    now: chrono::DateTime<chrono::Utc>,
    actor_id: i64,
    kind: imports::ImportKind,
    key: &str,
    rows: &[DenominatorRow],
) -> Result<String, Internal> {
    imports::stash(db, now, actor_id, kind, key, encode_rows(rows).into_bytes()).await
}

/// The rows a dry run stashed under `token`, if this person stashed them for this kind of
/// import and this `key`; `None` for anything else (applied already, too old, forged).
pub async fn stashed_rows(
    db: &hocvuso_db::Db,
    token: &str,
    actor_id: i64,
    kind: imports::ImportKind,
    key: &str,
) -> Result<Option<Vec<DenominatorRow>>, Internal> {
    let Some(s) = imports::stashed(db, token, actor_id, kind).await? else {
        return Ok(None);
    };
    if s.file_name != key {
        return Ok(None);
    }
    Ok(std::str::from_utf8(&s.bytes).ok().and_then(decode_rows))
}

fn decode_rows(text: &str) -> Option<Vec<DenominatorRow>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut f = l.trim().split(',');
            Some(DenominatorRow {
                line: f.next()?.parse().ok()?,
                code: f.next()?.to_owned(),
                people: Some(f.next()?.parse().ok()?),
            })
        })
        .collect()
}

/// One line of the history, ready to show.
pub struct HistoryRow {
    pub code: String,
    pub name: String,
    pub old: Option<i64>,
    pub new: i64,
    pub source: String,
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Who changed which denominator of a year and group, when and from what, newest first.
pub async fn history(
    state: &Runtime,
    year: i32,
    group: TargetGroup,
) -> Result<Vec<HistoryRow>, Internal> {
    let conn = state.db.read();
    let units: BTreeMap<i64, org::OrgUnit> = org::all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    let mut out = Vec::new();
    for c in stats::denominator_changes(conn, year, group.code()).await? {
        let by = match c.changed_by {
            Some(pid) => match names.get(&pid) {
                Some(name) => name.clone(),
                None => {
                    let name = hocvuso_db::repo::people::person_by_id(conn, pid)
                        .await?
                        .map_or_else(|| format!("#{pid}"), |p| p.full_name);
                    names.insert(pid, name.clone());
                    name
                }
            },
            None => "Chương trình".to_owned(),
        };
        let unit = units.get(&c.unit_id);
        out.push(HistoryRow {
            code: unit.map(|u| u.code.clone()).unwrap_or_default(),
            name: unit.map(|u| u.name.clone()).unwrap_or_default(),
            old: c.old_people,
            new: c.new_people,
            source: c.source,
            by,
            at: c.changed_at,
        });
    }
    Ok(out)
}

/// Every commune with its stored value (for the edit form and the template file).
pub async fn current(
    state: &Runtime,
    year: i32,
    group: TargetGroup,
) -> Result<Vec<(org::OrgUnit, Option<i64>)>, Internal> {
    let conn = state.db.read();
    let stored = stats::denominators(conn, year, group.code()).await?;
    Ok(org::of_kind(conn, UnitKind::Commune)
        .await?
        .into_iter()
        .map(|u| {
            let v = stored.get(&u.id).copied();
            (u, v)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_survive_the_round_trip_to_the_confirm_form() {
        let rows = vec![
            DenominatorRow {
                line: 3,
                code: "22918".into(),
                people: Some(1234),
            },
            DenominatorRow {
                line: 4,
                code: "24781".into(),
                people: None,
            },
        ];
        let text = encode_rows(&rows);
        assert_eq!(text, "3,22918,1234");
        assert_eq!(decode_rows(&text), Some(vec![rows[0].clone()]));
        assert_eq!(decode_rows("x,1,2"), None);
        assert!(check_source(" ").is_err());
        assert_eq!(
            check_source(" Công an tỉnh ").ok().as_deref(),
            Some("Công an tỉnh")
        );
    }
}
