use super::*;

/// Files attached to a unit's periodic report (`period_report_file`: minutes, photos, the
/// unit's own signed report as PDF), checked like other evidence files.
pub struct ReportFiles;

impl MigrationName for ReportFiles {
    fn name(&self) -> &str {
        "m20261210_000002_report_files"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ReportFiles {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("period_report_file"))
                .col(pk_auto(b, a("id")))
                .col(col("report_id").big_integer().not_null())
                .col(col("file_name").string().not_null())
                .col(col("content_type").string().not_null())
                .col(col("size").big_integer().not_null())
                .col(col("bytes").blob().not_null())
                .col(col("by_id").big_integer().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("period_report_file", "report_id", "period_report"))
                .foreign_key(&mut fk("period_report_file", "by_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_period_report_file_report")
                .table(a("period_report_file"))
                .col(a("report_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("period_report_file")).to_owned())
            .await?;
        Ok(())
    }
}
