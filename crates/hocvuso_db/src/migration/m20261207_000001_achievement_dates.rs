use super::*;

/// Achievements found by date: the figures of a past year (as they stood at its end) add the
/// achievements of the year's last, partial week to the weekly counts before it.
pub struct AchievementDates;

impl MigrationName for AchievementDates {
    fn name(&self) -> &str {
        "m20261207_000001_achievement_dates"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AchievementDates {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_achievement_achieved_at")
                .table(a("achievement"))
                .col(a("achieved_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_achievement_achieved_at")
                .table(a("achievement"))
                .to_owned(),
        )
        .await
    }
}
