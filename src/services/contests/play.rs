//! Taking part: a person joins a contest for their commune or agency (once), starts a round
//! while it is open (one entry per attempt, the database refusing a second with the same
//! number), answers and submits within the time allowed plus a minute of grace, and reviews
//! their answers once the round has closed. Starts and submissions go through the group-commit
//! writer (`services::shared::writer`), so a whole province starting a round in the same second
//! costs a handful of transactions. The answer key never leaves the server before the close.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use hocvuso_db::repo::contests::{self, NewEntry, Submitted};
use hocvuso_db::repo::{learning, org, people};
use hocvuso_db::{DatabaseTransaction, DbErr};

use super::ranking::{self, GRACE_SECONDS};
use crate::clock::{format_date_time, Clock};
use crate::services::accounts::sign_in::SessionUser;
use crate::services::learning::catalog::{Catalog, CatalogStore};
use crate::services::learning::progress;
use crate::services::learning::quiz::ShownQuestion;
use crate::services::runtime::Runtime;
use crate::services::shared::writer::{distinct, BatchHandler, BoxFuture, WriteError};
use crate::services::Internal;

/// The largest prediction accepted (more than every person of the country).
pub const MAX_PREDICTION: i64 = 200_000_000;

#[derive(Debug, thiserror::Error)]
pub enum PlayError {
    #[error("not found")]
    NotFound,
    #[error("Bạn chưa tham gia cuộc thi này. Hãy bấm “Tham gia” trước.")]
    NotJoined,
    #[error("Vòng thi chưa mở. Vòng thi mở lúc {0} (giờ Việt Nam).")]
    NotOpen(String),
    #[error("Vòng thi đã kết thúc. Bạn có thể xem kết quả và bảng xếp hạng.")]
    Closed,
    #[error("Bạn đã dùng hết {0} lượt thi của vòng này.")]
    NoAttemptsLeft(i32),
    #[error("Đã hết giờ làm bài: bài nộp sau thời hạn không được nhận.")]
    Late,
    #[error("Bài thi này đã được nộp rồi. Kết quả không thay đổi.")]
    AlreadySubmitted,
    #[error("Hãy ghi dự đoán của bạn: một số từ 0 trở lên.")]
    Prediction,
    #[error("Câu trả lời không thuộc bài thi này.")]
    ForeignAnswer,
    #[error("{0}")]
    NotEligible(String),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<DbErr> for PlayError {
    fn from(e: DbErr) -> Self {
        PlayError::Internal(e.into())
    }
}

impl<E: Into<PlayError>> From<WriteError<E>> for PlayError {
    fn from(e: WriteError<E>) -> Self {
        match e {
            WriteError::Refused(e) => e.into(),
            WriteError::Db(m) => PlayError::Internal(Internal::Other(m)),
        }
    }
}

/// When a round stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Upcoming,
    Open,
    /// Closed; answers in flight are still taken until the grace minute ends.
    Closing,
    Closed,
}

pub fn phase(round: &contests::Round, now: DateTime<Utc>) -> Phase {
    if now < round.opens_at {
        Phase::Upcoming
    } else if now < round.closes_at {
        Phase::Open
    } else if ranking::is_final(round, now) {
        Phase::Closed
    } else {
        Phase::Closing
    }
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Upcoming => "Sắp mở",
            Phase::Open => "Đang mở",
            Phase::Closing | Phase::Closed => "Đã kết thúc",
        }
    }
}

/// The units a person may enter for: where they live and the units of their memberships,
/// within the contest's audience when it names units.
pub async fn units_to_enter_for(
    state: &Runtime,
    person: &people::Person,
    contest: &contests::Contest,
) -> Result<Vec<org::OrgUnit>, Internal> {
    let tree = crate::services::people::org::tree(state).await?;
    let mut ids: Vec<i64> = people::memberships(state.db.read(), person.id)
        .await?
        .into_iter()
        .map(|m| m.unit_id)
        .collect();
    ids.extend(person.residence_unit_id);
    let audience: Vec<&org::OrgUnit> = audience_units(contest, &tree);
    let mut seen = BTreeSet::new();
    Ok(ids
        .into_iter()
        .filter(|id| seen.insert(*id))
        .filter_map(|id| tree.iter().find(|u| u.id == id))
        .filter(|u| audience.is_empty() || audience.iter().any(|a| org::is_under(&u.path, &a.path)))
        .cloned()
        .collect())
}

/// The units a contest is open to (empty: anyone).
pub fn audience_units<'t>(
    contest: &contests::Contest,
    tree: &'t [org::OrgUnit],
) -> Vec<&'t org::OrgUnit> {
    contest
        .audience_units
        .split(',')
        .filter(|c| !c.is_empty())
        .filter_map(|code| tree.iter().find(|u| u.code == code))
        .collect()
}

/// Why this person may not enter, if they may not (in words for the page).
pub async fn refusal(
    state: &Runtime,
    person: &people::Person,
    contest: &contests::Contest,
) -> Result<Option<String>, Internal> {
    if units_to_enter_for(state, person, contest).await?.is_empty() {
        return Ok(Some(
            "Cuộc thi này dành cho người dân và cán bộ của đơn vị khác; tài khoản của bạn không thuộc các đơn vị đó."
                .to_owned(),
        ));
    }
    if !contest.audience_groups.is_empty() {
        let groups = progress::groups_of_person(state, person.id).await?;
        if !contest
            .audience_groups
            .split(',')
            .any(|g| groups.iter().any(|m| m == g))
        {
            let names: Vec<&str> = contest
                .audience_groups
                .split(',')
                .filter_map(hocvuso_domain::TargetGroup::from_code)
                .map(|g| g.name_vi())
                .collect();
            return Ok(Some(format!(
                "Cuộc thi này dành cho nhóm: {}.",
                names.join(", ")
            )));
        }
    }
    Ok(None)
}

/// Joins the contest for one of the person's units (`unit_code`); joining twice changes
/// nothing.
pub async fn join(
    state: &Runtime,
    person_id: i64,
    contest_id: i64,
    unit_code: &str,
) -> Result<(), PlayError> {
    let db = state.db.read();
    let contest = contests::contest_by_id(db, contest_id)
        .await?
        .ok_or(PlayError::NotFound)?;
    let person = people::person_by_id(db, person_id)
        .await?
        .ok_or(PlayError::NotFound)?;
    if let Some(why) = refusal(state, &person, &contest).await? {
        return Err(PlayError::NotEligible(why));
    }
    let units = units_to_enter_for(state, &person, &contest).await?;
    let unit = units
        .iter()
        .find(|u| u.code == unit_code.trim())
        .or(if units.len() == 1 {
            units.first()
        } else {
            None
        })
        .ok_or_else(|| PlayError::NotEligible("Hãy chọn đơn vị bạn dự thi cho.".to_owned()))?;
    contests::insert_entrant(
        state.db.write(),
        contest.id,
        person.id,
        unit.id,
        state.clock.now(),
    )
    .await?;
    Ok(())
}

/// Starts an attempt at round number `number` of a contest (or returns the person's attempt
/// still running). Returns the entry id. The round is read inside the batch (once for every
/// request of the batch), not per request.
pub async fn start(
    state: &Runtime,
    user: &SessionUser,
    contest_id: i64,
    number: i32,
) -> Result<i64, PlayError> {
    Ok(state
        .contest_starts
        .submit(StartRequest {
            person_id: user.person_id,
            contest_id,
            number,
        })
        .await?)
}

pub struct StartRequest {
    pub person_id: i64,
    pub contest_id: i64,
    pub number: i32,
}

/// Starts entries in batches.
pub struct StartHandler {
    pub catalog: Arc<CatalogStore>,
    pub clock: Arc<dyn Clock>,
}

/// The questions of a new entry: the round's count drawn from its course's bank, with its
/// competence quotas, never two near-duplicates while others remain.
pub(crate) fn draw(catalog: &Catalog, round: &contests::Round) -> Option<Vec<i64>> {
    let c = catalog.by_id(round.course_id)?;
    let bank: Vec<(i64, &str)> = c
        .bank_questions()
        .map(|q| (q.question.id, q.question.competences.as_str()))
        .collect();
    if bank.is_empty() {
        return None;
    }
    let quotas = hocvuso_domain::competence::parse_quotas(&round.draw_by).unwrap_or_default();
    Some(crate::services::learning::quiz::draw_questions(
        &bank,
        Some(round.question_count),
        &quotas,
        &c.twins,
    ))
}

impl BatchHandler for StartHandler {
    type Request = StartRequest;
    type Output = i64;
    type Refusal = PlayError;

    fn handle<'t>(
        &'t self,
        txn: &'t DatabaseTransaction,
        requests: &'t [StartRequest],
    ) -> BoxFuture<'t, Result<Vec<Result<i64, PlayError>>, DbErr>> {
        Box::pin(async move {
            let now = self.clock.now();
            let catalog = self.catalog.current();
            let mut results: Vec<Option<Result<i64, PlayError>>> =
                requests.iter().map(|_| None).collect();
            let keys: BTreeSet<(i64, i32)> =
                requests.iter().map(|r| (r.contest_id, r.number)).collect();
            for (contest_id, number) in keys {
                let mine: Vec<usize> = (0..requests.len())
                    .filter(|i| {
                        (requests[*i].contest_id, requests[*i].number) == (contest_id, number)
                    })
                    .collect();
                let found = contests::rounds_of(txn, &[contest_id])
                    .await?
                    .into_iter()
                    .find(|r| r.number == number);
                let round = match found {
                    Some(r) if now < r.opens_at => {
                        Err(PlayError::NotOpen(format_date_time(r.opens_at)))
                    }
                    Some(r) if now >= r.closes_at => Err(PlayError::Closed),
                    Some(r) => Ok(r),
                    None => Err(PlayError::NotFound),
                };
                let round = match round {
                    Ok(r) => r,
                    Err(e) => {
                        for i in mine {
                            results[i] = Some(Err(e.same()));
                        }
                        continue;
                    }
                };
                let persons: Vec<i64> = distinct(mine.iter().map(|i| requests[*i].person_id));
                let joined: BTreeSet<i64> =
                    contests::entrants_among(txn, round.contest_id, &persons)
                        .await?
                        .into_iter()
                        .map(|e| e.person_id)
                        .collect();
                let mut entries: BTreeMap<i64, Vec<contests::Entry>> = BTreeMap::new();
                for e in contests::entries_of(txn, round.id, &persons).await? {
                    entries.entry(e.person_id).or_default().push(e);
                }
                let grace = Duration::seconds(GRACE_SECONDS);
                let mut found: HashMap<i64, Result<i64, PlayError>> = HashMap::new();
                let mut new: Vec<NewEntry> = Vec::new();
                for p in &persons {
                    if !joined.contains(p) {
                        found.insert(*p, Err(PlayError::NotJoined));
                        continue;
                    }
                    let had = entries.get(p).map(Vec::as_slice).unwrap_or_default();
                    if let Some(open) = had
                        .iter()
                        .filter(|e| e.submitted_at.is_none() && now <= e.deadline_at + grace)
                        .max_by_key(|e| e.id)
                    {
                        found.insert(*p, Ok(open.id));
                        continue;
                    }
                    let used = had.iter().map(|e| e.attempt_no).max().unwrap_or(0);
                    if used >= round.attempts {
                        found.insert(*p, Err(PlayError::NoAttemptsLeft(round.attempts)));
                        continue;
                    }
                    let Some(questions) = draw(&catalog, &round) else {
                        found.insert(*p, Err(PlayError::NotFound));
                        continue;
                    };
                    new.push(NewEntry {
                        round_id: round.id,
                        person_id: *p,
                        attempt_no: used + 1,
                        questions,
                        deadline_at: (now + Duration::minutes(i64::from(round.minutes)))
                            .min(round.closes_at),
                    });
                }
                for e in contests::insert_entries(txn, &new, now).await? {
                    found.insert(e.person_id, Ok(e.id));
                }
                // Someone whose entry another process started at the same moment gets that one.
                let raced: Vec<i64> = new
                    .iter()
                    .map(|e| e.person_id)
                    .filter(|p| !found.contains_key(p))
                    .collect();
                if !raced.is_empty() {
                    for e in contests::entries_of(txn, round.id, &raced).await? {
                        if e.submitted_at.is_none() {
                            found.insert(e.person_id, Ok(e.id));
                        }
                    }
                }
                for i in mine {
                    results[i] = Some(match found.get(&requests[i].person_id) {
                        Some(Ok(id)) => Ok(*id),
                        Some(Err(e)) => Err(e.same()),
                        None => Err(PlayError::NotFound),
                    });
                }
            }
            Ok(results
                .into_iter()
                .map(|r| r.unwrap_or(Err(PlayError::NotFound)))
                .collect())
        })
    }
}

impl PlayError {
    /// The same refusal again (for several requests refused for one reason).
    fn same(&self) -> PlayError {
        match self {
            PlayError::NotFound => PlayError::NotFound,
            PlayError::NotJoined => PlayError::NotJoined,
            PlayError::NotOpen(s) => PlayError::NotOpen(s.clone()),
            PlayError::Closed => PlayError::Closed,
            PlayError::NoAttemptsLeft(n) => PlayError::NoAttemptsLeft(*n),
            PlayError::Late => PlayError::Late,
            PlayError::AlreadySubmitted => PlayError::AlreadySubmitted,
            PlayError::Prediction => PlayError::Prediction,
            PlayError::ForeignAnswer => PlayError::ForeignAnswer,
            PlayError::NotEligible(s) => PlayError::NotEligible(s.clone()),
            PlayError::Internal(e) => PlayError::Internal(Internal::Other(e.to_string())),
        }
    }
}

/// The questions of an entry, in order.
pub fn question_ids(entry: &contests::Entry) -> Vec<i64> {
    entry
        .questions
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// Answers as stored: `question:option+option;…`.
pub fn encode_answers(answers: &BTreeMap<i64, Vec<i64>>) -> String {
    answers
        .iter()
        .map(|(q, os)| {
            let os: Vec<String> = os.iter().map(i64::to_string).collect();
            format!("{q}:{}", os.join("+"))
        })
        .collect::<Vec<_>>()
        .join(";")
}

pub fn decode_answers(s: &str) -> BTreeMap<i64, Vec<i64>> {
    s.split(';')
        .filter_map(|part| {
            let (q, os) = part.split_once(':')?;
            let os: Vec<i64> = os.split('+').filter_map(|o| o.parse().ok()).collect();
            Some((q.parse().ok()?, os))
        })
        .collect()
}

/// A graded submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub right: i32,
    pub total: i32,
}

pub struct SubmitRequest {
    pub person_id: i64,
    pub entry_id: i64,
    pub answers: HashMap<i64, Vec<i64>>,
    pub prediction: i64,
}

/// Grades and stores an entry (unanswered questions count as wrong). The answer comes back
/// only after the transaction that stored it has committed.
pub async fn submit(
    state: &Runtime,
    user: &SessionUser,
    entry_id: i64,
    answers: HashMap<i64, Vec<i64>>,
    prediction: &str,
) -> Result<Outcome, PlayError> {
    let prediction: i64 = prediction
        .trim()
        .replace('.', "")
        .parse()
        .ok()
        .filter(|n| (0..=MAX_PREDICTION).contains(n))
        .ok_or(PlayError::Prediction)?;
    Ok(state
        .contest_submits
        .submit(SubmitRequest {
            person_id: user.person_id,
            entry_id,
            answers,
            prediction,
        })
        .await?)
}

pub struct SubmitHandler {
    pub catalog: Arc<CatalogStore>,
    pub clock: Arc<dyn Clock>,
}

impl SubmitHandler {
    fn grade(
        catalog: &Catalog,
        req: &SubmitRequest,
        entry: Option<&contests::Entry>,
        course_of_round: &HashMap<i64, i64>,
        now: DateTime<Utc>,
    ) -> Result<(Submitted, Outcome), PlayError> {
        let entry = entry
            .filter(|e| e.person_id == req.person_id)
            .ok_or(PlayError::NotFound)?;
        if entry.submitted_at.is_some() {
            return Err(PlayError::AlreadySubmitted);
        }
        if now > entry.deadline_at + Duration::seconds(GRACE_SECONDS) {
            return Err(PlayError::Late);
        }
        let c = course_of_round
            .get(&entry.round_id)
            .and_then(|id| catalog.by_id(*id))
            .ok_or(PlayError::NotFound)?;
        let ids = question_ids(entry);
        if req.answers.keys().any(|q| !ids.contains(q)) {
            return Err(PlayError::ForeignAnswer);
        }
        let mut stored: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        let mut right = 0;
        for q in &ids {
            let mut chosen = req.answers.get(q).cloned().unwrap_or_default();
            chosen.sort_unstable();
            chosen.dedup();
            if chosen.is_empty() {
                continue;
            }
            let question = c.question(*q).ok_or(PlayError::ForeignAnswer)?;
            let multiple = question.question.kind == learning::KIND_MULTIPLE;
            if (!multiple && chosen.len() > 1)
                || chosen
                    .iter()
                    .any(|o| !question.options.iter().any(|k| k.id == *o))
            {
                return Err(PlayError::ForeignAnswer);
            }
            if question
                .options
                .iter()
                .all(|o| o.is_correct == chosen.contains(&o.id))
            {
                right += 1;
            }
            stored.insert(*q, chosen);
        }
        let took = (now.min(entry.deadline_at) - entry.started_at)
            .num_milliseconds()
            .max(0);
        Ok((
            Submitted {
                entry_id: entry.id,
                answers: encode_answers(&stored),
                right_count: right,
                prediction: req.prediction,
                time_ms: took,
            },
            Outcome {
                right,
                total: entry.total,
            },
        ))
    }
}

impl BatchHandler for SubmitHandler {
    type Request = SubmitRequest;
    type Output = Outcome;
    type Refusal = PlayError;

    fn handle<'t>(
        &'t self,
        txn: &'t DatabaseTransaction,
        requests: &'t [SubmitRequest],
    ) -> BoxFuture<'t, Result<Vec<Result<Outcome, PlayError>>, DbErr>> {
        Box::pin(async move {
            let now = self.clock.now();
            let catalog = self.catalog.current();
            let ids: Vec<i64> = distinct(requests.iter().map(|r| r.entry_id));
            let entries: HashMap<i64, contests::Entry> = contests::entries_by_ids(txn, &ids)
                .await?
                .into_iter()
                .map(|e| (e.id, e))
                .collect();
            let mut course_of_round: HashMap<i64, i64> = HashMap::new();
            for round_id in entries
                .values()
                .map(|e| e.round_id)
                .collect::<BTreeSet<_>>()
            {
                if let Some(r) = contests::round_by_id(txn, round_id).await? {
                    course_of_round.insert(r.id, r.course_id);
                }
            }
            let mut results: Vec<Result<Outcome, PlayError>> = Vec::with_capacity(requests.len());
            let mut claimed: BTreeSet<i64> = BTreeSet::new();
            let mut rows = Vec::new();
            for req in requests {
                let graded = if claimed.contains(&req.entry_id) {
                    Err(PlayError::AlreadySubmitted)
                } else {
                    Self::grade(
                        &catalog,
                        req,
                        entries.get(&req.entry_id),
                        &course_of_round,
                        now,
                    )
                };
                results.push(match graded {
                    Ok((row, outcome)) => {
                        claimed.insert(req.entry_id);
                        rows.push(row);
                        Ok(outcome)
                    }
                    Err(e) => Err(e),
                });
            }
            // Only entries still open are stored (another process may have stored one first).
            let stored: BTreeSet<i64> = contests::submit_entries(txn, &rows, now)
                .await?
                .into_iter()
                .collect();
            Ok(requests
                .iter()
                .zip(results)
                .map(|(req, r)| match r {
                    Ok(o) if stored.contains(&req.entry_id) => Ok(o),
                    Ok(_) => Err(PlayError::AlreadySubmitted),
                    Err(e) => Err(e),
                })
                .collect())
        })
    }
}

/// An entry as its owner sees it.
pub struct EntryView {
    pub entry: contests::Entry,
    pub round: contests::Round,
    pub contest: contests::Contest,
    pub phase: Phase,
    /// The questions (right and wrong marked only once the round is over).
    pub questions: Vec<ShownQuestion>,
    /// Whether answers are still taken.
    pub open: bool,
    /// Seconds left to answer.
    pub seconds_left: i64,
    /// On review only: the right options of each question.
    pub right_options: HashMap<i64, Vec<i64>>,
}

impl EntryView {
    /// Right and wrong are shown (the round is over and the entry was submitted).
    pub fn review(&self) -> bool {
        self.phase == Phase::Closed && self.entry.submitted_at.is_some()
    }
}

/// One of this person's entries (anyone else's is "not found").
pub async fn entry_view(
    state: &Runtime,
    user: &SessionUser,
    entry_id: i64,
) -> Result<EntryView, PlayError> {
    let db = state.db.read();
    let entry = contests::entry_by_id(db, entry_id)
        .await?
        .filter(|e| e.person_id == user.person_id)
        .ok_or(PlayError::NotFound)?;
    let round = contests::round_by_id(db, entry.round_id)
        .await?
        .ok_or(PlayError::NotFound)?;
    let contest = contests::contest_by_id(db, round.contest_id)
        .await?
        .ok_or(PlayError::NotFound)?;
    let now = state.clock.now();
    let phase = phase(&round, now);
    let review = phase == Phase::Closed && entry.submitted_at.is_some();
    let chosen = entry
        .answers
        .as_deref()
        .map(decode_answers)
        .unwrap_or_default();
    let catalog = state.catalog.current();
    let c = catalog.by_id(round.course_id).ok_or(PlayError::NotFound)?;
    let questions = question_ids(&entry)
        .into_iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let q = c.question(id)?;
            let mine = chosen.get(&id).cloned().unwrap_or_default();
            Some(ShownQuestion {
                question_id: id,
                number: i32::try_from(i + 1).unwrap_or(i32::MAX),
                prompt: q.question.prompt.clone(),
                options: crate::services::learning::quiz::shuffled_options(entry.id, &q.options),
                multiple: q.question.kind == learning::KIND_MULTIPLE,
                correct: review.then(|| {
                    q.options
                        .iter()
                        .all(|o| o.is_correct == mine.contains(&o.id))
                }),
                explanation: if review {
                    q.question.explanation.clone()
                } else {
                    String::new()
                },
                chosen: mine,
            })
        })
        .collect();
    let open =
        entry.submitted_at.is_none() && now <= entry.deadline_at + Duration::seconds(GRACE_SECONDS);
    let right_options: HashMap<i64, Vec<i64>> = if review {
        question_ids(&entry)
            .into_iter()
            .filter_map(|id| {
                let q = c.question(id)?;
                Some((
                    id,
                    q.options
                        .iter()
                        .filter(|o| o.is_correct)
                        .map(|o| o.id)
                        .collect(),
                ))
            })
            .collect()
    } else {
        HashMap::new()
    };
    Ok(EntryView {
        right_options,
        seconds_left: (entry.deadline_at - now).num_seconds().max(0),
        open,
        questions,
        phase,
        entry,
        round,
        contest,
    })
}
