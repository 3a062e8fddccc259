use super::*;

/// Training classes (the plan's task 4: AI and innovation for officials, village classes of the
/// community teams): a class teaches a course (`training_class`), meets in sessions
/// (`training_session`, each with a secret for its changing attendance code), takes places
/// (`training_place`: registered, waiting or cancelled; one per person and class) and records
/// who was there (`training_attendance`: one per person and session, by QR code or on the list).
pub struct Training;

impl MigrationName for Training {
    fn name(&self) -> &str {
        "m20261208_000002_training"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Training {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("training_class"))
                .col(pk_auto(b, a("id")))
                .col(col("unit_id").big_integer().not_null())
                .col(col("course_id").big_integer().not_null())
                .col(col("title").string().not_null())
                // Target group codes, comma-separated ("" for everyone under the unit).
                .col(col("groups").string().not_null())
                .col(col("capacity").integer().not_null())
                .col(col("trainer").string().not_null())
                // Completed when at least this share of the sessions (percent) was attended.
                .col(col("min_attendance").integer().not_null())
                .col(col("created_by").big_integer().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("training_class", "unit_id", "org_unit"))
                .foreign_key(&mut fk("training_class", "course_id", "course"))
                .foreign_key(&mut fk("training_class", "created_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("training_session"))
                .col(pk_auto(b, a("id")))
                .col(col("class_id").big_integer().not_null())
                .col(col("starts_at").timestamp_with_time_zone().not_null())
                .col(col("ends_at").timestamp_with_time_zone().not_null())
                .col(col("place").string().not_null())
                .col(col("secret").string().not_null())
                .foreign_key(&mut fk("training_session", "class_id", "training_class"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_training_session_class")
                .table(a("training_session"))
                .col(a("class_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("training_place"))
                .col(pk_auto(b, a("id")))
                .col(col("class_id").big_integer().not_null())
                .col(col("person_id").big_integer().not_null())
                // `registered`, `waiting` or `cancelled`.
                .col(col("status").string().not_null())
                .col(col("enrolled_by").big_integer().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                // When the class's rule was met (and the course completed through it).
                .col(col("completed_at").timestamp_with_time_zone().null())
                .foreign_key(&mut fk("training_place", "class_id", "training_class"))
                .foreign_key(&mut fk("training_place", "person_id", "person"))
                .foreign_key(&mut fk("training_place", "enrolled_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_training_place_class_person")
                .table(a("training_place"))
                .col(a("class_id"))
                .col(a("person_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_training_place_person")
                .table(a("training_place"))
                .col(a("person_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("training_attendance"))
                .col(pk_auto(b, a("id")))
                .col(col("session_id").big_integer().not_null())
                .col(col("person_id").big_integer().not_null())
                // `qr` (the learner scanned or typed the code) or `list` (ticked by the trainer).
                .col(col("how").string().not_null())
                .col(col("by_id").big_integer().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk(
                    "training_attendance",
                    "session_id",
                    "training_session",
                ))
                .foreign_key(&mut fk("training_attendance", "person_id", "person"))
                .foreign_key(&mut fk("training_attendance", "by_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_training_attendance_session_person")
                .table(a("training_attendance"))
                .col(a("session_id"))
                .col(a("person_id"))
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "training_attendance",
            "training_place",
            "training_session",
            "training_class",
        ] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
