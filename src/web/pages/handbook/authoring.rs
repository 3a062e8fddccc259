//! Authoring the handbook (authors and the province administrator): the list of articles,
//! new/edit forms (every save is a revision), revisions with who and when, publishing and
//! taking down, and image uploads.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::clock::format_date;
use crate::services::accounts::sign_in::SessionUser;
use crate::services::handbook::articles::{self, ArticleInput};
use crate::services::handbook::desk;
use crate::services::shared::form::FormError;
use crate::services::shared::markdown;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::{Choice, Errors};

fn author(ctx: &Ctx) -> Result<&SessionUser, WebError> {
    let user = ctx.user()?;
    if articles::may_author(user) {
        Ok(user)
    } else {
        Err(WebError::Forbidden)
    }
}

pub struct Row {
    pub id: i64,
    pub slug: String,
    pub chapter_title: String,
    pub title: String,
    pub state: &'static str,
    pub has_draft: bool,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub updated_on: String,
}

#[derive(Template)]
#[template(path = "handbook/authoring/list.html")]
pub struct ListPage {
    pub l: Chrome,
    pub rows: Vec<Row>,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    author(&ctx)?;
    let rows = articles::author_rows(&state)
        .await?
        .into_iter()
        .map(|r| Row {
            id: r.id,
            slug: r.slug,
            chapter_title: r.chapter_title,
            title: r.title,
            state: if r.published.is_some() {
                "Đang hiển thị"
            } else {
                "Bản nháp"
            },
            has_draft: r.published.is_some_and(|p| p < r.latest),
            helpful_yes: r.helpful_yes,
            helpful_no: r.helpful_no,
            updated_on: format_date(r.updated_at),
        })
        .collect();
    let page = ListPage {
        l: ctx.chrome("Biên tập sổ tay"),
        rows,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "handbook/authoring/edit.html")]
pub struct EditPage {
    pub l: Chrome,
    pub errors: Errors,
    /// `None` for a new article.
    pub id: Option<i64>,
    pub input: ArticleInput,
    pub chapters: Vec<Choice>,
    pub published: Option<i32>,
    pub latest: i32,
    pub preview: String,
    /// Just saved (shown once after the redirect).
    pub saved: bool,
}

/// Every chapter, the one whose slug is `selected` marked.
async fn chapter_options(state: &AppState, selected: &str) -> Result<Vec<Choice>, WebError> {
    Ok(desk::chapters(state.db.read())
        .await?
        .into_iter()
        .map(|c| Choice {
            selected: c.slug == selected,
            value: c.slug,
            label: c.title,
        })
        .collect())
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    author(&ctx)?;
    let page = EditPage {
        l: ctx.chrome("Viết bài mới"),
        errors: Errors::default(),
        id: None,
        input: ArticleInput::default(),
        chapters: chapter_options(&state, "").await?,
        published: None,
        latest: 0,
        preview: String::new(),
        saved: false,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(flatten)]
    input: ArticleInput,
    /// Which button: `nhap` (save a draft) or `xuat_ban` (save and publish).
    #[serde(default, rename = "luu")]
    save: String,
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    form: CsrfForm<EditForm>,
) -> Result<Response, WebError> {
    let user = author(&ctx)?;
    let publish = form.data.save == "xuat_ban";
    match articles::create(&state, user, &form.data.input, publish).await {
        Ok(id) => Ok(see_other(&format!("/bien-tap/so-tay/{id}?da-luu=1"))),
        Err(FormError::Invalid(errors)) => {
            let chapters = chapter_options(&state, &form.data.input.chapter).await?;
            let page = EditPage {
                l: ctx.chrome("Viết bài mới"),
                errors: errors.into(),
                id: None,
                input: form.data.input,
                chapters,
                published: None,
                latest: 0,
                preview: String::new(),
                saved: false,
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    author(&ctx)?;
    let conn = state.db.read();
    let (article, rev) = desk::article_revision(conn, id, None)
        .await?
        .ok_or(WebError::NotFound)?;
    let chapters = desk::chapters(conn).await?;
    let chapter = chapters
        .iter()
        .find(|c| c.id == article.chapter_id)
        .map(|c| c.slug.clone())
        .unwrap_or_default();
    let chapter_choices = chapter_options(&state, &chapter).await?;
    let page = EditPage {
        l: ctx.chrome(format!("Sửa bài: {}", rev.title)),
        errors: Errors::default(),
        id: Some(id),
        preview: markdown::to_html(&rev.body_md),
        input: ArticleInput {
            slug: article.slug,
            chapter,
            title: rev.title,
            summary: rev.summary,
            keywords: rev.keywords,
            related: rev.related,
            body: rev.body_md,
        },
        chapters: chapter_choices,
        published: article.published_revision,
        latest: article.latest_revision,
        saved: ctx.path.ends_with("?da-luu=1"),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    form: CsrfForm<EditForm>,
) -> Result<Response, WebError> {
    let user = author(&ctx)?;
    let publish = form.data.save == "xuat_ban";
    match articles::update(&state, user, id, &form.data.input, publish).await {
        Ok(_) => Ok(see_other(&format!("/bien-tap/so-tay/{id}?da-luu=1"))),
        Err(FormError::Invalid(errors)) => {
            let article = desk::article(state.db.read(), id)
                .await?
                .ok_or(WebError::NotFound)?;
            let mut input = form.data.input;
            input.slug = article.slug;
            let chapters = chapter_options(&state, &input.chapter).await?;
            let page = EditPage {
                l: ctx.chrome("Sửa bài"),
                errors: errors.into(),
                id: Some(id),
                input,
                chapters,
                published: article.published_revision,
                latest: article.latest_revision,
                preview: String::new(),
                saved: false,
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

pub struct RevisionRow {
    pub number: i32,
    pub title: String,
    pub author: String,
    pub saved_on: String,
    pub shown: bool,
}

#[derive(Template)]
#[template(path = "handbook/authoring/revisions.html")]
pub struct RevisionsPage {
    pub l: Chrome,
    pub id: i64,
    pub slug: String,
    pub rows: Vec<RevisionRow>,
    pub published: Option<i32>,
}

pub async fn revisions(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    author(&ctx)?;
    let (article, saved) = desk::revisions(state.db.read(), id)
        .await?
        .ok_or(WebError::NotFound)?;
    let rows = saved
        .into_iter()
        .map(|s| RevisionRow {
            number: s.revision.number,
            title: s.revision.title,
            author: s.author,
            saved_on: crate::clock::format_date_time(s.revision.created_at),
            shown: article.published_revision == Some(s.revision.number),
        })
        .collect();
    let page = RevisionsPage {
        l: ctx.chrome("Các phiên bản"),
        id,
        slug: article.slug,
        rows,
        published: article.published_revision,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "handbook/authoring/revision.html")]
pub struct RevisionPage {
    pub l: Chrome,
    pub id: i64,
    pub number: i32,
    pub title: String,
    pub summary: String,
    pub html: String,
    pub shown: bool,
}

pub async fn revision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, number)): Path<(i64, i32)>,
) -> Result<Response, WebError> {
    author(&ctx)?;
    let (article, r) = desk::article_revision(state.db.read(), id, Some(number))
        .await?
        .ok_or(WebError::NotFound)?;
    let page = RevisionPage {
        l: ctx.chrome(format!("Phiên bản {number}: {}", r.title)),
        id,
        number,
        html: markdown::to_html(&r.body_md),
        title: r.title,
        summary: r.summary,
        shown: article.published_revision == Some(number),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct PublishForm {
    /// The revision to show; empty takes the article down.
    #[serde(default, rename = "so")]
    revision: String,
}

pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    form: CsrfForm<PublishForm>,
) -> Result<Response, WebError> {
    author(&ctx)?;
    let number = match form.data.revision.trim() {
        "" => None,
        n => Some(
            n.parse::<i32>()
                .map_err(|_| WebError::Refused("Số phiên bản không hợp lệ.".into()))?,
        ),
    };
    if !articles::set_published(&state, id, number).await? {
        return Err(WebError::NotFound);
    }
    Ok(see_other(&format!("/bien-tap/so-tay/{id}/phien-ban")))
}

pub struct ImageRow {
    pub name: String,
    pub alt: String,
    pub size: String,
    /// The Markdown line that shows it in an article or lesson.
    pub line: String,
}

#[derive(Template)]
#[template(path = "handbook/authoring/images.html")]
pub struct ImagesPage {
    pub l: Chrome,
    pub errors: Errors,
    pub alt: String,
    /// The image just uploaded: its name and description, for the line to copy.
    pub uploaded: Option<ImageRow>,
    pub images: Vec<ImageRow>,
}

async fn images_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    errors: Errors,
    alt: String,
    uploaded: Option<String>,
) -> Result<Response, WebError> {
    let all = desk::media(state.db.read()).await?;
    let images: Vec<ImageRow> = all
        .iter()
        .filter(|m| m.content_type != "text/vtt")
        .map(|m| {
            let av = m.content_type.starts_with("video/") || m.content_type.starts_with("audio/");
            let captions = m
                .name
                .rsplit_once('.')
                .map(|(stem, _)| format!("{stem}.vtt"))
                .filter(|c| all.iter().any(|x| &x.name == c));
            ImageRow {
                size: match (m.width, m.height) {
                    (Some(w), Some(h)) => format!("{w} × {h}"),
                    _ if av => m.content_type.clone(),
                    _ => String::new(),
                },
                line: match (av, captions) {
                    (true, Some(c)) => format!("![{}](/phuong-tien/{} \"{c}\")", m.alt, m.name),
                    (true, None) => format!("![{}](/phuong-tien/{})", m.alt, m.name),
                    (false, _) => format!("![{}](/anh/{})", m.alt, m.name),
                },
                name: m.name.clone(),
                alt: m.alt.clone(),
            }
        })
        .collect();
    let uploaded = uploaded.and_then(|name| {
        images.iter().find(|i| i.name == name).map(|i| ImageRow {
            name: i.name.clone(),
            alt: i.alt.clone(),
            size: i.size.clone(),
            line: i.line.clone(),
        })
    });
    let page = ImagesPage {
        l: ctx.chrome("Ảnh cho bài viết"),
        errors,
        alt,
        uploaded,
        images,
    };
    Ok(render(ctx, status, &page))
}

pub async fn images(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    author(&ctx)?;
    let uploaded = ctx
        .path
        .split_once("?anh=")
        .map(|(_, n)| n.to_owned())
        .filter(|n| crate::content::is_slug(&n.replace('.', "-")));
    images_page(
        &state,
        &ctx,
        StatusCode::OK,
        Errors::default(),
        String::new(),
        uploaded,
    )
    .await
}

/// Video or audio upload (multipart): `csrf_token`, `av_alt`, `av_file`, optional `captions`
/// (a WebVTT file).
pub async fn upload_av(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let user = author(&ctx)?;
    let upload = crate::web::pages::Upload::read(&state, &ctx, multipart, "av_file", 51).await?;
    let alt = upload.field("av_alt").to_owned();
    match articles::upload_av(
        &state,
        user,
        &upload.file_name,
        &upload.bytes,
        &alt,
        upload.field("captions"),
    )
    .await
    {
        Ok(stored) => Ok(see_other(&format!("/bien-tap/anh?anh={}", stored.name))),
        Err(FormError::Invalid(errors)) => {
            images_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors.into(),
                String::new(),
                None,
            )
            .await
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

/// Upload form (multipart): `csrf_token`, `alt`, `file`.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let user = author(&ctx)?;
    let upload = crate::web::pages::Upload::read(&state, &ctx, multipart, "file", 2).await?;
    let alt = upload.field("alt").to_owned();
    match articles::upload_image(&state, user, &upload.file_name, &upload.bytes, &alt).await {
        Ok(name) => Ok(see_other(&format!("/bien-tap/anh?anh={name}"))),
        Err(FormError::Invalid(errors)) => {
            images_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors.into(),
                alt,
                None,
            )
            .await
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}
