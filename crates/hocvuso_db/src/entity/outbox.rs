//! Table `outbox`: one message to one person — the durable queue the senders claim
//! (`dialect::claim_outbox`), the delivery log, and the person's in-app notification.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub reminder_id: i64,
    pub person_id: i64,
    /// `queued`, `sending` (claimed until `lease_until`), `sent`, `failed` (retries spent) or
    /// `skipped` (nothing to send to, or the person opted out after it was queued).
    pub status: String,
    pub attempts: i32,
    /// Not tried before this time (the reminder's time, then the backoff).
    pub next_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    /// Why the last try failed, or why it was skipped.
    pub error: Option<String>,
    pub queued_at: DateTimeUtc,
    /// When the person saw it on their notifications page.
    pub read_at: Option<DateTimeUtc>,
    /// How it goes: `sms` (a text message, when the person has a phone) or `email` (the
    /// person gave an address for reminders); decided when queued.
    pub channel: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
