//! The plan's tasks, their progress notes and the notes' evidence files (`plan_*`).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entity::{plan_file, plan_task, plan_update};

pub use plan_file::Model as PlanFile;
pub use plan_task::Model as Task;
pub use plan_update::Model as Update;

pub const NOT_STARTED: &str = "not_started";
pub const ON_TRACK: &str = "on_track";
pub const BEHIND: &str = "behind";
pub const DONE: &str = "done";

/// A task to add.
pub struct NewTask<'a> {
    pub code: &'a str,
    pub plan_year: i32,
    pub title: &'a str,
    pub body: &'a str,
    pub lead: &'a str,
    pub coordinating: &'a str,
    pub timing: &'a str,
    pub starts_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub lead_unit_id: Option<i64>,
    pub position: i32,
}

pub async fn insert_task<C: ConnectionTrait>(
    conn: &C,
    t: &NewTask<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let res = plan_task::Entity::insert(plan_task::ActiveModel {
        code: Set(t.code.to_owned()),
        plan_year: Set(t.plan_year),
        title: Set(t.title.to_owned()),
        body: Set(t.body.to_owned()),
        lead: Set(t.lead.to_owned()),
        coordinating: Set(t.coordinating.to_owned()),
        timing: Set(t.timing.to_owned()),
        starts_on: Set(t.starts_on),
        due_on: Set(t.due_on),
        lead_unit_id: Set(t.lead_unit_id),
        position: Set(t.position),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(res.last_insert_id)
}

pub async fn count_tasks<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    plan_task::Entity::find().count(conn).await
}

/// Every task, by plan year and position.
pub async fn tasks<C: ConnectionTrait>(conn: &C) -> Result<Vec<Task>, DbErr> {
    plan_task::Entity::find()
        .order_by_asc(plan_task::Column::PlanYear)
        .order_by_asc(plan_task::Column::Position)
        .order_by_asc(plan_task::Column::Id)
        .all(conn)
        .await
}

pub async fn task_by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Task>, DbErr> {
    plan_task::Entity::find_by_id(id).one(conn).await
}

/// Whether a plan year has a task with this code already.
pub async fn code_taken<C: ConnectionTrait>(
    conn: &C,
    plan_year: i32,
    code: &str,
) -> Result<bool, DbErr> {
    Ok(plan_task::Entity::find()
        .filter(plan_task::Column::PlanYear.eq(plan_year))
        .filter(plan_task::Column::Code.eq(code))
        .count(conn)
        .await?
        > 0)
}

pub async fn set_lead_unit<C: ConnectionTrait>(
    conn: &C,
    task_id: i64,
    unit_id: Option<i64>,
) -> Result<(), DbErr> {
    plan_task::Entity::update_many()
        .col_expr(plan_task::Column::LeadUnitId, Expr::value(unit_id))
        .filter(plan_task::Column::Id.eq(task_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn insert_update<C: ConnectionTrait>(
    conn: &C,
    task_id: i64,
    status: &str,
    note: &str,
    happened_on: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let res = plan_update::Entity::insert(plan_update::ActiveModel {
        task_id: Set(task_id),
        status: Set(status.to_owned()),
        note: Set(note.to_owned()),
        happened_on: Set(happened_on),
        by_id: Set(by),
        at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(res.last_insert_id)
}

/// A task's notes, newest first.
pub async fn updates_of<C: ConnectionTrait>(conn: &C, task_id: i64) -> Result<Vec<Update>, DbErr> {
    plan_update::Entity::find()
        .filter(plan_update::Column::TaskId.eq(task_id))
        .order_by_desc(plan_update::Column::Id)
        .all(conn)
        .await
}

/// The last note of every task that has one.
pub async fn last_updates<C: ConnectionTrait>(conn: &C) -> Result<Vec<Update>, DbErr> {
    let last: Vec<Option<i64>> = plan_update::Entity::find()
        .select_only()
        .column_as(plan_update::Column::Id.max(), "id")
        .group_by(plan_update::Column::TaskId)
        .into_tuple()
        .all(conn)
        .await?;
    let ids: Vec<i64> = last.into_iter().flatten().collect();
    plan_update::Entity::find()
        .filter(plan_update::Column::Id.is_in(ids))
        .all(conn)
        .await
}

pub async fn insert_file<C: ConnectionTrait>(
    conn: &C,
    update_id: i64,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<(), DbErr> {
    plan_file::Entity::insert(plan_file::ActiveModel {
        update_id: Set(update_id),
        file_name: Set(file_name.to_owned()),
        content_type: Set(content_type.to_owned()),
        size: Set(bytes.len() as i64),
        bytes: Set(bytes.to_vec()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// `(id, update, name, type, size)` of the files of these notes (without their bytes).
pub async fn files_of<C: ConnectionTrait>(
    conn: &C,
    update_ids: &[i64],
) -> Result<Vec<(i64, i64, String, String, i64)>, DbErr> {
    plan_file::Entity::find()
        .select_only()
        .column(plan_file::Column::Id)
        .column(plan_file::Column::UpdateId)
        .column(plan_file::Column::FileName)
        .column(plan_file::Column::ContentType)
        .column(plan_file::Column::Size)
        .filter(plan_file::Column::UpdateId.is_in(update_ids.iter().copied()))
        .order_by_asc(plan_file::Column::Id)
        .into_tuple()
        .all(conn)
        .await
}

/// A file, only if it belongs to a note of this task.
pub async fn file_of_task<C: ConnectionTrait>(
    conn: &C,
    task_id: i64,
    file_id: i64,
) -> Result<Option<PlanFile>, DbErr> {
    let Some(f) = plan_file::Entity::find_by_id(file_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(u) = plan_update::Entity::find_by_id(f.update_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok((u.task_id == task_id).then_some(f))
}
