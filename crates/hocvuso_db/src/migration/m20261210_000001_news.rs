use super::*;

/// News (`/tin-tuc`): announcements of the province and of units (`news_item`: title, Markdown
/// text, audience, publish and expiry times), and the picture of one (`news_image`, apart so
/// that lists never read picture bytes).
pub struct News;

impl MigrationName for News {
    fn name(&self) -> &str {
        "m20261210_000001_news"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for News {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table(a("news_item"))
                .col(pk_auto(b, a("id")))
                // The unit that publishes it; the audience is the people of this unit and below.
                .col(col("unit_id").big_integer().not_null())
                .col(col("title").string().not_null())
                // The handbook's Markdown.
                .col(col("body").text().not_null())
                // Group codes, comma-separated; "" for every group.
                .col(col("groups").string().not_null())
                // Shown to anyone (and in the Atom feed), not only to the audience signed in.
                .col(col("public").boolean().not_null())
                .col(col("publish_at").timestamp_with_time_zone().not_null())
                .col(col("expires_at").timestamp_with_time_zone().null())
                // Taken down by its unit (kept, with who and when in the audit log).
                .col(col("withdrawn_at").timestamp_with_time_zone().null())
                // The picture's type and size in pixels, when it has one.
                .col(col("image_type").string().null())
                .col(col("image_width").integer().null())
                .col(col("image_height").integer().null())
                .col(col("image_alt").string().not_null())
                .col(col("by_id").big_integer().not_null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .col(col("updated_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("news_item", "unit_id", "org_unit"))
                .foreign_key(&mut fk("news_item", "by_id", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_news_item_publish")
                .table(a("news_item"))
                .col(a("publish_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_news_item_unit")
                .table(a("news_item"))
                .col(a("unit_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("news_image"))
                .col(pk_auto(b, a("id")))
                .col(col("news_id").big_integer().not_null())
                .col(col("bytes").blob().not_null())
                .foreign_key(&mut fk("news_image", "news_id", "news_item"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_news_image_news")
                .table(a("news_image"))
                .col(a("news_id"))
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["news_image", "news_item"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
