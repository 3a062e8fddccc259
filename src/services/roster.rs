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
use hocvuso_db::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
use hocvuso_import::roster::{self as parse, Columns, RosterRow, HEADER_SEARCH_LINES};
use hocvuso_import::stream::{Row, SheetNotes};
use hocvuso_import::RowError;
use sha2::Digest;

use super::Internal;
use crate::state::AppState;

/// Rows read and checked together (one round of lookups and writes).
const CHUNK: usize = 2_000;
/// Errors kept for showing (all are counted).
pub const ERRORS_SHOWN: usize = 500;

/// Whose rights an import runs with: a unit (the province for the province admin and the
/// command line) and everything under it.
#[derive(Debug, Clone)]
pub struct Scope {
    pub unit_id: i64,
    pub path: String,
    pub name: String,
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
    /// The first [`ERRORS_SHOWN`] errors, in file order; `error_count` counts them all.
    pub errors: Vec<RowError>,
    pub error_count: usize,
    pub ignored_columns: Vec<String>,
    pub encoding: &'static str,
    /// True when the import was written.
    pub applied: bool,
}

impl Report {
    fn error(&mut self, e: RowError) {
        self.error_count += 1;
        if self.errors.len() < ERRORS_SHOWN {
            self.errors.push(e);
        }
    }

    pub fn is_ok(&self) -> bool {
        self.error_count == 0
    }
}

/// A unit as rows name it.
struct UnitRef {
    id: i64,
    path: String,
    is_commune: bool,
}

/// A checked row with its units resolved.
struct Ready {
    row: RosterRow,
    residence_unit_id: i64,
    member_unit_id: i64,
}

/// Messages from the reading thread.
enum Msg {
    Notes(SheetNotes),
    Rows(Vec<Row>),
    Failed(hocvuso_import::table::TableError),
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
    let sha256 = super::hex(&sha2::Sha256::digest(&bytes));
    let units: HashMap<String, UnitRef> = org::all(state.db.read())
        .await?
        .into_iter()
        .map(|u| {
            (
                u.code,
                UnitRef {
                    id: u.id,
                    path: u.path,
                    is_commune: u.kind == org::KIND_COMMUNE,
                },
            )
        })
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(4);
    let reader = tokio::task::spawn_blocking(move || {
        let notes_tx = tx.clone();
        let result = hocvuso_import::stream::read_rows(
            &bytes,
            CHUNK,
            |n| {
                let _ = notes_tx.blocking_send(Msg::Notes(n));
            },
            |rows| tx.blocking_send(Msg::Rows(rows)).is_ok(),
        );
        if let Err(e) = result {
            let _ = tx.blocking_send(Msg::Failed(e));
        }
    });

    let txn = match mode {
        Mode::Apply => Some(state.db.write().begin().await?),
        Mode::DryRun => None,
    };
    let mut job = Job {
        state,
        scope,
        units: &units,
        txn: txn.as_ref(),
        report: Report::default(),
        notes: SheetNotes::default(),
        columns: None,
        seen_citizen_ids: HashMap::new(),
        seen_phones: HashMap::new(),
        count_deltas: BTreeMap::new(),
        current_year: state.clock.year(),
        now: state.clock.now(),
    };
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Notes(n) => {
                job.report.encoding = n.encoding;
                job.notes = n;
            }
            Msg::Failed(e) => job.report.error(RowError {
                line: 0,
                message: e.to_string(),
            }),
            Msg::Rows(rows) => {
                job.chunk(rows).await?;
                // An import stops at the first error: nothing will be kept anyway.
                if mode == Mode::Apply && !job.report.is_ok() {
                    break;
                }
            }
        }
    }
    drop(rx);
    reader
        .await
        .map_err(|e| Internal::Other(format!("roster reader: {e}")))?;
    if job.columns.is_none() && job.report.is_ok() {
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
    let deltas = std::mem::take(&mut job.count_deltas);
    let mut report = job.report;
    if let Some(txn) = txn {
        if !report.is_ok() {
            txn.rollback().await?;
            return Ok(report);
        }
        for ((unit, group, indicator), delta) in deltas {
            if delta != 0 {
                stats::add_to_count(&txn, unit, &group, &indicator, delta).await?;
            }
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
        txn.commit().await?;
        report.applied = true;
    }
    Ok(report)
}

/// The state of one import while its chunks go by.
struct Job<'a> {
    state: &'a AppState,
    scope: &'a Scope,
    units: &'a HashMap<String, UnitRef>,
    txn: Option<&'a DatabaseTransaction>,
    report: Report,
    notes: SheetNotes,
    columns: Option<Columns>,
    /// Keys seen so far in the file → their line (a person appears once per file).
    seen_citizen_ids: HashMap<u64, u32>,
    seen_phones: HashMap<u64, u32>,
    /// Changes to the live counts `(unit, group, indicator)`, written at the end.
    count_deltas: BTreeMap<(i64, String, String), i64>,
    current_year: i32,
    now: chrono::DateTime<chrono::Utc>,
}

impl Job<'_> {
    async fn chunk(&mut self, rows: Vec<Row>) -> Result<(), Internal> {
        let mut ready = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(cols) = &self.columns else {
                if row.line > HEADER_SEARCH_LINES {
                    continue;
                }
                match parse::header(&row) {
                    Ok(Some(c)) => {
                        self.header_found(&c);
                        self.columns = Some(c);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        self.report.error(e);
                        // A header with missing columns: stop looking (rows can't be read).
                        self.columns = None;
                        return Ok(());
                    }
                }
                continue;
            };
            if row.is_blank() {
                self.report.blank += 1;
                continue;
            }
            self.report.rows += 1;
            match parse::parse_row(cols, &row, self.current_year) {
                Err(errors) => errors.into_iter().for_each(|e| self.report.error(e)),
                Ok(r) => {
                    if let Some(ok) = self.resolve(r) {
                        ready.push(ok);
                    }
                }
            }
        }
        if !ready.is_empty() {
            self.match_and_write(ready).await?;
        }
        Ok(())
    }

    /// Refuses merged cells and formulas below the header (the values would not be what the
    /// officer sees or means).
    fn header_found(&mut self, cols: &Columns) {
        self.report.ignored_columns = cols.ignored.clone();
        let merged: Vec<String> = self
            .notes
            .merged
            .iter()
            .filter(|m| m.last_line > cols.line)
            .map(|m| m.name())
            .collect();
        if !merged.is_empty() {
            self.report.error(RowError {
                line: 0,
                message: format!(
                    "Bảng có ô gộp ({}): mỗi người một dòng, mỗi ô một giá trị. Hãy bỏ gộp ô (Merge & Center) rồi ghi đủ giá trị vào từng ô.",
                    merged.join(", ")
                ),
            });
        }
        let formulas: Vec<String> = self
            .notes
            .formulas
            .iter()
            .filter(|(line, _)| *line > cols.line)
            .map(|(line, col)| format!("{}{line}", hocvuso_import::stream::column_name(*col)))
            .collect();
        if !formulas.is_empty() {
            let more = self.notes.formula_count.saturating_sub(formulas.len());
            self.report.error(RowError {
                line: 0,
                message: format!(
                    "Bảng có ô chứa công thức ({}{}): hãy chép cả bảng rồi dán dạng giá trị (Paste Special → Values) trước khi nhập.",
                    formulas.join(", "),
                    if more > 0 { format!(" và {more} ô khác") } else { String::new() }
                ),
            });
        }
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
        let commune = match self.units.get(&r.commune_code) {
            Some(u) if u.is_commune => Some(u),
            _ => {
                errors.push(format!(
                    "Mã xã “{}” không phải xã, phường nào của tỉnh (xem cột Mã xã trong tệp mẫu).",
                    r.commune_code
                ));
                None
            }
        };
        if let Some(c) = commune {
            if !c.path.starts_with(&self.scope.path) {
                errors.push(format!(
                    "Xã có mã {} không thuộc {}: bạn chỉ nhập được người của đơn vị mình phụ trách.",
                    r.commune_code, self.scope.name
                ));
            }
        }
        let member = match &r.unit_code {
            None => commune,
            Some(code) => match self.units.get(code) {
                Some(u) if u.path.starts_with(&self.scope.path) => Some(u),
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

    /// Matches checked rows with the people already known, then (in an import) writes them.
    async fn match_and_write(&mut self, ready: Vec<Ready>) -> Result<(), Internal> {
        let read = self.state.db.read();
        let citizen_ids: Vec<String> = ready
            .iter()
            .filter_map(|r| r.row.citizen_id.as_ref().map(|c| c.as_str().to_owned()))
            .collect();
        let phones: Vec<String> = ready
            .iter()
            .filter_map(|r| r.row.phone.as_ref().map(|p| p.as_str().to_owned()))
            .collect();
        let known = match self.txn {
            Some(t) => roster::people_by_keys(t, &citizen_ids, &phones).await?,
            None => roster::people_by_keys(read, &citizen_ids, &phones).await?,
        };
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
        let memberships = match self.txn {
            Some(t) => people::memberships_of(t, &ids).await?,
            None => people::memberships_of(read, &ids).await?,
        };

        let mut new_people = Vec::new();
        let mut new_rows = Vec::new();
        let mut updates: Vec<(i64, roster::RosterPerson)> = Vec::new();
        let mut moves: Vec<(i64, i64, i64, String)> = Vec::new(); // membership, old unit, new unit, group
        let mut joins: Vec<(i64, String, i64)> = Vec::new();
        for r in ready {
            let row = &r.row;
            let cid = row.citizen_id.as_ref().map(|c| c.as_str());
            let phone = row.phone.as_ref().map(|p| p.as_str());
            let by_c = cid.and_then(|c| by_cid.get(c).copied());
            let by_p = phone.and_then(|p| by_phone.get(p).copied());
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
                new_rows.push(r);
                self.report.added += 1;
                continue;
            };
            let Some(current) = by_id.get(&pid) else {
                continue;
            };
            let wanted = person_of(&r, Some(current));
            let same_person = current.full_name == wanted.full_name
                && current.phone == wanted.phone
                && current.citizen_id == wanted.citizen_id
                && current.gender == wanted.gender
                && current.birth_year == Some(wanted.birth_year)
                && current.birth_date.as_deref() == Some(wanted.birth_date.as_str())
                && current.residence_unit_id == Some(wanted.residence_unit_id);
            let group = row.group.code();
            let membership = memberships
                .iter()
                .find(|m| m.person_id == pid && m.group_code == group);
            match membership {
                Some(m) if m.unit_id == r.member_unit_id => {
                    if same_person {
                        self.report.unchanged += 1;
                    } else {
                        self.report.updated += 1;
                    }
                }
                Some(m) => {
                    moves.push((m.id, m.unit_id, r.member_unit_id, group.to_owned()));
                    self.report.moved += 1;
                }
                None => {
                    joins.push((pid, group.to_owned(), r.member_unit_id));
                    self.report.updated += 1;
                }
            }
            if !same_person {
                updates.push((pid, wanted));
            }
        }
        let Some(txn) = self.txn else {
            return Ok(());
        };
        if !self.report.is_ok() {
            return Ok(());
        }
        // New people, then their memberships (ids come back from the insert).
        let inserted = roster::insert_people(txn, &new_people, self.now).await?;
        let mut id_of_cid: HashMap<&str, i64> = HashMap::new();
        let mut id_of_phone: HashMap<&str, i64> = HashMap::new();
        for p in &inserted {
            if let Some(c) = p.citizen_id.as_deref() {
                id_of_cid.insert(c, p.id);
            }
            if let Some(ph) = p.phone.as_deref() {
                id_of_phone.insert(ph, p.id);
            }
        }
        for r in &new_rows {
            let id = r
                .row
                .citizen_id
                .as_ref()
                .and_then(|c| id_of_cid.get(c.as_str()))
                .or_else(|| {
                    r.row
                        .phone
                        .as_ref()
                        .and_then(|p| id_of_phone.get(p.as_str()))
                });
            if let Some(id) = id {
                joins.push((*id, r.row.group.code().to_owned(), r.member_unit_id));
            }
        }
        for (id, p) in &updates {
            roster::update_person(txn, *id, p).await?;
        }
        roster::insert_memberships(txn, &joins, self.now).await?;
        for (membership_id, _, to, _) in &moves {
            roster::move_membership(txn, *membership_id, *to).await?;
        }
        // The live counts follow memberships: a joined or moved member's achievements in
        // that group count in the new unit (and no longer in the old one).
        let touched: Vec<i64> = joins
            .iter()
            .map(|(p, _, _)| *p)
            .chain(
                moves
                    .iter()
                    .filter_map(|(m, ..)| memberships.iter().find(|x| x.id == *m))
                    .map(|m| m.person_id),
            )
            .collect();
        if !touched.is_empty() {
            let achieved = roster::achievements_of(txn, &touched).await?;
            for (pid, group, unit) in &joins {
                for (_, _, indicator) in achieved.iter().filter(|(p, g, _)| p == pid && g == group)
                {
                    *self
                        .count_deltas
                        .entry((*unit, group.clone(), indicator.clone()))
                        .or_default() += 1;
                }
            }
            for (membership_id, from, to, group) in &moves {
                let Some(m) = memberships.iter().find(|x| x.id == *membership_id) else {
                    continue;
                };
                for (_, _, indicator) in achieved
                    .iter()
                    .filter(|(p, g, _)| *p == m.person_id && g == group)
                {
                    *self
                        .count_deltas
                        .entry((*from, group.clone(), indicator.clone()))
                        .or_default() -= 1;
                    *self
                        .count_deltas
                        .entry((*to, group.clone(), indicator.clone()))
                        .or_default() += 1;
                }
            }
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

/// The scope of a unit by code (the province for the command line).
pub async fn scope_of<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
) -> Result<Option<Scope>, Internal> {
    Ok(org::by_id(conn, unit_id).await?.map(|u| Scope {
        unit_id: u.id,
        path: u.path,
        name: u.name,
    }))
}

/// The province's scope (everything).
pub async fn province_scope<C: ConnectionTrait>(conn: &C) -> Result<Option<Scope>, Internal> {
    Ok(org::of_kind(conn, org::KIND_PROVINCE)
        .await?
        .into_iter()
        .next()
        .map(|u| Scope {
            unit_id: u.id,
            path: u.path,
            name: u.name,
        }))
}
