//! Writing the handbook: articles saved as revisions (who and when), publishing, the seed of
//! the first articles, and the pictures, video and audio authors upload.

use chrono::{DateTime, Utc};
use hocvuso_db::repo::handbook::{self as repo, NewMedia, NewRevision};
use hocvuso_db::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait};
use hocvuso_domain::text::{fold, nfc};
use hocvuso_domain::Role;

use crate::content;
use crate::services::accounts::sign_in::SessionUser;
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::shared::media;
use crate::services::Internal;

use super::*;

/// Loads the shipped chapters, articles (published, as revision 1 with no author) and images
/// that the database does not have yet. Articles already there are left as authors made them.
pub async fn seed(txn: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), Internal> {
    let shipped = content::shipped_handbook().map_err(|e| Internal::Other(e.to_string()))?;
    let mut chapter_ids = Vec::new();
    for (i, c) in shipped.chapters.iter().enumerate() {
        let ch = repo::ensure_chapter(txn, &c.slug, &c.title, &c.summary, i as i32 + 1).await?;
        chapter_ids.push((c.slug.clone(), ch.id));
    }
    for (name, svg) in &shipped.images {
        if repo::media_by_name(txn, name).await?.is_none() {
            let (width, height) = media::svg_size(svg).unzip();
            repo::insert_media(
                txn,
                NewMedia {
                    name,
                    content_type: "image/svg+xml",
                    bytes: svg.as_bytes(),
                    alt: &media::svg_title(svg).unwrap_or_default(),
                    width,
                    height,
                    uploaded_by: None,
                },
                now,
            )
            .await?;
        }
    }
    for a in &shipped.articles {
        if repo::article_by_slug(txn, &a.slug).await?.is_some() {
            continue;
        }
        let Some((_, chapter_id)) = chapter_ids.iter().find(|(s, _)| *s == a.chapter) else {
            continue;
        };
        let article = repo::insert_article(txn, &a.slug, *chapter_id, a.position, now).await?;
        let rev = repo::add_revision(
            txn,
            article.id,
            NewRevision {
                title: &a.front.title,
                summary: &a.front.summary,
                keywords: &a.front.keywords.join(", "),
                related: &a.front.related.join(", "),
                body_md: &a.body,
                author_id: None,
            },
            // The day the content last changed, which "Cập nhật ngày" shows.
            crate::clock::start_of_vietnam_day(a.updated),
        )
        .await?;
        repo::set_published(txn, article.id, Some(rev.number), now).await?;
    }
    Ok(())
}
/// Authors and the province administrator write the handbook.
pub fn may_author(user: &SessionUser) -> bool {
    user.has(Role::Author) || user.is_province_admin()
}
/// What an author submits.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ArticleInput {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub chapter: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub keywords: String,
    #[serde(default)]
    pub related: String,
    #[serde(default)]
    pub body: String,
}
/// Turns a Vietnamese title into a URL slug: "Cài đặt VNeID" → "cai-dat-vneid".
pub fn slug_from(title: &str) -> String {
    let folded = fold(title);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    out.chars()
        .take(80)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}
pub(super) struct Clean {
    chapter_id: i64,
    title: String,
    summary: String,
    keywords: String,
    related: String,
    body: String,
}
pub(super) async fn validate<C: ConnectionTrait>(
    conn: &C,
    input: &ArticleInput,
    own_slug: &str,
) -> Result<Result<Clean, FieldErrors>, DbErr> {
    let mut errors: FieldErrors = Vec::new();
    let title = nfc(input.title.trim());
    let summary = nfc(input.summary.trim());
    let body = nfc(input.body.trim()).replace("\r\n", "\n");
    match title.chars().count() {
        0 => errors.push(("title", "Hãy nhập tiêu đề.".to_owned())),
        n if n > 150 => errors.push(("title", "Tiêu đề dài quá 150 ký tự.".to_owned())),
        _ => {}
    }
    let chapters = repo::chapters(conn).await?;
    let chapter = chapters.iter().find(|c| c.slug == input.chapter);
    if chapter.is_none() {
        errors.push(("chapter", "Hãy chọn chương cho bài viết.".to_owned()));
    }
    match summary.chars().count() {
        0 => errors.push(("summary", "Hãy nhập tóm tắt một, hai câu.".to_owned())),
        n if n > 300 => errors.push(("summary", "Tóm tắt dài quá 300 ký tự.".to_owned())),
        _ => {}
    }
    if body.is_empty() {
        errors.push(("body", "Hãy viết nội dung bài.".to_owned()));
    } else if body.chars().count() > 30_000 {
        errors.push((
            "body",
            "Nội dung dài quá 30.000 ký tự; hãy tách thành nhiều bài.".to_owned(),
        ));
    }
    let mut missing = Vec::new();
    for name in content::image_names(&body) {
        if repo::media_by_name(conn, name).await?.is_none() {
            missing.push(name.to_owned());
        }
    }
    if !missing.is_empty() {
        errors.push((
            "body",
            format!(
                "Chưa có ảnh: {}. Hãy tải ảnh lên trước, rồi chép đúng dòng ảnh vào bài.",
                missing.join(", ")
            ),
        ));
    }
    let keywords = split_list(&nfc(&input.keywords.to_lowercase())).join(", ");
    if keywords.chars().count() > 500 {
        errors.push(("keywords", "Từ khóa dài quá 500 ký tự.".to_owned()));
    }
    let mut related = Vec::new();
    let mut unknown = Vec::new();
    for s in split_list(&input.related) {
        if s == own_slug {
            continue;
        }
        match repo::article_by_slug(conn, &s).await? {
            Some(_) => related.push(s),
            None => unknown.push(s),
        }
    }
    if !unknown.is_empty() {
        errors.push((
            "related",
            format!(
                "Không có bài viết với mã: {}. Hãy dùng mã trong địa chỉ bài, ví dụ cai-dat-vneid.",
                unknown.join(", ")
            ),
        ));
    }
    Ok(match (errors.is_empty(), chapter) {
        (true, Some(ch)) => Ok(Clean {
            chapter_id: ch.id,
            title,
            summary,
            keywords,
            related: related.join(", "),
            body,
        }),
        _ => Err(errors),
    })
}
pub(super) async fn add_revision(
    txn: &DatabaseTransaction,
    article_id: i64,
    clean: &Clean,
    author: &SessionUser,
    publish: bool,
    now: DateTime<Utc>,
) -> Result<i32, DbErr> {
    let rev = repo::add_revision(
        txn,
        article_id,
        NewRevision {
            title: &clean.title,
            summary: &clean.summary,
            keywords: &clean.keywords,
            related: &clean.related,
            body_md: &clean.body,
            author_id: Some(author.person_id),
        },
        now,
    )
    .await?;
    if publish {
        repo::set_published(txn, article_id, Some(rev.number), now).await?;
    }
    Ok(rev.number)
}
/// Creates an article (a draft, or published at once). Returns its id.
pub async fn create(
    state: &Runtime,
    author: &SessionUser,
    input: &ArticleInput,
    publish: bool,
) -> Result<i64, FormError> {
    let slug = if input.slug.trim().is_empty() {
        slug_from(&input.title)
    } else {
        input.slug.trim().to_ascii_lowercase()
    };
    let txn = state.db.write().begin().await?;
    let clean = validate(&txn, input, &slug).await?;
    let mut errors = match &clean {
        Ok(_) => Vec::new(),
        Err(e) => e.clone(),
    };
    // The slug's message goes right after the title's, as the fields stand on the form. An
    // empty title leaves nothing to make a slug from; the title's message says what to do.
    let slug_error = if slug.is_empty() && input.slug.trim().is_empty() {
        None
    } else if !content::is_slug(&slug) {
        Some(
            "Mã bài chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang, ví dụ cai-dat-vneid."
                .to_owned(),
        )
    } else if repo::article_by_slug(&txn, &slug).await?.is_some() {
        Some(format!(
            "Đã có bài viết với mã \"{slug}\"; hãy chọn mã khác."
        ))
    } else {
        None
    };
    if let Some(message) = slug_error {
        let at = errors.iter().take_while(|(f, _)| *f == "title").count();
        errors.insert(at, ("slug", message));
    }
    let clean = match clean {
        Ok(c) if errors.is_empty() => c,
        _ => return Err(FormError::Invalid(errors)),
    };
    let now = state.clock.now();
    let position = repo::next_position(&txn, clean.chapter_id).await?;
    let article = repo::insert_article(&txn, &slug, clean.chapter_id, position, now).await?;
    add_revision(&txn, article.id, &clean, author, publish, now).await?;
    mark_changed(&txn).await?;
    txn.commit().await?;
    reload(state).await?;
    Ok(article.id)
}
/// Saves a new revision of an article (a draft, or published at once). Readers keep seeing the
/// published revision until an author publishes another.
pub async fn update(
    state: &Runtime,
    author: &SessionUser,
    article_id: i64,
    input: &ArticleInput,
    publish: bool,
) -> Result<i32, FormError> {
    let txn = state.db.write().begin().await?;
    let article = repo::article_by_id(&txn, article_id)
        .await?
        .ok_or_else(|| FormError::Invalid(vec![("article", "Không có bài viết này.".into())]))?;
    let clean = validate(&txn, input, &article.slug)
        .await?
        .map_err(FormError::Invalid)?;
    let now = state.clock.now();
    if clean.chapter_id != article.chapter_id {
        let position = repo::next_position(&txn, clean.chapter_id).await?;
        repo::set_chapter(&txn, article.id, clean.chapter_id, position).await?;
    }
    let number = add_revision(&txn, article.id, &clean, author, publish, now).await?;
    mark_changed(&txn).await?;
    txn.commit().await?;
    reload(state).await?;
    Ok(number)
}
/// Shows revision `number` to readers (`None` takes the article down).
pub async fn set_published(
    state: &Runtime,
    article_id: i64,
    number: Option<i32>,
) -> Result<bool, Internal> {
    let txn = state.db.write().begin().await?;
    let exists = match number {
        Some(n) => repo::revision(&txn, article_id, n).await?.is_some(),
        None => repo::article_by_id(&txn, article_id).await?.is_some(),
    };
    if !exists {
        return Ok(false);
    }
    repo::set_published(&txn, article_id, number, state.clock.now()).await?;
    mark_changed(&txn).await?;
    txn.commit().await?;
    reload(state).await?;
    Ok(true)
}
/// Stores an uploaded image after checking its type and size. Returns its name (shown at
/// `/anh/<name>`).
pub async fn upload_image(
    state: &Runtime,
    author: &SessionUser,
    file_name: &str,
    bytes: &[u8],
    alt: &str,
) -> Result<String, FormError> {
    let mut errors: FieldErrors = Vec::new();
    let alt = nfc(alt.trim());
    if alt.chars().count() < 3 {
        errors.push((
            "alt",
            "Hãy mô tả ảnh bằng lời (cho người không nhìn thấy ảnh).".to_owned(),
        ));
    }
    let kind = match media::sniff(bytes) {
        Ok(k) => Some(k),
        Err(message) => {
            errors.push(("file", message.to_owned()));
            None
        }
    };
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(FormError::Invalid(errors));
    };
    // Large pictures are shrunk for phones on slow networks (the name keeps the original's
    // digest, so uploading the same file again finds the stored one).
    let original = bytes.to_vec();
    let fitted = tokio::task::spawn_blocking(move || media::fit_for_phones(&original, kind))
        .await
        .map_err(|e| Internal::Other(e.to_string()))?;
    let (stored, kind) = match fitted {
        Ok(f) => f,
        Err(message) => return Err(FormError::Invalid(vec![("file", message.to_owned())])),
    };
    let stem = slug_from(file_name.rsplit_once('.').map_or(file_name, |(s, _)| s));
    let stem: String = stem.chars().take(40).collect();
    let digest = crate::services::hex(&sha2_digest(bytes)[..4]);
    let name = if stem.is_empty() {
        format!("anh-{digest}.{}", kind.ext)
    } else {
        format!("{}-{digest}.{}", stem.trim_end_matches('-'), kind.ext)
    };
    let txn = state.db.write().begin().await?;
    if repo::media_by_name(&txn, &name).await?.is_none() {
        repo::insert_media(
            &txn,
            NewMedia {
                name: &name,
                content_type: kind.content_type,
                bytes: &stored,
                alt: &alt,
                width: kind.width,
                height: kind.height,
                uploaded_by: Some(author.person_id),
            },
            state.clock.now(),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(name)
}
/// A stored video or audio file: its name and, when captions came with it, theirs.
pub struct StoredAv {
    pub name: String,
    pub captions: Option<String>,
    pub is_video: bool,
}
/// Stores a video or audio file for lessons, with its description and optional WebVTT captions
/// (both checked first; nothing is stored unless all of it is right). Served with range
/// requests at `/phuong-tien/<name>`.
pub async fn upload_av(
    state: &Runtime,
    author: &SessionUser,
    file_name: &str,
    bytes: &[u8],
    alt: &str,
    captions: &str,
) -> Result<StoredAv, FormError> {
    let mut errors: FieldErrors = Vec::new();
    let kind = match media::sniff_av(bytes) {
        Ok(k) => Some(k),
        Err(m) => {
            errors.push(("av_file", m.to_owned()));
            None
        }
    };
    let alt = nfc(alt.trim());
    if alt.chars().count() < 3 {
        errors.push((
            "av_alt",
            "Hãy mô tả nội dung bằng lời (cho người không xem hoặc không nghe được).".to_owned(),
        ));
    }
    let captions = captions.trim();
    if !captions.is_empty() {
        if let Err(m) = media::check_vtt(captions) {
            errors.push(("captions", m.to_owned()));
        }
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(FormError::Invalid(errors));
    };
    let stem = slug_from(file_name.rsplit_once('.').map_or(file_name, |(s, _)| s));
    let stem: String = stem.chars().take(40).collect();
    let stem = stem.trim_end_matches('-');
    let digest = crate::services::hex(&sha2_digest(bytes)[..4]);
    let base = if stem.is_empty() {
        format!("phuong-tien-{digest}")
    } else {
        format!("{stem}-{digest}")
    };
    let name = format!("{base}.{}", kind.ext);
    let captions_name = (!captions.is_empty()).then(|| format!("{base}.vtt"));
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    let mut files: Vec<(&str, &str, &[u8])> = vec![(&name, kind.content_type, bytes)];
    if let Some(c) = &captions_name {
        files.push((c, "text/vtt", captions.as_bytes()));
    }
    for (n, content_type, b) in files {
        if repo::media_by_name(&txn, n).await?.is_none() {
            repo::insert_media(
                &txn,
                NewMedia {
                    name: n,
                    content_type,
                    bytes: b,
                    alt: &alt,
                    width: None,
                    height: None,
                    uploaded_by: Some(author.person_id),
                },
                now,
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(StoredAv {
        name,
        captions: captions_name,
        is_video: kind.is_video,
    })
}
pub(super) fn sha2_digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}
/// An article shown to an author (latest revision) with its state.
pub struct AuthorRow {
    pub id: i64,
    pub slug: String,
    pub chapter_title: String,
    pub title: String,
    pub latest: i32,
    pub published: Option<i32>,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub updated_at: DateTime<Utc>,
}
/// Every article with its latest revision, for the authors' list.
pub async fn author_rows(state: &Runtime) -> Result<Vec<AuthorRow>, Internal> {
    let conn = state.db.read();
    let chapters = repo::chapters(conn).await?;
    let latest = repo::latest_revisions(conn).await?;
    let articles = repo::articles(conn).await?;
    let mut rows = Vec::new();
    for ch in &chapters {
        for a in articles.iter().filter(|a| a.chapter_id == ch.id).cloned() {
            let title = latest
                .iter()
                .find(|r| r.article_id == a.id)
                .map(|r| r.title.clone())
                .unwrap_or_default();
            rows.push(AuthorRow {
                id: a.id,
                slug: a.slug,
                chapter_title: ch.title.clone(),
                title,
                latest: a.latest_revision,
                published: a.published_revision,
                helpful_yes: a.helpful_yes,
                helpful_no: a.helpful_no,
                updated_at: a.updated_at,
            });
        }
    }
    Ok(rows)
}
