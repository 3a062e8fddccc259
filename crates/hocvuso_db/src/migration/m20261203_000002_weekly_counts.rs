use super::*;

/// The live counts split by week, for trends; filled from the achievements already recorded.
pub struct WeeklyCounts;

impl MigrationName for WeeklyCounts {
    fn name(&self) -> &str {
        "m20261203_000002_weekly_counts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for WeeklyCounts {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("indicator_week"))
                .col(col("unit_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("indicator_code").string().not_null())
                .col(col("week").string().not_null())
                .col(col("achieved").big_integer().not_null())
                .primary_key(
                    Index::create()
                        .col(a("unit_id"))
                        .col(a("group_code"))
                        .col(a("indicator_code"))
                        .col(a("week")),
                )
                .foreign_key(&mut fk("indicator_week", "unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_indicator_week_group")
                .table(a("indicator_week"))
                .col(a("group_code"))
                .col(a("indicator_code"))
                .col(a("week"))
                // Covering: the province's trend sums without reading the table.
                .col(a("achieved"))
                .to_owned(),
        )
        .await?;
        let conn = m.get_connection();
        let weeks = crate::repo::stats::recomputed_weeks_before_confirmation(conn).await?;
        crate::repo::stats::insert_weeks(conn, &weeks).await?;
        Ok(())
    }
}
