//! The handbook (Sổ tay điện tử): public articles in chapters, their authoring (every save is a
//! revision with who and when; readers see the published one), "was this helpful?" votes,
//! images, and the search index over articles, courses and lessons.
//!
//! Readers are served from memory ([`Handbook`], rebuilt from the database at start and after
//! every change an author makes in this process), so an article page does not touch the
//! database.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use hocvuso_db::repo::handbook::{self as repo, NewMedia, NewRevision};
use hocvuso_db::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait};
use hocvuso_domain::text::{fold, nfc};
use hocvuso_domain::Role;

use crate::content;
use crate::services::accounts::sign_in::SessionUser;
use crate::services::handbook::search::{snippet, DocKind, SearchDoc, SearchIndex};
use crate::services::learning::catalog::Catalog;
use crate::services::runtime::Runtime;
use crate::services::shared::form::{FieldErrors, FormError};
use crate::services::shared::markdown::plain_text;
use crate::services::shared::media;
use crate::services::Internal;

/// Where a searched text comes from (to make its snippet from its body).
enum Source {
    Article(usize),
    Course(i64),
    Lesson(i64, i32),
}

/// A search result ready to show.
pub struct Found {
    pub label: &'static str,
    pub url: String,
    pub title_html: String,
    pub context: String,
    pub snippet_html: String,
}

pub struct HbChapter {
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// Indexes into [`Handbook::articles`], in order.
    pub articles: Vec<usize>,
}

pub struct HbArticle {
    pub id: i64,
    pub slug: String,
    /// Index into [`Handbook::chapters`].
    pub chapter: usize,
    pub title: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub related: Vec<String>,
    pub body_md: String,
    pub revision: i32,
    pub updated_at: DateTime<Utc>,
}

/// The published handbook and the search index, in memory.
#[derive(Default)]
pub struct Handbook {
    pub chapters: Vec<HbChapter>,
    pub articles: Vec<HbArticle>,
    pub search: SearchIndex,
    /// Where each searched text's body is, by its index in the search index.
    sources: Vec<Source>,
    /// The whole handbook as a printable PDF, made on first request.
    pub pdf: std::sync::OnceLock<Vec<u8>>,
}

impl Handbook {
    pub async fn load<C: ConnectionTrait>(conn: &C, catalog: &Catalog) -> Result<Self, DbErr> {
        let chapters = repo::chapters(conn).await?;
        let all = repo::articles(conn).await?;
        let revisions = repo::published_revisions(conn).await?;
        let mut hb = Handbook {
            chapters: chapters
                .iter()
                .map(|c| HbChapter {
                    slug: c.slug.clone(),
                    title: c.title.clone(),
                    summary: c.summary.clone(),
                    articles: Vec::new(),
                })
                .collect(),
            ..Default::default()
        };
        // `all` is in chapter and position order.
        for a in &all {
            let Some(rev) = revisions.iter().find(|r| r.article_id == a.id) else {
                continue;
            };
            let Some(chapter) = chapters.iter().position(|c| c.id == a.chapter_id) else {
                continue;
            };
            hb.chapters[chapter].articles.push(hb.articles.len());
            hb.articles.push(HbArticle {
                id: a.id,
                slug: a.slug.clone(),
                chapter,
                title: rev.title.clone(),
                summary: rev.summary.clone(),
                keywords: split_list(&rev.keywords),
                related: split_list(&rev.related),
                body_md: rev.body_md.clone(),
                revision: rev.number,
                updated_at: rev.created_at,
            });
        }
        // Articles in reading order: chapter by chapter.
        let mut order: Vec<usize> = hb
            .chapters
            .iter()
            .flat_map(|c| c.articles.clone())
            .collect();
        if order.len() != hb.articles.len() {
            order = (0..hb.articles.len()).collect();
        }
        let mut docs = Vec::new();
        for &i in &order {
            let a = &hb.articles[i];
            let doc = SearchDoc {
                kind: DocKind::Article,
                url: format!("/so-tay/{}", a.slug),
                title: a.title.clone(),
                context: hb.chapters[a.chapter].title.clone(),
                keywords: a.keywords.join(", "),
                summary: a.summary.clone(),
            };
            docs.push((doc, plain_text(&a.body_md)));
            hb.sources.push(Source::Article(i));
        }
        for c in catalog.courses() {
            let doc = SearchDoc {
                kind: DocKind::Course,
                url: format!("/khoa-hoc/{}", c.course.slug),
                title: c.course.title.clone(),
                context: c.course.level.clone(),
                keywords: String::new(),
                summary: c.course.summary.clone(),
            };
            docs.push((doc, course_outline(c)));
            hb.sources.push(Source::Course(c.course.id));
            for l in &c.lessons {
                let doc = SearchDoc {
                    kind: DocKind::Lesson,
                    url: format!("/khoa-hoc/{}/bai/{}", c.course.slug, l.lesson.position),
                    title: l.lesson.title.clone(),
                    context: c.course.title.clone(),
                    keywords: String::new(),
                    summary: String::new(),
                };
                docs.push((doc, plain_text(&l.lesson.body_md)));
                hb.sources
                    .push(Source::Lesson(c.course.id, l.lesson.position));
            }
        }
        hb.search = SearchIndex::build(docs);
        Ok(hb)
    }

    /// Searches articles, courses and lessons; each result with a highlighted snippet.
    pub fn search(&self, catalog: &Catalog, query: &str, limit: usize) -> Vec<Found> {
        let results = self.search.search(query, limit);
        results
            .hits
            .into_iter()
            .map(|hit| {
                let body = match self.sources.get(hit.index) {
                    Some(Source::Article(i)) => plain_text(&self.articles[*i].body_md),
                    Some(Source::Course(id)) => {
                        catalog.by_id(*id).map(course_outline).unwrap_or_default()
                    }
                    Some(Source::Lesson(id, n)) => catalog
                        .by_id(*id)
                        .and_then(|c| c.lesson_at(*n))
                        .map(|l| plain_text(&l.lesson.body_md))
                        .unwrap_or_default(),
                    None => String::new(),
                };
                let text = if body.trim().is_empty() {
                    &hit.doc.summary
                } else {
                    &body
                };
                Found {
                    label: hit.doc.kind.label(),
                    url: hit.doc.url.clone(),
                    context: hit.doc.context.clone(),
                    snippet_html: snippet(text, &results.marks, 28),
                    title_html: hit.title_html,
                }
            })
            .collect()
    }

    pub fn by_slug(&self, slug: &str) -> Option<&HbArticle> {
        self.articles.iter().find(|a| a.slug == slug)
    }

    pub fn chapter_of(&self, a: &HbArticle) -> &HbChapter {
        &self.chapters[a.chapter]
    }

    /// The articles named as related first, then others of the same chapter; at most four.
    pub fn related_to(&self, a: &HbArticle) -> Vec<&HbArticle> {
        let mut out: Vec<&HbArticle> = a.related.iter().filter_map(|s| self.by_slug(s)).collect();
        for &i in &self.chapters[a.chapter].articles {
            let other = &self.articles[i];
            if other.id != a.id && !out.iter().any(|o| o.id == other.id) {
                out.push(other);
            }
        }
        out.truncate(4);
        out
    }
}

/// The whole handbook as one printable PDF: cover, table of contents, then every chapter and
/// article (images appear as their description).
pub fn pdf(h: &Handbook, issuer: &str, site: &str, today: &str) -> Result<Vec<u8>, Internal> {
    use hocvuso_pdf::{Block, Document, Orientation, Run};
    let mut blocks = vec![
        Block::Spacer(120.0),
        Block::Title("Sổ tay điện tử".to_owned()),
        Block::Subtitle("Phong trào “Bình dân học vụ số”".to_owned()),
        Block::Subtitle(issuer.to_owned()),
        Block::Spacer(24.0),
        Block::Subtitle(format!("Bản in ngày {today}")),
        Block::Qr {
            data: format!("{site}/so-tay"),
            size_pt: 110.0,
            caption: format!("Đọc bản mới nhất trên mạng: {site}/so-tay"),
        },
        Block::Note(
            "Nội dung theo giấy phép Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0).".to_owned(),
        ),
        Block::PageBreak,
        Block::TableOfContents,
    ];
    for (n, c) in h
        .chapters
        .iter()
        .filter(|c| !c.articles.is_empty())
        .enumerate()
    {
        blocks.push(Block::PageBreak);
        blocks.push(Block::Heading {
            level: 1,
            text: format!("{}. {}", n + 1, c.title),
        });
        for &i in &c.articles {
            let a = &h.articles[i];
            blocks.push(Block::Heading {
                level: 2,
                text: a.title.clone(),
            });
            blocks.push(Block::Paragraph(vec![Run {
                text: a.summary.clone(),
                bold: true,
            }]));
            blocks.extend(hocvuso_pdf::markdown_blocks(&a.body_md));
            blocks.push(Block::Note(format!("{site}/so-tay/{}", a.slug)));
            blocks.push(Block::Spacer(12.0));
        }
    }
    let doc = Document {
        title: "Sổ tay điện tử — Bình dân học vụ số".to_owned(),
        author: issuer.to_owned(),
        orientation: Orientation::Portrait,
        blocks,
        footer: Some("Sổ tay điện tử — Bình dân học vụ số".to_owned()),
    };
    hocvuso_pdf::render(&doc).map_err(|e| Internal::Other(format!("PDF: {e}")))
}

/// A course's searchable text: its lesson titles.
fn course_outline(c: &crate::services::learning::catalog::CatalogCourse) -> String {
    c.lessons
        .iter()
        .map(|l| l.lesson.title.as_str())
        .collect::<Vec<_>>()
        .join(". ")
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The current [`Handbook`], swapped whole when authors change something, with the content
/// version it was built from (setting `handbook_version`, changed in the same transaction as
/// every author's change, so other server processes on the same database notice it).
pub type HandbookStore = crate::services::shared::live::Live<Handbook>;

/// The setting that changes whenever the handbook's published content does.
const VERSION_KEY: &str = "handbook_version";

/// The handbook's content version as stored (empty before any change by an author).
pub async fn stored_version<C: ConnectionTrait>(conn: &C) -> Result<String, DbErr> {
    crate::services::shared::live::stored_version(conn, VERSION_KEY).await
}

/// Marks the handbook changed (call inside the transaction that changes it).
async fn mark_changed<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    crate::services::shared::live::mark_changed(conn, VERSION_KEY).await
}

/// Rebuilds the in-memory handbook from the database after a change made here, and tells the
/// other server processes (they rebuild at once, see [`crate::services::shared::live`]).
pub async fn reload(state: &Runtime) -> Result<(), Internal> {
    rebuild(state).await?;
    crate::services::shared::live::announce(state).await;
    Ok(())
}

/// Rebuilds the in-memory handbook from the database.
pub async fn rebuild(state: &Runtime) -> Result<(), Internal> {
    let conn = state.db.read();
    let version = stored_version(conn).await?;
    let h = Handbook::load(conn, &state.catalog.current()).await?;
    state.handbook.replace(h, version);
    Ok(())
}

/// Rebuilds the handbook if another process changed it since this copy was built. Returns
/// whether it did. The web server runs this every [`crate::services::shared::live::REFRESH_EVERY`].
pub async fn refresh_if_changed(state: &Runtime) -> Result<bool, Internal> {
    if stored_version(state.db.read()).await? == state.handbook.version() {
        return Ok(false);
    }
    rebuild(state).await?;
    Ok(true)
}

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

struct Clean {
    chapter_id: i64,
    title: String,
    summary: String,
    keywords: String,
    related: String,
    body: String,
}

async fn validate<C: ConnectionTrait>(
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

async fn add_revision(
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

/// Counts a "was this helpful?" answer for a published article.
pub async fn vote(state: &Runtime, article_id: i64, helpful: bool) -> Result<bool, Internal> {
    Ok(repo::vote(state.db.write(), article_id, helpful).await?)
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

fn sha2_digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// Words that mark which article was voted on, kept in a cookie so a reader is thanked and not
/// asked again (votes need no login; this is a courtesy, not a guarantee).
pub fn voted_ids(cookie: Option<&str>) -> HashSet<i64> {
    cookie
        .unwrap_or("")
        .split('.')
        .filter_map(|s| s.parse().ok())
        .collect()
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
