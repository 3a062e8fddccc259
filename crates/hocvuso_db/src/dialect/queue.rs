//! Claiming messages of the send queue (`outbox`): `FOR UPDATE SKIP LOCKED` on PostgreSQL, the
//! single writer on SQLite.

use sea_orm::DbBackend;

/// A message of the send queue claimed by one sender.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ClaimedMessage {
    pub id: i64,
    pub person_id: i64,
    pub reminder_id: i64,
    /// Tries so far, this one included.
    pub attempts: i32,
    /// `sms` or `email`.
    pub channel: String,
}

/// Claims up to `limit` queued messages of `channel` (`sms`, `email`) whose time has come
/// (`next_at <= now`), oldest first:
/// each becomes `sending` until `lease_until` and counts one more try. Two senders never get
/// the same message: PostgreSQL skips the rows another transaction is claiming
/// (`FOR UPDATE SKIP LOCKED`), so several server processes claim side by side without
/// waiting; SQLite has one writer at a time, so the `UPDATE … RETURNING` is the claim. A
/// sender that dies leaves its messages `sending` until the lease runs out, when
/// `repo::reminders::release_expired` queues them again.
pub async fn claim_outbox<C: sea_orm::ConnectionTrait>(
    conn: &C,
    now: chrono::DateTime<chrono::Utc>,
    lease_until: chrono::DateTime<chrono::Utc>,
    channel: &str,
    limit: u64,
) -> Result<Vec<ClaimedMessage>, sea_orm::DbErr> {
    use sea_orm::FromQueryResult;
    let backend = conn.get_database_backend();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE outbox SET status = 'sending', lease_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_at <= $2 \
             AND channel = $3 ORDER BY next_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING id, person_id, reminder_id, attempts, channel"
        }
        _ => {
            "UPDATE outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_at <= ? \
             AND channel = ? ORDER BY next_at, id LIMIT ?) \
             RETURNING id, person_id, reminder_id, attempts, channel"
        }
    };
    let stmt = sea_orm::Statement::from_sql_and_values(
        backend,
        sql,
        [
            lease_until.into(),
            now.into(),
            channel.to_owned().into(),
            limit.into(),
        ],
    );
    ClaimedMessage::find_by_statement(stmt).all(conn).await
}
