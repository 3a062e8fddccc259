//! What a unit did in a reporting period, beside its figures: class sessions held by its units'
//! classes and the people present, contest entries by people entering for its units, and the
//! help its community technology teams logged — the unit and every unit below it. Frozen into
//! a report with its figures at the first saving (`period_report.activity`).

use chrono::Duration;
use hocvuso_db::repo::{activity, org, reports};

use crate::services::runtime::Runtime;
use crate::services::Internal;

/// The counts, as kept in a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Activity {
    pub classes: i64,
    pub sessions: i64,
    pub attendees: i64,
    pub contest_entries: i64,
    pub contestants: i64,
    pub support: i64,
    pub helped: i64,
}

/// The activity of the unit and every unit below it in the period (its days in Vietnam time).
pub async fn of_period(
    state: &Runtime,
    period: &reports::Period,
    unit: &org::OrgUnit,
) -> Result<Activity, Internal> {
    let db = state.db.read();
    let from = crate::clock::start_of_vietnam_day(period.starts_on);
    let to = crate::clock::start_of_vietnam_day(period.ends_on + Duration::days(1));
    let (classes, sessions) = activity::class_sessions(db, &unit.path, from, to).await?;
    let (attendees, _) = activity::class_attendance(db, &unit.path, from, to).await?;
    let (contest_entries, contestants) =
        activity::contest_entries(db, &unit.path, from, to).await?;
    let (support, helped) =
        activity::support_given(db, &unit.path, period.starts_on, period.ends_on).await?;
    Ok(Activity {
        classes,
        sessions,
        attendees,
        contest_entries,
        contestants,
        support,
        helped,
    })
}

/// As kept in a report ("" for a report saved before activities were kept: `None`).
pub fn parse(json: &str) -> Option<Activity> {
    serde_json::from_str(json).ok()
}

/// The lines a report shows: `(what, how many, in words)`.
pub fn lines(a: &Activity) -> Vec<(&'static str, String)> {
    let n = hocvuso_domain::format::number;
    vec![
        (
            "Lớp học",
            format!(
                "{} lớp, {} buổi học; {} người dự ít nhất một buổi",
                n(a.classes),
                n(a.sessions),
                n(a.attendees)
            ),
        ),
        (
            "Cuộc thi",
            format!(
                "{} lượt bài thi đã nộp của {} người",
                n(a.contest_entries),
                n(a.contestants)
            ),
        ),
        (
            "Hỗ trợ người dân",
            format!(
                "{} lượt hỗ trợ của Tổ công nghệ số cộng đồng; {} người được ghi tên",
                n(a.support),
                n(a.helped)
            ),
        ),
    ]
}
