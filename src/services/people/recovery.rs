//! Getting back into an account without email: a staff member (unit officer, helper of the
//! community digital technology team, province admin) resets a learner's password to a
//! temporary one that must be changed at the next login; or the learner asks for a one-time
//! code by SMS. Both are audited; codes are rate-limited, expire, and lock after wrong tries.

use chrono::Duration;
use hocvuso_db::repo::{audit, org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;
use hocvuso_domain::{Password, PhoneNumber, Role};
use sha2::{Digest, Sha256};

use crate::services::accounts::sign_in::{hash_password, verify_password, SessionUser};
use crate::services::runtime::Runtime;
use crate::services::{hex, Internal};

/// Codes a number may be sent per hour (for any purpose, with or without an account).
pub const CODES_PER_HOUR: u64 = 3;
/// Wrong tries before a code stops working.
pub const TRIES_PER_CODE: i32 = 5;
/// How long a code works.
pub const CODE_MINUTES: i64 = 10;

/// What a code sent by SMS proves the phone for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new account (registration).
    Register,
    /// A new password.
    Reset,
}

impl Purpose {
    fn code(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::Reset => "reset",
        }
    }
}

fn digits(n: usize) -> String {
    let bytes = crate::services::random_bytes::<16>();
    bytes
        .iter()
        .take(n)
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

fn code_hash(phone: &str, purpose: Purpose, code: &str) -> String {
    hex(&Sha256::digest(
        format!("{phone}:{}:{code}", purpose.code()).as_bytes(),
    ))
}

/// Whether a person holds a role other than learner (their account is reset only by the
/// province admin, never by a code sent by SMS).
pub async fn is_staff<C: hocvuso_db::ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<bool, Internal> {
    Ok(people::roles(conn, person_id)
        .await?
        .iter()
        .any(|r| Role::from_code(&r.role).is_some_and(|r| r != Role::Learner)))
}

/// What a staff reset gives back: who, and the temporary password to hand over.
pub struct TemporaryPassword {
    pub person_id: i64,
    pub full_name: String,
    pub phone: String,
    pub password: String,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResetError {
    #[error("{0}")]
    Phone(String),
    /// No account with this number among the people this staff member looks after (the same
    /// answer whether the number is unknown or belongs to someone elsewhere).
    #[error("Không có tài khoản nào với số điện thoại này trong đơn vị bạn phụ trách.")]
    NotFound,
    #[error("Tài khoản của cán bộ chỉ quản trị cấp tỉnh đặt lại được.")]
    Staff,
}

/// Whether a staff member may reset a person's password: the province admin anyone; a unit
/// officer or helper people who live or are members under their unit.
async fn may_reset(
    state: &Runtime,
    user: &SessionUser,
    person: &people::Person,
) -> Result<bool, Internal> {
    if user.is_province_admin() {
        return Ok(true);
    }
    let db = state.db.read();
    let mut units: Vec<i64> = people::memberships(db, person.id)
        .await?
        .into_iter()
        .map(|m| m.unit_id)
        .collect();
    units.extend(person.residence_unit_id);
    for (role, scope) in &user.roles {
        let (Role::UnitOfficer | Role::Helper, Some(scope)) = (role, scope) else {
            continue;
        };
        let Some(scope) = org::by_id(db, *scope).await? else {
            continue;
        };
        for u in &units {
            if let Some(u) = org::by_id(db, *u).await? {
                if hocvuso_db::repo::org::is_under(&u.path, &scope.path) {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}

/// A staff member resets a learner's password: a temporary 8-digit password that must be
/// changed at the next login; every session of the learner ends; audited.
pub async fn reset_by_staff(
    state: &Runtime,
    user: &SessionUser,
    phone: &str,
) -> Result<Result<TemporaryPassword, ResetError>, Internal> {
    let phone = match PhoneNumber::parse(phone) {
        Ok(p) => p,
        Err(e) => return Ok(Err(ResetError::Phone(e.to_string()))),
    };
    let Some((person, _)) = people::login_by_phone(state.db.read(), phone.as_str()).await? else {
        return Ok(Err(ResetError::NotFound));
    };
    if !may_reset(state, user, &person).await? {
        return Ok(Err(ResetError::NotFound));
    }
    if is_staff(state.db.read(), person.id).await? && !user.is_province_admin() {
        return Ok(Err(ResetError::Staff));
    }
    let password = digits(8);
    let hash = hash_password(state, password.clone()).await?;
    let txn = state.db.write().begin().await?;
    people::set_password(&txn, person.id, &hash, true).await?;
    people::delete_sessions_of(&txn, person.id).await?;
    people::use_codes(&txn, phone.as_str(), Purpose::Reset.code()).await?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::ResetPassword,
        &person.id.to_string(),
        "temporary password handed over",
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    crate::services::accounts::sign_in::forget_everywhere(
        state,
        crate::services::accounts::sign_in::Forget::Person(person.id),
    )
    .await;
    Ok(Ok(TemporaryPassword {
        person_id: person.id,
        full_name: person.full_name,
        phone: phone.as_str().to_owned(),
        password,
    }))
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("{0}")]
    Phone(String),
    #[error("Số này đã nhận {CODES_PER_HOUR} mã trong một giờ qua, hoặc đã xin mã quá nhiều lần. Hãy thử lại sau một giờ, hoặc nhờ cán bộ xã giúp.")]
    TooMany,
}

/// Sends a 6-digit code by SMS to prove a phone number, for registration or a password reset.
/// Every number is treated alike — with or without an account, staff or not — in what the
/// page answers, in the limits (per number and per client, counted the same) and in time
/// (the message is handed to the gateway in the background): only the owner of the phone
/// learns, from the message itself, whether a code applies.
/// - registration: a number that already has an account gets a message saying so (no code);
/// - reset: a learner's number gets a code; a staff account's number gets a message that only
///   the province admin resets it; a number without an account gets nothing.
pub async fn send_code(
    state: &Runtime,
    phone: &str,
    purpose: Purpose,
    client: &str,
) -> Result<Result<PhoneNumber, CodeError>, Internal> {
    let phone = match PhoneNumber::parse(phone) {
        Ok(p) => p,
        Err(e) => return Ok(Err(CodeError::Phone(e.to_string()))),
    };
    let now = state.clock.now();
    let limits = &state.limits;
    if limits.sms_client.check(client, now).is_err()
        || limits.sms_phone.check(phone.as_str(), now).is_err()
        || people::codes_since(state.db.read(), phone.as_str(), now - Duration::hours(1)).await?
            >= CODES_PER_HOUR
    {
        return Ok(Err(CodeError::TooMany));
    }
    let code = digits(6);
    people::insert_code(
        state.db.write(),
        phone.as_str(),
        purpose.code(),
        &code_hash(phone.as_str(), purpose, &code),
        now + Duration::minutes(CODE_MINUTES),
        now,
    )
    .await?;
    let account = people::login_by_phone(state.db.read(), phone.as_str()).await?;
    let text = match (purpose, &account) {
        (Purpose::Register, None) => Some(format!(
            "Ma xac nhan dang ky Hoc vu so: {code}. Ma dung trong {CODE_MINUTES} phut. Khong dua ma nay cho ai."
        )),
        (Purpose::Register, Some(_)) => Some(
            "So nay da co tai khoan Hoc vu so. Hay dang nhap, hoac chon Quen mat khau.".to_owned(),
        ),
        (Purpose::Reset, Some((p, _))) if is_staff(state.db.read(), p.id).await? => Some(
            "Tai khoan can bo chi quan tri cap tinh dat lai mat khau duoc. Hay lien he So KH&CN."
                .to_owned(),
        ),
        (Purpose::Reset, Some(_)) => Some(format!(
            "Ma dat lai mat khau Hoc vu so: {code}. Ma dung trong {CODE_MINUTES} phut. Khong dua ma nay cho ai."
        )),
        (Purpose::Reset, None) => None,
    };
    if let Some(text) = text {
        // The network part is not waited for (SmsSender), so the answer takes the same time
        // whether a message goes out or not.
        let sending = state.sms.send(crate::services::shared::sms::Sms {
            phone: phone.as_str().to_owned(),
            text,
            key: String::new(),
        });
        tokio::spawn(async move {
            if let Err(e) = sending.await {
                tracing::error!("SMS not sent: {e}");
            }
        });
    }
    Ok(Ok(phone))
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum UseCodeError {
    #[error("{0}")]
    Password(String),
    #[error("Mã không đúng hoặc đã hết hạn. Hãy kiểm tra tin nhắn, hoặc xin mã mới.")]
    Wrong,
    #[error("Đã nhập sai mã quá {TRIES_PER_CODE} lần. Hãy xin mã mới.")]
    Locked,
    #[error("Đã nhập mã quá nhiều lần. Hãy thử lại sau ít phút.")]
    TooMany,
}

/// Checks a code sent to a phone number for a purpose. Each try is claimed before the
/// comparison (parallel guesses count like serial ones); the code is then used up.
pub async fn check_code(
    state: &Runtime,
    phone: &PhoneNumber,
    purpose: Purpose,
    code: &str,
    client: &str,
) -> Result<Result<(), UseCodeError>, Internal> {
    let now = state.clock.now();
    if state.limits.code_client.check(client, now).is_err() {
        return Ok(Err(UseCodeError::TooMany));
    }
    let Some(live) =
        people::live_code(state.db.write(), phone.as_str(), purpose.code(), now).await?
    else {
        return Ok(Err(UseCodeError::Wrong));
    };
    let tries = people::claim_code_try(state.db.write(), live.id).await?;
    if tries > TRIES_PER_CODE {
        return Ok(Err(UseCodeError::Locked));
    }
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    let right =
        crate::services::same_text(&code_hash(phone.as_str(), purpose, &code), &live.code_hash);
    if !right {
        if tries >= TRIES_PER_CODE {
            return Ok(Err(UseCodeError::Locked));
        }
        return Ok(Err(UseCodeError::Wrong));
    }
    Ok(Ok(()))
}

/// Sets a new password with a code from the SMS; ends every session; audited. A staff account
/// is never reset this way (its number got no code).
pub async fn reset_with_code(
    state: &Runtime,
    phone: &str,
    code: &str,
    new_password: &str,
    client: &str,
) -> Result<Result<(), UseCodeError>, Internal> {
    let password = match Password::parse(new_password) {
        Ok(p) => p,
        Err(e) => return Ok(Err(UseCodeError::Password(e.to_string()))),
    };
    let Ok(phone) = PhoneNumber::parse(phone) else {
        return Ok(Err(UseCodeError::Wrong));
    };
    if let Err(e) = check_code(state, &phone, Purpose::Reset, code, client).await? {
        return Ok(Err(e));
    }
    let Some((person, _)) = people::login_by_phone(state.db.read(), phone.as_str()).await? else {
        return Ok(Err(UseCodeError::Wrong));
    };
    if is_staff(state.db.read(), person.id).await? {
        return Ok(Err(UseCodeError::Wrong));
    }
    let hash = hash_password(state, password.expose().to_owned()).await?;
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    people::set_password(&txn, person.id, &hash, false).await?;
    people::use_codes(&txn, phone.as_str(), Purpose::Reset.code()).await?;
    people::delete_sessions_of(&txn, person.id).await?;
    audit::record(
        &txn,
        person.id,
        AuditAction::ResetPasswordSms,
        &person.id.to_string(),
        "",
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

/// Whether this person must replace a temporary password now.
pub async fn must_change(state: &Runtime, person_id: i64) -> Result<bool, Internal> {
    Ok(people::account_of(state.db.read(), person_id)
        .await?
        .is_some_and(|a| a.must_change_password))
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("Mật khẩu hiện tại không đúng.")]
    Current,
    #[error("{0}")]
    New(String),
    #[error("Hai lần nhập mật khẩu mới không giống nhau.")]
    Mismatch,
}

/// A logged-in person replaces their password (required after a staff reset). Every other
/// session of theirs ends (a stolen session does not outlive the change); `keep` is the
/// session hash of the browser that made the change.
pub async fn change_password(
    state: &Runtime,
    person_id: i64,
    keep: Option<&str>,
    current: &str,
    new: &str,
    repeat: &str,
) -> Result<Result<(), ChangeError>, Internal> {
    let Some(account) = people::account_of(state.db.read(), person_id).await? else {
        return Ok(Err(ChangeError::Current));
    };
    if !verify_password(state, current.to_owned(), account.password_hash).await? {
        return Ok(Err(ChangeError::Current));
    }
    let password = match Password::parse(new) {
        Ok(p) => p,
        Err(e) => return Ok(Err(ChangeError::New(e.to_string()))),
    };
    if new != repeat {
        return Ok(Err(ChangeError::Mismatch));
    }
    let hash = hash_password(state, password.expose().to_owned()).await?;
    let txn = state.db.write().begin().await?;
    people::set_password(&txn, person_id, &hash, false).await?;
    people::delete_other_sessions(&txn, person_id, keep).await?;
    audit::record(
        &txn,
        person_id,
        AuditAction::ChangePassword,
        &person_id.to_string(),
        "other sessions ended",
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    crate::services::accounts::sign_in::forget_everywhere(
        state,
        crate::services::accounts::sign_in::Forget::Person(person_id),
    )
    .await;
    Ok(Ok(()))
}
