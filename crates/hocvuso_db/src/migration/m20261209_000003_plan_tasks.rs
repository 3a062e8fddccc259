use super::*;

/// The plan's tasks (section III of the plan, and tasks the province adds for a later year,
/// `plan_task`), their dated progress notes (`plan_update`: status, note, who, when) and the
/// evidence files of a note (`plan_file`).
pub struct PlanTasks;

impl MigrationName for PlanTasks {
    fn name(&self) -> &str {
        "m20261209_000003_plan_tasks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for PlanTasks {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("plan_task"))
                .col(pk_auto(b, a("id")))
                // "1", "4.1", … as the plan numbers them; unique within a plan year.
                .col(col("code").string().not_null())
                .col(col("plan_year").integer().not_null())
                .col(col("title").string().not_null())
                .col(col("body").text().not_null())
                // The lead and coordinating agencies as the plan names them.
                .col(col("lead").string().not_null())
                .col(col("coordinating").string().not_null())
                .col(col("timing").string().not_null())
                .col(col("starts_on").date().not_null())
                // None: an ongoing task (“thường xuyên”).
                .col(col("due_on").date().null())
                // The unit whose officers record its progress (besides the province).
                .col(col("lead_unit_id").big_integer().null())
                .col(col("position").integer().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("plan_task", "lead_unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_plan_task_code")
                .table(a("plan_task"))
                .col(a("plan_year"))
                .col(a("code"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("plan_update"))
                .col(pk_auto(b, a("id")))
                .col(col("task_id").big_integer().not_null())
                // `not_started`, `on_track`, `behind` or `done`.
                .col(col("status").string().not_null())
                .col(col("note").text().not_null())
                // The day the note is about.
                .col(col("happened_on").date().not_null())
                .col(col("by_id").big_integer().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("plan_update", "task_id", "plan_task"))
                .foreign_key(&mut fk("plan_update", "by_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_plan_update_task")
                .table(a("plan_update"))
                .col(a("task_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("plan_file"))
                .col(pk_auto(b, a("id")))
                .col(col("update_id").big_integer().not_null())
                .col(col("file_name").string().not_null())
                .col(col("content_type").string().not_null())
                .col(col("size").big_integer().not_null())
                .col(col("bytes").blob().not_null())
                .foreign_key(&mut fk("plan_file", "update_id", "plan_update"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_plan_file_update")
                .table(a("plan_file"))
                .col(a("update_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["plan_file", "plan_update", "plan_task"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
