//! Files attached to a unit's periodic report: minutes, photos of what was done, the unit's own
//! signed report as PDF. Checked like other evidence files (`shared::evidence`: a PDF or a
//! photo that is what its name says, 5 MB, at most 5 a report); added and removed only while
//! the report can be edited (a draft or returned), once it has been saved; read by whoever may
//! read the report.

use hocvuso_db::repo::audit;
use hocvuso_db::repo::reports::{self, NewFile};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::plan::reports::{scope, Done};
use crate::services::runtime::Runtime;
use crate::services::shared::evidence;
use crate::services::Internal;

/// A file on the report's page: `(id, name, size in words)`.
pub type FileLine = (i64, String, String);

/// The files of a report.
pub async fn files(state: &Runtime, report_id: i64) -> Result<Vec<FileLine>, Internal> {
    Ok(reports::files_of(state.db.read(), report_id)
        .await?
        .into_iter()
        .map(|(id, name, _, size)| (id, name, evidence::size_text(size)))
        .collect())
}

/// Attaches a file. `Err(message)`: the file was refused (nothing written).
pub async fn attach(
    state: &Runtime,
    user: &SessionUser,
    period_id: i64,
    unit_code: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<Result<Done, String>, Internal> {
    let Some((period, unit)) = scope(state, user, period_id, unit_code).await? else {
        return Ok(Ok(Done::NotFound));
    };
    let checked = match evidence::check(file_name, bytes) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    let Some(report) = reports::report_of(&txn, period.id, unit.id).await? else {
        return Ok(Ok(Done::Refused(
            "Hãy lưu bản nháp báo cáo trước khi đính kèm tệp.",
        )));
    };
    // Holds the report (a send at the same moment waits; so does another file) and checks
    // that it can still be changed, in one statement.
    if !reports::touch_if_editable(&txn, report.id, now).await? {
        return Ok(Ok(Done::Refused(
            "Báo cáo đã gửi hoặc đã được duyệt nên không thêm tệp được nữa.",
        )));
    }
    if reports::files_of(&txn, report.id).await?.len() as u64 >= evidence::MAX_FILES {
        return Ok(Err(format!(
            "Mỗi báo cáo kèm tối đa {} tệp. Hãy bỏ bớt tệp cũ hoặc gộp lại thành một tệp PDF.",
            evidence::MAX_FILES
        )));
    }
    reports::insert_file(
        &txn,
        report.id,
        &NewFile {
            file_name: &checked.file_name,
            content_type: checked.content_type,
            bytes,
        },
        user.person_id,
        now,
    )
    .await?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::PeriodReportFile,
        &report.id.to_string(),
        &format!("{}: {}: {}", period.title, unit.name, checked.file_name),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(Done::Done))
}

/// Removes a file while the report can still be edited.
pub async fn remove(
    state: &Runtime,
    user: &SessionUser,
    period_id: i64,
    unit_code: &str,
    file_id: i64,
) -> Result<Done, Internal> {
    let Some((period, unit)) = scope(state, user, period_id, unit_code).await? else {
        return Ok(Done::NotFound);
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    let Some(report) = reports::report_of(&txn, period.id, unit.id).await? else {
        return Ok(Done::NotFound);
    };
    if !reports::touch_if_editable(&txn, report.id, now).await? {
        return Ok(Done::Refused(
            "Báo cáo đã gửi hoặc đã được duyệt nên không bỏ tệp được nữa.",
        ));
    }
    let Some(file) = reports::file_of_report(&txn, report.id, file_id).await? else {
        return Ok(Done::NotFound);
    };
    reports::delete_file(&txn, report.id, file.id).await?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::PeriodReportFileRemove,
        &report.id.to_string(),
        &format!("{}: {}: {}", period.title, unit.name, file.file_name),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Done::Done)
}

/// A file of a report this user may read.
pub async fn file(
    state: &Runtime,
    user: &SessionUser,
    period_id: i64,
    unit_code: &str,
    file_id: i64,
) -> Result<Option<reports::ReportFile>, Internal> {
    let Some((period, unit)) = scope(state, user, period_id, unit_code).await? else {
        return Ok(None);
    };
    let db = state.db.read();
    let Some(report) = reports::report_of(db, period.id, unit.id).await? else {
        return Ok(None);
    };
    Ok(reports::file_of_report(db, report.id, file_id).await?)
}
