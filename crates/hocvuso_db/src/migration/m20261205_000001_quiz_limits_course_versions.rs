use super::*;

/// Quizzes with an attempt limit and a time limit (enforced on the server); courses edited in
/// the browser: a draft and the published versions of each course (`course_version`, the whole
/// course as JSON), the published version number on the course, and lessons and questions
/// retired by a newer version (kept: progress and attempts point at them).
pub struct QuizLimitsVersions;

impl MigrationName for QuizLimitsVersions {
    fn name(&self) -> &str {
        "m20261205_000001_quiz_limits_course_versions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for QuizLimitsVersions {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            col("quiz_attempts").integer().null().to_owned(),
            col("quiz_minutes").integer().null().to_owned(),
            col("version").integer().not_null().default(1).to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(a("course"))
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for table in ["lesson", "question"] {
            m.alter_table(
                Table::alter()
                    .table(a(table))
                    .add_column(col("retired_at").timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        }
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("course_version"))
                .col(pk_auto(b, a("id")))
                .col(col("course_id").big_integer().not_null())
                .col(col("number").integer().not_null())
                // 'draft' (at most one per course) or 'published'.
                .col(col("status").string().not_null())
                // The whole course (settings, lessons, questions) as JSON.
                .col(col("content").text().not_null())
                .col(col("note").string().not_null().default(""))
                .col(col("created_by").big_integer().null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .col(col("updated_at").timestamp_with_time_zone().not_null())
                .col(col("published_by").big_integer().null())
                .col(col("published_at").timestamp_with_time_zone().null())
                .foreign_key(&mut fk("course_version", "course_id", "course"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_course_version_number")
                .table(a("course_version"))
                .col(a("course_id"))
                .col(a("number"))
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
