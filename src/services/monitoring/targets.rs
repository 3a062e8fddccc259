//! The province's targets (chỉ tiêu): a percent per year × group × indicator, seeded from the
//! plan and edited by the province admin, every change kept with who and when.

use std::collections::BTreeMap;

use hocvuso_db::repo::{people, stats};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::{Indicator, TargetGroup};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// One cell of the year's grid.
pub struct Cell {
    pub group: TargetGroup,
    pub indicator: Indicator,
    pub percent: Option<i32>,
}

/// The form field of a cell: `t_<group>_<indicator>`.
pub fn field_name(group: TargetGroup, indicator: Indicator) -> String {
    format!("t_{}_{}", group.code(), indicator.code())
}

/// Every group × indicator with the year's target (if any).
pub async fn grid(state: &Runtime, year: i32) -> Result<Vec<Cell>, Internal> {
    let stored: BTreeMap<(String, String), i32> = stats::targets_of_year(state.db.read(), year)
        .await?
        .into_iter()
        .map(|t| ((t.group_code, t.indicator_code), t.percent))
        .collect();
    let mut out = Vec::new();
    for g in TargetGroup::ALL {
        for i in Indicator::ALL {
            out.push(Cell {
                group: *g,
                indicator: *i,
                percent: stored
                    .get(&(g.code().to_owned(), i.code().to_owned()))
                    .copied(),
            });
        }
    }
    Ok(out)
}

/// A percent as typed: empty = no target; otherwise a whole number 0–100 (a `%` may follow).
fn parse_percent(s: &str) -> Result<Option<i32>, ()> {
    let s = s.trim().trim_end_matches('%').trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i32>() {
        Ok(p) if (0..=100).contains(&p) => Ok(Some(p)),
        _ => Err(()),
    }
}

/// Saves the whole grid of a year from the form's fields: every cell valid, or nothing saved.
/// Returns how many targets changed.
pub async fn save(
    state: &Runtime,
    user: &SessionUser,
    year: i32,
    fields: &[(String, String)],
) -> Result<usize, FormError> {
    let mut wanted = Vec::new();
    let mut errors: FieldErrors = Vec::new();
    for g in TargetGroup::ALL {
        for i in Indicator::ALL {
            let name = field_name(*g, *i);
            let Some((_, value)) = fields.iter().find(|(k, _)| *k == name) else {
                continue;
            };
            match parse_percent(value) {
                Ok(p) => wanted.push((*g, *i, p)),
                Err(()) => errors.push((
                    "chi-tieu",
                    format!(
                        "{} — {}: “{}” không phải số phần trăm từ 0 đến 100.",
                        g.name_vi(),
                        i.name_vi(),
                        value.trim()
                    ),
                )),
            }
        }
    }
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    let txn = state.db.write().begin().await?;
    let stored: BTreeMap<(String, String), i32> = stats::targets_of_year(&txn, year)
        .await?
        .into_iter()
        .map(|t| ((t.group_code, t.indicator_code), t.percent))
        .collect();
    let now = state.clock.now();
    let mut changed = 0;
    for (g, i, p) in wanted {
        let old = stored
            .get(&(g.code().to_owned(), i.code().to_owned()))
            .copied();
        if old != p {
            stats::set_target(
                &txn,
                year,
                g.code(),
                i.code(),
                old,
                p,
                Some(user.person_id),
                now,
            )
            .await?;
            changed += 1;
        }
    }
    txn.commit().await?;
    Ok(changed)
}

/// One change of a target, ready to show.
pub struct HistoryRow {
    pub group: &'static str,
    pub indicator: &'static str,
    pub old: Option<i32>,
    pub new: Option<i32>,
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

pub async fn history(state: &Runtime, year: i32) -> Result<Vec<HistoryRow>, Internal> {
    let conn = state.db.read();
    let mut out = Vec::new();
    for c in stats::target_changes(conn, year).await? {
        let by = match c.changed_by {
            Some(pid) => people::person_by_id(conn, pid)
                .await?
                .map_or_else(|| format!("#{pid}"), |p| p.full_name),
            None => "Chương trình".to_owned(),
        };
        out.push(HistoryRow {
            group: TargetGroup::from_code(&c.group_code).map_or("?", |g| g.name_vi()),
            indicator: Indicator::from_code(&c.indicator_code).map_or("?", |i| i.name_vi()),
            old: c.old_percent,
            new: c.new_percent,
            by,
            at: c.changed_at,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn percents_as_typed() {
        assert_eq!(super::parse_percent(" 80 "), Ok(Some(80)));
        assert_eq!(super::parse_percent("100%"), Ok(Some(100)));
        assert_eq!(super::parse_percent(""), Ok(None));
        assert_eq!(super::parse_percent("101"), Err(()));
        assert_eq!(super::parse_percent("8,5"), Err(()));
    }
}
