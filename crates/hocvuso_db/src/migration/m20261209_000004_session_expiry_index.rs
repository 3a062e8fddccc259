use super::*;

/// The hourly sweep deletes sessions by `expires_at` (`repo::people::delete_expired_sessions`):
/// with an index it reads the expired ones only, not every session of the province.
pub struct SessionExpiryIndex;

impl MigrationName for SessionExpiryIndex {
    fn name(&self) -> &str {
        "m20261209_000004_session_expiry_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SessionExpiryIndex {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_session_expires_at")
                .table(a("session"))
                .col(a("expires_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_session_expires_at")
                .table(a("session"))
                .to_owned(),
        )
        .await
    }
}
