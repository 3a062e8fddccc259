use super::*;

/// A class's completion rule may also ask for the course's quiz to be passed
/// (`training_class.needs_quiz`): attended enough sessions **and** passed the quiz.
pub struct ClassQuizRule;

impl MigrationName for ClassQuizRule {
    fn name(&self) -> &str {
        "m20261209_000002_class_quiz_rule"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ClassQuizRule {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("training_class"))
                .add_column(col("needs_quiz").boolean().not_null().default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("training_class"))
                .drop_column(a("needs_quiz"))
                .to_owned(),
        )
        .await
    }
}
