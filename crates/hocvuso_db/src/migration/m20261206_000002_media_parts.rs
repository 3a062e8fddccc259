use super::*;

/// Stored files in parts of [`crate::repo::handbook::MEDIA_PART`] bytes (`media_part`), so a
/// video is read and sent a part at a time and never held whole; `media.size` is the whole
/// length. The bytes of every file stored before move into parts, and `media.bytes` goes.
pub struct MediaParts;

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
                .query_one(
                    b.build(
                        &Query::select()
                            .column(a("bytes"))
                            .from(a("media"))
                            .and_where(Expr::col(a("id")).eq(id))
                            .to_owned(),
                    ),
                )
                .await?
            else {
                continue;
            };
            let bytes: Vec<u8> = row.try_get("", "bytes")?;
            crate::repo::handbook::insert_media_parts(conn, id, &bytes).await?;
            let size = <i64 as TryFrom<usize>>::try_from(bytes.len()).unwrap_or(i64::MAX);
            conn.execute(
                b.build(
                    &Query::update()
                        .table(a("media"))
                        .value(a("size"), size)
                        .and_where(Expr::col(a("id")).eq(id))
                        .to_owned(),
                ),
            )
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
