//! What the authors' pages read (the editing desk): chapters, an article with a revision,
//! every revision with who saved it, and the stored pictures, video and audio. The public
//! pages read the stored files through [`stored_file`].

use hocvuso_db::repo::handbook::{self as repo, Article, Chapter, MediaInfo, Revision, StoredFile};
use hocvuso_db::ConnectionTrait;

use crate::services::people::person::author_name;
use crate::services::Internal;

/// Every chapter, in order.
pub async fn chapters<C: ConnectionTrait>(conn: &C) -> Result<Vec<Chapter>, Internal> {
    Ok(repo::chapters(conn).await?)
}

/// An article (published or not).
pub async fn article<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Article>, Internal> {
    Ok(repo::article_by_id(conn, id).await?)
}

/// An article with one of its revisions (`None` for the latest).
pub async fn article_revision<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    number: Option<i32>,
) -> Result<Option<(Article, Revision)>, Internal> {
    let Some(article) = repo::article_by_id(conn, id).await? else {
        return Ok(None);
    };
    let number = number.unwrap_or(article.latest_revision);
    Ok(repo::revision(conn, id, number)
        .await?
        .map(|r| (article, r)))
}

/// A revision with the name of who saved it.
pub struct SavedRevision {
    pub revision: Revision,
    pub author: String,
}

/// An article with every revision, newest first.
pub async fn revisions<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<(Article, Vec<SavedRevision>)>, Internal> {
    let Some(article) = repo::article_by_id(conn, id).await? else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for revision in repo::revisions_of(conn, id).await? {
        let author = author_name(conn, revision.author_id).await?;
        out.push(SavedRevision { revision, author });
    }
    Ok(Some((article, out)))
}

/// Every stored picture, video, audio and caption file.
pub async fn media<C: ConnectionTrait>(conn: &C) -> Result<Vec<MediaInfo>, Internal> {
    Ok(repo::media_list(conn).await?)
}

/// A stored file by its name, for the public image and media routes.
pub async fn stored_file<C: ConnectionTrait>(
    conn: &C,
    name: &str,
) -> Result<Option<StoredFile>, Internal> {
    Ok(repo::media_by_name(conn, name).await?)
}
