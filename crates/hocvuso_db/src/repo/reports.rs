//! Reporting periods, the units' reports for them and the reports' steps (`report_period`,
//! `period_report`, `period_report_step`).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::entity::{period_report, period_report_file, period_report_step, report_period};

pub use period_report::Model as Report;
pub use period_report_file::Model as ReportFile;
pub use period_report_step::Model as Step;
pub use report_period::Model as Period;

pub const DRAFT: &str = "draft";
pub const SUBMITTED: &str = "submitted";
pub const RETURNED: &str = "returned";
pub const APPROVED: &str = "approved";
/// A step: the written parts saved without sending.
pub const SAVED: &str = "saved";

/// A period to add.
pub struct NewPeriod<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub due_on: NaiveDate,
    pub reporters: &'a str,
}

pub async fn insert_period<C: ConnectionTrait>(
    conn: &C,
    p: &NewPeriod<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let res = report_period::Entity::insert(report_period::ActiveModel {
        kind: Set(p.kind.to_owned()),
        title: Set(p.title.to_owned()),
        starts_on: Set(p.starts_on),
        ends_on: Set(p.ends_on),
        due_on: Set(p.due_on),
        reporters: Set(p.reporters.to_owned()),
        created_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(res.last_insert_id)
}

/// Whether a period of this kind starting that day exists already.
pub async fn period_exists<C: ConnectionTrait>(
    conn: &C,
    kind: &str,
    starts_on: NaiveDate,
) -> Result<bool, DbErr> {
    Ok(report_period::Entity::find()
        .filter(report_period::Column::Kind.eq(kind))
        .filter(report_period::Column::StartsOn.eq(starts_on))
        .count(conn)
        .await?
        > 0)
}

/// Every period, the latest first.
pub async fn periods<C: ConnectionTrait>(conn: &C) -> Result<Vec<Period>, DbErr> {
    report_period::Entity::find()
        .order_by_desc(report_period::Column::EndsOn)
        .order_by_desc(report_period::Column::Id)
        .all(conn)
        .await
}

pub async fn period_by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Period>, DbErr> {
    report_period::Entity::find_by_id(id).one(conn).await
}

/// Where a unit's report of a period stands: what the completeness pages read, without the
/// frozen figures and the written parts.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ReportState {
    pub unit_id: i64,
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// Where every report of a period stands (one row per unit that has one).
pub async fn report_states_of_period<C: ConnectionTrait>(
    conn: &C,
    period_id: i64,
) -> Result<Vec<ReportState>, DbErr> {
    period_report::Entity::find()
        .select_only()
        .column(period_report::Column::UnitId)
        .column(period_report::Column::Status)
        .column(period_report::Column::SubmittedAt)
        .filter(period_report::Column::PeriodId.eq(period_id))
        .into_model::<ReportState>()
        .all(conn)
        .await
}

/// The reports of a period (every unit's that has one).
pub async fn reports_of_period<C: ConnectionTrait>(
    conn: &C,
    period_id: i64,
) -> Result<Vec<Report>, DbErr> {
    period_report::Entity::find()
        .filter(period_report::Column::PeriodId.eq(period_id))
        .all(conn)
        .await
}

/// The reports of these units, in every period.
pub async fn reports_of_units<C: ConnectionTrait>(
    conn: &C,
    unit_ids: &[i64],
) -> Result<Vec<Report>, DbErr> {
    period_report::Entity::find()
        .filter(period_report::Column::UnitId.is_in(unit_ids.iter().copied()))
        .all(conn)
        .await
}

pub async fn report_of<C: ConnectionTrait>(
    conn: &C,
    period_id: i64,
    unit_id: i64,
) -> Result<Option<Report>, DbErr> {
    period_report::Entity::find()
        .filter(period_report::Column::PeriodId.eq(period_id))
        .filter(period_report::Column::UnitId.eq(unit_id))
        .one(conn)
        .await
}

/// The written parts of a report.
pub struct Written<'a> {
    pub done_text: &'a str,
    pub difficulties: &'a str,
    pub proposals: &'a str,
}

/// Adds a unit's report for a period (with its figures frozen); returns its id.
pub async fn insert_report<C: ConnectionTrait>(
    conn: &C,
    period_id: i64,
    unit_id: i64,
    figures: &str,
    activity: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let res = period_report::Entity::insert(period_report::ActiveModel {
        period_id: Set(period_id),
        unit_id: Set(unit_id),
        status: Set(DRAFT.to_owned()),
        figures: Set(figures.to_owned()),
        activity: Set(activity.to_owned()),
        done_text: Set(String::new()),
        difficulties: Set(String::new()),
        proposals: Set(String::new()),
        submitted_at: Set(None),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(res.last_insert_id)
}

/// Writes the parts of a report still open to its unit (a draft or a returned one) and moves
/// it to `to`; returns whether this call did it (an approved or sent report is left alone).
/// `first_sent`: this is its first sending (the time that says whether it came on time).
pub async fn write_report<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    written: &Written<'_>,
    to: &str,
    first_sent: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut q = period_report::Entity::update_many()
        .col_expr(
            period_report::Column::DoneText,
            Expr::value(written.done_text),
        )
        .col_expr(
            period_report::Column::Difficulties,
            Expr::value(written.difficulties),
        )
        .col_expr(
            period_report::Column::Proposals,
            Expr::value(written.proposals),
        )
        .col_expr(period_report::Column::Status, Expr::value(to))
        .col_expr(period_report::Column::UpdatedAt, Expr::value(now));
    if first_sent {
        q = q.col_expr(period_report::Column::SubmittedAt, Expr::value(Some(now)));
    }
    let res = q
        .filter(period_report::Column::Id.eq(id))
        .filter(period_report::Column::Status.is_in([DRAFT, RETURNED]))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Moves a report from `from` to `to` (once); returns whether this call moved it.
pub async fn set_status<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use period_report::Column;
    super::move_status::<period_report::Entity, C>(
        conn,
        [Column::Id, Column::Status, Column::UpdatedAt],
        id,
        from,
        to,
        now,
    )
    .await
}

pub async fn add_step<C: ConnectionTrait>(
    conn: &C,
    report_id: i64,
    action: &str,
    comment: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    period_report_step::Entity::insert(period_report_step::ActiveModel {
        report_id: Set(report_id),
        action: Set(action.to_owned()),
        comment: Set(comment.to_owned()),
        by_id: Set(by),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Every step of a report, oldest first.
pub async fn steps<C: ConnectionTrait>(conn: &C, report_id: i64) -> Result<Vec<Step>, DbErr> {
    period_report_step::Entity::find()
        .filter(period_report_step::Column::ReportId.eq(report_id))
        .order_by_asc(period_report_step::Column::Id)
        .all(conn)
        .await
}

/// A file to attach to a report.
pub struct NewFile<'a> {
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

pub async fn insert_file<C: ConnectionTrait>(
    conn: &C,
    report_id: i64,
    f: &NewFile<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    period_report_file::Entity::insert(period_report_file::ActiveModel {
        report_id: Set(report_id),
        file_name: Set(f.file_name.to_owned()),
        content_type: Set(f.content_type.to_owned()),
        size: Set(i64::try_from(f.bytes.len()).unwrap_or(i64::MAX)),
        bytes: Set(f.bytes.to_vec()),
        by_id: Set(by),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// `(id, name, type, size)` of a report's files (without their bytes), in the order added.
pub async fn files_of<C: ConnectionTrait>(
    conn: &C,
    report_id: i64,
) -> Result<Vec<(i64, String, String, i64)>, DbErr> {
    period_report_file::Entity::find()
        .select_only()
        .column(period_report_file::Column::Id)
        .column(period_report_file::Column::FileName)
        .column(period_report_file::Column::ContentType)
        .column(period_report_file::Column::Size)
        .filter(period_report_file::Column::ReportId.eq(report_id))
        .order_by_asc(period_report_file::Column::Id)
        .into_tuple()
        .all(conn)
        .await
}

/// A file, only if it belongs to this report.
pub async fn file_of_report<C: ConnectionTrait>(
    conn: &C,
    report_id: i64,
    file_id: i64,
) -> Result<Option<ReportFile>, DbErr> {
    period_report_file::Entity::find_by_id(file_id)
        .filter(period_report_file::Column::ReportId.eq(report_id))
        .one(conn)
        .await
}

/// Removes a file of this report; whether there was one.
pub async fn delete_file<C: ConnectionTrait>(
    conn: &C,
    report_id: i64,
    file_id: i64,
) -> Result<bool, DbErr> {
    let res = period_report_file::Entity::delete_many()
        .filter(period_report_file::Column::Id.eq(file_id))
        .filter(period_report_file::Column::ReportId.eq(report_id))
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}

/// Marks a report changed only while it is a draft or returned; whether it was. Inside a
/// transaction this holds the report's row until the end (PostgreSQL: the row lock; SQLite:
/// the one writer), so a report sent at the same moment waits, and two changes to its files
/// happen one after the other.
pub async fn touch_if_editable<C: ConnectionTrait>(
    conn: &C,
    report_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = period_report::Entity::update_many()
        .col_expr(period_report::Column::UpdatedAt, Expr::value(now))
        .filter(period_report::Column::Id.eq(report_id))
        .filter(period_report::Column::Status.is_in([DRAFT, RETURNED]))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}
