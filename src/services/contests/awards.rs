//! Prizes and winners: the organiser sets the prizes (for people: “Giải Nhất: 1”, “Giải Nhì:
//! 2”, …; for units likewise); once every round is over the system proposes the winners from
//! the overall ranking (people) and the unit board (units), the organiser confirms them, and
//! the award decision downloads as XLSX and PDF. Confirmed awards are final: the prizes and the
//! rounds can no longer change, and winners see their prize on the contest page.

use std::collections::HashMap;
use std::sync::Arc;

use hocvuso_db::repo::audit;
use hocvuso_db::repo::contests::{self, NewAward, NewPrize, FOR_PERSON, FOR_UNIT};
use hocvuso_db::TransactionTrait;
use hocvuso_domain::AuditAction;

use super::boards::{self, Boards};
use super::organise::managed;
use super::ranking::{self, OverallRow, UnitRow};
use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::Internal;

/// The most prize lines of one kind.
pub const MAX_PRIZES: usize = 20;
/// The most winners of one prize.
pub const MAX_WINNERS: i32 = 1_000;

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct PrizeInput {
    /// One prize a line: `Giải Nhất: 1`.
    #[serde(default)]
    pub ca_nhan: String,
    #[serde(default)]
    pub tap_the: String,
}

/// Reads prize lines (`label: winners`); the error names the line.
pub fn parse_prizes(text: &str, kind: &'static str) -> Result<Vec<NewPrize>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = || {
            format!(
                "Dòng {}: hãy ghi theo mẫu “Giải Nhất: 1” (tên giải, dấu hai chấm, số người hoặc đơn vị nhận giải từ 1 đến {MAX_WINNERS}).",
                i + 1
            )
        };
        let (label, n) = line.rsplit_once(':').ok_or_else(bad)?;
        let label = label.trim();
        let n: i32 = n.trim().parse().map_err(|_| bad())?;
        if label.is_empty() || label.chars().count() > 100 || !(1..=MAX_WINNERS).contains(&n) {
            return Err(bad());
        }
        out.push(NewPrize {
            kind,
            position: i32::try_from(out.len() + 1).unwrap_or(i32::MAX),
            label: label.to_owned(),
            winners: n,
        });
        if out.len() > MAX_PRIZES {
            return Err(format!("Nhiều nhất {MAX_PRIZES} giải mỗi loại."));
        }
    }
    Ok(out)
}

/// The stored prizes as the form shows them.
pub async fn prize_form(state: &Runtime, contest_id: i64) -> Result<PrizeInput, Internal> {
    let stored = contests::prizes_of(state.db.read(), contest_id).await?;
    Ok(PrizeInput {
        ca_nhan: prize_text(&stored, FOR_PERSON),
        tap_the: prize_text(&stored, FOR_UNIT),
    })
}

/// The prizes in the form's words.
fn prize_text(prizes: &[contests::Prize], kind: &str) -> String {
    prizes
        .iter()
        .filter(|p| p.kind == kind)
        .map(|p| format!("{}: {}", p.label, p.winners))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sets a contest's prizes (`Ok(false)`: no such contest for this user).
pub async fn set_prizes(
    state: &Runtime,
    user: &SessionUser,
    contest_id: i64,
    input: &PrizeInput,
) -> Result<bool, FormError> {
    let Some(contest) = managed(state, user, contest_id).await? else {
        return Ok(false);
    };
    let mut errors: FieldErrors = Vec::new();
    let people = parse_prizes(&input.ca_nhan, FOR_PERSON).unwrap_or_else(|e| {
        errors.push(("ca_nhan", e));
        Vec::new()
    });
    let units = parse_prizes(&input.tap_the, FOR_UNIT).unwrap_or_else(|e| {
        errors.push(("tap_the", e));
        Vec::new()
    });
    let txn = state.db.write().begin().await.map_err(Internal::from)?;
    contests::lock_contest(&txn, contest.id)
        .await
        .map_err(Internal::from)?;
    if !contests::awards_of(&txn, contest.id)
        .await
        .map_err(Internal::from)?
        .is_empty()
    {
        errors.push((
            "ca_nhan",
            "Giải đã được công bố; cơ cấu giải không sửa được nữa.".to_owned(),
        ));
    }
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    let all: Vec<NewPrize> = people.into_iter().chain(units).collect();
    contests::replace_prizes(&txn, contest.id, &all)
        .await
        .map_err(Internal::from)?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::ContestPrizes,
        &contest.id.to_string(),
        &format!("{} giải", all.len()),
        state.clock.now(),
    )
    .await
    .map_err(Internal::from)?;
    txn.commit().await.map_err(Internal::from)?;
    Ok(true)
}

/// One winner, proposed or confirmed.
#[derive(Debug, Clone)]
pub struct Winner {
    pub prize_id: i64,
    pub prize: String,
    pub kind: &'static str,
    pub place: u32,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// Full name (a person) or the unit's name.
    pub name: String,
    /// The unit a person entered for.
    pub unit: String,
    /// “18 câu đúng”, “12,5 người/1.000 dân”.
    pub score: String,
}

/// The standings over every round: people and units. `None` while a round is not over (or the
/// contest has no round).
pub struct Standings {
    pub people: Vec<OverallRow>,
    pub units: Vec<UnitRow>,
}

pub async fn standings(
    state: &Runtime,
    contest: &contests::Contest,
) -> Result<Option<Arc<Boards>>, Internal> {
    let rounds = contests::rounds_of(state.db.read(), &[contest.id]).await?;
    let b = boards::of_contest(state, contest, &rounds).await?;
    Ok(b.overall.is_some().then_some(b))
}

/// `12,5` — one decimal, Vietnamese comma.
pub fn decimal(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

/// The winners the ranking gives for the contest's prizes, in prize order.
pub async fn proposal(
    state: &Runtime,
    contest: &contests::Contest,
) -> Result<Option<Vec<Winner>>, Internal> {
    let Some(b) = standings(state, contest).await? else {
        return Ok(None);
    };
    let Some((people, units)) = &b.overall else {
        return Ok(None);
    };
    let db = state.db.read();
    let prizes = contests::prizes_of(db, contest.id).await?;
    let winners: i64 = prizes
        .iter()
        .filter(|p| p.kind == FOR_PERSON)
        .map(|p| i64::from(p.winners))
        .sum();
    let first: Vec<i64> = people
        .iter()
        .take(usize::try_from(winners).unwrap_or(0))
        .map(|o| o.person_id)
        .collect();
    let unit_of = boards::units_of(state, contest.id, &first).await?;
    let mut out = Vec::new();
    let mut people = people.iter();
    let mut units = units.iter();
    for p in &prizes {
        for _ in 0..p.winners {
            if p.kind == FOR_PERSON {
                let Some(o) = people.next() else { break };
                out.push(Winner {
                    prize_id: p.id,
                    prize: p.label.clone(),
                    kind: FOR_PERSON,
                    place: o.place,
                    person_id: Some(o.person_id),
                    unit_id: None,
                    name: String::new(),
                    unit: unit_of.get(&o.person_id).cloned().unwrap_or_default(),
                    score: format!("{} câu đúng", o.right),
                });
            } else {
                let Some(u) = units.next() else { break };
                out.push(Winner {
                    prize_id: p.id,
                    prize: p.label.clone(),
                    kind: FOR_UNIT,
                    place: u.place,
                    person_id: None,
                    unit_id: Some(u.unit_id),
                    name: u.name.clone(),
                    unit: u.name.clone(),
                    score: match u.per_thousand {
                        Some(x) => format!("{} người dự thi/1.000 dân", decimal(x)),
                        None => format!("{} người dự thi", u.entrants),
                    },
                });
            }
        }
    }
    let ids: Vec<i64> = out.iter().filter_map(|w| w.person_id).collect();
    let names: HashMap<i64, String> = contests::names_of(db, &ids).await?.into_iter().collect();
    for w in &mut out {
        if let Some(p) = w.person_id {
            w.name = names.get(&p).cloned().unwrap_or_default();
        }
    }
    Ok(Some(out))
}

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("not found")]
    NotFound,
    #[error("Các vòng thi chưa kết thúc hết: chỉ trao giải sau khi vòng cuối đóng.")]
    NotOver,
    #[error("Cuộc thi chưa có cơ cấu giải, hoặc chưa có ai dự thi.")]
    NoWinners,
    #[error("Giải đã được công bố rồi.")]
    Done,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<hocvuso_db::DbErr> for ConfirmError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        ConfirmError::Internal(e.into())
    }
}

/// Confirms the proposed winners (once; all or nothing). Returns how many awards it made.
pub async fn confirm(
    state: &Runtime,
    user: &SessionUser,
    contest_id: i64,
) -> Result<usize, ConfirmError> {
    let contest = managed(state, user, contest_id)
        .await?
        .ok_or(ConfirmError::NotFound)?;
    let winners = proposal(state, &contest)
        .await?
        .ok_or(ConfirmError::NotOver)?;
    if winners.is_empty() {
        return Err(ConfirmError::NoWinners);
    }
    let txn = state.db.write().begin().await?;
    contests::lock_contest(&txn, contest.id).await?;
    if !contests::awards_of(&txn, contest.id).await?.is_empty() {
        return Err(ConfirmError::Done);
    }
    // The prizes read for the proposal must still be the contest's prizes.
    let prizes = contests::prizes_of(&txn, contest.id).await?;
    if winners
        .iter()
        .any(|w| !prizes.iter().any(|p| p.id == w.prize_id))
    {
        return Err(ConfirmError::NoWinners);
    }
    let awards: Vec<NewAward> = winners
        .iter()
        .map(|w| NewAward {
            prize_id: w.prize_id,
            person_id: w.person_id,
            unit_id: w.unit_id,
            place: i32::try_from(w.place).unwrap_or(i32::MAX),
        })
        .collect();
    let now = state.clock.now();
    contests::insert_awards(&txn, contest.id, &awards, user.person_id, now).await?;
    audit::record(
        &txn,
        user.person_id,
        AuditAction::ContestAwards,
        &contest.id.to_string(),
        &format!("{} — {} giải", contest.title, awards.len()),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(awards.len())
}

/// The confirmed winners, in prize order, with their names and scores.
pub async fn confirmed(
    state: &Runtime,
    contest: &contests::Contest,
) -> Result<Vec<Winner>, Internal> {
    let db = state.db.read();
    let awards = contests::awards_of(db, contest.id).await?;
    if awards.is_empty() {
        return Ok(Vec::new());
    }
    let prizes = contests::prizes_of(db, contest.id).await?;
    let standings = standings(state, contest).await?;
    let overall = standings.as_ref().and_then(|b| b.overall.as_ref());
    let tree = crate::services::people::org::tree(state).await?;
    let unit_names = ranking::unit_names(&tree);
    let ids: Vec<i64> = awards.iter().filter_map(|a| a.person_id).collect();
    let names: HashMap<i64, String> = contests::names_of(db, &ids).await?.into_iter().collect();
    let unit_of = boards::units_of(state, contest.id, &ids).await?;
    let mut out: Vec<(usize, Winner)> = awards
        .iter()
        .filter_map(|a| {
            let (order, prize) = prizes
                .iter()
                .enumerate()
                .find(|(_, p)| p.id == a.prize_id)?;
            let place = u32::try_from(a.place).unwrap_or(0);
            let (name, unit, score) = match (a.person_id, a.unit_id) {
                (Some(p), _) => {
                    let right = overall
                        .and_then(|(people, _)| people.iter().find(|o| o.person_id == p))
                        .map_or(0, |o| o.right);
                    (
                        names.get(&p).cloned().unwrap_or_default(),
                        unit_of.get(&p).cloned().unwrap_or_default(),
                        format!("{right} câu đúng"),
                    )
                }
                (None, Some(u)) => {
                    let row = overall.and_then(|(_, units)| units.iter().find(|r| r.unit_id == u));
                    let name = unit_names.get(&u).cloned().unwrap_or_default();
                    let score = match row.and_then(|r| r.per_thousand) {
                        Some(x) => format!("{} người dự thi/1.000 dân", decimal(x)),
                        None => format!("{} người dự thi", row.map_or(0, |r| r.entrants)),
                    };
                    (name.clone(), name, score)
                }
                (None, None) => return None,
            };
            Some((
                order,
                Winner {
                    prize_id: prize.id,
                    prize: prize.label.clone(),
                    kind: if prize.kind == FOR_PERSON {
                        FOR_PERSON
                    } else {
                        FOR_UNIT
                    },
                    place,
                    person_id: a.person_id,
                    unit_id: a.unit_id,
                    name,
                    unit,
                    score,
                },
            ))
        })
        .collect();
    out.sort_by_key(|(order, w)| (*order, w.place));
    Ok(out.into_iter().map(|(_, w)| w).collect())
}

fn table(winners: &[Winner]) -> (Vec<String>, Vec<Vec<String>>) {
    let header = [
        "STT",
        "Giải",
        "Hạng",
        "Họ và tên / Tập thể",
        "Đơn vị",
        "Thành tích",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let rows = winners
        .iter()
        .enumerate()
        .map(|(i, w)| {
            vec![
                (i + 1).to_string(),
                w.prize.clone(),
                w.place.to_string(),
                w.name.clone(),
                w.unit.clone(),
                w.score.clone(),
            ]
        })
        .collect();
    (header, rows)
}

/// The award decision as a workbook (audited).
pub async fn decision_xlsx(
    state: &Runtime,
    user: &SessionUser,
    contest_id: i64,
) -> Result<Option<(String, Vec<u8>)>, Internal> {
    let Some(contest) = managed(state, user, contest_id).await? else {
        return Ok(None);
    };
    let winners = confirmed(state, &contest).await?;
    if winners.is_empty() {
        return Ok(None);
    }
    let (header, rows) = table(&winners);
    let now = state.clock.now();
    let bytes = crate::services::monitoring::exports::simple_table(
        "Danh sách đạt giải",
        &header,
        &rows,
        now,
    )?;
    audit::record(
        state.db.write(),
        user.person_id,
        AuditAction::ContestAwardsExport,
        &contest.id.to_string(),
        "xlsx",
        now,
    )
    .await?;
    Ok(Some((
        format!("quyet-dinh-trao-giai-{}.xlsx", contest.id),
        bytes,
    )))
}

/// The award decision as a PDF (audited).
pub async fn decision_pdf(
    state: &Runtime,
    user: &SessionUser,
    contest_id: i64,
) -> Result<Option<(String, Vec<u8>)>, Internal> {
    use hocvuso_pdf::{Block, Column, Document, Orientation, Run};
    let Some(contest) = managed(state, user, contest_id).await? else {
        return Ok(None);
    };
    let winners = confirmed(state, &contest).await?;
    if winners.is_empty() {
        return Ok(None);
    }
    let tree = crate::services::people::org::tree(state).await?;
    let organiser = tree
        .iter()
        .find(|u| u.id == contest.unit_id)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let confirmed_at = contests::awards_of(state.db.read(), contest.id)
        .await?
        .first()
        .map(|a| a.confirmed_at)
        .unwrap_or_else(|| state.clock.now());
    let day = crate::clock::vietnam_time(confirmed_at);
    let (header, rows) = table(&winners);
    let weights = [0.5, 1.4, 0.6, 2.2, 2.0, 1.6];
    let columns = header
        .iter()
        .zip(weights)
        .enumerate()
        .map(|(i, (h, w))| Column {
            header: h.clone(),
            weight: w,
            numeric: i == 0 || i == 2,
        })
        .collect();
    let doc = Document {
        title: format!("Quyết định trao giải — {}", contest.title),
        author: organiser.clone(),
        orientation: Orientation::Portrait,
        footer: Some(contest.title.clone()),
        blocks: vec![
            Block::Paragraph(vec![Run::bold(organiser.to_uppercase())]),
            Block::Subtitle("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc".to_owned()),
            Block::Note(format!(
                "Ngày {} tháng {} năm {}",
                chrono::Datelike::day(&day),
                chrono::Datelike::month(&day),
                chrono::Datelike::year(&day)
            )),
            Block::Title("QUYẾT ĐỊNH TRAO GIẢI".to_owned()),
            Block::Subtitle(contest.title.clone()),
            Block::Paragraph(vec![Run::plain(
                "Căn cứ kết quả các vòng thi do hệ thống chấm và xếp hạng theo thể lệ (số câu trả lời đúng nhiều nhất; bằng nhau thì dự đoán gần đúng nhất; rồi thời gian làm bài ngắn nhất; rồi nộp bài sớm nhất), trao giải cho các cá nhân và tập thể có tên dưới đây:",
            )]),
            Block::Table {
                columns,
                rows,
                total: None,
            },
            Block::Spacer(18.0),
            Block::Paragraph(vec![Run::bold("ĐẠI DIỆN ĐƠN VỊ TỔ CHỨC")]),
            Block::Note("(Ký, ghi rõ họ tên và đóng dấu)".to_owned()),
        ],
    };
    let bytes = tokio::task::spawn_blocking(move || hocvuso_pdf::render(&doc))
        .await
        .map_err(|e| Internal::Other(format!("award pdf: {e}")))?
        .map_err(|e| Internal::Other(format!("award pdf: {e}")))?;
    audit::record(
        state.db.write(),
        user.person_id,
        AuditAction::ContestAwardsExport,
        &contest.id.to_string(),
        "pdf",
        state.clock.now(),
    )
    .await?;
    Ok(Some((
        format!("quyet-dinh-trao-giai-{}.pdf", contest.id),
        bytes,
    )))
}
