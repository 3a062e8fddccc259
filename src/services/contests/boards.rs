//! A contest's leaderboards — each closed round's people and units, and the overall ones once
//! every round is over — computed once for a given set of closed rounds and kept in memory
//! (closed rounds no longer change), so that a board view of a round of a million entries reads
//! no entries and sorts nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hocvuso_db::repo::contests;

use super::ranking::{self, OverallRow, RoundRanking, UnitRow};
use crate::services::runtime::Runtime;
use crate::services::Internal;

/// A closed round's boards.
pub struct RoundBoard {
    pub ranking: Arc<RoundRanking>,
    pub units: Vec<UnitRow>,
}

/// A contest's boards as of a set of closed rounds.
pub struct Boards {
    pub contest_id: i64,
    /// The ids of the rounds over, by number: what these boards were made from.
    pub closed: Vec<i64>,
    pub rounds: HashMap<i64, RoundBoard>,
    /// People and units over every round, once all rounds are over.
    pub overall: Option<(Vec<OverallRow>, Vec<UnitRow>)>,
}

/// The boards of the few contests looked at last.
#[derive(Default)]
pub struct BoardCache {
    kept: Mutex<Vec<Arc<Boards>>>,
}

/// Contests whose boards stay in memory at once.
const KEPT: usize = 4;

impl BoardCache {
    fn get(&self, contest_id: i64, closed: &[i64]) -> Option<Arc<Boards>> {
        let kept = self.kept.lock().ok()?;
        kept.iter()
            .find(|b| b.contest_id == contest_id && b.closed == closed)
            .cloned()
    }

    fn put(&self, b: Arc<Boards>) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.retain(|k| k.contest_id != b.contest_id);
            kept.push(b);
            if kept.len() > KEPT {
                kept.remove(0);
            }
        }
    }
}

/// The boards of a contest whose rounds are `rounds` (as read now).
pub async fn of_contest(
    state: &Runtime,
    contest: &contests::Contest,
    rounds: &[contests::Round],
) -> Result<Arc<Boards>, Internal> {
    let now = state.clock.now();
    let closed: Vec<&contests::Round> = rounds
        .iter()
        .filter(|r| ranking::is_final(r, now))
        .collect();
    let closed_ids: Vec<i64> = closed.iter().map(|r| r.id).collect();
    if let Some(b) = state.contest_boards.get(contest.id, &closed_ids) {
        return Ok(b);
    }
    let mut boards = Boards {
        contest_id: contest.id,
        closed: closed_ids,
        rounds: HashMap::new(),
        overall: None,
    };
    if !closed.is_empty() {
        // Whom each entrant entered for: read once for every board of the contest.
        let unit_of: HashMap<i64, i64> = contests::entrant_units(state.db.read(), contest.id)
            .await?
            .into_iter()
            .collect();
        let tree = crate::services::people::org::tree(state).await?;
        let names = ranking::unit_names(&tree);
        let mut rankings = Vec::new();
        for r in &closed {
            let Some(k) = ranking::of_round(state, r).await? else {
                continue;
            };
            let denominators = ranking::denominators(state, year_of(r)).await?;
            let units = ranking::unit_board(
                k.rows
                    .iter()
                    .map(|x| (x.person_id, i64::from(x.right), u64::from(x.entries))),
                &unit_of,
                &denominators,
                &names,
            );
            rankings.push(k.clone());
            boards.rounds.insert(r.id, RoundBoard { ranking: k, units });
        }
        if closed.len() == rounds.len() {
            let refs: Vec<&RoundRanking> = rankings.iter().map(|r| r.as_ref()).collect();
            let people = ranking::rank_overall(&refs);
            let last = closed.iter().max_by_key(|r| r.closes_at).map_or_else(
                || chrono::Datelike::year(&crate::clock::vietnam_time(now)),
                |r| year_of(r),
            );
            let denominators = ranking::denominators(state, last).await?;
            let units = ranking::unit_board(
                people.iter().map(|o| (o.person_id, o.right, o.entries)),
                &unit_of,
                &denominators,
                &names,
            );
            boards.overall = Some((people, units));
        }
    }
    let boards = Arc::new(boards);
    state.contest_boards.put(boards.clone());
    Ok(boards)
}

/// The year (Vietnam time) a round closed in: its entrants are counted against that year's
/// denominators.
fn year_of(r: &contests::Round) -> i32 {
    chrono::Datelike::year(&crate::clock::vietnam_time(r.closes_at))
}

/// The unit names these people entered the contest for.
pub async fn units_of(
    state: &Runtime,
    contest_id: i64,
    person_ids: &[i64],
) -> Result<HashMap<i64, String>, Internal> {
    let tree = crate::services::people::org::tree(state).await?;
    let names = ranking::unit_names(&tree);
    Ok(
        contests::entrants_among(state.db.read(), contest_id, person_ids)
            .await?
            .into_iter()
            .map(|e| {
                let name = names.get(&e.unit_id).cloned().unwrap_or_default();
                (e.person_id, name)
            })
            .collect(),
    )
}
