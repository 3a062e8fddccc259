//! /tin-tuc for readers: the items live now that are public or addressed to the reader, an
//! item's page, its picture, and the Atom feed of the public ones (`services::news`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::news::items::{self, Card, ItemView};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::Ctx;
use crate::web::page::{render, Chrome};

#[derive(Template)]
#[template(path = "news/reading/list.html")]
pub struct ListPage {
    pub l: Chrome,
    pub cards: Vec<Card>,
    pub page: u64,
    pub more: bool,
    pub signed_in: bool,
}

#[derive(Template)]
#[template(path = "news/reading/item.html")]
pub struct ItemPage {
    pub l: Chrome,
    pub item: ItemView,
}

#[derive(Default, Deserialize)]
pub struct PageQuery {
    #[serde(default, rename = "trang")]
    page: String,
}

/// The reader: the signed-in person, unless a temporary password is still to be changed.
fn reader(ctx: &Ctx) -> Option<&SessionUser> {
    ctx.user
        .as_ref()
        .filter(|_| !ctx.held_for_password_change())
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let page = q.page.trim().parse::<u64>().unwrap_or(1).max(1);
    if page > items::MAX_PAGE {
        return Err(WebError::NotFound);
    }
    let user = reader(&ctx);
    let (cards, more) = items::list(&state, user, page).await?;
    let page = ListPage {
        l: ctx.chrome(if page > 1 {
            format!("Tin tức (trang {page})")
        } else {
            "Tin tức".to_owned()
        }),
        signed_in: user.is_some(),
        cards,
        page,
        more,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let Some(item) = items::read(&state, reader(&ctx), id).await? else {
        return Err(WebError::NotFound);
    };
    let page = ItemPage {
        l: ctx.chrome(item.title.clone()),
        item,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// An item's picture, only to those who may read the item. A public item's may be kept by any
/// cache for 5 minutes (taken down, it is gone from shared caches by then; its address changes
/// when the item does); another's only by the reader's browser.
pub async fn picture(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let Some((bytes, content_type, public)) = items::picture(&state, reader(&ctx), id).await?
    else {
        return Err(WebError::NotFound);
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(CONTENT_TYPE, v);
    }
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static(if public {
            "public, max-age=300"
        } else {
            "private, max-age=86400"
        }),
    );
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}

/// The Atom feed of the public items.
pub async fn atom(State(state): State<AppState>) -> Result<Response, WebError> {
    let xml = crate::services::news::feed::atom(&state).await?;
    let mut res = xml.into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(res)
}
