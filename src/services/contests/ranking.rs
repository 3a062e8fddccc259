//! The ranking rule, as Vietnamese contests rank: most right answers, then the prediction
//! closest to the true number of people who answered every question right, then the shortest
//! time taken, then the earliest submission (and, for two submissions in the same instant, the
//! one the server stored first). A person's best attempt is the one that counts. The order is
//! total and computed from the stored entries alone, so anyone can recompute it and get the
//! same digest.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use hocvuso_db::repo::contests::{self, RankRow};
use hocvuso_db::repo::org;

use crate::services::runtime::Runtime;
use crate::services::Internal;

/// Answers are taken this long after a round's closing time (a request in flight at the
/// close); its ranking is final only after it.
pub const GRACE_SECONDS: i64 = 60;

/// One submitted entry as ranking reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scored {
    pub entry_id: i64,
    pub person_id: i64,
    pub right: i32,
    pub total: i32,
    pub prediction: i64,
    pub time_ms: i64,
    pub submitted_at: DateTime<Utc>,
}

impl From<RankRow> for Scored {
    fn from(
        (entry_id, person_id, right, total, prediction, time_ms, submitted_at): RankRow,
    ) -> Self {
        Scored {
            entry_id,
            person_id,
            right,
            total,
            prediction,
            time_ms,
            submitted_at,
        }
    }
}

/// A person's place in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    /// 1 for the first.
    pub place: u32,
    pub person_id: i64,
    /// The entry that counts (the person's best).
    pub entry_id: i64,
    pub right: i32,
    pub total: i32,
    /// How far the prediction was from the true number.
    pub distance: i64,
    pub time_ms: i64,
    pub submitted_at: DateTime<Utc>,
    /// How many entries the person submitted in the round.
    pub entries: u32,
}

/// A round's ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRanking {
    /// How many people answered every question right (the prediction question's answer).
    pub all_right: i64,
    pub rows: Vec<Ranked>,
    /// SHA-256 (hex) of the ranking, line by line (see [`digest`]).
    pub digest: String,
}

/// Ranks a round's submitted entries (any order).
pub fn rank_round(entries: impl IntoIterator<Item = Scored>) -> RoundRanking {
    // 1. Each person's best entry: most right, then fastest, then earliest, then first stored.
    let mut all: Vec<Scored> = entries.into_iter().collect();
    all.sort_unstable_by(|a, b| {
        a.person_id
            .cmp(&b.person_id)
            .then(b.right.cmp(&a.right))
            .then(a.time_ms.cmp(&b.time_ms))
            .then(a.submitted_at.cmp(&b.submitted_at))
            .then(a.entry_id.cmp(&b.entry_id))
    });
    let mut best: Vec<(Scored, u32)> = Vec::new();
    for e in all {
        match best.last_mut() {
            Some((b, n)) if b.person_id == e.person_id => *n += 1,
            _ => best.push((e, 1)),
        }
    }
    // 2. The true answer to the prediction question.
    let all_right = best
        .iter()
        .filter(|(e, _)| e.total > 0 && e.right == e.total)
        .count() as i64;
    // 3. The order.
    let mut rows: Vec<Ranked> = best
        .into_iter()
        .map(|(e, entries)| Ranked {
            place: 0,
            person_id: e.person_id,
            entry_id: e.entry_id,
            right: e.right,
            total: e.total,
            distance: (e.prediction - all_right).abs(),
            time_ms: e.time_ms,
            submitted_at: e.submitted_at,
            entries,
        })
        .collect();
    rows.sort_unstable_by(|a, b| {
        b.right
            .cmp(&a.right)
            .then(a.distance.cmp(&b.distance))
            .then(a.time_ms.cmp(&b.time_ms))
            .then(a.submitted_at.cmp(&b.submitted_at))
            .then(a.entry_id.cmp(&b.entry_id))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.place = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    let digest = digest(all_right, &rows);
    RoundRanking {
        all_right,
        rows,
        digest,
    }
}

/// SHA-256 over `all_right` and one line per place:
/// `place,person,entry,right,distance,time_ms,submitted_at(ms)`.
pub fn digest(all_right: i64, rows: &[Ranked]) -> String {
    use sha2::Digest;
    use std::fmt::Write;
    let mut h = sha2::Sha256::new();
    h.update(format!("all_right={all_right}\n").as_bytes());
    let mut line = String::with_capacity(96);
    for r in rows {
        line.clear();
        let _ = writeln!(
            line,
            "{},{},{},{},{},{},{}",
            r.place,
            r.person_id,
            r.entry_id,
            r.right,
            r.distance,
            r.time_ms,
            r.submitted_at.timestamp_millis()
        );
        h.update(line.as_bytes());
    }
    crate::services::hex(&h.finalize())
}

/// A person's place over every closed round of a contest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverallRow {
    pub place: u32,
    pub person_id: i64,
    pub right: i64,
    pub distance: i64,
    pub time_ms: i64,
    /// The person's last counted submission.
    pub last_at: DateTime<Utc>,
    pub rounds: u32,
    /// Entries submitted over the rounds.
    pub entries: u64,
}

/// The overall ranking: the sum of right answers over the rounds, then the sum of prediction
/// distances, then the total time, then the earliest last submission, then the person id.
pub fn rank_overall(rounds: &[&RoundRanking]) -> Vec<OverallRow> {
    let mut by_person: HashMap<i64, OverallRow> = HashMap::new();
    for r in rounds {
        for row in &r.rows {
            let o = by_person.entry(row.person_id).or_insert(OverallRow {
                place: 0,
                person_id: row.person_id,
                right: 0,
                distance: 0,
                time_ms: 0,
                last_at: row.submitted_at,
                rounds: 0,
                entries: 0,
            });
            o.right += i64::from(row.right);
            o.distance += row.distance;
            o.time_ms += row.time_ms;
            o.last_at = o.last_at.max(row.submitted_at);
            o.rounds += 1;
            o.entries += u64::from(row.entries);
        }
    }
    let mut rows: Vec<OverallRow> = by_person.into_values().collect();
    rows.sort_unstable_by(|a, b| {
        b.right
            .cmp(&a.right)
            .then(a.distance.cmp(&b.distance))
            .then(a.time_ms.cmp(&b.time_ms))
            .then(a.last_at.cmp(&b.last_at))
            .then(a.person_id.cmp(&b.person_id))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.place = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    rows
}

/// A unit on a leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRow {
    pub place: u32,
    pub unit_id: i64,
    pub name: String,
    /// Entries submitted by its people.
    pub entries: u64,
    /// People who submitted at least one entry.
    pub entrants: u64,
    /// Entrants per 1,000 of the unit's denominator (`None` without one).
    pub per_thousand: Option<f64>,
    /// Right answers per counted entry, on average.
    pub average: f64,
}

/// `(person, right answers, entries)` for the unit board, from a round's or the overall
/// ranking.
pub fn unit_board(
    people: impl IntoIterator<Item = (i64, i64, u64)>,
    unit_of: &HashMap<i64, i64>,
    denominator: &HashMap<i64, i64>,
    names: &HashMap<i64, String>,
) -> Vec<UnitRow> {
    // unit → (entries, entrants, right answers)
    let mut sums: BTreeMap<i64, (u64, u64, i64)> = BTreeMap::new();
    for (person, right, entries) in people {
        let Some(unit) = unit_of.get(&person) else {
            continue;
        };
        let s = sums.entry(*unit).or_default();
        s.0 += entries;
        s.1 += 1;
        s.2 += right;
    }
    let mut rows: Vec<UnitRow> = sums
        .into_iter()
        .map(|(unit_id, (entries, entrants, right))| UnitRow {
            place: 0,
            unit_id,
            name: names.get(&unit_id).cloned().unwrap_or_default(),
            entries,
            entrants,
            per_thousand: denominator
                .get(&unit_id)
                .filter(|d| **d > 0)
                .map(|d| entrants as f64 * 1000.0 / *d as f64),
            average: if entrants == 0 {
                0.0
            } else {
                right as f64 / entrants as f64
            },
        })
        .collect();
    rows.sort_by(|a, b| {
        b.per_thousand
            .unwrap_or(-1.0)
            .total_cmp(&a.per_thousand.unwrap_or(-1.0))
            .then(b.entrants.cmp(&a.entrants))
            .then(b.average.total_cmp(&a.average))
            .then(a.unit_id.cmp(&b.unit_id))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.place = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    rows
}

/// Whether a round's ranking is final (closed, and the grace minute over).
pub fn is_final(round: &contests::Round, now: DateTime<Utc>) -> bool {
    now > round.closes_at + chrono::Duration::seconds(GRACE_SECONDS)
}

/// Rankings of closed rounds, kept in memory (a closed round's entries no longer change): the
/// most recently used, up to [`KEPT_ROWS`] ranked people in all (about 64 bytes each), and
/// always the last one.
#[derive(Default)]
pub struct RankingCache {
    kept: Mutex<Vec<(i64, Arc<RoundRanking>)>>,
}

/// Ranked people kept in memory at most, over every round kept (≈ 200 MB).
const KEPT_ROWS: usize = 3_000_000;

impl RankingCache {
    fn get(&self, round_id: i64) -> Option<Arc<RoundRanking>> {
        let mut kept = self.kept.lock().ok()?;
        let i = kept.iter().position(|(id, _)| *id == round_id)?;
        let hit = kept.remove(i);
        let out = hit.1.clone();
        kept.push(hit);
        Some(out)
    }

    fn put(&self, round_id: i64, r: Arc<RoundRanking>) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.retain(|(id, _)| *id != round_id);
            kept.push((round_id, r));
            while kept.len() > 1
                && kept.iter().map(|(_, r)| r.rows.len()).sum::<usize>() > KEPT_ROWS
            {
                kept.remove(0);
            }
        }
    }
}

/// Computes a round's ranking from its stored entries (no cache, nothing written).
pub async fn compute<C: hocvuso_db::ConnectionTrait>(
    conn: &C,
    round_id: i64,
) -> Result<RoundRanking, Internal> {
    let rows = contests::submitted_entries(conn, round_id).await?;
    tokio::task::spawn_blocking(move || rank_round(rows.into_iter().map(Scored::from)))
        .await
        .map_err(|e| Internal::Other(format!("ranking: {e}")))
}

/// A closed round's ranking: from memory, or computed once (requests at the same moment share
/// one computation) and its result recorded on the round the first time.
pub async fn of_round(
    state: &Runtime,
    round: &contests::Round,
) -> Result<Option<Arc<RoundRanking>>, Internal> {
    if !is_final(round, state.clock.now()) {
        return Ok(None);
    }
    if let Some(r) = state.contest_rankings.get(round.id) {
        return Ok(Some(r));
    }
    let r = state
        .contest_ranking_runs
        .run(round.id, || async {
            let r = compute(state.db.read(), round.id).await?;
            if round.digest.is_none() {
                contests::record_result(
                    state.db.write(),
                    round.id,
                    r.all_right,
                    &r.digest,
                    state.clock.now(),
                )
                .await?;
            } else if round.digest.as_deref() != Some(r.digest.as_str()) {
                tracing::error!(
                    round = round.id,
                    "contest ranking differs from the one recorded at the close"
                );
            }
            Ok::<_, Internal>(r)
        })
        .await?;
    state.contest_rankings.put(round.id, r.clone());
    Ok(Some(r))
}

/// What `hocvuso contest verify` found for one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub round_id: i64,
    pub entries: usize,
    pub all_right: i64,
    pub computed: String,
    pub recorded: Option<String>,
}

impl Verified {
    pub fn agrees(&self) -> bool {
        self.recorded.as_deref() == Some(self.computed.as_str())
    }
}

/// Recomputes a round's ranking from its raw entries and compares it with the recorded one.
pub async fn verify<C: hocvuso_db::ConnectionTrait>(
    conn: &C,
    round_id: i64,
) -> Result<Option<Verified>, Internal> {
    let Some(round) = contests::round_by_id(conn, round_id).await? else {
        return Ok(None);
    };
    let r = compute(conn, round_id).await?;
    Ok(Some(Verified {
        round_id,
        entries: r.rows.len(),
        all_right: r.all_right,
        computed: r.digest,
        recorded: round.digest,
    }))
}

/// The largest denominator of each unit in a year (a commune's adults, an agency's officials):
/// the people a unit's entrants are counted per 1,000 of.
pub async fn denominators(state: &Runtime, year: i32) -> Result<HashMap<i64, i64>, Internal> {
    let of_year = crate::services::monitoring::denominators::of_year(state, year).await?;
    let mut out: HashMap<i64, i64> = HashMap::new();
    for units in of_year.values() {
        for (unit, n) in units {
            let e = out.entry(*unit).or_insert(0);
            *e = (*e).max(*n);
        }
    }
    Ok(out)
}

/// Unit names by id.
pub fn unit_names(tree: &[org::OrgUnit]) -> HashMap<i64, String> {
    tree.iter().map(|u| (u.id, u.name.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0)
            .single()
            .unwrap_or_default()
    }

    fn e(
        entry_id: i64,
        person_id: i64,
        right: i32,
        prediction: i64,
        time_ms: i64,
        s: i64,
    ) -> Scored {
        Scored {
            entry_id,
            person_id,
            right,
            total: 10,
            prediction,
            time_ms,
            submitted_at: at(s),
        }
    }

    #[test]
    fn right_answers_then_prediction_then_time_then_submission() {
        // Two people answer all 10 right: the truth is 2.
        let r = rank_round([
            e(1, 100, 10, 5, 90_000, 10),  // all right, prediction 3 off
            e(2, 200, 10, 2, 120_000, 20), // all right, prediction exact: first
            e(3, 300, 9, 2, 10_000, 5),    // fewer right: after both
            e(4, 400, 9, 2, 10_000, 4),    // same as 300 but earlier: before 300
            e(5, 500, 9, 1, 5_000, 1),     // prediction 1 off: after 400 and 300
        ]);
        assert_eq!(r.all_right, 2);
        let order: Vec<i64> = r.rows.iter().map(|x| x.person_id).collect();
        assert_eq!(order, vec![200, 100, 400, 300, 500]);
        assert_eq!(r.rows[0].place, 1);
        assert_eq!(r.rows[4].distance, 1);
    }

    #[test]
    fn a_persons_best_attempt_counts_and_the_digest_is_stable() {
        let entries = vec![
            e(1, 100, 6, 0, 50_000, 1),
            e(2, 100, 8, 0, 70_000, 2), // best of person 100
            e(3, 200, 7, 0, 10_000, 3),
        ];
        let r = rank_round(entries.clone());
        assert_eq!(r.rows[0].entry_id, 2);
        assert_eq!(r.rows[0].entries, 2);
        let mut reversed = entries;
        reversed.reverse();
        let again = rank_round(reversed);
        assert_eq!(r, again, "the input order changes nothing");
        assert_eq!(r.digest.len(), 64);
        let other = rank_round([e(1, 100, 6, 0, 50_000, 1)]);
        assert_ne!(r.digest, other.digest);
    }

    #[test]
    fn overall_sums_rounds_and_units_count_per_thousand() {
        let a = rank_round([e(1, 1, 10, 1, 1000, 1), e(2, 2, 5, 1, 1000, 1)]);
        let b = rank_round([e(3, 2, 10, 0, 1000, 2)]);
        let overall = rank_overall(&[&a, &b]);
        assert_eq!(overall[0].person_id, 2, "15 right over two rounds beats 10");
        assert_eq!(overall[0].rounds, 2);
        let unit_of: HashMap<i64, i64> = [(1, 7), (2, 8)].into_iter().collect();
        let denominator: HashMap<i64, i64> = [(7, 500), (8, 4000)].into_iter().collect();
        let board = unit_board(
            overall.iter().map(|o| (o.person_id, o.right, o.entries)),
            &unit_of,
            &denominator,
            &HashMap::new(),
        );
        assert_eq!(board[0].unit_id, 7, "2 per 1,000 beats 0.25 per 1,000");
        assert_eq!(board[0].per_thousand, Some(2.0));
    }
}
