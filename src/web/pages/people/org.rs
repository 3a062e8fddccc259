//! /to-chuc: the province admin manages the org tree (`services::people::org`): the province and
//! its communes with their units, one page per unit with its sub-units, officers and history,
//! and forms to add, rename, move and merge units and to assign officers and helpers.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_db::repo::org::{OrgChange, OrgUnit};
use hocvuso_domain::Role;
use serde::Deserialize;

use crate::services::people::org::{self as org_admin, kind_name, kinds_under};
use crate::services::shared::form::FieldErrors;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::{Choice, Errors};

fn admin(ctx: &Ctx) -> Result<(), WebError> {
    if ctx.user()?.is_province_admin() {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

pub struct UnitLink {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub children: usize,
}

pub struct GrantView {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub role: &'static str,
}

pub struct ChangeView {
    pub at: String,
    pub what: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "people/org/unit.html")]
pub struct UnitPage {
    pub l: Chrome,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub parent: Option<(String, String)>,
    pub merged_into: Option<(String, String)>,
    pub movable: bool,
    pub children: Vec<UnitLink>,
    pub kinds: Vec<Choice>,
    pub grants: Vec<GrantView>,
    pub history: Vec<ChangeView>,
    pub errors: Errors,
    pub done: String,
}

#[derive(Default, Deserialize)]
pub struct Done {
    #[serde(default, rename = "xong")]
    done: String,
}

/// The banner after a form of the unit page, by the action's code; unknown codes show nothing.
fn done_message(code: &str) -> &'static str {
    match code {
        "them" => "Đã thêm đơn vị.",
        "doi-ten" => "Đã đổi tên.",
        "chuyen" => "Đã chuyển đơn vị.",
        "gop" => "Đã sáp nhập.",
        "giao" => "Đã giao việc.",
        "thoi-giao" => "Đã thôi giao.",
        _ => "",
    }
}

fn change_text(c: &OrgChange) -> String {
    match c.action.as_str() {
        "create" => format!("Tạo đơn vị: {}", c.new_value),
        "rename" => format!("Đổi tên: “{}” → “{}”", c.old_value, c.new_value),
        "move" => format!("Chuyển: từ {} sang {}", c.old_value, c.new_value),
        "merge" => format!("Sáp nhập vào {}", c.new_value),
        "absorb" => format!("Nhận sáp nhập {}", c.old_value),
        "assign" => format!("Giao: {}", c.new_value),
        "revoke" => format!("Thôi giao: {}", c.old_value),
        other => other.to_owned(),
    }
}

async fn unit_page(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    errors: Errors,
    done: &str,
) -> Result<UnitPage, WebError> {
    let o = org_admin::overview(state.db.read(), code)
        .await?
        .ok_or(WebError::NotFound)?;
    let (unit, all) = (o.unit, o.all);
    let count_children = |id: i64| {
        all.iter()
            .filter(|u| u.parent_id == Some(id) && u.merged_into_id.is_none())
            .count()
    };
    let link = |u: &OrgUnit| UnitLink {
        code: u.code.clone(),
        name: u.name.clone(),
        kind: kind_name(&u.kind),
        children: count_children(u.id),
    };
    let by_id = |id: Option<i64>| {
        id.and_then(|id| all.iter().find(|u| u.id == id))
            .map(|u| (u.code.clone(), u.name.clone()))
    };
    let grants = o
        .grants
        .into_iter()
        .map(|(g, p)| GrantView {
            id: g.id,
            name: p.full_name,
            phone: p
                .phone
                .as_deref()
                .map(hocvuso_domain::mask::phone)
                .unwrap_or_default(),
            role: Role::from_code(&g.role).map_or("", Role::name_vi),
        })
        .collect();
    let history = o
        .history
        .into_iter()
        .map(|(c, by)| ChangeView {
            at: crate::clock::format_date_time(c.at),
            what: change_text(&c),
            by,
        })
        .collect();
    Ok(UnitPage {
        l: ctx.chrome(format!("{} — tổ chức", unit.name)),
        children: o.children.iter().map(link).collect(),
        kinds: kinds_under(&unit)
            .iter()
            .map(|k| Choice {
                value: k.code().to_owned(),
                label: k.name_vi().to_owned(),
                selected: false,
            })
            .collect(),
        parent: by_id(unit.parent_id),
        merged_into: by_id(unit.merged_into_id),
        movable: org_admin::movable(&unit),
        kind: kind_name(&unit.kind),
        code: unit.code,
        name: unit.name,
        grants,
        history,
        errors,
        done: done_message(done).to_owned(),
    })
}

/// The province's page (the top of the tree).
pub async fn index(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    admin(&ctx)?;
    let province = org_admin::province(state.db.read())
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(see_other(&format!("/to-chuc/{}", province.code)))
}

pub async fn unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    admin(&ctx)?;
    let page = unit_page(&state, &ctx, &code, Errors::default(), &q.done).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Default, Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    grant: String,
}

/// One handler for the page's forms: `Path((code, action))`.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, action)): Path<(String, String)>,
    CsrfForm { data: f, .. }: CsrfForm<UnitForm>,
) -> Result<Response, WebError> {
    admin(&ctx)?;
    let user = ctx.user()?;
    let unit = org_admin::unit_by_code(state.db.read(), &code)
        .await?
        .ok_or(WebError::NotFound)?;
    let result: Result<(), FieldErrors> = match action.as_str() {
        "them" => org_admin::create(&state, user, &unit, &f.kind, &f.name, &f.code)
            .await?
            .map(|_| ()),
        "doi-ten" => org_admin::rename(&state, user, &unit, &f.name).await?,
        "chuyen" => org_admin::move_unit(&state, user, &unit, &f.parent).await?,
        "gop" => org_admin::merge(&state, user, &unit, &f.into).await?,
        "giao" => org_admin::assign(&state, user, &unit, &f.phone, &f.role).await?,
        "thoi-giao" => {
            let id: i64 = f.grant.parse().map_err(|_| WebError::NotFound)?;
            if !org_admin::revoke(&state, user, &unit, id).await? {
                return Err(WebError::NotFound);
            }
            Ok(())
        }
        _ => return Err(WebError::NotFound),
    };
    match result {
        // The banner is chosen by the action's code from a fixed list, never text from the
        // address (`?xong=` cannot put words on the page).
        Ok(()) => Ok(see_other(&format!("/to-chuc/{code}?xong={action}"))),
        Err(list) => {
            let mut errors = Errors::default();
            for (field, message) in list {
                errors.push(field, message);
            }
            let page = unit_page(&state, &ctx, &code, errors, "").await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}
