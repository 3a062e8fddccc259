use super::*;

/// Quizzes that draw some questions of a bank per attempt; the competence codes (Thông tư
/// 02/2025/TT-BGDĐT) of lessons and questions, space-separated; the keys that sign
/// certificates as credentials; why a certificate was revoked.
pub struct QuizDrawCompetences;

impl MigrationName for QuizDrawCompetences {
    fn name(&self) -> &str {
        "m20261204_000001_quizzes_competences_credentials"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for QuizDrawCompetences {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("course"))
                .add_column(col("quiz_draw").integer().null())
                .to_owned(),
        )
        .await?;
        for table in ["lesson", "question"] {
            m.alter_table(
                Table::alter()
                    .table(a(table))
                    .add_column(col("competences").string().not_null().default(""))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(a("certificate"))
                .add_column(col("revoke_reason").string().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("certificate"))
                .add_column(col("revoked_by").big_integer().null())
                .to_owned(),
        )
        .await?;
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("issuer_key"))
                .col(pk_auto(b, a("id")))
                // The did:key of the public key, as credentials name their issuer.
                .col(col("did").string().not_null().unique_key())
                // The Ed25519 secret key (32 bytes), hex.
                .col(col("secret_hex").string().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                // Set when a newer key signs; old keys still verify what they signed.
                .col(col("retired_at").timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
