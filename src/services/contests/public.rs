//! What everyone sees of contests: the list, a contest's page (its rules, rounds and prizes,
//! and for a logged-in person whether they joined, their entries and their prizes), and the
//! leaderboards of people (names masked as on the certificate check) and units, per round and
//! overall, once a round is over.

use std::collections::HashMap;

use hocvuso_db::repo::contests::{self, FOR_PERSON};
use hocvuso_db::repo::{org, people};

use super::awards::{self, Winner};
use super::organise::audience_words;
use super::play::{self, phase, Phase};
use super::ranking::{self, UnitRow};
use crate::clock::format_date_time;
use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::Internal;

/// People shown on a leaderboard.
pub const BOARD_SIZE: usize = 100;

/// A contest in the list.
pub struct ContestLine {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub rounds: usize,
    /// “Vòng 2 đang mở đến 20:00, 12/12/2026”, “Đã kết thúc”, …
    pub status: String,
    /// How many joined, written the Vietnamese way (`1.234`).
    pub entrants: String,
}

fn status(rounds: &[&contests::Round], now: chrono::DateTime<chrono::Utc>) -> String {
    if let Some(r) = rounds.iter().find(|r| phase(r, now) == Phase::Open) {
        return format!("{} đang mở đến {}", r.title, format_date_time(r.closes_at));
    }
    if let Some(r) = rounds
        .iter()
        .filter(|r| phase(r, now) == Phase::Upcoming)
        .min_by_key(|r| r.opens_at)
    {
        return format!("{} mở lúc {}", r.title, format_date_time(r.opens_at));
    }
    "Đã kết thúc".to_owned()
}

/// Every contest, newest first.
pub async fn list(state: &Runtime) -> Result<Vec<ContestLine>, Internal> {
    let db = state.db.read();
    let all = contests::contests(db, None).await?;
    let ids: Vec<i64> = all.iter().map(|c| c.id).collect();
    let rounds = contests::rounds_of(db, &ids).await?;
    let entrants = contests::entrant_counts(db, &ids).await?;
    let tree = crate::services::people::org::tree(state).await?;
    let now = state.clock.now();
    Ok(all
        .into_iter()
        .map(|c| {
            let mine: Vec<&contests::Round> =
                rounds.iter().filter(|r| r.contest_id == c.id).collect();
            ContestLine {
                id: c.id,
                unit: unit_name(&tree, c.unit_id),
                rounds: mine.len(),
                status: status(&mine, now),
                entrants: hocvuso_domain::format::number(
                    entrants
                        .iter()
                        .find(|(id, _)| *id == c.id)
                        .map_or(0, |(_, n)| *n),
                ),
                title: c.title,
            }
        })
        .collect())
}

fn unit_name(tree: &[org::OrgUnit], id: i64) -> String {
    tree.iter()
        .find(|u| u.id == id)
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

/// One of the person's entries in a round.
pub struct MyEntry {
    pub id: i64,
    pub attempt_no: i32,
    /// “8/10 câu đúng”, “Đang làm”, “Không nộp”.
    pub result: String,
}

/// A round on the contest page.
pub struct RoundLine {
    pub round: contests::Round,
    pub phase: Phase,
    pub opens: String,
    pub closes: String,
    pub course: String,
    pub mine: Vec<MyEntry>,
    /// The person's entry still running.
    pub running: Option<i64>,
    pub attempts_left: i32,
}

impl RoundLine {
    pub fn can_start(&self) -> bool {
        self.phase == Phase::Open && self.running.is_none() && self.attempts_left > 0
    }
}

/// A contest's page.
pub struct ContestPage {
    pub contest: contests::Contest,
    pub unit: String,
    pub audience: String,
    pub rounds: Vec<RoundLine>,
    /// The unit the person entered for, once joined.
    pub joined: Option<String>,
    /// `(code, name)` of the units the person may enter for.
    pub join_units: Vec<(String, String)>,
    /// Why the person may not enter.
    pub refusal: Option<String>,
    pub prizes: Vec<contests::Prize>,
    /// Confirmed winners (people's names masked).
    pub winners: Vec<Winner>,
    /// The prizes this person won here.
    pub my_prizes: Vec<String>,
    /// How many joined (`1.234`).
    pub entrants: String,
}

/// A contest as `user` (or an anonymous visitor) sees it.
pub async fn contest_page(
    state: &Runtime,
    user: Option<&SessionUser>,
    id: i64,
) -> Result<Option<ContestPage>, Internal> {
    let db = state.db.read();
    let Some(contest) = contests::contest_by_id(db, id).await? else {
        return Ok(None);
    };
    let mut rounds = contests::rounds_of(db, &[contest.id]).await?;
    // A round over whose ranking was never computed gets it now (recorded with its digest).
    for r in &mut rounds {
        if r.digest.is_none() {
            if let Some(k) = ranking::of_round(state, r).await? {
                r.all_right = Some(k.all_right);
                r.digest = Some(k.digest.clone());
            }
        }
    }
    let tree = crate::services::people::org::tree(state).await?;
    let now = state.clock.now();
    let catalog = state.catalog.current();
    let person = match user {
        Some(u) => people::person_by_id(db, u.person_id).await?,
        None => None,
    };
    let entrant = match &person {
        Some(p) => contests::entrant(db, contest.id, p.id).await?,
        None => None,
    };
    let round_ids: Vec<i64> = rounds.iter().map(|r| r.id).collect();
    let my_entries = match &person {
        Some(p) => contests::entries_of_person(db, &round_ids, p.id).await?,
        None => Vec::new(),
    };
    let grace = chrono::Duration::seconds(ranking::GRACE_SECONDS);
    let lines = rounds
        .into_iter()
        .map(|r| {
            let mine: Vec<&contests::Entry> =
                my_entries.iter().filter(|e| e.round_id == r.id).collect();
            let running = mine
                .iter()
                .find(|e| e.submitted_at.is_none() && now <= e.deadline_at + grace)
                .map(|e| e.id);
            let used = mine.iter().map(|e| e.attempt_no).max().unwrap_or(0);
            RoundLine {
                phase: phase(&r, now),
                opens: format_date_time(r.opens_at),
                closes: format_date_time(r.closes_at),
                course: catalog
                    .by_id(r.course_id)
                    .map(|c| c.course.title.clone())
                    .unwrap_or_default(),
                mine: mine
                    .iter()
                    .map(|e| MyEntry {
                        id: e.id,
                        attempt_no: e.attempt_no,
                        // Scores are told once the round is over (fair play for attempts
                        // still to come).
                        result: match (e.right_count, Some(e.id) == running) {
                            (Some(n), _) if ranking::is_final(&r, now) => {
                                format!("{n}/{} câu đúng", e.total)
                            }
                            (Some(_), _) => "Đã nộp bài".to_owned(),
                            (None, true) => "Đang làm".to_owned(),
                            (None, false) => "Không nộp bài".to_owned(),
                        },
                    })
                    .collect(),
                running,
                attempts_left: (r.attempts - used).max(0),
                round: r,
            }
        })
        .collect();
    let (join_units, refusal) = match (&person, &entrant) {
        (Some(p), None) => {
            let why = play::refusal(state, p, &contest).await?;
            let units = if why.is_none() {
                play::units_to_enter_for(state, p, &contest)
                    .await?
                    .into_iter()
                    .map(|u| (u.code, u.name))
                    .collect()
            } else {
                Vec::new()
            };
            (units, why)
        }
        _ => (Vec::new(), None),
    };
    let mut winners = awards::confirmed(state, &contest).await?;
    let my_prizes = winners
        .iter()
        .filter(|w| w.person_id.is_some() && w.person_id == person.as_ref().map(|p| p.id))
        .map(|w| w.prize.clone())
        .collect();
    for w in &mut winners {
        if w.kind == FOR_PERSON {
            w.name = hocvuso_domain::mask::full_name(&w.name);
        }
    }
    Ok(Some(ContestPage {
        unit: unit_name(&tree, contest.unit_id),
        audience: audience_words(&contest, &tree),
        rounds: lines,
        joined: entrant.map(|e| unit_name(&tree, e.unit_id)),
        join_units,
        refusal,
        prizes: contests::prizes_of(db, contest.id).await?,
        winners,
        my_prizes,
        entrants: hocvuso_domain::format::number(
            contests::entrant_counts(db, &[contest.id])
                .await?
                .first()
                .map_or(0, |(_, n)| *n),
        ),
        contest,
    }))
}

/// A person on a leaderboard.
pub struct PersonLine {
    pub place: u32,
    /// Masked (“N. V. An”).
    pub name: String,
    pub unit: String,
    pub right: i64,
    /// How far the prediction was (summed over rounds on the overall board).
    pub distance: i64,
    /// `m:ss`.
    pub time: String,
}

/// A leaderboard: one round's, or the overall one (`round: None`).
pub struct Board {
    pub contest: contests::Contest,
    pub round: Option<contests::Round>,
    /// `(number, title)` of the rounds that are over (for the board's links).
    pub rounds_over: Vec<(i32, String)>,
    /// The round (or, overall, a round) is not over yet: no board.
    pub pending: bool,
    pub people: Vec<PersonLine>,
    pub total_people: usize,
    /// The viewer's own line, when they are ranked.
    pub mine: Option<PersonLine>,
    pub units: Vec<UnitRow>,
    /// The answer to the round's prediction question.
    pub all_right: Option<i64>,
}

/// `(place, person, right answers, prediction distance, time in ms)`.
type Placed = (u32, i64, i64, i64, i64);

/// `m:ss`.
pub fn minutes_seconds(ms: i64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A contest's leaderboard: round number `round` (or overall with `None`).
pub async fn board(
    state: &Runtime,
    user: Option<&SessionUser>,
    contest_id: i64,
    round: Option<i32>,
) -> Result<Option<Board>, Internal> {
    let db = state.db.read();
    let Some(contest) = contests::contest_by_id(db, contest_id).await? else {
        return Ok(None);
    };
    let rounds = contests::rounds_of(db, &[contest.id]).await?;
    let now = state.clock.now();
    let rounds_over: Vec<(i32, String)> = rounds
        .iter()
        .filter(|r| ranking::is_final(r, now))
        .map(|r| (r.number, r.title.clone()))
        .collect();
    let chosen = match round {
        Some(n) => match rounds.iter().find(|r| r.number == n) {
            Some(r) => Some(r.clone()),
            None => return Ok(None),
        },
        None => None,
    };
    let boards = super::boards::of_contest(state, &contest, &rounds).await?;
    let me = user.map(|u| u.person_id);
    let placed_round = |k: &ranking::Ranked| -> Placed {
        (
            k.place,
            k.person_id,
            i64::from(k.right),
            k.distance,
            k.time_ms,
        )
    };
    let placed_overall = |o: &ranking::OverallRow| -> Placed {
        (o.place, o.person_id, o.right, o.distance, o.time_ms)
    };
    // The first people and the viewer's own line, without copying the whole ranking.
    let (shown, mine, total, units, all_right): (
        Vec<Placed>,
        Option<Placed>,
        usize,
        Vec<UnitRow>,
        Option<i64>,
    ) = match &chosen {
        Some(r) => {
            let Some(b) = boards.rounds.get(&r.id) else {
                return Ok(Some(Board::pending(contest, chosen, rounds_over)));
            };
            let rows = &b.ranking.rows;
            (
                rows.iter().take(BOARD_SIZE).map(placed_round).collect(),
                me.and_then(|p| rows.iter().find(|x| x.person_id == p))
                    .map(placed_round),
                rows.len(),
                b.units.clone(),
                Some(b.ranking.all_right),
            )
        }
        None => {
            let Some((people, units)) = &boards.overall else {
                return Ok(Some(Board::pending(contest, chosen, rounds_over)));
            };
            (
                people.iter().take(BOARD_SIZE).map(placed_overall).collect(),
                me.and_then(|p| people.iter().find(|o| o.person_id == p))
                    .map(placed_overall),
                people.len(),
                units.clone(),
                None,
            )
        }
    };
    let mut ids: Vec<i64> = shown.iter().map(|x| x.1).collect();
    ids.extend(mine.map(|x| x.1));
    let names: HashMap<i64, String> = contests::names_of(db, &ids).await?.into_iter().collect();
    let unit_of = super::boards::units_of(state, contest.id, &ids).await?;
    let line = |(place, person, right, distance, time): Placed| PersonLine {
        place,
        name: hocvuso_domain::mask::full_name(names.get(&person).map_or("", String::as_str)),
        unit: unit_of.get(&person).cloned().unwrap_or_default(),
        right,
        distance,
        time: minutes_seconds(time),
    };
    Ok(Some(Board {
        people: shown.into_iter().map(line).collect(),
        total_people: total,
        mine: mine.map(line),
        units,
        all_right,
        pending: false,
        rounds_over,
        round: chosen,
        contest,
    }))
}

impl Board {
    fn pending(
        contest: contests::Contest,
        round: Option<contests::Round>,
        rounds_over: Vec<(i32, String)>,
    ) -> Board {
        Board {
            contest,
            round,
            rounds_over,
            pending: true,
            people: Vec::new(),
            total_people: 0,
            mine: None,
            units: Vec::new(),
            all_right: None,
        }
    }
}

/// The awards a person won, over every contest: `(contest id, contest title, prize)`.
pub async fn my_awards(
    state: &Runtime,
    user: &SessionUser,
) -> Result<Vec<(i64, String, String)>, Internal> {
    let db = state.db.read();
    let awards = contests::awards_of_person(db, user.person_id).await?;
    let mut out = Vec::new();
    for a in awards {
        let Some(c) = contests::contest_by_id(db, a.contest_id).await? else {
            continue;
        };
        let prize = contests::prizes_of(db, c.id)
            .await?
            .into_iter()
            .find(|p| p.id == a.prize_id)
            .map(|p| p.label)
            .unwrap_or_default();
        out.push((c.id, c.title, prize));
    }
    Ok(out)
}
