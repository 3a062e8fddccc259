use super::*;

/// Who viewed or exported personal data, and when (Decree 13/2023/NĐ-CP): one row per view of a
/// list of people and per export.
pub struct AuditLog;

impl MigrationName for AuditLog {
    fn name(&self) -> &str {
        "m20261125_000006_audit_log"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AuditLog {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("audit_log"))
                .col(pk_auto(b, a("id")))
                .col(col("actor_id").big_integer().not_null())
                .col(col("action").string().not_null())
                .col(col("subject").string().not_null())
                .col(col("detail").string().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("audit_log", "actor_id", "person"))
                .to_owned(),
        )
        .await
    }
}
