//! A person's own page for the staff who look after them: full phone and citizen ID (lists
//! show them masked), memberships and achievements; the export of everything the platform
//! keeps about them; and erasure (anonymisation) that leaves the indicator counts as they are.
//! Every view, export and erasure is written to the audit log (Decree 13/2023/NĐ-CP).

use hocvuso_db::repo::{audit, org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;
use hocvuso_domain::{Gender, Indicator, Role, TargetGroup};

use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::Internal;

/// Everything shown on a person's page.
pub struct PersonView {
    pub id: i64,
    pub full_name: String,
    pub phone: Option<String>,
    pub citizen_id: Option<String>,
    pub birth: Option<String>,
    pub gender: Option<&'static str>,
    pub residence: Option<String>,
    /// (group, unit name)
    pub memberships: Vec<(String, String)>,
    /// (group, indicator, achieved at dd/mm/yyyy)
    pub achievements: Vec<(String, String, String)>,
    pub has_account: bool,
    pub is_staff: bool,
    pub erased: bool,
}

/// The name an erased person keeps (the counts still need a row).
pub fn erased_name(id: i64) -> String {
    format!("Đã xoá dữ liệu (mã {id})")
}

/// The person if this user may see them: the province admin sees everyone; a unit officer
/// sees people who live or are members under their unit.
async fn visible(
    state: &Runtime,
    user: &SessionUser,
    person_id: i64,
) -> Result<Option<people::Person>, Internal> {
    let db = state.db.read();
    let Some(person) = people::person_by_id(db, person_id).await? else {
        return Ok(None);
    };
    if user.is_province_admin() {
        return Ok(Some(person));
    }
    let mut unit_ids: Vec<i64> = people::memberships(db, person_id)
        .await?
        .into_iter()
        .map(|m| m.unit_id)
        .collect();
    unit_ids.extend(person.residence_unit_id);
    for scope_id in user.officer_units() {
        let Some(scope) = org::by_id(db, scope_id).await? else {
            continue;
        };
        for unit_id in &unit_ids {
            if let Some(u) = org::by_id(db, *unit_id).await? {
                if hocvuso_db::repo::org::is_under(&u.path, &scope.path) {
                    return Ok(Some(person));
                }
            }
        }
    }
    Ok(None)
}

async fn view_of(state: &Runtime, person: people::Person) -> Result<PersonView, Internal> {
    let db = state.db.read();
    let units = crate::services::people::org::tree(state).await?;
    let unit_name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let group_name = |code: &str| {
        TargetGroup::from_code(code).map_or_else(|| code.to_owned(), |g| g.name_vi().to_owned())
    };
    let memberships = people::memberships(db, person.id)
        .await?
        .into_iter()
        .map(|m| (group_name(&m.group_code), unit_name(m.unit_id)))
        .collect();
    let achievements = hocvuso_db::repo::stats::achievements_of_person(db, person.id)
        .await?
        .into_iter()
        .map(|a| {
            (
                group_name(&a.group_code),
                Indicator::from_code(&a.indicator_code)
                    .map_or_else(|| a.indicator_code.clone(), |i| i.name_vi().to_owned()),
                crate::clock::format_date(a.achieved_at),
            )
        })
        .collect();
    let roles = people::roles(db, person.id).await?;
    let has_account = people::account_of(db, person.id).await?.is_some();
    let birth = person.birth_date.as_deref().map(|d| {
        let parts: Vec<&str> = d.split('-').collect();
        match parts.as_slice() {
            [y, m, dd] => format!("{dd}/{m}/{y}"),
            _ => d.to_owned(),
        }
    });
    Ok(PersonView {
        id: person.id,
        erased: person.full_name == erased_name(person.id),
        full_name: person.full_name,
        phone: person.phone,
        citizen_id: person.citizen_id,
        birth: birth.or_else(|| person.birth_year.map(|y| y.to_string())),
        gender: person
            .gender
            .as_deref()
            .and_then(Gender::from_code)
            .map(Gender::name_vi),
        residence: person.residence_unit_id.map(unit_name),
        memberships,
        achievements,
        has_account,
        is_staff: roles
            .iter()
            .any(|r| Role::from_code(&r.role).is_some_and(|r| r != Role::Learner)),
    })
}

/// A person's page, recorded in the audit log. `None`: no such person, or not allowed.
pub async fn view(
    state: &Runtime,
    user: &SessionUser,
    person_id: i64,
) -> Result<Option<PersonView>, Internal> {
    let Some(person) = visible(state, user, person_id).await? else {
        return Ok(None);
    };
    audit::record(
        state.db.write(),
        user.person_id,
        AuditAction::ViewPerson,
        &person_id.to_string(),
        "",
        state.clock.now(),
    )
    .await?;
    Ok(Some(view_of(state, person).await?))
}

/// Everything kept about a person, as JSON (the right of access), recorded in the audit log.
pub async fn export(
    state: &Runtime,
    user: &SessionUser,
    person_id: i64,
) -> Result<Option<String>, Internal> {
    let Some(person) = visible(state, user, person_id).await? else {
        return Ok(None);
    };
    let created = crate::clock::format_date_time(person.created_at);
    let v = view_of(state, person).await?;
    let doc = serde_json::json!({
        "ma": v.id,
        "ho_va_ten": v.full_name,
        "so_dien_thoai": v.phone,
        "so_dinh_danh": v.citizen_id,
        "ngay_sinh": v.birth,
        "gioi_tinh": v.gender,
        "noi_cu_tru": v.residence,
        "ngay_tao": created,
        "co_tai_khoan": v.has_account,
        "thuoc_nhom": v.memberships.iter().map(|(g, u)| serde_json::json!({"nhom": g, "don_vi": u})).collect::<Vec<_>>(),
        "ket_qua": v.achievements.iter().map(|(g, i, d)| serde_json::json!({"nhom": g, "chi_so": i, "ngay": d})).collect::<Vec<_>>(),
    });
    audit::record(
        state.db.write(),
        user.person_id,
        AuditAction::ExportPerson,
        &person_id.to_string(),
        "",
        state.clock.now(),
    )
    .await?;
    Ok(Some(doc.to_string()))
}

#[derive(Debug, PartialEq, Eq)]
pub enum EraseOutcome {
    Erased,
    /// Staff accounts are not erased here (their grants must be taken away first).
    IsStaff,
    NotAllowed,
}

/// Erases a person's identifying data (province admin only): name replaced, phone, citizen ID,
/// birth and gender removed, login account and sessions deleted. Memberships and achievements
/// stay, so every count — and `stats verify` — is unchanged. Recorded in the audit log.
pub async fn erase(
    state: &Runtime,
    user: &SessionUser,
    person_id: i64,
) -> Result<EraseOutcome, Internal> {
    if !user.is_province_admin() {
        return Ok(EraseOutcome::NotAllowed);
    }
    let Some(person) = visible(state, user, person_id).await? else {
        return Ok(EraseOutcome::NotAllowed);
    };
    let roles = people::roles(state.db.read(), person.id).await?;
    if roles
        .iter()
        .any(|r| Role::from_code(&r.role).is_some_and(|r| r != Role::Learner))
    {
        return Ok(EraseOutcome::IsStaff);
    }
    let txn = state.db.write().begin().await?;
    people::anonymise(&txn, person_id, &erased_name(person_id)).await?;
    people::delete_sessions_of(&txn, person_id).await?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::ErasePerson,
        &person_id.to_string(),
        "",
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    crate::services::accounts::sign_in::forget_everywhere(
        state,
        crate::services::accounts::sign_in::Forget::Person(person_id),
    )
    .await;
    Ok(EraseOutcome::Erased)
}

/// What the province admin changes on a person's page.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct IdentityInput {
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub citizen_id: String,
}

/// The province admin corrects a person's name, phone number or citizen ID — the only way to
/// change a staff member's record or the phone number someone signs in with (rosters never
/// do). Recorded in the audit log with the old values; when the phone of a login changes,
/// every session of that person ends. `Ok(Err)`: field errors in Vietnamese, nothing written.
pub async fn edit_identity(
    state: &Runtime,
    user: &SessionUser,
    person_id: i64,
    input: &IdentityInput,
) -> Result<Option<Result<(), crate::services::shared::form::FieldErrors>>, Internal> {
    if !user.is_province_admin() {
        return Ok(None);
    }
    let Some(person) = visible(state, user, person_id).await? else {
        return Ok(None);
    };
    let mut errors: crate::services::shared::form::FieldErrors = Vec::new();
    let name = hocvuso_domain::FullName::parse(&input.full_name)
        .map_err(|e| errors.push(("full_name", e.to_string())))
        .ok();
    let phone = match input.phone.trim() {
        "" => Some(None),
        p => hocvuso_domain::PhoneNumber::parse(p)
            .map(|p| Some(p.as_str().to_owned()))
            .map_err(|e| errors.push(("phone", e.to_string())))
            .ok(),
    };
    let citizen_id = match input.citizen_id.trim() {
        "" => Some(None),
        c => hocvuso_domain::CitizenId::parse(c)
            .map(|c| Some(c.as_str().to_owned()))
            .map_err(|e| errors.push(("citizen_id", e.to_string())))
            .ok(),
    };
    let (Some(name), Some(phone), Some(citizen_id)) = (name, phone, citizen_id) else {
        return Ok(Some(Err(errors)));
    };
    let show = |v: Option<&str>| v.unwrap_or("—").to_owned();
    let mut changes = Vec::new();
    if person.full_name != name.as_str() {
        changes.push(format!("họ tên: {} → {}", person.full_name, name.as_str()));
    }
    if person.phone != phone {
        changes.push(format!(
            "số điện thoại: {} → {}",
            show(person.phone.as_deref()),
            show(phone.as_deref())
        ));
    }
    if person.citizen_id != citizen_id {
        changes.push(format!(
            "số định danh: {} → {}",
            show(person.citizen_id.as_deref()),
            show(citizen_id.as_deref())
        ));
    }
    if changes.is_empty() {
        return Ok(Some(Ok(())));
    }
    let txn = state.db.write().begin().await?;
    match people::set_identity(
        &txn,
        person_id,
        name.as_str(),
        phone.as_deref(),
        citizen_id.as_deref(),
    )
    .await
    {
        Ok(()) => {}
        Err(e) if hocvuso_db::dialect::is_unique_violation(&e) => {
            return Ok(Some(Err(vec![(
                "phone",
                "Số điện thoại hoặc số định danh này đã là của một người khác.".to_owned(),
            )])));
        }
        Err(e) => return Err(e.into()),
    }
    let login_phone_changed =
        person.phone != phone && people::account_of(&txn, person_id).await?.is_some();
    if login_phone_changed {
        people::delete_sessions_of(&txn, person_id).await?;
    }
    audit::record(
        &txn,
        user.person_id,
        AuditAction::EditPerson,
        &person_id.to_string(),
        &changes.join("; "),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    if login_phone_changed {
        crate::services::accounts::sign_in::forget_everywhere(
            state,
            crate::services::accounts::sign_in::Forget::Person(person_id),
        )
        .await;
    }
    Ok(Some(Ok(())))
}

/// Who saved or changed something, as pages show it: the person's name, `#id` for someone since
/// erased, and the shipped content when no one did.
pub async fn author_name<C: hocvuso_db::ConnectionTrait>(
    conn: &C,
    id: Option<i64>,
) -> Result<String, Internal> {
    Ok(match id {
        Some(pid) => people::person_by_id(conn, pid)
            .await?
            .map_or_else(|| format!("#{pid}"), |p| p.full_name),
        None => "Nội dung có sẵn của hocvuso".to_owned(),
    })
}
