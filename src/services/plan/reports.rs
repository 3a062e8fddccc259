//! Periodic reports (the plan's section V: every unit reports to the Department, which reports
//! upward). The province schedules reporting periods (a month, a quarter, a half-year or a
//! year, with a due date) and says which kinds of unit report. A unit's report for a period
//! starts from its figures at the period's end (every group and indicator: denominator,
//! achieved, added in the period, %, target, gap), frozen when it is first saved, and adds
//! what was done, the difficulties and the proposals. Draft → sent → returned with a comment →
//! sent again → approved; every step kept with who and when, and audited; an approved report
//! is read-only. The province sees per period who reported, on time or late, and who not.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use hocvuso_db::repo::reports::{self, NewPeriod, Written};
use hocvuso_db::repo::{audit, org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::{AuditAction, UnitKind};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::monitoring::report::{self as figures, SummaryLine};
use crate::services::plan::activity;
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// The kinds of period: `(code, words)`.
pub const KINDS: &[(&str, &str)] = &[
    ("month", "Tháng"),
    ("quarter", "Quý"),
    ("half", "6 tháng"),
    ("year", "Năm"),
];

/// The kinds of unit that may be asked to report (communes and the kinds under the province).
pub const REPORTER_KINDS: &[UnitKind] = &[
    UnitKind::Commune,
    UnitKind::Department,
    UnitKind::School,
    UnitKind::Enterprise,
    UnitKind::Cooperative,
    UnitKind::YouthBranch,
    UnitKind::DigitalTeam,
];

/// Longest written part.
pub const MAX_TEXT: usize = 10_000;

/// The first and last day of a period and its title; `None` when the number does not fit.
pub fn span(kind: &str, year: i32, number: u32) -> Option<(NaiveDate, NaiveDate, String)> {
    let first = |m: u32| NaiveDate::from_ymd_opt(year, m, 1);
    let last_of = |m: u32| {
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, m + 1, 1)
        };
        next.and_then(|d| d.pred_opt())
    };
    let (from, to, title) = match (kind, number) {
        ("month", 1..=12) => (number, number, format!("Tháng {number}/{year}")),
        ("quarter", 1..=4) => (
            number * 3 - 2,
            number * 3,
            format!(
                "Quý {}/{year}",
                ["I", "II", "III", "IV"][number as usize - 1]
            ),
        ),
        ("half", 1) => (1, 6, format!("6 tháng đầu năm {year}")),
        ("half", 2) => (7, 12, format!("6 tháng cuối năm {year}")),
        ("year", _) => (1, 12, format!("Năm {year}")),
        _ => return None,
    };
    Some((first(from)?, last_of(to)?, title))
}

/// A status in words.
pub fn status_words(code: Option<&str>) -> &'static str {
    match code {
        Some(reports::DRAFT) => "Đang soạn",
        Some(reports::SUBMITTED) => "Đã gửi, chờ duyệt",
        Some(reports::RETURNED) => "Bị trả lại để sửa",
        Some(reports::APPROVED) => "Đã duyệt",
        _ => "Chưa có",
    }
}

fn kind_words(code: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("Kỳ", |(_, w)| w)
}

use crate::clock::format_day as day;

/// Whether a report first sent at `sent` came by the period's due date (Vietnam time).
fn on_time(period: &reports::Period, sent: chrono::DateTime<chrono::Utc>) -> bool {
    crate::clock::vietnam_time(sent).date_naive() <= period.due_on
}

/// The units expected to report for a period that this user sees: every such unit for the
/// province; an officer's own units (and those below) of the period's kinds.
async fn reporting_units(
    state: &Runtime,
    user: &SessionUser,
    period: &reports::Period,
) -> Result<Vec<org::OrgUnit>, Internal> {
    let kinds: Vec<&str> = period.reporters.split(',').collect();
    let of_kind = |u: &org::OrgUnit| u.merged_into_id.is_none() && kinds.contains(&u.kind.as_str());
    Ok(
        match crate::services::people::org::managed_units(state, user).await? {
            None => crate::services::people::org::tree(state)
                .await?
                .iter()
                .filter(|u| of_kind(u))
                .cloned()
                .collect(),
            Some(units) => units.into_iter().filter(of_kind).collect(),
        },
    )
}

/// A period on the list.
pub struct PeriodLine {
    pub period: reports::Period,
    pub kind: &'static str,
    pub due: String,
    /// Units expected (of those this user sees), reports sent (approved included), approved,
    /// sent on time, sent late.
    pub expected: usize,
    pub sent: usize,
    pub approved: usize,
    pub on_time: usize,
    pub late: usize,
    /// For an officer: `(unit code, unit name, status words)` of their units.
    pub mine: Vec<(String, String, &'static str)>,
}

/// Every period, with its completeness among the units this user sees.
pub async fn periods(state: &Runtime, user: &SessionUser) -> Result<Vec<PeriodLine>, Internal> {
    let mut out = Vec::new();
    for period in reports::periods(state.db.read()).await? {
        out.push(line_of(state, user, period).await?);
    }
    Ok(out)
}

/// A period's completeness among the units this user sees.
async fn line_of(
    state: &Runtime,
    user: &SessionUser,
    period: reports::Period,
) -> Result<PeriodLine, Internal> {
    let units = reporting_units(state, user, &period).await?;
    let states = states_by_unit(state, &period).await?;
    Ok(line_from(user, period, &units, &states))
}

/// Where each unit's report of the period stands, by unit id (the lean read: no figures).
async fn states_by_unit(
    state: &Runtime,
    period: &reports::Period,
) -> Result<HashMap<i64, reports::ReportState>, Internal> {
    Ok(reports::report_states_of_period(state.db.read(), period.id)
        .await?
        .into_iter()
        .map(|r| (r.unit_id, r))
        .collect())
}

fn line_from(
    user: &SessionUser,
    period: reports::Period,
    units: &[org::OrgUnit],
    states: &HashMap<i64, reports::ReportState>,
) -> PeriodLine {
    let of = |u: &org::OrgUnit| states.get(&u.id);
    let sent: Vec<&reports::ReportState> = units
        .iter()
        .filter_map(of)
        .filter(|r| r.submitted_at.is_some())
        .collect();
    let on = sent
        .iter()
        .filter(|r| r.submitted_at.is_some_and(|t| on_time(&period, t)))
        .count();
    PeriodLine {
        kind: kind_words(&period.kind),
        due: day(period.due_on),
        expected: units.len(),
        sent: sent.len(),
        approved: sent
            .iter()
            .filter(|r| r.status == reports::APPROVED)
            .count(),
        on_time: on,
        late: sent.len() - on,
        mine: if user.is_province_admin() {
            Vec::new()
        } else {
            units
                .iter()
                .map(|u| {
                    (
                        u.code.clone(),
                        u.name.clone(),
                        status_words(of(u).map(|r| r.status.as_str())),
                    )
                })
                .collect()
        },
        period,
    }
}

/// A unit's line on a period's completeness page.
pub struct UnitLine {
    pub code: String,
    pub name: String,
    pub status: &'static str,
    /// `chua-gui`, `dung-han` or `tre-han`.
    pub timeliness: &'static str,
    pub sent_at: String,
}

/// A period's page: who reported, on time or late, and who not.
pub struct PeriodPage {
    pub line: PeriodLine,
    pub starts: String,
    pub ends: String,
    pub reporters: String,
    pub units: Vec<UnitLine>,
    pub missing: usize,
}

pub async fn period_page(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<PeriodPage>, Internal> {
    let db = state.db.read();
    let Some(period) = reports::period_by_id(db, id).await? else {
        return Ok(None);
    };
    let units = reporting_units(state, user, &period).await?;
    let states = states_by_unit(state, &period).await?;
    let mut lines: Vec<UnitLine> = units
        .iter()
        .map(|u| {
            let r = states.get(&u.id);
            let sent = r.and_then(|r| r.submitted_at);
            UnitLine {
                code: u.code.clone(),
                name: u.name.clone(),
                status: status_words(r.map(|r| r.status.as_str())),
                timeliness: match sent {
                    None => "chua-gui",
                    Some(t) if on_time(&period, t) => "dung-han",
                    Some(_) => "tre-han",
                },
                sent_at: sent.map(crate::clock::format_date_time).unwrap_or_default(),
            }
        })
        .collect();
    // Who has not reported first, then the late, then the rest; by name within each.
    lines.sort_by(|a, b| {
        let rank = |l: &UnitLine| match l.timeliness {
            "chua-gui" => 0,
            "tre-han" => 1,
            _ => 2,
        };
        rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name))
    });
    let missing = lines.iter().filter(|l| l.timeliness == "chua-gui").count();
    let reporters = period
        .reporters
        .split(',')
        .map(crate::services::people::org::kind_name)
        .collect::<Vec<_>>()
        .join(", ");
    let line = line_from(user, period, &units, &states);
    Ok(Some(PeriodPage {
        starts: day(line.period.starts_on),
        ends: day(line.period.ends_on),
        reporters,
        units: lines,
        missing,
        line,
    }))
}

/// A period the province schedules, as the form sends it.
#[derive(Debug, Default, Clone)]
pub struct PeriodInput {
    pub kind: String,
    pub year: String,
    pub number: String,
    /// `dd/mm/yyyy`.
    pub due: String,
    pub reporters: Vec<String>,
}

/// Schedules a period (the province only); nothing is written unless every field is right.
pub async fn create_period(
    state: &Runtime,
    user: &SessionUser,
    input: &PeriodInput,
) -> Result<i64, FormError> {
    let mut errors: FieldErrors = Vec::new();
    if !KINDS.iter().any(|(c, _)| *c == input.kind) {
        errors.push(("loai", "Hãy chọn loại kỳ báo cáo.".to_owned()));
    }
    let this_year = crate::clock::vietnam_time(state.clock.now()).year();
    let year = input
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2025..=this_year + 1).contains(y));
    if year.is_none() {
        errors.push(("nam", format!("Năm phải từ 2025 đến {}.", this_year + 1)));
    }
    let number: u32 = input.number.trim().parse().unwrap_or(0);
    let span = year.and_then(|y| {
        span(
            &input.kind,
            y,
            if input.kind == "year" { 1 } else { number },
        )
    });
    if span.is_none() && errors.is_empty() {
        errors.push((
            "so",
            "Hãy ghi tháng (1–12), quý (1–4) hoặc nửa năm (1–2) của kỳ.".to_owned(),
        ));
    }
    let due = crate::clock::parse_day(&input.due);
    match (due, &span) {
        (None, _) => errors.push(("han", "Hãy ghi hạn nộp theo mẫu 05/01/2027.".to_owned())),
        (Some(d), Some((_, end, _))) if d <= *end => errors.push((
            "han",
            "Hạn nộp phải sau ngày cuối của kỳ báo cáo.".to_owned(),
        )),
        _ => {}
    }
    let mut kinds: Vec<&str> = REPORTER_KINDS
        .iter()
        .map(|k| k.code())
        .filter(|k| input.reporters.iter().any(|r| r == k))
        .collect();
    kinds.dedup();
    if kinds.is_empty() || kinds.len() != input.reporters.len() {
        errors.push((
            "don_vi",
            "Hãy chọn những loại đơn vị phải báo cáo.".to_owned(),
        ));
    }
    if let Some((start, _, title)) = &span {
        if reports::period_exists(state.db.read(), &input.kind, *start)
            .await
            .map_err(Internal::from)?
        {
            errors.push(("so", format!("Kỳ “{title}” đã có.")));
        }
    }
    let (Some((starts_on, ends_on, title)), Some(due_on), true) = (span, due, errors.is_empty())
    else {
        return Err(FormError::Invalid(errors));
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    let id = reports::insert_period(
        &txn,
        &NewPeriod {
            kind: &input.kind,
            title: &title,
            starts_on,
            ends_on,
            due_on,
            reporters: &kinds.join(","),
        },
        user.person_id,
        now,
    )
    .await
    .map_err(Internal::from)?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::ReportPeriodCreate,
        &id.to_string(),
        &format!("{title}, hạn {}", day(due_on)),
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(id)
}

/// A step of a report, in words.
pub struct StepLine {
    pub at: String,
    pub who: String,
    pub action: &'static str,
    pub comment: String,
}

/// A unit's report for a period.
pub struct ReportPage {
    pub period: reports::Period,
    pub unit_code: String,
    pub unit_name: String,
    pub status_code: String,
    pub status: &'static str,
    pub figures: Vec<SummaryLine>,
    /// The figures are the report's own, frozen at its first saving (else: as of now, for
    /// the period's end).
    pub frozen: bool,
    pub done_text: String,
    pub difficulties: String,
    pub proposals: String,
    pub steps: Vec<StepLine>,
    /// The period is over: the report may be written.
    pub open: bool,
    pub may_edit: bool,
    pub may_review: bool,
    /// First sent: when, and whether on time.
    pub sent: Option<(String, bool)>,
    /// What was done in the period (`activity::lines`); empty for a report saved before
    /// activities were kept.
    pub activity: Vec<(&'static str, String)>,
    /// The files attached (`report_files`).
    pub files: Vec<crate::services::plan::report_files::FileLine>,
}

/// The period and unit of a report, if this user may see them.
pub(super) async fn scope(
    state: &Runtime,
    user: &SessionUser,
    period_id: i64,
    unit_code: &str,
) -> Result<Option<(reports::Period, org::OrgUnit)>, Internal> {
    let Some(period) = reports::period_by_id(state.db.read(), period_id).await? else {
        return Ok(None);
    };
    let unit = reporting_units(state, user, &period)
        .await?
        .into_iter()
        .find(|u| u.code == unit_code);
    Ok(unit.map(|u| (period, u)))
}

fn parse_figures(json: &str) -> Vec<SummaryLine> {
    serde_json::from_str(json).unwrap_or_default()
}

async fn live_figures(
    state: &Runtime,
    period: &reports::Period,
    unit: &org::OrgUnit,
) -> Result<Vec<SummaryLine>, Internal> {
    let tree = crate::services::people::org::tree(state).await?;
    figures::summary(state, &tree, unit, period.starts_on, period.ends_on).await
}

/// The figures and the activity of the period as a report keeps them (JSON).
async fn freeze(
    state: &Runtime,
    period: &reports::Period,
    unit: &org::OrgUnit,
) -> Result<(String, String), Internal> {
    let figures = serde_json::to_string(&live_figures(state, period, unit).await?)
        .map_err(|e| Internal::Other(e.to_string()))?;
    let activity = serde_json::to_string(&activity::of_period(state, period, unit).await?)
        .map_err(|e| Internal::Other(e.to_string()))?;
    Ok((figures, activity))
}

pub async fn report_page(
    state: &Runtime,
    user: &SessionUser,
    period_id: i64,
    unit_code: &str,
) -> Result<Option<ReportPage>, Internal> {
    let Some((period, unit)) = scope(state, user, period_id, unit_code).await? else {
        return Ok(None);
    };
    let db = state.db.read();
    let report = reports::report_of(db, period.id, unit.id).await?;
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    let open = today > period.ends_on;
    let mut steps = Vec::new();
    if let Some(r) = &report {
        for s in reports::steps(db, r.id).await? {
            steps.push(StepLine {
                at: crate::clock::format_date_time(s.at),
                who: people::person_by_id(db, s.by_id)
                    .await?
                    .map(|p| p.full_name)
                    .unwrap_or_default(),
                action: match s.action.as_str() {
                    reports::SAVED => "Lưu bản nháp",
                    reports::SUBMITTED => "Gửi báo cáo",
                    RESUBMITTED => "Gửi lại sau khi sửa",
                    reports::RETURNED => "Trả lại để sửa",
                    _ => "Duyệt",
                },
                comment: s.comment,
            });
        }
    }
    let status = report.as_ref().map(|r| r.status.clone());
    let files = match &report {
        Some(r) => crate::services::plan::report_files::files(state, r.id).await?,
        None => Vec::new(),
    };
    let figures = match &report {
        Some(r) => parse_figures(&r.figures),
        None => live_figures(state, &period, &unit).await?,
    };
    let activity = match &report {
        Some(r) => activity::parse(&r.activity),
        None => Some(activity::of_period(state, &period, &unit).await?),
    }
    .map(|a| activity::lines(&a))
    .unwrap_or_default();
    let may_edit = open
        && status
            .as_deref()
            .is_none_or(|s| s == reports::DRAFT || s == reports::RETURNED);
    Ok(Some(ReportPage {
        status: status_words(status.as_deref()),
        status_code: status.clone().unwrap_or_default(),
        frozen: report.is_some(),
        figures,
        done_text: report
            .as_ref()
            .map(|r| r.done_text.clone())
            .unwrap_or_default(),
        difficulties: report
            .as_ref()
            .map(|r| r.difficulties.clone())
            .unwrap_or_default(),
        proposals: report
            .as_ref()
            .map(|r| r.proposals.clone())
            .unwrap_or_default(),
        steps,
        open,
        may_edit,
        may_review: user.is_province_admin() && status.as_deref() == Some(reports::SUBMITTED),
        sent: report
            .as_ref()
            .and_then(|r| r.submitted_at)
            .map(|t| (crate::clock::format_date_time(t), on_time(&period, t))),
        files,
        activity,
        unit_code: unit.code,
        unit_name: unit.name,
        period,
    }))
}

/// A step: sent again after being returned.
const RESUBMITTED: &str = "resubmitted";

/// The written parts as the form sends them.
#[derive(Debug, Default, Clone)]
pub struct WrittenInput {
    pub done_work: String,
    pub difficulties: String,
    pub proposals: String,
}

/// What a step came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Done {
    Done,
    NotFound,
    /// Not possible now (the period is not over, the report was sent or approved meanwhile):
    /// the message says why.
    Refused(&'static str),
}

/// Saves a unit's report (and sends it when `send`): its figures are frozen at the first
/// saving; nothing is written unless every part is right.
pub async fn save(
    state: &Runtime,
    user: &SessionUser,
    period_id: i64,
    unit_code: &str,
    input: &WrittenInput,
    send: bool,
) -> Result<Done, FormError> {
    let Some((period, unit)) = scope(state, user, period_id, unit_code).await? else {
        return Ok(Done::NotFound);
    };
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    if today <= period.ends_on {
        return Ok(Done::Refused(
            "Kỳ báo cáo chưa kết thúc: báo cáo được viết từ ngày sau ngày cuối của kỳ.",
        ));
    }
    let mut errors: FieldErrors = Vec::new();
    let (done_text, difficulties, proposals) = (
        input.done_work.trim(),
        input.difficulties.trim(),
        input.proposals.trim(),
    );
    for (field, text) in [
        ("da_lam", done_text),
        ("kho_khan", difficulties),
        ("de_xuat", proposals),
    ] {
        if text.chars().count() > MAX_TEXT {
            errors.push((field, "Mỗi phần dài nhất 10.000 ký tự.".to_owned()));
        }
    }
    if send && done_text.chars().count() < 10 {
        errors.push((
            "da_lam",
            "Hãy ghi kết quả đã làm trong kỳ trước khi gửi báo cáo.".to_owned(),
        ));
    }
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    let now = state.clock.now();
    let frozen = match reports::report_of(state.db.read(), period.id, unit.id)
        .await
        .map_err(Internal::from)?
    {
        Some(_) => None,
        None => Some(freeze(state, &period, &unit).await?),
    };
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    let report = match reports::report_of(&txn, period.id, unit.id)
        .await
        .map_err(Internal::from)?
    {
        Some(r) => r,
        None => {
            let (figures_json, activity_json) = match frozen {
                Some(f) => f,
                None => freeze(state, &period, &unit).await?,
            };
            reports::insert_report(&txn, period.id, unit.id, &figures_json, &activity_json, now)
                .await
                .map_err(Internal::from)?;
            reports::report_of(&txn, period.id, unit.id)
                .await
                .map_err(Internal::from)?
                .ok_or_else(|| Internal::Other("report vanished".into()))?
        }
    };
    let to = if send {
        reports::SUBMITTED
    } else {
        report.status.as_str()
    };
    let written = Written {
        done_text,
        difficulties,
        proposals,
    };
    let first_sent = send && report.submitted_at.is_none();
    if !reports::write_report(&txn, report.id, &written, to, first_sent, now)
        .await
        .map_err(Internal::from)?
    {
        return Ok(Done::Refused(
            "Báo cáo đã gửi hoặc đã được duyệt nên không sửa được nữa.",
        ));
    }
    let action = match (send, report.status.as_str()) {
        (false, _) => reports::SAVED,
        (true, reports::RETURNED) => RESUBMITTED,
        (true, _) => reports::SUBMITTED,
    };
    reports::add_step(&txn, report.id, action, "", user.person_id, now)
        .await
        .map_err(Internal::from)?;
    audit::record(
        &txn,
        user.person_id,
        if send {
            AuditAction::PeriodReportSubmit
        } else {
            AuditAction::PeriodReportSave
        },
        &report.id.to_string(),
        &format!("{}: {}", period.title, unit.name),
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(Done::Done)
}

/// The province returns a sent report with a comment, or approves it.
pub async fn review(
    state: &Runtime,
    user: &SessionUser,
    period_id: i64,
    unit_code: &str,
    approve: bool,
    comment: &str,
) -> Result<Done, FormError> {
    let Some((period, unit)) = scope(state, user, period_id, unit_code).await? else {
        return Ok(Done::NotFound);
    };
    if !user.is_province_admin() {
        return Ok(Done::NotFound);
    }
    let comment = comment.trim();
    if !approve && comment.chars().count() < 5 {
        return Err(FormError::Invalid(vec![(
            "nhan_xet",
            "Hãy ghi điều đơn vị cần sửa hoặc bổ sung.".to_owned(),
        )]));
    }
    if comment.chars().count() > MAX_TEXT {
        return Err(FormError::Invalid(vec![(
            "nhan_xet",
            "Nhận xét dài nhất 10.000 ký tự.".to_owned(),
        )]));
    }
    let Some(report) = reports::report_of(state.db.read(), period.id, unit.id)
        .await
        .map_err(Internal::from)?
    else {
        return Ok(Done::Refused("Đơn vị chưa gửi báo cáo này."));
    };
    let now = state.clock.now();
    let to = if approve {
        reports::APPROVED
    } else {
        reports::RETURNED
    };
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    if !reports::set_status(&txn, report.id, reports::SUBMITTED, to, now)
        .await
        .map_err(Internal::from)?
    {
        return Ok(Done::Refused(
            "Báo cáo này không còn chờ duyệt (đã được xử lý, hoặc đơn vị chưa gửi).",
        ));
    }
    reports::add_step(&txn, report.id, to, comment, user.person_id, now)
        .await
        .map_err(Internal::from)?;
    audit::record(
        &txn,
        user.person_id,
        if approve {
            AuditAction::PeriodReportApprove
        } else {
            AuditAction::PeriodReportReturn
        },
        &report.id.to_string(),
        &format!("{}: {}", period.title, unit.name),
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(Done::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_have_their_days_and_titles() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(
            span("month", 2026, 2),
            Some((d(2026, 2, 1), d(2026, 2, 28), "Tháng 2/2026".to_owned()))
        );
        assert_eq!(
            span("quarter", 2026, 4),
            Some((d(2026, 10, 1), d(2026, 12, 31), "Quý IV/2026".to_owned()))
        );
        assert_eq!(span("half", 2026, 1).map(|s| s.1), Some(d(2026, 6, 30)));
        assert_eq!(
            span("year", 2026, 0).map(|s| s.2),
            Some("Năm 2026".to_owned())
        );
        assert_eq!(span("month", 2026, 13), None);
        assert_eq!(span("quarter", 2026, 0), None);
        assert_eq!(span("week", 2026, 1), None);
    }
}
