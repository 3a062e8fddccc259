//! The authorization matrix: every staff page and export (route × role × unit scope). A unit
//! officer reaches only their unit and below; a helper only the helpers' pages of their
//! commune; learners and visitors no staff page at all.

use axum::http::StatusCode;
use hocvuso_domain::Role;
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::{TestApp, COMMUNE_A, COMMUNE_B};

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Learner,
    HelperB,
    OfficerA,
    OfficerB,
    Admin,
}

const ALL: [Who; 6] = [
    Who::Anonymous,
    Who::Learner,
    Who::HelperB,
    Who::OfficerA,
    Who::OfficerB,
    Who::Admin,
];

/// `route → status for each of [`ALL`]`: 303 sends a visitor to the login page (or an officer
/// from the province's pages to their own unit's), 403 refuses. `{B}` and `{A}` are the two
/// communes, `{P}` a resident of commune B. The blank roster templates are for officers.
const MATRIX: &[(&str, [u16; 6])] = &[
    //                                   anon learner helperB officerA officerB admin
    ("/thong-ke", [303, 403, 403, 303, 303, 200]),
    ("/thong-ke/ban-do", [303, 403, 403, 303, 303, 200]),
    ("/thong-ke/xuat.xlsx", [303, 403, 403, 403, 403, 200]),
    ("/thong-ke/xuat.csv", [303, 403, 403, 403, 403, 200]),
    ("/thong-ke/nhat-ky", [303, 403, 403, 403, 403, 200]),
    ("/thong-ke/mau-so", [303, 403, 403, 403, 403, 200]),
    ("/thong-ke/mau-so/mau.csv", [303, 403, 403, 403, 403, 200]),
    ("/thong-ke/mau-so/lich-su", [303, 403, 403, 403, 403, 200]),
    ("/thong-ke/vneid", [303, 403, 403, 403, 403, 200]),
    ("/thong-ke/chi-tieu", [303, 403, 403, 403, 403, 200]),
    ("/thong-ke/khoa-bat-buoc", [303, 403, 403, 403, 403, 200]),
    (
        "/thong-ke/khoa-bat-buoc/officials",
        [303, 403, 403, 403, 403, 200],
    ),
    ("/thong-ke/hoan-thanh", [303, 403, 403, 403, 403, 200]),
    (
        "/thong-ke/hoan-thanh/mau.csv",
        [303, 403, 403, 403, 403, 200],
    ),
    ("/danh-sach/nhap", [303, 403, 403, 200, 200, 200]),
    ("/lop", [303, 403, 403, 200, 200, 200]),
    ("/ton-vinh", [200, 200, 200, 200, 200, 200]),
    ("/cuoc-thi", [200, 200, 200, 200, 200, 200]),
    ("/cuoc-thi/quan-ly", [303, 403, 403, 200, 200, 200]),
    ("/cuoc-thi/quan-ly/moi", [303, 403, 403, 200, 200, 200]),
    ("/lop-hoc", [303, 200, 200, 200, 200, 200]),
    ("/diem-danh", [303, 200, 200, 200, 200, 200]),
    ("/lop-hoc/quan-ly", [303, 403, 403, 200, 200, 200]),
    ("/lop-hoc/quan-ly/moi", [303, 403, 403, 200, 200, 200]),
    (
        "/lop-hoc/quan-ly/bao-cao.xlsx",
        [303, 403, 403, 200, 200, 200],
    ),
    ("/ton-vinh/de-xuat", [303, 403, 403, 200, 200, 200]),
    ("/ton-vinh/de-xuat/moi", [303, 403, 403, 200, 200, 200]),
    ("/tin-tuc", [200, 200, 200, 200, 200, 200]),
    ("/tin-tuc/99999", [404, 404, 404, 404, 404, 404]),
    ("/tin-tuc/quan-ly", [303, 403, 403, 200, 200, 200]),
    ("/nhac-nho", [303, 403, 403, 200, 200, 200]),
    ("/nhac-nho/hang-tuan", [303, 403, 403, 200, 200, 200]),
    ("/nhac-nho/99999", [303, 403, 403, 404, 404, 404]),
    ("/thong-bao", [303, 200, 200, 200, 200, 200]),
    ("/tin-tuc/quan-ly/moi", [303, 403, 403, 200, 200, 200]),
    ("/tin-tuc/quan-ly/99999", [303, 403, 403, 404, 404, 404]),
    ("/ke-hoach", [303, 403, 403, 200, 200, 200]),
    ("/ke-hoach/moi", [303, 403, 403, 403, 403, 200]),
    ("/ke-hoach/99999", [303, 403, 403, 404, 404, 404]),
    ("/bao-cao-dinh-ky", [303, 403, 403, 200, 200, 200]),
    ("/bao-cao-dinh-ky/moi", [303, 403, 403, 403, 403, 200]),
    ("/bao-cao-dinh-ky/99999", [303, 403, 403, 404, 404, 404]),
    ("/vao-lop", [200, 200, 200, 200, 200, 200]),
    ("/danh-sach/mau.csv", [303, 403, 403, 200, 200, 200]),
    ("/danh-sach/mau.xlsx", [303, 403, 403, 200, 200, 200]),
    ("/ho-tro", [303, 403, 200, 200, 200, 403]),
    ("/ho-tro/dang-ky", [303, 403, 200, 200, 200, 403]),
    ("/ho-tro/mat-khau", [303, 403, 200, 200, 200, 200]),
    ("/to-chuc", [303, 403, 403, 403, 403, 303]),
    ("/to-chuc/{B}", [303, 403, 403, 403, 403, 200]),
    ("/to-chuc/{A}", [303, 403, 403, 403, 403, 200]),
    ("/thong-ke/{B}", [303, 403, 403, 403, 200, 200]),
    ("/thong-ke/{A}", [303, 403, 403, 200, 403, 200]),
    ("/thong-ke/{B}/nguoi", [303, 403, 403, 403, 200, 200]),
    ("/thong-ke/{A}/nguoi", [303, 403, 403, 200, 403, 200]),
    ("/thong-ke/{B}/nang-luc", [303, 403, 403, 403, 200, 200]),
    ("/thong-ke/{A}/nang-luc", [303, 403, 403, 200, 403, 200]),
    ("/thong-ke/{B}/nguoi.csv", [303, 403, 403, 403, 200, 200]),
    ("/thong-ke/{A}/nguoi.csv", [303, 403, 403, 200, 403, 200]),
    ("/thong-ke/99999", [303, 403, 403, 403, 403, 404]),
    ("/nguoi/{P}", [303, 403, 403, 403, 200, 200]),
    ("/nguoi/{P}/du-lieu.json", [303, 403, 403, 403, 200, 200]),
    ("/nguoi/{P}/xoa", [303, 403, 403, 403, 403, 200]),
    ("/bien-tap/so-tay", [303, 403, 403, 403, 403, 200]),
    ("/bien-tap/anh", [303, 403, 403, 403, 403, 200]),
    ("/bien-tap/khoa-hoc", [303, 403, 403, 403, 403, 200]),
    (
        "/bien-tap/khoa-hoc/ky-nang-so-co-ban",
        [303, 403, 403, 403, 403, 200],
    ),
    (
        "/bien-tap/khoa-hoc/ky-nang-so-co-ban/bai/1",
        [303, 403, 403, 403, 403, 200],
    ),
    (
        "/bien-tap/khoa-hoc/ky-nang-so-co-ban/cau-hoi/moi",
        [303, 403, 403, 403, 403, 200],
    ),
    (
        "/bien-tap/khoa-hoc/ky-nang-so-co-ban/phien-ban/1",
        [303, 403, 403, 403, 403, 404],
    ),
];

async fn every_staff_page_by_role_and_scope(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    drop(app.learner("0911111111", COMMUNE_B).await);
    let person = hocvuso_db::repo::people::person_by_phone(app.state.db.read(), "0911111111")
        .await
        .ok()
        .flatten()
        .map(|p| p.id)
        .unwrap_or_else(|| panic!("registered"));
    let mut browsers = Vec::new();
    for who in ALL {
        let br = match who {
            Who::Anonymous => app.browser(),
            Who::Learner => app.learner("0922222222", COMMUNE_B).await,
            Who::HelperB => app.staff("0900000003", Role::Helper, COMMUNE_B).await,
            Who::OfficerA => app.staff("0900000006", Role::UnitOfficer, COMMUNE_A).await,
            Who::OfficerB => app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await,
            Who::Admin => app.staff("0900000001", Role::ProvinceAdmin, "68").await,
        };
        browsers.push(br);
    }
    let mut wrong = Vec::new();
    for (route, expected) in MATRIX {
        let path = route
            .replace("{A}", COMMUNE_A)
            .replace("{B}", COMMUNE_B)
            .replace("{P}", &person.to_string());
        for ((who, br), want) in ALL.iter().zip(browsers.iter_mut()).zip(expected) {
            let (status, _) = br.get_bytes(&path).await;
            if status != StatusCode::from_u16(*want).unwrap_or(StatusCode::IM_A_TEAPOT) {
                wrong.push(format!("{path} as {who:?}: {status}, expected {want}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "authorization matrix:\n{}",
        wrong.join("\n")
    );
}

test_both!(every_staff_page_by_role_and_scope);

/// Who may reach a route, as this test expects it (a second source of truth beside the route
/// table's layers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Public,
    LoggedIn,
    Helper,
    Staff,
    Officer,
    Province,
    Author,
}

/// Every route of the route table with its methods (`G` GET, `P` POST) and who may reach it.
/// `every_route_is_in_the_matrix` checks this list against `src/web/router.rs`.
const ROUTES: &[(&str, &str, Level)] = &[
    ("/", "G", Level::Public),
    ("/healthz", "G", Level::Public),
    ("/readyz", "G", Level::Public),
    // 404 for everyone unless a token or addresses are configured (tests::operations).
    ("/metrics", "G", Level::Public),
    ("/static/style.css", "G", Level::Public),
    ("/dang-ky", "GP", Level::Public),
    ("/dang-ky/ma", "GP", Level::Public),
    ("/dang-ky/thong-tin", "GP", Level::Public),
    ("/dang-nhap", "GP", Level::Public),
    ("/quen-mat-khau", "GP", Level::Public),
    ("/quen-mat-khau/ma", "GP", Level::Public),
    ("/chung-nhan", "G", Level::Public),
    ("/chung-nhan/kiem-tra-tep", "GP", Level::Public),
    ("/chung-nhan/{code}", "G", Level::Public),
    ("/so-tay", "G", Level::Public),
    ("/so-tay/tai-ve.pdf", "G", Level::Public),
    ("/so-tay/{slug}", "G", Level::Public),
    ("/so-tay/{slug}/in", "G", Level::Public),
    ("/so-tay/{slug}/ma-qr.svg", "G", Level::Public),
    ("/so-tay/{slug}/danh-gia", "P", Level::Public),
    ("/tim-kiem", "G", Level::Public),
    ("/anh/{name}", "G", Level::Public),
    ("/phuong-tien/{name}", "G", Level::Public),
    ("/static/handbook.js", "G", Level::Public),
    ("/sw.js", "G", Level::Public),
    ("/hoc", "G", Level::LoggedIn),
    ("/hoc/nang-luc", "G", Level::LoggedIn),
    ("/khoa-hoc/{slug}", "G", Level::LoggedIn),
    ("/khoa-hoc/{slug}/bai/{n}", "GP", Level::LoggedIn),
    ("/khoa-hoc/{slug}/kiem-tra", "GP", Level::LoggedIn),
    ("/bai-lam/{id}", "GP", Level::LoggedIn),
    ("/bai-lam/{id}/ket-qua", "G", Level::LoggedIn),
    ("/chung-nhan/{code}/tai-ve.pdf", "G", Level::LoggedIn),
    ("/chung-nhan/{code}/chung-nhan.json", "G", Level::LoggedIn),
    ("/doi-mat-khau", "GP", Level::LoggedIn),
    ("/ho-tro", "G", Level::Helper),
    ("/ho-tro/nhat-ky", "P", Level::Helper),
    ("/ho-tro/dang-ky", "GP", Level::Helper),
    ("/ho-tro/mat-khau", "GP", Level::Staff),
    ("/thong-ke", "G", Level::Officer),
    ("/thong-ke/ban-do", "G", Level::Officer),
    ("/thong-ke/bao-cao", "G", Level::Officer),
    ("/thong-ke/bao-cao.pdf", "G", Level::Officer),
    ("/danh-sach/nhap", "GP", Level::Officer),
    ("/danh-sach/nhap/xac-nhan", "P", Level::Officer),
    ("/danh-sach/chuyen", "GP", Level::Officer),
    ("/danh-sach/chuyen/{id}", "P", Level::Officer),
    ("/danh-sach/mau.csv", "G", Level::Officer),
    ("/danh-sach/mau.xlsx", "G", Level::Officer),
    ("/lop", "G", Level::Officer),
    ("/ton-vinh", "G", Level::Public),
    ("/tin-tuc", "G", Level::Public),
    ("/tin-tuc.atom", "G", Level::Public),
    ("/tin-tuc/{id}", "G", Level::Public),
    ("/tin-tuc/{id}/anh", "G", Level::Public),
    ("/tin-tuc/quan-ly", "G", Level::Officer),
    ("/nhac-nho", "G", Level::Officer),
    ("/nhac-nho/xem-truoc", "P", Level::Officer),
    ("/nhac-nho/gui", "P", Level::Officer),
    ("/nhac-nho/hang-tuan", "GP", Level::Officer),
    ("/nhac-nho/hang-tuan/{id}/{action}", "P", Level::Officer),
    ("/nhac-nho/{id}", "G", Level::Officer),
    ("/thong-bao", "G", Level::LoggedIn),
    ("/thong-bao/nhac-nho", "P", Level::LoggedIn),
    ("/thong-bao/thu-dien-tu", "P", Level::LoggedIn),
    ("/tin-tuc/quan-ly/moi", "GP", Level::Officer),
    ("/tin-tuc/quan-ly/{id}", "GP", Level::Officer),
    ("/tin-tuc/quan-ly/{id}/go", "P", Level::Officer),
    ("/cuoc-thi", "G", Level::Public),
    ("/cuoc-thi/{id}", "G", Level::Public),
    ("/cuoc-thi/{id}/xep-hang", "G", Level::Public),
    ("/cuoc-thi/{id}/tham-gia", "P", Level::LoggedIn),
    ("/cuoc-thi/{id}/vong/{number}/bat-dau", "P", Level::LoggedIn),
    ("/cuoc-thi/bai/{id}", "GP", Level::LoggedIn),
    ("/cuoc-thi/quan-ly", "G", Level::Officer),
    ("/cuoc-thi/quan-ly/moi", "GP", Level::Officer),
    ("/cuoc-thi/quan-ly/{id}", "G", Level::Officer),
    ("/cuoc-thi/quan-ly/{id}/vong", "P", Level::Officer),
    (
        "/cuoc-thi/quan-ly/{id}/vong/{number}/ket-thuc",
        "P",
        Level::Officer,
    ),
    ("/cuoc-thi/quan-ly/{id}/giai", "P", Level::Officer),
    ("/cuoc-thi/quan-ly/{id}/trao-giai", "P", Level::Officer),
    (
        "/cuoc-thi/quan-ly/{id}/quyet-dinh.xlsx",
        "G",
        Level::Officer,
    ),
    ("/cuoc-thi/quan-ly/{id}/quyet-dinh.pdf", "G", Level::Officer),
    ("/lop-hoc", "G", Level::LoggedIn),
    ("/lop-hoc/{id}/dang-ky", "P", Level::LoggedIn),
    ("/lop-hoc/{id}/huy", "P", Level::LoggedIn),
    ("/diem-danh", "GP", Level::LoggedIn),
    ("/lop-hoc/quan-ly", "G", Level::Officer),
    ("/lop-hoc/quan-ly/bao-cao.xlsx", "G", Level::Officer),
    ("/lop-hoc/quan-ly/bao-cao.pdf", "G", Level::Officer),
    ("/lop-hoc/quan-ly/moi", "GP", Level::Officer),
    ("/lop-hoc/quan-ly/{id}", "G", Level::Officer),
    ("/lop-hoc/quan-ly/{id}/ghi-danh", "P", Level::Officer),
    ("/lop-hoc/quan-ly/{id}/danh-sach.xlsx", "G", Level::Officer),
    ("/lop-hoc/quan-ly/{id}/danh-sach.pdf", "G", Level::Officer),
    ("/lop-hoc/quan-ly/{id}/buoi/{session}", "P", Level::Officer),
    (
        "/lop-hoc/quan-ly/{id}/buoi/{session}/ma",
        "G",
        Level::Officer,
    ),
    ("/ton-vinh/de-xuat", "G", Level::Officer),
    ("/ton-vinh/de-xuat/moi", "GP", Level::Officer),
    ("/ton-vinh/de-xuat/{id}", "G", Level::Officer),
    ("/ton-vinh/de-xuat/{id}/sua", "P", Level::Officer),
    ("/ton-vinh/de-xuat/{id}/tep", "P", Level::Officer),
    ("/ton-vinh/de-xuat/{id}/tep/{file}", "G", Level::Officer),
    ("/ton-vinh/de-xuat/{id}/xet", "P", Level::Province),
    ("/ke-hoach", "G", Level::Officer),
    ("/ke-hoach/{id}", "G", Level::Officer),
    ("/ke-hoach/{id}/cap-nhat", "P", Level::Officer),
    ("/ke-hoach/{id}/tep/{file}", "G", Level::Officer),
    ("/ke-hoach/moi", "GP", Level::Province),
    ("/ke-hoach/{id}/don-vi", "P", Level::Province),
    ("/bao-cao-dinh-ky", "G", Level::Officer),
    ("/bao-cao-dinh-ky/{id}", "G", Level::Officer),
    ("/bao-cao-dinh-ky/{id}/{code}", "G", Level::Officer),
    ("/bao-cao-dinh-ky/{id}/{code}/luu", "P", Level::Officer),
    ("/bao-cao-dinh-ky/{id}/{code}/tep", "P", Level::Officer),
    (
        "/bao-cao-dinh-ky/{id}/{code}/tep/{file}",
        "G",
        Level::Officer,
    ),
    (
        "/bao-cao-dinh-ky/{id}/{code}/tep/{file}/bo",
        "P",
        Level::Officer,
    ),
    ("/bao-cao-dinh-ky/moi", "GP", Level::Province),
    ("/bao-cao-dinh-ky/{id}/{code}/xet", "P", Level::Province),
    ("/bao-cao-dinh-ky/{id}/tong-hop.pdf", "G", Level::Province),
    ("/bao-cao-dinh-ky/{id}/tong-hop.docx", "G", Level::Province),
    ("/lop/{code}", "G", Level::Officer),
    ("/lop/{code}/ma", "P", Level::Officer),
    ("/lop/{code}/so", "P", Level::Officer),
    ("/lop/{code}/dong-y", "P", Level::Officer),
    ("/vao-lop", "GP", Level::Public),
    ("/nguoi/{id}", "G", Level::Officer),
    ("/nguoi/{id}/du-lieu.json", "G", Level::Officer),
    ("/thong-ke/{code}", "G", Level::Officer),
    ("/thong-ke/{code}/nguoi", "G", Level::Officer),
    ("/thong-ke/{code}/nang-luc", "G", Level::Officer),
    ("/thong-ke/{code}/nguoi.csv", "G", Level::Officer),
    ("/thong-ke/xuat.xlsx", "G", Level::Province),
    ("/thong-ke/xuat.csv", "G", Level::Province),
    ("/thong-ke/nhat-ky", "G", Level::Province),
    ("/thong-ke/mau-so", "GP", Level::Province),
    ("/thong-ke/mau-so/sua", "P", Level::Province),
    ("/thong-ke/mau-so/nhap", "P", Level::Province),
    ("/thong-ke/mau-so/mau.csv", "G", Level::Province),
    ("/thong-ke/mau-so/lich-su", "G", Level::Province),
    ("/thong-ke/vneid", "GP", Level::Province),
    ("/thong-ke/vneid/nhap", "P", Level::Province),
    ("/thong-ke/hoan-thanh", "GP", Level::Province),
    ("/thong-ke/hoan-thanh/nhap", "P", Level::Province),
    ("/thong-ke/hoan-thanh/mau.csv", "G", Level::Province),
    ("/thong-ke/chi-tieu", "GP", Level::Province),
    ("/thong-ke/khoa-bat-buoc", "G", Level::Province),
    ("/thong-ke/khoa-bat-buoc/{group}", "GP", Level::Province),
    (
        "/thong-ke/khoa-bat-buoc/{group}/ap-dung",
        "P",
        Level::Province,
    ),
    ("/to-chuc", "G", Level::Province),
    ("/to-chuc/{code}", "G", Level::Province),
    ("/to-chuc/{code}/{action}", "P", Level::Province),
    ("/nguoi/{id}/xoa", "GP", Level::Province),
    ("/nguoi/{id}/sua", "GP", Level::Province),
    ("/chung-nhan/{code}/thu-hoi", "P", Level::Province),
    ("/chung-nhan/{code}/khoi-phuc", "P", Level::Province),
    ("/bien-tap/so-tay", "G", Level::Author),
    ("/bien-tap/so-tay/moi", "GP", Level::Author),
    ("/bien-tap/so-tay/{id}", "GP", Level::Author),
    ("/bien-tap/so-tay/{id}/phien-ban", "G", Level::Author),
    ("/bien-tap/so-tay/{id}/phien-ban/{n}", "G", Level::Author),
    ("/bien-tap/so-tay/{id}/hien-thi", "P", Level::Author),
    ("/bien-tap/khoa-hoc", "GP", Level::Author),
    ("/bien-tap/khoa-hoc/{slug}", "GP", Level::Author),
    ("/bien-tap/khoa-hoc/{slug}/bai/{n}", "GP", Level::Author),
    ("/bien-tap/khoa-hoc/{slug}/bai/{n}/xoa", "P", Level::Author),
    ("/bien-tap/khoa-hoc/{slug}/cau-hoi/{n}", "GP", Level::Author),
    (
        "/bien-tap/khoa-hoc/{slug}/cau-hoi/{n}/xoa",
        "P",
        Level::Author,
    ),
    ("/bien-tap/khoa-hoc/{slug}/xuat-ban", "P", Level::Author),
    ("/bien-tap/khoa-hoc/{slug}/bo-nhap", "P", Level::Author),
    (
        "/bien-tap/khoa-hoc/{slug}/phien-ban/{n}",
        "G",
        Level::Author,
    ),
    ("/bien-tap/anh", "GP", Level::Author),
    ("/bien-tap/phuong-tien", "P", Level::Author),
    // Last: it ends the session of whoever posts it.
    ("/dang-xuat", "P", Level::Public),
];

/// `(path, methods)` of every `.route(…)` in the route table's source.
fn routes_in_router() -> Vec<(String, String)> {
    let src = include_str!("../web/router.rs");
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find(".route(") {
        rest = &rest[i + ".route(".len()..];
        let Some(start) = rest.find('"') else { break };
        let Some(len) = rest[start + 1..].find('"') else {
            break;
        };
        let path = rest[start + 1..start + 1 + len].to_owned();
        let end = [rest.find(".route("), rest.find(".route_layer(")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(rest.len());
        let chunk = &rest[..end];
        let mut methods = String::new();
        if chunk.contains("get(") {
            methods.push('G');
        }
        if chunk.contains("post(") {
            methods.push('P');
        }
        out.push((path, methods));
    }
    out
}

#[test]
fn every_route_is_in_the_matrix() {
    let mut in_router = routes_in_router();
    in_router.sort();
    let mut listed: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(p, m, _)| ((*p).to_owned(), (*m).to_owned()))
        .collect();
    listed.sort();
    assert!(
        in_router.len() > 80,
        "the parser found {} routes",
        in_router.len()
    );
    assert_eq!(
        in_router, listed,
        "every route (and method) of src/web/router.rs must be in ROUTES, and only those"
    );
}

/// Every route, GET and POST (with a valid CSRF token and an empty form), as each role: the
/// access layer lets through exactly the roles of the route's level. A refusal is 403 (or,
/// for a visitor, the way to the login page); anything else — the page, a form error, a
/// redirect elsewhere, 404 for a made-up id — means the request reached its handler.
async fn every_route_and_method_by_role(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    drop(app.learner("0911111111", COMMUNE_B).await);
    let person = hocvuso_db::repo::people::person_by_phone(app.state.db.read(), "0911111111")
        .await
        .ok()
        .flatten()
        .map(|p| p.id)
        .unwrap_or_else(|| panic!("registered"));
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Role6 {
        Anonymous,
        Learner,
        Helper,
        Officer,
        Admin,
        Author,
    }
    let roles = [
        Role6::Anonymous,
        Role6::Learner,
        Role6::Helper,
        Role6::Officer,
        Role6::Admin,
        Role6::Author,
    ];
    let mut browsers = Vec::new();
    for who in roles {
        browsers.push(match who {
            Role6::Anonymous => app.browser(),
            Role6::Learner => app.learner("0922222222", COMMUNE_B).await,
            Role6::Helper => app.staff("0900000003", Role::Helper, COMMUNE_B).await,
            Role6::Officer => app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await,
            Role6::Admin => app.staff("0900000001", Role::ProvinceAdmin, "68").await,
            Role6::Author => app.staff("0900000004", Role::Author, "68").await,
        });
    }
    let allowed = |level: Level, who: Role6| match level {
        Level::Public => true,
        Level::LoggedIn => who != Role6::Anonymous,
        Level::Helper => matches!(who, Role6::Helper | Role6::Officer),
        Level::Staff => matches!(who, Role6::Helper | Role6::Officer | Role6::Admin),
        Level::Officer => matches!(who, Role6::Officer | Role6::Admin),
        Level::Province => who == Role6::Admin,
        Level::Author => matches!(who, Role6::Admin | Role6::Author),
    };
    let mut wrong = Vec::new();
    for (route, methods, level) in ROUTES {
        let path = route
            .replace("{code}", COMMUNE_B)
            .replace("{id}", &person.to_string())
            .replace("{slug}", "ky-nang-so-co-ban")
            .replace("{n}", "1")
            .replace("{name}", "khong-co.png")
            .replace("{action}", "doi-ten")
            .replace("{group}", "officials")
            .replace("{file}", "1")
            .replace("{session}", "1");
        for method in methods.chars() {
            for (who, br) in roles.iter().zip(browsers.iter_mut()) {
                let page = if method == 'G' {
                    br.get(&path).await
                } else {
                    br.post(&path, &[]).await
                };
                let to_login = page.status == StatusCode::SEE_OTHER
                    && page.location().starts_with("/dang-nhap");
                let refused = page.status == StatusCode::FORBIDDEN || to_login;
                let ok = if allowed(*level, *who) {
                    !refused && page.status != StatusCode::INTERNAL_SERVER_ERROR
                } else if *who == Role6::Anonymous {
                    to_login
                } else {
                    page.status == StatusCode::FORBIDDEN
                };
                if !ok {
                    wrong.push(format!(
                        "{method} {path} as {who:?} ({level:?}): {} {}",
                        page.status,
                        page.location()
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "access matrix:\n{}", wrong.join("\n"));
}

test_both!(every_route_and_method_by_role);
