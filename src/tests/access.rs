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
/// communes, `{P}` a resident of commune B. The blank roster templates hold no personal data.
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
    ("/thong-ke/hoan-thanh", [303, 403, 403, 403, 403, 200]),
    (
        "/thong-ke/hoan-thanh/mau.csv",
        [303, 403, 403, 403, 403, 200],
    ),
    ("/danh-sach/nhap", [303, 403, 403, 200, 200, 200]),
    ("/danh-sach/mau.csv", [303, 200, 200, 200, 200, 200]),
    ("/danh-sach/mau.xlsx", [303, 200, 200, 200, 200, 200]),
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
