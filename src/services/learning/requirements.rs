//! Which courses each target group requires: the province's rule of what counts as "digital
//! skills" for that group (seeded from the shipped courses' `required_for`, then the
//! province's to decide). A change is kept with who, when and why, and recounted through the
//! spine **in the same transaction**: people the new rule no longer backs lose their
//! achievement (taken off the week it was counted), people whose last required course is now a
//! later one have their achievement dated then (moved to that week), and people the new rule
//! lets through achieve from the moment of the change (as someone joining a group does), so
//! `stats verify` agrees afterwards. A dry run does the same and rolls back, to show what the
//! change would do before it is made.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use hocvuso_db::repo::{audit, learning, people, stats};
use hocvuso_db::{ConnectionTrait, DbErr, TransactionTrait};
use hocvuso_domain::AuditAction;
use hocvuso_domain::{Indicator, TargetGroup};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::learning::catalog::{self, Catalog};
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// Longest reason kept with a change.
pub const MAX_REASON_CHARS: usize = 500;
/// How many changes the history shows.
const HISTORY_SHOWN: u64 = 200;

/// A course a group may require: taught here, and not one that counts as another (its
/// completion already meets the other's requirement).
pub struct Choice {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub required: bool,
}

/// One group's rule as it stands.
pub struct GroupRule {
    pub group: TargetGroup,
    pub courses: Vec<Choice>,
}

impl GroupRule {
    /// The titles of the courses required, or a dash.
    pub fn required_titles(&self) -> Vec<&str> {
        self.courses
            .iter()
            .filter(|c| c.required)
            .map(|c| c.title.as_str())
            .collect()
    }
}

/// The courses a rule may name, in catalogue order.
fn choosable(
    catalog: &Catalog,
) -> impl Iterator<Item = &crate::services::learning::catalog::CatalogCourse> {
    catalog
        .courses()
        .filter(|c| c.course.external_url.is_none() && c.course.counts_as_id.is_none())
}

/// Every group's rule as it stands.
pub fn rules(catalog: &Catalog) -> Vec<GroupRule> {
    TargetGroup::ALL
        .iter()
        .map(|g| {
            let required = catalog.required_for(g.code());
            GroupRule {
                group: *g,
                courses: choosable(catalog)
                    .map(|c| Choice {
                        id: c.course.id,
                        slug: c.course.slug.clone(),
                        title: c.course.title.clone(),
                        required: required.contains(&c.course.id),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// What a change did (or, in a dry run, would do) to the achievements of the group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Effect {
    /// People who achieve under the new rule and did not before.
    pub gained: usize,
    /// People who achieved and no longer do.
    pub lost: usize,
    /// People who still achieve, but later (their last required course is now a later one).
    pub redated: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    DryRun,
    Apply,
}

/// Changes the courses `group` requires to `wanted` (course ids), with the reason given; with
/// [`Mode::DryRun`] nothing is kept. Only the province administrator may.
pub async fn change(
    state: &Runtime,
    actor: &SessionUser,
    group: TargetGroup,
    wanted: &[i64],
    reason: &str,
    mode: Mode,
) -> Result<Effect, FormError> {
    if !actor.is_province_admin() {
        return Err(Internal::Other("requirements: not the province admin".into()).into());
    }
    let current = state.catalog.current();
    let mut errors: FieldErrors = Vec::new();
    let reason = reason.trim();
    if reason.is_empty() {
        errors.push((
            "ly-do",
            "Hãy ghi lý do thay đổi (ví dụ số văn bản của tỉnh).".to_owned(),
        ));
    } else if reason.chars().count() > MAX_REASON_CHARS {
        errors.push((
            "ly-do",
            format!("Lý do dài quá {MAX_REASON_CHARS} ký tự; hãy ghi ngắn lại."),
        ));
    }
    let allowed: Vec<(i64, String)> = choosable(&current)
        .map(|c| (c.course.id, c.course.slug.clone()))
        .collect();
    if wanted
        .iter()
        .any(|id| !allowed.iter().any(|(a, _)| a == id))
    {
        errors.push((
            "khoa-hoc",
            "Có khóa học không chọn được (khóa học không có, chưa xuất bản, học trên nền tảng khác hoặc được tính như khóa khác).".to_owned(),
        ));
    }
    // In catalogue order, each once.
    let after: Vec<(i64, String)> = allowed
        .iter()
        .filter(|(id, _)| wanted.contains(id))
        .cloned()
        .collect();
    let before_ids: BTreeSet<i64> = current.required_for(group.code()).into_iter().collect();
    let after_ids: BTreeSet<i64> = after.iter().map(|(id, _)| *id).collect();
    if errors.is_empty() && before_ids == after_ids {
        errors.push((
            "khoa-hoc",
            "Các khóa học chọn giống quy định hiện hành: không có gì thay đổi.".to_owned(),
        ));
    }
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    let slugs = |ids: &BTreeSet<i64>| -> String {
        current
            .all()
            .iter()
            .filter(|c| ids.contains(&c.course.id))
            .map(|c| c.course.slug.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    let after_list: Vec<i64> = after.iter().map(|(id, _)| *id).collect();
    if mode == Mode::DryRun {
        // Counted on a reader, in one snapshot: the preview never holds SQLite's one writer
        // (it once wrote the rule, recounted and rolled back, stopping every learner's write
        // for as long as the recount read).
        let txn = state.db.read().begin().await?;
        let (gained, lost, redated) = stats::rule_effect(&txn, group, &after_list).await?;
        txn.commit().await?;
        let n = |x: i64| usize::try_from(x).unwrap_or(0);
        return Ok(Effect {
            gained: n(gained),
            lost: n(lost),
            redated: n(redated),
        });
    }
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    learning::set_group_courses(&txn, group.code(), &after_list).await?;
    let ruled = Catalog::load(&txn).await?;
    let effect = recount(&txn, &ruled, group, now).await?;
    let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
    let (courses_before, courses_after) = (slugs(&before_ids), slugs(&after_ids));
    learning::insert_requirement_change(
        &txn,
        learning::NewRequirementChange {
            group_code: group.code(),
            courses_before: &courses_before,
            courses_after: &courses_after,
            reason,
            gained: n(effect.gained),
            lost: n(effect.lost),
            redated: n(effect.redated),
            changed_by: Some(actor.person_id),
            changed_at: now,
        },
    )
    .await?;
    audit::record(
        &txn,
        actor.person_id,
        AuditAction::ChangeRequirements,
        group.code(),
        &format!(
            "before={courses_before} after={courses_after} gained={} lost={} redated={}",
            effect.gained, effect.lost, effect.redated
        ),
        now,
    )
    .await?;
    catalog::mark_changed(&txn).await?;
    txn.commit().await?;
    catalog::reload(state).await?;
    Ok(effect)
}

/// Brings the `digital_skills` achievements of `group` in line with the rule `ruled` holds,
/// through the spine, in the caller's transaction.
pub async fn recount<C: ConnectionTrait>(
    conn: &C,
    ruled: &Catalog,
    group: TargetGroup,
    now: DateTime<Utc>,
) -> Result<Effect, DbErr> {
    let code = group.code();
    let of_group = |rows: Vec<stats::AchievementMismatch>| -> Vec<i64> {
        rows.into_iter()
            .filter(|r| r.group_code == code)
            .map(|r| r.person_id)
            .collect()
    };
    let mut effect = Effect::default();
    let mut moves: Vec<Move> = Vec::new();

    // No longer backed: taken back in the week each was counted.
    let lost = of_group(stats::unbacked_achievements(conn).await?);
    for (person, at) in stats::delete_group_achievements(conn, code, &lost).await? {
        moves.push(Move {
            person,
            from: Some(stats::week_of(at)),
            to: None,
        });
        effect.lost += 1;
    }

    // Still backed, but the last course it needs was completed after its date: dated then.
    let early = of_group(stats::early_achievements(conn).await?);
    let completed: BTreeMap<(i64, i64), DateTime<Utc>> = learning::completions_of(conn, &early)
        .await?
        .into_iter()
        .map(|(p, c, at)| ((p, c), at))
        .collect();
    for (person, old) in stats::group_achievements_of(conn, code, &early).await? {
        let Some(met) = ruled.met_at(code, |c| completed.get(&(person, c)).copied()) else {
            continue;
        };
        if met <= old {
            continue;
        }
        stats::redate_achievement(conn, person, code, met).await?;
        let (from, to) = (stats::week_of(old), stats::week_of(met));
        if from != to {
            moves.push(Move {
                person,
                from: Some(from),
                to: Some(to),
            });
        }
        effect.redated += 1;
    }
    move_counts(conn, code, &moves).await?;

    // Let through by the new rule: achieved from now, as when someone joins a group.
    let gained = of_group(stats::missing_achievements(conn).await?);
    effect.gained = gained.len();
    crate::services::learning::spine::record_achievements(conn, ruled, &gained, |_| Some(now))
        .await?;
    Ok(effect)
}

/// An achievement taken off one week's counts and/or put on another's.
struct Move {
    person: i64,
    from: Option<String>,
    to: Option<String>,
}

/// Applies [`Move`]s to the live counts of every unit where the person is in the group
/// (confirmed or not, as the person is).
async fn move_counts<C: ConnectionTrait>(
    conn: &C,
    group: &str,
    moves: &[Move],
) -> Result<(), DbErr> {
    if moves.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = moves.iter().map(|m| m.person).collect();
    let memberships = people::memberships_of(conn, &ids).await?;
    let unconfirmed = people::unconfirmed_among(conn, &ids).await?;
    let mut units: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for m in memberships.iter().filter(|m| m.group_code == group) {
        units.entry(m.person_id).or_default().push(m.unit_id);
    }
    let mut deltas: BTreeMap<(i64, String), stats::Delta> = BTreeMap::new();
    for m in moves {
        let confirmed = !unconfirmed.contains(&m.person);
        for unit in units.get(&m.person).into_iter().flatten() {
            if let Some(week) = &m.from {
                *deltas.entry((*unit, week.clone())).or_default() +=
                    stats::Delta::of(confirmed, -1);
            }
            if let Some(week) = &m.to {
                *deltas.entry((*unit, week.clone())).or_default() += stats::Delta::of(confirmed, 1);
            }
        }
    }
    let indicator = Indicator::DigitalSkills.code();
    for ((unit, week), d) in deltas {
        stats::add_to_count(conn, unit, group, indicator, &week, d).await?;
    }
    Ok(())
}

/// One change of a group's rule, ready to show.
pub struct HistoryRow {
    pub group: &'static str,
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub reason: String,
    pub effect: Effect,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The latest changes, newest first, with course titles and the author's name.
pub async fn history(state: &Runtime) -> Result<Vec<HistoryRow>, Internal> {
    let conn = state.db.read();
    let current = state.catalog.current();
    let title = |slug: &str| -> String {
        current
            .all()
            .iter()
            .find(|c| c.course.slug == slug)
            .map_or_else(|| slug.to_owned(), |c| c.course.title.clone())
    };
    let titles = |list: &str| -> Vec<String> {
        list.split(',')
            .filter(|s| !s.is_empty())
            .map(title)
            .collect()
    };
    let mut out = Vec::new();
    for c in learning::requirement_changes(conn, HISTORY_SHOWN).await? {
        let by = crate::services::people::person::author_name(conn, c.changed_by).await?;
        let count = |x: i64| usize::try_from(x).unwrap_or(0);
        out.push(HistoryRow {
            group: TargetGroup::from_code(&c.group_code).map_or("—", |g| g.name_vi()),
            before: titles(&c.courses_before),
            after: titles(&c.courses_after),
            reason: c.reason,
            effect: Effect {
                gained: count(c.gained),
                lost: count(c.lost),
                redated: count(c.redated),
            },
            by,
            at: c.changed_at,
        });
    }
    Ok(out)
}
