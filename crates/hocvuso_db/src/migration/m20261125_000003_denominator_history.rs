use super::*;

/// Every change of a denominator, with who made it, when, from what source, and the value it
/// replaced (imports and edits in the browser alike).
pub struct DenominatorHistory;

impl MigrationName for DenominatorHistory {
    fn name(&self) -> &str {
        "m20261125_000003_denominator_history"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for DenominatorHistory {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("denominator_change"))
                .col(pk_auto(b, a("id")))
                .col(col("year").integer().not_null())
                .col(col("unit_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("old_people").big_integer().null())
                .col(col("new_people").big_integer().not_null())
                .col(col("source").string().not_null())
                .col(col("changed_by").big_integer().null())
                .col(col("changed_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("denominator_change", "unit_id", "org_unit"))
                .foreign_key(&mut fk("denominator_change", "changed_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_denominator_change_year_group")
                .table(a("denominator_change"))
                .col(a("year"))
                .col(a("group_code"))
                .to_owned(),
        )
        .await
    }
}
