use super::*;

/// Every change of a target (year × group × indicator), with who made it and when.
pub struct TargetHistory;

impl MigrationName for TargetHistory {
    fn name(&self) -> &str {
        "m20261125_000004_target_history"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for TargetHistory {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("target_change"))
                .col(pk_auto(b, a("id")))
                .col(col("year").integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("indicator_code").string().not_null())
                .col(col("old_percent").integer().null())
                // NULL: the target was removed.
                .col(col("new_percent").integer().null())
                .col(col("changed_by").big_integer().null())
                .col(col("changed_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("target_change", "changed_by", "person"))
                .to_owned(),
        )
        .await
    }
}
