//! The ONE route table. Routes are grouped by who may reach them; each handler enforces its
//! group through its extractor (`Ctx::user()` redirects anonymous visitors to the login page,
//! and the staff pages check role and unit scope through `services::dashboard`).

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::CompressionLayer;

use super::error::not_found;
use super::page::style_css;
use super::pages::{
    account, authoring, certificate, completions, course_authoring, dashboard, denominators,
    handbook, health, home, learn, org, people, recovery, report, roster, support, targets, vneid,
};
use crate::state::AppState;

/// Largest request body for an image upload (the image itself may be 2 MB).
const UPLOAD_LIMIT: usize = 3 * 1024 * 1024;
/// Largest request body for a video or audio upload (the file itself may be 50 MB).
const AV_UPLOAD_LIMIT: usize = 51 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    // Anyone, no login.
    let public = Router::new()
        .route("/", get(home::home))
        .route("/healthz", get(health::healthz))
        .route("/static/style.css", get(style_css))
        .route(
            "/dang-ky",
            get(account::register_form).post(account::register_phone),
        )
        .route(
            "/dang-ky/ma",
            get(account::register_code_form).post(account::register_code),
        )
        .route(
            "/dang-ky/thong-tin",
            get(account::register_details_form).post(account::register),
        )
        .route("/dang-nhap", get(account::login_form).post(account::login))
        .route(
            "/quen-mat-khau",
            get(recovery::forgot_form).post(recovery::forgot),
        )
        .route(
            "/quen-mat-khau/ma",
            get(recovery::code_form).post(recovery::code),
        )
        .route("/dang-xuat", post(account::logout))
        .route("/chung-nhan", get(certificate::lookup))
        .route(
            "/chung-nhan/kiem-tra-tep",
            get(certificate::check_form).post(certificate::check),
        )
        .route("/chung-nhan/{code}", get(certificate::verify))
        .route("/so-tay", get(handbook::index))
        .route("/so-tay/tai-ve.pdf", get(handbook::pdf))
        .route("/so-tay/{slug}", get(handbook::article))
        .route("/so-tay/{slug}/in", get(handbook::print))
        .route("/so-tay/{slug}/ma-qr.svg", get(handbook::qr_code))
        .route("/so-tay/{slug}/danh-gia", post(handbook::vote))
        .route("/tim-kiem", get(handbook::search))
        .route("/anh/{name}", get(handbook::image))
        .route("/phuong-tien/{name}", get(handbook::av))
        .route("/static/handbook.js", get(handbook::handbook_js))
        .route("/sw.js", get(handbook::service_worker));

    // Any logged-in person (every account is a learner).
    let learner = Router::new()
        .route("/hoc", get(learn::my_courses))
        .route("/hoc/nang-luc", get(learn::competences))
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
        .route("/bai-lam/{id}/ket-qua", get(learn::result))
        .route("/chung-nhan/{code}/tai-ve.pdf", get(certificate::pdf))
        .route(
            "/chung-nhan/{code}/chung-nhan.json",
            get(certificate::credential),
        )
        // The handler lets only the province administrator through.
        .route("/chung-nhan/{code}/thu-hoi", post(certificate::revoke));

    // Province admin (everything) and unit officers (their unit and below).
    let staff = Router::new()
        .route("/thong-ke", get(dashboard::province))
        .route("/thong-ke/ban-do", get(dashboard::map))
        .route("/thong-ke/xuat.xlsx", get(dashboard::export_xlsx))
        .route("/thong-ke/xuat.csv", get(dashboard::export_csv))
        .route("/thong-ke/nhat-ky", get(dashboard::audit))
        .route("/thong-ke/bao-cao", get(report::index))
        .route("/thong-ke/bao-cao.pdf", get(report::pdf))
        .route(
            "/thong-ke/mau-so",
            get(denominators::index)
                .post(denominators::upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/thong-ke/mau-so/sua", post(denominators::edit))
        .route(
            "/thong-ke/vneid",
            get(vneid::index)
                .post(vneid::upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/thong-ke/vneid/nhap", post(vneid::confirm))
        .route(
            "/thong-ke/hoan-thanh",
            get(completions::index)
                .post(completions::upload)
                .layer(DefaultBodyLimit::max(
                    completions::MAX_MB * 1024 * 1024 + 64 * 1024,
                )),
        )
        .route("/thong-ke/hoan-thanh/nhap", post(completions::confirm))
        .route(
            "/thong-ke/hoan-thanh/mau.csv",
            get(completions::template_csv),
        )
        .route(
            "/thong-ke/chi-tieu",
            get(targets::index).post(targets::save),
        )
        .route("/thong-ke/mau-so/nhap", post(denominators::confirm))
        .route("/thong-ke/mau-so/mau.csv", get(denominators::template))
        .route("/thong-ke/mau-so/lich-su", get(denominators::history))
        .route(
            "/danh-sach/nhap",
            get(roster::index)
                .post(roster::upload)
                .layer(DefaultBodyLimit::max(
                    roster::MAX_MB * 1024 * 1024 + 64 * 1024,
                )),
        )
        .route("/danh-sach/nhap/xac-nhan", post(roster::confirm))
        .route("/ho-tro", get(support::hub))
        .route("/ho-tro/nhat-ky", post(support::log))
        .route(
            "/ho-tro/dang-ky",
            get(support::register_form).post(support::register),
        )
        .route(
            "/ho-tro/mat-khau",
            get(recovery::staff_form).post(recovery::staff_reset),
        )
        .route(
            "/doi-mat-khau",
            get(recovery::change_form).post(recovery::change),
        )
        .route("/to-chuc", get(org::index))
        .route("/to-chuc/{code}", get(org::unit))
        .route("/to-chuc/{code}/{action}", post(org::act))
        .route("/nguoi/{id}", get(people::person))
        .route("/nguoi/{id}/du-lieu.json", get(people::export))
        .route(
            "/nguoi/{id}/xoa",
            get(people::erase_form).post(people::erase),
        )
        .route("/danh-sach/mau.csv", get(roster::template_csv))
        .route("/danh-sach/mau.xlsx", get(roster::template_xlsx))
        .route("/thong-ke/{code}", get(dashboard::unit))
        .route("/thong-ke/{code}/nguoi", get(dashboard::people))
        .route("/thong-ke/{code}/nang-luc", get(dashboard::competences))
        .route("/thong-ke/{code}/nguoi.csv", get(dashboard::people_csv));

    // Authors and the province administrator: the handbook's text and images, and courses.
    let authors = Router::new()
        .route("/bien-tap/so-tay", get(authoring::list))
        .route(
            "/bien-tap/so-tay/moi",
            get(authoring::new_form).post(authoring::create),
        )
        .route(
            "/bien-tap/so-tay/{id}",
            get(authoring::edit_form).post(authoring::update),
        )
        .route("/bien-tap/so-tay/{id}/phien-ban", get(authoring::revisions))
        .route(
            "/bien-tap/so-tay/{id}/phien-ban/{n}",
            get(authoring::revision),
        )
        .route("/bien-tap/so-tay/{id}/hien-thi", post(authoring::publish))
        .route(
            "/bien-tap/khoa-hoc",
            get(course_authoring::list).post(course_authoring::create),
        )
        .route(
            "/bien-tap/khoa-hoc/{slug}",
            get(course_authoring::course).post(course_authoring::save_settings),
        )
        .route(
            "/bien-tap/khoa-hoc/{slug}/bai/{n}",
            get(course_authoring::lesson_form).post(course_authoring::save_lesson),
        )
        .route(
            "/bien-tap/khoa-hoc/{slug}/bai/{n}/xoa",
            post(course_authoring::remove_lesson),
        )
        .route(
            "/bien-tap/khoa-hoc/{slug}/cau-hoi/{n}",
            get(course_authoring::question_form).post(course_authoring::save_question),
        )
        .route(
            "/bien-tap/khoa-hoc/{slug}/cau-hoi/{n}/xoa",
            post(course_authoring::remove_question),
        )
        .route(
            "/bien-tap/khoa-hoc/{slug}/xuat-ban",
            post(course_authoring::publish),
        )
        .route(
            "/bien-tap/khoa-hoc/{slug}/bo-nhap",
            post(course_authoring::discard),
        )
        .route(
            "/bien-tap/khoa-hoc/{slug}/phien-ban/{n}",
            get(course_authoring::version),
        )
        .route(
            "/bien-tap/anh",
            get(authoring::images)
                .post(authoring::upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/bien-tap/phuong-tien",
            post(authoring::upload_av).layer(DefaultBodyLimit::max(AV_UPLOAD_LIMIT)),
        );

    Router::new()
        .merge(public)
        .merge(authors)
        .merge(learner)
        .merge(staff)
        .fallback(not_found)
        .layer(CompressionLayer::new())
        .with_state(state)
}
