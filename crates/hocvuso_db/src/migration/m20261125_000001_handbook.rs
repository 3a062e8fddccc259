use super::*;

/// The handbook (sổ tay): chapters, articles with every revision kept, helpful votes, and
/// stored images (shipped and uploaded), so that one backup holds everything.
pub struct Handbook;

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
