//! Honour proposals, their steps and evidence files (`honour_proposal`, `honour_step`,
//! `honour_file`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entity::{honour_file, honour_proposal, honour_step};

pub use honour_file::Model as HonourFile;
pub use honour_proposal::Model as Proposal;
pub use honour_step::Model as Step;

pub const SUBMITTED: &str = "submitted";
pub const RETURNED: &str = "returned";
pub const ACCEPTED: &str = "accepted";
pub const DECLINED: &str = "declined";

pub const INDIVIDUAL: &str = "individual";
pub const COLLECTIVE: &str = "collective";

/// What a proposal says (written by the proposing unit).
pub struct Content<'a> {
    pub kind: &'a str,
    pub nominee: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub year: i32,
}

/// Adds a submitted proposal; returns its id.
pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    content: &Content<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let res = honour_proposal::Entity::insert(honour_proposal::ActiveModel {
        unit_id: Set(unit_id),
        kind: Set(content.kind.to_owned()),
        nominee: Set(content.nominee.to_owned()),
        title: Set(content.title.to_owned()),
        description: Set(content.description.to_owned()),
        year: Set(content.year),
        status: Set(SUBMITTED.to_owned()),
        created_by: Set(by),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(res.last_insert_id)
}

pub async fn by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Proposal>, DbErr> {
    honour_proposal::Entity::find_by_id(id).one(conn).await
}

/// Proposals of one year (every year: `None`) made by these units (every unit: `None`),
/// newest first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    year: Option<i32>,
    units: Option<&[i64]>,
    status: Option<&str>,
) -> Result<Vec<Proposal>, DbErr> {
    let mut q = honour_proposal::Entity::find();
    if let Some(y) = year {
        q = q.filter(honour_proposal::Column::Year.eq(y));
    }
    if let Some(units) = units {
        q = q.filter(honour_proposal::Column::UnitId.is_in(units.iter().copied()));
    }
    if let Some(s) = status {
        q = q.filter(honour_proposal::Column::Status.eq(s));
    }
    q.order_by_desc(honour_proposal::Column::UpdatedAt)
        .order_by_desc(honour_proposal::Column::Id)
        .all(conn)
        .await
}

/// The years that have at least one accepted proposal, latest first.
pub async fn accepted_years<C: ConnectionTrait>(conn: &C) -> Result<Vec<i32>, DbErr> {
    honour_proposal::Entity::find()
        .select_only()
        .column(honour_proposal::Column::Year)
        .distinct()
        .filter(honour_proposal::Column::Status.eq(ACCEPTED))
        .order_by_desc(honour_proposal::Column::Year)
        .into_tuple::<i32>()
        .all(conn)
        .await
}

/// Changes the content of a returned proposal and submits it again (only while returned).
/// Returns whether this call did it.
pub async fn resubmit<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    content: &Content<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = honour_proposal::Entity::update_many()
        .col_expr(honour_proposal::Column::Kind, Expr::value(content.kind))
        .col_expr(
            honour_proposal::Column::Nominee,
            Expr::value(content.nominee),
        )
        .col_expr(honour_proposal::Column::Title, Expr::value(content.title))
        .col_expr(
            honour_proposal::Column::Description,
            Expr::value(content.description),
        )
        .col_expr(honour_proposal::Column::Year, Expr::value(content.year))
        .col_expr(honour_proposal::Column::Status, Expr::value(SUBMITTED))
        .col_expr(honour_proposal::Column::UpdatedAt, Expr::value(now))
        .filter(honour_proposal::Column::Id.eq(id))
        .filter(honour_proposal::Column::Status.eq(RETURNED))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Moves a proposal from `from` to `to` (once: a proposal moved meanwhile is left alone).
/// Returns whether this call moved it.
pub async fn set_status<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use honour_proposal::Column;
    super::move_status::<honour_proposal::Entity, C>(
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
    proposal_id: i64,
    action: &str,
    comment: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    honour_step::Entity::insert(honour_step::ActiveModel {
        proposal_id: Set(proposal_id),
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

/// Every step of a proposal, oldest first.
pub async fn steps<C: ConnectionTrait>(conn: &C, proposal_id: i64) -> Result<Vec<Step>, DbErr> {
    honour_step::Entity::find()
        .filter(honour_step::Column::ProposalId.eq(proposal_id))
        .order_by_asc(honour_step::Column::Id)
        .all(conn)
        .await
}

/// An evidence file without its bytes.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub added_at: DateTime<Utc>,
}

pub async fn add_file<C: ConnectionTrait>(
    conn: &C,
    proposal_id: i64,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    honour_file::Entity::insert(honour_file::ActiveModel {
        proposal_id: Set(proposal_id),
        file_name: Set(file_name.to_owned()),
        content_type: Set(content_type.to_owned()),
        size: Set(i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
        bytes: Set(bytes.to_vec()),
        added_by: Set(by),
        added_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// A proposal's files (names and sizes, not the bytes), in the order added.
pub async fn files<C: ConnectionTrait>(conn: &C, proposal_id: i64) -> Result<Vec<FileInfo>, DbErr> {
    let rows: Vec<(i64, String, String, i64, DateTime<Utc>)> = honour_file::Entity::find()
        .select_only()
        .columns([
            honour_file::Column::Id,
            honour_file::Column::FileName,
            honour_file::Column::ContentType,
            honour_file::Column::Size,
            honour_file::Column::AddedAt,
        ])
        .filter(honour_file::Column::ProposalId.eq(proposal_id))
        .order_by_asc(honour_file::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, file_name, content_type, size, added_at)| FileInfo {
            id,
            file_name,
            content_type,
            size,
            added_at,
        })
        .collect())
}

pub async fn count_files<C: ConnectionTrait>(conn: &C, proposal_id: i64) -> Result<u64, DbErr> {
    honour_file::Entity::find()
        .filter(honour_file::Column::ProposalId.eq(proposal_id))
        .count(conn)
        .await
}

/// One file of one proposal, with its bytes (looked up within that proposal only).
pub async fn file<C: ConnectionTrait>(
    conn: &C,
    proposal_id: i64,
    file_id: i64,
) -> Result<Option<HonourFile>, DbErr> {
    honour_file::Entity::find_by_id(file_id)
        .filter(honour_file::Column::ProposalId.eq(proposal_id))
        .one(conn)
        .await
}
