//! Getting back into an account without email: a staff member (unit officer, helper of the
//! community digital technology team, province admin) resets a learner's password to a
//! temporary one that must be changed at the next login; or the learner asks for a one-time
//! code by SMS. Both are audited; codes are rate-limited, expire, and lock after wrong tries.

use chrono::Duration;
use hocvuso_db::repo::{audit, org, people};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::{Password, PhoneNumber, Role};
use sha2::{Digest, Sha256};

use super::accounts::{hash_password, verify_password, SessionUser};
use super::{hex, Internal};
use crate::state::AppState;

/// Sends text messages. The development adapter ([`LogSms`]) writes them to the log; a
/// province plugs its SMS gateway in behind this trait.
pub trait SmsSender: Send + Sync {
    fn send(&self, phone: &str, text: &str) -> Result<(), String>;
    /// The last message sent to a number, when the adapter keeps them (development only;
    /// a real gateway returns `None`).
    fn last_sent_to(&self, _phone: &str) -> Option<String> {
        None
    }
}

/// Development adapter: logs every message (with the code: never use it in production) and
/// keeps the last few for the tests.
#[derive(Default)]
pub struct LogSms {
    sent: std::sync::Mutex<std::collections::VecDeque<(String, String)>>,
}

impl SmsSender for LogSms {
    fn send(&self, phone: &str, text: &str) -> Result<(), String> {
        tracing::warn!(
            "SMS to {} (development adapter, not sent): {text}",
            hocvuso_domain::mask::phone(phone)
        );
        if let Ok(mut sent) = self.sent.lock() {
            if sent.len() >= 100 {
                sent.pop_front();
            }
            sent.push_back((phone.to_owned(), text.to_owned()));
        }
        Ok(())
    }

    fn last_sent_to(&self, phone: &str) -> Option<String> {
        let sent = self.sent.lock().ok()?;
        sent.iter()
            .rev()
            .find(|(p, _)| p == phone)
            .map(|(_, t)| t.clone())
    }
}

/// Codes a number may ask for per hour.
pub const CODES_PER_HOUR: u64 = 3;
/// Wrong tries before a code stops working.
pub const TRIES_PER_CODE: i32 = 5;
/// How long a code works.
pub const CODE_MINUTES: i64 = 10;

fn digits(n: usize) -> String {
    let bytes = super::random_bytes::<16>();
    bytes
        .iter()
        .take(n)
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

fn code_hash(person_id: i64, code: &str) -> String {
    hex(&Sha256::digest(format!("{person_id}:{code}").as_bytes()))
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
    #[error("Không có tài khoản nào với số điện thoại này.")]
    NoAccount,
    #[error("Người này không thuộc đơn vị bạn phụ trách.")]
    OutOfScope,
    #[error("Tài khoản của cán bộ chỉ quản trị cấp tỉnh đặt lại được.")]
    Staff,
}

/// Whether a staff member may reset a person's password: the province admin anyone; a unit
/// officer or helper people who live or are members under their unit.
async fn may_reset(
    state: &AppState,
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
                if u.path.starts_with(&scope.path) {
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
    state: &AppState,
    user: &SessionUser,
    phone: &str,
) -> Result<Result<TemporaryPassword, ResetError>, Internal> {
    let phone = match PhoneNumber::parse(phone) {
        Ok(p) => p,
        Err(e) => return Ok(Err(ResetError::Phone(e.to_string()))),
    };
    let Some((person, _)) = people::login_by_phone(state.db.read(), phone.as_str()).await? else {
        return Ok(Err(ResetError::NoAccount));
    };
    if !may_reset(state, user, &person).await? {
        return Ok(Err(ResetError::OutOfScope));
    }
    let roles = people::roles(state.db.read(), person.id).await?;
    let is_staff = roles
        .iter()
        .any(|r| Role::from_code(&r.role).is_some_and(|r| r != Role::Learner));
    if is_staff && !user.is_province_admin() {
        return Ok(Err(ResetError::Staff));
    }
    let password = digits(8);
    let hash = hash_password(password.clone()).await?;
    let txn = state.db.write().begin().await?;
    people::set_password(&txn, person.id, &hash, true).await?;
    people::delete_sessions_of(&txn, person.id).await?;
    people::use_otps(&txn, person.id).await?;
    audit::record(
        &txn,
        user.person_id,
        "reset_password",
        &person.id.to_string(),
        "temporary password handed over",
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    state.sessions.forget_person(person.id);
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
    #[error("Số này đã nhận {CODES_PER_HOUR} mã trong một giờ qua. Hãy thử lại sau, hoặc nhờ cán bộ xã đặt lại mật khẩu.")]
    TooMany,
    #[error("Không gửi được tin nhắn. Hãy thử lại sau ít phút.")]
    NotSent,
}

/// Sends a 6-digit code to the number if it has an account (the answer is the same either
/// way, so the page does not tell who has an account).
pub async fn send_code(state: &AppState, phone: &str) -> Result<Result<(), CodeError>, Internal> {
    let phone = match PhoneNumber::parse(phone) {
        Ok(p) => p,
        Err(e) => return Ok(Err(CodeError::Phone(e.to_string()))),
    };
    let Some((person, _)) = people::login_by_phone(state.db.read(), phone.as_str()).await? else {
        return Ok(Ok(()));
    };
    let now = state.clock.now();
    if people::otps_since(state.db.read(), person.id, now - Duration::hours(1)).await?
        >= CODES_PER_HOUR
    {
        return Ok(Err(CodeError::TooMany));
    }
    let code = digits(6);
    people::insert_otp(
        state.db.write(),
        person.id,
        &code_hash(person.id, &code),
        now + Duration::minutes(CODE_MINUTES),
        now,
    )
    .await?;
    let text = format!(
        "Ma dat lai mat khau Hoc vu so: {code}. Ma dung trong {CODE_MINUTES} phut. Khong dua ma nay cho ai."
    );
    if state.sms.send(phone.as_str(), &text).is_err() {
        return Ok(Err(CodeError::NotSent));
    }
    Ok(Ok(()))
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum UseCodeError {
    #[error("{0}")]
    Password(String),
    #[error("Mã không đúng hoặc đã hết hạn. Hãy kiểm tra tin nhắn, hoặc xin mã mới.")]
    Wrong,
    #[error("Đã nhập sai mã quá {TRIES_PER_CODE} lần. Hãy xin mã mới.")]
    Locked,
}

/// Sets a new password with a code from the SMS; ends every session; audited.
pub async fn reset_with_code(
    state: &AppState,
    phone: &str,
    code: &str,
    new_password: &str,
) -> Result<Result<(), UseCodeError>, Internal> {
    let password = match Password::parse(new_password) {
        Ok(p) => p,
        Err(e) => return Ok(Err(UseCodeError::Password(e.to_string()))),
    };
    let Ok(phone) = PhoneNumber::parse(phone) else {
        return Ok(Err(UseCodeError::Wrong));
    };
    let Some((person, _)) = people::login_by_phone(state.db.read(), phone.as_str()).await? else {
        return Ok(Err(UseCodeError::Wrong));
    };
    let now = state.clock.now();
    let Some(otp) = people::live_otp(state.db.write(), person.id, now).await? else {
        return Ok(Err(UseCodeError::Wrong));
    };
    if otp.attempts >= TRIES_PER_CODE {
        return Ok(Err(UseCodeError::Locked));
    }
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    if code_hash(person.id, &code) != otp.code_hash {
        people::otp_wrong_try(state.db.write(), otp.id).await?;
        if otp.attempts + 1 >= TRIES_PER_CODE {
            return Ok(Err(UseCodeError::Locked));
        }
        return Ok(Err(UseCodeError::Wrong));
    }
    let hash = hash_password(password.expose().to_owned()).await?;
    let txn = state.db.write().begin().await?;
    people::set_password(&txn, person.id, &hash, false).await?;
    people::use_otps(&txn, person.id).await?;
    people::delete_sessions_of(&txn, person.id).await?;
    audit::record(
        &txn,
        person.id,
        "reset_password_sms",
        &person.id.to_string(),
        "",
        now,
    )
    .await?;
    txn.commit().await?;
    state.sessions.forget_person(person.id);
    Ok(Ok(()))
}

/// Whether this person must replace a temporary password now.
pub async fn must_change(state: &AppState, person_id: i64) -> Result<bool, Internal> {
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

/// A logged-in person replaces their password (required after a staff reset).
pub async fn change_password(
    state: &AppState,
    person_id: i64,
    current: &str,
    new: &str,
    repeat: &str,
) -> Result<Result<(), ChangeError>, Internal> {
    let Some(account) = people::account_of(state.db.read(), person_id).await? else {
        return Ok(Err(ChangeError::Current));
    };
    if !verify_password(current.to_owned(), account.password_hash).await? {
        return Ok(Err(ChangeError::Current));
    }
    let password = match Password::parse(new) {
        Ok(p) => p,
        Err(e) => return Ok(Err(ChangeError::New(e.to_string()))),
    };
    if new != repeat {
        return Ok(Err(ChangeError::Mismatch));
    }
    let hash = hash_password(password.expose().to_owned()).await?;
    people::set_password(state.db.write(), person_id, &hash, false).await?;
    Ok(Ok(()))
}
