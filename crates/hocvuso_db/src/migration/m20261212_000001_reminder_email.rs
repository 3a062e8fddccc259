use super::*;

/// Reminders by email: `reminder_email` keeps the address a person gave on their own page
/// to receive reminders by email instead of text messages (giving it is the consent; removing
/// it ends it), and `outbox.channel` says how each queued message goes (`sms` or `email`),
/// decided when it is queued so that the quiet hours (text messages only) hold back only
/// text messages.
pub struct ReminderEmail;

impl MigrationName for ReminderEmail {
    fn name(&self) -> &str {
        "m20261212_000001_reminder_email"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ReminderEmail {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("reminder_email"))
                .col(col("person_id").big_integer().not_null().primary_key())
                .col(col("email").string().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("reminder_email", "person_id", "person"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("outbox"))
                .add_column(col("channel").string().not_null().default("sms"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
