//! Requests to transfer a person into another unit (`transfer_request`).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::transfer_request;

pub use transfer_request::Model as TransferRequest;

pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const REFUSED: &str = "refused";

/// Adds a pending request, unless the same one is pending already. Returns whether it is new.
pub async fn request<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    group_code: &str,
    to_unit_id: i64,
    requested_by: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let same = transfer_request::Entity::find()
        .filter(transfer_request::Column::PersonId.eq(person_id))
        .filter(transfer_request::Column::GroupCode.eq(group_code))
        .filter(transfer_request::Column::ToUnitId.eq(to_unit_id))
        .filter(transfer_request::Column::Status.eq(PENDING))
        .one(conn)
        .await?;
    if same.is_some() {
        return Ok(false);
    }
    transfer_request::Entity::insert(transfer_request::ActiveModel {
        person_id: Set(person_id),
        group_code: Set(group_code.to_owned()),
        to_unit_id: Set(to_unit_id),
        requested_by: Set(requested_by),
        requested_at: Set(now),
        status: Set(PENDING.to_owned()),
        decided_by: Set(None),
        decided_at: Set(None),
        note: Set(String::new()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(true)
}

/// Every pending request, oldest first.
pub async fn pending<C: ConnectionTrait>(conn: &C) -> Result<Vec<TransferRequest>, DbErr> {
    transfer_request::Entity::find()
        .filter(transfer_request::Column::Status.eq(PENDING))
        .order_by_asc(transfer_request::Column::Id)
        .all(conn)
        .await
}

/// The requests a person made, newest first.
pub async fn made_by<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Vec<TransferRequest>, DbErr> {
    transfer_request::Entity::find()
        .filter(transfer_request::Column::RequestedBy.eq(person_id))
        .order_by_desc(transfer_request::Column::Id)
        .all(conn)
        .await
}

pub async fn by_id<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<TransferRequest>, DbErr> {
    transfer_request::Entity::find_by_id(id).one(conn).await
}

/// Decides a pending request (once: a request decided meanwhile is left alone). Returns
/// whether this call decided it.
pub async fn decide<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    status: &str,
    by: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let res = transfer_request::Entity::update_many()
        .col_expr(transfer_request::Column::Status, Expr::value(status))
        .col_expr(transfer_request::Column::DecidedBy, Expr::value(by))
        .col_expr(transfer_request::Column::DecidedAt, Expr::value(now))
        .col_expr(transfer_request::Column::Note, Expr::value(note))
        .filter(transfer_request::Column::Id.eq(id))
        .filter(transfer_request::Column::Status.eq(PENDING))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}
