//! The handbook (Sổ tay điện tử): public articles in chapters, their authoring (every save is a
//! revision with who and when; readers see the published one), "was this helpful?" votes,
//! images, and the search index over articles, courses and lessons.
//!
//! Readers are served from memory ([`Handbook`], rebuilt from the database at start and after
//! every change an author makes in this process), so an article page does not touch the
//! database.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use hocvuso_db::repo::handbook::{self as repo};
use hocvuso_db::{ConnectionTrait, DbErr};

use crate::services::handbook::search::{snippet, DocKind, SearchDoc, SearchIndex};
use crate::services::learning::catalog::Catalog;
use crate::services::runtime::Runtime;
use crate::services::shared::markdown::plain_text;
use crate::services::Internal;

mod authoring;

pub use authoring::*;

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
/// Counts a "was this helpful?" answer for a published article.
pub async fn vote(state: &Runtime, article_id: i64, helpful: bool) -> Result<bool, Internal> {
    Ok(repo::vote(state.db.write(), article_id, helpful).await?)
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
