use super::*;

/// Reminders and the durable send queue: `reminder` (one officer's or one schedule's send to
/// the people of a unit who have not finished), `outbox` (one row per recipient: the queue the
/// senders claim, the delivery log, and the person's in-app notification), `reminder_schedule`
/// (the province's weekly reminders) and `reminder_opt_out` (people who asked for none).
pub struct Reminders;

impl MigrationName for Reminders {
    fn name(&self) -> &str {
        "m20261211_000001_reminders"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Reminders {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("reminder_schedule"))
                .col(pk_auto(b, a("id")))
                .col(col("unit_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("body").string().not_null())
                .col(col("weekday").integer().not_null())
                .col(col("hour").integer().not_null())
                .col(col("only_below_target").boolean().not_null())
                .col(col("active").boolean().not_null())
                .col(col("next_run_at").timestamp_with_time_zone().not_null())
                .col(col("created_by").big_integer().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("reminder_schedule", "unit_id", "org_unit"))
                .foreign_key(&mut fk("reminder_schedule", "created_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("reminder"))
                .col(pk_auto(b, a("id")))
                .col(col("unit_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("body").string().not_null())
                .col(col("recipients").big_integer().not_null())
                .col(col("send_after").timestamp_with_time_zone().not_null())
                .col(col("schedule_id").big_integer().null())
                .col(col("created_by").big_integer().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("reminder", "unit_id", "org_unit"))
                .foreign_key(&mut fk("reminder", "schedule_id", "reminder_schedule"))
                .foreign_key(&mut fk("reminder", "created_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("outbox"))
                .col(pk_auto(b, a("id")))
                .col(col("reminder_id").big_integer().not_null())
                .col(col("person_id").big_integer().not_null())
                .col(col("status").string().not_null())
                .col(col("attempts").integer().not_null())
                .col(col("next_at").timestamp_with_time_zone().not_null())
                .col(col("lease_until").timestamp_with_time_zone().null())
                .col(col("sent_at").timestamp_with_time_zone().null())
                .col(col("error").string().null())
                .col(col("queued_at").timestamp_with_time_zone().not_null())
                .col(col("read_at").timestamp_with_time_zone().null())
                .foreign_key(&mut fk("outbox", "reminder_id", "reminder"))
                .foreign_key(&mut fk("outbox", "person_id", "person"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_outbox_due", &["status", "next_at"][..]),
            ("ix_outbox_person", &["person_id", "queued_at"][..]),
            ("ix_outbox_reminder", &["reminder_id", "status"][..]),
        ] {
            let mut ix = Index::create();
            ix.name(name).table(a("outbox"));
            for c in cols {
                ix.col(Alias::new(*c));
            }
            m.create_index(ix.to_owned()).await?;
        }
        m.create_index(
            Index::create()
                .name("ix_reminder_unit")
                .table(a("reminder"))
                .col(a("unit_id"))
                .col(a("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("reminder_opt_out"))
                .col(col("person_id").big_integer().not_null().primary_key())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("reminder_opt_out", "person_id", "person"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "reminder_opt_out",
            "outbox",
            "reminder",
            "reminder_schedule",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
