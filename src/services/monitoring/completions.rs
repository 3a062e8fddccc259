//! Results from the national platform (binhdanhocvuso.gov.vn): the province imports who
//! completed a course taught there, one person per row named by citizen ID, with the day. A dry
//! run checks every row and says what would change; the import checks again while writing and
//! keeps all of it or nothing. Each new completion goes through the spine
//! ([`record_achievements`](crate::services::learning::spine::record_achievements)), so the people's groups count
//! them at once and `hocvuso stats verify` agrees.
//!
//! A person already recorded as having completed the course is left as they are, so importing
//! the same file again (or a later export that repeats earlier rows) changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use hocvuso_db::repo::{learning, roster};
use hocvuso_db::{ConnectionTrait, TransactionTrait};
use hocvuso_domain::text::fold;
use hocvuso_domain::AuditAction;
use hocvuso_import::completions::{self as parse, CompletionRow, HEADER_SEARCH_LINES};
use hocvuso_import::stream::SheetNotes;
use hocvuso_import::RowError;
use sha2::Digest;

use crate::services::runtime::Runtime;
use crate::services::shared::imports;
use crate::services::Internal;

/// Rows per round of lookups.
const CHUNK: usize = 2_000;
/// Unknown people named in a report (all are counted).
const SKIPPED_SHOWN: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    DryRun,
    Apply,
}

/// What to import: which course, from where, and what to do with people not known here.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub course_slug: &'a str,
    pub source: &'a str,
    pub file_name: &'a str,
    /// Leave out (and list) people whose citizen ID is not known here, instead of refusing
    /// the file.
    pub skip_unknown: bool,
}

#[derive(Debug, Default, Clone)]
pub struct Report {
    pub course_title: String,
    /// Result rows read (blank rows not counted).
    pub rows: usize,
    pub blank: usize,
    /// New completions.
    pub added: usize,
    /// People who had completed the course already.
    pub unchanged: usize,
    /// People not known here, left out (with `skip_unknown`): count, and the first lines.
    pub skipped: usize,
    pub skipped_lines: Vec<usize>,
    pub errors: Vec<RowError>,
    pub error_count: usize,
    pub ignored_columns: Vec<String>,
    pub encoding: &'static str,
    pub applied: bool,
}

impl Report {
    fn error(&mut self, e: RowError) {
        imports::note_error(&mut self.errors, &mut self.error_count, e);
    }

    pub fn is_ok(&self) -> bool {
        self.error_count == 0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CompletionError {
    #[error("Không có khóa học “{0}” học trên nền tảng khác để nhập kết quả.")]
    NoSuchCourse(String),
    #[error(
        "Hãy ghi nguồn của kết quả (ví dụ: Nền tảng Bình dân học vụ số, xuất ngày 01/12/2026)."
    )]
    NoSource,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<hocvuso_db::DbErr> for CompletionError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        CompletionError::Internal(e.into())
    }
}

/// The courses taught elsewhere, whose results can be imported: `(slug, title)`.
pub fn importable_courses(state: &Runtime) -> Vec<(String, String)> {
    state
        .catalog
        .current()
        .courses()
        .filter(|c| c.course.external_url.is_some())
        .map(|c| (c.course.slug.clone(), c.course.title.clone()))
        .collect()
}

/// What the file holds, read and checked row by row (no database).
struct FileRows {
    rows: Vec<CompletionRow>,
    report: Report,
    header_seen: bool,
}

fn read_file(bytes: &[u8], today: (i32, u32, u32)) -> FileRows {
    let mut out = FileRows {
        rows: Vec::new(),
        report: Report::default(),
        header_seen: false,
    };
    let mut notes = SheetNotes::default();
    let mut columns: Option<parse::Columns> = None;
    let mut broken_header = false;
    let mut header_line: Option<usize> = None;
    let result = hocvuso_import::stream::read_rows(
        bytes,
        CHUNK,
        |n| notes = n,
        |rows| {
            for row in rows {
                let Some(cols) = &columns else {
                    if broken_header || row.line > HEADER_SEARCH_LINES {
                        continue;
                    }
                    match parse::header(&row) {
                        Ok(Some(c)) => {
                            out.header_seen = true;
                            out.report.ignored_columns = c.ignored.clone();
                            header_line = Some(c.line);
                            columns = Some(c);
                        }
                        Ok(None) => {}
                        Err(e) => {
                            out.report.error(e);
                            out.header_seen = true;
                            broken_header = true;
                        }
                    }
                    continue;
                };
                if row.is_blank() {
                    out.report.blank += 1;
                    continue;
                }
                out.report.rows += 1;
                match parse::parse_row(cols, &row, today) {
                    Ok(r) => out.rows.push(r),
                    Err(errors) => errors.into_iter().for_each(|e| out.report.error(e)),
                }
            }
            true
        },
    );
    out.report.encoding = notes.encoding;
    if let Some(line) = header_line {
        let refusals = notes.errors_below(line);
        if !refusals.is_empty() {
            // The rows' values are not what the officer sees (a formula's stored result, the
            // blank cells of a merged range): their own errors would mislead.
            out.report.errors.clear();
            out.report.error_count = 0;
            out.rows.clear();
            refusals.into_iter().for_each(|e| out.report.error(e));
        }
    }
    if let Err(e) = result {
        out.report.error(RowError {
            line: e.line(),
            message: e.to_string(),
        });
    }
    out
}

/// The moment a completion is recorded at: noon in Vietnam on that day, so that it shows as
/// that day wherever it is printed.
fn moment((y, m, d): (i32, u32, u32)) -> Option<DateTime<Utc>> {
    let noon_vietnam = NaiveDate::from_ymd_opt(y, m, d)?.and_hms_opt(5, 0, 0)?;
    Some(Utc.from_utc_datetime(&noon_vietnam))
}

/// Reads, checks and (with [`Mode::Apply`]) writes the results of a course taught elsewhere.
pub async fn run(
    state: &Runtime,
    actor_id: Option<i64>,
    req: &Request<'_>,
    bytes: Vec<u8>,
    mode: Mode,
) -> Result<Report, CompletionError> {
    let _timer = state
        .metrics
        .time_import(crate::services::shared::imports::ImportKind::Completions);
    let catalog = state.catalog.current();
    let course = catalog
        .by_slug(req.course_slug)
        .filter(|c| c.course.external_url.is_some())
        .ok_or_else(|| CompletionError::NoSuchCourse(req.course_slug.to_owned()))?;
    let source = req.source.trim();
    if source.is_empty() {
        return Err(CompletionError::NoSource);
    }
    let course_id = course.course.id;
    let sha256 = crate::services::hex(&sha2::Sha256::digest(&bytes));
    let today = {
        use chrono::Datelike;
        let t = crate::clock::vietnam_time(state.clock.now());
        (t.year(), t.month(), t.day())
    };
    let file = tokio::task::spawn_blocking(move || read_file(&bytes, today))
        .await
        .map_err(|e| Internal::Other(format!("results reader: {e}")))?;
    let FileRows {
        rows,
        mut report,
        header_seen,
    } = file;
    report.course_title = course.course.title.clone();
    if !header_seen && report.is_ok() {
        report.error(RowError {
            line: 0,
            message: parse::no_header_message(),
        });
    } else if report.is_ok() && report.rows == 0 {
        report.error(RowError {
            line: 0,
            message: "Tệp không có dòng kết quả nào (dưới dòng tiêu đề).".to_owned(),
        });
    }

    // A person once per file.
    let mut first_line: HashMap<u64, usize> = HashMap::new();
    let mut unique = Vec::with_capacity(rows.len());
    for r in rows {
        match first_line.get(&r.citizen_id.key()) {
            Some(first) => report.error(RowError {
                line: r.line,
                message: format!(
                    "Số định danh cá nhân {} trùng với dòng {first}: mỗi người chỉ ghi một dòng.",
                    r.citizen_id.as_str()
                ),
            }),
            None => {
                first_line.insert(r.citizen_id.key(), r.line);
                unique.push(r);
            }
        }
    }

    let txn = match mode {
        Mode::Apply if report.is_ok() => Some(state.db.write().begin().await?),
        _ => None,
    };
    // In an import, people are looked up inside its transaction (nothing changes under it).
    let new = match &txn {
        Some(t) => classify(t, &unique, course_id, req, &mut report, mode).await?,
        None => classify(state.db.read(), &unique, course_id, req, &mut report, mode).await?,
    };

    // In line order, whatever step found them (file checks come before the lookups).
    report.errors.sort_by_key(|e| e.line);
    let Some(txn) = txn else {
        return Ok(report);
    };
    if !report.is_ok() {
        txn.rollback().await?;
        return Ok(report);
    }
    let n = |x: usize| x as i64;
    let now = state.clock.now();
    let import_id = learning::insert_completion_import(
        &txn,
        learning::NewCompletionImport {
            actor_id,
            course_id,
            source,
            file_name: req.file_name,
            sha256: &sha256,
            rows: n(report.rows),
            added: n(report.added),
            unchanged: n(report.unchanged),
            skipped: n(report.skipped),
        },
        now,
    )
    .await?;
    let added = crate::services::learning::spine::complete_course(
        &txn,
        &state.catalog.current(),
        course_id,
        &new,
        crate::services::learning::spine::CompletedBy::Import(import_id),
    )
    .await?;
    if added.len() != new.len() {
        // Someone completed the course between the lookups and the writes: say it plainly.
        let unchanged = report.unchanged + new.len() - added.len();
        learning::set_completion_import_counts(&txn, import_id, n(added.len()), n(unchanged))
            .await?;
        report.unchanged = unchanged;
        report.added = added.len();
    }
    if let Some(actor) = actor_id {
        hocvuso_db::repo::audit::record(
            &txn,
            actor,
            AuditAction::ImportCompletions,
            req.file_name,
            &format!(
                "course={} source={} rows={} added={} unchanged={} skipped={}",
                req.course_slug,
                source,
                report.rows,
                report.added,
                report.unchanged,
                report.skipped
            ),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    report.applied = true;
    Ok(report)
}

/// Matches each row with a person (by citizen ID) and their completions: the new completions
/// `(person, completed at)`; everything else goes into the report.
async fn classify<C: ConnectionTrait>(
    conn: &C,
    unique: &[CompletionRow],
    course_id: i64,
    req: &Request<'_>,
    report: &mut Report,
    mode: Mode,
) -> Result<Vec<(i64, DateTime<Utc>)>, hocvuso_db::DbErr> {
    // `(person, completed at)` of the new completions.
    let mut new: Vec<(i64, DateTime<Utc>)> = Vec::new();
    for chunk in unique.chunks(CHUNK) {
        let ids: Vec<String> = chunk
            .iter()
            .map(|r| r.citizen_id.as_str().to_owned())
            .collect();
        let people: HashMap<String, (i64, String)> = roster::people_by_keys(conn, &ids, &[])
            .await?
            .into_iter()
            .filter_map(|p| Some((p.citizen_id?, (p.id, p.full_name))))
            .collect();
        let person_ids: Vec<i64> = people.values().map(|(id, _)| *id).collect();
        let done: std::collections::BTreeSet<i64> = learning::completions_of(conn, &person_ids)
            .await?
            .into_iter()
            .filter(|(_, c, _)| *c == course_id)
            .map(|(p, ..)| p)
            .collect();
        for r in chunk {
            let Some((person_id, known_name)) = people.get(r.citizen_id.as_str()) else {
                if req.skip_unknown {
                    report.skipped += 1;
                    if report.skipped_lines.len() < SKIPPED_SHOWN {
                        report.skipped_lines.push(r.line);
                    }
                } else {
                    report.error(RowError {
                        line: r.line,
                        message: format!(
                            "Không có ai mang số định danh {} trong danh sách người học của tỉnh. Hãy nhập danh sách người trước, hoặc chọn “Bỏ qua người chưa có trong danh sách”.",
                            r.citizen_id.as_str()
                        ),
                    });
                }
                continue;
            };
            if let Some(name) = &r.name {
                if fold(name.as_str()) != fold(known_name) {
                    report.error(RowError {
                        line: r.line,
                        message: format!(
                            "Họ tên “{}” khác họ tên của người mang số định danh này ({}). Hãy kiểm tra lại số định danh.",
                            name.as_str(),
                            hocvuso_domain::mask::full_name(known_name)
                        ),
                    });
                    continue;
                }
            }
            if done.contains(person_id) {
                report.unchanged += 1;
                continue;
            }
            let Some(at) = moment(r.day) else {
                report.error(RowError {
                    line: r.line,
                    message: "Ngày hoàn thành không có trên lịch.".to_owned(),
                });
                continue;
            };
            report.added += 1;
            new.push((*person_id, at));
        }
        if mode == Mode::Apply && !report.is_ok() {
            break;
        }
    }

    Ok(new)
}

/// One applied import, for the list on the page.
pub struct ImportLine {
    pub at: DateTime<Utc>,
    pub course_title: String,
    pub source: String,
    pub file_name: String,
    pub rows: i64,
    pub added: i64,
    pub unchanged: i64,
    pub skipped: i64,
}

/// The latest imports of results, newest first.
pub async fn recent(state: &Runtime) -> Result<Vec<ImportLine>, Internal> {
    Ok(learning::recent_completion_imports(state.db.read(), 30)
        .await?
        .into_iter()
        .map(|i| ImportLine {
            at: i.at,
            course_title: state
                .catalog
                .current()
                .by_id(i.course_id)
                .map(|c| c.course.title.clone())
                .unwrap_or_default(),
            source: i.source,
            file_name: i.file_name,
            rows: i.rows,
            added: i.added,
            unchanged: i.unchanged,
            skipped: i.skipped,
        })
        .collect())
}
