//! The one migration source for both backends. DDL is built with sea-query so the same
//! definition produces the right SQL for SQLite and PostgreSQL; no triggers, no procedures.
//! One file per migration, named as its `MigrationName` (`mYYYYMMDD_NNNNNN_what`); a new one
//! goes in a new file and at the end of [`Migrator::migrations`]. Released migrations never
//! change.

use sea_orm::sea_query::{Alias, ColumnDef, ForeignKey, ForeignKeyAction, Index, Table};
use sea_orm_migration::prelude::*;

use crate::dialect::pk_auto;

mod m20261124_000001_initial;
mod m20261125_000001_handbook;
mod m20261125_000002_attempt_question_list;
mod m20261125_000003_denominator_history;
mod m20261125_000004_target_history;
mod m20261125_000005_count_imports;
mod m20261125_000006_audit_log;
mod m20261125_000007_roster;
mod m20261203_000001_external_completions;
mod m20261203_000002_weekly_counts;
mod m20261204_000001_quizzes_competences_credentials;
mod m20261205_000001_quiz_limits_course_versions;
mod m20261205_000002_modules_sequence;
mod m20261205_000003_question_kinds;
mod m20261205_000004_draw_by_competence;
mod m20261206_000001_security;
mod m20261206_000002_media_parts;
mod m20261206_000003_revocation;
mod m20261206_000004_vietnamese_order;
mod m20261207_000001_achievement_dates;
mod m20261207_000002_requirement_history;
mod m20261207_000003_classes;
mod m20261207_000004_class_sign_in;
mod m20261208_000001_honours;
mod m20261208_000002_training;
mod m20261209_000001_contests;
mod m20261209_000002_class_quiz_rule;
mod m20261209_000003_plan_tasks;
mod m20261209_000004_session_expiry_index;
mod m20261209_000005_period_reports;
mod m20261210_000001_news;
mod m20261210_000002_report_files;
mod m20261210_000003_report_activity;
mod m20261211_000001_reminders;
mod m20261212_000001_reminder_email;

use m20261124_000001_initial::Initial;
use m20261125_000001_handbook::Handbook;
use m20261125_000002_attempt_question_list::AttemptQuestionList;
use m20261125_000003_denominator_history::DenominatorHistory;
use m20261125_000004_target_history::TargetHistory;
use m20261125_000005_count_imports::CountImports;
use m20261125_000006_audit_log::AuditLog;
use m20261125_000007_roster::Roster;
use m20261203_000001_external_completions::ExternalCompletions;
use m20261203_000002_weekly_counts::WeeklyCounts;
use m20261204_000001_quizzes_competences_credentials::QuizDrawCompetences;
use m20261205_000001_quiz_limits_course_versions::QuizLimitsVersions;
use m20261205_000002_modules_sequence::ModulesSequence;
use m20261205_000003_question_kinds::QuestionKinds;
use m20261205_000004_draw_by_competence::DrawByCompetence;
use m20261206_000001_security::Security;
use m20261206_000002_media_parts::MediaParts;
use m20261206_000003_revocation::Revocation;
use m20261206_000004_vietnamese_order::VietnameseOrder;
use m20261207_000001_achievement_dates::AchievementDates;
use m20261207_000002_requirement_history::RequirementHistory;
use m20261207_000003_classes::Classes;
use m20261207_000004_class_sign_in::ClassSignIn;
use m20261208_000001_honours::Honours;
use m20261208_000002_training::Training;
use m20261209_000001_contests::Contests;
use m20261209_000002_class_quiz_rule::ClassQuizRule;
use m20261209_000003_plan_tasks::PlanTasks;
use m20261209_000004_session_expiry_index::SessionExpiryIndex;
use m20261209_000005_period_reports::PeriodReports;
use m20261210_000001_news::News;
use m20261210_000002_report_files::ReportFiles;
use m20261210_000003_report_activity::ReportActivity;
use m20261211_000001_reminders::Reminders;
use m20261212_000001_reminder_email::ReminderEmail;

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
            Box::new(Revocation),
            Box::new(VietnameseOrder),
            Box::new(AchievementDates),
            Box::new(RequirementHistory),
            Box::new(Classes),
            Box::new(ClassSignIn),
            Box::new(Honours),
            Box::new(Training),
            Box::new(Contests),
            Box::new(ClassQuizRule),
            Box::new(PlanTasks),
            Box::new(SessionExpiryIndex),
            Box::new(PeriodReports),
            Box::new(News),
            Box::new(ReportFiles),
            Box::new(ReportActivity),
            Box::new(Reminders),
            Box::new(ReminderEmail),
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
