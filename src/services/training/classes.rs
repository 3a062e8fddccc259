//! Classes: created by a unit's officer (or the province) for its people, with sessions;
//! places taken by the learners themselves or given by the unit (a waiting list when full,
//! the first waiting moving up when someone cancels); attendance by the session's changing code
//! or on the trainer's list; completion through the spine once a learner attended enough
//! sessions. An officer reaches only the classes of their units and those below, and every id
//! from an address is looked up inside that class.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use hocvuso_db::repo::training::{self, NewClass};
use hocvuso_db::repo::{audit, org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;
use hocvuso_domain::TargetGroup;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// The most sessions one class may have.
pub const MAX_SESSIONS: usize = 40;
/// The most places one class may have.
pub const MAX_CAPACITY: i32 = 2_000;
/// Attendance by code is open this long before a session starts and after it ends.
pub const CHECK_IN_MARGIN_MINUTES: i64 = 15;

/// What the new-class form sends.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ClassInput {
    #[serde(default, rename = "don_vi")]
    pub unit: String,
    #[serde(default)]
    pub khoa_hoc: String,
    #[serde(default, rename = "ten")]
    pub name: String,
    #[serde(default, rename = "nhom")]
    pub group: String,
    #[serde(default)]
    pub suc_chua: String,
    #[serde(default)]
    pub giang_vien: String,
    #[serde(default)]
    pub ty_le: String,
    /// One session a line: `dd/mm/yyyy hh:mm-hh:mm place`.
    #[serde(default)]
    pub buoi: String,
    /// "1": completing the class also needs the course's quiz passed.
    #[serde(default)]
    pub kiem_tra: String,
}

/// A session as read from one line of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLine {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: String,
}

/// Reads the sessions, one a line (`12/12/2026 08:00-11:00 Hội trường UBND xã`). The error
/// names the line.
pub fn parse_sessions(text: &str) -> Result<Vec<SessionLine>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let n = i + 1;
        let bad = || {
            format!(
                "Dòng {n}: hãy ghi theo mẫu “12/12/2026 08:00-11:00 Hội trường UBND xã” (ngày, giờ bắt đầu-giờ kết thúc, nơi học hoặc đường dẫn học trực tuyến)."
            )
        };
        let mut parts = line.splitn(3, char::is_whitespace);
        let (Some(day), Some(times)) = (parts.next(), parts.next()) else {
            return Err(bad());
        };
        let place = parts.next().unwrap_or("").trim();
        let day = crate::clock::parse_day(day).ok_or_else(bad)?;
        let (from, to) = times.split_once('-').ok_or_else(bad)?;
        let from = NaiveTime::parse_from_str(from.trim(), "%H:%M").map_err(|_| bad())?;
        let to = NaiveTime::parse_from_str(to.trim(), "%H:%M").map_err(|_| bad())?;
        if place.is_empty() {
            return Err(format!(
                "Dòng {n}: hãy ghi nơi học (hoặc đường dẫn học trực tuyến)."
            ));
        }
        if to <= from {
            return Err(format!("Dòng {n}: giờ kết thúc phải sau giờ bắt đầu."));
        }
        let at = |t: NaiveTime| crate::clock::start_of_vietnam_day(day) + (t - NaiveTime::MIN);
        out.push(SessionLine {
            starts_at: at(from),
            ends_at: at(to),
            place: place.chars().take(300).collect(),
        });
        if out.len() > MAX_SESSIONS {
            return Err(format!("Một lớp có nhiều nhất {MAX_SESSIONS} buổi học."));
        }
    }
    if out.is_empty() {
        return Err(
            "Hãy ghi ít nhất một buổi học, mỗi buổi một dòng: ngày, giờ, nơi học.".to_owned(),
        );
    }
    out.sort_by_key(|s| s.starts_at);
    Ok(out)
}

/// The units whose classes this user manages: `None` for every unit (the province admin).
pub(super) async fn scope(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Option<Vec<org::OrgUnit>>, Internal> {
    crate::services::people::org::managed_units(state, user).await
}

/// The units this user may organise a class for (units still in use).
pub async fn units_for(state: &Runtime, user: &SessionUser) -> Result<Vec<org::OrgUnit>, Internal> {
    crate::services::people::org::units_to_act_for(state, user).await
}

/// The class, if this user manages it.
pub(super) async fn managed(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<training::Class>, Internal> {
    let Some(c) = training::class_by_id(state.db.read(), id).await? else {
        return Ok(None);
    };
    let ok = scope(state, user)
        .await?
        .is_none_or(|units| units.iter().any(|u| u.id == c.unit_id));
    Ok(ok.then_some(c))
}

/// The courses a class may teach: `(slug, title)` of every published course.
pub fn courses(state: &Runtime) -> Vec<(String, String)> {
    state
        .catalog
        .current()
        .courses()
        .filter(|c| c.course.external_url.is_none())
        .map(|c| (c.course.slug.clone(), c.course.title.clone()))
        .collect()
}

/// Creates a class and its sessions; nothing is written unless every field is right.
pub async fn create(
    state: &Runtime,
    user: &SessionUser,
    input: &ClassInput,
) -> Result<i64, FormError> {
    let mut errors: FieldErrors = Vec::new();
    let units = units_for(state, user).await?;
    let unit = units.iter().find(|u| u.code == input.unit.trim());
    if unit.is_none() {
        errors.push(("don_vi", "Hãy chọn đơn vị tổ chức.".to_owned()));
    }
    let catalog = state.catalog.current();
    let course = catalog
        .courses()
        .find(|c| c.course.slug == input.khoa_hoc && c.course.external_url.is_none());
    if course.is_none() {
        errors.push(("khoa_hoc", "Hãy chọn khóa học lớp này dạy.".to_owned()));
    }
    let title = input.name.trim();
    if !(5..=200).contains(&title.chars().count()) {
        errors.push(("ten", "Hãy ghi tên lớp (5 đến 200 ký tự).".to_owned()));
    }
    let group = input.group.trim();
    if !group.is_empty() && TargetGroup::from_code(group).is_none() {
        errors.push((
            "nhom",
            "Hãy chọn nhóm đối tượng trong danh sách.".to_owned(),
        ));
    }
    let capacity = input.suc_chua.trim().parse::<i32>().ok();
    if !capacity.is_some_and(|c| (1..=MAX_CAPACITY).contains(&c)) {
        errors.push((
            "suc_chua",
            format!("Số chỗ phải là một số từ 1 đến {MAX_CAPACITY}."),
        ));
    }
    let trainer = input.giang_vien.trim();
    if !(2..=200).contains(&trainer.chars().count()) {
        errors.push((
            "giang_vien",
            "Hãy ghi tên giảng viên, báo cáo viên.".to_owned(),
        ));
    }
    let min_attendance = input
        .ty_le
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse::<i32>()
        .ok();
    if !min_attendance.is_some_and(|p| (1..=100).contains(&p)) {
        errors.push((
            "ty_le",
            "Tỷ lệ buổi phải dự để hoàn thành là một số từ 1 đến 100 (%).".to_owned(),
        ));
    }
    let sessions = match parse_sessions(&input.buoi) {
        Ok(s) => Some(s),
        Err(e) => {
            errors.push(("buoi", e));
            None
        }
    };
    let (Some(unit), Some(course), Some(capacity), Some(min_attendance), Some(sessions)) =
        (unit, course, capacity, min_attendance, sessions)
    else {
        return Err(FormError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    let id = training::insert_class(
        &txn,
        &NewClass {
            unit_id: unit.id,
            course_id: course.course.id,
            title,
            groups: group,
            capacity,
            trainer,
            min_attendance,
            needs_quiz: input.kiem_tra == "1",
        },
        user.person_id,
        now,
    )
    .await?;
    for s in &sessions {
        let secret = crate::services::hex(&crate::services::random_bytes::<16>());
        training::insert_session(&txn, id, s.starts_at, s.ends_at, &s.place, &secret).await?;
    }
    audit::record(
        &txn,
        user.person_id,
        AuditAction::TrainingClassCreate,
        &id.to_string(),
        &format!("{title} ({} buổi, {capacity} chỗ)", sessions.len()),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// A class in a list.
pub struct ClassLine {
    pub id: i64,
    pub title: String,
    pub course: String,
    pub unit: String,
    pub first: String,
    pub sessions: usize,
    pub capacity: i32,
    pub registered: usize,
    pub waiting: usize,
    pub completed: usize,
    /// The learner's own place (learners' list): "" when none.
    pub mine: &'static str,
}

pub(super) fn place_label(status: &str) -> &'static str {
    match status {
        training::REGISTERED => "Đã đăng ký",
        training::WAITING => "Trong danh sách chờ",
        _ => "",
    }
}

/// A class's line from its sessions and places (as its caller read them).
pub(super) fn line(
    state: &Runtime,
    c: &training::Class,
    sessions: &[training::Session],
    places: &[training::Place],
    names: &BTreeMap<i64, String>,
    mine: &'static str,
) -> ClassLine {
    let catalog = state.catalog.current();
    ClassLine {
        id: c.id,
        title: c.title.clone(),
        course: catalog
            .by_id(c.course_id)
            .map(|k| k.course.title.clone())
            .unwrap_or_default(),
        unit: names.get(&c.unit_id).cloned().unwrap_or_default(),
        first: sessions
            .first()
            .map(|s| crate::clock::format_date_time(s.starts_at))
            .unwrap_or_default(),
        sessions: sessions.len(),
        capacity: c.capacity,
        registered: places
            .iter()
            .filter(|p| p.status == training::REGISTERED)
            .count(),
        waiting: places
            .iter()
            .filter(|p| p.status == training::WAITING)
            .count(),
        completed: places.iter().filter(|p| p.completed_at.is_some()).count(),
        mine,
    }
}

pub(super) fn unit_names(tree: &[org::OrgUnit]) -> BTreeMap<i64, String> {
    tree.iter().map(|u| (u.id, u.name.clone())).collect()
}

/// The classes this user manages, newest first.
pub async fn managed_list(state: &Runtime, user: &SessionUser) -> Result<Vec<ClassLine>, Internal> {
    let tree = crate::services::people::org::tree(state).await?;
    let names = unit_names(&tree);
    let ids: Option<Vec<i64>> = scope(state, user)
        .await?
        .map(|units| units.iter().map(|u| u.id).collect());
    let db = state.db.read();
    let mut out = Vec::new();
    for c in training::classes(db, ids.as_deref()).await? {
        let sessions = training::sessions(db, c.id).await?;
        let places = training::places(db, c.id).await?;
        out.push(line(state, &c, &sessions, &places, &names, ""));
    }
    Ok(out)
}

/// One organising unit's classes, summed (the report per unit).
pub struct UnitReportRow {
    pub unit: String,
    pub classes: usize,
    pub sessions: usize,
    /// Places taken now (registered).
    pub registered: usize,
    /// People present at one session at least.
    pub attended: usize,
    /// People who completed a class.
    pub completed: usize,
}

/// The classes this user manages, summed per organising unit (in the org tree's order).
pub async fn unit_report(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Vec<UnitReportRow>, Internal> {
    let tree = crate::services::people::org::tree(state).await?;
    let ids: Option<Vec<i64>> = scope(state, user)
        .await?
        .map(|units| units.iter().map(|u| u.id).collect());
    let db = state.db.read();
    let mut by_unit: BTreeMap<i64, UnitReportRow> = BTreeMap::new();
    for c in training::classes(db, ids.as_deref()).await? {
        let sessions = training::sessions(db, c.id).await?;
        let session_ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
        let present: BTreeSet<i64> = training::attendance(db, &session_ids)
            .await?
            .into_iter()
            .map(|m| m.person_id)
            .collect();
        let places = training::places(db, c.id).await?;
        let row = by_unit.entry(c.unit_id).or_insert_with(|| UnitReportRow {
            unit: tree
                .iter()
                .find(|u| u.id == c.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            classes: 0,
            sessions: 0,
            registered: 0,
            attended: 0,
            completed: 0,
        });
        row.classes += 1;
        row.sessions += sessions.len();
        row.registered += places
            .iter()
            .filter(|p| p.status == training::REGISTERED)
            .count();
        row.attended += present.len();
        row.completed += places.iter().filter(|p| p.completed_at.is_some()).count();
    }
    Ok(tree.iter().filter_map(|u| by_unit.remove(&u.id)).collect())
}

/// [`unit_report`] as a workbook (audited: it is a report, not personal data, but what left the
/// system is on record).
/// A file format of the lists and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Pdf,
}

/// The report per organising unit as a file (audited).
pub async fn unit_report_file(
    state: &Runtime,
    user: &SessionUser,
    format: FileFormat,
) -> Result<Vec<u8>, Internal> {
    let rows: Vec<Vec<String>> = unit_report(state, user)
        .await?
        .into_iter()
        .map(|r| {
            vec![
                r.unit,
                r.classes.to_string(),
                r.sessions.to_string(),
                r.registered.to_string(),
                r.attended.to_string(),
                r.completed.to_string(),
            ]
        })
        .collect();
    let header: Vec<String> = [
        "Đơn vị tổ chức",
        "Số lớp",
        "Số buổi",
        "Đang đăng ký",
        "Đã dự ít nhất 1 buổi",
        "Đã hoàn thành",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    let now = state.clock.now();
    let count = rows.len();
    let bytes = match format {
        FileFormat::Xlsx => crate::services::monitoring::exports::simple_table(
            "Lớp học theo đơn vị",
            &header,
            &rows,
            now,
        )?,
        FileFormat::Pdf => {
            crate::services::monitoring::exports::simple_table_pdf(
                "Lớp học “Bình dân học vụ số” theo đơn vị tổ chức",
                &format!("Số liệu đến {}", crate::clock::format_date_time(now)),
                &header,
                rows,
                0,
                &[1, 2, 3, 4, 5],
            )
            .await?
        }
    };
    audit::record(
        state.db.write(),
        user.person_id,
        AuditAction::TrainingReportExport,
        "",
        &format!("{count} đơn vị, {format:?}"),
        now,
    )
    .await?;
    Ok(bytes)
}

/// One registered person on the class's page.
pub struct Learner {
    pub person_id: i64,
    pub name: String,
    /// Present at each session, in session order.
    pub present: Vec<bool>,
    pub attended: usize,
    pub completed: bool,
}

impl Learner {
    /// Present at the session at this index (a template's loop index).
    pub fn was_at(&self, i: &usize) -> bool {
        self.present.get(*i).copied().unwrap_or(false)
    }
}

pub struct SessionRow {
    pub id: i64,
    pub when: String,
    pub place: String,
    /// Attendance by code is open now.
    pub on_now: bool,
    pub present: usize,
}

/// A class as its organiser sees it.
pub struct ClassPage {
    pub line: ClassLine,
    pub trainer: String,
    pub group: String,
    pub min_attendance: i32,
    /// Completion also needs the course's quiz passed.
    pub needs_quiz: bool,
    pub sessions: Vec<SessionRow>,
    pub learners: Vec<Learner>,
    /// Waiting, in order: names.
    pub waiting: Vec<String>,
}

/// A class with its sessions, places and attendance, if this user manages it.
pub async fn class_page(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<ClassPage>, Internal> {
    let Some(c) = managed(state, user, id).await? else {
        return Ok(None);
    };
    let db = state.db.read();
    let tree = crate::services::people::org::tree(state).await?;
    let names = unit_names(&tree);
    let sessions = training::sessions(db, c.id).await?;
    let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let marks: BTreeSet<(i64, i64)> = training::attendance(db, &ids)
        .await?
        .into_iter()
        .map(|m| (m.session_id, m.person_id))
        .collect();
    let places = training::places(db, c.id).await?;
    let now = state.clock.now();
    let margin = Duration::minutes(CHECK_IN_MARGIN_MINUTES);
    let mut learners = Vec::new();
    let mut waiting = Vec::new();
    for p in &places {
        let name = people::person_by_id(db, p.person_id)
            .await?
            .map(|x| x.full_name)
            .unwrap_or_default();
        match p.status.as_str() {
            training::REGISTERED => {
                let present: Vec<bool> = sessions
                    .iter()
                    .map(|s| marks.contains(&(s.id, p.person_id)))
                    .collect();
                learners.push(Learner {
                    person_id: p.person_id,
                    name,
                    attended: present.iter().filter(|x| **x).count(),
                    present,
                    completed: p.completed_at.is_some(),
                });
            }
            training::WAITING => waiting.push(name),
            _ => {}
        }
    }
    Ok(Some(ClassPage {
        line: line(state, &c, &sessions, &places, &names, ""),
        trainer: c.trainer.clone(),
        group: TargetGroup::from_code(&c.groups).map_or_else(
            || "Mọi người trong đơn vị".to_owned(),
            |g| g.name_vi().to_owned(),
        ),
        min_attendance: c.min_attendance,
        needs_quiz: c.needs_quiz,
        sessions: sessions
            .iter()
            .map(|s| SessionRow {
                id: s.id,
                when: format!(
                    "{}–{}",
                    crate::clock::format_date_time(s.starts_at),
                    crate::clock::vietnam_time(s.ends_at).format("%H:%M")
                ),
                place: s.place.clone(),
                on_now: s.starts_at - margin <= now && now <= s.ends_at + margin,
                present: marks.iter().filter(|(sid, _)| *sid == s.id).count(),
            })
            .collect(),
        learners,
        waiting,
    }))
}

/// A class's list as a workbook (registered learners, attendance at each session, result), for
/// the organiser to print or file; the export is audited. `None` when the class is not this
/// user's.
/// The class's list (each session's attendance, the result) as a file (audited).
pub async fn list_file(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    format: FileFormat,
) -> Result<Option<Vec<u8>>, Internal> {
    let Some(c) = class_page(state, user, id).await? else {
        return Ok(None);
    };
    let mut header = vec!["STT".to_owned(), "Họ và tên".to_owned()];
    header.extend((1..=c.sessions.len()).map(|n| format!("Buổi {n}")));
    header.push("Số buổi dự".to_owned());
    header.push("Kết quả".to_owned());
    let rows: Vec<Vec<String>> = c
        .learners
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row = vec![(i + 1).to_string(), p.name.clone()];
            row.extend(
                p.present
                    .iter()
                    .map(|x| if *x { "có mặt" } else { "vắng" }.to_owned()),
            );
            row.push(format!("{}/{}", p.attended, c.sessions.len()));
            row.push(
                if p.completed {
                    "Hoàn thành"
                } else {
                    "Chưa hoàn thành"
                }
                .to_owned(),
            );
            row
        })
        .collect();
    let now = state.clock.now();
    let count = rows.len();
    let bytes = match format {
        FileFormat::Xlsx => crate::services::monitoring::exports::simple_table(
            "Danh sách lớp",
            &header,
            &rows,
            now,
        )?,
        FileFormat::Pdf => {
            let numeric: Vec<usize> = vec![0, header.len() - 2];
            crate::services::monitoring::exports::simple_table_pdf(
                &format!("Danh sách lớp: {}", c.line.title),
                &format!(
                    "{} · giảng viên {} · {} buổi · in lúc {}",
                    c.line.unit,
                    c.trainer,
                    c.sessions.len(),
                    crate::clock::format_date_time(now)
                ),
                &header,
                rows,
                1,
                &numeric,
            )
            .await?
        }
    };
    audit::record(
        state.db.write(),
        user.person_id,
        AuditAction::TrainingListExport,
        &id.to_string(),
        &format!("{count} người, {format:?}"),
        now,
    )
    .await?;
    Ok(Some(bytes))
}
