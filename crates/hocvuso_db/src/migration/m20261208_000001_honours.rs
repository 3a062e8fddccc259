use super::*;

/// Honours (the plan's task 1): a unit proposes an individual or a collective for an
/// initiative or a good practice (`honour_proposal`), with evidence files (`honour_file`); the
/// province returns, accepts or declines, and every step is kept (`honour_step`).
pub struct Honours;

impl MigrationName for Honours {
    fn name(&self) -> &str {
        "m20261208_000001_honours"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Honours {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("honour_proposal"))
                .col(pk_auto(b, a("id")))
                // The proposing unit: its officers (and those above) see and edit the proposal.
                .col(col("unit_id").big_integer().not_null())
                // `individual` or `collective`.
                .col(col("kind").string().not_null())
                .col(col("nominee").string().not_null())
                .col(col("title").string().not_null())
                .col(col("description").text().not_null())
                .col(col("year").integer().not_null())
                // `submitted`, `returned`, `accepted` or `declined`.
                .col(col("status").string().not_null())
                .col(col("created_by").big_integer().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .col(col("updated_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("honour_proposal", "unit_id", "org_unit"))
                .foreign_key(&mut fk("honour_proposal", "created_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_honour_proposal_status_year")
                .table(a("honour_proposal"))
                .col(a("status"))
                .col(a("year"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("honour_step"))
                .col(pk_auto(b, a("id")))
                .col(col("proposal_id").big_integer().not_null())
                // `submitted`, `returned`, `resubmitted`, `accepted`, `declined`, `file_added`.
                .col(col("action").string().not_null())
                .col(col("comment").text().not_null())
                .col(col("by_id").big_integer().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("honour_step", "proposal_id", "honour_proposal"))
                .foreign_key(&mut fk("honour_step", "by_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_honour_step_proposal")
                .table(a("honour_step"))
                .col(a("proposal_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("honour_file"))
                .col(pk_auto(b, a("id")))
                .col(col("proposal_id").big_integer().not_null())
                .col(col("file_name").string().not_null())
                .col(col("content_type").string().not_null())
                .col(col("size").big_integer().not_null())
                .col(col("bytes").blob().not_null())
                .col(col("added_by").big_integer().not_null())
                .col(col("added_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("honour_file", "proposal_id", "honour_proposal"))
                .foreign_key(&mut fk("honour_file", "added_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_honour_file_proposal")
                .table(a("honour_file"))
                .col(a("proposal_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["honour_file", "honour_step", "honour_proposal"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
