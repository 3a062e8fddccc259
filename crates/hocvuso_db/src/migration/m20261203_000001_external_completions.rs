use super::*;

/// Courses taken elsewhere (the national platform binhdanhocvuso.gov.vn): a course may carry
/// the address where it is taught and the shipped course it counts as; completions may come
/// from an import of results (per person, by citizen ID), recorded whole.
pub struct ExternalCompletions;

impl MigrationName for ExternalCompletions {
    fn name(&self) -> &str {
        "m20261203_000001_external_completions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ExternalCompletions {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.alter_table(
            Table::alter()
                .table(a("course"))
                .add_column(col("external_url").string().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("course"))
                .add_column(col("counts_as_id").big_integer().null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("completion_import"))
                .col(pk_auto(b, a("id")))
                .col(col("actor_id").big_integer().null())
                .col(col("course_id").big_integer().not_null())
                .col(col("source").string().not_null())
                .col(col("file_name").string().not_null())
                .col(col("sha256").string().not_null())
                .col(col("rows").big_integer().not_null())
                .col(col("added").big_integer().not_null())
                .col(col("unchanged").big_integer().not_null())
                .col(col("skipped").big_integer().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("completion_import", "actor_id", "person"))
                .foreign_key(&mut fk("completion_import", "course_id", "course"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("course_completion"))
                .add_column(col("import_id").big_integer().null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
