use super::*;

/// Closing what an outside review found (issue 16): failed logins counted per phone number and
/// client (`login_throttle`: a client that guesses locks only itself, with a growing back-off);
/// codes sent by SMS keyed by phone number (`phone_code`: for registration and password reset,
/// limited the same whether or not the number has an account); whether and how a person's
/// identity was confirmed (`confirmed_via`: roster, assisted, staff; NULL for a
/// self-registration), and the live counts of unconfirmed people kept beside the confirmed
/// ones (`unconfirmed`); requests to transfer a person between units.
pub struct Security;

impl MigrationName for Security {
    fn name(&self) -> &str {
        "m20261206_000001_security"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Security {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("login_throttle"))
                // `phone|client`: the phone number typed and the client (a device cookie's id,
                // else the address).
                .col(col("key").string().not_null().primary_key())
                .col(col("failures").integer().not_null().default(0))
                .col(col("locks").integer().not_null().default(0))
                .col(col("locked_until").timestamp_with_time_zone().null())
                .col(col("updated_at").timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("phone_code"))
                .col(pk_auto(b, a("id")))
                .col(col("phone").string().not_null())
                // 'register' or 'reset'.
                .col(col("purpose").string().not_null())
                .col(col("code_hash").string().not_null())
                .col(col("attempts").integer().not_null().default(0))
                .col(col("used").boolean().not_null().default(false))
                .col(col("expires_at").timestamp_with_time_zone().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_phone_code_phone")
                .table(a("phone_code"))
                .col(a("phone"))
                .col(a("created_at"))
                .to_owned(),
        )
        .await?;
        for (table, column) in [
            ("person", col("confirmed_via").string().null().to_owned()),
            (
                "person",
                col("confirmed_at")
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
            ),
            (
                "indicator_count",
                col("unconfirmed")
                    .big_integer()
                    .not_null()
                    .default(0)
                    .to_owned(),
            ),
            (
                "indicator_week",
                col("unconfirmed")
                    .big_integer()
                    .not_null()
                    .default(0)
                    .to_owned(),
            ),
        ] {
            m.alter_table(Table::alter().table(a(table)).add_column(column).to_owned())
                .await?;
        }
        // Everyone known before this version was put in by an officer (rosters, the demo),
        // registered by a helper, or is staff — except people who registered themselves and
        // were never matched to a roster by citizen ID: those stay unconfirmed, and their
        // achievements move to the unconfirmed counts.
        let conn = m.get_connection();
        conn.execute_unprepared(
            "UPDATE person SET confirmed_via = 'roster', confirmed_at = created_at \
             WHERE citizen_id IS NOT NULL \
                OR NOT EXISTS (SELECT 1 FROM account c WHERE c.person_id = person.id)",
        )
        .await?;
        conn.execute_unprepared(
            "UPDATE person SET confirmed_via = 'assisted', confirmed_at = created_at \
             WHERE confirmed_via IS NULL \
               AND EXISTS (SELECT 1 FROM consent c WHERE c.person_id = person.id)",
        )
        .await?;
        conn.execute_unprepared(
            "UPDATE person SET confirmed_via = 'staff', confirmed_at = created_at \
             WHERE confirmed_via IS NULL \
               AND EXISTS (SELECT 1 FROM role_grant r WHERE r.person_id = person.id \
                           AND r.role <> 'learner')",
        )
        .await?;
        crate::repo::stats::split_unconfirmed(conn).await?;
        m.create_table(
            Table::create()
                .table(a("transfer_request"))
                .col(pk_auto(b, a("id")))
                .col(col("person_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("to_unit_id").big_integer().not_null())
                .col(col("requested_by").big_integer().not_null())
                .col(col("requested_at").timestamp_with_time_zone().not_null())
                // 'pending', 'approved' or 'refused'.
                .col(col("status").string().not_null().default("pending"))
                .col(col("decided_by").big_integer().null())
                .col(col("decided_at").timestamp_with_time_zone().null())
                .col(col("note").string().not_null().default(""))
                .foreign_key(&mut fk("transfer_request", "person_id", "person"))
                .foreign_key(&mut fk("transfer_request", "to_unit_id", "org_unit"))
                .foreign_key(&mut fk("transfer_request", "requested_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_transfer_request_status")
                .table(a("transfer_request"))
                .col(a("status"))
                .col(a("person_id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
