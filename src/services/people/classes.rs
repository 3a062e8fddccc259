//! A school's classes as its officer (a teacher) looks after them: the classes of the units
//! they look after (from the class lists imported with the roster), a class's pupils with their
//! progress, the class's code for learning on a teacher's or a parent's device, each pupil's
//! short sign-in number (shown once, stored hashed) and the parents' consents — a child signs
//! in with the class code only once a parent's consent is recorded (children's data under the
//! personal-data law).

use hocvuso_db::repo::org::OrgUnit;
use hocvuso_db::repo::{audit, classes, org};
use hocvuso_domain::AuditAction;

use crate::services::accounts::sign_in::{hash_password, SessionUser};
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// What the teacher confirms a parent agreed to (kept with the consent).
pub const PARENT_CONSENT_TEXT: &str =
    "Cha, mẹ hoặc người giám hộ đã đồng ý (có phiếu đồng ý ký tên) để con học trên hệ thống Học \
     vụ số bằng mã lớp, và để hệ thống lưu họ tên, năm sinh, trường, lớp và kết quả học của con \
     (dữ liệu cá nhân của trẻ em: Nghị định 13/2023/NĐ-CP, điều 20; Luật Bảo vệ dữ liệu cá nhân).";

/// Letters of a class code: no 0/O, 1/I/L, so that a child copies it from the board.
const CODE_LETTERS: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters of a class code (31⁸ ≈ 8.5 × 10¹¹ codes).
pub const CODE_CHARS: usize = 8;
/// Digits of a pupil's sign-in number (tries are throttled per pupil).
pub const PIN_DIGITS: usize = 4;
/// Longest parent's name kept.
const MAX_PARENT_CHARS: usize = 100;

/// Whose tries a pupil's wrong sign-in numbers count against (the pupil's, from any device).
pub fn throttle_key(person_id: i64) -> String {
    format!("pupil:{person_id}")
}

/// A class of a unit the officer looks after.
pub struct ClassSummary {
    pub unit_code: String,
    pub unit_name: String,
    pub class: String,
    pub pupils: i64,
    pub code: Option<String>,
}

/// The units the user looks after (the province administrator: all).
async fn units_of(state: &Runtime, user: &SessionUser) -> Result<Vec<OrgUnit>, Internal> {
    let all = org::all(state.db.read()).await?;
    if user.is_province_admin() {
        return Ok(all);
    }
    let scopes: Vec<String> = all
        .iter()
        .filter(|u| user.officer_units().any(|id| id == u.id))
        .map(|u| u.path.clone())
        .collect();
    Ok(all
        .into_iter()
        .filter(|u| scopes.iter().any(|s| org::is_under(&u.path, s)))
        .collect())
}

/// The named classes of every unit the user looks after, by unit then class.
pub async fn classes_of(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Vec<ClassSummary>, Internal> {
    let units = units_of(state, user).await?;
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let db = state.db.read();
    let mut out = Vec::new();
    for (unit_id, class, pupils) in classes::classes_in(db, &ids).await? {
        let Some(unit) = units.iter().find(|u| u.id == unit_id) else {
            continue;
        };
        out.push(ClassSummary {
            code: classes::code_of(db, unit_id, &class).await?,
            unit_code: unit.code.clone(),
            unit_name: unit.name.clone(),
            class,
            pupils,
        });
    }
    out.sort_by(|a, b| {
        hocvuso_domain::text::vietnamese_cmp(&a.unit_name, &b.unit_name)
            .then_with(|| hocvuso_domain::text::class_order(&a.class, &b.class))
    });
    Ok(out)
}

/// One class as its teacher sees it.
pub struct Class {
    pub unit: OrgUnit,
    pub class: String,
    pub code: Option<String>,
    /// In Vietnamese order of names.
    pub pupils: Vec<classes::Pupil>,
}

/// A class of a unit the user looks after; `None` when the unit is not theirs or has no such
/// class (the two are not told apart).
pub async fn class(
    state: &Runtime,
    user: &SessionUser,
    unit_code: &str,
    class: &str,
) -> Result<Option<Class>, Internal> {
    let db = state.db.read();
    let Some(unit) = units_of(state, user)
        .await?
        .into_iter()
        .find(|u| u.code == unit_code)
    else {
        return Ok(None);
    };
    let mut pupils = classes::pupils(db, unit.id, class).await?;
    if pupils.is_empty() {
        return Ok(None);
    }
    pupils.sort_by(|a, b| hocvuso_domain::text::vietnamese_cmp(&a.full_name, &b.full_name));
    Ok(Some(Class {
        code: classes::code_of(db, unit.id, class).await?,
        unit,
        class: class.to_owned(),
        pupils,
    }))
}

fn random_code() -> String {
    crate::services::random_bytes::<CODE_CHARS>()
        .iter()
        .map(|b| char::from(CODE_LETTERS[usize::from(*b) % CODE_LETTERS.len()]))
        .collect()
}

/// Gives the class a new code (the old one stops working); `None` when the class is not the
/// user's.
pub async fn new_code(
    state: &Runtime,
    user: &SessionUser,
    unit_code: &str,
    class_name: &str,
) -> Result<Option<String>, Internal> {
    let Some(c) = class(state, user, unit_code, class_name).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    // 31⁸ codes: a clash is all but impossible, and the primary key refuses one.
    for _ in 0..3 {
        let code = random_code();
        if classes::by_code(state.db.read(), &code).await?.is_some() {
            continue;
        }
        classes::replace_code(
            state.db.write(),
            c.unit.id,
            &c.class,
            &code,
            user.person_id,
            now,
        )
        .await?;
        audit::record(
            state.db.write(),
            user.person_id,
            AuditAction::ClassCode,
            &c.unit.code,
            &format!("class={}", c.class),
            now,
        )
        .await?;
        return Ok(Some(code));
    }
    Err(Internal::Other("no free class code".into()))
}

/// Gives a sign-in number to the class's pupils who have none (`all`: to every pupil, the old
/// numbers stop working). Returns `(name, number)` to print once: only hashes are kept.
/// `None` when the class is not the user's.
pub async fn new_pins(
    state: &Runtime,
    user: &SessionUser,
    unit_code: &str,
    class_name: &str,
    all: bool,
) -> Result<Option<Vec<(String, String)>>, Internal> {
    let Some(c) = class(state, user, unit_code, class_name).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    let mut out = Vec::new();
    for p in c.pupils.iter().filter(|p| all || !p.has_pin) {
        let pin: String = crate::services::random_bytes::<PIN_DIGITS>()
            .iter()
            .map(|b| char::from(b'0' + b % 10))
            .collect();
        let hash = hash_password(state, pin.clone()).await?;
        classes::set_pin(state.db.write(), p.person_id, &hash, user.person_id, now).await?;
        // A new number lifts a lock that guesses of the old one caused.
        hocvuso_db::repo::people::clear_login_tries(state.db.write(), &throttle_key(p.person_id))
            .await?;
        out.push((p.full_name.clone(), pin));
    }
    audit::record(
        state.db.write(),
        user.person_id,
        AuditAction::ClassPins,
        &c.unit.code,
        &format!("class={} pupils={}", c.class, out.len()),
        now,
    )
    .await?;
    Ok(Some(out))
}

/// Records the consents of the parents named, `(pupil, parent's name)` (a blank name: not
/// recorded). Every pupil must be of the class. Returns how many were recorded.
pub async fn record_consents(
    state: &Runtime,
    user: &SessionUser,
    unit_code: &str,
    class_name: &str,
    named: &[(i64, String)],
) -> Result<Option<usize>, FormError> {
    let Some(c) = class(state, user, unit_code, class_name).await? else {
        return Ok(None);
    };
    let mut errors: FieldErrors = Vec::new();
    let mut wanted = Vec::new();
    for (person, parent) in named {
        let parent = parent.trim();
        if parent.is_empty() {
            continue;
        }
        let Some(pupil) = c.pupils.iter().find(|p| p.person_id == *person) else {
            errors.push(("dong-y", "Có học sinh không thuộc lớp này.".to_owned()));
            break;
        };
        if parent.chars().count() > MAX_PARENT_CHARS {
            errors.push((
                "dong-y",
                format!(
                    "Tên cha mẹ của {} dài quá {MAX_PARENT_CHARS} ký tự.",
                    pupil.full_name
                ),
            ));
            continue;
        }
        wanted.push((pupil.person_id, parent.to_owned()));
    }
    if wanted.is_empty() && errors.is_empty() {
        errors.push((
            "dong-y",
            "Hãy ghi tên cha, mẹ hoặc người giám hộ đã ký phiếu đồng ý của ít nhất một em."
                .to_owned(),
        ));
    }
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    let now = state.clock.now();
    let txn = hocvuso_db::TransactionTrait::begin(state.db.write()).await?;
    for (person, parent) in &wanted {
        classes::record_parent_consent(
            &txn,
            *person,
            parent,
            PARENT_CONSENT_TEXT,
            user.person_id,
            now,
        )
        .await?;
        audit::record(
            &txn,
            user.person_id,
            AuditAction::ParentConsent,
            &person.to_string(),
            &format!("class={}", c.class),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Some(wanted.len()))
}
