//! The ONE route table. Routes are grouped by who may reach them; each handler enforces its
//! group through its extractor (`Ctx::user()` redirects anonymous visitors to the login page,
//! and the staff pages check role and unit scope through `services::dashboard`).

use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::CompressionLayer;

use super::error::not_found;
use super::page::style_css;
use super::pages::{account, certificate, dashboard, health, home, learn};
use crate::state::AppState;

pub fn app(state: AppState) -> Router {
    // Anyone, no login.
    let public = Router::new()
        .route("/", get(home::home))
        .route("/healthz", get(health::healthz))
        .route("/static/style.css", get(style_css))
        .route(
            "/dang-ky",
            get(account::register_form).post(account::register),
        )
        .route("/dang-nhap", get(account::login_form).post(account::login))
        .route("/dang-xuat", post(account::logout))
        .route("/chung-nhan", get(certificate::lookup))
        .route("/chung-nhan/{code}", get(certificate::verify));

    // Any logged-in person (every account is a learner).
    let learner = Router::new()
        .route("/hoc", get(learn::my_courses))
        .route("/khoa-hoc/{slug}", get(learn::course))
        .route(
            "/khoa-hoc/{slug}/bai/{n}",
            get(learn::lesson).post(learn::finish_lesson),
        )
        .route(
            "/khoa-hoc/{slug}/kiem-tra",
            get(learn::quiz).post(learn::start_quiz),
        )
        .route("/bai-lam/{id}", get(learn::attempt).post(learn::submit))
        .route("/bai-lam/{id}/ket-qua", get(learn::result));

    // Province admin (everything) and unit officers (their unit and below).
    let staff = Router::new()
        .route("/thong-ke", get(dashboard::province))
        .route("/thong-ke/{code}", get(dashboard::unit));

    Router::new()
        .merge(public)
        .merge(learner)
        .merge(staff)
        .fallback(not_found)
        .layer(CompressionLayer::new())
        .with_state(state)
}
