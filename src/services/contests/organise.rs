//! Contests for their organisers: a unit's officer (or the province, for any unit) creates a
//! contest for the unit's people or for anyone, with its first round, and adds rounds; sees
//! how many joined and played. An officer reaches only the contests of their units and those
//! below, and every id from an address is looked up inside them.

use chrono::{DateTime, Utc};
use hocvuso_db::repo::contests::{self, NewContest, NewRound};
use hocvuso_db::repo::{audit, org};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;
use hocvuso_domain::TargetGroup;

use super::play::{phase, Phase};
use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// The most rounds one contest may have.
pub const MAX_ROUNDS: i32 = 52;
/// The most questions one round may draw.
pub const MAX_QUESTIONS: i32 = 100;
/// The most attempts one round may allow.
pub const MAX_ATTEMPTS: i32 = 10;
/// The longest time allowed for one attempt, in minutes.
pub const MAX_MINUTES: i32 = 240;
/// The longest a round may stay open, in days.
pub const MAX_ROUND_DAYS: i64 = 92;

/// The prediction question rounds ask unless the organiser writes another.
pub const DEFAULT_PREDICTION: &str =
    "Theo bạn, có bao nhiêu người trả lời đúng tất cả các câu hỏi của vòng thi này?";

/// What the round part of a form sends.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct RoundInput {
    #[serde(default, rename = "vong_ten")]
    pub round_name: String,
    /// `dd/mm/yyyy hh:mm`, Vietnam time.
    #[serde(default, rename = "mo")]
    pub opens: String,
    #[serde(default, rename = "dong")]
    pub closes: String,
    #[serde(default)]
    pub khoa_hoc: String,
    #[serde(default)]
    pub so_cau: String,
    /// Questions per competence, as for a course's quiz (`4.2: 4, 2.3: 2`).
    #[serde(default, rename = "theo_nang_luc")]
    pub by_competence: String,
    #[serde(default)]
    pub phut: String,
    #[serde(default)]
    pub luot: String,
    #[serde(default)]
    pub du_doan: String,
}

impl RoundInput {
    pub fn with_defaults() -> Self {
        RoundInput {
            so_cau: "20".to_owned(),
            phut: "20".to_owned(),
            luot: "1".to_owned(),
            du_doan: DEFAULT_PREDICTION.to_owned(),
            ..RoundInput::default()
        }
    }
}

/// What the new-contest form sends (the contest and its first round).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ContestInput {
    #[serde(default, rename = "don_vi")]
    pub unit: String,
    #[serde(default, rename = "ten")]
    pub name: String,
    #[serde(default)]
    pub mo_ta: String,
    /// `tat-ca` (anyone who registers), `don-vi` (the organising unit's people) or `chon`
    /// (the people of the units in `chosen_units`).
    #[serde(default, rename = "pham_vi")]
    pub scope: String,
    /// Codes of the units ticked for `chon` (tick boxes `dv_<code>`, read by the page).
    #[serde(skip)]
    pub chosen_units: Vec<String>,
    /// Codes of the target groups ticked (tick boxes `nhom_<code>`); none ticked: every group.
    #[serde(skip)]
    pub groups: Vec<String>,
    #[serde(flatten)]
    pub round: RoundInput,
}

/// A round read from a form, every field right.
pub struct ValidRound {
    pub title: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub course_id: i64,
    pub question_count: i32,
    pub draw_by: String,
    pub minutes: i32,
    pub attempts: i32,
    pub prediction: String,
}

fn number_in(s: &str, range: std::ops::RangeInclusive<i32>) -> Option<i32> {
    s.trim().parse::<i32>().ok().filter(|n| range.contains(n))
}

/// Checks a round's fields; `number` names it when it has no title.
pub fn check_round(
    state: &Runtime,
    input: &RoundInput,
    number: i32,
    errors: &mut FieldErrors,
) -> Option<ValidRound> {
    let now = state.clock.now();
    let title = match input.round_name.trim() {
        "" => format!("Vòng {number}"),
        t => t.chars().take(200).collect(),
    };
    let opens = crate::clock::parse_date_time(&input.opens);
    if opens.is_none() {
        errors.push((
            "mo",
            "Hãy ghi thời gian mở vòng thi theo mẫu 12/12/2026 08:00 (giờ Việt Nam).".to_owned(),
        ));
    }
    let closes = crate::clock::parse_date_time(&input.closes);
    if closes.is_none() {
        errors.push((
            "dong",
            "Hãy ghi thời gian đóng vòng thi theo mẫu 19/12/2026 20:00 (giờ Việt Nam).".to_owned(),
        ));
    }
    if let (Some(o), Some(c)) = (opens, closes) {
        if c <= o {
            errors.push((
                "dong",
                "Vòng thi phải đóng sau khi mở: thời gian đóng đang sớm hơn thời gian mở."
                    .to_owned(),
            ));
        } else if c <= now {
            errors.push((
                "dong",
                "Thời gian đóng đã qua. Hãy chọn thời gian đóng sau bây giờ.".to_owned(),
            ));
        } else if c - o > chrono::Duration::days(MAX_ROUND_DAYS) {
            errors.push((
                "dong",
                format!("Một vòng thi mở nhiều nhất {MAX_ROUND_DAYS} ngày."),
            ));
        }
    }
    let catalog = state.catalog.current();
    let course = catalog
        .courses()
        .find(|c| c.course.slug == input.khoa_hoc.trim() && c.course.external_url.is_none());
    let bank: Vec<(i64, &str)> = course
        .map(|c| {
            c.bank_questions()
                .map(|q| (q.question.id, q.question.competences.as_str()))
                .collect()
        })
        .unwrap_or_default();
    if course.is_none() || bank.is_empty() {
        errors.push((
            "khoa_hoc",
            "Hãy chọn khóa học có ngân hàng câu hỏi để rút đề.".to_owned(),
        ));
    }
    let count = number_in(&input.so_cau, 1..=MAX_QUESTIONS);
    match count {
        None => errors.push((
            "so_cau",
            format!("Số câu hỏi phải là một số từ 1 đến {MAX_QUESTIONS}."),
        )),
        Some(n) if !bank.is_empty() && n as usize > bank.len() => errors.push((
            "so_cau",
            format!(
                "Ngân hàng câu hỏi của khóa học này có {} câu; hãy rút nhiều nhất {} câu.",
                bank.len(),
                bank.len()
            ),
        )),
        Some(_) => {}
    }
    let draw_by = input.by_competence.trim();
    let quotas = if draw_by.is_empty() {
        Some(Vec::new())
    } else {
        hocvuso_domain::competence::parse_quotas(draw_by)
    };
    match &quotas {
        None => errors.push((
            "theo_nang_luc",
            "Hãy ghi theo mẫu “4.2: 4, 2.3: 2” (mã năng lực: số câu).".to_owned(),
        )),
        Some(q) => {
            let sum: usize = q.iter().map(|(_, n)| n).sum();
            if count.is_some_and(|n| sum > n as usize) {
                errors.push((
                    "theo_nang_luc",
                    "Tổng số câu theo năng lực nhiều hơn số câu của vòng thi.".to_owned(),
                ));
            }
            for (code, n) in q {
                let tagged = bank
                    .iter()
                    .filter(|(_, codes)| codes.split_whitespace().any(|c| c == code))
                    .count();
                if !bank.is_empty() && tagged < *n {
                    errors.push((
                        "theo_nang_luc",
                        format!("Ngân hàng chỉ có {tagged} câu gắn năng lực {code}."),
                    ));
                }
            }
        }
    }
    let minutes = number_in(&input.phut, 1..=MAX_MINUTES);
    if minutes.is_none() {
        errors.push((
            "phut",
            format!("Thời gian làm bài phải là số phút từ 1 đến {MAX_MINUTES}."),
        ));
    }
    let attempts = number_in(&input.luot, 1..=MAX_ATTEMPTS);
    if attempts.is_none() {
        errors.push((
            "luot",
            format!("Số lượt thi phải là một số từ 1 đến {MAX_ATTEMPTS}."),
        ));
    }
    let prediction = input.du_doan.trim();
    if !(10..=300).contains(&prediction.chars().count()) {
        errors.push((
            "du_doan",
            "Hãy ghi câu hỏi dự đoán (10 đến 300 ký tự).".to_owned(),
        ));
    }
    Some(ValidRound {
        title,
        opens_at: opens?,
        closes_at: closes?,
        course_id: course?.course.id,
        question_count: count?,
        draw_by: quotas?
            .iter()
            .map(|(c, n)| format!("{c}={n}"))
            .collect::<Vec<_>>()
            .join(" "),
        minutes: minutes?,
        attempts: attempts?,
        prediction: prediction.to_owned(),
    })
}

/// The units whose contests this user manages: `None` for every unit (the province admin).
async fn scope(state: &Runtime, user: &SessionUser) -> Result<Option<Vec<org::OrgUnit>>, Internal> {
    crate::services::people::org::managed_units(state, user).await
}

/// The units this user may organise a contest for.
pub async fn units_for(state: &Runtime, user: &SessionUser) -> Result<Vec<org::OrgUnit>, Internal> {
    crate::services::people::org::units_to_act_for(state, user).await
}

/// The contest, if this user manages it.
pub async fn managed(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<contests::Contest>, Internal> {
    let Some(c) = contests::contest_by_id(state.db.read(), id).await? else {
        return Ok(None);
    };
    let ok = scope(state, user)
        .await?
        .is_none_or(|units| units.iter().any(|u| u.id == c.unit_id));
    Ok(ok.then_some(c))
}

/// Creates a contest and its first round; nothing is written unless every field is right.
pub async fn create(
    state: &Runtime,
    user: &SessionUser,
    input: &ContestInput,
) -> Result<i64, FormError> {
    let mut errors: FieldErrors = Vec::new();
    let units = units_for(state, user).await?;
    let unit = units.iter().find(|u| u.code == input.unit.trim());
    if unit.is_none() {
        errors.push(("don_vi", "Hãy chọn đơn vị tổ chức.".to_owned()));
    }
    let title = input.name.trim();
    if !(5..=200).contains(&title.chars().count()) {
        errors.push(("ten", "Hãy ghi tên cuộc thi (5 đến 200 ký tự).".to_owned()));
    }
    let description = input.mo_ta.trim();
    if description.chars().count() > 5_000 {
        errors.push(("mo_ta", "Phần giới thiệu dài nhất 5.000 ký tự.".to_owned()));
    }
    let audience_units = match (input.scope.as_str(), unit) {
        ("tat-ca", _) => String::new(),
        ("don-vi", Some(unit)) => unit.code.clone(),
        ("chon", _) => {
            // Only units this officer may act for count; any other code is refused, not
            // silently dropped.
            let mut codes: Vec<&str> = Vec::new();
            for code in &input.chosen_units {
                match units.iter().find(|u| u.code == code.trim()) {
                    Some(u) if !codes.contains(&u.code.as_str()) => codes.push(&u.code),
                    Some(_) => {}
                    None => {
                        errors.push((
                            "pham_vi",
                            "Có đơn vị được chọn không thuộc phạm vi bạn quản lý.".to_owned(),
                        ));
                        break;
                    }
                }
            }
            if codes.is_empty() && errors.iter().all(|(f, _)| *f != "pham_vi") {
                errors.push((
                    "pham_vi",
                    "Hãy đánh dấu ít nhất một đơn vị được dự thi.".to_owned(),
                ));
            }
            codes.join(",")
        }
        ("don-vi", None) => String::new(),
        _ => {
            errors.push((
                "pham_vi",
                "Hãy chọn ai được dự thi: mọi người, người của đơn vị tổ chức, hay các đơn vị bạn chọn."
                    .to_owned(),
            ));
            String::new()
        }
    };
    let mut groups: Vec<&str> = Vec::new();
    for code in &input.groups {
        match TargetGroup::from_code(code.trim()) {
            Some(g) if !groups.contains(&g.code()) => groups.push(g.code()),
            Some(_) => {}
            None => {
                errors.push((
                    "nhom",
                    "Hãy chọn nhóm đối tượng trong danh sách.".to_owned(),
                ));
                break;
            }
        }
    }
    let audience_groups = groups.join(",");
    let round = check_round(state, &input.round, 1, &mut errors);
    let (Some(unit), Some(round), true) = (unit, round, errors.is_empty()) else {
        return Err(FormError::Invalid(errors));
    };
    let now = state.clock.now();
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    let id = contests::insert_contest(
        &txn,
        &NewContest {
            unit_id: unit.id,
            title,
            description,
            audience_units: &audience_units,
            audience_groups: &audience_groups,
        },
        user.person_id,
        now,
    )
    .await
    .map_err(Internal::from)?;
    insert(&txn, id, 1, &round).await?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::ContestCreate,
        &id.to_string(),
        &format!("{title} ({})", unit.name),
        now,
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(id)
}

async fn insert<C: hocvuso_db::ConnectionTrait>(
    conn: &C,
    contest_id: i64,
    number: i32,
    r: &ValidRound,
) -> Result<i64, Internal> {
    Ok(contests::insert_round(
        conn,
        &NewRound {
            contest_id,
            number,
            title: &r.title,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            course_id: r.course_id,
            question_count: r.question_count,
            draw_by: &r.draw_by,
            minutes: r.minutes,
            attempts: r.attempts,
            prediction: &r.prediction,
        },
    )
    .await?)
}

/// Adds a round to a contest this user manages (`Ok(None)`: no such contest for them).
pub async fn add_round(
    state: &Runtime,
    user: &SessionUser,
    contest_id: i64,
    input: &RoundInput,
) -> Result<Option<i64>, FormError> {
    let Some(contest) = managed(state, user, contest_id).await? else {
        return Ok(None);
    };
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    contests::lock_contest(&txn, contest.id)
        .await
        .map_err(Internal::from)?;
    let rounds = contests::rounds_of(&txn, &[contest.id])
        .await
        .map_err(Internal::from)?;
    let number = rounds.iter().map(|r| r.number).max().unwrap_or(0) + 1;
    let mut errors = Vec::new();
    if number > MAX_ROUNDS {
        errors.push((
            "vong_ten",
            format!("Một cuộc thi có nhiều nhất {MAX_ROUNDS} vòng."),
        ));
    }
    if !contests::awards_of(&txn, contest.id)
        .await
        .map_err(Internal::from)?
        .is_empty()
    {
        errors.push((
            "vong_ten",
            "Cuộc thi đã công bố giải; không thêm vòng được nữa.".to_owned(),
        ));
    }
    let round = check_round(state, input, number, &mut errors);
    let (Some(round), true) = (round, errors.is_empty()) else {
        return Err(FormError::Invalid(errors));
    };
    let id = insert(&txn, contest.id, number, &round).await?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::ContestRoundAdd,
        &contest.id.to_string(),
        &format!("{} — {}", contest.title, round.title),
        state.clock.now(),
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(Some(id))
}

/// A contest in the organiser's list.
pub struct ManagedLine {
    pub contest: contests::Contest,
    pub unit: String,
    pub rounds: usize,
    pub open_rounds: usize,
    pub entrants: i64,
}

/// The contests this user manages, newest first.
pub async fn managed_list(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Vec<ManagedLine>, Internal> {
    let db = state.db.read();
    let scope = scope(state, user).await?;
    let ids: Option<Vec<i64>> = scope.map(|units| units.iter().map(|u| u.id).collect());
    let list = contests::contests(db, ids.as_deref()).await?;
    let contest_ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    let rounds = contests::rounds_of(db, &contest_ids).await?;
    let entrants = contests::entrant_counts(db, &contest_ids).await?;
    let tree = crate::services::people::org::tree(state).await?;
    let now = state.clock.now();
    Ok(list
        .into_iter()
        .map(|c| {
            let mine: Vec<&contests::Round> =
                rounds.iter().filter(|r| r.contest_id == c.id).collect();
            ManagedLine {
                unit: tree
                    .iter()
                    .find(|u| u.id == c.unit_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                rounds: mine.len(),
                open_rounds: mine.iter().filter(|r| phase(r, now) == Phase::Open).count(),
                entrants: entrants
                    .iter()
                    .find(|(id, _)| *id == c.id)
                    .map_or(0, |(_, n)| *n),
                contest: c,
            }
        })
        .collect())
}

/// A round on the organiser's page.
pub struct RoundAdmin {
    pub round: contests::Round,
    pub phase: Phase,
    pub course: String,
    pub started: i64,
    pub submitted: i64,
}

/// A contest's page for its organiser.
pub struct ContestAdmin {
    pub contest: contests::Contest,
    pub unit: String,
    pub audience: String,
    pub rounds: Vec<RoundAdmin>,
    pub entrants: i64,
}

/// Who may enter, in words.
pub fn audience_words(contest: &contests::Contest, tree: &[org::OrgUnit]) -> String {
    let units: Vec<String> = super::play::audience_units(contest, tree)
        .iter()
        .map(|u| u.name.clone())
        .collect();
    let groups: Vec<&str> = contest
        .audience_groups
        .split(',')
        .filter_map(TargetGroup::from_code)
        .map(TargetGroup::name_vi)
        .collect();
    let mut out = if units.is_empty() {
        "Mọi người có tài khoản".to_owned()
    } else {
        format!("Người dân và cán bộ của {}", units.join(", "))
    };
    if !groups.is_empty() {
        out.push_str(&format!(", nhóm {}", groups.join(", ")));
    }
    out
}

/// The organiser's view of a contest they manage.
pub async fn admin(
    state: &Runtime,
    user: &SessionUser,
    id: i64,
) -> Result<Option<ContestAdmin>, Internal> {
    let Some(contest) = managed(state, user, id).await? else {
        return Ok(None);
    };
    let db = state.db.read();
    let rounds = contests::rounds_of(db, &[contest.id]).await?;
    let ids: Vec<i64> = rounds.iter().map(|r| r.id).collect();
    let counts = contests::entry_counts(db, &ids).await?;
    let entrants = contests::entrant_counts(db, &[contest.id])
        .await?
        .first()
        .map_or(0, |(_, n)| *n);
    let tree = crate::services::people::org::tree(state).await?;
    let catalog = state.catalog.current();
    let now = state.clock.now();
    Ok(Some(ContestAdmin {
        unit: tree
            .iter()
            .find(|u| u.id == contest.unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        audience: audience_words(&contest, &tree),
        rounds: rounds
            .into_iter()
            .map(|r| {
                let (started, submitted) = counts
                    .iter()
                    .find(|(id, ..)| *id == r.id)
                    .map_or((0, 0), |(_, s, d)| (*s, *d));
                RoundAdmin {
                    phase: phase(&r, now),
                    course: catalog
                        .by_id(r.course_id)
                        .map(|c| c.course.title.clone())
                        .unwrap_or_default(),
                    started,
                    submitted,
                    round: r,
                }
            })
            .collect(),
        entrants,
        contest,
    }))
}

/// The courses a round may draw from: `(slug, title)` of every published course with a bank.
pub fn courses(state: &Runtime) -> Vec<(String, String)> {
    state
        .catalog
        .current()
        .courses()
        .filter(|c| c.course.external_url.is_none() && c.bank_questions().next().is_some())
        .map(|c| (c.course.slug.clone(), c.course.title.clone()))
        .collect()
}

/// Ends round number `number` of a contest this user manages now (a leak, a mistake): no
/// entry starts after it, answers are taken for one more minute. `Ok(None)`: no such contest
/// or round for them; `Ok(Some(false))`: the round was not open.
pub async fn end_round(
    state: &Runtime,
    user: &SessionUser,
    contest_id: i64,
    number: i32,
) -> Result<Option<bool>, Internal> {
    let Some(contest) = managed(state, user, contest_id).await? else {
        return Ok(None);
    };
    let txn = state.db.write().begin().await?;
    let Some(round) = contests::rounds_of(&txn, &[contest.id])
        .await?
        .into_iter()
        .find(|r| r.number == number)
    else {
        return Ok(None);
    };
    let now = state.clock.now();
    if !contests::end_round(&txn, round.id, now).await? {
        return Ok(Some(false));
    }
    audit::record(
        &txn,
        user.person_id,
        AuditAction::ContestRoundEnd,
        &contest.id.to_string(),
        &format!("{} — {}", contest.title, round.title),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Some(true))
}
