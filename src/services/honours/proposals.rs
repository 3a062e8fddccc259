//! Honour proposals: made by a unit (its officers, or the province admin for any unit), reviewed
//! by the province (returned with comments → resubmitted → accepted or declined), every step
//! kept in `honour_step` and in the audit log. An officer sees and edits only the proposals of
//! their units and the units below; every id from an address is looked up inside that scope.

use std::collections::BTreeMap;

use chrono::Datelike;
use hocvuso_db::repo::honours::{self, Content};
use hocvuso_db::repo::{audit, org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::evidence;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// What the proposal form sends (field names as on the page).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Input {
    #[serde(default, rename = "don_vi")]
    pub unit: String,
    /// `ca-nhan` or `tap-the`.
    #[serde(default)]
    pub loai: String,
    #[serde(default, rename = "ten")]
    pub name: String,
    #[serde(default)]
    pub sang_kien: String,
    #[serde(default)]
    pub mo_ta: String,
    #[serde(default, rename = "nam")]
    pub year: String,
    /// A comment with a resubmission (what was changed).
    #[serde(default, rename = "ghi_chu")]
    pub note: String,
}

/// A proposal in a list.
pub struct Summary {
    pub id: i64,
    pub unit: String,
    pub kind: &'static str,
    pub nominee: String,
    pub title: String,
    pub year: i32,
    pub status: &'static str,
    pub status_label: &'static str,
    pub updated: String,
}

/// One step of the history.
pub struct StepRow {
    pub at: String,
    pub who: String,
    pub action: &'static str,
    pub comment: String,
}

pub struct FileRow {
    pub id: i64,
    pub name: String,
    pub size: String,
}

/// A proposal as its page shows it.
pub struct Detail {
    pub summary: Summary,
    pub unit_code: String,
    pub kind_code: &'static str,
    pub description: String,
    pub files: Vec<FileRow>,
    pub steps: Vec<StepRow>,
    /// The proposing unit may change it and send it again (it was returned).
    pub may_resubmit: bool,
    /// The proposing unit may add evidence (not yet decided, fewer than the most files).
    pub may_add_file: bool,
    /// The province may decide it (it is waiting).
    pub may_review: bool,
}

/// An accepted proposal on the public honour roll.
pub struct RollEntry {
    pub kind: &'static str,
    pub nominee: String,
    pub title: String,
    pub description: String,
    pub unit: String,
    pub year: i32,
}

fn kind_label(kind: &str) -> &'static str {
    if kind == honours::COLLECTIVE {
        "Tập thể"
    } else {
        "Cá nhân"
    }
}

fn kind_code(kind: &str) -> &'static str {
    if kind == honours::COLLECTIVE {
        "tap-the"
    } else {
        "ca-nhan"
    }
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        honours::SUBMITTED => "Đang chờ xét",
        honours::RETURNED => "Trả lại để bổ sung",
        honours::ACCEPTED => "Được tôn vinh",
        honours::DECLINED => "Không được chọn",
        _ => "—",
    }
}

fn action_label(action: &str) -> &'static str {
    match action {
        honours::SUBMITTED => "Gửi đề nghị",
        RESUBMITTED => "Gửi lại sau khi bổ sung",
        honours::RETURNED => "Trả lại, yêu cầu bổ sung",
        honours::ACCEPTED => "Chấp nhận tôn vinh",
        honours::DECLINED => "Không chấp nhận",
        FILE_ADDED => "Thêm tệp minh chứng",
        _ => "—",
    }
}

const RESUBMITTED: &str = "resubmitted";
const FILE_ADDED: &str = "file_added";

/// The units whose proposals this user sees: `None` for every unit (the province admin).
async fn scope(state: &Runtime, user: &SessionUser) -> Result<Option<Vec<org::OrgUnit>>, Internal> {
    crate::services::people::org::managed_units(state, user).await
}

fn in_scope(scope: &Option<Vec<org::OrgUnit>>, unit_id: i64) -> bool {
    scope
        .as_ref()
        .is_none_or(|units| units.iter().any(|u| u.id == unit_id))
}

/// The units this user may propose for (in the org tree's order): every unit still in use for
/// the province admin; an officer's units and those below.
pub async fn units_for(state: &Runtime, user: &SessionUser) -> Result<Vec<org::OrgUnit>, Internal> {
    crate::services::people::org::units_to_act_for(state, user).await
}

fn unit_names(tree: &[org::OrgUnit]) -> BTreeMap<i64, String> {
    tree.iter().map(|u| (u.id, u.name.clone())).collect()
}

/// The proposal, if this user may see it (`None` otherwise, as for one that does not exist).
async fn visible(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<honours::Proposal>, Internal> {
    let Some(p) = honours::by_id(state.db.read(), id).await? else {
        return Ok(None);
    };
    let scope = scope(state, user).await?;
    Ok(in_scope(&scope, p.unit_id).then_some(p))
}

/// Checks the form: the unit among `units`, the year this year, last year or next year.
fn validate<'a>(
    input: &'a Input,
    units: &[org::OrgUnit],
    this_year: i32,
) -> Result<(i64, Content<'a>), FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let unit = units.iter().find(|u| u.code == input.unit.trim());
    if unit.is_none() {
        errors.push(("don_vi", "Hãy chọn đơn vị đề nghị.".to_owned()));
    }
    let kind = match input.loai.as_str() {
        "ca-nhan" => honours::INDIVIDUAL,
        "tap-the" => honours::COLLECTIVE,
        _ => {
            errors.push(("loai", "Hãy chọn cá nhân hay tập thể.".to_owned()));
            honours::INDIVIDUAL
        }
    };
    let nominee = input.name.trim();
    if !(2..=200).contains(&nominee.chars().count()) {
        errors.push((
            "ten",
            "Hãy ghi họ tên cá nhân hoặc tên tập thể được đề nghị (2 đến 200 ký tự).".to_owned(),
        ));
    }
    let title = input.sang_kien.trim();
    if !(5..=200).contains(&title.chars().count()) {
        errors.push((
            "sang_kien",
            "Hãy ghi tên sáng kiến hoặc mô hình, cách làm hay (5 đến 200 ký tự).".to_owned(),
        ));
    }
    let description = input.mo_ta.trim();
    if !(20..=5000).contains(&description.chars().count()) {
        errors.push((
            "mo_ta",
            "Hãy mô tả sáng kiến: làm gì, ở đâu, kết quả ra sao (20 đến 5.000 ký tự).".to_owned(),
        ));
    }
    let year = input.year.trim().parse::<i32>().ok();
    if !year.is_some_and(|y| (this_year - 1..=this_year + 1).contains(&y)) {
        errors.push((
            "nam",
            format!(
                "Năm tôn vinh phải là {}, {this_year} hoặc {}.",
                this_year - 1,
                this_year + 1
            ),
        ));
    }
    match (unit, year) {
        (Some(u), Some(year)) if errors.is_empty() => Ok((
            u.id,
            Content {
                kind,
                nominee,
                title,
                description,
                year,
            },
        )),
        _ => Err(errors),
    }
}

fn this_year(state: &Runtime) -> i32 {
    crate::clock::vietnam_time(state.clock.now()).year()
}

/// A unit proposes (with an evidence file, optional here). Nothing is written unless all of it
/// is right. Returns the new proposal's id.
pub async fn create(
    state: &Runtime,
    user: &SessionUser,
    input: &Input,
    file: Option<(&str, &[u8])>,
) -> Result<i64, FormError> {
    let units = units_for(state, user).await?;
    let checked = validate(input, &units, this_year(state));
    let file = match file {
        Some((name, bytes)) if !(name.is_empty() && bytes.is_empty()) => {
            Some(evidence::check(name, bytes).map(|c| (c, bytes)))
        }
        _ => None,
    };
    let ((unit_id, content), file) = match (checked, file) {
        (Ok(c), None) => (c, None),
        (Ok(c), Some(Ok(f))) => (c, Some(f)),
        (checked, file) => {
            let mut errors = checked.err().unwrap_or_default();
            if let Some(Err(e)) = file {
                errors.push(("tep", e));
            }
            return Err(FormError::Invalid(errors));
        }
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    let id = honours::insert(&txn, unit_id, &content, user.person_id, now).await?;
    honours::add_step(&txn, id, honours::SUBMITTED, "", user.person_id, now).await?;
    if let Some((c, bytes)) = file {
        honours::add_file(
            &txn,
            id,
            &c.file_name,
            c.content_type,
            bytes,
            user.person_id,
            now,
        )
        .await?;
        honours::add_step(&txn, id, FILE_ADDED, &c.file_name, user.person_id, now).await?;
    }
    audit::record(
        &txn,
        user.person_id,
        AuditAction::HonourPropose,
        &id.to_string(),
        content.title,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// What a step on a proposal came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Done {
    Done,
    /// Not this user's to see: answered as a missing page.
    NotFound,
    /// Not possible now (e.g. decided meanwhile): the message says why.
    Refused(&'static str),
}

/// The proposing unit changes a returned proposal and sends it again.
pub async fn resubmit(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    input: &Input,
) -> Result<Done, FormError> {
    let Some(p) = visible(state, user, id).await? else {
        return Ok(Done::NotFound);
    };
    if p.status != honours::RETURNED {
        return Ok(Done::Refused(
            "Đề nghị này không ở trạng thái trả lại nên không sửa được.",
        ));
    }
    let units = units_for(state, user).await?;
    let mut input = input.clone();
    // The proposing unit stays the same.
    input.unit = units
        .iter()
        .find(|u| u.id == p.unit_id)
        .map(|u| u.code.clone())
        .unwrap_or_default();
    let (_, content) = validate(&input, &units, this_year(state)).map_err(FormError::Invalid)?;
    let comment: String = input.note.trim().chars().take(2000).collect();
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    if !honours::resubmit(&txn, id, &content, now).await? {
        return Ok(Done::Refused("Đề nghị đã được xử lý trong lúc bạn sửa."));
    }
    honours::add_step(&txn, id, RESUBMITTED, &comment, user.person_id, now).await?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::HonourResubmit,
        &id.to_string(),
        content.title,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Done::Done)
}

/// The proposing unit adds an evidence file (while the proposal is not decided).
pub async fn add_file(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<Done, FormError> {
    let Some(p) = visible(state, user, id).await? else {
        return Ok(Done::NotFound);
    };
    if p.status != honours::SUBMITTED && p.status != honours::RETURNED {
        return Ok(Done::Refused(
            "Đề nghị đã có kết quả xét nên không thêm tệp được nữa.",
        ));
    }
    let checked =
        evidence::check(file_name, bytes).map_err(|e| FormError::Invalid(vec![("tep", e)]))?;
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    if honours::count_files(&txn, id).await? >= evidence::MAX_FILES {
        return Err(FormError::Invalid(vec![(
            "tep",
            format!(
                "Mỗi đề nghị có nhiều nhất {} tệp minh chứng.",
                evidence::MAX_FILES
            ),
        )]));
    }
    honours::add_file(
        &txn,
        id,
        &checked.file_name,
        checked.content_type,
        bytes,
        user.person_id,
        now,
    )
    .await?;
    honours::add_step(
        &txn,
        id,
        FILE_ADDED,
        &checked.file_name,
        user.person_id,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Done::Done)
}

/// The province's decision on a waiting proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Return,
    Accept,
    Decline,
}

impl Decision {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "tra-lai" => Some(Decision::Return),
            "chap-nhan" => Some(Decision::Accept),
            "khong-chap-nhan" => Some(Decision::Decline),
            _ => None,
        }
    }
}

/// The province admin decides a waiting proposal; returning it needs a comment saying what to
/// add.
pub async fn review(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    decision: Decision,
    comment: &str,
) -> Result<Done, FormError> {
    if !user.is_province_admin() {
        return Ok(Done::NotFound);
    }
    let Some(p) = visible(state, user, id).await? else {
        return Ok(Done::NotFound);
    };
    let comment: String = comment.trim().chars().take(2000).collect();
    if decision == Decision::Return && comment.is_empty() {
        return Err(FormError::Invalid(vec![(
            "ghi_chu",
            "Hãy ghi điều đơn vị cần bổ sung hoặc sửa.".to_owned(),
        )]));
    }
    let to = match decision {
        Decision::Return => honours::RETURNED,
        Decision::Accept => honours::ACCEPTED,
        Decision::Decline => honours::DECLINED,
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    if !honours::set_status(&txn, p.id, honours::SUBMITTED, to, now).await? {
        return Ok(Done::Refused(
            "Đề nghị này không còn chờ xét (đã được xử lý hoặc đang chờ đơn vị bổ sung).",
        ));
    }
    honours::add_step(&txn, p.id, to, &comment, user.person_id, now).await?;
    audit::record(
        &txn,
        user.person_id,
        match decision {
            Decision::Return => AuditAction::HonourReturn,
            Decision::Accept => AuditAction::HonourAccept,
            Decision::Decline => AuditAction::HonourDecline,
        },
        &p.id.to_string(),
        &comment,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Done::Done)
}

fn summary(p: &honours::Proposal, units: &BTreeMap<i64, String>) -> Summary {
    Summary {
        id: p.id,
        unit: units.get(&p.unit_id).cloned().unwrap_or_default(),
        kind: kind_label(&p.kind),
        nominee: p.nominee.clone(),
        title: p.title.clone(),
        year: p.year,
        status: match p.status.as_str() {
            honours::SUBMITTED => "cho-xet",
            honours::RETURNED => "tra-lai",
            honours::ACCEPTED => "chap-nhan",
            _ => "khong-chap-nhan",
        },
        status_label: status_label(&p.status),
        updated: crate::clock::format_date_time(p.updated_at),
    }
}

/// The proposals this user sees, of one year (every year: `None`), newest change first.
pub async fn list(
    state: &Runtime,
    user: &SessionUser,
    year: Option<i32>,
) -> Result<Vec<Summary>, Internal> {
    let tree = crate::services::people::org::tree(state).await?;
    let names = unit_names(&tree);
    let scope = scope(state, user).await?;
    let ids: Option<Vec<i64>> = scope.map(|units| units.iter().map(|u| u.id).collect());
    Ok(honours::list(state.db.read(), year, ids.as_deref(), None)
        .await?
        .iter()
        .map(|p| summary(p, &names))
        .collect())
}

/// A proposal with its files and history, if this user may see it.
pub async fn detail(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<Detail>, Internal> {
    let Some(p) = visible(state, user, id).await? else {
        return Ok(None);
    };
    let db = state.db.read();
    let tree = crate::services::people::org::tree(state).await?;
    let names = unit_names(&tree);
    let files = honours::files(db, p.id).await?;
    let mut who: BTreeMap<i64, String> = BTreeMap::new();
    let mut steps = Vec::new();
    for s in honours::steps(db, p.id).await? {
        if let std::collections::btree_map::Entry::Vacant(e) = who.entry(s.by_id) {
            let name = people::person_by_id(db, s.by_id)
                .await?
                .map(|p| p.full_name)
                .unwrap_or_default();
            e.insert(name);
        }
        steps.push(StepRow {
            at: crate::clock::format_date_time(s.at),
            who: who.get(&s.by_id).cloned().unwrap_or_default(),
            action: action_label(&s.action),
            comment: s.comment,
        });
    }
    let open = p.status == honours::SUBMITTED || p.status == honours::RETURNED;
    Ok(Some(Detail {
        summary: summary(&p, &names),
        unit_code: tree
            .iter()
            .find(|u| u.id == p.unit_id)
            .map(|u| u.code.clone())
            .unwrap_or_default(),
        kind_code: kind_code(&p.kind),
        description: p.description.clone(),
        may_resubmit: p.status == honours::RETURNED,
        may_add_file: open && (files.len() as u64) < evidence::MAX_FILES,
        may_review: p.status == honours::SUBMITTED && user.is_province_admin(),
        files: files
            .into_iter()
            .map(|f| FileRow {
                id: f.id,
                name: f.file_name,
                size: evidence::size_text(f.size),
            })
            .collect(),
        steps,
    }))
}

/// One evidence file of a proposal this user may see (looked up within that proposal only).
pub async fn file(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    file_id: i64,
) -> Result<Option<honours::HonourFile>, Internal> {
    if visible(state, user, id).await?.is_none() {
        return Ok(None);
    }
    Ok(honours::file(state.db.read(), id, file_id).await?)
}

/// The public honour roll: accepted proposals of a year (the latest year with any when none is
/// asked), of a unit and the units below it (every unit when none is asked).
pub struct Roll {
    pub years: Vec<i32>,
    pub year: Option<i32>,
    pub unit: Option<org::OrgUnit>,
    pub entries: Vec<RollEntry>,
}

pub async fn roll(
    state: &Runtime,
    year: Option<i32>,
    unit_code: Option<&str>,
) -> Result<Roll, Internal> {
    let db = state.db.read();
    let years = honours::accepted_years(db).await?;
    let year = year
        .filter(|y| years.contains(y))
        .or(years.first().copied());
    let tree = crate::services::people::org::tree(state).await?;
    let names = unit_names(&tree);
    let unit = unit_code.and_then(|c| tree.iter().find(|u| u.code == c).cloned());
    let ids: Option<Vec<i64>> = unit.as_ref().map(|scope| {
        tree.iter()
            .filter(|u| u.id == scope.id || org::is_under(&u.path, &scope.path))
            .map(|u| u.id)
            .collect()
    });
    let entries = match year {
        None => Vec::new(),
        Some(y) => honours::list(db, Some(y), ids.as_deref(), Some(honours::ACCEPTED))
            .await?
            .into_iter()
            .map(|p| RollEntry {
                kind: kind_label(&p.kind),
                unit: names.get(&p.unit_id).cloned().unwrap_or_default(),
                nominee: p.nominee,
                title: p.title,
                description: p.description,
                year: p.year,
            })
            .collect(),
    };
    Ok(Roll {
        years,
        year,
        unit,
        entries,
    })
}
