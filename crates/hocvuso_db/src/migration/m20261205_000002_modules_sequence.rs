use super::*;

/// Lessons grouped in modules (consecutive lessons with the same module title); courses whose
/// lessons open one after another (`sequential`) and whose quiz opens only once every lesson is
/// read (`require_lessons`).
pub struct ModulesSequence;

impl MigrationName for ModulesSequence {
    fn name(&self) -> &str {
        "m20261205_000002_modules_sequence"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ModulesSequence {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            col("sequential")
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            col("require_lessons")
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(a("course"))
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(a("lesson"))
                .add_column(col("module").string().not_null().default(""))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
