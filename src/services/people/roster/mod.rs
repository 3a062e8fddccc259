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
use hocvuso_domain::{AuditAction, UnitKind};
use hocvuso_import::roster::{self as parse, Columns, RosterRow, HEADER_SEARCH_LINES};
use hocvuso_import::stream::{Row, SheetNotes};
use hocvuso_import::RowError;
use sha2::Digest;

use crate::services::runtime::Runtime;
use crate::services::shared::imports;
use crate::services::Internal;

/// Rows read and checked together (one round of lookups).
mod plan;
mod write;

use plan::{Job, Plan};
use write::Writer;

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
    state: &Runtime,
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
            let is_commune = u.is(UnitKind::Commune);
            (
                u.code,
                UnitRef {
                    is_commune,
                    id: u.id,
                    name: u.name,
                    path: u.path,
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
                AuditAction::ImportRosterDryRun,
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
                AuditAction::ImportRoster,
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
        everyone: u.is(UnitKind::Province),
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
