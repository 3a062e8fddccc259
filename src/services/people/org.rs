//! The province manages its org tree: departments, schools, enterprises and cooperatives,
//! youth-union branches, community digital technology teams and villages; officers and helpers
//! assigned to units; renames, moves and mergers, each kept in the unit's history. Roll-ups
//! follow the tree (paths), and a merger moves members with their counts, so the figures stay
//! exact (`stats verify`). Province admin only.

use std::collections::BTreeMap;

use hocvuso_db::repo::{org, people, roster, stats};
use hocvuso_db::{ConnectionTrait, TransactionTrait};
use hocvuso_domain::{PhoneNumber, Role, UnitKind};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::form::FieldErrors;
use crate::services::Internal;

/// The Vietnamese name of a unit kind's code ("Đơn vị" for a code this version does not know).
pub fn kind_name(code: &str) -> &'static str {
    UnitKind::from_code(code).map_or("Đơn vị", UnitKind::name_vi)
}

/// The kinds a unit may have under it.
pub fn kinds_under(parent: &org::OrgUnit) -> Vec<UnitKind> {
    let Some(parent) = parent.unit_kind() else {
        return Vec::new();
    };
    UnitKind::ALL
        .iter()
        .copied()
        .filter(|k| k.may_sit_under(parent))
        .collect()
}

fn admin(user: &SessionUser) -> Result<(), Internal> {
    if user.is_province_admin() {
        Ok(())
    } else {
        Err(Internal::Other("org tree: province admin only".into()))
    }
}

fn check_name(name: &str, errors: &mut FieldErrors) -> Option<String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(("name", "Hãy ghi tên đơn vị.".to_owned()));
        None
    } else if name.chars().count() > 150 {
        errors.push(("name", "Tên đơn vị dài quá 150 ký tự.".to_owned()));
        None
    } else {
        Some(hocvuso_domain::text::nfc(&name))
    }
}

/// A unit as its page shows it: the whole tree (for names and counts), the sub-units, the
/// people granted a role in it and its history with who made each change.
pub struct Overview {
    pub unit: org::OrgUnit,
    pub all: Vec<org::OrgUnit>,
    pub children: Vec<org::OrgUnit>,
    pub grants: Vec<(people::RoleGrant, people::Person)>,
    pub history: Vec<(org::OrgChange, String)>,
}

/// The unit with this code and what its page shows; `None` when there is none.
pub async fn overview<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<Option<Overview>, Internal> {
    let Some(unit) = org::by_code(conn, code).await? else {
        return Ok(None);
    };
    let mut grants = Vec::new();
    for g in people::grants_in(conn, unit.id).await? {
        if let Some(p) = people::person_by_id(conn, g.person_id).await? {
            grants.push((g, p));
        }
    }
    let mut history = Vec::new();
    for c in org::changes(conn, unit.id).await? {
        let by = match c.actor_id {
            Some(id) => people::person_by_id(conn, id)
                .await?
                .map(|p| p.full_name)
                .unwrap_or_default(),
            None => String::new(),
        };
        history.push((c, by));
    }
    Ok(Some(Overview {
        all: org::all(conn).await?,
        children: org::children(conn, unit.id).await?,
        unit,
        grants,
        history,
    }))
}

/// The units a staff member manages: an officer's units and every unit below them; `None` for
/// the province admin (every unit). Honours and classes look up what an officer may reach here.
pub async fn managed_units(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Option<Vec<org::OrgUnit>>, Internal> {
    if user.is_province_admin() {
        return Ok(None);
    }
    let tree = tree(state).await?;
    let mine: Vec<&org::OrgUnit> = tree
        .iter()
        .filter(|u| user.officer_units().any(|id| id == u.id))
        .collect();
    Ok(Some(
        tree.iter()
            .filter(|u| {
                mine.iter()
                    .any(|m| m.id == u.id || org::is_under(&u.path, &m.path))
            })
            .cloned()
            .collect(),
    ))
}

/// The units a staff member may act for (propose, organise): [`managed_units`] still in use
/// (merged ones left out), in the tree's order.
pub async fn units_to_act_for(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Vec<org::OrgUnit>, Internal> {
    let units = match managed_units(state, user).await? {
        Some(units) => units,
        None => tree(state).await?.to_vec(),
    };
    Ok(units
        .into_iter()
        .filter(|u| u.merged_into_id.is_none())
        .collect())
}

/// These units and every unit above them (ids, from the tree in memory): where a person lives
/// or belongs, widened to everything addressed to them (classes, news).
pub async fn with_units_above(state: &Runtime, own: &[i64]) -> Result<Vec<i64>, Internal> {
    let tree = tree(state).await?;
    let own: Vec<&org::OrgUnit> = tree.iter().filter(|u| own.contains(&u.id)).collect();
    Ok(tree
        .iter()
        .filter(|u| {
            own.iter()
                .any(|o| o.id == u.id || org::is_under(&o.path, &u.path))
        })
        .map(|u| u.id)
        .collect())
}

/// Every unit of the tree (merged ones too), by id: the copy in memory, as of the last change
/// any process made (`services::shared::versioned`). For pages that read the whole tree on every
/// request (dashboards); writes read the table inside their own transaction instead.
pub async fn tree(state: &Runtime) -> Result<std::sync::Arc<Vec<org::OrgUnit>>, Internal> {
    let db = state.db.read();
    Ok(state.org_tree.get(db, 0, || org::all(db)).await?)
}

/// The unit with this code.
pub async fn unit_by_code<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<Option<org::OrgUnit>, Internal> {
    Ok(org::by_code(conn, code).await?)
}

/// The province (the top of the tree).
pub async fn province<C: ConnectionTrait>(conn: &C) -> Result<Option<org::OrgUnit>, Internal> {
    Ok(org::of_kind(conn, UnitKind::Province)
        .await?
        .into_iter()
        .next())
}

/// Every commune, sorted by name as a Vietnamese reader expects (in Vietnamese alphabetical
/// order, ignoring "Xã"/"Phường"/"Đặc khu").
pub async fn communes_by_name<C: ConnectionTrait>(conn: &C) -> Result<Vec<org::OrgUnit>, Internal> {
    let mut units = org::of_kind(conn, UnitKind::Commune).await?;
    let key = |name: &str| {
        let bare = ["Đặc khu ", "Phường ", "Xã "]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .unwrap_or(name);
        hocvuso_domain::text::vietnamese_key(bare)
    };
    units.sort_by_cached_key(|u| key(&u.name));
    Ok(units)
}

/// Every commune as [`communes_by_name`] sorts them, each with the names of the communes and
/// wards merged into it in 2025 (people who know only the old name find theirs).
pub async fn communes_with_old_names<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(org::OrgUnit, Vec<String>)>, Internal> {
    let old =
        hocvuso_import::communes::parse_populations(crate::services::setup::seed::POPULATION_CSV)
            .map_err(|e| Internal::Other(e.to_string()))?;
    Ok(communes_by_name(conn)
        .await?
        .into_iter()
        .map(|u| {
            let before = old
                .iter()
                .find(|c| c.code == u.code)
                .map(|c| {
                    c.predecessors
                        .iter()
                        .filter(|p| **p != u.name)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            (u, before)
        })
        .collect())
}

/// Whether a unit is a commune (the level whose helpers keep a support log).
pub fn is_commune(unit: &org::OrgUnit) -> bool {
    unit.is(UnitKind::Commune)
}

/// Whether a unit of this kind may move to another parent (not the province, not a commune).
pub fn movable(unit: &org::OrgUnit) -> bool {
    !unit.is(UnitKind::Province) && !unit.is(UnitKind::Commune)
}

/// Adds a unit under `parent`. An empty code gets one made from the parent's
/// (`24781-3`); a given code is 2 to 30 letters, digits, `-`, `.` or `_`, unused.
pub async fn create(
    state: &Runtime,
    user: &SessionUser,
    parent: &org::OrgUnit,
    kind: &str,
    name: &str,
    code: &str,
) -> Result<Result<org::OrgUnit, FieldErrors>, Internal> {
    admin(user)?;
    let mut errors: FieldErrors = Vec::new();
    let kind = kinds_under(parent).into_iter().find(|k| k.code() == kind);
    if kind.is_none() {
        errors.push(("kind", "Hãy chọn loại đơn vị.".to_owned()));
    }
    let name = check_name(name, &mut errors);
    let db = state.db.read();
    let code = code.trim().to_owned();
    let code = if code.is_empty() {
        let mut n = org::children(db, parent.id).await?.len() + 1;
        loop {
            let c = format!("{}-{n}", parent.code);
            if org::by_code(db, &c).await?.is_none() {
                break Some(c);
            }
            n += 1;
        }
    } else if !(2..=30).contains(&code.chars().count())
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        errors.push((
            "code",
            "Mã đơn vị gồm 2 đến 30 chữ cái không dấu, chữ số, dấu - . hoặc _.".to_owned(),
        ));
        None
    } else if org::by_code(db, &code).await?.is_some() {
        errors.push(("code", format!("Đã có đơn vị mã {code}.")));
        None
    } else {
        Some(code)
    };
    let (Some(kind), Some(name), Some(code)) = (kind, name, code) else {
        return Ok(Err(errors));
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    let unit = org::insert(
        &txn,
        org::NewUnit {
            code: &code,
            name: &name,
            kind,
            commune_type: None,
            parent: Some(parent),
        },
        now,
    )
    .await?;
    org::record_change(
        &txn,
        unit.id,
        "create",
        "",
        &format!("{name} ({code}) dưới {}", parent.name),
        Some(user.person_id),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(unit))
}

pub async fn rename(
    state: &Runtime,
    user: &SessionUser,
    unit: &org::OrgUnit,
    name: &str,
) -> Result<Result<(), FieldErrors>, Internal> {
    admin(user)?;
    let mut errors: FieldErrors = Vec::new();
    let Some(name) = check_name(name, &mut errors) else {
        return Ok(Err(errors));
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    org::rename(&txn, unit.id, &name).await?;
    org::record_change(
        &txn,
        unit.id,
        "rename",
        &unit.name,
        &name,
        Some(user.person_id),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(()))
}

/// Moves a unit (not the province or a commune) under another parent that may hold its kind.
pub async fn move_unit(
    state: &Runtime,
    user: &SessionUser,
    unit: &org::OrgUnit,
    parent_code: &str,
) -> Result<Result<(), FieldErrors>, Internal> {
    admin(user)?;
    let db = state.db.read();
    let parent = org::by_code(db, parent_code.trim()).await?;
    let problem = match &parent {
        _ if unit.is(UnitKind::Province) || unit.is(UnitKind::Commune) => {
            Some("Tỉnh và xã, phường không chuyển được.".to_owned())
        }
        None => Some(format!("Không có đơn vị mã “{}”.", parent_code.trim())),
        Some(p) if hocvuso_db::repo::org::is_under(&p.path, &unit.path) => Some(
            "Không chuyển được một đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.".to_owned(),
        ),
        Some(p) if p.merged_into_id.is_some() => Some(format!("{} đã được sáp nhập.", p.name)),
        Some(p) if !kinds_under(p).iter().any(|k| k.code() == unit.kind) => Some(format!(
            "{} không thể đặt dưới {}.",
            kind_name(&unit.kind),
            p.name
        )),
        Some(_) => None,
    };
    if let Some(m) = problem {
        return Ok(Err(vec![("parent", m)]));
    }
    let Some(parent) = parent else {
        return Ok(Err(Vec::new()));
    };
    let old_parent = match unit.parent_id {
        Some(id) => org::by_id(db, id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    org::reparent(&txn, unit, &parent).await?;
    org::record_change(
        &txn,
        unit.id,
        "move",
        &old_parent,
        &parent.name,
        Some(user.person_id),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(()))
}

/// Merges a unit into another of the same kind: its members (with their counts), officers and
/// sub-units go to the other; it stays, marked merged, for history and old records.
pub async fn merge(
    state: &Runtime,
    user: &SessionUser,
    unit: &org::OrgUnit,
    into_code: &str,
) -> Result<Result<(), FieldErrors>, Internal> {
    admin(user)?;
    let db = state.db.read();
    let into = org::by_code(db, into_code.trim()).await?;
    let problem = match &into {
        _ if unit.is(UnitKind::Province) || unit.is(UnitKind::Commune) => {
            Some("Tỉnh và xã, phường không sáp nhập ở đây (theo quyết định sáp nhập của Nhà nước, cập nhật danh sách xã).".to_owned())
        }
        None => Some(format!("Không có đơn vị mã “{}”.", into_code.trim())),
        Some(t) if t.id == unit.id || hocvuso_db::repo::org::is_under(&t.path, &unit.path) => {
            Some("Không sáp nhập được vào chính nó hoặc đơn vị cấp dưới của nó.".to_owned())
        }
        Some(t) if t.kind != unit.kind => Some(format!(
            "Chỉ sáp nhập được vào đơn vị cùng loại ({}).",
            kind_name(&unit.kind)
        )),
        Some(t) if t.merged_into_id.is_some() => Some(format!("{} đã được sáp nhập.", t.name)),
        Some(_) => None,
    };
    if let Some(m) = problem {
        return Ok(Err(vec![("into", m)]));
    }
    let Some(into) = into else {
        return Ok(Err(Vec::new()));
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    // Members: moved, or dropped where they are already members of that group there; the
    // live counts follow (what they achieved counts in the unit they now belong to).
    let moving = people::memberships_in(&txn, unit.id).await?;
    let staying: Vec<(i64, String)> = people::memberships_in(&txn, into.id)
        .await?
        .into_iter()
        .map(|m| (m.person_id, m.group_code))
        .collect();
    let ids: Vec<i64> = moving.iter().map(|m| m.person_id).collect();
    let achieved = roster::achievements_of(&txn, &ids).await?;
    let unconfirmed = people::unconfirmed_among(&txn, &ids).await?;
    let mut deltas: BTreeMap<stats::WeekKey, stats::Delta> = BTreeMap::new();
    for m in &moving {
        let already = staying
            .iter()
            .any(|(p, g)| *p == m.person_id && *g == m.group_code);
        if already {
            people::delete_membership(&txn, m.id).await?;
        } else {
            roster::move_membership(&txn, m.id, into.id).await?;
        }
        let one = stats::Delta::of(!unconfirmed.contains(&m.person_id), 1);
        for (_, _, indicator, week) in achieved
            .iter()
            .filter(|(p, g, ..)| *p == m.person_id && *g == m.group_code)
        {
            *deltas
                .entry((
                    unit.id,
                    m.group_code.clone(),
                    indicator.clone(),
                    week.clone(),
                ))
                .or_default() -= one;
            if !already {
                *deltas
                    .entry((
                        into.id,
                        m.group_code.clone(),
                        indicator.clone(),
                        week.clone(),
                    ))
                    .or_default() += one;
            }
        }
    }
    for ((u, g, i, w), d) in deltas {
        stats::add_to_count(&txn, u, &g, &i, &w, d).await?;
    }
    let officers: Vec<i64> = people::grants_in(&txn, unit.id)
        .await?
        .iter()
        .map(|g| g.person_id)
        .collect();
    people::move_grants(&txn, unit.id, into.id).await?;
    for child in org::children(&txn, unit.id).await? {
        org::reparent(&txn, &child, &into).await?;
    }
    org::set_merged(&txn, unit.id, into.id).await?;
    let text = format!("{} ({})", into.name, into.code);
    org::record_change(
        &txn,
        unit.id,
        "merge",
        &unit.name,
        &text,
        Some(user.person_id),
        now,
    )
    .await?;
    org::record_change(
        &txn,
        into.id,
        "absorb",
        &format!("{} ({})", unit.name, unit.code),
        &into.name,
        Some(user.person_id),
        now,
    )
    .await?;
    txn.commit().await?;
    for person in officers {
        crate::services::accounts::sign_in::forget_everywhere(
            state,
            crate::services::accounts::sign_in::Forget::Person(person),
        )
        .await;
    }
    Ok(Ok(()))
}

/// Gives a person (by phone, with a login) a unit officer's or a helper's rights in a unit.
pub async fn assign(
    state: &Runtime,
    user: &SessionUser,
    unit: &org::OrgUnit,
    phone: &str,
    role: &str,
) -> Result<Result<(), FieldErrors>, Internal> {
    admin(user)?;
    let role = match Role::from_code(role) {
        Some(r @ (Role::UnitOfficer | Role::Helper)) => r,
        _ => return Ok(Err(vec![("role", "Hãy chọn vai trò.".to_owned())])),
    };
    if role == Role::Helper && !unit.is(UnitKind::Commune) && !unit.is(UnitKind::DigitalTeam) {
        return Ok(Err(vec![(
            "role",
            "Thành viên Tổ Công nghệ số cộng đồng được giao ở xã, phường hoặc ở tổ.".to_owned(),
        )]));
    }
    let phone = match PhoneNumber::parse(phone) {
        Ok(p) => p,
        Err(e) => return Ok(Err(vec![("phone", e.to_string())])),
    };
    let Some((person, _)) = people::login_by_phone(state.db.read(), phone.as_str()).await? else {
        return Ok(Err(vec![(
            "phone",
            "Số này chưa có tài khoản: người đó cần đăng ký (hoặc được đăng ký giúp) trước."
                .to_owned(),
        )]));
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    people::grant_role(&txn, person.id, role.code(), Some(unit.id), now).await?;
    org::record_change(
        &txn,
        unit.id,
        "assign",
        "",
        &format!("{}: {}", role.name_vi(), person.full_name),
        Some(user.person_id),
        now,
    )
    .await?;
    txn.commit().await?;
    crate::services::accounts::sign_in::forget_everywhere(
        state,
        crate::services::accounts::sign_in::Forget::Person(person.id),
    )
    .await;
    Ok(Ok(()))
}

/// Takes a grant of this unit away.
pub async fn revoke(
    state: &Runtime,
    user: &SessionUser,
    unit: &org::OrgUnit,
    grant_id: i64,
) -> Result<bool, Internal> {
    admin(user)?;
    let grants = people::grants_in(state.db.read(), unit.id).await?;
    let Some(g) = grants.into_iter().find(|g| g.id == grant_id) else {
        return Ok(false);
    };
    let name = people::person_by_id(state.db.read(), g.person_id)
        .await?
        .map(|p| p.full_name)
        .unwrap_or_default();
    let role = Role::from_code(&g.role).map_or("", Role::name_vi);
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    people::revoke_grant(&txn, g.id).await?;
    org::record_change(
        &txn,
        unit.id,
        "revoke",
        &format!("{role}: {name}"),
        "",
        Some(user.person_id),
        now,
    )
    .await?;
    txn.commit().await?;
    crate::services::accounts::sign_in::forget_everywhere(
        state,
        crate::services::accounts::sign_in::Forget::Person(g.person_id),
    )
    .await;
    Ok(true)
}
