use super::*;

/// A periodic report also keeps what was done in the period, frozen with its figures
/// (`period_report.activity`: classes held, contest entries, help given, as JSON; "" for
/// reports saved before); contest entrants are found by the unit they enter for.
pub struct ReportActivity;

impl MigrationName for ReportActivity {
    fn name(&self) -> &str {
        "m20261210_000003_report_activity"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ReportActivity {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("period_report"))
                .add_column(col("activity").text().not_null().default(""))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_contest_entrant_unit")
                .table(a("contest_entrant"))
                .col(a("unit_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_contest_entrant_unit")
                .table(a("contest_entrant"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("period_report"))
                .drop_column(a("activity"))
                .to_owned(),
        )
        .await
    }
}
