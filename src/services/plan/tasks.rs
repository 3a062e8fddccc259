//! The plan's tasks (section III of Kế hoạch 1410/KH-UBND, seeded: tasks 1–8 and 4.1, 4.2,
//! with their lead and coordinating agencies and timing; the province adds tasks for a later
//! plan year). The province — and the officers of a task's lead unit, once the province names
//! it — record progress: a status, a dated note, an evidence file. The board shows every task
//! with its last note and flags what is overdue: past its due date and not done, or an ongoing
//! task with no note for [`STALE_DAYS`] days.

use chrono::{Duration, NaiveDate};
use hocvuso_db::repo::plan::{self, NewTask};
use hocvuso_db::repo::{audit, org, people};
use hocvuso_db::{ConnectionTrait, TransactionTrait};
use hocvuso_domain::AuditAction;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::evidence;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// An ongoing task with no progress note for this many days is flagged.
pub const STALE_DAYS: i64 = 90;

/// A task of the plan as shipped.
pub struct SeedTask {
    pub code: &'static str,
    pub title: &'static str,
    pub body: &'static str,
    pub lead: &'static str,
    pub coordinating: &'static str,
    pub timing: &'static str,
    /// `yyyy-mm-dd`.
    pub starts_on: &'static str,
}

/// The plan year of the shipped tasks.
pub const PLAN_YEAR: i32 = 2025;

/// Section III of the plan, in its order (text as the plan words it).
pub const PLAN_TASKS: &[SeedTask] = &[
    SeedTask {
        code: "1",
        title: "Tuyên truyền, phổ biến nâng cao nhận thức về khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
        body: "1. Tuyên truyền, phổ biến nâng cao nhận thức về tầm quan trọng của đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số đối với yêu cầu phát triển Đất nước trong bối cảnh hiện nay: (1) Biên soạn các tài liệu tuyên truyền phù hợp cho từng đối tượng (cán bộ, công chức, viên chức, người lao động, học sinh, sinh viên, đoàn viên, thanh niên, người dân, doanh nghiệp); (2) Phát triển và sử dụng hiệu quả các nền tảng số phục vụ công tác tuyên truyền (Cổng/Trang thông tin điện tử, ứng dụng Công dân số Lâm Đồng, nền tảng mạng xã hội phổ biến, ...); (3) Tổ chức các hội thảo, tọa đàm chuyên đề; tổ chức",
        lead: "Sở Khoa học và Công nghệ",
        coordinating: "Sở Văn hóa, Thể thao và Du lịch, Công an tỉnh và các sở, ngành có liên quan",
        timing: "thường xuyên, bắt đầu triển khai từ tháng 7/2025",
        starts_on: "2025-07-01",
    },
    SeedTask {
        code: "2",
        title: "Triển khai phổ biến nền tảng “Bình dân học vụ số” (binhdanhocvuso.gov.vn)",
        body: "2. Triển khai phổ biến nền tảng “Bình dân học vụ số” tại địa chỉ https://binhdanhocvuso.gov.vn: (1) Đề nghị Bộ Công an hỗ trợ triển khai nền tảng tại địa phương (phân quyền triển khai, theo dõi, tổng hợp dữ liệu,...trên phạm vi địa bàn tỉnh); (2) Tuyên truyền, giới thiệu, hướng dẫn cán bộ, công chức, viên chức, lực lượng vũ trang, học sinh, sinh viên và người dân biết và tham gia phong trào “Bình dân học vụ số” qua nền tảng; (3) Tham mưu văn bản của Ủy ban nhân dân tỉnh yêu cầu cán bộ, công chức, viên chức, lực lượng vũ trang thực hiện tự học qua nền tảng.",
        lead: "Công an tỉnh",
        coordinating: "Sở Khoa học và Công nghệ, Sở Văn hóa, Thể thao và Du lịch và các sở, ngành có liên quan",
        timing: "thường xuyên, bắt đầu triển khai ngay sau khi có hướng dẫn, hỗ trợ của Bộ Công an",
        starts_on: "2025-07-01",
    },
    SeedTask {
        code: "3",
        title: "Phát triển nền tảng số phục vụ phong trào học tập, Sổ tay điện tử Bình dân học vụ số",
        body: "3. Phát triển nền tảng số phục vụ triển khai phong trào học tập về kiến thức khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số: (1) Thực hiện rà soát, đánh giá hiện trạng và triển khai các nền tảng số phù hợp phục vụ phong trào học tập qua nền tảng số trên phạm vi toàn tỉnh; (2) Triển khai tuyên truyền, giới thiệu, hướng dẫn cán bộ, công chức, viên chức, người lao động, học sinh, sinh viên, đoàn viên, thanh niên, người dân, doanh nghiệp biết và tham gia sử dụng nền tảng số khi đưa vào sử dụng; (3) Quản lý, vận hành và triển khai, theo dõi kết quả học tập qua các nền tảng số. (4) Triển khai số tay điện tử Bình dân học vụ số tỉnh Lâm Đồng (https://binhdanhocvuso.lamdong.gov.vn).",
        lead: "Sở Khoa học và Công nghệ",
        coordinating: "các sở, ngành, doanh nghiệp, địa phương có liên quan",
        timing: "thường xuyên, bắt đầu triển khai đề xuất xây dựng, triển khai nền tảng từ tháng 7/2025",
        starts_on: "2025-07-01",
    },
    SeedTask {
        code: "4",
        title: "Tổ chức các lớp “Bình dân học vụ số”",
        body: "4. Tổ chức các lớp “Bình dân học vụ số”: đào tạo, bồi dưỡng chuyên đề về trí tuệ nhân tạo (nhiệm vụ 4.1) và về đổi mới sáng tạo (nhiệm vụ 4.2) cho cán bộ, công chức, viên chức.",
        lead: "Sở Khoa học và Công nghệ",
        coordinating: "Sở Nội vụ và các sở, ngành, địa phương có liên quan",
        timing: "thường xuyên, bắt đầu triển khai từ tháng 8/2025",
        starts_on: "2025-08-01",
    },
    SeedTask {
        code: "4.1",
        title: "Đào tạo, bồi dưỡng chuyên đề về trí tuệ nhân tạo (AI) cho cán bộ, công chức, viên chức",
        body: "4. Tổ chức các lớp “Bình dân học vụ số” — 4.1. Tổ chức đào tạo, bồi dưỡng chuyên đề về trí tuệ nhân tạo (AI) cho cán bộ, công chức, viên chức.",
        lead: "Sở Khoa học và Công nghệ",
        coordinating: "Sở Nội vụ và các sở, ngành, địa phương, cơ quan, đơn vị có liên quan",
        timing: "thường xuyên, bắt đầu triển khai từ tháng 8/2025",
        starts_on: "2025-08-01",
    },
    SeedTask {
        code: "4.2",
        title: "Đào tạo, bồi dưỡng chuyên đề về đổi mới sáng tạo cho cán bộ, công chức, viên chức",
        body: "4. Tổ chức các lớp “Bình dân học vụ số” — 4.2. Tổ chức đào tạo, bồi dưỡng chuyên đề về đổi mới sáng tạo cho cán bộ, công chức, viên chức.",
        lead: "Sở Khoa học và Công nghệ",
        coordinating: "Sở Nội vụ và các sở, ngành, địa phương có liên quan",
        timing: "thường xuyên, bắt đầu triển khai từ tháng 8/2025",
        starts_on: "2025-08-01",
    },
    SeedTask {
        code: "5",
        title: "Triển khai phong trào trong Tổ Công nghệ số cộng đồng",
        body: "5. Triển khai phong trào “Bình dân học vụ số” trong Tổ Công nghệ số cộng đồng: Phát động phong trào “Bình dân học vụ số” thông qua nền tảng tại địa chỉ https://binhdanhocvuso.gov.vn đến tất cả các thành viên Tổ Công nghệ số cộng đồng.",
        lead: "Sở Khoa học và Công nghệ",
        coordinating: "Ủy ban nhân dân các địa phương và các sở, ngành có liên quan",
        timing: "thường xuyên, bắt đầu triển khai từ tháng 8/2025",
        starts_on: "2025-08-01",
    },
    SeedTask {
        code: "6",
        title: "Triển khai phong trào trong học sinh, sinh viên",
        body: "6. Triển khai phong trào “Bình dân học vụ số” trong học sinh, sinh viên: Phát động phong trào “Bình dân học vụ số” thông qua nền tảng tại địa chỉ https://binhdanhocvuso.gov.vn đến tất cả các cơ sở giáo dục trên địa bàn tỉnh.",
        lead: "Sở Giáo dục và Đào tạo",
        coordinating: "Các trường từ tiểu học đến đại học và các cơ quan liên quan trên địa bàn tỉnh",
        timing: "thường xuyên, bắt đầu triển khai từ tháng 8/2025",
        starts_on: "2025-08-01",
    },
    SeedTask {
        code: "7",
        title: "Triển khai phong trào trong đoàn viên, thanh niên",
        body: "7. Triển khai phong trào “Bình dân học vụ số” trong lực lượng đoàn viên, thanh niên: Phát động phong trào “Bình dân học vụ số” thông qua nền tảng tại địa chỉ https://binhdanhocvuso.gov.vn đến tất cả lực lượng đoàn viên, thanh niên trên địa bàn tỉnh.",
        lead: "Tỉnh đoàn Lâm Đồng",
        coordinating: "các sở, ngành, địa phương có liên quan",
        timing: "thường xuyên, bắt đầu triển khai từ tháng 8/2025",
        starts_on: "2025-08-01",
    },
    SeedTask {
        code: "8",
        title: "Tuyên truyền, hướng dẫn đăng ký, sử dụng nền tảng học trực tuyến mở đại trà",
        body: "8. Chủ động thực hiện tuyên truyền, phổ biến về nền tảng học trực tuyến mở đại trà rộng rãi trên địa bàn tỉnh, xây dựng các chương trình hướng dẫn đăng ký, sử dụng nền tảng học trực tuyến mở đại trà do Bộ Công an triển khai tại địa chỉ https://binhdanhocvuso.gov.vn",
        lead: "Báo và Phát thanh, truyền hình Lâm Đồng",
        coordinating: "các sở, ngành có liên quan",
        timing: "thường xuyên, bắt đầu triển khai từ tháng 8/2025",
        starts_on: "2025-08-01",
    },
];

/// Adds the plan's tasks to a database that has none (in the seeding transaction).
pub async fn seed<C: ConnectionTrait>(
    conn: &C,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), Internal> {
    if plan::count_tasks(conn).await? > 0 {
        return Ok(());
    }
    for (i, t) in PLAN_TASKS.iter().enumerate() {
        let starts_on = NaiveDate::parse_from_str(t.starts_on, "%Y-%m-%d")
            .map_err(|e| Internal::Other(format!("plan task {}: {e}", t.code)))?;
        plan::insert_task(
            conn,
            &NewTask {
                code: t.code,
                plan_year: PLAN_YEAR,
                title: t.title,
                body: t.body,
                lead: t.lead,
                coordinating: t.coordinating,
                timing: t.timing,
                starts_on,
                due_on: None,
                lead_unit_id: None,
                position: i32::try_from(i + 1).unwrap_or(i32::MAX),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// A status in words.
pub fn status_words(code: &str) -> &'static str {
    match code {
        plan::ON_TRACK => "Đang thực hiện",
        plan::BEHIND => "Chậm tiến độ",
        plan::DONE => "Hoàn thành",
        _ => "Chưa bắt đầu",
    }
}

/// The statuses a note may set: `(code, words)`.
pub const STATUSES: &[(&str, &str)] = &[
    (plan::NOT_STARTED, "Chưa bắt đầu"),
    (plan::ON_TRACK, "Đang thực hiện"),
    (plan::BEHIND, "Chậm tiến độ"),
    (plan::DONE, "Hoàn thành"),
];

/// What is late about a task today, if anything.
pub fn overdue(task: &plan::Task, last: Option<&plan::Update>, today: NaiveDate) -> Option<String> {
    if last.is_some_and(|u| u.status == plan::DONE) {
        return None;
    }
    if let Some(due) = task.due_on {
        if today > due {
            return Some(format!("Quá hạn (hạn {})", due.format("%d/%m/%Y")));
        }
        return None;
    }
    if today < task.starts_on {
        return None;
    }
    let since = last.map_or(task.starts_on, |u| u.happened_on);
    (today - since > Duration::days(STALE_DAYS)).then(|| match last {
        Some(u) => format!(
            "Chưa cập nhật từ {} (quá {STALE_DAYS} ngày)",
            u.happened_on.format("%d/%m/%Y")
        ),
        None => format!("Chưa có báo cáo tiến độ (quá {STALE_DAYS} ngày)"),
    })
}

/// Whether this user records progress on the task: the province, or an officer of its lead
/// unit (or of a unit above it).
pub async fn may_record(
    state: &Runtime,
    user: &SessionUser,
    task: &plan::Task,
) -> Result<bool, Internal> {
    if user.is_province_admin() {
        return Ok(true);
    }
    let Some(unit) = task.lead_unit_id else {
        return Ok(false);
    };
    Ok(crate::services::people::org::managed_units(state, user)
        .await?
        .is_none_or(|units| units.iter().any(|u| u.id == unit)))
}

/// A task on the board.
pub struct TaskLine {
    pub task: plan::Task,
    pub lead_unit: String,
    pub status: &'static str,
    /// The status's code (`plan::NOT_STARTED` when no note yet).
    pub status_code: String,
    /// The last note: its day and text.
    pub last: Option<(String, String)>,
    pub overdue: Option<String>,
}

/// The board: every task, with its last note and what is late.
pub async fn board(state: &Runtime) -> Result<Vec<TaskLine>, Internal> {
    let db = state.db.read();
    let tasks = plan::tasks(db).await?;
    let last = plan::last_updates(db).await?;
    let tree = crate::services::people::org::tree(state).await?;
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    Ok(tasks
        .into_iter()
        .map(|t| {
            let l = last.iter().find(|u| u.task_id == t.id);
            TaskLine {
                lead_unit: unit_name(&tree, t.lead_unit_id),
                status: status_words(l.map_or(plan::NOT_STARTED, |u| u.status.as_str())),
                status_code: l
                    .map_or(plan::NOT_STARTED, |u| u.status.as_str())
                    .to_owned(),
                last: l.map(|u| (u.happened_on.format("%d/%m/%Y").to_string(), u.note.clone())),
                overdue: overdue(&t, l, today),
                task: t,
            }
        })
        .collect())
}

fn unit_name(tree: &[org::OrgUnit], id: Option<i64>) -> String {
    id.and_then(|id| tree.iter().find(|u| u.id == id))
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

/// A note on the task's page.
pub struct NoteLine {
    pub day: String,
    pub status: &'static str,
    pub note: String,
    pub by: String,
    pub at: String,
    /// `(id, name, size in words)`.
    pub files: Vec<(i64, String, String)>,
}

/// A task's page.
pub struct TaskPage {
    pub line: TaskLine,
    pub notes: Vec<NoteLine>,
    pub may_record: bool,
    /// The code of the lead unit ("" when none is named).
    pub lead_unit_code: String,
    /// `(code, name)` of the units the province may name as lead (departments and communes).
    pub units: Vec<(String, String)>,
}

pub async fn task_page(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<TaskPage>, Internal> {
    let db = state.db.read();
    let Some(task) = plan::task_by_id(db, id).await? else {
        return Ok(None);
    };
    let updates = plan::updates_of(db, task.id).await?;
    let ids: Vec<i64> = updates.iter().map(|u| u.id).collect();
    let files = plan::files_of(db, &ids).await?;
    let tree = crate::services::people::org::tree(state).await?;
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    let mut notes = Vec::new();
    for u in &updates {
        let by = people::person_by_id(db, u.by_id)
            .await?
            .map(|p| p.full_name)
            .unwrap_or_default();
        notes.push(NoteLine {
            day: u.happened_on.format("%d/%m/%Y").to_string(),
            status: status_words(&u.status),
            note: u.note.clone(),
            by,
            at: crate::clock::format_date_time(u.at),
            files: files
                .iter()
                .filter(|f| f.1 == u.id)
                .map(|f| (f.0, f.2.clone(), evidence::size_text(f.4)))
                .collect(),
        });
    }
    let may_record = may_record(state, user, &task).await?;
    let last = updates.first();
    let task_lead_code = task
        .lead_unit_id
        .and_then(|id| tree.iter().find(|u| u.id == id))
        .map(|u| u.code.clone())
        .unwrap_or_default();
    let line = TaskLine {
        lead_unit: unit_name(&tree, task.lead_unit_id),
        status: status_words(last.map_or(plan::NOT_STARTED, |u| u.status.as_str())),
        status_code: last
            .map_or(plan::NOT_STARTED, |u| u.status.as_str())
            .to_owned(),
        last: last.map(|u| (u.happened_on.format("%d/%m/%Y").to_string(), u.note.clone())),
        overdue: overdue(&task, last, today),
        task,
    };
    let units = if user.is_province_admin() {
        // The province itself and the units right under it (departments, communes): the
        // agencies a task can be given to.
        let top: Vec<i64> = tree
            .iter()
            .filter(|u| u.parent_id.is_none())
            .map(|u| u.id)
            .collect();
        tree.iter()
            .filter(|u| u.merged_into_id.is_none() && u.parent_id.is_none_or(|p| top.contains(&p)))
            .map(|u| (u.code.clone(), u.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Some(TaskPage {
        line,
        notes,
        may_record,
        lead_unit_code: task_lead_code,
        units,
    }))
}

/// A progress note as the form sends it.
#[derive(Debug, Default, Clone)]
pub struct NoteInput {
    pub status: String,
    /// `dd/mm/yyyy`.
    pub day: String,
    pub note: String,
}

/// Records a progress note (and its evidence file, if any): all of it or nothing.
/// `Ok(None)`: no such task, or not this user's to record.
pub async fn record(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    input: &NoteInput,
    file: Option<(&str, &[u8])>,
) -> Result<Option<()>, FormError> {
    let db = state.db.read();
    let Some(task) = plan::task_by_id(db, id).await? else {
        return Ok(None);
    };
    if !may_record(state, user, &task).await? {
        return Ok(None);
    }
    let mut errors: FieldErrors = Vec::new();
    if !STATUSES.iter().any(|(c, _)| *c == input.status) {
        errors.push(("trang_thai", "Hãy chọn tình trạng của nhiệm vụ.".to_owned()));
    }
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    let day = crate::clock::parse_day(&input.day);
    match day {
        None => errors.push(("ngay", "Hãy ghi ngày theo mẫu 05/12/2026.".to_owned())),
        Some(d) if d > today => errors.push((
            "ngay",
            "Ngày của báo cáo tiến độ không được sau hôm nay.".to_owned(),
        )),
        Some(d) if d < task.starts_on - Duration::days(366) => errors.push((
            "ngay",
            "Ngày này quá xa trước khi nhiệm vụ bắt đầu.".to_owned(),
        )),
        Some(_) => {}
    }
    let note = input.note.trim();
    if !(5..=5_000).contains(&note.chars().count()) {
        errors.push((
            "ghi_chu",
            "Hãy ghi việc đã làm, kết quả (5 đến 5.000 ký tự).".to_owned(),
        ));
    }
    let checked = match file {
        Some((name, bytes)) if !bytes.is_empty() => match evidence::check(name, bytes) {
            Ok(c) => Some((c, bytes)),
            Err(e) => {
                errors.push(("tep", e));
                None
            }
        },
        _ => None,
    };
    let (Some(day), true) = (day, errors.is_empty()) else {
        return Err(FormError::Invalid(errors));
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    let update = plan::insert_update(&txn, task.id, &input.status, note, day, user.person_id, now)
        .await
        .map_err(Internal::from)?;
    if let Some((c, bytes)) = checked {
        plan::insert_file(&txn, update, &c.file_name, c.content_type, bytes)
            .await
            .map_err(Internal::from)?;
    }
    audit::record(
        &txn,
        user.person_id,
        AuditAction::PlanProgress,
        &task.id.to_string(),
        &format!("nhiệm vụ {}: {}", task.code, status_words(&input.status)),
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(Some(()))
}

/// An evidence file of a task's note (anyone who may see the board may read it).
pub async fn file(
    state: &Runtime,
    task_id: i64,
    file_id: i64,
) -> Result<Option<plan::PlanFile>, Internal> {
    Ok(plan::file_of_task(state.db.read(), task_id, file_id).await?)
}

/// Names the unit whose officers record the task's progress (the province only); "" clears it.
/// `Ok(None)`: no such task.
pub async fn set_lead_unit(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
    unit_code: &str,
) -> Result<Option<Result<(), String>>, Internal> {
    let db = state.db.read();
    let Some(task) = plan::task_by_id(db, id).await? else {
        return Ok(None);
    };
    let unit = match unit_code.trim() {
        "" => None,
        code => match org::by_code(db, code).await? {
            Some(u) if u.merged_into_id.is_none() => Some(u),
            _ => return Ok(Some(Err("Không có đơn vị này.".to_owned()))),
        },
    };
    let txn = state.db.write().begin().await?;
    plan::set_lead_unit(&txn, task.id, unit.as_ref().map(|u| u.id)).await?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::PlanLeadUnit,
        &task.id.to_string(),
        &format!(
            "nhiệm vụ {}: {}",
            task.code,
            unit.as_ref().map_or("(không)", |u| u.name.as_str())
        ),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(Ok(())))
}

/// A task the province adds, as the form sends it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct TaskInput {
    #[serde(default, rename = "nam")]
    pub year: String,
    #[serde(default, rename = "ma")]
    pub code: String,
    #[serde(default, rename = "ten")]
    pub name: String,
    #[serde(default, rename = "noi_dung")]
    pub text: String,
    #[serde(default)]
    pub chu_tri: String,
    #[serde(default)]
    pub phoi_hop: String,
    /// `dd/mm/yyyy`.
    #[serde(default)]
    pub bat_dau: String,
    /// `dd/mm/yyyy`, or empty for an ongoing task.
    #[serde(default)]
    pub han: String,
}

/// Adds a task for a plan year (the province only); nothing is written unless every field is
/// right.
pub async fn create(
    state: &Runtime,
    user: &SessionUser,
    input: &TaskInput,
) -> Result<i64, FormError> {
    let mut errors: FieldErrors = Vec::new();
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    let this_year = chrono::Datelike::year(&today);
    let year = input.year.trim().parse::<i32>().ok();
    if !year.is_some_and(|y| (PLAN_YEAR..=this_year + 5).contains(&y)) {
        errors.push((
            "nam",
            format!("Năm kế hoạch phải từ {PLAN_YEAR} đến {}.", this_year + 5),
        ));
    }
    let code = input.code.trim();
    if code.is_empty()
        || code.chars().count() > 10
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
    {
        errors.push((
            "ma",
            "Hãy ghi số thứ tự của nhiệm vụ, ví dụ 9 hoặc 4.3.".to_owned(),
        ));
    } else if let Some(y) = year {
        if plan::code_taken(state.db.read(), y, code)
            .await
            .map_err(Internal::from)?
        {
            errors.push(("ma", format!("Năm {y} đã có nhiệm vụ số {code}.")));
        }
    }
    let title = input.name.trim();
    if !(5..=300).contains(&title.chars().count()) {
        errors.push(("ten", "Hãy ghi tên nhiệm vụ (5 đến 300 ký tự).".to_owned()));
    }
    let body = input.text.trim();
    if body.chars().count() > 10_000 {
        errors.push(("noi_dung", "Nội dung dài nhất 10.000 ký tự.".to_owned()));
    }
    let lead = input.chu_tri.trim();
    if !(2..=300).contains(&lead.chars().count()) {
        errors.push(("chu_tri", "Hãy ghi cơ quan chủ trì.".to_owned()));
    }
    let coordinating = input.phoi_hop.trim();
    if coordinating.chars().count() > 1_000 {
        errors.push((
            "phoi_hop",
            "Cơ quan phối hợp dài nhất 1.000 ký tự.".to_owned(),
        ));
    }
    let starts = crate::clock::parse_day(&input.bat_dau);
    if starts.is_none() {
        errors.push((
            "bat_dau",
            "Hãy ghi ngày bắt đầu theo mẫu 01/01/2027.".to_owned(),
        ));
    }
    let due = match input.han.trim() {
        "" => None,
        d => match crate::clock::parse_day(d) {
            Some(d) => Some(d),
            None => {
                errors.push((
                    "han",
                    "Hãy ghi hạn theo mẫu 31/12/2027, hoặc để trống nếu thực hiện thường xuyên."
                        .to_owned(),
                ));
                None
            }
        },
    };
    if let (Some(s), Some(d)) = (starts, due) {
        if d < s {
            errors.push(("han", "Hạn phải sau ngày bắt đầu.".to_owned()));
        }
    }
    let (Some(year), Some(starts), true) = (year, starts, errors.is_empty()) else {
        return Err(FormError::Invalid(errors));
    };
    let timing = match due {
        Some(d) => format!(
            "từ {} đến {}",
            starts.format("%d/%m/%Y"),
            d.format("%d/%m/%Y")
        ),
        None => format!("thường xuyên, bắt đầu từ {}", starts.format("%d/%m/%Y")),
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    let position = i32::try_from(plan::count_tasks(&txn).await.map_err(Internal::from)? + 1)
        .unwrap_or(i32::MAX);
    let id = plan::insert_task(
        &txn,
        &NewTask {
            code,
            plan_year: year,
            title,
            body,
            lead,
            coordinating,
            timing: &timing,
            starts_on: starts,
            due_on: due,
            lead_unit_id: None,
            position,
        },
        now,
    )
    .await
    .map_err(Internal::from)?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::PlanTaskCreate,
        &id.to_string(),
        &format!("năm {year}, nhiệm vụ {code}: {title}"),
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(starts: &str, due: Option<&str>) -> plan::Task {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        plan::Task {
            id: 1,
            code: "9".into(),
            plan_year: 2026,
            title: String::new(),
            body: String::new(),
            lead: String::new(),
            coordinating: String::new(),
            timing: String::new(),
            starts_on: d(starts),
            due_on: due.map(d),
            lead_unit_id: None,
            position: 1,
            created_at: chrono::DateTime::default(),
        }
    }

    fn note(status: &str, day: &str) -> plan::Update {
        plan::Update {
            id: 1,
            task_id: 1,
            status: status.into(),
            note: String::new(),
            happened_on: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap_or_default(),
            by_id: 1,
            at: chrono::DateTime::default(),
        }
    }

    #[test]
    fn late_is_past_the_due_date_or_silent_too_long() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
        let due = task("2026-01-01", Some("2026-11-30"));
        assert!(overdue(&due, None, today).is_some_and(|s| s.starts_with("Quá hạn")));
        assert_eq!(
            overdue(&due, Some(&note(plan::DONE, "2026-11-20")), today),
            None
        );
        let ongoing = task("2025-08-01", None);
        assert!(overdue(&ongoing, None, today).is_some());
        assert_eq!(
            overdue(&ongoing, Some(&note(plan::ON_TRACK, "2026-11-01")), today),
            None
        );
        assert!(overdue(&ongoing, Some(&note(plan::ON_TRACK, "2026-08-01")), today).is_some());
        assert_eq!(
            overdue(&task("2027-01-01", None), None, today),
            None,
            "not started yet"
        );
    }

    #[test]
    fn the_plan_has_its_ten_tasks_with_lead_agencies() {
        let codes: Vec<&str> = PLAN_TASKS.iter().map(|t| t.code).collect();
        assert_eq!(
            codes,
            ["1", "2", "3", "4", "4.1", "4.2", "5", "6", "7", "8"]
        );
        assert!(PLAN_TASKS
            .iter()
            .all(|t| !t.lead.is_empty() && !t.timing.is_empty()));
        assert_eq!(PLAN_TASKS[8].lead, "Tỉnh đoàn Lâm Đồng");
    }
}
