//! The audit log of views and exports of personal data.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect, Set};

use hocvuso_domain::AuditAction;

use crate::entity::audit_log;

pub use audit_log::Model as AuditEntry;

pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor_id: i64,
    action: AuditAction,
    subject: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        actor_id: Set(actor_id),
        action: Set(action.code().to_owned()),
        subject: Set(subject.to_owned()),
        detail: Set(detail.to_owned()),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// One entry of [`record_many`]: `(action, subject, detail)`.
pub type Entry = (AuditAction, String, String);

/// Records many entries by one actor at once (an import that changed many people).
pub async fn record_many<C: ConnectionTrait>(
    conn: &C,
    actor_id: i64,
    entries: &[Entry],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in entries.chunks(500) {
        audit_log::Entity::insert_many(chunk.iter().map(|(action, subject, detail)| {
            audit_log::ActiveModel {
                actor_id: Set(actor_id),
                action: Set(action.code().to_owned()),
                subject: Set(subject.clone()),
                detail: Set(detail.clone()),
                at: Set(now),
                ..Default::default()
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// The newest entries first.
pub async fn recent<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<AuditEntry>, DbErr> {
    audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}
