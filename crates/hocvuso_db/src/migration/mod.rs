//! The one migration source for both backends. DDL is built with sea-query so the same
//! definition produces the right SQL for SQLite and PostgreSQL; no triggers, no procedures.

use sea_orm::sea_query::{Alias, ColumnDef, ForeignKey, ForeignKeyAction, Index, Table};
use sea_orm_migration::prelude::*;

use crate::dialect::pk_auto;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(Initial),
            Box::new(Handbook),
            Box::new(AttemptQuestionList),
            Box::new(DenominatorHistory),
            Box::new(TargetHistory),
            Box::new(CountImports),
            Box::new(AuditLog),
            Box::new(Roster),
            Box::new(ExternalCompletions),
            Box::new(WeeklyCounts),
            Box::new(QuizDrawCompetences),
            Box::new(QuizLimitsVersions),
            Box::new(ModulesSequence),
            Box::new(QuestionKinds),
            Box::new(DrawByCompetence),
            Box::new(Security),
            Box::new(MediaParts),
        ]
    }
}

fn a(name: &'static str) -> Alias {
    Alias::new(name)
}

fn col(name: &'static str) -> ColumnDef {
    ColumnDef::new(a(name))
}

fn fk(table: &'static str, column: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(a(table), a(column))
        .to(a(to), a("id"))
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

struct Initial;

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

/// The handbook (sổ tay): chapters, articles with every revision kept, helpful votes, and
/// stored images (shipped and uploaded), so that one backup holds everything.
struct Handbook;

impl MigrationName for Handbook {
    fn name(&self) -> &str {
        "m20261125_000001_handbook"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Handbook {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("handbook_chapter"))
                .col(pk_auto(b, a("id")))
                .col(col("slug").string().not_null().unique_key())
                .col(col("title").string().not_null())
                .col(col("summary").string().not_null())
                .col(col("position").integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("article"))
                .col(pk_auto(b, a("id")))
                .col(col("slug").string().not_null().unique_key())
                .col(col("chapter_id").big_integer().not_null())
                .col(col("position").integer().not_null())
                // The revision readers see; NULL while a draft or after it is taken down.
                .col(col("published_revision").integer().null())
                .col(col("latest_revision").integer().not_null())
                .col(col("helpful_yes").big_integer().not_null().default(0))
                .col(col("helpful_no").big_integer().not_null().default(0))
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .col(col("updated_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("article", "chapter_id", "handbook_chapter"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("article_revision"))
                .col(col("article_id").big_integer().not_null())
                .col(col("number").integer().not_null())
                .col(col("title").string().not_null())
                .col(col("summary").string().not_null())
                .col(col("keywords").string().not_null())
                .col(col("related").string().not_null())
                .col(col("body_md").text().not_null())
                // NULL: shipped with the program.
                .col(col("author_id").big_integer().null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .primary_key(Index::create().col(a("article_id")).col(a("number")))
                .foreign_key(&mut fk("article_revision", "article_id", "article"))
                .foreign_key(&mut fk("article_revision", "author_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("media"))
                .col(pk_auto(b, a("id")))
                .col(col("name").string().not_null().unique_key())
                .col(col("content_type").string().not_null())
                .col(col("bytes").blob().not_null())
                .col(col("alt").string().not_null())
                .col(col("width").integer().null())
                .col(col("height").integer().null())
                .col(col("uploaded_by").big_integer().null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("media", "uploaded_by", "person"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

/// An attempt keeps its question list in its own row from the start (`question_ids`, the
/// question ids in the order given, comma-separated); the per-question rows
/// (`attempt_question`) are written when the attempt is submitted. A start then writes one row
/// instead of one per question. Attempts started before this migration keep their rows and an
/// empty `question_ids`; readers fall back to the rows.
struct AttemptQuestionList;

impl MigrationName for AttemptQuestionList {
    fn name(&self) -> &str {
        "m20261125_000002_attempt_question_list"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AttemptQuestionList {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("quiz_attempt"))
                .add_column(col("question_ids").string().not_null().default(""))
                .to_owned(),
        )
        .await
    }
}

/// Every change of a denominator, with who made it, when, from what source, and the value it
/// replaced (imports and edits in the browser alike).
struct DenominatorHistory;

impl MigrationName for DenominatorHistory {
    fn name(&self) -> &str {
        "m20261125_000003_denominator_history"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for DenominatorHistory {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("denominator_change"))
                .col(pk_auto(b, a("id")))
                .col(col("year").integer().not_null())
                .col(col("unit_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("old_people").big_integer().null())
                .col(col("new_people").big_integer().not_null())
                .col(col("source").string().not_null())
                .col(col("changed_by").big_integer().null())
                .col(col("changed_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("denominator_change", "unit_id", "org_unit"))
                .foreign_key(&mut fk("denominator_change", "changed_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_denominator_change_year_group")
                .table(a("denominator_change"))
                .col(a("year"))
                .col(a("group_code"))
                .to_owned(),
        )
        .await
    }
}

/// Every change of a target (year × group × indicator), with who made it and when.
struct TargetHistory;

impl MigrationName for TargetHistory {
    fn name(&self) -> &str {
        "m20261125_000004_target_history"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for TargetHistory {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("target_change"))
                .col(pk_auto(b, a("id")))
                .col(col("year").integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("indicator_code").string().not_null())
                .col(col("old_percent").integer().null())
                // NULL: the target was removed.
                .col(col("new_percent").integer().null())
                .col(col("changed_by").big_integer().null())
                .col(col("changed_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("target_change", "changed_by", "person"))
                .to_owned(),
        )
        .await
    }
}

/// Counts imported from outside (e.g. people confirmed on VNeID, from the provincial police):
/// one import per indicator, group and date (`as_of`) with its source, and its rows per unit.
/// A later import for the same date replaces the earlier one.
struct CountImports;

impl MigrationName for CountImports {
    fn name(&self) -> &str {
        "m20261125_000005_count_imports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CountImports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("count_import"))
                .col(pk_auto(b, a("id")))
                .col(col("indicator_code").string().not_null())
                .col(col("group_code").string().not_null())
                .col(col("as_of").date().not_null())
                .col(col("source").string().not_null())
                .col(col("imported_by").big_integer().null())
                .col(col("imported_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("count_import", "imported_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_count_import_date")
                .table(a("count_import"))
                .col(a("indicator_code"))
                .col(a("group_code"))
                .col(a("as_of"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("count_import_row"))
                .col(col("import_id").big_integer().not_null())
                .col(col("unit_id").big_integer().not_null())
                .col(col("people").big_integer().not_null())
                .primary_key(Index::create().col(a("import_id")).col(a("unit_id")))
                .foreign_key(&mut fk("count_import_row", "import_id", "count_import"))
                .foreign_key(&mut fk("count_import_row", "unit_id", "org_unit"))
                .to_owned(),
        )
        .await
    }
}

/// Who viewed or exported personal data, and when (Decree 13/2023/NĐ-CP): one row per view of a
/// list of people and per export.
struct AuditLog;

impl MigrationName for AuditLog {
    fn name(&self) -> &str {
        "m20261125_000006_audit_log"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AuditLog {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("audit_log"))
                .col(pk_auto(b, a("id")))
                .col(col("actor_id").big_integer().not_null())
                .col(col("action").string().not_null())
                .col(col("subject").string().not_null())
                .col(col("detail").string().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("audit_log", "actor_id", "person"))
                .to_owned(),
        )
        .await
    }
}

/// Rosters and account recovery: a person's citizen ID (unique when known), gender and birth
/// date (`yyyy-mm-dd`, or `yyyy` when only the year is known); each applied roster import;
/// uploads waiting for the officer to confirm their dry run (kept in the database so that any
/// server process can apply them); a password set by staff that must be changed at the next
/// login; one-time codes sent by SMS (hashed); the consent a resident gave a helper who
/// registered them; the support log of the community digital technology teams (`day` as
/// `yyyy-mm-dd` in Vietnam); units merged into another (`merged_into_id`) and the history of
/// changes to the org tree.
struct Roster;

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

/// Courses taken elsewhere (the national platform binhdanhocvuso.gov.vn): a course may carry
/// the address where it is taught and the shipped course it counts as; completions may come
/// from an import of results (per person, by citizen ID), recorded whole.
struct ExternalCompletions;

impl MigrationName for ExternalCompletions {
    fn name(&self) -> &str {
        "m20261203_000001_external_completions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ExternalCompletions {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.alter_table(
            Table::alter()
                .table(a("course"))
                .add_column(col("external_url").string().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("course"))
                .add_column(col("counts_as_id").big_integer().null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("completion_import"))
                .col(pk_auto(b, a("id")))
                .col(col("actor_id").big_integer().null())
                .col(col("course_id").big_integer().not_null())
                .col(col("source").string().not_null())
                .col(col("file_name").string().not_null())
                .col(col("sha256").string().not_null())
                .col(col("rows").big_integer().not_null())
                .col(col("added").big_integer().not_null())
                .col(col("unchanged").big_integer().not_null())
                .col(col("skipped").big_integer().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("completion_import", "actor_id", "person"))
                .foreign_key(&mut fk("completion_import", "course_id", "course"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("course_completion"))
                .add_column(col("import_id").big_integer().null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

/// The live counts split by week, for trends; filled from the achievements already recorded.
struct WeeklyCounts;

impl MigrationName for WeeklyCounts {
    fn name(&self) -> &str {
        "m20261203_000002_weekly_counts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for WeeklyCounts {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("indicator_week"))
                .col(col("unit_id").big_integer().not_null())
                .col(col("group_code").string().not_null())
                .col(col("indicator_code").string().not_null())
                .col(col("week").string().not_null())
                .col(col("achieved").big_integer().not_null())
                .primary_key(
                    Index::create()
                        .col(a("unit_id"))
                        .col(a("group_code"))
                        .col(a("indicator_code"))
                        .col(a("week")),
                )
                .foreign_key(&mut fk("indicator_week", "unit_id", "org_unit"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_indicator_week_group")
                .table(a("indicator_week"))
                .col(a("group_code"))
                .col(a("indicator_code"))
                .col(a("week"))
                // Covering: the province's trend sums without reading the table.
                .col(a("achieved"))
                .to_owned(),
        )
        .await?;
        let conn = m.get_connection();
        let weeks = crate::repo::stats::recomputed_weeks_before_confirmation(conn).await?;
        crate::repo::stats::insert_weeks(conn, &weeks).await?;
        Ok(())
    }
}

/// Quizzes that draw some questions of a bank per attempt; the competence codes (Thông tư
/// 02/2025/TT-BGDĐT) of lessons and questions, space-separated; the keys that sign
/// certificates as credentials; why a certificate was revoked.
struct QuizDrawCompetences;

impl MigrationName for QuizDrawCompetences {
    fn name(&self) -> &str {
        "m20261204_000001_quizzes_competences_credentials"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for QuizDrawCompetences {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("course"))
                .add_column(col("quiz_draw").integer().null())
                .to_owned(),
        )
        .await?;
        for table in ["lesson", "question"] {
            m.alter_table(
                Table::alter()
                    .table(a(table))
                    .add_column(col("competences").string().not_null().default(""))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(a("certificate"))
                .add_column(col("revoke_reason").string().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("certificate"))
                .add_column(col("revoked_by").big_integer().null())
                .to_owned(),
        )
        .await?;
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("issuer_key"))
                .col(pk_auto(b, a("id")))
                // The did:key of the public key, as credentials name their issuer.
                .col(col("did").string().not_null().unique_key())
                // The Ed25519 secret key (32 bytes), hex.
                .col(col("secret_hex").string().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                // Set when a newer key signs; old keys still verify what they signed.
                .col(col("retired_at").timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

/// Quizzes with an attempt limit and a time limit (enforced on the server); courses edited in
/// the browser: a draft and the published versions of each course (`course_version`, the whole
/// course as JSON), the published version number on the course, and lessons and questions
/// retired by a newer version (kept: progress and attempts point at them).
struct QuizLimitsVersions;

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

/// Lessons grouped in modules (consecutive lessons with the same module title); courses whose
/// lessons open one after another (`sequential`) and whose quiz opens only once every lesson is
/// read (`require_lessons`).
struct ModulesSequence;

impl MigrationName for ModulesSequence {
    fn name(&self) -> &str {
        "m20261205_000002_modules_sequence"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ModulesSequence {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            col("sequential")
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            col("require_lessons")
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(a("course"))
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(a("lesson"))
                .add_column(col("module").string().not_null().default(""))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

/// Questions with several right options ("chọn tất cả phương án đúng"): the question's kind,
/// and every option an answer chose (the first also stays in `chosen_option_id`).
struct QuestionKinds;

impl MigrationName for QuestionKinds {
    fn name(&self) -> &str {
        "m20261205_000003_question_kinds"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for QuestionKinds {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("question"))
                // 'single' (one right option) or 'multiple' (all the right ones, no wrong one).
                .add_column(col("kind").string().not_null().default("single"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("attempt_question"))
                // The chosen option ids, comma-separated ('' for rows from before).
                .add_column(col("chosen_ids").string().not_null().default(""))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

/// Quizzes that draw a set number of questions per competence (`quiz_draw_by`: `4.2=4 2.3=2`).
struct DrawByCompetence;

impl MigrationName for DrawByCompetence {
    fn name(&self) -> &str {
        "m20261205_000004_draw_by_competence"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for DrawByCompetence {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("course"))
                .add_column(col("quiz_draw_by").string().not_null().default(""))
                .to_owned(),
        )
        .await
    }
}

/// Closing what an outside review found (issue 16): failed logins counted per phone number and
/// client (`login_throttle`: a client that guesses locks only itself, with a growing back-off);
/// codes sent by SMS keyed by phone number (`phone_code`: for registration and password reset,
/// limited the same whether or not the number has an account); whether and how a person's
/// identity was confirmed (`confirmed_via`: roster, assisted, staff; NULL for a
/// self-registration), and the live counts of unconfirmed people kept beside the confirmed
/// ones (`unconfirmed`); requests to transfer a person between units.
struct Security;

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

/// Stored files in parts of [`crate::repo::handbook::MEDIA_PART`] bytes (`media_part`), so a
/// video is read and sent a part at a time and never held whole; `media.size` is the whole
/// length. The bytes of every file stored before move into parts, and `media.bytes` goes.
struct MediaParts;

impl MigrationName for MediaParts {
    fn name(&self) -> &str {
        "m20261206_000002_media_parts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for MediaParts {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("media_part"))
                .col(col("media_id").big_integer().not_null())
                .col(col("seq").integer().not_null())
                .col(col("bytes").blob().not_null())
                .primary_key(Index::create().col(a("media_id")).col(a("seq")))
                .foreign_key(&mut fk("media_part", "media_id", "media"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("media"))
                .add_column(col("size").big_integer().not_null().default(0))
                .to_owned(),
        )
        .await?;
        let conn = m.get_connection();
        let b = m.get_database_backend();
        let ids: Vec<i64> = conn
            .query_all(sea_orm::Statement::from_string(
                b,
                "SELECT id FROM media ORDER BY id",
            ))
            .await?
            .iter()
            .map(|r| r.try_get::<i64>("", "id"))
            .collect::<Result<_, _>>()?;
        // One file at a time, so the migration holds at most one file in memory.
        for id in ids {
            let Some(row) = conn
                .query_one(sea_orm::Statement::from_sql_and_values(
                    b,
                    match b {
                        sea_orm::DbBackend::Postgres => "SELECT bytes FROM media WHERE id = $1",
                        _ => "SELECT bytes FROM media WHERE id = ?",
                    },
                    [id.into()],
                ))
                .await?
            else {
                continue;
            };
            let bytes: Vec<u8> = row.try_get("", "bytes")?;
            crate::repo::handbook::insert_media_parts(conn, id, &bytes).await?;
            conn.execute(sea_orm::Statement::from_sql_and_values(
                b,
                match b {
                    sea_orm::DbBackend::Postgres => "UPDATE media SET size = $1 WHERE id = $2",
                    _ => "UPDATE media SET size = ? WHERE id = ?",
                },
                [
                    <i64 as TryFrom<usize>>::try_from(bytes.len())
                        .unwrap_or(i64::MAX)
                        .into(),
                    id.into(),
                ],
            ))
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(a("media"))
                .drop_column(a("bytes"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};
    use sea_orm_migration::MigratorTrait;

    use hocvuso_test_utils::{test_both, TestBackend, TestDatabase};

    /// A file stored whole (before `media_part`) moves into parts of 256 KB, byte for byte.
    async fn files_stored_whole_move_into_parts(b: TestBackend) {
        let Some(tdb) = TestDatabase::new(b).await else {
            return;
        };
        let db = crate::Db::connect(&tdb.url, crate::dialect::PoolSizes::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let conn = db.write();
        let before = super::Migrator::migrations()
            .iter()
            .position(|m| m.name() == "m20261206_000002_media_parts")
            .unwrap_or_else(|| panic!("the media parts migration is listed"));
        super::Migrator::up(conn, Some(u32::try_from(before).unwrap_or(0)))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let bytes: Vec<u8> = (0..600_000u32).map(|i| (i % 253) as u8).collect();
        let backend = conn.get_database_backend();
        let sql = match backend {
            sea_orm::DbBackend::Postgres => {
                "INSERT INTO media (name, content_type, bytes, alt, created_at) \
                 VALUES ('cu.mp4', 'video/mp4', $1, 'Video cũ', CURRENT_TIMESTAMP)"
            }
            _ => {
                "INSERT INTO media (name, content_type, bytes, alt, created_at) \
                 VALUES ('cu.mp4', 'video/mp4', ?, 'Video cũ', CURRENT_TIMESTAMP)"
            }
        };
        conn.execute(Statement::from_sql_and_values(
            backend,
            sql,
            [bytes.clone().into()],
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        super::Migrator::up(conn, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));

        let file = crate::repo::handbook::media_by_name(conn, "cu.mp4")
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("the file is still there"));
        assert_eq!(file.size, 600_000);
        let mut joined = Vec::new();
        for seq in 0..4 {
            let part = crate::repo::handbook::media_part(conn, file.id, seq)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            joined.extend_from_slice(&part);
        }
        assert!(joined == bytes, "the parts are the file, byte for byte");
    }

    test_both!(files_stored_whole_move_into_parts);
}
