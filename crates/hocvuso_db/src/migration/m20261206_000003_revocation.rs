use super::*;

/// A revocation takes the achievement back (issue 23): the completion a revoked certificate
/// attests moves to `withdrawn_completion` (kept whole, so that undoing the revocation puts it
/// back as it was), and the reason is private unless the province chooses to publish it
/// (`certificate.revoke_reason_public`).
pub struct Revocation;

impl MigrationName for Revocation {
    fn name(&self) -> &str {
        "m20261206_000003_revocation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Revocation {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("certificate"))
                .add_column(
                    col("revoke_reason_public")
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("withdrawn_completion"))
                .col(col("certificate_id").big_integer().not_null().primary_key())
                .col(col("person_id").big_integer().not_null())
                .col(col("course_id").big_integer().not_null())
                .col(col("attempt_id").big_integer().null())
                .col(col("completed_at").timestamp_with_time_zone().not_null())
                .col(col("import_id").big_integer().null())
                .foreign_key(&mut fk(
                    "withdrawn_completion",
                    "certificate_id",
                    "certificate",
                ))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("withdrawn_completion")).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(a("certificate"))
                .drop_column(a("revoke_reason_public"))
                .to_owned(),
        )
        .await
    }
}
