//! The home page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::web::extract::Ctx;
use crate::web::page::{render, Chrome};

#[derive(Template)]
#[template(path = "site/home/home.html")]
pub struct HomePage {
    pub l: Chrome,
}

pub async fn home(ctx: Ctx) -> Response {
    let page = HomePage {
        l: ctx.chrome("Trang chủ"),
    };
    render(&ctx, StatusCode::OK, &page)
}
