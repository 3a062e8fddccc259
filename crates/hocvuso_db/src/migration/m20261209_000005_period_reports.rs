use super::*;

/// Periodic reports (the plan's section V): the reporting periods the province schedules
/// (`report_period`: kind, dates, due date, which kinds of unit report), a unit's report for a
/// period (`period_report`: figures frozen at the period's end, the written parts, the status
/// of its workflow) and every step of that workflow (`period_report_step`).
pub struct PeriodReports;

impl MigrationName for PeriodReports {
    fn name(&self) -> &str {
        "m20261209_000005_period_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for PeriodReports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("report_period"))
                .col(pk_auto(b, a("id")))
                // `month`, `quarter`, `half` or `year`.
                .col(col("kind").string().not_null())
                .col(col("title").string().not_null())
                .col(col("starts_on").date().not_null())
                .col(col("ends_on").date().not_null())
                .col(col("due_on").date().not_null())
                // The kinds of unit that report, comma-separated (`commune,department`).
                .col(col("reporters").string().not_null())
                .col(col("created_by").big_integer().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("report_period", "created_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_report_period_span")
                .table(a("report_period"))
                .col(a("kind"))
                .col(a("starts_on"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("period_report"))
                .col(pk_auto(b, a("id")))
                .col(col("period_id").big_integer().not_null())
                .col(col("unit_id").big_integer().not_null())
                // `draft`, `submitted`, `returned` or `approved`.
                .col(col("status").string().not_null())
                // The figures at the period's end, frozen when the report is first saved
                // (JSON: the lines as printed).
                .col(col("figures").text().not_null())
                .col(col("done_text").text().not_null())
                .col(col("difficulties").text().not_null())
                .col(col("proposals").text().not_null())
                .col(col("submitted_at").timestamp_with_time_zone().null())
                .col(col("updated_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("period_report", "period_id", "report_period"))
                .foreign_key(&mut fk("period_report", "unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_period_report_unit")
                .table(a("period_report"))
                .col(a("period_id"))
                .col(a("unit_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("period_report_step"))
                .col(pk_auto(b, a("id")))
                .col(col("report_id").big_integer().not_null())
                // `saved`, `submitted`, `returned`, `approved`.
                .col(col("action").string().not_null())
                .col(col("comment").text().not_null())
                .col(col("by_id").big_integer().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("period_report_step", "report_id", "period_report"))
                .foreign_key(&mut fk("period_report_step", "by_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_period_report_step_report")
                .table(a("period_report_step"))
                .col(a("report_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["period_report_step", "period_report", "report_period"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
