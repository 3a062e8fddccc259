//! The live counts recomputed from raw records (`stats verify`, the rebuild after a rule
//! change or a bulk load) and the checks that compare achievements with what earns them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Set,
};

use crate::entity::{achievement, indicator_count, indicator_week};

use super::*;

#[derive(Debug, FromQueryResult)]
struct MemberAchievement {
    unit_id: i64,
    group_code: String,
    indicator_code: String,
    achieved_at: DateTime<Utc>,
    confirmed: i32,
}

/// People per query when the weekly counts are recomputed (keeps memory flat at any size).
const PEOPLE_PER_SCAN: i64 = 100_000;

/// The weekly counts recomputed from raw records (membership ⋈ achievement ⋈ person, bucketed
/// by the week of each achievement), `(confirmed, unconfirmed)`, a range of people at a time.
pub async fn recomputed_weeks<C: ConnectionTrait>(
    conn: &C,
) -> Result<BTreeMap<WeekKey, (i64, i64)>, DbErr> {
    recomputed_weeks_where(conn, Some("")).await
}

/// The weekly counts as they were before people were confirmed or not (every achievement
/// counted as confirmed): for the migration that created the weekly counts, which runs
/// before `person.confirmed_via` exists.
pub async fn recomputed_weeks_before_confirmation<C: ConnectionTrait>(
    conn: &C,
) -> Result<BTreeMap<WeekKey, i64>, DbErr> {
    Ok(recomputed_weeks_where(conn, None)
        .await?
        .into_iter()
        .map(|(k, (n, _))| (k, n))
        .collect())
}

/// [`recomputed_weeks`] of the people matching `person_filter` (SQL on `p`, ours, not input);
/// `None`: without looking at people (all confirmed).
async fn recomputed_weeks_where<C: ConnectionTrait>(
    conn: &C,
    person_filter: Option<&str>,
) -> Result<BTreeMap<WeekKey, (i64, i64)>, DbErr> {
    let (confirmed, join, filter) = match person_filter {
        Some(f) => (
            "CASE WHEN p.confirmed_via IS NULL THEN 0 ELSE 1 END",
            "JOIN person p ON p.id = a.person_id",
            f,
        ),
        None => ("1", "", ""),
    };
    use sea_orm::QuerySelect;
    let max: Option<i64> = achievement::Entity::find()
        .select_only()
        .column_as(achievement::Column::PersonId.max(), "m")
        .into_tuple()
        .one(conn)
        .await?
        .flatten();
    let mut out: BTreeMap<WeekKey, (i64, i64)> = BTreeMap::new();
    let mut from = 0;
    while from <= max.unwrap_or(-1) {
        let to = from + PEOPLE_PER_SCAN;
        // Two integers of ours, not input: written into the statement.
        let rows: Vec<MemberAchievement> = crate::repo::query_rows(
            conn,
            &format!(
                "SELECT m.unit_id AS unit_id, m.group_code AS group_code, \
                        a.indicator_code AS indicator_code, a.achieved_at AS achieved_at, \
                        {confirmed} AS confirmed \
                 FROM achievement a \
                 JOIN membership m ON m.person_id = a.person_id AND m.group_code = a.group_code \
                 {join} \
                 WHERE a.person_id >= {from} AND a.person_id < {to} {filter}"
            ),
        )
        .await?;
        for r in rows {
            let n = out
                .entry((
                    r.unit_id,
                    r.group_code,
                    r.indicator_code,
                    week_of(r.achieved_at),
                ))
                .or_default();
            if r.confirmed == 1 {
                n.0 += 1;
            } else {
                n.1 += 1;
            }
        }
        from = to;
    }
    Ok(out)
}

/// Moves the achievements of people not confirmed from the confirmed counts to the
/// unconfirmed ones (the migration that splits the counts).
pub async fn split_unconfirmed<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    let weeks = recomputed_weeks_where(conn, Some("AND p.confirmed_via IS NULL")).await?;
    for ((unit, group, indicator, week), (_, n)) in weeks {
        add_to_count(
            conn,
            unit,
            &group,
            &indicator,
            &week,
            Delta {
                confirmed: -n,
                unconfirmed: n,
            },
        )
        .await?;
    }
    Ok(())
}

/// Writes weekly counts into an empty table (the migration that creates it).
pub async fn insert_weeks<C: ConnectionTrait>(
    conn: &C,
    weeks: &BTreeMap<WeekKey, i64>,
) -> Result<(), DbErr> {
    let rows: Vec<_> = weeks.iter().collect();
    for chunk in rows.chunks(500) {
        indicator_week::Entity::insert_many(chunk.iter().map(|((u, g, i, w), n)| {
            indicator_week::ActiveModel {
                unit_id: Set(*u),
                group_code: Set(g.clone()),
                indicator_code: Set(i.clone()),
                week: Set(w.clone()),
                achieved: Set(**n),
                unconfirmed: Set(0),
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// `unit_id → (achieved, unconfirmed)` (direct counts) for a group and indicator, in one read:
/// of the units in `units` only when given (a commune's dozen units, read by the primary key),
/// else of every unit.
pub async fn pair_counts<C: ConnectionTrait>(
    conn: &C,
    group_code: &str,
    indicator_code: &str,
    units: Option<&[i64]>,
) -> Result<BTreeMap<i64, (i64, i64)>, DbErr> {
    use sea_orm::QuerySelect;
    let mut q = indicator_count::Entity::find()
        .select_only()
        .column(indicator_count::Column::UnitId)
        .column(indicator_count::Column::Achieved)
        .column(indicator_count::Column::Unconfirmed)
        .filter(indicator_count::Column::GroupCode.eq(group_code))
        .filter(indicator_count::Column::IndicatorCode.eq(indicator_code));
    if let Some(ids) = units {
        q = q.filter(indicator_count::Column::UnitId.is_in(ids.iter().copied()));
    }
    Ok(q.into_tuple::<(i64, i64, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(u, a, n)| (u, (a, n)))
        .collect())
}

/// The counts recomputed from raw records: each membership whose person achieved the
/// indicator in that group counts once, as confirmed or not by the person's record.
pub async fn recomputed_counts<C: ConnectionTrait>(conn: &C) -> Result<Vec<CountRow>, DbErr> {
    crate::repo::query_rows(
        conn,
        "SELECT m.unit_id AS unit_id, m.group_code AS group_code, \
                a.indicator_code AS indicator_code, \
                CAST(SUM(CASE WHEN p.confirmed_via IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS achieved, \
                CAST(SUM(CASE WHEN p.confirmed_via IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS unconfirmed \
         FROM membership m \
         JOIN achievement a ON a.person_id = m.person_id AND a.group_code = m.group_code \
         JOIN person p ON p.id = m.person_id \
         GROUP BY m.unit_id, m.group_code, a.indicator_code \
         ORDER BY m.unit_id, m.group_code, a.indicator_code",
    )
    .await
}

#[derive(Debug, FromQueryResult)]
struct ImportedRow {
    indicator_code: String,
    group_code: String,
    unit_id: i64,
    people: i64,
}

/// For indicators counted outside (imported per unit and date): `(indicator, group, unit) →
/// people` of each unit's latest dated import, recomputed in SQL (for `stats verify`).
pub async fn recomputed_imported<C: ConnectionTrait>(
    conn: &C,
) -> Result<BTreeMap<(String, String, i64), i64>, DbErr> {
    let rows: Vec<ImportedRow> = crate::repo::query_rows(
        conn,
        "SELECT i.indicator_code AS indicator_code, i.group_code AS group_code, \
                r.unit_id AS unit_id, r.people AS people \
         FROM count_import_row r JOIN count_import i ON i.id = r.import_id \
         WHERE i.as_of = (SELECT MAX(i2.as_of) FROM count_import i2 \
                          JOIN count_import_row r2 ON r2.import_id = i2.id \
                          WHERE i2.indicator_code = i.indicator_code \
                            AND i2.group_code = i.group_code AND r2.unit_id = r.unit_id)",
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.indicator_code, r.group_code, r.unit_id), r.people))
        .collect())
}

/// A person × group whose `digital_skills` achievement disagrees with their completions.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct AchievementMismatch {
    pub person_id: i64,
    pub group_code: String,
}

/// Members of a group who completed every course the group requires, or a course that counts
/// as it (and it requires at least one), but have no `digital_skills` achievement for it.
pub async fn missing_achievements<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<AchievementMismatch>, DbErr> {
    crate::repo::query_rows(
        conn,
        "SELECT DISTINCT m.person_id AS person_id, m.group_code AS group_code \
         FROM membership m \
         WHERE EXISTS (SELECT 1 FROM group_course g WHERE g.group_code = m.group_code) \
           AND NOT EXISTS (SELECT 1 FROM group_course g WHERE g.group_code = m.group_code \
                 AND NOT EXISTS (SELECT 1 FROM course_completion c \
                                 WHERE c.person_id = m.person_id AND (c.course_id = g.course_id \
                                   OR c.course_id IN (SELECT k.id FROM course k WHERE k.counts_as_id = g.course_id)))) \
           AND NOT EXISTS (SELECT 1 FROM achievement a WHERE a.person_id = m.person_id \
                 AND a.group_code = m.group_code AND a.indicator_code = 'digital_skills') \
         ORDER BY person_id, group_code",
    )
    .await
}

/// `digital_skills` achievements without every required completion behind them, or without
/// a membership in that group.
pub async fn unbacked_achievements<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<AchievementMismatch>, DbErr> {
    crate::repo::query_rows(
        conn,
        "SELECT a.person_id AS person_id, a.group_code AS group_code \
         FROM achievement a \
         WHERE a.indicator_code = 'digital_skills' AND ( \
           NOT EXISTS (SELECT 1 FROM membership m WHERE m.person_id = a.person_id \
                       AND m.group_code = a.group_code) \
           OR NOT EXISTS (SELECT 1 FROM group_course g WHERE g.group_code = a.group_code) \
           OR EXISTS (SELECT 1 FROM group_course g WHERE g.group_code = a.group_code \
                 AND NOT EXISTS (SELECT 1 FROM course_completion c \
                                 WHERE c.person_id = a.person_id AND (c.course_id = g.course_id \
                                   OR c.course_id IN (SELECT k.id FROM course k WHERE k.counts_as_id = g.course_id))))) \
         ORDER BY person_id, group_code",
    )
    .await
}

/// `digital_skills` achievements dated before the last course they needed was completed
/// (each requirement met at the earliest completion of the course or of a course that counts
/// as it): such an achievement would count in a week, a report period or a year too early.
pub async fn early_achievements<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<AchievementMismatch>, DbErr> {
    crate::repo::query_rows(
        conn,
        "SELECT a.person_id AS person_id, a.group_code AS group_code \
         FROM achievement a \
         WHERE a.indicator_code = 'digital_skills' \
           AND EXISTS (SELECT 1 FROM group_course g WHERE g.group_code = a.group_code \
                 AND (SELECT MIN(c.completed_at) FROM course_completion c \
                      WHERE c.person_id = a.person_id AND (c.course_id = g.course_id \
                        OR c.course_id IN (SELECT k.id FROM course k WHERE k.counts_as_id = g.course_id))) \
                     > a.achieved_at) \
         ORDER BY person_id, group_code",
    )
    .await
}

#[derive(Debug, FromQueryResult)]
struct Counted {
    n: i64,
}

/// What requiring exactly `courses` of `group` would do to the group's `digital_skills`
/// achievements, counted without writing anything (a rule preview must not hold SQLite's one
/// writer while it reads millions of rows): `(gained, lost, redated)`, the same numbers
/// `requirements::recount` gives once the rule is written. Lost: achievements whose person is
/// no longer a member, or lacks one of the courses (or a course counting as it), or every
/// achievement when no course is required. Redated: the others, when the last required course
/// was completed after the achievement's date. Gained: members without an achievement who
/// completed them all. Run it in one read transaction, so the three counts see one snapshot.
pub async fn rule_effect<C: ConnectionTrait>(
    conn: &C,
    group: hocvuso_domain::TargetGroup,
    courses: &[i64],
) -> Result<(i64, i64, i64), DbErr> {
    // The group code comes from the closed set and the ids are integers: both written into
    // the statement as they are (nothing a user typed).
    let g = group.code();
    let list = courses
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let done = |who: &str| {
        format!(
            "EXISTS (SELECT 1 FROM course_completion c WHERE c.person_id = {who} \
               AND (c.course_id = r.id \
                 OR c.course_id IN (SELECT k.id FROM course k WHERE k.counts_as_id = r.id)))"
        )
    };
    let count = |sql: String| async move {
        let rows: Vec<Counted> = crate::repo::query_rows(conn, &sql).await?;
        Ok::<i64, DbErr>(rows.first().map_or(0, |r| r.n))
    };
    let member = format!(
        "EXISTS (SELECT 1 FROM membership m WHERE m.person_id = a.person_id \
           AND m.group_code = '{g}')"
    );
    let achieved = format!(
        "SELECT COUNT(*) AS n FROM achievement a \
         WHERE a.indicator_code = 'digital_skills' AND a.group_code = '{g}'"
    );
    if courses.is_empty() {
        return Ok((0, count(achieved).await?, 0));
    }
    let all_done = |who: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM course r WHERE r.id IN ({list}) AND NOT {})",
            done(who)
        )
    };
    let lost = count(format!(
        "{achieved} AND (NOT {member} OR NOT {})",
        all_done("a.person_id")
    ))
    .await?;
    let redated = count(format!(
        "{achieved} AND {member} AND {} \
           AND EXISTS (SELECT 1 FROM course r WHERE r.id IN ({list}) \
             AND (SELECT MIN(c.completed_at) FROM course_completion c \
                  WHERE c.person_id = a.person_id AND (c.course_id = r.id \
                    OR c.course_id IN (SELECT k.id FROM course k WHERE k.counts_as_id = r.id))) \
                 > a.achieved_at)",
        all_done("a.person_id")
    ))
    .await?;
    let gained = count(format!(
        "SELECT COUNT(DISTINCT m.person_id) AS n FROM membership m \
         WHERE m.group_code = '{g}' AND {} \
           AND NOT EXISTS (SELECT 1 FROM achievement a WHERE a.person_id = m.person_id \
             AND a.group_code = '{g}' AND a.indicator_code = 'digital_skills')",
        all_done("m.person_id")
    ))
    .await?;
    Ok((gained, lost, redated))
}
