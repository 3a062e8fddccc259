use super::*;

/// An attempt keeps its question list in its own row from the start (`question_ids`, the
/// question ids in the order given, comma-separated); the per-question rows
/// (`attempt_question`) are written when the attempt is submitted. A start then writes one row
/// instead of one per question. Attempts started before this migration keep their rows and an
/// empty `question_ids`; readers fall back to the rows.
pub struct AttemptQuestionList;

impl MigrationName for AttemptQuestionList {
    fn name(&self) -> &str {
        "m20261125_000002_attempt_question_list"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AttemptQuestionList {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("quiz_attempt"))
                .add_column(col("question_ids").string().not_null().default(""))
                .to_owned(),
        )
        .await
    }
}
