//! Planning an import chunk by chunk: each row matched with the people known before the import
//! (citizen ID, else phone number, only inside what the importer may see), what it would change
//! (for the dry run's list and the audit log), and the rows prepared for the bulk load.

use std::collections::HashMap;

use hocvuso_db::repo::{org, people, roster};
use hocvuso_db::ConnectionTrait;
use hocvuso_domain::AuditAction;
use hocvuso_import::roster::RosterRow;
use hocvuso_import::RowError;

use crate::services::runtime::Runtime;
use crate::services::Internal;

use super::*;

/// The state of one import while its chunks go by.
pub(super) struct Job<'a> {
    pub(super) state: &'a Runtime,
    pub(super) scope: &'a Scope,
    pub(super) units: &'a HashMap<String, UnitRef>,
    /// Commune codes by folded name, current and before the 2025 merger.
    pub(super) names: &'a HashMap<String, Vec<String>>,
    /// Ids for new people, in an import (none in a dry run): only then are plans made for
    /// writing.
    pub(super) ids: Option<hocvuso_db::dialect::IdReserver>,
    pub(super) now: chrono::DateTime<chrono::Utc>,
    pub(super) report: Report,
    /// Keys seen so far in the file → their line (a person appears once per file).
    pub(super) seen_citizen_ids: HashMap<u64, u32>,
    pub(super) seen_phones: HashMap<u64, u32>,
    /// Known people matched so far → the line that matched them.
    pub(super) matched: HashMap<i64, u32>,
    /// Unit id → (path, name), to test whose people a match is and to name units in the
    /// audit log.
    pub(super) unit_ids: HashMap<i64, (String, String)>,
}

/// A match with someone the importer may not see: the same words whether the citizen ID or
/// the phone number matched, and nothing about who or where (issue 16).
pub(super) const OTHER_UNIT: &str = "Người này thuộc đơn vị khác (trùng số định danh hoặc số điện thoại với một người không do bạn phụ trách): danh sách không sửa được người đó. Nếu người này đã chuyển đến đơn vị của bạn, hãy gửi đề nghị chuyển (trang “Chuyển người giữa các đơn vị”, /danh-sach/chuyen) để cán bộ đơn vị cũ hoặc cấp tỉnh đồng ý.";
/// A staff member's record changes only on their page, by the province admin.
pub(super) const STAFF: &str = "Người này là cán bộ có tài khoản quản lý: danh sách không sửa được thông tin của họ. Nếu cần sửa, hãy nhờ quản trị cấp tỉnh sửa trên trang của người đó.";
/// The phone number someone signs in with changes only on their page, by the province admin.
pub(super) const LOGIN_PHONE: &str = "Người này đã có tài khoản đăng nhập bằng số điện thoại khác với số trong danh sách: danh sách không đổi số đăng nhập. Hãy giữ số cũ trong tệp, hoặc nhờ quản trị cấp tỉnh đổi trên trang của người đó.";

/// What one chunk will write, decided by matching it with the people known before the import.
/// New rows come prepared for the bulk load (ids reserved, values encoded), so that the
/// writer only sends them.
pub(super) struct Plan {
    pub(super) new_people: hocvuso_db::dialect::BulkRows,
    /// The new people's memberships and the known people's joins.
    pub(super) new_members: hocvuso_db::dialect::BulkRows,
    /// Known people joining a group: `(person, group, unit)`.
    pub(super) joins: Vec<(i64, String, i64)>,
    pub(super) updates: Vec<(i64, roster::RosterPerson)>,
    /// `(membership, old unit, new unit, group)`.
    pub(super) moves: Vec<(i64, i64, i64, String)>,
    /// `(membership, class)`: a known pupil's class named anew.
    pub(super) classes: Vec<(i64, String)>,
    /// The known people's memberships before the import.
    pub(super) memberships: Vec<people::Membership>,
    /// Known people a row names with their citizen ID: confirmed (a roster match).
    pub(super) confirm: Vec<i64>,
    /// What the import changes of each known person, with the old values (audit log).
    pub(super) audit: Vec<hocvuso_db::repo::audit::Entry>,
}

impl Plan {
    /// Adds the next chunk's plan to this one.
    pub(super) fn absorb(&mut self, next: Plan) {
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

impl Job<'_> {
    /// The unit as it is now: a merged unit's successor (following every merger).
    pub(super) fn current<'u>(&'u self, mut u: &'u UnitRef) -> &'u UnitRef {
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
    pub(super) fn resolve(&mut self, r: RosterRow) -> Option<Ready> {
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
    pub(super) async fn plan(&mut self, ready: Vec<Ready>) -> Result<Option<Plan>, Internal> {
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
                        AuditAction::RosterMove,
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
                        AuditAction::RosterJoin,
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
                    AuditAction::RosterUpdate,
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
pub(super) fn changes(
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

/// The person a row describes; an existing person keeps their phone and citizen ID when the
/// row leaves them empty.
pub(super) fn person_of(r: &Ready, current: Option<&&people::Person>) -> roster::RosterPerson {
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
