use super::*;

/// Counts imported from outside (e.g. people confirmed on VNeID, from the provincial police):
/// one import per indicator, group and date (`as_of`) with its source, and its rows per unit.
/// A later import for the same date replaces the earlier one.
pub struct CountImports;

impl MigrationName for CountImports {
    fn name(&self) -> &str {
        "m20261125_000005_count_imports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CountImports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("count_import"))
                .col(pk_auto(b, a("id")))
                .col(col("indicator_code").string().not_null())
                .col(col("group_code").string().not_null())
                .col(col("as_of").date().not_null())
                .col(col("source").string().not_null())
                .col(col("imported_by").big_integer().null())
                .col(col("imported_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("count_import", "imported_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_count_import_date")
                .table(a("count_import"))
                .col(a("indicator_code"))
                .col(a("group_code"))
                .col(a("as_of"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("count_import_row"))
                .col(col("import_id").big_integer().not_null())
                .col(col("unit_id").big_integer().not_null())
                .col(col("people").big_integer().not_null())
                .primary_key(Index::create().col(a("import_id")).col(a("unit_id")))
                .foreign_key(&mut fk("count_import_row", "import_id", "count_import"))
                .foreign_key(&mut fk("count_import_row", "unit_id", "org_unit"))
                .to_owned(),
        )
        .await
    }
}
