//! What every installation holds from its first start: the province and its communes, the
//! target groups, indicators and the plan's targets, and the shipped curriculum.
//! Idempotent: safe to run at every start.

use chrono::{DateTime, Utc};
use hocvuso_db::repo::{learning, org, stats};
use hocvuso_db::{Db, TransactionTrait};
use hocvuso_domain::{Indicator, TargetGroup, UnitKind};
use hocvuso_import::communes::parse_communes;

use crate::content;
use crate::services::Internal;

pub const PROVINCE_CODE: &str = "68";
pub const PROVINCE_NAME: &str = "Tỉnh Lâm Đồng";
const COMMUNES_CSV: &str = include_str!("../../../seed/lam-dong-communes.csv");

/// Targets of Kế hoạch 1410/KH-UBND (section II): (year, group, indicator, percent).
pub const PLAN_TARGETS: &[(i32, TargetGroup, Indicator, i32)] = &[
    (2025, TargetGroup::Officials, Indicator::DigitalSkills, 80),
    (2026, TargetGroup::Officials, Indicator::DigitalSkills, 100),
    (2025, TargetGroup::Students, Indicator::DigitalSkills, 100),
    (2026, TargetGroup::Students, Indicator::DigitalSkills, 100),
    (2025, TargetGroup::Adults, Indicator::DigitalSkills, 80),
    (2026, TargetGroup::Adults, Indicator::DigitalSkills, 100),
    (2025, TargetGroup::Adults, Indicator::VneidConfirmed, 70),
    (2026, TargetGroup::Adults, Indicator::VneidConfirmed, 80),
    (
        2025,
        TargetGroup::EnterpriseWorkers,
        Indicator::DigitalSkills,
        80,
    ),
    (
        2026,
        TargetGroup::EnterpriseWorkers,
        Indicator::DigitalSkills,
        100,
    ),
];

pub async fn ensure_seeded(db: &Db, now: DateTime<Utc>) -> Result<(), Internal> {
    let txn = db.write().begin().await?;

    if org::count(&txn).await? == 0 {
        let communes = parse_communes(COMMUNES_CSV).map_err(|errors| {
            Internal::Other(format!("seed/lam-dong-communes.csv is invalid: {errors:?}"))
        })?;
        let province = org::insert(
            &txn,
            org::NewUnit {
                code: PROVINCE_CODE,
                name: PROVINCE_NAME,
                kind: UnitKind::Province,
                commune_type: None,
                parent: None,
            },
            now,
        )
        .await?;
        for c in &communes {
            org::insert(
                &txn,
                org::NewUnit {
                    code: &c.code,
                    name: &c.full_name(),
                    kind: UnitKind::Commune,
                    commune_type: Some(c.kind.code()),
                    parent: Some(&province),
                },
                now,
            )
            .await?;
        }
    }

    for (i, g) in TargetGroup::ALL.iter().enumerate() {
        stats::upsert_group(&txn, g.code(), g.name_vi(), i as i32 + 1).await?;
    }
    for ind in Indicator::ALL {
        stats::upsert_indicator(&txn, ind.code(), ind.name_vi()).await?;
    }
    for (year, group, indicator, percent) in PLAN_TARGETS {
        stats::insert_target_if_missing(&txn, *year, group.code(), indicator.code(), *percent)
            .await?;
    }

    // The shipped courses, handbook and rules: read and applied only when this database has
    // not had this very content yet (a new installation, or a new version's content). Every
    // step below only adds what is missing, so a change of content runs them all again.
    let seeded = hocvuso_db::repo::settings::get(&txn, SHIPPED_CONTENT).await?;
    if seeded.as_deref() != Some(content::FINGERPRINT) {
        seed_content(&txn, now).await?;
        hocvuso_db::repo::settings::set(&txn, SHIPPED_CONTENT, content::FINGERPRINT).await?;
    }
    crate::services::plan::tasks::seed(&txn, now).await?;
    crate::services::credentials::certificates::ensure_issuer_key(&txn, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The `setting` under which the fingerprint of the last content seeded is kept.
pub const SHIPPED_CONTENT: &str = "shipped_content";

/// Adds the shipped courses, the handbook and the groups' rules that this database lacks.
async fn seed_content(
    txn: &hocvuso_db::DatabaseTransaction,
    now: DateTime<Utc>,
) -> Result<(), Internal> {
    let courses = content::shipped_courses().map_err(|e| Internal::Other(e.to_string()))?;
    let shipped_rules: Vec<(String, Vec<String>)> = courses
        .iter()
        .map(|c| (c.course.slug.clone(), c.course.required_for.clone()))
        .collect();
    for c in courses {
        if learning::course_by_slug(txn, &c.course.slug)
            .await?
            .is_some()
        {
            continue;
        }
        let counts_as_id = match &c.course.counts_as {
            Some(slug) => learning::course_by_slug(txn, slug).await?.map(|k| k.id),
            None => None,
        };
        let course = learning::insert_course(
            txn,
            learning::NewCourse {
                slug: &c.course.slug,
                title: &c.course.title,
                summary: &c.course.summary,
                level: &c.course.level,
                pass_percent: c.course.pass_percent,
                license: &c.course.license,
                external_url: c.course.external_url.as_deref(),
                counts_as_id,
                quiz_draw: c.quiz.draw.and_then(|n| i32::try_from(n).ok()),
                quiz_attempts: c.quiz.attempts.and_then(|n| i32::try_from(n).ok()),
                quiz_minutes: c.quiz.minutes.and_then(|n| i32::try_from(n).ok()),
                sequential: c.course.sequential,
                require_lessons: c.course.require_lessons,
                version: 1,
                quiz_draw_by: &hocvuso_domain::competence::format_quotas(
                    &c.quiz
                        .draw_by
                        .iter()
                        .map(|(code, n)| (code.clone(), *n))
                        .collect::<Vec<_>>(),
                ),
            },
            now,
        )
        .await?;
        for (i, (entry, body)) in c.lessons.iter().enumerate() {
            learning::insert_lesson(
                txn,
                course.id,
                learning::LessonContent {
                    position: i as i32 + 1,
                    module: &entry.module,
                    title: &entry.title,
                    body_md: body,
                    minutes: entry.minutes,
                    competences: &entry.competences,
                },
            )
            .await?;
        }
        for (i, q) in c.quiz.questions.iter().enumerate() {
            learning::insert_question(
                txn,
                learning::NewQuestion {
                    course_id: course.id,
                    position: i as i32 + 1,
                    prompt: &q.prompt,
                    explanation: &q.explanation,
                    options: &q.options,
                    correct: &q.correct.indexes(),
                    multiple: q.correct.is_multiple(),
                    competences: &q.competences,
                },
            )
            .await?;
        }
        for g in &c.course.required_for {
            learning::require_course_for_group(txn, g, course.id).await?;
        }
    }
    rule_groups_left_without_courses(txn, &shipped_rules, now).await?;
    crate::services::handbook::articles::seed(txn, now).await?;
    Ok(())
}

/// The reason written in the history when an upgrade gives a group its shipped rule.
pub const UPGRADE_RULE_REASON: &str =
    "Nâng cấp phiên bản: nhóm chưa có khóa học bắt buộc nào, áp dụng quy định đi kèm nội dung.";

/// An installation made by an earlier version has its courses already, so the loop above
/// skips them, with their rules: a group that the shipped content now gives required courses
/// (armed forces → the basic course, say) would stay with none, and its people could never
/// count. Such a group — no required course here, and never ruled by hand (nothing in its
/// history: a province that chose "none" on purpose keeps it) — gets the shipped rule now, its
/// people are recounted under it through the spine (`requirements::recount`), and the change
/// goes into the history like any other, in this one transaction.
async fn rule_groups_left_without_courses(
    txn: &hocvuso_db::DatabaseTransaction,
    shipped_rules: &[(String, Vec<String>)],
    now: DateTime<Utc>,
) -> Result<(), Internal> {
    let ruled: std::collections::BTreeSet<String> = learning::required_courses(txn)
        .await?
        .into_iter()
        .map(|(group, _)| group)
        .collect();
    for group in TargetGroup::ALL {
        let slugs: Vec<&str> = shipped_rules
            .iter()
            .filter(|(_, groups)| groups.iter().any(|g| g == group.code()))
            .map(|(slug, _)| slug.as_str())
            .collect();
        if slugs.is_empty()
            || ruled.contains(group.code())
            || learning::requirements_ever_changed(txn, group.code()).await?
        {
            continue;
        }
        for slug in &slugs {
            if let Some(course) = learning::course_by_slug(txn, slug).await? {
                learning::require_course_for_group(txn, group.code(), course.id).await?;
            }
        }
        let catalog = crate::services::learning::catalog::Catalog::load(txn).await?;
        let effect =
            crate::services::learning::requirements::recount(txn, &catalog, *group, now).await?;
        let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
        learning::insert_requirement_change(
            txn,
            learning::NewRequirementChange {
                group_code: group.code(),
                courses_before: "",
                courses_after: &slugs.join(","),
                reason: UPGRADE_RULE_REASON,
                gained: n(effect.gained),
                lost: n(effect.lost),
                redated: n(effect.redated),
                changed_by: None,
                changed_at: now,
            },
        )
        .await?;
        crate::services::learning::catalog::mark_changed(txn).await?;
        tracing::info!(
            "group {}: no required course yet; the shipped rule ({}) applied, {} people counted",
            group.code(),
            slugs.join(", "),
            effect.gained
        );
    }
    Ok(())
}

/// The communes' rough populations and their predecessor units before the 2025 merger
/// (`seed/lam-dong-communes-population.csv`, see seed/README.md).
pub const POPULATION_CSV: &str = include_str!("../../../seed/lam-dong-communes-population.csv");
