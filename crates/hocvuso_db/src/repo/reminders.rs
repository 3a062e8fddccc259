//! Reminders and the send queue (`reminder`, `outbox`, `reminder_schedule`,
//! `reminder_opt_out`). The claiming of due messages is backend-specific and lives in
//! `dialect::claim_outbox`; everything else is here.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entity::{outbox, reminder, reminder_email, reminder_opt_out, reminder_schedule};
use crate::repo::people::MemberFilter;

pub use reminder::Model as Reminder;
pub use reminder_schedule::Model as Schedule;

/// The statuses of an `outbox` row.
pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const SKIPPED: &str = "skipped";

/// How an `outbox` row goes: a text message, or an email (the person gave an address).
pub const BY_SMS: &str = "sms";
pub const BY_EMAIL: &str = "email";
/// The longest email address kept (RFC 5321's limit on a path).
pub const MAX_EMAIL: usize = 254;

/// Who a reminder would reach, for the preview before it is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromQueryResult)]
pub struct Reach {
    /// People of the group under the unit who have not finished.
    pub unfinished: i64,
    /// Of them, people who asked for no reminders.
    pub opted_out: i64,
    /// Of them, people already sent a reminder in the past week (and not opted out).
    pub recent: i64,
    /// Of those left, people without a phone number nor an email for reminders (they see it
    /// on their page only).
    pub no_phone: i64,
    /// Of those left, people who receive reminders by email.
    pub by_email: i64,
}

impl Reach {
    /// How many people the reminder is queued for (phone or not).
    pub fn recipients(&self) -> i64 {
        self.unfinished - self.opted_out - self.recent
    }
}

/// The distinct unfinished members of a filter, each with whether they opted out, were
/// reminded since `week_ago`, and have a phone (aliases as in `people::members_query`).
fn unfinished_people(
    f: &MemberFilter<'_>,
    backend: sea_orm::DbBackend,
    week_ago: DateTime<Utc>,
) -> sea_orm::sea_query::SelectStatement {
    let p = |n: &'static str| Expr::col((Alias::new("p"), Alias::new(n)));
    let mut q = crate::repo::people::members_query(f, backend);
    q.distinct()
        .expr_as(p("id"), Alias::new("pid"))
        .expr_as(opted_out(), Alias::new("opted"))
        .expr_as(recently_reminded(week_ago), Alias::new("recent"))
        .expr_as(p("phone").is_not_null(), Alias::new("has_phone"))
        .expr_as(has_email(), Alias::new("has_email"));
    q
}

/// `EXISTS` an email for reminders of person `p`.
fn has_email() -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(reminder_email::Entity)
            .and_where(
                Expr::col((reminder_email::Entity, reminder_email::Column::PersonId))
                    .equals((Alias::new("p"), Alias::new("id"))),
            )
            .to_owned(),
    )
}

/// `EXISTS` an opt-out of person `p`.
fn opted_out() -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(reminder_opt_out::Entity)
            .and_where(
                Expr::col((reminder_opt_out::Entity, reminder_opt_out::Column::PersonId))
                    .equals((Alias::new("p"), Alias::new("id"))),
            )
            .to_owned(),
    )
}

/// `EXISTS` a message queued for person `p` since `week_ago`.
fn recently_reminded(week_ago: DateTime<Utc>) -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(outbox::Entity)
            .and_where(
                Expr::col((outbox::Entity, outbox::Column::PersonId))
                    .equals((Alias::new("p"), Alias::new("id"))),
            )
            .and_where(Expr::col((outbox::Entity, outbox::Column::QueuedAt)).gt(week_ago))
            .to_owned(),
    )
}

/// The preview's counts (see [`Reach`]). `f.only_unfinished` is taken as set.
pub async fn reach<C: ConnectionTrait>(
    conn: &C,
    f: &MemberFilter<'_>,
    week_ago: DateTime<Utc>,
) -> Result<Reach, DbErr> {
    let backend = conn.get_database_backend();
    let f = MemberFilter {
        only_unfinished: true,
        ..*f
    };
    let inner = unfinished_people(&f, backend, week_ago);
    let q = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("unfinished"))
        .expr_as(
            Expr::cust("COALESCE(SUM(CASE WHEN t.opted THEN 1 ELSE 0 END), 0)"),
            Alias::new("opted_out"),
        )
        .expr_as(
            Expr::cust("COALESCE(SUM(CASE WHEN t.recent AND NOT t.opted THEN 1 ELSE 0 END), 0)"),
            Alias::new("recent"),
        )
        .expr_as(
            Expr::cust(
                "COALESCE(SUM(CASE WHEN NOT t.has_phone AND NOT t.has_email AND NOT t.opted AND NOT t.recent THEN 1 ELSE 0 END), 0)",
            ),
            Alias::new("no_phone"),
        )
        .expr_as(
            Expr::cust(
                "COALESCE(SUM(CASE WHEN t.has_email AND NOT t.opted AND NOT t.recent THEN 1 ELSE 0 END), 0)",
            ),
            Alias::new("by_email"),
        )
        .from_subquery(inner, Alias::new("t"))
        .to_owned();
    Ok(Reach::find_by_statement(backend.build(&q))
        .one(conn)
        .await?
        .unwrap_or_default())
}

/// A reminder as its sender writes it.
pub struct NewReminder<'a> {
    pub unit_id: i64,
    pub group_code: &'a str,
    pub body: &'a str,
    pub send_after: DateTime<Utc>,
    pub schedule_id: Option<i64>,
    pub created_by: i64,
}

/// Records a reminder and queues one message for each unfinished member of the filter who
/// has not opted out and was not reminded since `week_ago` — in one statement, however many
/// they are. Returns the reminder's id and the number queued. Run it in a transaction.
pub async fn queue<C: ConnectionTrait>(
    conn: &C,
    r: &NewReminder<'_>,
    f: &MemberFilter<'_>,
    week_ago: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(i64, u64), DbErr> {
    let backend = conn.get_database_backend();
    let row = reminder::Entity::insert(reminder::ActiveModel {
        unit_id: Set(r.unit_id),
        group_code: Set(r.group_code.to_owned()),
        body: Set(r.body.to_owned()),
        recipients: Set(0),
        send_after: Set(r.send_after),
        schedule_id: Set(r.schedule_id),
        created_by: Set(r.created_by),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    let id = row.last_insert_id;
    let f = MemberFilter {
        only_unfinished: true,
        ..*f
    };
    let p_id = Expr::col((Alias::new("p"), Alias::new("id")));
    let mut select = crate::repo::people::members_query(&f, backend);
    select
        .distinct()
        .expr(Expr::val(id))
        .expr(p_id)
        .expr(Expr::val(QUEUED))
        .expr(Expr::val(0))
        .expr(Expr::val(r.send_after))
        .expr(Expr::val(now))
        .expr(Expr::case(has_email(), Expr::val(BY_EMAIL)).finally(Expr::val(BY_SMS)))
        .and_where(opted_out().not())
        .and_where(recently_reminded(week_ago).not());
    let insert = Query::insert()
        .into_table(outbox::Entity)
        .columns([
            outbox::Column::ReminderId,
            outbox::Column::PersonId,
            outbox::Column::Status,
            outbox::Column::Attempts,
            outbox::Column::NextAt,
            outbox::Column::QueuedAt,
            outbox::Column::Channel,
        ])
        .select_from(select)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    let queued = conn.execute(backend.build(&insert)).await?.rows_affected();
    reminder::Entity::update(reminder::ActiveModel {
        id: Set(id),
        recipients: Set(i64::try_from(queued).unwrap_or(i64::MAX)),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok((id, queued))
}

/// Puts back in the queue the messages whose claim ran out (their sender died mid-send).
pub async fn release_expired<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(QUEUED))
        .col_expr(
            outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox::Column::Status.eq(SENDING))
        .filter(outbox::Column::LeaseUntil.lt(now))
        .exec(conn)
        .await?
        .rows_affected)
}

/// A claimed message with what is needed to send it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Delivery {
    pub id: i64,
    pub phone: Option<String>,
    /// The address for reminders, if the person gave one.
    pub email: Option<String>,
    pub body: String,
    pub opted_out: bool,
}

/// The phone, email, text and opt-out of claimed messages.
pub async fn deliveries<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<Delivery>, DbErr> {
    use sea_orm::sea_query::JoinType;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let (o, p, r, x, e) = (
        Alias::new("o"),
        Alias::new("p"),
        Alias::new("r"),
        Alias::new("x"),
        Alias::new("e"),
    );
    let c = |t: &Alias, n: &'static str| Expr::col((t.clone(), Alias::new(n)));
    let q = Query::select()
        .expr_as(c(&o, "id"), Alias::new("id"))
        .expr_as(c(&p, "phone"), Alias::new("phone"))
        .expr_as(c(&e, "email"), Alias::new("email"))
        .expr_as(c(&r, "body"), Alias::new("body"))
        .expr_as(c(&x, "person_id").is_not_null(), Alias::new("opted_out"))
        .from_as(outbox::Entity, o.clone())
        .join_as(
            JoinType::InnerJoin,
            Alias::new("person"),
            p.clone(),
            c(&p, "id").equals((o.clone(), Alias::new("person_id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            reminder::Entity,
            r.clone(),
            c(&r, "id").equals((o.clone(), Alias::new("reminder_id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            reminder_opt_out::Entity,
            x.clone(),
            c(&x, "person_id").equals((o.clone(), Alias::new("person_id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            reminder_email::Entity,
            e.clone(),
            c(&e, "person_id").equals((o.clone(), Alias::new("person_id"))),
        )
        .and_where(c(&o, "id").is_in(ids.iter().copied()))
        .to_owned();
    Delivery::find_by_statement(backend.build(&q))
        .all(conn)
        .await
}

/// Ends a claimed message: `status` (`sent`, `failed`, `skipped`) with the reason, if it is
/// still this sender's claim. `false`: the claim had run out and someone else has it.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    status: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status))
        .col_expr(
            outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(outbox::Column::Error, Expr::value(error.map(str::to_owned)));
    if status == SENT {
        update = update.col_expr(outbox::Column::SentAt, Expr::value(now));
    }
    Ok(update
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(SENDING))
        .exec(conn)
        .await?
        .rows_affected
        == 1)
}

/// Puts a claimed message back in the queue after a failed try, not before `next_at`.
pub async fn retry_later<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    error: &str,
    next_at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(QUEUED))
        .col_expr(
            outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(outbox::Column::Error, Expr::value(error))
        .col_expr(outbox::Column::NextAt, Expr::value(next_at))
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(SENDING))
        .exec(conn)
        .await?
        .rows_affected
        == 1)
}

/// What a sender's round would find, asked of a reader so that an idle sender writes
/// nothing: whether claims ran out, and whether text messages and emails are due.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Due {
    pub expired: bool,
    pub sms: bool,
    pub email: bool,
}

pub async fn due<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>) -> Result<Due, DbErr> {
    let any = |status: &'static str, channel: Option<&'static str>| async move {
        let mut q = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::Id)
            .filter(outbox::Column::Status.eq(status));
        q = match channel {
            None => q.filter(outbox::Column::LeaseUntil.lt(now)),
            Some(c) => q
                .filter(outbox::Column::NextAt.lte(now))
                .filter(outbox::Column::Channel.eq(c)),
        };
        Ok::<bool, DbErr>(q.limit(1).into_tuple::<i64>().one(conn).await?.is_some())
    };
    Ok(Due {
        expired: any(SENDING, None).await?,
        sms: any(QUEUED, Some(BY_SMS)).await?,
        email: any(QUEUED, Some(BY_EMAIL)).await?,
    })
}

/// How many messages wait (`queued`) and are being sent (`sending`), for `/metrics`.
pub async fn queue_depth<C: ConnectionTrait>(conn: &C) -> Result<(u64, u64), DbErr> {
    let count = |status: &'static str| async move {
        use sea_orm::PaginatorTrait;
        outbox::Entity::find()
            .filter(outbox::Column::Status.eq(status))
            .count(conn)
            .await
    };
    Ok((count(QUEUED).await?, count(SENDING).await?))
}

pub async fn reminder_by_id<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<Reminder>, DbErr> {
    reminder::Entity::find_by_id(id).one(conn).await
}

/// The latest reminders of these units (newest first).
pub async fn reminders_of<C: ConnectionTrait>(
    conn: &C,
    unit_ids: Option<&[i64]>,
    limit: u64,
) -> Result<Vec<Reminder>, DbErr> {
    let mut q = reminder::Entity::find();
    if let Some(ids) = unit_ids {
        q = q.filter(reminder::Column::UnitId.is_in(ids.iter().copied()));
    }
    q.order_by_desc(reminder::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// How many messages of a reminder are in each status.
pub async fn status_counts<C: ConnectionTrait>(
    conn: &C,
    reminder_id: i64,
) -> Result<Vec<(String, i64)>, DbErr> {
    outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Status)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(outbox::Column::ReminderId.eq(reminder_id))
        .group_by(outbox::Column::Status)
        .into_tuple()
        .all(conn)
        .await
}

/// One line of a reminder's delivery log.
#[derive(Debug, Clone, FromQueryResult)]
pub struct LogLine {
    pub full_name: String,
    pub phone: Option<String>,
    /// `sms` or `email`.
    pub channel: String,
    pub status: String,
    pub attempts: i32,
    pub error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The messages of a reminder that did not go out (failed, skipped, or waiting after a failed
/// try), first `limit` of them.
pub async fn problems<C: ConnectionTrait>(
    conn: &C,
    reminder_id: i64,
    limit: u64,
) -> Result<Vec<LogLine>, DbErr> {
    use sea_orm::sea_query::{Condition, JoinType, Order};
    let backend = conn.get_database_backend();
    let (o, p) = (Alias::new("o"), Alias::new("p"));
    let c = |t: &Alias, n: &'static str| Expr::col((t.clone(), Alias::new(n)));
    let q = Query::select()
        .expr_as(c(&p, "full_name"), Alias::new("full_name"))
        .expr_as(c(&p, "phone"), Alias::new("phone"))
        .expr_as(c(&o, "channel"), Alias::new("channel"))
        .expr_as(c(&o, "status"), Alias::new("status"))
        .expr_as(c(&o, "attempts"), Alias::new("attempts"))
        .expr_as(c(&o, "error"), Alias::new("error"))
        .expr_as(c(&o, "sent_at"), Alias::new("sent_at"))
        .from_as(outbox::Entity, o.clone())
        .join_as(
            JoinType::InnerJoin,
            Alias::new("person"),
            p.clone(),
            c(&p, "id").equals((o.clone(), Alias::new("person_id"))),
        )
        .and_where(c(&o, "reminder_id").eq(reminder_id))
        .cond_where(
            Condition::any()
                .add(c(&o, "status").is_in([FAILED, SKIPPED]))
                .add(c(&o, "error").is_not_null()),
        )
        .order_by((o.clone(), Alias::new("id")), Order::Asc)
        .limit(limit)
        .to_owned();
    LogLine::find_by_statement(backend.build(&q))
        .all(conn)
        .await
}

/// One of a person's notifications.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Notice {
    pub id: i64,
    pub body: String,
    pub at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// The FROM and WHERE of a person's due notifications (aliases `o` outbox, `r` reminder).
fn due_notices(person_id: i64, now: DateTime<Utc>) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::JoinType;
    let (o, r) = (Alias::new("o"), Alias::new("r"));
    let c = |t: &Alias, n: &'static str| Expr::col((t.clone(), Alias::new(n)));
    Query::select()
        .from_as(outbox::Entity, o.clone())
        .join_as(
            JoinType::InnerJoin,
            reminder::Entity,
            r.clone(),
            c(&r, "id").equals((o.clone(), Alias::new("reminder_id"))),
        )
        .and_where(c(&o, "person_id").eq(person_id))
        .and_where(c(&r, "send_after").lte(now))
        .to_owned()
}

/// A person's notifications that are due (newest first).
pub async fn inbox<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Notice>, DbErr> {
    use sea_orm::sea_query::Order;
    let backend = conn.get_database_backend();
    let (o, r) = (Alias::new("o"), Alias::new("r"));
    let c = |t: &Alias, n: &'static str| Expr::col((t.clone(), Alias::new(n)));
    let q = due_notices(person_id, now)
        .expr_as(c(&o, "id"), Alias::new("id"))
        .expr_as(c(&r, "body"), Alias::new("body"))
        .expr_as(c(&r, "send_after"), Alias::new("at"))
        .expr_as(c(&o, "read_at"), Alias::new("read_at"))
        .order_by((o.clone(), Alias::new("id")), Order::Desc)
        .limit(limit)
        .to_owned();
    Notice::find_by_statement(backend.build(&q)).all(conn).await
}

/// Marks a person's due notifications read.
pub async fn mark_read<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox::Entity::update_many()
        .col_expr(outbox::Column::ReadAt, Expr::value(now))
        .filter(outbox::Column::PersonId.eq(person_id))
        .filter(outbox::Column::Id.is_in(ids.iter().copied()))
        .filter(outbox::Column::ReadAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// How many of a person's notifications are due and unread.
pub async fn unread<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let backend = conn.get_database_backend();
    let q = due_notices(person_id, now)
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .and_where(Expr::col((Alias::new("o"), Alias::new("read_at"))).is_null())
        .to_owned();
    let n: i64 = match conn.query_one(backend.build(&q)).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

pub async fn is_opted_out<C: ConnectionTrait>(conn: &C, person_id: i64) -> Result<bool, DbErr> {
    Ok(reminder_opt_out::Entity::find_by_id(person_id)
        .one(conn)
        .await?
        .is_some())
}

/// Stops (`true`) or restarts (`false`) reminders for a person; doing it twice changes nothing.
pub async fn set_opt_out<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    out: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if out {
        let row = reminder_opt_out::ActiveModel {
            person_id: Set(person_id),
            at: Set(now),
        };
        reminder_opt_out::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(reminder_opt_out::Column::PersonId)
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec(conn)
            .await?;
    } else {
        reminder_opt_out::Entity::delete_by_id(person_id)
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// The address a person gave for reminders by email, if any.
pub async fn email_of<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Option<String>, DbErr> {
    Ok(reminder_email::Entity::find_by_id(person_id)
        .one(conn)
        .await?
        .map(|r| r.email))
}

/// Sets (`Some`: reminders by email from now on) or removes (`None`: by text message again)
/// the address a person gives for reminders. Messages already queued keep their channel.
pub async fn set_email<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    email: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    reminder_email::Entity::delete_by_id(person_id)
        .exec(conn)
        .await?;
    if let Some(email) = email {
        reminder_email::Entity::insert(reminder_email::ActiveModel {
            person_id: Set(person_id),
            email: Set(email.to_owned()),
            at: Set(now),
        })
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// A weekly reminder as the province sets it.
pub struct NewSchedule<'a> {
    pub unit_id: i64,
    pub group_code: &'a str,
    pub body: &'a str,
    pub weekday: i32,
    pub hour: i32,
    pub only_below_target: bool,
    pub next_run_at: DateTime<Utc>,
    pub created_by: i64,
}

pub async fn insert_schedule<C: ConnectionTrait>(
    conn: &C,
    s: &NewSchedule<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let row = reminder_schedule::Entity::insert(reminder_schedule::ActiveModel {
        unit_id: Set(s.unit_id),
        group_code: Set(s.group_code.to_owned()),
        body: Set(s.body.to_owned()),
        weekday: Set(s.weekday),
        hour: Set(s.hour),
        only_below_target: Set(s.only_below_target),
        active: Set(true),
        next_run_at: Set(s.next_run_at),
        created_by: Set(s.created_by),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(row.last_insert_id)
}

pub async fn schedules<C: ConnectionTrait>(
    conn: &C,
    unit_ids: Option<&[i64]>,
) -> Result<Vec<Schedule>, DbErr> {
    let mut q = reminder_schedule::Entity::find();
    if let Some(ids) = unit_ids {
        q = q.filter(reminder_schedule::Column::UnitId.is_in(ids.iter().copied()));
    }
    q.order_by_asc(reminder_schedule::Column::Id)
        .all(conn)
        .await
}

pub async fn schedule_by_id<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<Schedule>, DbErr> {
    reminder_schedule::Entity::find_by_id(id).one(conn).await
}

/// The active schedules whose time has come.
pub async fn due_schedules<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<Vec<Schedule>, DbErr> {
    reminder_schedule::Entity::find()
        .filter(reminder_schedule::Column::Active.eq(true))
        .filter(reminder_schedule::Column::NextRunAt.lte(now))
        .order_by_asc(reminder_schedule::Column::Id)
        .all(conn)
        .await
}

/// Moves a schedule's next run from `was` to `next`, if nobody did it first: the process that
/// gets `true` runs it this time, the others skip it.
pub async fn claim_schedule<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    was: DateTime<Utc>,
    next: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(reminder_schedule::Entity::update_many()
        .col_expr(reminder_schedule::Column::NextRunAt, Expr::value(next))
        .filter(reminder_schedule::Column::Id.eq(id))
        .filter(reminder_schedule::Column::NextRunAt.eq(was))
        .exec(conn)
        .await?
        .rows_affected
        == 1)
}

pub async fn set_schedule_active<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    active: bool,
    next_run_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    reminder_schedule::Entity::update(reminder_schedule::ActiveModel {
        id: Set(id),
        active: Set(active),
        next_run_at: Set(next_run_at),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}
