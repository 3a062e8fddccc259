use super::*;

/// Quizzes that draw a set number of questions per competence (`quiz_draw_by`: `4.2=4 2.3=2`).
pub struct DrawByCompetence;

impl MigrationName for DrawByCompetence {
    fn name(&self) -> &str {
        "m20261205_000004_draw_by_competence"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for DrawByCompetence {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("course"))
                .add_column(col("quiz_draw_by").string().not_null().default(""))
                .to_owned(),
        )
        .await
    }
}
