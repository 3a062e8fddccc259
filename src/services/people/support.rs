//! The community digital technology teams (Tổ Công nghệ số cộng đồng): a helper registers a
//! resident on their behalf (consent recorded, a slip with the login details), and logs the
//! help given (topic, place, date); the commune sees its teams' activity.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use hocvuso_db::repo::{org, people, support};
use hocvuso_domain::{PhoneNumber, Role, UnitKind};

use crate::services::accounts::sign_in::{self, RegisterInput, SessionUser};
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// What help is about (the handbook's chapters, in the words helpers use).
pub const TOPICS: [&str; 9] = [
    "Đăng ký tài khoản Học vụ số",
    "Cài đặt và kích hoạt VNeID",
    "Tài khoản định danh điện tử mức 2",
    "Dịch vụ công trực tuyến",
    "Thanh toán không dùng tiền mặt, mã QR",
    "Nhận biết lừa đảo trên mạng",
    "Học khoá học kỹ năng số",
    "Sử dụng điện thoại thông minh",
    "Việc khác",
];

/// The text read to the resident before an assisted registration (kept with the consent).
pub const CONSENT_TEXT: &str =
    "Tôi đồng ý để thành viên Tổ Công nghệ số cộng đồng đăng ký tài khoản Học vụ số giúp tôi, \
     và để hệ thống lưu họ tên, số điện thoại, năm sinh, xã nơi tôi sống và kết quả học của tôi \
     để theo dõi phong trào Bình dân học vụ số (Nghị định 13/2023/NĐ-CP).";

/// The commune a helper (or a unit officer) works in, if they are one.
pub async fn team_commune(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Option<org::OrgUnit>, Internal> {
    for (role, unit) in &user.roles {
        if let (Role::Helper | Role::UnitOfficer, Some(unit)) = (role, unit) {
            if let Some(u) = org::by_id(state.db.read(), *unit).await? {
                if u.is(UnitKind::Commune) {
                    return Ok(Some(u));
                }
            }
        }
    }
    Ok(None)
}

/// What the helper hands over after an assisted registration.
pub struct Slip {
    pub full_name: String,
    pub phone: String,
    pub password: String,
    pub commune: String,
}

pub struct AssistedInput {
    pub full_name: String,
    pub phone: String,
    pub birth_year: String,
    pub place: String,
    pub consent: bool,
    /// For a child (under `sign_in::CHILD_AGE`): the parent or guardian present, and whether
    /// they agreed to `sign_in::PARENT_CONSENT_TEXT` as the helper read it out.
    pub parent_name: String,
    pub parent_consent: bool,
}

/// Registers a resident of the helper's commune with a temporary password (changed at their
/// first login), records their consent and a support-log entry.
pub async fn register_resident(
    state: &Runtime,
    user: &SessionUser,
    commune: &org::OrgUnit,
    input: &AssistedInput,
) -> Result<Slip, FormError> {
    let password: String = crate::services::random_bytes::<8>()
        .iter()
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    let mut errors: FieldErrors = Vec::new();
    if !input.consent {
        errors.push((
            "consent",
            "Hãy đọc cho người dân nghe và đánh dấu khi họ đồng ý.".to_owned(),
        ));
    }
    let reg = RegisterInput {
        phone: input.phone.clone(),
        full_name: input.full_name.clone(),
        birth_year: input.birth_year.clone(),
        commune_code: commune.code.clone(),
        password: password.clone(),
        // Checked above, as the helper read it out (recorded with the assisted registration).
        consent: input.consent,
        parent_name: input.parent_name.clone(),
        password_optional: false,
        parent_consent: input.parent_consent,
    };
    if !errors.is_empty() {
        // Check the other fields too, so every error shows at once (nothing is written).
        if let Err(FormError::Invalid(mut more)) = dry_check(state, &reg).await {
            more.append(&mut errors);
            return Err(FormError::Invalid(more));
        }
        return Err(FormError::Invalid(errors));
    }
    let person_id = sign_in::register_as(
        state,
        &reg,
        Some(sign_in::Assisted {
            helper_id: user.person_id,
            consent: CONSENT_TEXT,
            scope_path: &commune.path,
        }),
    )
    .await?;
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    support::add(
        state.db.write(),
        support::NewEntry {
            helper_id: user.person_id,
            unit_id: commune.id,
            person_id: Some(person_id),
            topic: TOPICS[0],
            place: input.place.trim(),
            day: &today.format("%Y-%m-%d").to_string(),
        },
        state.clock.now(),
    )
    .await?;
    let person = people::person_by_id(state.db.read(), person_id).await?;
    Ok(Slip {
        full_name: person.map_or_else(|| input.full_name.clone(), |p| p.full_name),
        phone: PhoneNumber::parse(&input.phone)
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        password,
        commune: commune.name.clone(),
    })
}

/// The errors of the typed fields, without registering (shown with a missing consent).
async fn dry_check(state: &Runtime, reg: &RegisterInput) -> Result<(), FormError> {
    let mut errors: FieldErrors = Vec::new();
    if let Err(e) = hocvuso_domain::FullName::parse(&reg.full_name) {
        errors.push(("full_name", e.to_string()));
    }
    if let Err(e) = PhoneNumber::parse(&reg.phone) {
        errors.push(("phone", e.to_string()));
    }
    if let Err(e) = hocvuso_domain::BirthYear::parse(&reg.birth_year, state.clock.year()) {
        errors.push(("birth_year", e.to_string()));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(FormError::Invalid(errors))
    }
}

pub struct LogInput {
    pub topic: String,
    pub place: String,
    pub day: String,
    pub phone: String,
}

/// Adds an entry to the helper's support log.
pub async fn log_help(
    state: &Runtime,
    user: &SessionUser,
    commune: &org::OrgUnit,
    input: &LogInput,
) -> Result<(), FormError> {
    let mut errors: FieldErrors = Vec::new();
    if !TOPICS.contains(&input.topic.as_str()) {
        errors.push(("topic", "Hãy chọn việc đã hỗ trợ.".to_owned()));
    }
    let place = input.place.trim();
    if place.is_empty() {
        errors.push((
            "place",
            "Hãy ghi nơi hỗ trợ (ví dụ: Nhà văn hoá thôn 3).".to_owned(),
        ));
    } else if place.chars().count() > 200 {
        errors.push(("place", "Nơi hỗ trợ dài quá 200 ký tự.".to_owned()));
    }
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    let day = match crate::clock::parse_day(&input.day) {
        Some(d) if d <= today && d > today - Duration::days(366) => Some(d),
        Some(_) => {
            errors.push((
                "day",
                "Ngày hỗ trợ phải trong vòng một năm qua, không sau hôm nay.".to_owned(),
            ));
            None
        }
        None => {
            errors.push((
                "day",
                "Hãy ghi ngày theo dạng ngày/tháng/năm, ví dụ 25/11/2026.".to_owned(),
            ));
            None
        }
    };
    let mut person_id = None;
    if !input.phone.trim().is_empty() {
        match PhoneNumber::parse(&input.phone) {
            // Looked up only among the people of the helper's commune: the answer never
            // tells whether the number belongs to someone elsewhere.
            Ok(p) => match people::person_by_phone(state.db.read(), p.as_str()).await? {
                Some(person)
                    if sign_in::lives_or_belongs_under(state, &person, &commune.path).await? =>
                {
                    person_id = Some(person.id);
                }
                _ => errors.push((
                    "phone",
                    "Không có ai với số điện thoại này trong xã của bạn; có thể để trống."
                        .to_owned(),
                )),
            },
            Err(e) => errors.push(("phone", e.to_string())),
        }
    }
    let Some(day) = day.filter(|_| errors.is_empty()) else {
        return Err(FormError::Invalid(errors));
    };
    support::add(
        state.db.write(),
        support::NewEntry {
            helper_id: user.person_id,
            unit_id: commune.id,
            person_id,
            topic: &input.topic,
            place,
            day: &day.format("%Y-%m-%d").to_string(),
        },
        state.clock.now(),
    )
    .await?;
    Ok(())
}

/// One entry, ready to show.
pub struct EntryView {
    pub day: String,
    pub topic: String,
    pub place: String,
    pub helper: String,
}

fn day_text(stored: &str) -> String {
    NaiveDate::parse_from_str(stored, "%Y-%m-%d")
        .map(crate::clock::format_day)
        .unwrap_or_else(|_| stored.to_owned())
}

/// A helper's latest entries.
pub async fn my_entries(state: &Runtime, user: &SessionUser) -> Result<Vec<EntryView>, Internal> {
    Ok(support::of_helper(state.db.read(), user.person_id, 20)
        .await?
        .into_iter()
        .map(|e| EntryView {
            day: day_text(&e.day),
            topic: e.topic,
            place: e.place,
            helper: user.full_name.clone(),
        })
        .collect())
}

/// A commune's team activity over the last 30 days: by helper, by topic, and the entries.
pub struct Activity {
    pub total: usize,
    pub registrations: usize,
    pub by_helper: Vec<(String, usize)>,
    pub by_topic: Vec<(String, usize)>,
    pub latest: Vec<EntryView>,
}

pub async fn activity(state: &Runtime, unit_id: i64) -> Result<Activity, Internal> {
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    let since = (today - Duration::days(29)).format("%Y-%m-%d").to_string();
    let entries = support::of_unit_since(state.db.read(), unit_id, &since).await?;
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    for e in &entries {
        if let std::collections::btree_map::Entry::Vacant(v) = names.entry(e.helper_id) {
            let name = people::person_by_id(state.db.read(), e.helper_id)
                .await?
                .map_or_else(String::new, |p| p.full_name);
            v.insert(name);
        }
    }
    let mut by_helper: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_topic: BTreeMap<String, usize> = BTreeMap::new();
    for e in &entries {
        *by_helper
            .entry(names.get(&e.helper_id).cloned().unwrap_or_default())
            .or_default() += 1;
        *by_topic.entry(e.topic.clone()).or_default() += 1;
    }
    let mut by_helper: Vec<(String, usize)> = by_helper.into_iter().collect();
    by_helper.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut by_topic: Vec<(String, usize)> = by_topic.into_iter().collect();
    by_topic.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(Activity {
        total: entries.len(),
        registrations: entries.iter().filter(|e| e.topic == TOPICS[0]).count(),
        by_helper,
        by_topic,
        latest: entries
            .iter()
            .take(10)
            .map(|e| EntryView {
                day: day_text(&e.day),
                topic: e.topic.clone(),
                place: e.place.clone(),
                helper: names.get(&e.helper_id).cloned().unwrap_or_default(),
            })
            .collect(),
    })
}
