//! An officer reminds the people of their unit who have not finished: the text, who it goes
//! to, a preview with the number of people it reaches (and why the others are left out),
//! then the send, queued in the database in one statement and audited. The officer then
//! follows its delivery log.

use chrono::{DateTime, Duration, Utc};
use hocvuso_db::repo::people::MemberFilter;
use hocvuso_db::repo::reminders::{self, NewReminder, Reach};
use hocvuso_db::repo::{audit, org};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;
use hocvuso_domain::{Indicator, TargetGroup};
use serde::Deserialize;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// A person gets at most one reminder in this time.
pub const ONE_A_WEEK: i64 = 7;
/// The longest reminder: what fits one text message of 160 characters beside the signature,
/// once the marks are taken off.
pub const MAX_TEXT: usize = 160 - SIGNATURE.len();
/// What every text message starts with, so that people know who writes.
pub const SIGNATURE: &str = "Hoc vu so: ";

/// The form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReminderInput {
    #[serde(default, rename = "don_vi")]
    pub unit: String,
    #[serde(default, rename = "nhom")]
    pub group: String,
    #[serde(default, rename = "noi_dung")]
    pub text: String,
    /// `dd/mm/yyyy hh:mm` (Vietnam time), or empty for now.
    #[serde(default, rename = "gui_luc")]
    pub send_at: String,
}

/// A reminder checked and counted, before it is sent.
pub struct Preview {
    pub unit: org::OrgUnit,
    pub group: TargetGroup,
    pub body: String,
    /// The text message as the phone shows it.
    pub sms: String,
    pub send_after: DateTime<Utc>,
    pub reach: Reach,
    /// When the text messages will go: later than `send_after` when it falls in the quiet
    /// hours.
    pub sms_from: DateTime<Utc>,
}

/// The text message of a reminder: the signature and the text without marks.
pub fn sms_text(body: &str) -> String {
    format!(
        "{SIGNATURE}{}",
        hocvuso_domain::text::strip_marks(body.trim())
    )
}

/// The subject of every reminder email.
pub const EMAIL_SUBJECT: &str = "Lời nhắc từ Học vụ số";

/// A reminder email's text: the reminder as written (with its marks), then where to read it
/// and how to stop reminders, on `site` (the site's address).
pub fn email_text(body: &str, site: &str) -> String {
    format!(
        "{}\n\n--\nLời nhắc này được gửi qua Học vụ số, vì bạn đã chọn nhận lời nhắc qua thư \
         điện tử.\nXem các thông báo của bạn: {site}/thong-bao\nKhông muốn nhận lời nhắc nữa, \
         hoặc muốn nhận bằng tin nhắn: vào {site}/thong-bao.\n",
        body.trim()
    )
}

/// Units this officer may remind (the province admin: every unit).
pub async fn units_for(state: &Runtime, user: &SessionUser) -> Result<Vec<org::OrgUnit>, Internal> {
    crate::services::people::org::units_to_act_for(state, user).await
}

fn filter<'a>(unit: &'a org::OrgUnit, group: TargetGroup) -> MemberFilter<'a> {
    MemberFilter {
        path: &unit.path,
        group_code: group.code(),
        indicator_code: Indicator::DigitalSkills.code(),
        only_unfinished: true,
        name: None,
    }
}

/// What a reminder and a weekly reminder share, checked: the unit (one this user acts for),
/// the group and the text (10 characters to one text message, on one line). Each wrong part
/// adds its message to `errors`.
pub(super) async fn check_parts<'a>(
    state: &Runtime,
    user: &SessionUser,
    unit_code: &str,
    group_code: &str,
    text: &'a str,
    errors: &mut FieldErrors,
) -> Result<(Option<org::OrgUnit>, Option<TargetGroup>, &'a str), Internal> {
    let unit = units_for(state, user)
        .await?
        .into_iter()
        .find(|u| u.code == unit_code.trim());
    if unit.is_none() {
        errors.push(("don_vi", "Hãy chọn đơn vị trong danh sách.".to_owned()));
    }
    let group = TargetGroup::from_code(group_code.trim());
    if group.is_none() {
        errors.push(("nhom", "Hãy chọn nhóm đối tượng.".to_owned()));
    }
    let body = text.trim();
    let length = sms_text(body).chars().count() - SIGNATURE.len();
    if body.chars().count() < 10 || length > MAX_TEXT {
        errors.push((
            "noi_dung",
            format!("Hãy viết lời nhắc từ 10 đến {MAX_TEXT} ký tự (vừa một tin nhắn)."),
        ));
    } else if body.chars().any(char::is_control) {
        errors.push((
            "noi_dung",
            "Lời nhắc viết trên một dòng, không có ký tự điều khiển.".to_owned(),
        ));
    }
    Ok((unit, group, body))
}

/// Checks the form and counts who it would reach; nothing is written.
pub async fn preview(
    state: &Runtime,
    user: &SessionUser,
    input: &ReminderInput,
) -> Result<Preview, FormError> {
    let mut errors: FieldErrors = Vec::new();
    let (unit, group, body) = check_parts(
        state,
        user,
        &input.unit,
        &input.group,
        &input.text,
        &mut errors,
    )
    .await?;
    let now = state.clock.now();
    let send_after = if input.send_at.trim().is_empty() {
        Some(now)
    } else {
        match crate::clock::parse_date_time(input.send_at.trim()) {
            Some(t) if t >= now - Duration::minutes(1) && t <= now + Duration::days(60) => Some(t),
            Some(_) => {
                errors.push((
                    "gui_luc",
                    "Thời điểm gửi phải từ bây giờ đến 60 ngày tới.".to_owned(),
                ));
                None
            }
            None => {
                errors.push((
                    "gui_luc",
                    "Hãy ghi thời điểm gửi dạng ngày/tháng/năm giờ:phút, ví dụ 14/12/2026 08:00, hoặc để trống để gửi ngay.".to_owned(),
                ));
                None
            }
        }
    };
    let (Some(unit), Some(group), Some(send_after), true) =
        (unit.as_ref(), group, send_after, errors.is_empty())
    else {
        return Err(FormError::Invalid(errors));
    };
    let reach = reminders::reach(
        state.db.read(),
        &filter(unit, group),
        now - Duration::days(ONE_A_WEEK),
    )
    .await
    .map_err(Internal::from)?;
    Ok(Preview {
        unit: unit.clone(),
        group,
        body: body.to_owned(),
        sms: sms_text(body),
        send_after,
        reach,
        sms_from: super::sender::after_quiet_hours(state.config.sms_quiet_hours, send_after),
    })
}

/// Queues the reminder for everyone it reaches (checked again, counted again) and records
/// it in the audit log. Returns the reminder's id and how many it was queued for.
pub async fn send(
    state: &Runtime,
    user: &SessionUser,
    input: &ReminderInput,
) -> Result<(i64, u64), FormError> {
    let p = preview(state, user, input).await?;
    let now = state.clock.now();
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    let (id, queued) = reminders::queue(
        &txn,
        &NewReminder {
            unit_id: p.unit.id,
            group_code: p.group.code(),
            body: &p.body,
            send_after: p.send_after,
            schedule_id: None,
            created_by: user.person_id,
        },
        &filter(&p.unit, p.group),
        now - Duration::days(ONE_A_WEEK),
        now,
    )
    .await
    .map_err(Internal::from)?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::ReminderQueue,
        &id.to_string(),
        &format!(
            "{} ({}) group={} recipients={queued}",
            p.unit.name,
            p.unit.code,
            p.group.code()
        ),
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok((id, queued))
}

/// A reminder in the officer's list, with how its messages stand.
pub struct ReminderLine {
    pub id: i64,
    pub unit: String,
    pub group: String,
    pub body: String,
    pub send_after: DateTime<Utc>,
    pub from_schedule: bool,
    pub counts: Counts,
}

/// How many messages of a reminder are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
}

impl Counts {
    pub fn total(&self) -> i64 {
        self.waiting + self.sent + self.failed + self.skipped
    }
}

async fn counts(state: &Runtime, id: i64) -> Result<Counts, Internal> {
    let mut c = Counts::default();
    for (status, n) in reminders::status_counts(state.db.read(), id).await? {
        match status.as_str() {
            reminders::SENT => c.sent += n,
            reminders::FAILED => c.failed += n,
            reminders::SKIPPED => c.skipped += n,
            _ => c.waiting += n,
        }
    }
    Ok(c)
}

/// The reminder, if this user may see it (it is for a unit they manage).
async fn visible(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<(reminders::Reminder, org::OrgUnit)>, Internal> {
    let Some(r) = reminders::reminder_by_id(state.db.read(), id).await? else {
        return Ok(None);
    };
    let units = units_for(state, user).await?;
    Ok(units
        .into_iter()
        .find(|u| u.id == r.unit_id)
        .map(|u| (r, u)))
}

fn line(r: reminders::Reminder, unit: String, counts: Counts) -> ReminderLine {
    ReminderLine {
        id: r.id,
        unit,
        group: TargetGroup::from_code(&r.group_code)
            .map(|g| g.name_vi().to_owned())
            .unwrap_or(r.group_code),
        body: r.body,
        send_after: r.send_after,
        from_schedule: r.schedule_id.is_some(),
        counts,
    }
}

/// The latest reminders of the units this user manages (newest first).
pub async fn recent(state: &Runtime, user: &SessionUser) -> Result<Vec<ReminderLine>, Internal> {
    let managed = crate::services::people::org::managed_units(state, user).await?;
    let ids: Option<Vec<i64>> = managed.map(|units| units.iter().map(|u| u.id).collect());
    let tree = crate::services::people::org::tree(state).await?;
    let mut out = Vec::new();
    for r in reminders::reminders_of(state.db.read(), ids.as_deref(), 30).await? {
        let unit = tree
            .iter()
            .find(|u| u.id == r.unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        let c = counts(state, r.id).await?;
        out.push(line(r, unit, c));
    }
    Ok(out)
}

/// One line of a delivery log that did not go out, personal data masked.
pub struct Problem {
    pub name: String,
    /// How it goes: "Thư điện tử", or "SMS" with the phone masked.
    pub via: String,
    pub state: &'static str,
    pub attempts: i32,
    pub why: String,
}

/// A reminder's delivery log.
pub struct DeliveryLog {
    pub reminder: ReminderLine,
    pub problems: Vec<Problem>,
}

/// Lines of a delivery log shown.
pub const LOG_LINES: u64 = 200;

/// A reminder's delivery log, if this user may see it; the view is audited (it names
/// people).
pub async fn log(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<DeliveryLog>, Internal> {
    let Some((r, unit)) = visible(state, user, id).await? else {
        return Ok(None);
    };
    let c = counts(state, r.id).await?;
    let problems = reminders::problems(state.db.read(), r.id, LOG_LINES)
        .await?
        .into_iter()
        .map(|l| Problem {
            name: l.full_name,
            via: if l.channel == reminders::BY_EMAIL {
                "Thư điện tử".to_owned()
            } else {
                match l.phone.as_deref() {
                    Some(phone) => format!("SMS {}", hocvuso_domain::mask::phone(phone)),
                    None => "SMS".to_owned(),
                }
            },
            state: match l.status.as_str() {
                reminders::FAILED => "Không gửi được",
                reminders::SKIPPED => "Bỏ qua",
                reminders::SENT => "Đã gửi (sau khi thử lại)",
                _ => "Đang chờ gửi lại",
            },
            attempts: l.attempts,
            why: l.error.unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    audit::record(
        state.db.write(),
        user.person_id,
        AuditAction::ReminderLogView,
        &r.id.to_string(),
        &format!("rows={}", problems.len()),
        state.clock.now(),
    )
    .await?;
    Ok(Some(DeliveryLog {
        reminder: line(r, unit.name, c),
        problems,
    }))
}
