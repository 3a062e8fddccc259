//! /cuoc-thi/quan-ly: a unit's contests — create one with its first round, add rounds, set the
//! prizes, confirm the winners, download the award decision (`services::contests::organise`,
//! `services::contests::awards`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::services::contests::awards::{self, ConfirmError, PrizeInput, Winner};
use crate::services::contests::organise::{
    self, ContestAdmin, ContestInput, ManagedLine, RoundInput,
};
use crate::services::shared::form::FormError;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::accounts::sign_in::Empty;
use crate::web::pages::DoneQuery;
use crate::web::pages::{Choice, Errors};

#[derive(Template)]
#[template(path = "contests/organise/list.html")]
pub struct ListPage {
    pub l: Chrome,
    pub contests: Vec<ManagedLine>,
}

#[derive(Template)]
#[template(path = "contests/organise/new.html")]
pub struct NewPage {
    pub l: Chrome,
    pub errors: Errors,
    pub units: Vec<Choice>,
    pub courses: Vec<Choice>,
    pub groups: Vec<Choice>,
    /// The units that may be ticked for "chosen units" (every unit the officer acts for).
    pub audience: Vec<Choice>,
    pub input: ContestInput,
}

#[derive(Template)]
#[template(path = "contests/organise/contest.html")]
pub struct ContestPage {
    pub l: Chrome,
    pub done: Option<&'static str>,
    pub errors: Errors,
    pub c: ContestAdmin,
    pub courses: Vec<Choice>,
    pub round: RoundInput,
    pub prizes: PrizeInput,
    /// Proposed winners (every round over), or `None`.
    pub proposal: Option<Vec<Winner>>,
    pub confirmed: Vec<Winner>,
}

pub async fn index(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let page = ListPage {
        l: ctx.chrome("Cuộc thi của đơn vị"),
        contests: organise::managed_list(&state, user).await?,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

fn course_choices(state: &AppState, chosen: &str) -> Vec<Choice> {
    organise::courses(state)
        .into_iter()
        .map(|(slug, title)| Choice {
            selected: slug == chosen,
            value: slug,
            label: title,
        })
        .collect()
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    input: ContestInput,
    errors: Errors,
) -> Result<NewPage, WebError> {
    let user = ctx.user()?;
    let units = organise::units_for(state, user).await?;
    Ok(NewPage {
        l: ctx.chrome("Tạo cuộc thi mới"),
        errors,
        units: units
            .iter()
            .map(|u| Choice {
                value: u.code.clone(),
                label: u.name.clone(),
                selected: u.code == input.unit || units.len() == 1,
            })
            .collect(),
        courses: course_choices(state, &input.round.khoa_hoc),
        groups: hocvuso_domain::TargetGroup::ALL
            .iter()
            .map(|g| Choice {
                value: g.code().to_owned(),
                label: g.name_vi().to_owned(),
                selected: input.groups.iter().any(|c| c == g.code()),
            })
            .collect(),
        audience: units
            .iter()
            .map(|u| Choice {
                value: u.code.clone(),
                label: u.name.clone(),
                selected: input.chosen_units.contains(&u.code),
            })
            .collect(),
        input,
    })
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let input = ContestInput {
        scope: "tat-ca".to_owned(),
        round: RoundInput::with_defaults(),
        ..ContestInput::default()
    };
    let page = new_page(&state, &ctx, input, Errors::default()).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm {
        data: mut input,
        pairs,
    }: CsrfForm<ContestInput>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    // Tick boxes `dv_<code>` and `nhom_<code>`, bounded: no officer acts for more units than
    // the province has, and there are few groups.
    let ticked = |prefix: &str, limit: usize| -> Vec<String> {
        pairs
            .iter()
            .filter_map(|(k, _)| k.strip_prefix(prefix))
            .take(limit)
            .map(str::to_owned)
            .collect()
    };
    input.chosen_units = ticked("dv_", 5_000);
    input.groups = ticked("nhom_", hocvuso_domain::TargetGroup::ALL.len() + 1);
    match organise::create(&state, user, &input).await {
        Ok(id) => Ok(see_other(&format!("/cuoc-thi/quan-ly/{id}?xong=da-tao"))),
        Err(FormError::Invalid(errors)) => {
            let page = new_page(&state, &ctx, input, errors.into()).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

/// What `?xong=` says after each form of this page.
const DONE: &[(&str, &str)] = &[
    ("da-tao", "Đã tạo cuộc thi. Trang cuộc thi cho mọi người: xem đường dẫn bên dưới."),
    ("da-them-vong", "Đã thêm vòng thi."),
    ("da-ket-thuc", "Đã kết thúc vòng thi. Bài đang làm được nộp thêm trong một phút; sau đó bảng xếp hạng được công bố."),
    ("da-luu-giai", "Đã lưu cơ cấu giải."),
    ("da-trao-giai", "Đã công bố danh sách đạt giải. Người đạt giải thấy giải trên trang cuộc thi."),
];

/// The organiser's page, with the forms as sent (or empty) and their errors.
async fn contest_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    round: Option<RoundInput>,
    prizes: Option<PrizeInput>,
    errors: Errors,
    done: Option<&'static str>,
) -> Result<ContestPage, WebError> {
    let user = ctx.user()?;
    let Some(c) = organise::admin(state, user, id).await? else {
        return Err(WebError::NotFound);
    };
    let prizes = match prizes {
        Some(p) => p,
        None => awards::prize_form(state, c.contest.id).await?,
    };
    let round = round.unwrap_or_else(|| {
        // The next round a week after the last, like it.
        let mut r = RoundInput::with_defaults();
        if let Some(last) = c.rounds.last() {
            let week = chrono::Duration::days(7);
            r.opens = crate::clock::format_date_time(last.round.opens_at + week);
            r.closes = crate::clock::format_date_time(last.round.closes_at + week);
            r.so_cau = last.round.question_count.to_string();
            r.phut = last.round.minutes.to_string();
            r.luot = last.round.attempts.to_string();
            r.by_competence = last.round.draw_by.clone();
            r.du_doan = last.round.prediction.clone();
            if let Some(course) = state.catalog.current().by_id(last.round.course_id) {
                r.khoa_hoc = course.course.slug.clone();
            }
        }
        r
    });
    let confirmed = awards::confirmed(state, &c.contest).await?;
    let proposal = if confirmed.is_empty() {
        awards::proposal(state, &c.contest).await?
    } else {
        None
    };
    Ok(ContestPage {
        l: ctx.chrome(format!("Quản lý: {}", c.contest.title)),
        done,
        errors,
        courses: course_choices(state, &round.khoa_hoc),
        round,
        prizes,
        proposal,
        confirmed,
        c,
    })
}

pub async fn contest(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let page = contest_page(
        &state,
        &ctx,
        id,
        None,
        None,
        Errors::default(),
        q.message(DONE),
    )
    .await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn add_round(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm { data: input, .. }: CsrfForm<RoundInput>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match organise::add_round(&state, user, id, &input).await {
        Ok(Some(_)) => Ok(see_other(&format!(
            "/cuoc-thi/quan-ly/{id}?xong=da-them-vong"
        ))),
        Ok(None) => Err(WebError::NotFound),
        Err(FormError::Invalid(errors)) => {
            let page =
                contest_page(&state, &ctx, id, Some(input), None, errors.into(), None).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

pub async fn end_round(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, number)): Path<(i64, i32)>,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match organise::end_round(&state, user, id, number).await? {
        None => Err(WebError::NotFound),
        Some(true) => Ok(see_other(&format!(
            "/cuoc-thi/quan-ly/{id}?xong=da-ket-thuc"
        ))),
        Some(false) => Err(WebError::Refused(
            "Vòng thi này không đang mở nên không kết thúc sớm được.".to_owned(),
        )),
    }
}

pub async fn prizes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm { data: input, .. }: CsrfForm<PrizeInput>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match awards::set_prizes(&state, user, id, &input).await {
        Ok(true) => Ok(see_other(&format!(
            "/cuoc-thi/quan-ly/{id}?xong=da-luu-giai"
        ))),
        Ok(false) => Err(WebError::NotFound),
        Err(FormError::Invalid(errors)) => {
            let page =
                contest_page(&state, &ctx, id, None, Some(input), errors.into(), None).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(FormError::Internal(e)) => Err(e.into()),
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    match awards::confirm(&state, user, id).await {
        Ok(_) => Ok(see_other(&format!(
            "/cuoc-thi/quan-ly/{id}?xong=da-trao-giai"
        ))),
        Err(ConfirmError::NotFound) => Err(WebError::NotFound),
        Err(ConfirmError::Internal(e)) => Err(e.into()),
        Err(e) => {
            let mut errors = Errors::default();
            errors.push("trao-giai", e.to_string());
            let page = contest_page(&state, &ctx, id, None, None, errors, None).await?;
            Ok(render(&ctx, StatusCode::CONFLICT, &page))
        }
    }
}

pub async fn decision_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some((name, bytes)) = awards::decision_xlsx(&state, user, id).await? else {
        return Err(WebError::NotFound);
    };
    Ok(crate::web::pages::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
    ))
}

pub async fn decision_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let Some((name, bytes)) = awards::decision_pdf(&state, user, id).await? else {
        return Err(WebError::NotFound);
    };
    Ok(crate::web::pages::download(bytes, "application/pdf", &name))
}
