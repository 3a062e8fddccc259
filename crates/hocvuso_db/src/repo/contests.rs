//! Contests, their rounds, entrants, entries, prizes and awards (`contest*`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entity::{
    contest, contest_award, contest_entrant, contest_entry, contest_prize, contest_round,
};

pub use contest::Model as Contest;
pub use contest_award::Model as Award;
pub use contest_entrant::Model as Entrant;
pub use contest_entry::Model as Entry;
pub use contest_prize::Model as Prize;
pub use contest_round::Model as Round;

/// A prize for people / for units.
pub const FOR_PERSON: &str = "person";
pub const FOR_UNIT: &str = "unit";

/// Rows per statement in the batched writes (well under every backend's bind limit).
const CHUNK: usize = 200;

/// A contest to add.
pub struct NewContest<'a> {
    pub unit_id: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub audience_units: &'a str,
    pub audience_groups: &'a str,
}

pub async fn insert_contest<C: ConnectionTrait>(
    conn: &C,
    c: &NewContest<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let res = contest::Entity::insert(contest::ActiveModel {
        unit_id: Set(c.unit_id),
        title: Set(c.title.to_owned()),
        description: Set(c.description.to_owned()),
        audience_units: Set(c.audience_units.to_owned()),
        audience_groups: Set(c.audience_groups.to_owned()),
        created_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(res.last_insert_id)
}

pub async fn contest_by_id<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<Contest>, DbErr> {
    contest::Entity::find_by_id(id).one(conn).await
}

/// Contests organised by these units (every unit: `None`), newest first.
pub async fn contests<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[i64]>,
) -> Result<Vec<Contest>, DbErr> {
    let mut q = contest::Entity::find().order_by_desc(contest::Column::Id);
    if let Some(units) = units {
        q = q.filter(contest::Column::UnitId.is_in(units.iter().copied()));
    }
    q.all(conn).await
}

/// A round to add.
pub struct NewRound<'a> {
    pub contest_id: i64,
    pub number: i32,
    pub title: &'a str,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub course_id: i64,
    pub question_count: i32,
    pub draw_by: &'a str,
    pub minutes: i32,
    pub attempts: i32,
    pub prediction: &'a str,
}

pub async fn insert_round<C: ConnectionTrait>(conn: &C, r: &NewRound<'_>) -> Result<i64, DbErr> {
    let res = contest_round::Entity::insert(contest_round::ActiveModel {
        contest_id: Set(r.contest_id),
        number: Set(r.number),
        title: Set(r.title.to_owned()),
        opens_at: Set(r.opens_at),
        closes_at: Set(r.closes_at),
        course_id: Set(r.course_id),
        question_count: Set(r.question_count),
        draw_by: Set(r.draw_by.to_owned()),
        minutes: Set(r.minutes),
        attempts: Set(r.attempts),
        prediction: Set(r.prediction.to_owned()),
        all_right: Set(None),
        digest: Set(None),
        ranked_at: Set(None),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(res.last_insert_id)
}

/// The rounds of these contests, by contest and number.
pub async fn rounds_of<C: ConnectionTrait>(
    conn: &C,
    contest_ids: &[i64],
) -> Result<Vec<Round>, DbErr> {
    contest_round::Entity::find()
        .filter(contest_round::Column::ContestId.is_in(contest_ids.iter().copied()))
        .order_by_asc(contest_round::Column::ContestId)
        .order_by_asc(contest_round::Column::Number)
        .all(conn)
        .await
}

pub async fn round_by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Round>, DbErr> {
    contest_round::Entity::find_by_id(id).one(conn).await
}

/// Records a closed round's result (the number who answered every question right and the
/// ranking's digest) the first time it is computed; later calls change nothing. Returns the
/// stored round.
pub async fn record_result<C: ConnectionTrait>(
    conn: &C,
    round_id: i64,
    all_right: i64,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    contest_round::Entity::update_many()
        .col_expr(
            contest_round::Column::AllRight,
            Expr::value(Some(all_right)),
        )
        .col_expr(contest_round::Column::Digest, Expr::value(Some(digest)))
        .col_expr(contest_round::Column::RankedAt, Expr::value(Some(now)))
        .filter(contest_round::Column::Id.eq(round_id))
        .filter(contest_round::Column::Digest.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn entrant<C: ConnectionTrait>(
    conn: &C,
    contest_id: i64,
    person_id: i64,
) -> Result<Option<Entrant>, DbErr> {
    contest_entrant::Entity::find()
        .filter(contest_entrant::Column::ContestId.eq(contest_id))
        .filter(contest_entrant::Column::PersonId.eq(person_id))
        .one(conn)
        .await
}

/// Joins a person to a contest; `false` when they had joined already (nothing changes).
pub async fn insert_entrant<C: ConnectionTrait>(
    conn: &C,
    contest_id: i64,
    person_id: i64,
    unit_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = contest_entrant::Entity::insert(contest_entrant::ActiveModel {
        contest_id: Set(contest_id),
        person_id: Set(person_id),
        unit_id: Set(unit_id),
        joined_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            contest_entrant::Column::ContestId,
            contest_entrant::Column::PersonId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(n == 1)
}

/// `(person, unit)` of every entrant of a contest.
pub async fn entrant_units<C: ConnectionTrait>(
    conn: &C,
    contest_id: i64,
) -> Result<Vec<(i64, i64)>, DbErr> {
    contest_entrant::Entity::find()
        .select_only()
        .column(contest_entrant::Column::PersonId)
        .column(contest_entrant::Column::UnitId)
        .filter(contest_entrant::Column::ContestId.eq(contest_id))
        .into_tuple()
        .all(conn)
        .await
}

/// How many people joined each of these contests.
pub async fn entrant_counts<C: ConnectionTrait>(
    conn: &C,
    contest_ids: &[i64],
) -> Result<Vec<(i64, i64)>, DbErr> {
    contest_entrant::Entity::find()
        .select_only()
        .column(contest_entrant::Column::ContestId)
        .column_as(contest_entrant::Column::Id.count(), "n")
        .filter(contest_entrant::Column::ContestId.is_in(contest_ids.iter().copied()))
        .group_by(contest_entrant::Column::ContestId)
        .into_tuple()
        .all(conn)
        .await
}

/// These people's entries in one round, by id.
pub async fn entries_of<C: ConnectionTrait>(
    conn: &C,
    round_id: i64,
    person_ids: &[i64],
) -> Result<Vec<Entry>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(CHUNK) {
        out.extend(
            contest_entry::Entity::find()
                .filter(contest_entry::Column::RoundId.eq(round_id))
                .filter(contest_entry::Column::PersonId.is_in(chunk.iter().copied()))
                .order_by_asc(contest_entry::Column::Id)
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// One person's entries in these rounds, by id.
pub async fn entries_of_person<C: ConnectionTrait>(
    conn: &C,
    round_ids: &[i64],
    person_id: i64,
) -> Result<Vec<Entry>, DbErr> {
    contest_entry::Entity::find()
        .filter(contest_entry::Column::RoundId.is_in(round_ids.iter().copied()))
        .filter(contest_entry::Column::PersonId.eq(person_id))
        .order_by_asc(contest_entry::Column::Id)
        .all(conn)
        .await
}

pub async fn entry_by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Entry>, DbErr> {
    contest_entry::Entity::find_by_id(id).one(conn).await
}

pub async fn entries_by_ids<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<Vec<Entry>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            contest_entry::Entity::find()
                .filter(contest_entry::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// An entry to start.
pub struct NewEntry {
    pub round_id: i64,
    pub person_id: i64,
    pub attempt_no: i32,
    pub questions: Vec<i64>,
    pub deadline_at: DateTime<Utc>,
}

/// Starts entries in few statements; returns those inserted, in id order. An entry whose round,
/// person and attempt number exist already (another process started it a moment before) is
/// not inserted and not returned: the unique index keeps one.
pub async fn insert_entries<C: ConnectionTrait>(
    conn: &C,
    rows: &[NewEntry],
    now: DateTime<Utc>,
) -> Result<Vec<Entry>, DbErr> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let mut inserted = contest_entry::Entity::insert_many(chunk.iter().map(|e| {
            contest_entry::ActiveModel {
                round_id: Set(e.round_id),
                person_id: Set(e.person_id),
                attempt_no: Set(e.attempt_no),
                questions: Set(e
                    .questions
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")),
                started_at: Set(now),
                deadline_at: Set(e.deadline_at),
                submitted_at: Set(None),
                answers: Set(None),
                right_count: Set(None),
                total: Set(e.questions.len() as i32),
                prediction: Set(None),
                time_ms: Set(None),
                ..Default::default()
            }
        }))
        .on_conflict(
            OnConflict::columns([
                contest_entry::Column::RoundId,
                contest_entry::Column::PersonId,
                contest_entry::Column::AttemptNo,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_with_returning_many(conn)
        .await?;
        inserted.sort_by_key(|e| e.id);
        out.extend(inserted);
    }
    Ok(out)
}

/// A graded entry to store.
pub struct Submitted {
    pub entry_id: i64,
    pub answers: String,
    pub right_count: i32,
    pub prediction: i64,
    pub time_ms: i64,
}

/// Stores graded entries that are still open; returns the ids it stored (an entry submitted
/// already, by another request or process, is left as it was).
pub async fn submit_entries<C: ConnectionTrait>(
    conn: &C,
    rows: &[Submitted],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, DbErr> {
    let mut done = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK / 4) {
        let id = || Expr::col(contest_entry::Column::Id);
        let mut answers = CaseStatement::new();
        let mut right = CaseStatement::new();
        let mut prediction = CaseStatement::new();
        let mut time = CaseStatement::new();
        for s in chunk {
            answers = answers.case(id().eq(s.entry_id), Expr::val(s.answers.clone()));
            right = right.case(id().eq(s.entry_id), Expr::val(s.right_count));
            prediction = prediction.case(id().eq(s.entry_id), Expr::val(s.prediction));
            time = time.case(id().eq(s.entry_id), Expr::val(s.time_ms));
        }
        let updated = contest_entry::Entity::update_many()
            .col_expr(contest_entry::Column::SubmittedAt, Expr::value(Some(now)))
            .col_expr(contest_entry::Column::Answers, answers.into())
            .col_expr(contest_entry::Column::RightCount, right.into())
            .col_expr(contest_entry::Column::Prediction, prediction.into())
            .col_expr(contest_entry::Column::TimeMs, time.into())
            .filter(contest_entry::Column::Id.is_in(chunk.iter().map(|s| s.entry_id)))
            .filter(contest_entry::Column::SubmittedAt.is_null())
            .exec_with_returning(conn)
            .await?;
        done.extend(updated.into_iter().map(|e| e.id));
    }
    Ok(done)
}

/// What ranking needs of a submitted entry: `(entry, person, right answers, questions,
/// prediction, time taken in ms, submitted at)`.
pub type RankRow = (i64, i64, i32, i32, i64, i64, DateTime<Utc>);

/// Every submitted entry of a round, as [`RankRow`]s, by id.
pub async fn submitted_entries<C: ConnectionTrait>(
    conn: &C,
    round_id: i64,
) -> Result<Vec<RankRow>, DbErr> {
    type Raw = (
        i64,
        i64,
        Option<i32>,
        i32,
        Option<i64>,
        Option<i64>,
        Option<DateTime<Utc>>,
    );
    let rows: Vec<Raw> = contest_entry::Entity::find()
        .select_only()
        .column(contest_entry::Column::Id)
        .column(contest_entry::Column::PersonId)
        .column(contest_entry::Column::RightCount)
        .column(contest_entry::Column::Total)
        .column(contest_entry::Column::Prediction)
        .column(contest_entry::Column::TimeMs)
        .column(contest_entry::Column::SubmittedAt)
        .filter(contest_entry::Column::RoundId.eq(round_id))
        .filter(contest_entry::Column::SubmittedAt.is_not_null())
        .order_by_asc(contest_entry::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, p, r, n, pr, t, at)| Some((id, p, r?, n, pr?, t?, at?)))
        .collect())
}

/// How many entries each of these rounds has (started, submitted).
pub async fn entry_counts<C: ConnectionTrait>(
    conn: &C,
    round_ids: &[i64],
) -> Result<Vec<(i64, i64, i64)>, DbErr> {
    let started: Vec<(i64, i64)> = contest_entry::Entity::find()
        .select_only()
        .column(contest_entry::Column::RoundId)
        .column_as(contest_entry::Column::Id.count(), "n")
        .filter(contest_entry::Column::RoundId.is_in(round_ids.iter().copied()))
        .group_by(contest_entry::Column::RoundId)
        .into_tuple()
        .all(conn)
        .await?;
    let submitted: Vec<(i64, i64)> = contest_entry::Entity::find()
        .select_only()
        .column(contest_entry::Column::RoundId)
        .column_as(contest_entry::Column::Id.count(), "n")
        .filter(contest_entry::Column::RoundId.is_in(round_ids.iter().copied()))
        .filter(contest_entry::Column::SubmittedAt.is_not_null())
        .group_by(contest_entry::Column::RoundId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(started
        .into_iter()
        .map(|(r, n)| {
            let s = submitted
                .iter()
                .find(|(sr, _)| *sr == r)
                .map_or(0, |(_, s)| *s);
            (r, n, s)
        })
        .collect())
}

/// A prize to set.
pub struct NewPrize {
    pub kind: &'static str,
    pub position: i32,
    pub label: String,
    pub winners: i32,
}

/// Replaces a contest's prizes (only while no award is confirmed: the caller checks).
pub async fn replace_prizes<C: ConnectionTrait>(
    conn: &C,
    contest_id: i64,
    prizes: &[NewPrize],
) -> Result<(), DbErr> {
    contest_prize::Entity::delete_many()
        .filter(contest_prize::Column::ContestId.eq(contest_id))
        .exec(conn)
        .await?;
    if prizes.is_empty() {
        return Ok(());
    }
    contest_prize::Entity::insert_many(prizes.iter().map(|p| contest_prize::ActiveModel {
        contest_id: Set(contest_id),
        kind: Set(p.kind.to_owned()),
        position: Set(p.position),
        label: Set(p.label.clone()),
        winners: Set(p.winners),
        ..Default::default()
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// A contest's prizes, people's first, each kind in order.
pub async fn prizes_of<C: ConnectionTrait>(conn: &C, contest_id: i64) -> Result<Vec<Prize>, DbErr> {
    let mut out = contest_prize::Entity::find()
        .filter(contest_prize::Column::ContestId.eq(contest_id))
        .all(conn)
        .await?;
    out.sort_by_key(|p| (p.kind != FOR_PERSON, p.position, p.id));
    Ok(out)
}

/// A confirmed winner.
pub struct NewAward {
    pub prize_id: i64,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub place: i32,
}

pub async fn insert_awards<C: ConnectionTrait>(
    conn: &C,
    contest_id: i64,
    awards: &[NewAward],
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in awards.chunks(CHUNK) {
        contest_award::Entity::insert_many(chunk.iter().map(|w| contest_award::ActiveModel {
            contest_id: Set(contest_id),
            prize_id: Set(w.prize_id),
            person_id: Set(w.person_id),
            unit_id: Set(w.unit_id),
            place: Set(w.place),
            confirmed_by: Set(by),
            confirmed_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// A contest's confirmed awards, in the order they were confirmed.
pub async fn awards_of<C: ConnectionTrait>(conn: &C, contest_id: i64) -> Result<Vec<Award>, DbErr> {
    contest_award::Entity::find()
        .filter(contest_award::Column::ContestId.eq(contest_id))
        .order_by_asc(contest_award::Column::Id)
        .all(conn)
        .await
}

/// Every award a person won.
pub async fn awards_of_person<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Vec<Award>, DbErr> {
    contest_award::Entity::find()
        .filter(contest_award::Column::PersonId.eq(person_id))
        .order_by_asc(contest_award::Column::Id)
        .all(conn)
        .await
}

/// Takes the contest's row lock (a no-op update), so that confirming awards or changing
/// prizes happens one at a time per contest on both backends.
pub async fn lock_contest<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    contest::Entity::update_many()
        .col_expr(
            contest::Column::Title,
            Expr::col(contest::Column::Title).into(),
        )
        .filter(contest::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// These people's entrant rows in one contest.
pub async fn entrants_among<C: ConnectionTrait>(
    conn: &C,
    contest_id: i64,
    person_ids: &[i64],
) -> Result<Vec<Entrant>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(CHUNK) {
        out.extend(
            contest_entrant::Entity::find()
                .filter(contest_entrant::Column::ContestId.eq(contest_id))
                .filter(contest_entrant::Column::PersonId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// `(id, full name)` of these people (the leaderboard's names, masked by the caller).
pub async fn names_of<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
) -> Result<Vec<(i64, String)>, DbErr> {
    use crate::entity::person;
    let mut out = Vec::new();
    for chunk in person_ids.chunks(CHUNK) {
        let rows: Vec<(i64, String)> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .column(person::Column::FullName)
            .filter(person::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Ends an open round now: its closing time and the deadline of every entry still running
/// become `now`. `false` when the round was not open.
pub async fn end_round<C: ConnectionTrait>(
    conn: &C,
    round_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let ended = contest_round::Entity::update_many()
        .col_expr(contest_round::Column::ClosesAt, Expr::value(now))
        .filter(contest_round::Column::Id.eq(round_id))
        .filter(contest_round::Column::OpensAt.lte(now))
        .filter(contest_round::Column::ClosesAt.gt(now))
        .exec(conn)
        .await?;
    if ended.rows_affected == 0 {
        return Ok(false);
    }
    contest_entry::Entity::update_many()
        .col_expr(contest_entry::Column::DeadlineAt, Expr::value(now))
        .filter(contest_entry::Column::RoundId.eq(round_id))
        .filter(contest_entry::Column::DeadlineAt.gt(now))
        .filter(contest_entry::Column::SubmittedAt.is_null())
        .exec(conn)
        .await?;
    Ok(true)
}

/// Joins many people at once (generators and benchmarks): `(person, unit)`.
pub async fn insert_entrants<C: ConnectionTrait>(
    conn: &C,
    contest_id: i64,
    rows: &[(i64, i64)],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK * 2) {
        contest_entrant::Entity::insert_many(chunk.iter().map(|(p, u)| {
            contest_entrant::ActiveModel {
                contest_id: Set(contest_id),
                person_id: Set(*p),
                unit_id: Set(*u),
                joined_at: Set(now),
                ..Default::default()
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// A submitted entry loaded whole (generators and benchmarks).
pub struct LoadedEntry {
    pub round_id: i64,
    pub person_id: i64,
    pub total: i32,
    pub right_count: i32,
    pub prediction: i64,
    pub started_at: DateTime<Utc>,
    pub time_ms: i64,
}

/// Loads submitted entries in multi-row statements (generators and benchmarks).
pub async fn load_entries<C: ConnectionTrait>(conn: &C, rows: &[LoadedEntry]) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        contest_entry::Entity::insert_many(chunk.iter().map(|e| {
            let submitted = e.started_at + chrono::Duration::milliseconds(e.time_ms);
            contest_entry::ActiveModel {
                round_id: Set(e.round_id),
                person_id: Set(e.person_id),
                attempt_no: Set(1),
                questions: Set(String::new()),
                started_at: Set(e.started_at),
                deadline_at: Set(submitted),
                submitted_at: Set(Some(submitted)),
                answers: Set(Some(String::new())),
                right_count: Set(Some(e.right_count)),
                total: Set(e.total),
                prediction: Set(Some(e.prediction)),
                time_ms: Set(Some(e.time_ms)),
                ..Default::default()
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}
