//! The ONE route table. Routes are grouped by who may reach them, and each group carries the
//! access layer of that level (`web::extract::access`): an anonymous visitor is sent to the
//! login page, a logged-in person without the role gets 403, whatever the handler does.
//! Handlers check only the unit scope (through `services::monitoring::dashboard::may_view` and friends).

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::CompressionLayer;

use super::error::not_found;
use super::extract::access::{self, Access};
use super::page::style_css;
use super::pages::accounts::class_sign_in;
use super::pages::accounts::sign_in as account;
use super::pages::contests::{
    organise as contests_organise, play as contest_play, public as contests,
};
use super::pages::credentials::certificate;
use super::pages::handbook::{authoring, reading as handbook};
use super::pages::honours::{proposals as honours, roll as honour_roll};
use super::pages::learning::{course_authoring, learn, requirements};
use super::pages::monitoring::{completions, dashboard, denominators, report, targets, vneid};
use super::pages::news::{desk as news_desk, reading as news};
use super::pages::people::{classes, org, person as people, recovery, roster, support, transfer};
use super::pages::plan::{reports as plan_reports, tasks as plan_tasks};
use super::pages::reminders::{desk as reminders_desk, inbox as notices};
use super::pages::site::{health, home};
use super::pages::training::{classes as training, learner as training_learner};
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
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
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
            "/vao-lop",
            get(class_sign_in::door).post(class_sign_in::sign_in),
        )
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
        .route("/ton-vinh", get(honour_roll::roll))
        .route("/tin-tuc", get(news::list))
        .route("/tin-tuc.atom", get(news::atom))
        .route("/tin-tuc/{id}", get(news::item))
        .route("/tin-tuc/{id}/anh", get(news::picture))
        .route("/cuoc-thi", get(contests::list))
        .route("/cuoc-thi/{id}", get(contests::contest))
        .route("/cuoc-thi/{id}/xep-hang", get(contests::board))
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
        .route(
            "/doi-mat-khau",
            get(recovery::change_form).post(recovery::change),
        )
        .route("/lop-hoc", get(training_learner::index))
        .route("/lop-hoc/{id}/dang-ky", post(training_learner::register))
        .route("/lop-hoc/{id}/huy", post(training_learner::cancel))
        .route(
            "/diem-danh",
            get(training_learner::check_in_form).post(training_learner::check_in),
        )
        .route("/cuoc-thi/{id}/tham-gia", post(contest_play::join))
        .route("/thong-bao", get(notices::index))
        .route("/thong-bao/nhac-nho", post(notices::choose))
        .route("/thong-bao/thu-dien-tu", post(notices::email))
        .route(
            "/cuoc-thi/{id}/vong/{number}/bat-dau",
            post(contest_play::start),
        )
        .route(
            "/cuoc-thi/bai/{id}",
            get(contest_play::entry).post(contest_play::submit),
        )
        .route_layer(guard(&state, Access::LoggedIn));

    // Helpers of the community digital technology teams and unit officers (their commune).
    let helpers = Router::new()
        .route("/ho-tro", get(support::hub))
        .route("/ho-tro/nhat-ky", post(support::log))
        .route(
            "/ho-tro/dang-ky",
            get(support::register_form).post(support::register),
        )
        .route_layer(guard(&state, Access::Helper));

    // Everyone who resets residents' passwords: helpers, unit officers, the province admin.
    let staff = Router::new()
        .route(
            "/ho-tro/mat-khau",
            get(recovery::staff_form).post(recovery::staff_reset),
        )
        .route_layer(guard(&state, Access::Staff));

    // Unit officers (their unit and below: each handler checks the scope) and the province
    // admin.
    let officers = Router::new()
        .route("/thong-ke", get(dashboard::province))
        .route("/thong-ke/ban-do", get(dashboard::map))
        .route("/thong-ke/bao-cao", get(report::index))
        .route("/thong-ke/bao-cao.pdf", get(report::pdf))
        .route(
            "/danh-sach/nhap",
            get(roster::index)
                .post(roster::upload)
                .layer(DefaultBodyLimit::max(
                    roster::MAX_MB * 1024 * 1024 + 64 * 1024,
                )),
        )
        .route("/danh-sach/nhap/xac-nhan", post(roster::confirm))
        .route(
            "/danh-sach/chuyen",
            get(transfer::index).post(transfer::ask),
        )
        .route("/danh-sach/chuyen/{id}", post(transfer::decide))
        .route("/danh-sach/mau.csv", get(roster::template_csv))
        .route("/danh-sach/mau.xlsx", get(roster::template_xlsx))
        .route("/nguoi/{id}", get(people::person))
        .route("/nguoi/{id}/du-lieu.json", get(people::export))
        .route("/thong-ke/{code}", get(dashboard::unit))
        .route("/thong-ke/{code}/nguoi", get(dashboard::people))
        .route("/thong-ke/{code}/nang-luc", get(dashboard::competences))
        .route("/thong-ke/{code}/nguoi.csv", get(dashboard::people_csv))
        .route("/lop", get(classes::index))
        .route("/lop/{code}", get(classes::class))
        .route("/lop/{code}/ma", post(classes::new_code))
        .route("/lop/{code}/so", post(classes::new_pins))
        .route("/lop/{code}/dong-y", post(classes::consents))
        .route("/lop-hoc/quan-ly", get(training::index))
        .route("/lop-hoc/quan-ly/bao-cao.xlsx", get(training::report_xlsx))
        .route("/lop-hoc/quan-ly/bao-cao.pdf", get(training::report_pdf))
        .route(
            "/lop-hoc/quan-ly/moi",
            get(training::new_form).post(training::create),
        )
        .route("/lop-hoc/quan-ly/{id}", get(training::class))
        .route("/lop-hoc/quan-ly/{id}/ghi-danh", post(training::enrol))
        .route(
            "/lop-hoc/quan-ly/{id}/danh-sach.xlsx",
            get(training::list_xlsx),
        )
        .route(
            "/lop-hoc/quan-ly/{id}/danh-sach.pdf",
            get(training::list_pdf),
        )
        .route("/lop-hoc/quan-ly/{id}/buoi/{session}", post(training::mark))
        .route(
            "/lop-hoc/quan-ly/{id}/buoi/{session}/ma",
            get(training::code),
        )
        .route("/cuoc-thi/quan-ly", get(contests_organise::index))
        .route(
            "/cuoc-thi/quan-ly/moi",
            get(contests_organise::new_form).post(contests_organise::create),
        )
        .route("/cuoc-thi/quan-ly/{id}", get(contests_organise::contest))
        .route(
            "/cuoc-thi/quan-ly/{id}/vong",
            post(contests_organise::add_round),
        )
        .route(
            "/cuoc-thi/quan-ly/{id}/vong/{number}/ket-thuc",
            post(contests_organise::end_round),
        )
        .route(
            "/cuoc-thi/quan-ly/{id}/giai",
            post(contests_organise::prizes),
        )
        .route(
            "/cuoc-thi/quan-ly/{id}/trao-giai",
            post(contests_organise::confirm),
        )
        .route(
            "/cuoc-thi/quan-ly/{id}/quyet-dinh.xlsx",
            get(contests_organise::decision_xlsx),
        )
        .route(
            "/cuoc-thi/quan-ly/{id}/quyet-dinh.pdf",
            get(contests_organise::decision_pdf),
        )
        .route("/ton-vinh/de-xuat", get(honours::index))
        .route(
            "/ton-vinh/de-xuat/moi",
            get(honours::new_form)
                .post(honours::create)
                .layer(DefaultBodyLimit::max(honours::BODY_LIMIT)),
        )
        .route("/ton-vinh/de-xuat/{id}", get(honours::proposal))
        .route("/ton-vinh/de-xuat/{id}/sua", post(honours::resubmit))
        .route(
            "/ton-vinh/de-xuat/{id}/tep",
            post(honours::add_file).layer(DefaultBodyLimit::max(honours::BODY_LIMIT)),
        )
        .route("/ton-vinh/de-xuat/{id}/tep/{file}", get(honours::file))
        .route("/ke-hoach", get(plan_tasks::board))
        .route("/ke-hoach/{id}", get(plan_tasks::task))
        .route(
            "/ke-hoach/{id}/cap-nhat",
            post(plan_tasks::record).layer(DefaultBodyLimit::max(plan_tasks::BODY_LIMIT)),
        )
        .route("/ke-hoach/{id}/tep/{file}", get(plan_tasks::file))
        .route("/nhac-nho", get(reminders_desk::index))
        .route("/nhac-nho/xem-truoc", post(reminders_desk::preview))
        .route("/nhac-nho/gui", post(reminders_desk::send))
        .route(
            "/nhac-nho/hang-tuan",
            get(reminders_desk::weekly).post(reminders_desk::create_schedule),
        )
        .route(
            "/nhac-nho/hang-tuan/{id}/{action}",
            post(reminders_desk::schedule_action),
        )
        .route("/nhac-nho/{id}", get(reminders_desk::log))
        .route("/tin-tuc/quan-ly", get(news_desk::index))
        .route(
            "/tin-tuc/quan-ly/moi",
            get(news_desk::new_form)
                .post(news_desk::create)
                .layer(DefaultBodyLimit::max(news_desk::BODY_LIMIT)),
        )
        .route(
            "/tin-tuc/quan-ly/{id}",
            get(news_desk::edit_form)
                .post(news_desk::update)
                .layer(DefaultBodyLimit::max(news_desk::BODY_LIMIT)),
        )
        .route("/tin-tuc/quan-ly/{id}/go", post(news_desk::withdraw))
        .route("/bao-cao-dinh-ky", get(plan_reports::index))
        .route("/bao-cao-dinh-ky/{id}", get(plan_reports::period))
        .route("/bao-cao-dinh-ky/{id}/{code}", get(plan_reports::report))
        .route("/bao-cao-dinh-ky/{id}/{code}/luu", post(plan_reports::save))
        .route(
            "/bao-cao-dinh-ky/{id}/{code}/tep",
            post(plan_reports::attach).layer(DefaultBodyLimit::max(plan_reports::BODY_LIMIT)),
        )
        .route(
            "/bao-cao-dinh-ky/{id}/{code}/tep/{file}",
            get(plan_reports::file),
        )
        .route(
            "/bao-cao-dinh-ky/{id}/{code}/tep/{file}/bo",
            post(plan_reports::remove_file),
        )
        .route_layer(guard(&state, Access::Officer));

    // The province admin only.
    let province = Router::new()
        .route("/thong-ke/xuat.xlsx", get(dashboard::export_xlsx))
        .route("/thong-ke/xuat.csv", get(dashboard::export_csv))
        .route("/thong-ke/nhat-ky", get(dashboard::audit))
        .route(
            "/thong-ke/mau-so",
            get(denominators::index)
                .post(denominators::upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/thong-ke/mau-so/sua", post(denominators::edit))
        .route("/thong-ke/mau-so/nhap", post(denominators::confirm))
        .route("/thong-ke/mau-so/mau.csv", get(denominators::template))
        .route("/thong-ke/mau-so/lich-su", get(denominators::history))
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
        .route("/thong-ke/khoa-bat-buoc", get(requirements::index))
        .route(
            "/thong-ke/khoa-bat-buoc/{group}",
            get(requirements::edit_form).post(requirements::preview),
        )
        .route(
            "/thong-ke/khoa-bat-buoc/{group}/ap-dung",
            post(requirements::apply),
        )
        .route("/to-chuc", get(org::index))
        .route("/to-chuc/{code}", get(org::unit))
        .route("/to-chuc/{code}/{action}", post(org::act))
        .route(
            "/nguoi/{id}/xoa",
            get(people::erase_form).post(people::erase),
        )
        .route("/nguoi/{id}/sua", get(people::edit_form).post(people::edit))
        .route("/chung-nhan/{code}/thu-hoi", post(certificate::revoke))
        .route("/chung-nhan/{code}/khoi-phuc", post(certificate::reinstate))
        .route("/ton-vinh/de-xuat/{id}/xet", post(honours::review))
        .route(
            "/ke-hoach/moi",
            get(plan_tasks::new_form).post(plan_tasks::create),
        )
        .route("/ke-hoach/{id}/don-vi", post(plan_tasks::set_lead_unit))
        .route(
            "/bao-cao-dinh-ky/moi",
            get(plan_reports::new_form).post(plan_reports::create),
        )
        .route(
            "/bao-cao-dinh-ky/{id}/{code}/xet",
            post(plan_reports::review),
        )
        .route(
            "/bao-cao-dinh-ky/{id}/tong-hop.pdf",
            get(plan_reports::consolidated_pdf),
        )
        .route(
            "/bao-cao-dinh-ky/{id}/tong-hop.docx",
            get(plan_reports::consolidated_docx),
        )
        .route_layer(guard(&state, Access::Province));

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
        )
        .route_layer(guard(&state, Access::Author));

    Router::new()
        .merge(public)
        .merge(authors)
        .merge(learner)
        .merge(helpers)
        .merge(staff)
        .merge(officers)
        .merge(province)
        // Every routed request counted by its route template (before the fallback: a 404
        // for an unknown path has no route to count it under).
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_request,
        ))
        .fallback(not_found)
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            transport_security,
        ))
        .layer(CompressionLayer::new().compress_when(compressible()))
        .with_state(state)
}

/// Text is compressed; video, audio and images (already compressed, and streamed a part at a
/// time) never are, nor is anything small.
fn compressible() -> impl tower_http::compression::Predicate {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    SizeAbove::new(256)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::const_new("video/"))
        .and(NotForContentType::const_new("audio/"))
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new("application/vnd."))
        .and(NotForContentType::const_new("application/zip"))
}

/// Counts a request in `/metrics`: its route template, method, status and time taken.
async fn count_request(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    // A clone of the matched path is a reference count, not a copy of the text.
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .cloned();
    let method = req.method().clone();
    let res = next.run(req).await;
    state.metrics.request(
        route.as_ref().map_or("?", |p| p.as_str()),
        // A client may send any method name to a routed path (it is answered 405): only the
        // standard ones are labels, so no client can add series to /metrics.
        match method {
            axum::http::Method::GET
            | axum::http::Method::HEAD
            | axum::http::Method::POST
            | axum::http::Method::PUT
            | axum::http::Method::DELETE
            | axum::http::Method::OPTIONS
            | axum::http::Method::PATCH => method.as_str(),
            _ => "other",
        },
        res.status().as_u16(),
        started.elapsed(),
    );
    res
}

/// HSTS on every answer when the public address is HTTPS (`Config::https`).
async fn transport_security(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut res: axum::response::Response,
) -> axum::response::Response {
    if state.config.https() {
        res.headers_mut().insert(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            axum::http::HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

/// The access layer of a group of routes (`extract::access`).
#[expect(
    clippy::type_complexity,
    reason = "the layer type axum names for a fn-pointer middleware"
)]
fn guard(
    state: &AppState,
    access: Access,
) -> axum::middleware::FromFnLayer<
    fn(
        axum::extract::State<(AppState, Access)>,
        axum::extract::Request,
        axum::middleware::Next,
    )
        -> std::pin::Pin<Box<dyn std::future::Future<Output = axum::response::Response> + Send>>,
    (AppState, Access),
    (
        axum::extract::State<(AppState, Access)>,
        axum::extract::Request,
    ),
> {
    axum::middleware::from_fn_with_state((state.clone(), access), |s, r, n| {
        Box::pin(access::guard(s, r, n))
    })
}
