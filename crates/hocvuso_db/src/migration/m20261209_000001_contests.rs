use super::*;

/// Contests (the plan's task 1): a contest (`contest`) of one or more rounds
/// (`contest_round`, each drawing its questions from a course's bank, open between two
/// times, with a prediction question); the people who joined it and the unit they enter for
/// (`contest_entrant`, one per person and contest); each attempt at a round
/// (`contest_entry`, one per person, round and attempt number: the database refuses a
/// second); the prizes the organiser sets (`contest_prize`) and the winners confirmed
/// (`contest_award`).
pub struct Contests;

impl MigrationName for Contests {
    fn name(&self) -> &str {
        "m20261209_000001_contests"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Contests {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("contest"))
                .col(pk_auto(b, a("id")))
                .col(col("unit_id").big_integer().not_null())
                .col(col("title").string().not_null())
                .col(col("description").text().not_null())
                // Who may enter: unit codes (each with the units under it), comma-separated,
                // and target group codes; "" for anyone.
                .col(col("audience_units").string().not_null())
                .col(col("audience_groups").string().not_null())
                .col(col("created_by").big_integer().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("contest", "unit_id", "org_unit"))
                .foreign_key(&mut fk("contest", "created_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("contest_round"))
                .col(pk_auto(b, a("id")))
                .col(col("contest_id").big_integer().not_null())
                .col(col("number").integer().not_null())
                .col(col("title").string().not_null())
                .col(col("opens_at").timestamp_with_time_zone().not_null())
                .col(col("closes_at").timestamp_with_time_zone().not_null())
                .col(col("course_id").big_integer().not_null())
                .col(col("question_count").integer().not_null())
                // Questions per competence (`4.2=4 2.3=2`), as for a course's quiz.
                .col(col("draw_by").string().not_null())
                .col(col("minutes").integer().not_null())
                // How many attempts a person may make (the best one counts).
                .col(col("attempts").integer().not_null())
                .col(col("prediction").string().not_null())
                // Set once, when the ranking is first computed after the round closed.
                .col(col("all_right").big_integer().null())
                .col(col("digest").string().null())
                .col(col("ranked_at").timestamp_with_time_zone().null())
                .foreign_key(&mut fk("contest_round", "contest_id", "contest"))
                .foreign_key(&mut fk("contest_round", "course_id", "course"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_contest_round_number")
                .table(a("contest_round"))
                .col(a("contest_id"))
                .col(a("number"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("contest_entrant"))
                .col(pk_auto(b, a("id")))
                .col(col("contest_id").big_integer().not_null())
                .col(col("person_id").big_integer().not_null())
                // The commune or agency the person enters for (unit leaderboards).
                .col(col("unit_id").big_integer().not_null())
                .col(col("joined_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("contest_entrant", "contest_id", "contest"))
                .foreign_key(&mut fk("contest_entrant", "person_id", "person"))
                .foreign_key(&mut fk("contest_entrant", "unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_contest_entrant_person")
                .table(a("contest_entrant"))
                .col(a("contest_id"))
                .col(a("person_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("contest_entry"))
                .col(pk_auto(b, a("id")))
                .col(col("round_id").big_integer().not_null())
                .col(col("person_id").big_integer().not_null())
                .col(col("attempt_no").integer().not_null())
                // The drawn question ids, comma-separated, in the order shown.
                .col(col("questions").text().not_null())
                .col(col("started_at").timestamp_with_time_zone().not_null())
                .col(col("deadline_at").timestamp_with_time_zone().not_null())
                .col(col("submitted_at").timestamp_with_time_zone().null())
                // `question:option+option;…` as submitted.
                .col(col("answers").text().null())
                .col(col("right_count").integer().null())
                .col(col("total").integer().not_null())
                .col(col("prediction").big_integer().null())
                .col(col("time_ms").big_integer().null())
                .foreign_key(&mut fk("contest_entry", "round_id", "contest_round"))
                .foreign_key(&mut fk("contest_entry", "person_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_contest_entry_attempt")
                .table(a("contest_entry"))
                .col(a("round_id"))
                .col(a("person_id"))
                .col(a("attempt_no"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("contest_prize"))
                .col(pk_auto(b, a("id")))
                .col(col("contest_id").big_integer().not_null())
                // `person` or `unit`.
                .col(col("kind").string().not_null())
                .col(col("position").integer().not_null())
                .col(col("label").string().not_null())
                .col(col("winners").integer().not_null())
                .foreign_key(&mut fk("contest_prize", "contest_id", "contest"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_contest_prize_contest")
                .table(a("contest_prize"))
                .col(a("contest_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("contest_award"))
                .col(pk_auto(b, a("id")))
                .col(col("contest_id").big_integer().not_null())
                .col(col("prize_id").big_integer().not_null())
                .col(col("person_id").big_integer().null())
                .col(col("unit_id").big_integer().null())
                // The winner's place in the ranking the award was made from.
                .col(col("place").integer().not_null())
                .col(col("confirmed_by").big_integer().not_null())
                .col(col("confirmed_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("contest_award", "contest_id", "contest"))
                .foreign_key(&mut fk("contest_award", "prize_id", "contest_prize"))
                .foreign_key(&mut fk("contest_award", "person_id", "person"))
                .foreign_key(&mut fk("contest_award", "unit_id", "org_unit"))
                .foreign_key(&mut fk("contest_award", "confirmed_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_contest_award_contest")
                .table(a("contest_award"))
                .col(a("contest_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_contest_award_person")
                .table(a("contest_award"))
                .col(a("person_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "contest_award",
            "contest_prize",
            "contest_entry",
            "contest_entrant",
            "contest_round",
            "contest",
        ] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
