//! The public handbook (no login): chapters, articles, print view with a QR code, "was this
//! helpful?", images, search, and the offline script.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::clock::format_date;
use crate::services::handbook::articles::{self, Handbook, HbArticle};
use crate::services::shared::markdown;
use crate::services::shared::qr;
use crate::state::AppState;
use crate::web::cookies;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render_readable, see_other, Chrome};

/// Cookie listing the articles this browser has voted on.
const VOTED: &str = "hv_voted";

pub struct ArticleLink {
    pub slug: String,
    pub title: String,
    pub summary: String,
}

fn link(a: &HbArticle) -> ArticleLink {
    ArticleLink {
        slug: a.slug.clone(),
        title: a.title.clone(),
        summary: a.summary.clone(),
    }
}

pub struct ChapterView {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub articles: Vec<ArticleLink>,
}

#[derive(Template)]
#[template(path = "handbook/reading/index.html")]
pub struct IndexPage {
    pub l: Chrome,
    pub chapters: Vec<ChapterView>,
}

#[derive(Template)]
#[template(path = "handbook/reading/article.html")]
pub struct ArticlePage {
    pub l: Chrome,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub html: String,
    pub chapter_slug: String,
    pub chapter_title: String,
    pub updated_on: String,
    pub related: Vec<ArticleLink>,
    pub voted: bool,
}

#[derive(Template)]
#[template(path = "handbook/reading/print.html")]
pub struct PrintPage {
    pub l: Chrome,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub html: String,
    pub chapter_title: String,
    pub updated_on: String,
    pub url: String,
}

fn chapters(h: &Handbook) -> Vec<ChapterView> {
    h.chapters
        .iter()
        .filter(|c| !c.articles.is_empty())
        .map(|c| ChapterView {
            slug: c.slug.clone(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            articles: c.articles.iter().map(|&i| link(&h.articles[i])).collect(),
        })
        .collect()
}

pub async fn index(State(state): State<AppState>, ctx: Ctx) -> Response {
    let h = state.handbook.current();
    let page = IndexPage {
        l: ctx.chrome("Sổ tay điện tử"),
        chapters: chapters(&h),
    };
    render_readable(&ctx, StatusCode::OK, &page)
}

pub async fn article(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let h = state.handbook.current();
    let a = h.by_slug(&slug).ok_or(WebError::NotFound)?;
    let chapter = h.chapter_of(a);
    let page = ArticlePage {
        l: ctx.chrome(a.title.clone()),
        slug: a.slug.clone(),
        title: a.title.clone(),
        summary: a.summary.clone(),
        html: markdown::to_html(&a.body_md),
        chapter_slug: chapter.slug.clone(),
        chapter_title: chapter.title.clone(),
        updated_on: format_date(a.updated_at),
        related: h.related_to(a).into_iter().map(link).collect(),
        voted: articles::voted_ids(cookies::get(&headers, VOTED)).contains(&a.id),
    };
    Ok(render_readable(&ctx, StatusCode::OK, &page))
}

pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let h = state.handbook.current();
    let a = h.by_slug(&slug).ok_or(WebError::NotFound)?;
    let page = PrintPage {
        l: ctx.chrome(format!("In: {}", a.title)),
        slug: a.slug.clone(),
        title: a.title.clone(),
        summary: a.summary.clone(),
        html: markdown::to_html(&a.body_md),
        chapter_title: h.chapter_of(a).title.clone(),
        updated_on: format_date(a.updated_at),
        url: format!("{}/so-tay/{}", state.config.site_url(), a.slug),
    };
    Ok(render_readable(&ctx, StatusCode::OK, &page))
}

/// The QR code of an article's address, as SVG (for posters at commune offices).
pub async fn qr_code(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let h = state.handbook.current();
    let a = h.by_slug(&slug).ok_or(WebError::NotFound)?;
    let url = format!("{}/so-tay/{}", state.config.site_url(), a.slug);
    let svg = qr::svg(&url, &format!("Mã QR: {}", a.title)).ok_or(WebError::NotFound)?;
    let mut res = svg.into_response();
    let hm = res.headers_mut();
    hm.insert(CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    hm.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    hm.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(res)
}

#[derive(Deserialize)]
pub struct VoteForm {
    #[serde(default, rename = "huu_ich")]
    helpful: String,
}

pub async fn vote(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    form: CsrfForm<VoteForm>,
) -> Result<Response, WebError> {
    let h = state.handbook.current();
    let a = h.by_slug(&slug).ok_or(WebError::NotFound)?;
    let helpful = match form.data.helpful.as_str() {
        "co" => true,
        "khong" => false,
        _ => return Err(WebError::Refused("Hãy chọn Có hoặc Không.".into())),
    };
    let mut voted = articles::voted_ids(cookies::get(&headers, VOTED));
    if !voted.contains(&a.id) {
        articles::vote(&state, a.id, helpful).await?;
        voted.insert(a.id);
    }
    let mut ids: Vec<i64> = voted.into_iter().collect();
    ids.sort_unstable();
    // Keep the cookie small: the most recent 200 articles are plenty.
    let keep = ids.len().saturating_sub(200);
    let value = ids[keep..]
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(".");
    let mut res = see_other(&format!("/so-tay/{}#danh-gia", a.slug));
    cookies::set(
        res.headers_mut(),
        VOTED,
        &value,
        Some(365 * 24 * 3600),
        state.config.https(),
    );
    Ok(res)
}

/// An image from the database, and nothing else (video and audio are at `/phuong-tien/`).
/// Names of uploads carry a digest of their bytes, so they can be cached for long; SVG is
/// shown sandboxed (no scripts even if opened directly).
pub async fn image(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let file = crate::services::handbook::desk::stored_file(state.db.read(), &name)
        .await?
        .filter(|f| f.content_type.starts_with("image/"))
        .ok_or(WebError::NotFound)?;
    let size = u64::try_from(file.size).unwrap_or(0);
    let mut res = stored_body(&state, &file, 0, size)?.into_response();
    stored_file_headers(
        res.headers_mut(),
        &file.content_type,
        "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
    Ok(res)
}

/// Bytes `start..start + len` of a stored file, streamed a part at a time with its length
/// set; 503 "busy" when [`crate::services::shared::limits::MEDIA_STREAMS`] files are already being sent.
fn stored_body(
    state: &AppState,
    file: &hocvuso_db::repo::handbook::StoredFile,
    start: u64,
    len: u64,
) -> Result<Response, WebError> {
    let permit = state
        .limits
        .media_streams
        .clone()
        .try_acquire_owned()
        .map_err(|_| WebError::Internal(crate::services::Internal::Busy))?;
    let parts = crate::services::shared::media::stream(
        state.db.read().clone(),
        file.id,
        start,
        len,
        permit,
    );
    let mut res = axum::body::Body::from_stream(parts).into_response();
    res.headers_mut()
        .insert(axum::http::header::CONTENT_LENGTH, HeaderValue::from(len));
    Ok(res)
}

/// The headers of a file stored in the database (images, video, audio, captions): its type,
/// a day's caching (names carry a digest of the bytes), a sandboxing CSP and no sniffing.
fn stored_file_headers(h: &mut HeaderMap, content_type: &str, csp: &'static str) {
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(CONTENT_TYPE, v);
    }
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    h.insert(
        axum::http::HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
}

/// A video, audio or captions file for lessons, with range requests: players fetch what they
/// play, a part at a time (at most 4 MB an answer), and nothing before the learner presses play.
pub async fn av(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    use crate::services::shared::media::{range_ask, RangeAsk};
    use axum::http::header::{ACCEPT_RANGES, CONTENT_RANGE, RANGE};
    let file = crate::services::handbook::desk::stored_file(state.db.read(), &name)
        .await?
        .filter(|f| {
            let t = &f.content_type;
            t.starts_with("video/") || t.starts_with("audio/") || t == "text/vtt"
        })
        .ok_or(WebError::NotFound)?;
    let size = u64::try_from(file.size).unwrap_or(0);
    let ask = range_ask(headers.get(RANGE).and_then(|v| v.to_str().ok()), size);
    let (status, start, end) = match ask {
        RangeAsk::Whole => (StatusCode::OK, 0, size.saturating_sub(1)),
        RangeAsk::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end),
        RangeAsk::Outside => {
            let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                res.headers_mut().insert(CONTENT_RANGE, v);
            }
            return Ok(res);
        }
    };
    let len = if size == 0 { 0 } else { end - start + 1 };
    let mut res = stored_body(&state, &file, start, len)?;
    *res.status_mut() = status;
    let h = res.headers_mut();
    stored_file_headers(h, &file.content_type, "default-src 'none'; sandbox");
    h.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if status == StatusCode::PARTIAL_CONTENT {
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
            h.insert(CONTENT_RANGE, v);
        }
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "handbook/reading/search.html")]
pub struct SearchPage {
    pub l: Chrome,
    pub q: String,
    pub hits: Vec<articles::Found>,
}

#[derive(Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// Results shown on one page (people rarely look further; refine the words instead).
const RESULTS: usize = 20;

pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<SearchQuery>,
) -> Response {
    let q: String = query.q.trim().chars().take(200).collect();
    let h = state.handbook.current();
    let hits = h.search(&state.catalog.current(), &q, RESULTS);
    let title = if q.is_empty() {
        "Tìm kiếm".to_owned()
    } else {
        format!("Tìm: {q}")
    };
    let page = SearchPage {
        l: ctx.chrome(title),
        q,
        hits,
    };
    render_readable(&ctx, StatusCode::OK, &page)
}

/// The whole handbook as one PDF with a table of contents, for printing.
pub async fn pdf(State(state): State<AppState>) -> Result<Response, WebError> {
    let h = state.handbook.current();
    let bytes = match h.pdf.get() {
        Some(b) => b.clone(),
        None => {
            let site = state.config.site_url();
            let today = format_date(state.clock.now());
            let issuer = state.config.issuer.clone();
            let hb = h.clone();
            let made =
                tokio::task::spawn_blocking(move || articles::pdf(&hb, &issuer, &site, &today))
                    .await
                    .map_err(|e| {
                        WebError::Internal(crate::services::Internal::Other(e.to_string()))
                    })??;
            let _ = h.pdf.set(made.clone());
            made
        }
    };
    let mut res = bytes.into_response();
    let hm = res.headers_mut();
    hm.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    hm.insert(
        axum::http::header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"so-tay-binh-dan-hoc-vu-so.pdf\""),
    );
    hm.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=600"),
    );
    Ok(res)
}

const HANDBOOK_JS: &str = include_str!("../../../../static/handbook.js");
const SERVICE_WORKER_JS: &str = include_str!("../../../../static/sw.js");

fn javascript(body: &'static str, cache: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// Registers the service worker (progressive: pages work the same without it).
pub async fn handbook_js() -> Response {
    javascript(HANDBOOK_JS, "public, max-age=86400")
}

/// The service worker keeps the handbook pages a reader has opened, for reading offline. It is
/// served from the root so its scope covers `/so-tay/`; never cached long, so updates arrive.
pub async fn service_worker() -> Response {
    javascript(SERVICE_WORKER_JS, "no-cache")
}
