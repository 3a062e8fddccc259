use super::*;

/// Rosters and account recovery: a person's citizen ID (unique when known), gender and birth
/// date (`yyyy-mm-dd`, or `yyyy` when only the year is known); each applied roster import;
/// uploads waiting for the officer to confirm their dry run (kept in the database so that any
/// server process can apply them); a password set by staff that must be changed at the next
/// login; one-time codes sent by SMS (hashed); the consent a resident gave a helper who
/// registered them; the support log of the community digital technology teams (`day` as
/// `yyyy-mm-dd` in Vietnam); units merged into another (`merged_into_id`) and the history of
/// changes to the org tree.
pub struct Roster;

impl MigrationName for Roster {
    fn name(&self) -> &str {
        "m20261125_000007_roster"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Roster {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        // One column per statement: SQLite alters one column at a time.
        for c in ["citizen_id", "gender", "birth_date"] {
            m.alter_table(
                Table::alter()
                    .table(a("person"))
                    .add_column(col(c).string().null())
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("person_citizen_id")
                .table(a("person"))
                .col(a("citizen_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("roster_import"))
                .col(pk_auto(b, a("id")))
                .col(col("actor_id").big_integer().null())
                .col(col("scope_unit_id").big_integer().not_null())
                .col(col("file_name").string().not_null())
                .col(col("sha256").string().not_null())
                .col(col("rows").big_integer().not_null())
                .col(col("added").big_integer().not_null())
                .col(col("updated").big_integer().not_null())
                .col(col("moved").big_integer().not_null())
                .col(col("unchanged").big_integer().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("roster_import", "actor_id", "person"))
                .foreign_key(&mut fk("roster_import", "scope_unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("account"))
                .add_column(
                    col("must_change_password")
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("otp_code"))
                .col(pk_auto(b, a("id")))
                .col(col("person_id").big_integer().not_null())
                .col(col("code_hash").string().not_null())
                .col(col("expires_at").timestamp_with_time_zone().not_null())
                .col(col("attempts").integer().not_null().default(0))
                .col(col("used").boolean().not_null().default(false))
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("otp_code", "person_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_otp_code_person")
                .table(a("otp_code"))
                .col(a("person_id"))
                .col(a("created_at"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("org_unit"))
                .add_column(col("merged_into_id").big_integer().null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("org_change"))
                .col(pk_auto(b, a("id")))
                .col(col("unit_id").big_integer().not_null())
                .col(col("action").string().not_null())
                .col(col("old_value").string().not_null())
                .col(col("new_value").string().not_null())
                .col(col("actor_id").big_integer().null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("org_change", "unit_id", "org_unit"))
                .foreign_key(&mut fk("org_change", "actor_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("consent"))
                .col(pk_auto(b, a("id")))
                .col(col("person_id").big_integer().not_null())
                .col(col("recorded_by").big_integer().not_null())
                .col(col("text").string().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("consent", "person_id", "person"))
                .foreign_key(&mut fk("consent", "recorded_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("support_log"))
                .col(pk_auto(b, a("id")))
                .col(col("helper_id").big_integer().not_null())
                .col(col("unit_id").big_integer().not_null())
                .col(col("person_id").big_integer().null())
                .col(col("topic").string().not_null())
                .col(col("place").string().not_null())
                .col(col("day").string().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("support_log", "helper_id", "person"))
                .foreign_key(&mut fk("support_log", "unit_id", "org_unit"))
                .foreign_key(&mut fk("support_log", "person_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_support_log_unit_day")
                .table(a("support_log"))
                .col(a("unit_id"))
                .col(a("day"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("pending_upload"))
                .col(col("token").string().not_null().primary_key())
                .col(col("actor_id").big_integer().not_null())
                .col(col("kind").string().not_null())
                .col(col("file_name").string().not_null())
                .col(col("bytes").blob().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("pending_upload", "actor_id", "person"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
