use super::*;

/// Every change of the courses a group requires (the province's rule of what counts as
/// "digital skills" for that group): who, when, why, the courses before and after, and what
/// the recount changed.
pub struct RequirementHistory;

impl MigrationName for RequirementHistory {
    fn name(&self) -> &str {
        "m20261207_000002_requirement_history"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for RequirementHistory {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("requirement_change"))
                .col(pk_auto(b, a("id")))
                .col(col("group_code").string().not_null())
                // Course slugs, comma-separated, in the order shown.
                .col(col("courses_before").text().not_null())
                .col(col("courses_after").text().not_null())
                .col(col("reason").text().not_null())
                .col(col("gained").big_integer().not_null())
                .col(col("lost").big_integer().not_null())
                .col(col("redated").big_integer().not_null())
                .col(col("changed_by").big_integer().null())
                .col(col("changed_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("requirement_change", "changed_by", "person"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("requirement_change")).to_owned())
            .await
    }
}
