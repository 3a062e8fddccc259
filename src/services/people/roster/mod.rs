//! Roster imports (danh sách người học from Excel or CSV), streamed so that a million rows fit
//! in memory: a dry run that checks every row and says what would change, then the import
//! itself, which checks again while writing and keeps all of it or nothing.
//!
//! A person is matched on their citizen ID, else on their phone number, so importing the same
//! file again changes nothing. A row's group membership is created, or moved when the person
//! was in that group in another unit; a move carries the person's achievements with it (the
//! live counts of the old unit go down, the new unit's up, in the same transaction).

use std::collections::{BTreeMap, HashMap};

use hocvuso_db::repo::{org, people, roster, stats};
use hocvuso_db::ConnectionTrait;
use hocvuso_import::roster::{self as parse, Columns, RosterRow, HEADER_SEARCH_LINES};
use hocvuso_import::stream::{Row, SheetNotes};
use hocvuso_import::RowError;
use sha2::Digest;

use crate::services::shared::imports;
use crate::services::Internal;
use crate::state::AppState;

/// Rows read and checked together (one round of lookups).
const CHUNK: usize = 2_000;
/// Rows the writer gathers from plans already waiting, at most, before writing them.
const WRITE_ROWS: usize = 20_000;
/// Plans waiting for the writer, at most (the reading side then waits).
const PLANS_WAITING: usize = 10;
/// Rows added or moved beyond which the planner's statistics are refreshed after an import.
const BIG_IMPORT: usize = 10_000;

/// Whose rights an import runs with: a unit (the province for the province admin and the
/// command line) and everything under it.
#[derive(Debug, Clone)]
pub struct Scope {
    pub unit_id: i64,
    pub path: String,
    pub name: String,
    /// The whole province (its admin, or the command line): everyone is reachable, also
    /// people who belong to no unit yet.
    pub everyone: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    DryRun,
    Apply,
}

/// What an import did, or would do.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// People rows read (blank rows not counted).
    pub rows: usize,
    pub blank: usize,
    pub added: usize,
    pub updated: usize,
    pub moved: usize,
    pub unchanged: usize,
    /// The first [`ERRORS_SHOWN`](imports::ERRORS_SHOWN) errors, in file order; `error_count` counts them all.
    pub errors: Vec<RowError>,
    pub error_count: usize,
    pub ignored_columns: Vec<String>,
    pub encoding: &'static str,
    /// True when the import was written.
    pub applied: bool,
    /// Who would change and how (the first [`ERRORS_SHOWN`](imports::ERRORS_SHOWN), phone and
    /// citizen ID masked as in the lists); `change_count` counts them all.
    pub changes: Vec<RowError>,
    pub change_count: usize,
}

impl Report {
    fn error(&mut self, e: RowError) {
        imports::note_error(&mut self.errors, &mut self.error_count, e);
    }

    /// Notes how a known person would change (`what` empty: nothing to say).
    fn change(&mut self, line: usize, who: &people::Person, what: &[String]) {
        let what: Vec<&str> = what
            .iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        if what.is_empty() {
            return;
        }
        let contact = match (who.phone.as_deref(), who.citizen_id.as_deref()) {
            (Some(p), _) => format!(" ({})", hocvuso_domain::mask::phone(p)),
            (None, Some(c)) => format!(" ({})", hocvuso_domain::mask::citizen_id(c)),
            (None, None) => String::new(),
        };
        imports::note_error(
            &mut self.changes,
            &mut self.change_count,
            RowError {
                line,
                message: format!("{}{contact}: {}", who.full_name, what.join("; ")),
            },
        );
    }

    pub fn is_ok(&self) -> bool {
        self.error_count == 0
    }
}

/// A unit as rows name it.
struct UnitRef {
    id: i64,
    name: String,
    path: String,
    is_commune: bool,
    /// The unit it was merged into, if any (old records name merged units).
    merged_into: Option<i64>,
}

/// A checked row with its units resolved.
struct Ready {
    row: RosterRow,
    residence_unit_id: i64,
    member_unit_id: i64,
}

/// What the reading thread found, in file order.
enum Item {
    /// The encoding (sent first).
    Encoding(&'static str),
    /// The header, with the columns it ignores.
    Header(Vec<String>),
    /// A problem of the file or of one row.
    Error(RowError),
    Blank,
    /// A data row that could not be read (its errors were sent before it).
    Invalid,
    Person(RosterRow),
}

/// Reads the file and checks each row on its own (no database): runs on a blocking thread,
/// beside the database work, and hands over chunks of [`Item`]s.
struct FileReader {
    current_year: i32,
    notes: SheetNotes,
    columns: Option<Columns>,
    /// A header with missing columns was found: rows cannot be read.
    broken_header: bool,
    /// Merged cells or formulas below the header refuse the file: the values read from the
    /// rows are not what the officer sees, so their own errors would mislead (a formula's
    /// stored result, the blank cells of a merged range); only those refusals are reported.
    values_unreliable: bool,
}

impl FileReader {
    fn rows(&mut self, rows: Vec<Row>) -> Vec<Item> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(cols) = &self.columns else {
                if self.broken_header || row.line > HEADER_SEARCH_LINES {
                    continue;
                }
                match parse::header(&row) {
                    Ok(Some(c)) => {
                        out.push(Item::Header(c.ignored.clone()));
                        self.refuse_merged_and_formulas(&c, &mut out);
                        self.columns = Some(c);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        out.push(Item::Error(e));
                        self.broken_header = true;
                    }
                }
                continue;
            };
            if row.is_blank() {
                out.push(Item::Blank);
                continue;
            }
            match parse::parse_row(cols, &row, self.current_year) {
                Ok(r) => out.push(Item::Person(r)),
                Err(errors) => {
                    if !self.values_unreliable {
                        out.extend(errors.into_iter().map(Item::Error));
                    }
                    out.push(Item::Invalid);
                }
            }
        }
        out
    }

    /// Refuses merged cells and formulas below the header.
    fn refuse_merged_and_formulas(&mut self, cols: &Columns, out: &mut Vec<Item>) {
        let refusals = self.notes.errors_below(cols.line);
        self.values_unreliable = !refusals.is_empty();
        out.extend(refusals.into_iter().map(Item::Error));
    }
}

/// Reads, checks and (with [`Mode::Apply`]) writes a roster.
pub async fn run(
    state: &AppState,
    scope: &Scope,
    actor_id: Option<i64>,
    file_name: &str,
    bytes: Vec<u8>,
    mode: Mode,
) -> Result<Report, Internal> {
    let _timer = state
        .metrics
        .time_import(crate::services::shared::imports::ImportKind::Roster);
    let sha256 = crate::services::hex(&sha2::Sha256::digest(&bytes));
    let units: HashMap<String, UnitRef> = org::all(state.db.read())
        .await?
        .into_iter()
        .map(|u| {
            (
                u.code,
                UnitRef {
                    id: u.id,
                    name: u.name,
                    path: u.path,
                    is_commune: u.kind == org::KIND_COMMUNE,
                    merged_into: u.merged_into_id,
                },
            )
        })
        .collect();
    let names = commune_names(&units)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Item>>(4);
    let current_year = state.clock.year();
    let reader = tokio::task::spawn_blocking(move || {
        // Both callbacks use the reader, one after the other (never at once).
        let file = std::cell::RefCell::new(FileReader {
            current_year,
            notes: SheetNotes::default(),
            columns: None,
            broken_header: false,
            values_unreliable: false,
        });
        let notes_tx = tx.clone();
        let result = hocvuso_import::stream::read_rows(
            &bytes,
            CHUNK,
            |n| {
                let _ = notes_tx.blocking_send(vec![Item::Encoding(n.encoding)]);
                file.borrow_mut().notes = n;
            },
            |rows| tx.blocking_send(file.borrow_mut().rows(rows)).is_ok(),
        );
        if let Err(e) = result {
            let _ = tx.blocking_send(vec![Item::Error(RowError {
                line: e.line(),
                message: e.to_string(),
            })]);
        }
    });

    let txn = match mode {
        Mode::Apply => Some(state.db.begin_bulk().await?),
        Mode::DryRun => None,
    };
    let ids = match &txn {
        Some(txn) => Some(hocvuso_db::dialect::IdReserver::new(txn, "person").await?),
        None => None,
    };
    let now = state.clock.now();
    let mut job = Job {
        state,
        scope,
        units: &units,
        names: &names,
        ids,
        now,
        report: Report::default(),
        seen_citizen_ids: HashMap::new(),
        seen_phones: HashMap::new(),
        matched: HashMap::new(),
        unit_ids: units
            .values()
            .map(|u| (u.id, (u.path.clone(), u.name.clone())))
            .collect(),
    };
    // A pipeline: the writer is a task of its own that owns the import's transaction, so
    // that while it writes one chunk (the server busy, this task free), the next is read,
    // checked and matched here (on the read pool) on another thread: the server and this
    // process work at the same time instead of taking turns.
    let (plan_tx, plan_rx) = tokio::sync::mpsc::channel::<Plan>(PLANS_WAITING);
    let writer = txn.map(|txn| {
        tokio::spawn(
            Writer {
                state: state.clone(),
                txn,
                count_deltas: BTreeMap::new(),
                now,
                actor_id,
            }
            .run(plan_rx),
        )
    });
    let mut header_seen = false;
    while let Some(items) = rx.recv().await {
        let mut people = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Item::Encoding(e) => job.report.encoding = e,
                Item::Header(ignored) => {
                    header_seen = true;
                    job.report.ignored_columns = ignored;
                }
                Item::Error(e) => job.report.error(e),
                Item::Blank => job.report.blank += 1,
                Item::Invalid => job.report.rows += 1,
                Item::Person(r) => {
                    job.report.rows += 1;
                    if let Some(ok) = job.resolve(r) {
                        people.push(ok);
                    }
                }
            }
        }
        // An import stops at the first error: nothing will be kept anyway.
        if mode == Mode::Apply && !job.report.is_ok() {
            break;
        }
        if people.is_empty() {
            continue;
        }
        if let Some(plan) = job.plan(people).await? {
            if plan_tx.send(plan).await.is_err() {
                // The writer stopped at an error, which joining it below gives.
                break;
            }
        }
    }
    drop(plan_tx);
    drop(rx);
    reader
        .await
        .map_err(|e| Internal::Other(format!("roster reader: {e}")))?;
    if !header_seen && job.report.is_ok() {
        job.report.error(RowError {
            line: 0,
            message: parse::no_header_message(),
        });
    }
    if job.report.is_ok() && job.report.rows == 0 {
        job.report.error(RowError {
            line: 0,
            message: "Tệp không có dòng nào ghi người (dưới dòng tiêu đề).".to_owned(),
        });
    }
    let writer = match writer {
        Some(task) => {
            let (writer, error) = task
                .await
                .map_err(|e| Internal::Other(format!("roster writer: {e}")))??;
            if let Some(e) = error {
                job.report.error(e);
            }
            Some(writer)
        }
        None => None,
    };
    let mut report = job.report;
    if mode == Mode::DryRun {
        if let Some(actor) = actor_id {
            hocvuso_db::repo::audit::record(
                state.db.write(),
                actor,
                "import_roster_dry_run",
                file_name,
                &format!(
                    "unit={} rows={} added={} updated={} moved={} errors={}",
                    scope.name,
                    report.rows,
                    report.added,
                    report.updated,
                    report.moved,
                    report.error_count
                ),
                state.clock.now(),
            )
            .await?;
        }
    }
    if let Some(Writer {
        txn,
        count_deltas: deltas,
        ..
    }) = writer
    {
        if !report.is_ok() {
            txn.rollback().await?;
            return Ok(report);
        }
        for ((unit, group, indicator, week), delta) in deltas {
            stats::add_to_count(&txn, unit, &group, &indicator, &week, delta).await?;
        }
        let n = |x: usize| x as i64;
        roster::insert_import(
            &txn,
            roster::NewRosterImport {
                actor_id,
                scope_unit_id: scope.unit_id,
                file_name,
                sha256: &sha256,
                rows: n(report.rows),
                added: n(report.added),
                updated: n(report.updated),
                moved: n(report.moved),
                unchanged: n(report.unchanged),
            },
            state.clock.now(),
        )
        .await?;
        if let Some(actor) = actor_id {
            hocvuso_db::repo::audit::record(
                &txn,
                actor,
                "import_roster",
                file_name,
                &format!(
                    "unit={} rows={} added={} updated={} moved={}",
                    scope.name, report.rows, report.added, report.updated, report.moved
                ),
                state.clock.now(),
            )
            .await?;
        }
        txn.commit().await?;
        report.applied = true;
        if report.added + report.moved > BIG_IMPORT {
            hocvuso_db::dialect::refresh_statistics(state.db.write(), &["person", "membership"])
                .await?;
        }
    }
    Ok(report)
}

/// The state of one import while its chunks go by.
struct Job<'a> {
    state: &'a AppState,
    scope: &'a Scope,
    units: &'a HashMap<String, UnitRef>,
    /// Commune codes by folded name, current and before the 2025 merger.
    names: &'a HashMap<String, Vec<String>>,
    /// Ids for new people, in an import (none in a dry run): only then are plans made for
    /// writing.
    ids: Option<hocvuso_db::dialect::IdReserver>,
    now: chrono::DateTime<chrono::Utc>,
    report: Report,
    /// Keys seen so far in the file → their line (a person appears once per file).
    seen_citizen_ids: HashMap<u64, u32>,
    seen_phones: HashMap<u64, u32>,
    /// Known people matched so far → the line that matched them.
    matched: HashMap<i64, u32>,
    /// Unit id → (path, name), to test whose people a match is and to name units in the
    /// audit log.
    unit_ids: HashMap<i64, (String, String)>,
}

/// A match with someone the importer may not see: the same words whether the citizen ID or
/// the phone number matched, and nothing about who or where (issue 16).
const OTHER_UNIT: &str = "Người này thuộc đơn vị khác (trùng số định danh hoặc số điện thoại với một người không do bạn phụ trách): danh sách không sửa được người đó. Nếu người này đã chuyển đến đơn vị của bạn, hãy gửi đề nghị chuyển (trang “Chuyển người giữa các đơn vị”, /danh-sach/chuyen) để cán bộ đơn vị cũ hoặc cấp tỉnh đồng ý.";
/// A staff member's record changes only on their page, by the province admin.
const STAFF: &str = "Người này là cán bộ có tài khoản quản lý: danh sách không sửa được thông tin của họ. Nếu cần sửa, hãy nhờ quản trị cấp tỉnh sửa trên trang của người đó.";
/// The phone number someone signs in with changes only on their page, by the province admin.
const LOGIN_PHONE: &str = "Người này đã có tài khoản đăng nhập bằng số điện thoại khác với số trong danh sách: danh sách không đổi số đăng nhập. Hãy giữ số cũ trong tệp, hoặc nhờ quản trị cấp tỉnh đổi trên trang của người đó.";

/// What one chunk will write, decided by matching it with the people known before the import.
/// New rows come prepared for the bulk load (ids reserved, values encoded), so that the
/// writer only sends them.
struct Plan {
    new_people: hocvuso_db::dialect::BulkRows,
    /// The new people's memberships and the known people's joins.
    new_members: hocvuso_db::dialect::BulkRows,
    /// Known people joining a group: `(person, group, unit)`.
    joins: Vec<(i64, String, i64)>,
    updates: Vec<(i64, roster::RosterPerson)>,
    /// `(membership, old unit, new unit, group)`.
    moves: Vec<(i64, i64, i64, String)>,
    /// `(membership, class)`: a known pupil's class named anew.
    classes: Vec<(i64, String)>,
    /// The known people's memberships before the import.
    memberships: Vec<people::Membership>,
    /// Known people a row names with their citizen ID: confirmed (a roster match).
    confirm: Vec<i64>,
    /// What the import changes of each known person, with the old values (audit log).
    audit: Vec<hocvuso_db::repo::audit::Entry>,
}

impl Plan {
    /// Adds the next chunk's plan to this one.
    fn absorb(&mut self, next: Plan) {
        self.new_people.append(next.new_people);
        self.new_members.append(next.new_members);
        self.joins.extend(next.joins);
        self.updates.extend(next.updates);
        self.moves.extend(next.moves);
        self.classes.extend(next.classes);
        self.memberships.extend(next.memberships);
        self.confirm.extend(next.confirm);
        self.audit.extend(next.audit);
    }
}

/// Writes the plans of one import inside its transaction.
struct Writer {
    state: AppState,
    txn: hocvuso_db::dialect::BulkTxn,
    /// Changes to the live counts `(unit, group, indicator, week)`, written at the end.
    count_deltas: BTreeMap<stats::WeekKey, stats::Delta>,
    now: chrono::DateTime<chrono::Utc>,
    /// Who imports (None: the command line), for the audit log.
    actor_id: Option<i64>,
}

impl Job<'_> {
    /// The unit as it is now: a merged unit's successor (following every merger).
    fn current<'u>(&'u self, mut u: &'u UnitRef) -> &'u UnitRef {
        for _ in 0..16 {
            let Some(next) = u
                .merged_into
                .and_then(|id| self.units.values().find(|x| x.id == id))
            else {
                break;
            };
            u = next;
        }
        u
    }

    /// Checks a row against the file so far and the org tree.
    fn resolve(&mut self, r: RosterRow) -> Option<Ready> {
        let line = r.line;
        let mut errors = Vec::new();
        let line32 = u32::try_from(line).unwrap_or(u32::MAX);
        if let Some(id) = &r.citizen_id {
            if let Some(first) = self.seen_citizen_ids.insert(id.key(), line32) {
                self.seen_citizen_ids.insert(id.key(), first);
                errors.push(format!(
                    "Số định danh cá nhân trùng với dòng {first}: mỗi người chỉ ghi một dòng."
                ));
            }
        }
        if let Some(p) = &r.phone {
            let key: u64 = p.as_str().parse().unwrap_or(0);
            if let Some(first) = self.seen_phones.insert(key, line32) {
                self.seen_phones.insert(key, first);
                errors.push(format!(
                    "Số điện thoại trùng với dòng {first}: mỗi người chỉ ghi một dòng, mỗi số điện thoại của một người."
                ));
            }
        }
        let (commune, commune_code) = match self.units.get(&r.commune_code) {
            Some(u) if u.is_commune => (Some(u), r.commune_code.clone()),
            _ => {
                // A name instead of a code: today's commune, or one merged into it in 2025.
                let key = hocvuso_import::communes::name_keys(&r.commune_code)
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                match self.names.get(&key).map(Vec::as_slice) {
                    Some([code]) => (self.units.get(code), code.clone()),
                    Some(codes) if codes.len() > 1 => {
                        errors.push(format!(
                            "“{}” là tên của nhiều xã, phường (mã {}): hãy ghi mã xã.",
                            r.commune_code,
                            codes.join(", ")
                        ));
                        (None, r.commune_code.clone())
                    }
                    _ => {
                        errors.push(format!(
                            "Mã xã “{}” không phải xã, phường nào của tỉnh (ghi mã xã mới, hoặc tên xã, phường trước khi sáp nhập).",
                            r.commune_code
                        ));
                        (None, r.commune_code.clone())
                    }
                }
            }
        };
        let member = match &r.unit_code {
            None => commune,
            Some(code) => match self.units.get(code).map(|u| self.current(u)) {
                Some(u) if hocvuso_db::repo::org::is_under(&u.path, &self.scope.path) => Some(u),
                Some(_) => {
                    errors.push(format!(
                        "Đơn vị có mã {code} không thuộc {}: bạn chỉ nhập được người của đơn vị mình phụ trách.",
                        self.scope.name
                    ));
                    None
                }
                None => {
                    errors.push(format!("Không có đơn vị nào mã “{code}”."));
                    None
                }
            },
        };
        // The commune is where the person lives. It must be the importer's, unless the row
        // names a unit of theirs: a school's officer imports the school's pupils, who live in
        // the communes around it.
        let member_is_theirs = r.unit_code.is_some() && member.is_some();
        if let Some(c) = commune {
            if !member_is_theirs && !hocvuso_db::repo::org::is_under(&c.path, &self.scope.path) {
                errors.push(format!(
                    "Xã có mã {commune_code} không thuộc {}: bạn chỉ nhập được người của đơn vị mình phụ trách.",
                    self.scope.name
                ));
            }
        }
        if !errors.is_empty() {
            for message in errors {
                self.report.error(RowError { line, message });
            }
            return None;
        }
        Some(Ready {
            residence_unit_id: commune?.id,
            member_unit_id: member?.id,
            row: r,
        })
    }

    /// Matches checked rows with the people already known and, in an import without errors
    /// so far, says what to write.
    async fn plan(&mut self, ready: Vec<Ready>) -> Result<Option<Plan>, Internal> {
        let read = self.state.db.read();
        let citizen_ids: Vec<String> = ready
            .iter()
            .filter_map(|r| r.row.citizen_id.as_ref().map(|c| c.as_str().to_owned()))
            .collect();
        let phones: Vec<String> = ready
            .iter()
            .filter_map(|r| r.row.phone.as_ref().map(|p| p.as_str().to_owned()))
            .collect();
        // People known before this import, read outside its transaction: rows this import
        // adds are never matched (a person appears once per file), and PostgreSQL plans
        // these lookups on the committed table, not on one growing inside the transaction.
        let known = roster::people_by_keys(read, &citizen_ids, &phones).await?;
        let by_id: HashMap<i64, &people::Person> = known.iter().map(|p| (p.id, p)).collect();
        let by_cid: HashMap<&str, i64> = known
            .iter()
            .filter_map(|p| p.citizen_id.as_deref().map(|c| (c, p.id)))
            .collect();
        let by_phone: HashMap<&str, i64> = known
            .iter()
            .filter_map(|p| p.phone.as_deref().map(|c| (c, p.id)))
            .collect();
        let ids: Vec<i64> = known.iter().map(|p| p.id).collect();
        let memberships = people::memberships_of(read, &ids).await?;
        let staff = people::staff_among(read, &ids).await?;
        let logins = people::with_login_among(read, &ids).await?;
        // Whose people a match is: the importer's when the person lives or is a member in
        // the importer's unit or below (the province sees everyone).
        let scope_path = self.scope.path.as_str();
        let unit_ids = &self.unit_ids;
        let under = |unit: i64| {
            unit_ids
                .get(&unit)
                .is_some_and(|(path, _)| org::is_under(path, scope_path))
        };
        let everyone = self.scope.everyone;
        let visible: std::collections::HashSet<i64> = known
            .iter()
            .filter(|p| {
                everyone
                    || p.residence_unit_id.is_some_and(under)
                    || memberships
                        .iter()
                        .any(|m| m.person_id == p.id && under(m.unit_id))
            })
            .map(|p| p.id)
            .collect();
        let unit_name = |id: i64| {
            unit_ids
                .get(&id)
                .map_or_else(|| id.to_string(), |(_, n)| n.clone())
        };
        let mut confirm = Vec::new();
        let mut audit: Vec<hocvuso_db::repo::audit::Entry> = Vec::new();

        let mut new_people = Vec::new();
        let mut new_members = Vec::new();
        let mut updates: Vec<(i64, roster::RosterPerson)> = Vec::new();
        let mut moves: Vec<(i64, i64, i64, String)> = Vec::new(); // membership, old unit, new unit, group
        let mut joins: Vec<(i64, String, i64)> = Vec::new();
        // The class of each join (same order), and of each new member.
        let mut join_classes: Vec<Option<String>> = Vec::new();
        let mut classes: Vec<(i64, String)> = Vec::new();
        for r in ready {
            let row = &r.row;
            let cid = row.citizen_id.as_ref().map(|c| c.as_str());
            let phone = row.phone.as_ref().map(|p| p.as_str());
            let by_c = cid.and_then(|c| by_cid.get(c).copied());
            let by_p = phone.and_then(|p| by_phone.get(p).copied());
            // Someone the importer may not see is never changed, moved or described.
            if [by_c, by_p]
                .into_iter()
                .flatten()
                .any(|p| !visible.contains(&p))
            {
                self.report.error(RowError {
                    line: row.line,
                    message: OTHER_UNIT.to_owned(),
                });
                continue;
            }
            let matched = match (by_c, by_p) {
                (Some(a), Some(b)) if a != b => {
                    self.report.error(RowError {
                        line: row.line,
                        message: "Số điện thoại này đã là của một người khác (có số định danh khác). Hãy kiểm tra lại số điện thoại.".to_owned(),
                    });
                    continue;
                }
                (Some(a), _) => Some(a),
                (None, Some(b)) => {
                    let other = by_id.get(&b).and_then(|p| p.citizen_id.as_deref());
                    if let (Some(theirs), Some(ours)) = (other, cid) {
                        if theirs != ours {
                            self.report.error(RowError {
                                line: row.line,
                                message: "Số điện thoại này đã là của một người có số định danh khác. Hãy kiểm tra lại số điện thoại hoặc số định danh.".to_owned(),
                            });
                            continue;
                        }
                    }
                    Some(b)
                }
                (None, None) => None,
            };
            let Some(pid) = matched else {
                new_people.push(person_of(&r, None));
                new_members.push((
                    r.row.group.code(),
                    r.member_unit_id,
                    r.row.class_name.clone(),
                ));
                self.report.added += 1;
                continue;
            };
            let Some(current) = by_id.get(&pid) else {
                continue;
            };
            // Two rows may reach one known person through an old phone number and a new one.
            let line32 = u32::try_from(row.line).unwrap_or(u32::MAX);
            if let Some(first) = self.matched.insert(pid, line32) {
                self.matched.insert(pid, first);
                self.report.error(RowError {
                    line: row.line,
                    message: format!("Dòng này và dòng {first} là cùng một người đã có trong hệ thống (trùng số định danh hoặc số điện thoại cũ). Hãy giữ một dòng."),
                });
                continue;
            }
            let wanted = person_of(&r, Some(current));
            let same_person = current.full_name == wanted.full_name
                && current.phone == wanted.phone
                && current.citizen_id == wanted.citizen_id
                && current.gender == wanted.gender
                && current.birth_year == Some(wanted.birth_year)
                && current.birth_date.as_deref() == Some(wanted.birth_date.as_str())
                && current.residence_unit_id == Some(wanted.residence_unit_id);
            if !same_person && staff.contains(&pid) {
                self.report.error(RowError {
                    line: row.line,
                    message: STAFF.to_owned(),
                });
                continue;
            }
            if logins.contains(&pid) && wanted.phone != current.phone {
                self.report.error(RowError {
                    line: row.line,
                    message: LOGIN_PHONE.to_owned(),
                });
                continue;
            }
            let group = row.group.code();
            let membership = memberships
                .iter()
                .find(|m| m.person_id == pid && m.group_code == group);
            let mut described = vec![if same_person {
                String::new()
            } else {
                changes(current, &wanted, &unit_name, true)
            }];
            // A class named in the row is the pupil's class now (a blank cell keeps the old).
            let new_class = match (membership, &row.class_name) {
                (Some(m), Some(class)) if m.class_name.as_deref() != Some(class.as_str()) => {
                    classes.push((m.id, class.clone()));
                    described.push(format!(
                        "lớp {} → {class}",
                        m.class_name.as_deref().unwrap_or("(chưa ghi)")
                    ));
                    true
                }
                _ => false,
            };
            match membership {
                Some(m) if m.unit_id == r.member_unit_id => {
                    if same_person && !new_class {
                        self.report.unchanged += 1;
                    } else {
                        self.report.updated += 1;
                    }
                }
                Some(m) => {
                    moves.push((m.id, m.unit_id, r.member_unit_id, group.to_owned()));
                    audit.push((
                        "roster_move".to_owned(),
                        pid.to_string(),
                        format!(
                            "nhóm {group}: {} → {}",
                            unit_name(m.unit_id),
                            unit_name(r.member_unit_id)
                        ),
                    ));
                    described.push(format!(
                        "chuyển {}: {} → {}",
                        row.group.name_vi(),
                        unit_name(m.unit_id),
                        unit_name(r.member_unit_id)
                    ));
                    self.report.moved += 1;
                }
                None => {
                    described.push(format!(
                        "thêm vào nhóm {} ở {}",
                        row.group.name_vi(),
                        unit_name(r.member_unit_id)
                    ));
                    joins.push((pid, group.to_owned(), r.member_unit_id));
                    join_classes.push(row.class_name.clone());
                    audit.push((
                        "roster_join".to_owned(),
                        pid.to_string(),
                        format!("nhóm {group}: {}", unit_name(r.member_unit_id)),
                    ));
                    self.report.updated += 1;
                }
            }
            self.report.change(row.line, current, &described);
            if row.citizen_id.is_some() {
                confirm.push(pid);
            }
            if !same_person {
                audit.push((
                    "roster_update".to_owned(),
                    pid.to_string(),
                    changes(current, &wanted, &unit_name, false),
                ));
                updates.push((pid, wanted));
            }
        }
        let Some(id_source) = self.ids.as_mut() else {
            return Ok(None);
        };
        if !self.report.is_ok() {
            return Ok(None);
        }
        let backend = read.get_database_backend();
        let ids = id_source.take(read, new_people.len()).await?;
        let people_rows =
            roster::people_rows(backend, ids.iter().copied().zip(&new_people), self.now);
        let member_rows = roster::membership_rows(
            backend,
            joins
                .iter()
                .zip(&join_classes)
                .map(|((p, g, u), c)| (*p, g.as_str(), *u, c.as_deref()))
                .chain(
                    ids.iter()
                        .zip(&new_members)
                        .map(|(p, (g, u, c))| (*p, *g, *u, c.as_deref())),
                ),
            self.now,
        );
        Ok(Some(Plan {
            new_people: people_rows,
            new_members: member_rows,
            joins,
            updates,
            moves,
            classes,
            memberships,
            confirm,
            audit,
        }))
    }
}

/// The fields a roster row changes of a person, each with its old value (audit log).
/// What changes, field by field: in full for the audit log, or with the phone and citizen ID
/// masked and the birth date not shown (`masked`, for the dry run's list).
fn changes(
    old: &people::Person,
    new: &roster::RosterPerson,
    unit_name: &dyn Fn(i64) -> String,
    masked: bool,
) -> String {
    use hocvuso_domain::mask;
    let show = |v: Option<&str>| v.unwrap_or("—").to_owned();
    let shown = |v: Option<&str>, hide: fn(&str) -> String| match v {
        Some(v) if masked => hide(v),
        other => show(other),
    };
    let mut out = Vec::new();
    let mut field = |name: &str, before: String, after: String| {
        if before.is_empty() && !after.is_empty() {
            out.push(format!("{name}: {after}"));
        } else if before != after {
            out.push(format!("{name}: {before} → {after}"));
        }
    };
    field("họ tên", old.full_name.clone(), new.full_name.clone());
    field(
        "số điện thoại",
        shown(old.phone.as_deref(), mask::phone),
        shown(new.phone.as_deref(), mask::phone),
    );
    field(
        "số định danh",
        shown(old.citizen_id.as_deref(), mask::citizen_id),
        shown(new.citizen_id.as_deref(), mask::citizen_id),
    );
    field(
        "giới tính",
        show(old.gender.as_deref()),
        show(new.gender.as_deref()),
    );
    if masked {
        // The dates themselves stay out of the list: only that one changes.
        let changed = old.birth_date.as_deref() != Some(new.birth_date.as_str());
        field(
            "ngày sinh",
            String::new(),
            if changed {
                "sửa".to_owned()
            } else {
                String::new()
            },
        );
    } else {
        field(
            "ngày sinh",
            show(old.birth_date.as_deref()),
            new.birth_date.clone(),
        );
    }
    field(
        "nơi ở",
        old.residence_unit_id
            .map_or_else(|| "—".to_owned(), unit_name),
        unit_name(new.residence_unit_id),
    );
    out.join("; ")
}

impl Writer {
    /// Writes plans as they come until there are no more, or until one cannot be written:
    /// then gives itself back (the transaction still open, for the caller to commit or roll
    /// back) with that plan's row error.
    async fn run(
        mut self,
        mut plans: tokio::sync::mpsc::Receiver<Plan>,
    ) -> Result<(Self, Option<RowError>), Internal> {
        while let Some(mut plan) = plans.recv().await {
            // Plans waiting already are written together: fewer, bigger statements when the
            // server is the slower side (one `COPY` of 20,000 rows instead of ten).
            while plan.new_people.len() + plan.updates.len() < WRITE_ROWS {
                match plans.try_recv() {
                    Ok(next) => plan.absorb(next),
                    Err(_) => break,
                }
            }
            if let Some(e) = self.write(plan).await? {
                return Ok((self, Some(e)));
            }
        }
        Ok((self, None))
    }

    /// Writes one chunk's plan: new people, updates, memberships and moves, and the count
    /// changes they bring. A row error when someone registered with a key of the file since
    /// it was read.
    async fn write(&mut self, plan: Plan) -> Result<Option<RowError>, Internal> {
        match self.write_plan(plan).await {
            Ok(()) => Ok(None),
            Err(e) if hocvuso_db::dialect::is_unique_violation(&e) => Ok(Some(RowError {
                line: 0,
                message: "Trong lúc nhập, có người vừa đăng ký cùng số điện thoại hoặc số định danh với một dòng của tệp. Chưa có gì được ghi; hãy nhập lại tệp (người đó sẽ được nhận ra).".to_owned(),
            })),
            Err(e) => Err(e.into()),
        }
    }

    async fn write_plan(&mut self, plan: Plan) -> Result<(), hocvuso_db::DbErr> {
        let Plan {
            new_people,
            new_members,
            joins,
            updates,
            moves,
            classes,
            memberships,
            confirm,
            audit,
        } = plan;
        let txn = &self.txn;
        // New people, then the memberships (theirs and known people's joins). New people have
        // achieved nothing yet: only the known people's joins can move counts.
        roster::insert_people(txn, new_people).await?;
        for (id, p) in &updates {
            roster::update_person(txn, *id, p).await?;
        }
        roster::insert_memberships(txn, new_members).await?;
        for (membership_id, _, to, _) in &moves {
            roster::move_membership(txn, *membership_id, *to).await?;
        }
        for (membership_id, class) in &classes {
            roster::set_class(txn, *membership_id, class).await?;
        }
        // The live counts follow memberships: a joined or moved member's achievements in
        // that group count in the new unit (and no longer in the old one).
        let person_of_membership: HashMap<i64, i64> =
            memberships.iter().map(|m| (m.id, m.person_id)).collect();
        let moved: Vec<(i64, i64, i64, &String)> = moves
            .iter()
            .filter_map(|(m, from, to, group)| {
                person_of_membership
                    .get(m)
                    .map(|person| (*person, *from, *to, group))
            })
            .collect();
        let touched: Vec<i64> = joins
            .iter()
            .map(|(p, _, _)| *p)
            .chain(moved.iter().map(|(p, ..)| *p))
            .collect();
        if !touched.is_empty() {
            let achieved = roster::achievements_of(txn, &touched).await?;
            let unconfirmed = people::unconfirmed_among(txn, &touched).await?;
            let one = |p: i64| stats::Delta::of(!unconfirmed.contains(&p), 1);
            // `(person, group)` → its achievements `(indicator, week)`.
            let mut achieved_by: HashMap<(i64, &str), Vec<(&String, &String)>> = HashMap::new();
            for (p, g, indicator, week) in &achieved {
                achieved_by
                    .entry((*p, g.as_str()))
                    .or_default()
                    .push((indicator, week));
            }
            for (pid, group, unit) in &joins {
                for (indicator, week) in achieved_by
                    .get(&(*pid, group.as_str()))
                    .into_iter()
                    .flatten()
                {
                    *self
                        .count_deltas
                        .entry((*unit, group.clone(), (*indicator).clone(), (*week).clone()))
                        .or_default() += one(*pid);
                }
            }
            for (person, from, to, group) in &moved {
                for (indicator, week) in achieved_by
                    .get(&(*person, group.as_str()))
                    .into_iter()
                    .flatten()
                {
                    *self
                        .count_deltas
                        .entry((
                            *from,
                            (*group).clone(),
                            (*indicator).clone(),
                            (*week).clone(),
                        ))
                        .or_default() -= one(*person);
                    *self
                        .count_deltas
                        .entry((*to, (*group).clone(), (*indicator).clone(), (*week).clone()))
                        .or_default() += one(*person);
                }
            }
        }
        // A known person who joins a group may already have done what it requires: the spine
        // records and counts that achievement now, as a pass would have (after the counts
        // above, which move achievements that already existed).
        let joined: Vec<i64> = joins.iter().map(|(p, _, _)| *p).collect();
        crate::services::learning::progress::record_achievements(
            txn,
            &self.state.catalog.current(),
            &joined,
            |_| Some(self.now),
        )
        .await?;
        // Matched by citizen ID: confirmed from now on; their achievements move to the
        // confirmed counts of the units they belong to now (after the moves above).
        crate::services::learning::progress::confirm_people(txn, &confirm, "roster", self.now)
            .await?;
        if let Some(actor) = self.actor_id {
            hocvuso_db::repo::audit::record_many(txn, actor, &audit, self.now).await?;
        }
        Ok(())
    }
}

/// The person a row describes; an existing person keeps their phone and citizen ID when the
/// row leaves them empty.
fn person_of(r: &Ready, current: Option<&&people::Person>) -> roster::RosterPerson {
    let row = &r.row;
    roster::RosterPerson {
        full_name: row.full_name.as_str().to_owned(),
        phone: row
            .phone
            .as_ref()
            .map(|p| p.as_str().to_owned())
            .or_else(|| current.and_then(|c| c.phone.clone())),
        citizen_id: row
            .citizen_id
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .or_else(|| current.and_then(|c| c.citizen_id.clone())),
        gender: row
            .gender
            .map(|g| g.code().to_owned())
            .or_else(|| current.and_then(|c| c.gender.clone())),
        birth_year: row.birth.year,
        birth_date: row.birth.stored(),
        residence_unit_id: r.residence_unit_id,
    }
}

/// Commune codes by folded name: today's names (with and without "Xã"/"Phường") and the
/// names of the units merged into each in 2025 (an old name shared by several new communes
/// maps to all of them).
fn commune_names(
    units: &HashMap<String, UnitRef>,
) -> Result<HashMap<String, Vec<String>>, Internal> {
    let mut names: HashMap<String, Vec<String>> = HashMap::new();
    let mut add = |name: &str, code: &str| {
        for key in hocvuso_import::communes::name_keys(name) {
            let codes = names.entry(key).or_default();
            if !codes.iter().any(|c| c == code) {
                codes.push(code.to_owned());
            }
        }
    };
    for (code, u) in units {
        if u.is_commune {
            add(&u.name, code);
        }
    }
    let old =
        hocvuso_import::communes::parse_populations(crate::services::setup::seed::POPULATION_CSV)
            .map_err(|e| Internal::Other(e.to_string()))?;
    for c in &old {
        for p in &c.predecessors {
            add(p, &c.code);
        }
    }
    for codes in names.values_mut() {
        codes.sort();
    }
    Ok(names)
}

/// One roster import as its page lists it, with the name of the unit it was made into.
pub struct ImportSummary {
    pub import: roster::RosterImport,
    pub unit_name: String,
}

/// The latest `limit` imports into the scope's unit and the units below it.
pub async fn recent_imports<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    limit: u64,
) -> Result<Vec<ImportSummary>, Internal> {
    let units = org::all(conn).await?;
    let in_scope: Vec<i64> = units
        .iter()
        .filter(|u| org::is_under(&u.path, &scope.path))
        .map(|u| u.id)
        .collect();
    let name_of = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    Ok(roster::recent_imports(conn, &in_scope, limit)
        .await?
        .into_iter()
        .map(|import| ImportSummary {
            unit_name: name_of(import.scope_unit_id),
            import,
        })
        .collect())
}

/// The scope of a unit by code (the province for the command line).
pub async fn scope_of<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
) -> Result<Option<Scope>, Internal> {
    Ok(org::by_id(conn, unit_id).await?.map(|u| Scope {
        everyone: u.kind == org::KIND_PROVINCE,
        unit_id: u.id,
        path: u.path,
        name: u.name,
    }))
}

/// The province's scope (everything).
pub async fn province_scope<C: ConnectionTrait>(conn: &C) -> Result<Option<Scope>, Internal> {
    Ok(crate::services::people::org::province(conn)
        .await?
        .map(|u| Scope {
            unit_id: u.id,
            path: u.path,
            name: u.name,
            everyone: true,
        }))
}
