use super::*;

/// Questions with several right options ("chọn tất cả phương án đúng"): the question's kind,
/// and every option an answer chose (the first also stays in `chosen_option_id`).
pub struct QuestionKinds;

impl MigrationName for QuestionKinds {
    fn name(&self) -> &str {
        "m20261205_000003_question_kinds"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for QuestionKinds {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("question"))
                // 'single' (one right option) or 'multiple' (all the right ones, no wrong one).
                .add_column(col("kind").string().not_null().default("single"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("attempt_question"))
                // The chosen option ids, comma-separated ('' for rows from before).
                .add_column(col("chosen_ids").string().not_null().default(""))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
