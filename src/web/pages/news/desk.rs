//! /tin-tuc/quan-ly: officers publish news for the units they manage (the province for any
//! unit), schedule it, edit it, take it down and put it back (`services::news::items`).

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::services::news::items::{self, DeskLine, NewsInput, Standing};
use crate::services::shared::form::FormError;
use crate::services::shared::media;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::{Choice, Errors, Upload};

/// Largest request body of an item: its picture and its text.
pub const BODY_LIMIT: usize = media::MAX_IMAGE_BYTES + 256 * 1024;

#[derive(Template)]
#[template(path = "news/desk/list.html")]
pub struct DeskPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub lines: Vec<DeskLine>,
    pub page: u64,
    pub more: bool,
}

/// A target group as a tick box.
pub struct GroupBox {
    pub code: &'static str,
    pub name: &'static str,
    pub ticked: bool,
}

#[derive(Template)]
#[template(path = "news/desk/form.html")]
pub struct FormPage {
    pub l: Chrome,
    pub errors: Errors,
    pub done: Option<&'static str>,
    /// `None` for a new item.
    pub id: Option<i64>,
    pub s: Standing,
    pub units: Vec<Choice>,
    pub groups: Vec<GroupBox>,
    pub input: NewsInput,
}

#[derive(Default, Deserialize)]
pub struct DeskQuery {
    #[serde(default, rename = "xong")]
    done: String,
    #[serde(default, rename = "trang")]
    page: String,
}

/// What `?xong=` says after each form of this page.
const DONE: &[(&str, &str)] = &[
    ("da-dang", "Đã lưu tin."),
    ("da-go", "Đã gỡ tin: người đọc không còn thấy tin này."),
    ("da-dang-lai", "Đã đăng lại tin."),
];

pub async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DeskQuery>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let page = q.page.trim().parse::<u64>().unwrap_or(1).max(1);
    if page > items::MAX_PAGE {
        return Err(WebError::NotFound);
    }
    let (lines, more) = items::desk(&state, user, page).await?;
    let view = DeskPage {
        l: ctx.chrome("Đăng tin"),
        done: crate::web::pages::done_sentence(&q.done, DONE),
        lines,
        page,
        more,
    };
    Ok(render(&ctx, StatusCode::OK, &view))
}

/// The form, new (`id` None) or editing, with what was sent back when it did not go through.
async fn form_view(
    state: &AppState,
    ctx: &Ctx,
    id: Option<i64>,
    input: NewsInput,
    errors: Errors,
    done: Option<&'static str>,
    s: Standing,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let units = items::units_for(state, user).await?;
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = FormPage {
        l: ctx.chrome(if id.is_some() {
            "Sửa tin"
        } else {
            "Đăng tin mới"
        }),
        units: units
            .into_iter()
            .map(|(c, n)| Choice {
                selected: c == input.unit,
                value: c,
                label: n,
            })
            .collect(),
        groups: hocvuso_domain::TargetGroup::ALL
            .iter()
            .map(|g| GroupBox {
                code: g.code(),
                name: g.name_vi(),
                ticked: input.groups.iter().any(|c| c == g.code()),
            })
            .collect(),
        errors,
        done,
        id,
        s,
        input,
    };
    Ok(render(ctx, code, &view))
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let units = items::units_for(&state, user).await?;
    let input = NewsInput {
        // One unit to publish for: chosen already.
        unit: if units.len() == 1 {
            units[0].0.clone()
        } else {
            String::new()
        },
        public: true,
        publish_at: crate::clock::format_date_time(state.clock.now()),
        ..NewsInput::default()
    };
    form_view(
        &state,
        &ctx,
        None,
        input,
        Errors::default(),
        None,
        Standing::default(),
    )
    .await
}

/// Reads the item's form: its fields and the picture sent with it.
async fn read_form(
    state: &AppState,
    ctx: &Ctx,
    multipart: Multipart,
) -> Result<(NewsInput, Upload), WebError> {
    let upload = Upload::read(
        state,
        ctx,
        multipart,
        "anh",
        media::MAX_IMAGE_BYTES / 1024 / 1024,
    )
    .await?;
    Ok((input_of(&upload), upload))
}

/// The form's fields read from the multipart body (the groups are tick boxes `nhom_<code>`).
fn input_of(upload: &Upload) -> NewsInput {
    NewsInput {
        unit: upload.field("don_vi").to_owned(),
        title: upload.field("tieu_de").to_owned(),
        body: upload.field("noi_dung").to_owned(),
        groups: upload
            .fields
            .keys()
            .filter_map(|k| k.strip_prefix("nhom_"))
            .map(str::to_owned)
            .collect(),
        public: upload.field("cong_khai") == "1",
        publish_at: upload.field("dang_luc").to_owned(),
        expires_on: upload.field("het_han").to_owned(),
        picture_alt: upload.field("mo_ta_anh").to_owned(),
        remove_picture: upload.field("xoa_anh") == "1",
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let (input, upload) = read_form(&state, &ctx, multipart).await?;
    let picture = (!upload.bytes.is_empty()).then_some(&upload.bytes[..]);
    match items::create(&state, user, &input, picture).await {
        Ok(id) => Ok(see_other(&format!("/tin-tuc/quan-ly/{id}?xong=da-dang"))),
        Err(FormError::Invalid(errors)) => {
            form_view(
                &state,
                &ctx,
                None,
                input,
                errors.into(),
                None,
                Standing::default(),
            )
            .await
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DeskQuery>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let user = ctx.user()?;
    let Some(e) = items::editing(&state, user, id).await? else {
        return Err(WebError::NotFound);
    };
    form_view(
        &state,
        &ctx,
        Some(id),
        e.input,
        Errors::default(),
        crate::web::pages::done_sentence(&q.done, DONE),
        e.standing,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let user = ctx.user()?;
    let (input, upload) = read_form(&state, &ctx, multipart).await?;
    let picture = (!upload.bytes.is_empty()).then_some(&upload.bytes[..]);
    match items::update(&state, user, id, &input, picture).await {
        Ok(Some(())) => Ok(see_other(&format!("/tin-tuc/quan-ly/{id}?xong=da-dang"))),
        Ok(None) => Err(WebError::NotFound),
        Err(FormError::Invalid(errors)) => {
            let Some(e) = items::editing(&state, user, id).await? else {
                return Err(WebError::NotFound);
            };
            form_view(
                &state,
                &ctx,
                Some(id),
                input,
                errors.into(),
                None,
                e.standing,
            )
            .await
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

#[derive(Default, Deserialize)]
pub struct WithdrawForm {
    #[serde(default, rename = "go")]
    withdraw: String,
}

pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm { data: f, .. }: CsrfForm<WithdrawForm>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let user = ctx.user()?;
    let withdraw = f.withdraw == "1";
    match items::set_withdrawn(&state, user, id, withdraw).await? {
        Some(()) => Ok(see_other(&format!(
            "/tin-tuc/quan-ly/{id}?xong={}",
            if withdraw { "da-go" } else { "da-dang-lai" }
        ))),
        None => Err(WebError::NotFound),
    }
}
