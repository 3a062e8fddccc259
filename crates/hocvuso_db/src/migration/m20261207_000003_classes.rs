use super::*;

/// A pupil's class at their school (`membership.class_name`, e.g. "6A1"), from the class lists
/// a school imports: the school's page shows its progress class by class.
pub struct Classes;

impl MigrationName for Classes {
    fn name(&self) -> &str {
        "m20261207_000003_classes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Classes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("membership"))
                .add_column(col("class_name").string().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("membership"))
                .drop_column(a("class_name"))
                .to_owned(),
        )
        .await
    }
}
