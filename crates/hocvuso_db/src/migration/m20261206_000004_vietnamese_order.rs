use super::*;

/// Names sorted in Vietnamese alphabetical order on PostgreSQL: the collation `hocvuso_vi`
/// (ICU's Vietnamese, or bytewise where the server has no ICU). SQLite registers its own `vi`
/// collation on every connection (`dialect`).
pub struct VietnameseOrder;

impl MigrationName for VietnameseOrder {
    fn name(&self) -> &str {
        "m20261206_000004_vietnamese_order"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for VietnameseOrder {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared(&crate::dialect::create_vietnamese_collation_sql())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP COLLATION IF EXISTS \"hocvuso_vi\"")
                .await?;
        }
        Ok(())
    }
}
