//! Registration, login, sessions and admin accounts.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use hocvuso_db::dialect::is_unique_violation;
use hocvuso_db::repo::{org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::person::ADULT_AGE;
use hocvuso_domain::{BirthYear, FullName, Password, PhoneNumber, Role, TargetGroup, UnitKind};

use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::{random_bytes, Internal};

mod sessions;

pub use sessions::*;

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 30;
/// Wrong passwords from one client for one phone number before that client is locked out of
/// it, and for how long the first time (each later lock lasts twice as long, at most a day).
/// Only that client: the account's owner, elsewhere, still gets in.
pub const MAX_FAILED_LOGINS: i32 = 5;
pub const LOCK_MINUTES: i64 = 15;
const LONGEST_LOCK_MINUTES: i64 = 24 * 60;
#[derive(Debug, Default, Clone)]
pub struct RegisterInput {
    pub phone: String,
    pub full_name: String,
    pub birth_year: String,
    pub commune_code: String,
    pub password: String,
    /// The person agreed to [`SELF_CONSENT_TEXT`] (a self-registration must; an assisted one
    /// records the consent the helper read out instead).
    pub consent: bool,
    /// For a child (under [`CHILD_AGE`]), registering themselves or registered by a helper:
    /// the parent's or guardian's name, and whether that parent agreed to
    /// [`PARENT_CONSENT_TEXT`].
    pub parent_name: String,
    pub parent_consent: bool,
    /// An empty password is allowed (registering to join a contest in one short step): the
    /// account gets a long random one nobody knows, and the person keeps this browser's
    /// session or sets a password later with a code by SMS ("Quên mật khẩu").
    pub password_optional: bool,
}
/// Under this age (in the year of registration) a person is a child: their data are processed
/// only with a parent's or guardian's consent (Nghị định 13/2023/NĐ-CP, Điều 20; a child is
/// under 16 under the Law on Children).
pub const CHILD_AGE: i32 = 16;
/// What the parent of a child who registers themselves agrees to (kept in `parent_consent`,
/// recorded by the child's own account).
pub const PARENT_CONSENT_TEXT: &str =
    "Tôi là cha, mẹ hoặc người giám hộ của em và đồng ý để hệ thống Học vụ số lưu họ tên, số \
     điện thoại, năm sinh, xã nơi em sống và kết quả học của em để theo dõi phong trào Bình dân \
     học vụ số (Nghị định 13/2023/NĐ-CP, Điều 20).";
/// What a person agrees to when registering themselves (kept with the consent), under the
/// short privacy notice of the registration page.
pub const SELF_CONSENT_TEXT: &str =
    "Tôi đồng ý để hệ thống Học vụ số lưu họ tên, số điện thoại, năm sinh, xã nơi tôi sống và \
     kết quả học của tôi để theo dõi phong trào Bình dân học vụ số (Nghị định 13/2023/NĐ-CP).";
/// Hashes a password with argon2id on a blocking thread (it is slow on purpose), under the
/// semaphore that bounds how many hashes run at once ([`Internal::Busy`] when saturated).
pub async fn hash_password(state: &Runtime, password: String) -> Result<String, Internal> {
    state
        .limits
        .hash(move || {
            let salt = SaltString::encode_b64(&random_bytes::<16>())
                .map_err(|e| Internal::Other(e.to_string()))?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| Internal::Other(e.to_string()))
        })
        .await?
}
/// Checks a password against its hash, under the same semaphore as [`hash_password`].
pub async fn verify_password(
    state: &Runtime,
    password: String,
    hash: String,
) -> Result<bool, Internal> {
    state
        .limits
        .hash(move || {
            let parsed = PasswordHash::new(&hash).map_err(|e| Internal::Other(e.to_string()))?;
            Ok(Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await?
}
/// A hash of a password nobody knows, verified when the phone is unknown so that the answer
/// takes as long as for a real account.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0xJ7Wz0KSPRq6rFzWQ0kaY3P4uFT0BC0cnGfb1yoh7c";
/// Registers a learner with a login. An adult (18 or older this year) becomes a member of the
/// `adults` group in their commune of residence. Returns the new person's id.
pub async fn register(state: &Runtime, input: &RegisterInput) -> Result<i64, FormError> {
    register_as(state, input, None).await
}
/// Who registers someone else (assisted registration): the helper, what the resident agreed
/// to, and the commune the helper works in. The password is then temporary (changed at the
/// first login), and the person counts as confirmed (registered by a helper).
pub struct Assisted<'a> {
    pub helper_id: i64,
    pub consent: &'a str,
    /// The helper's commune: a person already known from a roster is given a login only if
    /// they live or are a member there.
    pub scope_path: &'a str,
}
/// Registration, by the person (whose phone number the caller has proved with a code sent
/// by SMS: `register` is only reached with a proved number) or by a helper on their behalf.
/// A person already known from a roster (same phone, no login yet) gets the login: their
/// record is kept, not duplicated. A self-registration is not confirmed: it counts apart
/// until a roster matches it by citizen ID.
pub async fn register_as(
    state: &Runtime,
    input: &RegisterInput,
    assisted: Option<Assisted<'_>>,
) -> Result<i64, FormError> {
    let now = state.clock.now();
    let year = state.clock.year();
    let mut errors: FieldErrors = Vec::new();
    let phone = PhoneNumber::parse(&input.phone)
        .map_err(|e| errors.push(("phone", e.to_string())))
        .ok();
    let name = FullName::parse(&input.full_name)
        .map_err(|e| errors.push(("full_name", e.to_string())))
        .ok();
    let birth = BirthYear::parse(&input.birth_year, year)
        .map_err(|e| errors.push(("birth_year", e.to_string())))
        .ok();
    let commune = if input.commune_code.trim().is_empty() {
        errors.push((
            "commune_code",
            "Hãy chọn xã, phường nơi bạn đang sống.".to_owned(),
        ));
        None
    } else {
        match org::by_code(state.db.read(), input.commune_code.trim()).await? {
            Some(u) if u.is(UnitKind::Commune) => Some(u),
            _ => {
                errors.push((
                    "commune_code",
                    "Xã, phường đã chọn không có trong danh sách.".to_owned(),
                ));
                None
            }
        }
    };
    let password = if input.password.is_empty() && input.password_optional {
        Password::parse(&crate::services::hex(&crate::services::random_bytes::<24>()))
            .map_err(|e| errors.push(("password", e.to_string())))
            .ok()
    } else {
        Password::parse(&input.password)
            .map_err(|e| errors.push(("password", e.to_string())))
            .ok()
    };
    if assisted.is_none() && !input.consent {
        errors.push((
            "consent",
            "Hãy đọc thông báo về dữ liệu cá nhân và đánh dấu ô đồng ý để đăng ký.".to_owned(),
        ));
    }
    // A child, registering themselves or registered by a helper: a parent's name and consent,
    // or nothing is written.
    let child = birth.is_some_and(|b| b.age_in(year) < CHILD_AGE);
    let parent = if child {
        let parent = FullName::parse(&input.parent_name)
            .map_err(|_| {
                errors.push((
                    "parent_name",
                    if assisted.is_some() {
                        format!(
                            "Người này dưới {CHILD_AGE} tuổi: hãy ghi họ và tên của cha, mẹ \
                             hoặc người giám hộ đang có mặt."
                        )
                    } else {
                        format!(
                            "Bạn dưới {CHILD_AGE} tuổi: hãy ghi họ và tên của cha, mẹ hoặc \
                             người giám hộ."
                        )
                    },
                ))
            })
            .ok();
        if !input.parent_consent {
            errors.push((
                "parent_consent",
                if assisted.is_some() {
                    "Hãy đọc cho cha, mẹ hoặc người giám hộ nghe và đánh dấu khi họ đồng ý."
                } else {
                    "Hãy nhờ cha, mẹ hoặc người giám hộ đọc thông báo và đánh dấu ô đồng ý."
                }
                .to_owned(),
            ));
        }
        parent
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    let (Some(phone), Some(name), Some(birth), Some(commune), Some(password)) =
        (phone, name, birth, commune, password)
    else {
        return Err(FormError::Invalid(errors));
    };
    let known = people::person_by_phone(state.db.read(), phone.as_str()).await?;
    if let Some(p) = &known {
        if people::account_of(state.db.read(), p.id).await?.is_some() {
            return Err(phone_taken());
        }
        if let Some(a) = &assisted {
            // A helper reaches only the people of their commune: a record elsewhere is not
            // theirs to hand a password for (and is not described).
            if !lives_or_belongs_under(state, p, a.scope_path).await? {
                return Err(phone_taken());
            }
        }
    }
    let hash = hash_password(state, password.expose().to_owned()).await?;

    let txn = state.db.write().begin().await?;
    let person_id = match known {
        // Known from a roster: the roster's record stays as it is.
        Some(p) => p.id,
        None => match people::insert_person(
            &txn,
            people::NewPerson {
                full_name: name.as_str(),
                phone: Some(phone.as_str()),
                birth_year: Some(birth.value()),
                residence_unit_id: Some(commune.id),
                confirmed_via: assisted.as_ref().map(|_| "assisted"),
            },
            now,
        )
        .await
        {
            Ok(p) => p.id,
            // Two registrations of the same number at once: the database decides.
            Err(e) if is_unique_violation(&e) => return Err(phone_taken()),
            Err(e) => return Err(e.into()),
        },
    };
    match people::insert_account(&txn, person_id, &hash, now).await {
        Ok(()) => {}
        Err(e) if is_unique_violation(&e) => return Err(phone_taken()),
        Err(e) => return Err(e.into()),
    }
    people::grant_role(&txn, person_id, Role::Learner.code(), None, now).await?;
    let is_member = people::memberships(&txn, person_id)
        .await?
        .iter()
        .any(|m| m.group_code == TargetGroup::Adults.code());
    if birth.age_in(year) >= ADULT_AGE && !is_member {
        people::add_membership(&txn, person_id, TargetGroup::Adults.code(), commune.id, now)
            .await?;
    }
    // Who recorded the consents: the helper who read them out, or the person themselves.
    let recorded_by = match &assisted {
        Some(a) => {
            people::set_password(&txn, person_id, &hash, true).await?;
            hocvuso_db::repo::support::record_consent(&txn, person_id, a.helper_id, a.consent, now)
                .await?;
            a.helper_id
        }
        None => {
            hocvuso_db::repo::support::record_consent(
                &txn,
                person_id,
                person_id,
                SELF_CONSENT_TEXT,
                now,
            )
            .await?;
            person_id
        }
    };
    if let Some(parent) = &parent {
        hocvuso_db::repo::classes::record_parent_consent(
            &txn,
            person_id,
            parent.as_str(),
            PARENT_CONSENT_TEXT,
            recorded_by,
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(person_id)
}
/// Whether a person lives or is a member in the unit at `scope_path` or below it.
pub async fn lives_or_belongs_under(
    state: &Runtime,
    person: &people::Person,
    scope_path: &str,
) -> Result<bool, Internal> {
    let db = state.db.read();
    let mut units: Vec<i64> = people::memberships(db, person.id)
        .await?
        .into_iter()
        .map(|m| m.unit_id)
        .collect();
    units.extend(person.residence_unit_id);
    for id in units {
        if let Some(u) = org::by_id(db, id).await? {
            if org::is_under(&u.path, scope_path) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
fn phone_taken() -> FormError {
    FormError::Invalid(vec![(
        "phone",
        "Số điện thoại này đã được đăng ký. Hãy đăng nhập, hoặc nhờ cán bộ xã đặt lại mật khẩu."
            .to_owned(),
    )])
}
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("Số điện thoại hoặc mật khẩu không đúng.")]
    Invalid,
    #[error("Đã nhập sai nhiều lần từ thiết bị này. Hãy thử lại sau {minutes} phút, hoặc dùng “Quên mật khẩu”.")]
    Locked { minutes: i64 },
    #[error(transparent)]
    Internal(#[from] Internal),
}
impl From<hocvuso_db::DbErr> for LoginError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        LoginError::Internal(e.into())
    }
}
/// Checks a phone number and password from `client` (a device id for a browser that logged in
/// to this number before, else the client's address). Returns the person's id. The tries of
/// `(phone, client)` are throttled by [`check_throttled`]: a client who guesses locks only
/// itself out of that number; a number without an account goes through the same steps.
pub async fn login(
    state: &Runtime,
    phone: &str,
    password: &str,
    client: &str,
) -> Result<i64, LoginError> {
    let parsed = PhoneNumber::parse(phone).ok();
    let typed: String = match &parsed {
        Some(p) => p.as_str().to_owned(),
        None => phone.trim().chars().take(20).collect(),
    };
    let key = format!("{typed}|{client}");
    let found = match &parsed {
        Some(p) => people::login_by_phone(state.db.read(), p.as_str()).await?,
        None => None,
    };
    let found = found.map(|(person, account)| (person.id, account.password_hash));
    check_throttled(state, &key, password, found).await
}
/// Checks a secret (a password, a pupil's sign-in number) against the hash of what it should
/// be, behind the throttle of `key` (who is guessing what). Each try is claimed before the
/// secret is checked, by adding one to the failures of `key` in one statement, so that thirty
/// tries sent at once count like thirty sent one after another: past [`MAX_FAILED_LOGINS`]
/// they are refused unchecked and `key` is locked, with a back-off that doubles. Without
/// `found` the same steps run against a throw-away hash, so the answer and its time do not
/// tell whether there was anything to find. Returns what `found` held when the secret is right.
pub async fn check_throttled<T>(
    state: &Runtime,
    key: &str,
    secret: &str,
    found: Option<(T, String)>,
) -> Result<T, LoginError> {
    let now = state.clock.now();
    let claim = people::claim_login_try(state.db.write(), key, now).await?;
    if let Some(until) = claim.locked_until.filter(|u| *u > now) {
        return Err(LoginError::Locked {
            minutes: minutes_left(until, now),
        });
    }
    let allowed = (claim.locks + 1) * MAX_FAILED_LOGINS;
    if claim.failures > allowed {
        let until = lock_until(claim.locks, now);
        people::lock_login(state.db.write(), key, claim.locks, until).await?;
        return Err(LoginError::Locked {
            minutes: minutes_left(until, now),
        });
    }
    let hash = found
        .as_ref()
        .map_or_else(|| DUMMY_HASH.to_owned(), |(_, h)| h.clone());
    let right = match verify_password(state, secret.to_owned(), hash).await {
        Ok(right) => right,
        Err(e) => {
            // Not checked: the try does not count.
            people::release_login_try(state.db.write(), key).await?;
            return Err(e.into());
        }
    };
    match found {
        Some((value, _)) if right => {
            people::clear_login_tries(state.db.write(), key).await?;
            Ok(value)
        }
        _ => {
            if claim.failures >= allowed {
                let until = lock_until(claim.locks, now);
                people::lock_login(state.db.write(), key, claim.locks, until).await?;
                return Err(LoginError::Locked {
                    minutes: minutes_left(until, now),
                });
            }
            Err(LoginError::Invalid)
        }
    }
}
/// When the next lock of a client that was locked `locks` times before ends.
fn lock_until(locks: i32, now: DateTime<Utc>) -> DateTime<Utc> {
    let minutes = LOCK_MINUTES
        .saturating_mul(1_i64 << locks.clamp(0, 16))
        .min(LONGEST_LOCK_MINUTES);
    now + Duration::minutes(minutes)
}
fn minutes_left(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((until - now).num_seconds() + 59) / 60
}
/// Creates (or promotes) a person to a role scoped to a unit, with a login.
/// Used by `hocvuso user create-admin` and the demo.
pub async fn create_staff(
    state: &Runtime,
    phone: &str,
    full_name: &str,
    password: &str,
    role: Role,
    unit_code: &str,
    birth_year: Option<i32>,
) -> Result<i64, FormError> {
    let now = state.clock.now();
    let mut errors: FieldErrors = Vec::new();
    let phone = PhoneNumber::parse(phone)
        .map_err(|e| errors.push(("phone", e.to_string())))
        .ok();
    let name = FullName::parse(full_name)
        .map_err(|e| errors.push(("full_name", e.to_string())))
        .ok();
    let password = Password::parse(password)
        .map_err(|e| errors.push(("password", e.to_string())))
        .ok();
    let unit = org::by_code(state.db.read(), unit_code).await?;
    if unit.is_none() {
        errors.push(("unit", format!("Không có đơn vị mã {unit_code}.")));
    }
    let (Some(phone), Some(name), Some(password), Some(unit)) = (phone, name, password, unit)
    else {
        return Err(FormError::Invalid(errors));
    };
    let hash = hash_password(state, password.expose().to_owned()).await?;
    let txn = state.db.write().begin().await?;
    let person_id = match people::login_by_phone(&txn, phone.as_str()).await? {
        Some((p, _)) => {
            people::set_password(&txn, p.id, &hash, false).await?;
            p.id
        }
        None => {
            let residence = (unit.is(UnitKind::Commune)).then_some(unit.id);
            let p = people::insert_person(
                &txn,
                people::NewPerson {
                    full_name: name.as_str(),
                    phone: Some(phone.as_str()),
                    birth_year,
                    residence_unit_id: residence,
                    confirmed_via: Some(if role == Role::Learner {
                        "roster"
                    } else {
                        "staff"
                    }),
                },
                now,
            )
            .await?;
            people::insert_account(&txn, p.id, &hash, now).await?;
            people::grant_role(&txn, p.id, Role::Learner.code(), None, now).await?;
            p.id
        }
    };
    people::grant_role(&txn, person_id, role.code(), Some(unit.id), now).await?;
    let via = if role == Role::Learner {
        "roster"
    } else {
        "staff"
    };
    crate::services::learning::spine::confirm_people(&txn, &[person_id], via, now).await?;
    txn.commit().await?;
    Ok(person_id)
}
