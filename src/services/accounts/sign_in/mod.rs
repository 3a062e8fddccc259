//! Registration, login, sessions and admin accounts.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use hocvuso_db::dialect::is_unique_violation;
use hocvuso_db::repo::{org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::person::ADULT_AGE;
use hocvuso_domain::{BirthYear, FullName, Password, PhoneNumber, Role, TargetGroup, UnitKind};
use sha2::{Digest, Sha256};

use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::{hex, random_bytes, Internal};

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

/// SHA-256 of a session id, which is all the database keeps.
pub fn session_hash(raw_id: &str) -> String {
    hex(&Sha256::digest(raw_id.as_bytes()))
}

/// Starts a session of [`SESSION_DAYS`]; returns the raw id for the cookie.
pub async fn start_session(state: &Runtime, person_id: i64) -> Result<String, Internal> {
    start_session_for(state, person_id, Duration::days(SESSION_DAYS)).await
}

/// Starts a session that lasts `length` (a pupil's on a shared device: a lesson's time).
pub async fn start_session_for(
    state: &Runtime,
    person_id: i64,
    length: Duration,
) -> Result<String, Internal> {
    let now = state.clock.now();
    let raw = hex(&random_bytes::<32>());
    people::insert_session(
        state.db.write(),
        &session_hash(&raw),
        person_id,
        now,
        now + length,
    )
    .await?;
    Ok(raw)
}

/// `hocvuso keys rotate-cookie`: a new key for signing cookies, and every session ended, in
/// one transaction: everyone is logged out and every cookie signed before is refused. Servers
/// read the key when they start: they must be stopped before and started after. Returns how
/// many sessions were ended.
pub async fn rotate_cookie_key(db: &hocvuso_db::Db) -> Result<u64, Internal> {
    let txn = db.write().begin().await?;
    hocvuso_db::repo::settings::set(&txn, "cookie_key", &hex(&random_bytes::<32>())).await?;
    let ended = people::delete_all_sessions(&txn).await?;
    txn.commit().await?;
    Ok(ended)
}

pub async fn end_session(state: &Runtime, raw_id: &str) -> Result<(), Internal> {
    let hash = session_hash(raw_id);
    people::delete_session(state.db.write(), &hash).await?;
    forget_everywhere(state, Forget::Session(hash)).await;
    Ok(())
}

/// Cached sessions to forget after their database rows changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forget {
    /// One session (by its hash): a logout.
    Session(String),
    /// Every session of a person: their rights, password or unit changed.
    Person(i64),
}

/// The channel on which server processes tell each other which cached sessions to forget.
const SESSIONS_CHANNEL: &str = "hocvuso_sessions";

impl Forget {
    fn payload(&self) -> String {
        match self {
            Forget::Session(hash) => format!("s:{hash}"),
            Forget::Person(id) => format!("p:{id}"),
        }
    }

    fn from_payload(payload: &str) -> Option<Self> {
        match payload.split_once(':')? {
            ("s", hash) => Some(Forget::Session(hash.to_owned())),
            ("p", id) => id.parse().ok().map(Forget::Person),
            _ => None,
        }
    }
}

/// Forgets cached sessions here AND in every other server process on this database
/// (PostgreSQL `NOTIFY`, heard by [`listen_for_forgotten`]) before the caller answers, so a
/// logout or a withdrawn right holds on the very next request whichever server takes it. Called
/// after the change is committed; if the notice cannot be sent, the other processes still drop
/// the session within [`SESSION_CACHE_SECONDS`] (logged).
pub async fn forget_everywhere(state: &Runtime, what: Forget) {
    state.sessions.forget_here(&what);
    if let Err(e) = state.db.notify(SESSIONS_CHANNEL, &what.payload()).await {
        tracing::error!("cannot tell the other servers to forget {what:?}: {e}");
    }
}

/// Keeps this process's session cache in step with the other processes': every session they
/// forget is forgotten here too; if the listening connection is lost, everything cached is
/// dropped (a notice may have been missed). Returns the sender whose drop stops the listening
/// (held by the app state), or `None` on SQLite.
pub async fn listen_for_forgotten(
    db: &hocvuso_db::Db,
    cache: std::sync::Arc<SessionCache>,
) -> Result<Option<tokio::sync::oneshot::Sender<()>>, Internal> {
    let Some(mut listener) = db.listen(SESSIONS_CHANNEL).await? else {
        return Ok(None);
    };
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                heard = listener.next() => match heard {
                    hocvuso_db::dialect::Heard::Message(payload) => {
                        if let Some(what) = Forget::from_payload(&payload) {
                            cache.forget_here(&what);
                        }
                    }
                    hocvuso_db::dialect::Heard::Lost => cache.clear(),
                },
            }
        }
    });
    Ok(Some(stop))
}

/// How long a looked-up session is trusted without asking the database again. A logout or a
/// change of rights is forgotten at once in every process (see [`forget_everywhere`]); this
/// bounds the wait only if that notice is lost.
pub const SESSION_CACHE_SECONDS: i64 = 10;
const SESSION_CACHE_MAX: usize = 200_000;

/// Sessions looked up in the last few seconds, so that a page view does not always cost two
/// queries before any work. Keyed by the session hash.
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (SessionUser, DateTime<Utc>)>>,
    /// Counts the forgettings: a lookup that began before one is not cached (it may have read
    /// the row just before it changed).
    generation: std::sync::atomic::AtomicU64,
}

impl SessionCache {
    fn get(&self, hash: &str, now: DateTime<Utc>) -> Option<SessionUser> {
        let entries = self.entries.lock().ok()?;
        let (user, seen) = entries.get(hash)?;
        (now - *seen < Duration::seconds(SESSION_CACHE_SECONDS)).then(|| user.clone())
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Caches a lookup that began at `generation`, unless something was forgotten since.
    fn put(&self, hash: String, user: SessionUser, now: DateTime<Utc>, generation: u64) {
        if let Ok(mut entries) = self.entries.lock() {
            if self.generation() != generation {
                return;
            }
            if entries.len() >= SESSION_CACHE_MAX {
                entries
                    .retain(|_, (_, seen)| now - *seen < Duration::seconds(SESSION_CACHE_SECONDS));
                if entries.len() >= SESSION_CACHE_MAX {
                    entries.clear();
                }
            }
            entries.insert(hash, (user, now));
        }
    }

    /// Forgets in this process only; callers use [`forget_everywhere`].
    fn forget_here(&self, what: &Forget) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            match what {
                Forget::Session(hash) => {
                    entries.remove(hash);
                }
                Forget::Person(person_id) => {
                    entries.retain(|_, (user, _)| user.person_id != *person_id);
                }
            }
        }
    }

    fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            entries.clear();
        }
    }
}

/// Who is behind a session, with what they may do.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub person_id: i64,
    pub full_name: String,
    /// (role, unit it is scoped to; None = no unit).
    pub roles: Vec<(Role, Option<i64>)>,
    /// The password is a temporary one (a staff reset, an assisted registration): nothing but
    /// its change and logging out is open until it is replaced.
    pub must_change_password: bool,
}

impl SessionUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|(r, _)| *r == role)
    }

    /// Units where this user is a unit officer.
    pub fn officer_units(&self) -> impl Iterator<Item = i64> + '_ {
        self.roles
            .iter()
            .filter(|(r, _)| *r == Role::UnitOfficer)
            .filter_map(|(_, u)| *u)
    }

    pub fn is_province_admin(&self) -> bool {
        self.has(Role::ProvinceAdmin)
    }
}

pub async fn session_user(state: &Runtime, raw_id: &str) -> Result<Option<SessionUser>, Internal> {
    let now = state.clock.now();
    let hash = session_hash(raw_id);
    if let Some(user) = state.sessions.get(&hash, now) {
        return Ok(Some(user));
    }
    let generation = state.sessions.generation();
    let Some(login) = state.session_lookup.get(hash.clone()).await? else {
        return Ok(None);
    };
    let roles = login
        .grants
        .into_iter()
        .filter_map(|(role, unit)| Role::from_code(&role).map(|r| (r, unit)))
        .collect();
    let user = SessionUser {
        person_id: login.person.id,
        full_name: login.person.full_name,
        roles,
        must_change_password: login.must_change_password,
    };
    state.sessions.put(hash, user.clone(), now, generation);
    Ok(Some(user))
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

type LookupReply = tokio::sync::oneshot::Sender<Result<Option<people::SessionLogin>, String>>;

/// Looks up sessions that are not in the cache, in bursts: every lookup waiting at that moment
/// is answered by ONE query (`people::sessions_login`). Under light load a lookup runs alone at
/// once; under a storm of new visitors the round trips do not multiply.
#[derive(Clone)]
pub struct SessionLookup {
    queue: tokio::sync::mpsc::Sender<(String, LookupReply)>,
}

impl SessionLookup {
    pub fn start(db: hocvuso_db::Db, clock: std::sync::Arc<dyn crate::clock::Clock>) -> Self {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(String, LookupReply)>(8192);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < 512 {
                    match rx.try_recv() {
                        Ok(item) => batch.push(item),
                        Err(_) => break,
                    }
                }
                let hashes: Vec<String> = batch.iter().map(|(h, _)| h.clone()).collect();
                match people::sessions_login(db.read(), &hashes, clock.now()).await {
                    Ok(found) => {
                        for (hash, reply) in batch {
                            let _ = reply.send(Ok(found.get(&hash).cloned()));
                        }
                    }
                    Err(e) => {
                        for (_, reply) in batch {
                            let _ = reply.send(Err(e.to_string()));
                        }
                    }
                }
            }
        });
        SessionLookup { queue: tx }
    }

    pub async fn get(&self, hash: String) -> Result<Option<people::SessionLogin>, Internal> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.queue
            .send((hash, tx))
            .await
            .map_err(|_| Internal::Other("session lookup stopped".into()))?;
        rx.await
            .map_err(|_| Internal::Other("session lookup abandoned".into()))?
            .map_err(Internal::Other)
    }
}
