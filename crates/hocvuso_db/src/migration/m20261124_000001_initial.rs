use super::*;

pub struct Initial;

impl MigrationName for Initial {
    fn name(&self) -> &str {
        "m20261124_000001_initial"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Initial {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();

        m.create_table(
            Table::create()
                .table(a("org_unit"))
                .col(pk_auto(b, a("id")))
                .col(col("code").string().not_null().unique_key())
                .col(col("name").string().not_null())
                .col(col("kind").string().not_null())
                .col(col("commune_type").string().null())
                .col(col("parent_id").big_integer().null())
                .col(col("path").string().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("org_unit", "parent_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_org_unit_parent")
                .table(a("org_unit"))
                .col(a("parent_id"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("setting"))
                .col(col("key").string().not_null().primary_key())
                .col(col("value").text().not_null())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("target_group"))
                .col(col("code").string().not_null().primary_key())
                .col(col("name_vi").string().not_null())
                .col(col("sort_order").integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("indicator"))
                .col(col("code").string().not_null().primary_key())
                .col(col("name_vi").string().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("target"))
                .col(col("year").integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("indicator_code").string().not_null())
                .col(col("percent").integer().not_null())
                .primary_key(
                    Index::create()
                        .col(a("year"))
                        .col(a("group_code"))
                        .col(a("indicator_code")),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("denominator"))
                .col(col("year").integer().not_null())
                .col(col("unit_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("people").big_integer().not_null())
                .col(col("source").string().not_null())
                .col(col("updated_at").timestamp_with_time_zone().not_null())
                .primary_key(
                    Index::create()
                        .col(a("year"))
                        .col(a("unit_id"))
                        .col(a("group_code")),
                )
                .foreign_key(&mut fk("denominator", "unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("person"))
                .col(pk_auto(b, a("id")))
                .col(col("full_name").string().not_null())
                .col(col("phone").string().null().unique_key())
                .col(col("birth_year").integer().null())
                .col(col("residence_unit_id").big_integer().null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("person", "residence_unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("account"))
                .col(col("person_id").big_integer().not_null().primary_key())
                .col(col("password_hash").string().not_null())
                .col(col("failed_logins").integer().not_null().default(0))
                .col(col("locked_until").timestamp_with_time_zone().null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("account", "person_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("role_grant"))
                .col(pk_auto(b, a("id")))
                .col(col("person_id").big_integer().not_null())
                .col(col("role").string().not_null())
                .col(col("unit_id").big_integer().null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("role_grant", "person_id", "person"))
                .foreign_key(&mut fk("role_grant", "unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_role_grant_person")
                .table(a("role_grant"))
                .col(a("person_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("session"))
                .col(col("id_hash").string().not_null().primary_key())
                .col(col("person_id").big_integer().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .col(col("expires_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("session", "person_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_session_person")
                .table(a("session"))
                .col(a("person_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("membership"))
                .col(pk_auto(b, a("id")))
                .col(col("person_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("unit_id").big_integer().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("membership", "person_id", "person"))
                .foreign_key(&mut fk("membership", "unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_membership")
                .table(a("membership"))
                .col(a("person_id"))
                .col(a("group_code"))
                .col(a("unit_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_membership_unit_group")
                .table(a("membership"))
                .col(a("unit_id"))
                .col(a("group_code"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("course"))
                .col(pk_auto(b, a("id")))
                .col(col("slug").string().not_null().unique_key())
                .col(col("title").string().not_null())
                .col(col("summary").text().not_null())
                .col(col("level").string().not_null())
                .col(col("pass_percent").integer().not_null())
                .col(col("license").string().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("lesson"))
                .col(pk_auto(b, a("id")))
                .col(col("course_id").big_integer().not_null())
                .col(col("position").integer().not_null())
                .col(col("title").string().not_null())
                .col(col("body_md").text().not_null())
                .col(col("minutes").integer().not_null())
                .foreign_key(&mut fk("lesson", "course_id", "course"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_lesson_position")
                .table(a("lesson"))
                .col(a("course_id"))
                .col(a("position"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("question"))
                .col(pk_auto(b, a("id")))
                .col(col("course_id").big_integer().not_null())
                .col(col("position").integer().not_null())
                .col(col("prompt").text().not_null())
                .col(col("explanation").text().not_null())
                .foreign_key(&mut fk("question", "course_id", "course"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("question_option"))
                .col(pk_auto(b, a("id")))
                .col(col("question_id").big_integer().not_null())
                .col(col("position").integer().not_null())
                .col(col("body").text().not_null())
                .col(col("is_correct").boolean().not_null())
                .foreign_key(&mut fk("question_option", "question_id", "question"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_question_option_question")
                .table(a("question_option"))
                .col(a("question_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("group_course"))
                .col(col("group_code").string().not_null())
                .col(col("course_id").big_integer().not_null())
                .primary_key(Index::create().col(a("group_code")).col(a("course_id")))
                .foreign_key(&mut fk("group_course", "course_id", "course"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("lesson_progress"))
                .col(col("person_id").big_integer().not_null())
                .col(col("lesson_id").big_integer().not_null())
                .col(col("completed_at").timestamp_with_time_zone().not_null())
                .primary_key(Index::create().col(a("person_id")).col(a("lesson_id")))
                .foreign_key(&mut fk("lesson_progress", "person_id", "person"))
                .foreign_key(&mut fk("lesson_progress", "lesson_id", "lesson"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("quiz_attempt"))
                .col(pk_auto(b, a("id")))
                .col(col("person_id").big_integer().not_null())
                .col(col("course_id").big_integer().not_null())
                .col(col("started_at").timestamp_with_time_zone().not_null())
                .col(col("submitted_at").timestamp_with_time_zone().null())
                .col(col("question_count").integer().not_null())
                .col(col("correct_count").integer().null())
                .col(col("passed").boolean().null())
                .foreign_key(&mut fk("quiz_attempt", "person_id", "person"))
                .foreign_key(&mut fk("quiz_attempt", "course_id", "course"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_quiz_attempt_person")
                .table(a("quiz_attempt"))
                .col(a("person_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("attempt_question"))
                .col(col("attempt_id").big_integer().not_null())
                .col(col("question_id").big_integer().not_null())
                .col(col("position").integer().not_null())
                .col(col("chosen_option_id").big_integer().null())
                .col(col("is_correct").boolean().null())
                .primary_key(Index::create().col(a("attempt_id")).col(a("question_id")))
                .foreign_key(&mut fk("attempt_question", "attempt_id", "quiz_attempt"))
                .foreign_key(&mut fk("attempt_question", "question_id", "question"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("course_completion"))
                .col(col("person_id").big_integer().not_null())
                .col(col("course_id").big_integer().not_null())
                .col(col("attempt_id").big_integer().null())
                .col(col("completed_at").timestamp_with_time_zone().not_null())
                .primary_key(Index::create().col(a("person_id")).col(a("course_id")))
                .foreign_key(&mut fk("course_completion", "person_id", "person"))
                .foreign_key(&mut fk("course_completion", "course_id", "course"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("achievement"))
                .col(col("person_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("indicator_code").string().not_null())
                .col(col("achieved_at").timestamp_with_time_zone().not_null())
                .primary_key(
                    Index::create()
                        .col(a("person_id"))
                        .col(a("group_code"))
                        .col(a("indicator_code")),
                )
                .foreign_key(&mut fk("achievement", "person_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("indicator_count"))
                .col(col("unit_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("indicator_code").string().not_null())
                .col(col("achieved").big_integer().not_null())
                .primary_key(
                    Index::create()
                        .col(a("unit_id"))
                        .col(a("group_code"))
                        .col(a("indicator_code")),
                )
                .foreign_key(&mut fk("indicator_count", "unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("certificate"))
                .col(pk_auto(b, a("id")))
                .col(col("code").string().not_null().unique_key())
                .col(col("person_id").big_integer().not_null())
                .col(col("course_id").big_integer().not_null())
                .col(col("issued_at").timestamp_with_time_zone().not_null())
                .col(col("revoked_at").timestamp_with_time_zone().null())
                .foreign_key(&mut fk("certificate", "person_id", "person"))
                .foreign_key(&mut fk("certificate", "course_id", "course"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_certificate_person_course")
                .table(a("certificate"))
                .col(a("person_id"))
                .col(a("course_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
