//! The handbook (sổ tay): chapters, articles and their revisions, helpful votes, images.
//!
//! An article's text is never edited in place: every save adds a revision with the next number
//! (who, when), and `article.published_revision` names the one readers see.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};

use crate::entity::{article, article_revision, handbook_chapter, media, media_part};

pub use article::Model as Article;
pub use article_revision::Model as Revision;
pub use handbook_chapter::Model as Chapter;
pub use media::Model as Media;

pub async fn chapters<C: ConnectionTrait>(conn: &C) -> Result<Vec<Chapter>, DbErr> {
    handbook_chapter::Entity::find()
        .order_by_asc(handbook_chapter::Column::Position)
        .all(conn)
        .await
}

/// Inserts a chapter unless one with the slug exists; returns the stored chapter.
pub async fn ensure_chapter<C: ConnectionTrait>(
    conn: &C,
    slug: &str,
    title: &str,
    summary: &str,
    position: i32,
) -> Result<Chapter, DbErr> {
    if let Some(c) = handbook_chapter::Entity::find()
        .filter(handbook_chapter::Column::Slug.eq(slug))
        .one(conn)
        .await?
    {
        return Ok(c);
    }
    handbook_chapter::Entity::insert(handbook_chapter::ActiveModel {
        slug: Set(slug.to_owned()),
        title: Set(title.to_owned()),
        summary: Set(summary.to_owned()),
        position: Set(position),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await
}

pub async fn article_by_slug<C: ConnectionTrait>(
    conn: &C,
    slug: &str,
) -> Result<Option<Article>, DbErr> {
    article::Entity::find()
        .filter(article::Column::Slug.eq(slug))
        .one(conn)
        .await
}

pub async fn article_by_id<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<Article>, DbErr> {
    article::Entity::find_by_id(id).one(conn).await
}

/// Every article, published or not, in chapter order.
pub async fn articles<C: ConnectionTrait>(conn: &C) -> Result<Vec<Article>, DbErr> {
    article::Entity::find()
        .order_by_asc(article::Column::ChapterId)
        .order_by_asc(article::Column::Position)
        .order_by_asc(article::Column::Id)
        .all(conn)
        .await
}

/// The next free position in a chapter.
pub async fn next_position<C: ConnectionTrait>(conn: &C, chapter_id: i64) -> Result<i32, DbErr> {
    let last = article::Entity::find()
        .filter(article::Column::ChapterId.eq(chapter_id))
        .order_by_desc(article::Column::Position)
        .one(conn)
        .await?;
    Ok(last.map_or(1, |a| a.position + 1))
}

/// A new article without any revision yet (add one with [`add_revision`] in the same
/// transaction).
pub async fn insert_article<C: ConnectionTrait>(
    conn: &C,
    slug: &str,
    chapter_id: i64,
    position: i32,
    now: DateTime<Utc>,
) -> Result<Article, DbErr> {
    article::Entity::insert(article::ActiveModel {
        slug: Set(slug.to_owned()),
        chapter_id: Set(chapter_id),
        position: Set(position),
        published_revision: Set(None),
        latest_revision: Set(0),
        helpful_yes: Set(0),
        helpful_no: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await
}

/// The text of one revision.
pub struct NewRevision<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub keywords: &'a str,
    pub related: &'a str,
    pub body_md: &'a str,
    pub author_id: Option<i64>,
}

/// Adds the article's next revision (numbered by one atomic `UPDATE … RETURNING`, so two
/// authors saving at once get different numbers) and returns it.
pub async fn add_revision<C: ConnectionTrait>(
    conn: &C,
    article_id: i64,
    rev: NewRevision<'_>,
    now: DateTime<Utc>,
) -> Result<Revision, DbErr> {
    let updated = article::Entity::update_many()
        .col_expr(
            article::Column::LatestRevision,
            Expr::col(article::Column::LatestRevision).add(1),
        )
        .col_expr(article::Column::UpdatedAt, Expr::value(now))
        .filter(article::Column::Id.eq(article_id))
        .exec_with_returning(conn)
        .await?;
    let number = updated
        .first()
        .map(|a| a.latest_revision)
        .ok_or_else(|| DbErr::RecordNotFound(format!("article {article_id}")))?;
    article_revision::Entity::insert(article_revision::ActiveModel {
        article_id: Set(article_id),
        number: Set(number),
        title: Set(rev.title.to_owned()),
        summary: Set(rev.summary.to_owned()),
        keywords: Set(rev.keywords.to_owned()),
        related: Set(rev.related.to_owned()),
        body_md: Set(rev.body_md.to_owned()),
        author_id: Set(rev.author_id),
        created_at: Set(now),
    })
    .exec_with_returning(conn)
    .await
}

/// Sets which revision readers see (`None` takes the article down).
pub async fn set_published<C: ConnectionTrait>(
    conn: &C,
    article_id: i64,
    revision: Option<i32>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    article::Entity::update_many()
        .col_expr(article::Column::PublishedRevision, Expr::value(revision))
        .col_expr(article::Column::UpdatedAt, Expr::value(now))
        .filter(article::Column::Id.eq(article_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Moves an article to a chapter (at the given position).
pub async fn set_chapter<C: ConnectionTrait>(
    conn: &C,
    article_id: i64,
    chapter_id: i64,
    position: i32,
) -> Result<(), DbErr> {
    article::Entity::update_many()
        .col_expr(article::Column::ChapterId, Expr::value(chapter_id))
        .col_expr(article::Column::Position, Expr::value(position))
        .filter(article::Column::Id.eq(article_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn revision<C: ConnectionTrait>(
    conn: &C,
    article_id: i64,
    number: i32,
) -> Result<Option<Revision>, DbErr> {
    article_revision::Entity::find_by_id((article_id, number))
        .one(conn)
        .await
}

/// Every revision of an article, newest first.
pub async fn revisions_of<C: ConnectionTrait>(
    conn: &C,
    article_id: i64,
) -> Result<Vec<Revision>, DbErr> {
    article_revision::Entity::find()
        .filter(article_revision::Column::ArticleId.eq(article_id))
        .order_by_desc(article_revision::Column::Number)
        .all(conn)
        .await
}

async fn revisions_joined<C: ConnectionTrait>(
    conn: &C,
    which: &str,
) -> Result<Vec<Revision>, DbErr> {
    let sql = format!(
        "SELECT r.* FROM article_revision r JOIN article a \
         ON a.id = r.article_id AND a.{which} = r.number ORDER BY r.article_id"
    );
    Revision::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
        .all(conn)
        .await
}

/// The published revision of every published article.
pub async fn published_revisions<C: ConnectionTrait>(conn: &C) -> Result<Vec<Revision>, DbErr> {
    revisions_joined(conn, "published_revision").await
}

/// The newest revision of every article (what authors work on).
pub async fn latest_revisions<C: ConnectionTrait>(conn: &C) -> Result<Vec<Revision>, DbErr> {
    revisions_joined(conn, "latest_revision").await
}

/// Counts one "was this helpful?" answer.
pub async fn vote<C: ConnectionTrait>(
    conn: &C,
    article_id: i64,
    helpful: bool,
) -> Result<bool, DbErr> {
    let column = if helpful {
        article::Column::HelpfulYes
    } else {
        article::Column::HelpfulNo
    };
    let res = article::Entity::update_many()
        .col_expr(column, Expr::col(column).add(1))
        .filter(article::Column::Id.eq(article_id))
        .filter(article::Column::PublishedRevision.is_not_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// An image to store.
pub struct NewMedia<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub alt: &'a str,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub uploaded_by: Option<i64>,
}

/// The size of one part of a stored file (`media_part`): a video is read from the database
/// and sent this much at a time.
pub const MEDIA_PART: usize = 256 * 1024;

/// Stores a file: its row in `media` and its bytes in parts. Call inside a transaction so a
/// file is stored whole or not at all.
pub async fn insert_media<C: ConnectionTrait>(
    conn: &C,
    m: NewMedia<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let id = media::Entity::insert(media::ActiveModel {
        name: Set(m.name.to_owned()),
        content_type: Set(m.content_type.to_owned()),
        size: Set(i64::try_from(m.bytes.len()).unwrap_or(i64::MAX)),
        alt: Set(m.alt.to_owned()),
        width: Set(m.width),
        height: Set(m.height),
        uploaded_by: Set(m.uploaded_by),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?
    .last_insert_id;
    insert_media_parts(conn, id, m.bytes).await
}

/// Writes a file's bytes as parts 0, 1, … of [`MEDIA_PART`] bytes (nothing for an empty file).
pub async fn insert_media_parts<C: ConnectionTrait>(
    conn: &C,
    media_id: i64,
    bytes: &[u8],
) -> Result<(), DbErr> {
    for (seq, part) in bytes.chunks(MEDIA_PART).enumerate() {
        media_part::Entity::insert(media_part::ActiveModel {
            media_id: Set(media_id),
            seq: Set(i32::try_from(seq).unwrap_or(i32::MAX)),
            bytes: Set(part.to_vec()),
        })
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// A stored file without its bytes: id, type and whole length.
#[derive(Debug, Clone, FromQueryResult)]
pub struct StoredFile {
    pub id: i64,
    pub content_type: String,
    pub size: i64,
}

/// A stored file by name, without its bytes.
pub async fn media_by_name<C: ConnectionTrait>(
    conn: &C,
    name: &str,
) -> Result<Option<StoredFile>, DbErr> {
    media::Entity::find()
        .select_only()
        .columns([
            media::Column::Id,
            media::Column::ContentType,
            media::Column::Size,
        ])
        .filter(media::Column::Name.eq(name))
        .into_model::<StoredFile>()
        .one(conn)
        .await
}

/// Part `seq` of a stored file (empty past its end).
pub async fn media_part<C: ConnectionTrait>(
    conn: &C,
    media_id: i64,
    seq: i32,
) -> Result<Vec<u8>, DbErr> {
    Ok(media_part::Entity::find()
        .select_only()
        .column(media_part::Column::Bytes)
        .filter(media_part::Column::MediaId.eq(media_id))
        .filter(media_part::Column::Seq.eq(seq))
        .into_tuple::<Vec<u8>>()
        .one(conn)
        .await?
        .unwrap_or_default())
}

/// An image without its bytes (for lists).
#[derive(Debug, Clone, FromQueryResult)]
pub struct MediaInfo {
    pub name: String,
    pub content_type: String,
    pub alt: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub created_at: DateTime<Utc>,
}

/// Every stored image, newest first, without bytes.
pub async fn media_list<C: ConnectionTrait>(conn: &C) -> Result<Vec<MediaInfo>, DbErr> {
    media::Entity::find()
        .select_only()
        .columns([
            media::Column::Name,
            media::Column::ContentType,
            media::Column::Alt,
            media::Column::Width,
            media::Column::Height,
            media::Column::CreatedAt,
        ])
        .order_by_desc(media::Column::Id)
        .into_model::<MediaInfo>()
        .all(conn)
        .await
}
