//! /cuoc-thi: the contests, a contest's page and its leaderboards (`services::contests::public`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::contests::public::{self, Board, ContestLine, ContestPage};
use crate::services::contests::ranking::UnitRow;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::Ctx;
use crate::web::page::{render, Chrome};

#[derive(Template)]
#[template(path = "contests/public/list.html")]
pub struct ListPage {
    pub l: Chrome,
    pub contests: Vec<ContestLine>,
    /// `(contest id, contest, prize)` the viewer won.
    pub my_awards: Vec<(i64, String, String)>,
    pub may_organise: bool,
}

#[derive(Template)]
#[template(path = "contests/public/contest.html")]
pub struct ContestView {
    pub l: Chrome,
    pub c: ContestPage,
    pub notice: Option<&'static str>,
    pub logged_in: bool,
}

#[derive(Template)]
#[template(path = "contests/public/board.html")]
pub struct BoardView {
    pub l: Chrome,
    pub b: Board,
}

/// A unit's entrants per 1,000, or a dash.
pub fn per_thousand(u: &UnitRow) -> String {
    u.per_thousand.map_or_else(
        || "—".to_owned(),
        crate::services::contests::awards::decimal,
    )
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let my_awards = match &ctx.user {
        Some(u) => public::my_awards(&state, u).await?,
        None => Vec::new(),
    };
    let page = ListPage {
        l: ctx.chrome("Cuộc thi"),
        contests: public::list(&state).await?,
        my_awards,
        may_organise: ctx
            .user
            .as_ref()
            .is_some_and(|u| u.is_province_admin() || u.officer_units().next().is_some()),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Default, Deserialize)]
pub struct NoticeQuery {
    #[serde(default, rename = "tb")]
    notice: String,
}

/// The messages a redirect to the contest page may carry (never text from the address).
fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "da-tham-gia" => "Bạn đã tham gia cuộc thi. Khi vòng thi mở, bấm “Vào thi”.",
        "da-nop" => "Đã nộp bài. Kết quả và bảng xếp hạng được công bố khi vòng thi kết thúc.",
        "chua-tham-gia" => "Bạn chưa tham gia cuộc thi này. Hãy bấm “Tham gia” trước.",
        "chua-mo" => "Vòng thi chưa mở. Hãy quay lại vào giờ mở.",
        "da-dong" => "Vòng thi đã kết thúc.",
        "het-luot" => "Bạn đã dùng hết lượt thi của vòng này.",
        "qua-gio" => "Đã hết giờ làm bài: bài nộp sau thời hạn không được nhận.",
        "khong-duoc" => "Bạn không thuộc đối tượng của cuộc thi này.",
        _ => return None,
    })
}

pub async fn contest(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let Some(c) = public::contest_page(&state, ctx.user.as_ref(), id).await? else {
        return Err(WebError::NotFound);
    };
    let page = ContestView {
        l: ctx.chrome(c.contest.title.clone()),
        notice: notice(&q.notice),
        logged_in: ctx.user.is_some(),
        c,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default, rename = "vong")]
    round: String,
}

pub async fn board(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let round = match q.round.trim() {
        "" => None,
        n => Some(n.parse::<i32>().map_err(|_| WebError::NotFound)?),
    };
    let Some(b) = public::board(&state, ctx.user.as_ref(), id, round).await? else {
        return Err(WebError::NotFound);
    };
    let title = match &b.round {
        Some(r) => format!("Xếp hạng {} — {}", r.title, b.contest.title),
        None => format!("Xếp hạng chung — {}", b.contest.title),
    };
    let page = BoardView {
        l: ctx.chrome(title),
        b,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}
