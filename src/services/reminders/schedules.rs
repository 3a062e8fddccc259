//! Weekly reminders: the province (or an officer, for their units) sets a reminder that goes
//! every week at a set day and hour (e.g. Monday 08:00) to the people of a group who have not
//! finished — in every commune under the unit, or only in the communes below their target
//! that week. Whichever server process moves a schedule's next run first sends it; the others
//! skip it (`repo::reminders::claim_schedule`).

use chrono::{DateTime, Datelike, Duration, Utc};
use hocvuso_db::repo::people::MemberFilter;
use hocvuso_db::repo::reminders::{self, NewReminder, NewSchedule};
use hocvuso_db::repo::{audit, org};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;
use hocvuso_domain::{Indicator, TargetGroup};
use serde::Deserialize;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

use super::compose::{self, ONE_A_WEEK};

/// Day names, Monday first (`weekday` 1 to 7).
pub const DAYS: [&str; 7] = [
    "Thứ Hai",
    "Thứ Ba",
    "Thứ Tư",
    "Thứ Năm",
    "Thứ Sáu",
    "Thứ Bảy",
    "Chủ nhật",
];

/// The form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScheduleInput {
    #[serde(default, rename = "don_vi")]
    pub unit: String,
    #[serde(default, rename = "nhom")]
    pub group: String,
    #[serde(default, rename = "noi_dung")]
    pub text: String,
    /// 1 (Monday) to 7 (Sunday).
    #[serde(default, rename = "thu")]
    pub weekday: String,
    /// 7 to 20.
    #[serde(default)]
    pub gio: String,
    /// "1": only the communes below their target.
    #[serde(default)]
    pub duoi_chi_tieu: String,
}

/// The hours a weekly reminder may be set at: outside the quiet hours.
pub fn hours(state: &Runtime) -> std::ops::Range<u32> {
    if state.config.sms_quiet_hours {
        super::sender::QUIET_UNTIL..super::sender::QUIET_FROM
    } else {
        0..24
    }
}

/// The first time after `now` that falls on `weekday` (1 Monday … 7 Sunday) at `hour`:00,
/// Vietnam time.
pub fn next_run(now: DateTime<Utc>, weekday: i32, hour: i32) -> DateTime<Utc> {
    let local = crate::clock::vietnam_time(now);
    let today = i32::try_from(local.weekday().number_from_monday()).unwrap_or(1);
    let mut days = i64::from((weekday - today).rem_euclid(7));
    loop {
        let day = local.date_naive() + Duration::days(days);
        let at = crate::clock::start_of_vietnam_day(day) + Duration::hours(i64::from(hour));
        if at > now {
            return at;
        }
        days += 7;
    }
}

/// Creates a weekly reminder; nothing is written unless every field is right.
pub async fn create(
    state: &Runtime,
    user: &SessionUser,
    input: &ScheduleInput,
) -> Result<i64, FormError> {
    let mut errors: FieldErrors = Vec::new();
    let (unit, group, body) = compose::check_parts(
        state,
        user,
        &input.unit,
        &input.group,
        &input.text,
        &mut errors,
    )
    .await?;
    let weekday = input
        .weekday
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|d| (1..=7).contains(d));
    if weekday.is_none() {
        errors.push(("thu", "Hãy chọn ngày trong tuần.".to_owned()));
    }
    let hours = hours(state);
    let hour = input
        .gio
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|h| u32::try_from(*h).is_ok_and(|h| hours.contains(&h)));
    if hour.is_none() {
        errors.push((
            "gio",
            if state.config.sms_quiet_hours {
                "Hãy chọn giờ gửi từ 7 đến 20 (không nhắn tin từ 21 giờ đến 7 giờ sáng).".to_owned()
            } else {
                "Hãy chọn giờ gửi từ 0 đến 23.".to_owned()
            },
        ));
    }
    let (Some(unit), Some(group), Some(weekday), Some(hour), true) =
        (unit.as_ref(), group, weekday, hour, errors.is_empty())
    else {
        return Err(FormError::Invalid(errors));
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    let id = reminders::insert_schedule(
        &txn,
        &NewSchedule {
            unit_id: unit.id,
            group_code: group.code(),
            body,
            weekday,
            hour,
            only_below_target: input.duoi_chi_tieu == "1",
            next_run_at: next_run(now, weekday, hour),
            created_by: user.person_id,
        },
        now,
    )
    .await
    .map_err(Internal::from)?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::ReminderScheduleCreate,
        &id.to_string(),
        &format!("{} group={} {weekday} {hour}h", unit.name, group.code()),
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(id)
}

/// A weekly reminder in the officer's list.
pub struct ScheduleLine {
    pub id: i64,
    pub unit: String,
    pub group: String,
    pub body: String,
    /// "Thứ Hai, 08:00".
    pub when: String,
    pub only_below_target: bool,
    pub active: bool,
    pub next_run_at: DateTime<Utc>,
}

/// The weekly reminders of the units this user manages.
pub async fn list(state: &Runtime, user: &SessionUser) -> Result<Vec<ScheduleLine>, Internal> {
    let managed = crate::services::people::org::managed_units(state, user).await?;
    let ids: Option<Vec<i64>> = managed.map(|units| units.iter().map(|u| u.id).collect());
    let tree = crate::services::people::org::tree(state).await?;
    Ok(reminders::schedules(state.db.read(), ids.as_deref())
        .await?
        .into_iter()
        .map(|s| ScheduleLine {
            id: s.id,
            unit: tree
                .iter()
                .find(|u| u.id == s.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            group: TargetGroup::from_code(&s.group_code)
                .map(|g| g.name_vi().to_owned())
                .unwrap_or_default(),
            body: s.body,
            when: format!(
                "{}, {:02}:00",
                DAYS.get(usize::try_from(s.weekday - 1).unwrap_or(0))
                    .copied()
                    .unwrap_or_default(),
                s.hour
            ),
            only_below_target: s.only_below_target,
            active: s.active,
            next_run_at: s.next_run_at,
        })
        .collect())
}

/// Pauses (`false`) or resumes (`true`) a weekly reminder of a unit this user manages.
/// `false`: no such schedule for this user.
pub async fn set_active(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    active: bool,
) -> Result<bool, Internal> {
    let Some(s) = reminders::schedule_by_id(state.db.read(), id).await? else {
        return Ok(false);
    };
    let units = compose::units_for(state, user).await?;
    if !units.iter().any(|u| u.id == s.unit_id) {
        return Ok(false);
    }
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    reminders::set_schedule_active(&txn, id, active, next_run(now, s.weekday, s.hour)).await?;
    audit::record(
        &txn,
        user.person_id,
        if active {
            AuditAction::ReminderScheduleResume
        } else {
            AuditAction::ReminderSchedulePause
        },
        &id.to_string(),
        "",
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// The units a schedule sends to this time: its unit, or the communes under it below their
/// target (figures as the dashboards show them now).
async fn targets_of(
    state: &Runtime,
    s: &reminders::Schedule,
    group: TargetGroup,
    now: DateTime<Utc>,
) -> Result<Vec<org::OrgUnit>, Internal> {
    let tree = crate::services::people::org::tree(state).await?;
    let Some(unit) = tree.iter().find(|u| u.id == s.unit_id).cloned() else {
        return Ok(Vec::new());
    };
    if !s.only_below_target {
        return Ok(vec![unit]);
    }
    let year = crate::clock::vietnam_time(now).year();
    let board = crate::services::monitoring::dashboard::province_board(
        state,
        year,
        group,
        Indicator::DigitalSkills,
    )
    .await?;
    Ok(board
        .rows
        .iter()
        .filter(|f| f.met() == Some(false))
        .filter_map(|f| tree.iter().find(|u| u.code == f.code))
        .filter(|c| org::is_under(&c.path, &unit.path))
        .cloned()
        .collect())
}

/// Sends the weekly reminders whose time has come (each once, by whichever process claims
/// it). Returns how many reminders were queued.
pub async fn run_due(state: &Runtime) -> Result<usize, Internal> {
    let now = state.clock.now();
    let mut queued = 0;
    for s in reminders::due_schedules(state.db.read(), now).await? {
        let next = next_run(now, s.weekday, s.hour);
        if !reminders::claim_schedule(state.db.write(), s.id, s.next_run_at, next).await? {
            continue;
        }
        // A run missed by more than a day (every server was down) is not sent late.
        if now - s.next_run_at > Duration::days(1) {
            continue;
        }
        let Some(group) = TargetGroup::from_code(&s.group_code) else {
            continue;
        };
        let units = targets_of(state, &s, group, now).await?;
        let txn = state.db.write().begin().await?;
        let mut people = 0;
        for unit in &units {
            let (_, n) = reminders::queue(
                &txn,
                &NewReminder {
                    unit_id: unit.id,
                    group_code: group.code(),
                    body: &s.body,
                    send_after: now,
                    schedule_id: Some(s.id),
                    created_by: s.created_by,
                },
                &MemberFilter {
                    path: &unit.path,
                    group_code: group.code(),
                    indicator_code: Indicator::DigitalSkills.code(),
                    only_unfinished: true,
                    name: None,
                },
                now - Duration::days(ONE_A_WEEK),
                now,
            )
            .await?;
            people += n;
            queued += 1;
        }
        audit::record(
            &txn,
            s.created_by,
            AuditAction::ReminderScheduleRun,
            &s.id.to_string(),
            &format!("units={} recipients={people}", units.len()),
            now,
        )
        .await?;
        txn.commit().await?;
    }
    Ok(queued)
}
