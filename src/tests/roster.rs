//! /danh-sach/nhap: roster imports. Dry run writes nothing; the import is all or nothing;
//! importing the same file again changes nothing; malformed files are refused with their
//! errors in Vietnamese; an officer reaches only their own unit; a move of commune moves the
//! person's counts.

use crate::clock::Clock;
use axum::http::StatusCode;
use hocvuso_db::dialect::IdReserver;
use hocvuso_db::repo::{org, people, roster as repo};
use hocvuso_db::ConnectionTrait;
use hocvuso_domain::{Role, TargetGroup};
use hocvuso_test_utils::{test_both, TestBackend};
use rust_xlsxwriter::Workbook;

use super::util::{Browser, Page, TestApp, COMMUNE_A, COMMUNE_B};
use crate::services::people::roster::{self, Mode};

const HEADER: &str =
    "STT,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Số định danh cá nhân,Mã xã,Nhóm";

fn good_csv() -> String {
    format!(
        "DANH SÁCH NGƯỜI HỌC\n{HEADER}\n\
         1,Nguyễn Thị Hoa,05/03/1962,Nữ,0912345678,068162001234,{COMMUNE_B},Người dân\n\
         2,Trần Văn Bình,1970,Nam,0987654321,,{COMMUNE_B},Người dân\n\
         ,,,,,,,\n\
         3,Lê Thị Cúc,12/12/2008,Nữ,,068308000111,{COMMUNE_B},Học sinh\n"
    )
}

async fn upload(br: &mut Browser<'_>, name: &str, bytes: &[u8]) -> Page {
    let token = br.csrf().await;
    br.post_file(
        "/danh-sach/nhap",
        &[("csrf_token", &token)],
        "tep",
        name,
        bytes,
    )
    .await
}

async fn confirm(br: &mut Browser<'_>, preview: &Page) -> Page {
    let token = preview
        .attrs("form#nhap input[name=ma]", "value")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no confirm form in:\n{}", preview.body));
    br.post("/danh-sach/nhap/xac-nhan", &[("ma", &token)]).await
}

async fn people_count(app: &TestApp) -> usize {
    let db = app.state.db.read();
    let mut ids = Vec::new();
    for u in org::all(db).await.unwrap_or_else(|e| panic!("{e}")) {
        ids.push(u.id);
    }
    let mut n = 0;
    for p in ["0912345678", "0987654321"] {
        n += usize::from(
            people::person_by_phone(db, p)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .is_some(),
        );
    }
    let by_cid = repo::people_by_keys(db, &["068308000111".to_owned()], &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    n + by_cid.len()
}

async fn dry_run_then_import_then_the_same_file_changes_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    assert_eq!(admin.get("/danh-sach/nhap").await.status, StatusCode::OK);

    let preview = upload(&mut admin, "xuan-huong.csv", good_csv().as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.text("#them-moi"), "3");
    assert!(
        preview.body.contains("1 dòng trống được bỏ qua"),
        "{}",
        preview.body
    );
    assert_eq!(people_count(&app).await, 0, "a dry run writes nothing");

    let done = confirm(&mut admin, &preview).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.text("#da-nhap").contains("Thêm mới 3 người"));
    assert_eq!(people_count(&app).await, 3);
    let db = app.state.db.read();
    let hoa = people::person_by_phone(db, "0912345678")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("imported"));
    assert_eq!(hoa.citizen_id.as_deref(), Some("068162001234"));
    assert_eq!(hoa.birth_date.as_deref(), Some("1962-03-05"));
    assert_eq!(hoa.gender.as_deref(), Some("F"));
    let unit_b = org::by_code(db, COMMUNE_B)
        .await
        .ok()
        .flatten()
        .map(|u| u.id);
    assert_eq!(hoa.residence_unit_id, unit_b);
    let m = people::memberships(db, hoa.id).await.unwrap_or_default();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].group_code.as_str(), Some(m[0].unit_id)),
        ("adults", unit_b)
    );
    // The confirmation cannot be replayed.
    let again = confirm(&mut admin, &preview).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);

    // The same file again: nothing to add, nothing changes.
    let preview = upload(&mut admin, "xuan-huong.csv", good_csv().as_bytes()).await;
    assert_eq!(preview.text("#them-moi"), "0");
    assert_eq!(preview.text("#khong-doi"), "3");
    let done = confirm(&mut admin, &preview).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(people_count(&app).await, 3);
    let m = people::memberships(db, hoa.id).await.unwrap_or_default();
    assert_eq!(m.len(), 1, "no second membership");
    assert_eq!(
        done.texts("table#lan-nhap tbody tr").len(),
        2,
        "both imports are listed"
    );

    // A corrected name and a phone added later update the same person (matched by ID).
    let fixed = format!(
        "{HEADER}\n1,Nguyễn Thị Hoà,05/03/1962,Nữ,0912345678,068162001234,{COMMUNE_B},Người dân\n\
         3,Lê Thị Cúc,12/12/2008,Nữ,0356000111,068308000111,{COMMUNE_B},Học sinh\n"
    );
    let preview = upload(&mut admin, "sua.csv", fixed.as_bytes()).await;
    assert_eq!(preview.text("#cap-nhat"), "2", "{}", preview.body);
    // The dry run names who changes and how, the phone masked as in the lists.
    let changes = preview.texts("#thay-doi li");
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(
        changes[0].starts_with(
            "Dòng 2: Nguyễn Thị Hoa (0912***678): họ tên: Nguyễn Thị Hoa → Nguyễn Thị Hoà"
        ),
        "{changes:?}"
    );
    assert!(
        changes[1] == "Dòng 3: Lê Thị Cúc (********0111): số điện thoại: — → 0356***111",
        "{changes:?}"
    );
    assert!(!preview.body.contains("0356000111") && !preview.body.contains("068308000111"));
    confirm(&mut admin, &preview).await;
    let cuc = people::person_by_phone(db, "0356000111")
        .await
        .ok()
        .flatten();
    assert_eq!(
        cuc.and_then(|c| c.citizen_id).as_deref(),
        Some("068308000111")
    );
    assert_eq!(people_count(&app).await, 3);
    app.verify_ok().await;
}

/// One malformed file and the message it must get.
struct Bad {
    what: &'static str,
    name: &'static str,
    bytes: Vec<u8>,
    expect: &'static str,
}

fn xlsx(write: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        sheet
            .write_string(1, c as u16, h)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let row = [
        "1",
        "Nguyễn Thị Hoa",
        "05/03/1962",
        "Nữ",
        "0912345678",
        "068162001234",
        COMMUNE_B,
        "Người dân",
    ];
    for (c, v) in row.iter().enumerate() {
        sheet
            .write_string(2, c as u16, *v)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    write(sheet);
    book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"))
}

fn malformed() -> Vec<Bad> {
    let line = |rest: &str| format!("{HEADER}\n{rest}\n").into_bytes();
    vec![
        Bad {
            what: "wrong headers",
            name: "a.csv",
            bytes: "Tên,Tuổi,Xã\nHoa,60,24781\n".as_bytes().to_vec(),
            expect: "Không thấy dòng tiêu đề",
        },
        Bad {
            what: "missing columns",
            name: "a.csv",
            bytes: "Họ và tên,Năm sinh\nHoa,1960\n".as_bytes().to_vec(),
            expect: "Dòng tiêu đề thiếu cột: “Mã xã”, “Nhóm”",
        },
        Bad {
            what: "bad encoding",
            name: "a.csv",
            bytes: vec![0x01, 0x02, 0x9f, 0x00, 0x41, 0x81, 0x8d, 0x0a],
            expect: "Không đọc được chữ trong tệp",
        },
        Bad {
            what: "only a header and empty rows",
            name: "a.csv",
            bytes: format!("{HEADER}\n,,,,,,,\n,,,,,,,\n").into_bytes(),
            expect: "Tệp không có dòng nào ghi người",
        },
        Bad {
            what: "unknown commune",
            name: "a.csv",
            bytes: line("1,Nguyễn Thị Hoa,1962,Nữ,0912345678,,99999,Người dân"),
            expect: "Mã xã “99999” không phải xã, phường nào của tỉnh",
        },
        Bad {
            what: "duplicate person in the file",
            name: "a.csv",
            bytes: format!(
                "{HEADER}\n1,Nguyễn Thị Hoa,1962,Nữ,0912345678,,{COMMUNE_B},Người dân\n\
                 2,Nguyễn Thị Hoa,1962,Nữ,0912 345 678,,{COMMUNE_B},Người dân\n"
            )
            .into_bytes(),
            expect: "Dòng 3: Số điện thoại trùng với dòng 2",
        },
        Bad {
            what: "citizen ID against birth year",
            name: "a.csv",
            bytes: line(&format!(
                "1,Nguyễn Thị Hoa,1962,Nữ,,068195001234,{COMMUNE_B},Người dân"
            )),
            expect: "Số định danh ghi năm sinh 1995, khác năm sinh 1962",
        },
        Bad {
            what: "no key",
            name: "a.csv",
            bytes: line(&format!("1,Nguyễn Thị Hoa,1962,Nữ,,,{COMMUNE_B},Người dân")),
            expect: "cần Số định danh cá nhân hoặc Số điện thoại",
        },
        Bad {
            what: "merged cells",
            name: "a.xlsx",
            bytes: xlsx(|s| {
                s.merge_range(3, 6, 4, 6, COMMUNE_B, &rust_xlsxwriter::Format::new())
                    .unwrap_or_else(|e| panic!("{e}"));
            }),
            expect: "Bảng có ô gộp (G4:G5)",
        },
        Bad {
            what: "formula cells",
            name: "a.xlsx",
            bytes: xlsx(|s| {
                s.write_formula(2, 0, "=ROW()-2")
                    .unwrap_or_else(|e| panic!("{e}"));
            }),
            expect: "Bảng có ô chứa công thức (A3)",
        },
        Bad {
            what: "a formula where the birth date goes: one message, not two",
            name: "a.xlsx",
            bytes: xlsx(|s| {
                s.write_formula(2, 2, "=DATE(1962,3,5)")
                    .unwrap_or_else(|e| panic!("{e}"));
            }),
            expect: "Bảng có ô chứa công thức (C3)",
        },
        Bad {
            what: "a damaged workbook, in Vietnamese",
            name: "a.xlsx",
            bytes: b"PK\x03\x04 this is not a whole zip archive".to_vec(),
            expect: "Không đọc được tệp Excel: tệp bị hỏng, chưa tải về hết",
        },
        Bad {
            what: "an 11-digit citizen ID that starts with 0 lacks a digit",
            name: "a.csv",
            bytes: line(&format!(
                "1,Nguyễn Thị Hoa,1962,Nữ,,06816200123,{COMMUNE_B},Người dân"
            )),
            expect: "có 11 chữ số, thiếu 1 chữ số",
        },
        Bad {
            what: "an 11-digit citizen ID that does not fit with a 0 put back lacks a digit",
            name: "a.csv",
            bytes: line(&format!(
                "1,Nguyễn Thị Hoa,1970,Nữ,,68162001123,{COMMUNE_B},Người dân"
            )),
            expect: "có 11 chữ số, thiếu 1 chữ số",
        },
        Bad {
            what: "an old 9-digit identity card number",
            name: "a.csv",
            bytes: line(&format!(
                "1,Nguyễn Thị Hoa,1962,Nữ,,250123456,{COMMUNE_B},Người dân"
            )),
            expect: "số chứng minh nhân dân cũ",
        },
        Bad {
            what: "an empty file",
            name: "a.csv",
            bytes: Vec::new(),
            expect: "Tệp trống.",
        },
        Bad {
            what: "old .xls",
            name: "a.xls",
            bytes: vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            expect: "đây là tệp Excel cũ (.xls)",
        },
    ]
}

async fn malformed_files_are_refused_and_nothing_is_written(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    for bad in malformed() {
        let page = upload(&mut admin, bad.name, &bad.bytes).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            bad.what
        );
        let errors = page.texts(".error-summary li").join(" | ");
        assert!(
            errors.contains(bad.expect),
            "{}: expected “{}” in: {errors}",
            bad.what,
            bad.expect
        );
        assert!(!page.has("form#nhap"), "{}: no confirm button", bad.what);
        // A refused file adds nobody: the page does not say how many "would be added".
        assert!(!page.has("#them-moi"), "{}: no would-be figures", bad.what);
        assert!(
            !page.body.contains("theo mã .") && !page.body.contains("theo mã  "),
            "{}: no blank encoding",
            bad.what
        );
        if bad.what.starts_with("a formula") {
            assert_eq!(page.texts(".error-summary li").len(), 1, "{}", bad.what);
        }
        for english in ["invalid", "Invalid", "zip", "archive", "EOF"] {
            assert!(!errors.contains(english), "{}: {errors}", bad.what);
        }
    }
    assert_eq!(people_count(&app).await, 0);
    assert!(people::person_by_phone(app.state.db.read(), "0912345678")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .is_none());
}

async fn files_excel_and_older_tools_write_are_read(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let text = format!(
        "{}\r\n1\tNguyễn Thị Hoa\t05/03/1962\tNữ\t0912345678\t068162001234\t{COMMUNE_B}\tNgười dân\r\n",
        HEADER.replace(',', "\t")
    );
    // "Unicode Text" from Excel: UTF-16 little-endian with a byte-order mark, tab-separated.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let page = upload(&mut admin, "unicode.txt", &utf16).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("mã UTF-16"));
    assert_eq!(page.text("#them-moi"), "1");

    // Windows-1258: "Nguyễn Thị Hoa" with tones as combining marks.
    let mut cp1258: Vec<u8> =
        b"Ho\xf2 va\xcc t\xean,Ng\xe0y sinh,S\xf4\xec \xf0i\xea\xf2n thoa\xf2i,Ma\xde xa\xde,Nho\xecm\n"
            .to_vec();
    cp1258.extend_from_slice(b"Nguy\xea\xden Thi\xf2 Hoa,1962,0912345678,");
    cp1258.extend_from_slice(COMMUNE_B.as_bytes());
    cp1258.extend_from_slice(b",Ng\xfd\xf5\xcci d\xe2n\n");
    let page = upload(&mut admin, "cu.csv", &cp1258).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("mã Windows-1258"));
    let done = confirm(&mut admin, &page).await;
    assert_eq!(done.status, StatusCode::OK);
    let hoa = people::person_by_phone(app.state.db.read(), "0912345678")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("imported"));
    assert_eq!(hoa.full_name, "Nguyễn Thị Hoa", "stored in NFC");

    // The templates download with no sample people: uploaded as they are, they change nobody
    // (a sample phone once matched a real learner and would have renamed her).
    let before = people_count(&app).await;
    let (status, bytes) = admin.get_bytes("/danh-sach/mau.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(&bytes))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.sheet_names(), vec!["Danh sách", "Hướng dẫn"]);
        let list = book
            .worksheet_range("Danh sách")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(list.rows().count(), 1, "the header only");
    }
    let page = upload(&mut admin, "mau.xlsx", &bytes).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.text(".error-summary").contains("không có dòng nào"));
    let (status, csv) = admin.get_bytes("/danh-sach/mau.csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8_lossy(&csv).into_owned();
    assert!(csv.contains("Họ và tên,Ngày sinh"));
    assert_eq!(csv.trim_end().lines().count(), 1, "{csv}");
    let page = upload(&mut admin, "mau.csv", csv.as_bytes()).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert_eq!(people_count(&app).await, before, "nobody added or changed");
}

async fn officers_import_only_into_their_own_unit(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut officer = app.staff("0900000002", Role::UnitOfficer, COMMUNE_B).await;
    let page = officer.get("/danh-sach/nhap").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Xuân Hương"));
    let other = format!("{HEADER}\n1,Nguyễn Thị Hoa,1962,Nữ,0912345678,,{COMMUNE_A},Người dân\n");
    let page = upload(&mut officer, "a.csv", other.as_bytes()).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .texts(".error-summary li")
        .join(" ")
        .contains(&format!("Xã có mã {COMMUNE_A} không thuộc")));
    let own = format!("{HEADER}\n1,Nguyễn Thị Hoa,1962,Nữ,0912345678,,{COMMUNE_B},Người dân\n");
    let preview = upload(&mut officer, "b.csv", own.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);

    // Another officer cannot apply this officer's upload; learners and strangers get nothing.
    let mut second = app.staff("0900000003", Role::UnitOfficer, COMMUNE_B).await;
    assert_eq!(
        confirm(&mut second, &preview).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut learner = app.learner("0911111111", COMMUNE_B).await;
    assert_eq!(
        learner.get("/danh-sach/nhap").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        upload(&mut learner, "b.csv", own.as_bytes()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        learner.get("/danh-sach/mau.xlsx").await.status,
        StatusCode::FORBIDDEN,
        "the template is for officers"
    );
    let mut stranger = app.browser();
    let page = stranger.get("/danh-sach/nhap").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/dang-nhap"));
    assert_eq!(people_count(&app).await, 0);
    assert_eq!(confirm(&mut officer, &preview).await.status, StatusCode::OK);
    assert_eq!(people_count(&app).await, 1);
}

async fn a_change_of_commune_moves_the_counts(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    // A learner of commune A passes the course: A counts one.
    let mut learner = app.learner("0912345678", COMMUNE_A).await;
    learner.read_all_lessons().await;
    let attempt = learner.start_quiz().await;
    learner.answer_all(attempt, true).await;
    assert_eq!(app.achieved(COMMUNE_A).await, 1);
    assert_eq!(app.achieved(COMMUNE_B).await, 0);

    // The roster of commune B lists her (same phone): she moved.
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let csv = format!("{HEADER}\n1,Nguyễn Thị Hoa,1960,Nữ,0912345678,,{COMMUNE_B},Người dân\n");
    let preview = upload(&mut admin, "b.csv", csv.as_bytes()).await;
    assert_eq!(preview.text("#chuyen"), "1", "{}", preview.body);
    assert!(
        preview.text("#thay-doi").contains("Phường Mũi Né → "),
        "{}",
        preview.text("#thay-doi")
    );
    assert_eq!(app.achieved(COMMUNE_A).await, 1, "a dry run moves nothing");
    confirm(&mut admin, &preview).await;
    assert_eq!(app.achieved(COMMUNE_A).await, 0);
    assert_eq!(app.achieved(COMMUNE_B).await, 1);
    app.verify_ok().await;
    // Once more: nothing moves again.
    let preview = upload(&mut admin, "b.csv", csv.as_bytes()).await;
    assert_eq!(preview.text("#khong-doi"), "1");
}

/// An error in the last row of a file bigger than one chunk: the import (without a dry run
/// first, as the command line runs it) writes nothing of the rows before it.
async fn an_error_in_the_last_row_keeps_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let rows = 5_000;
    let mut csv = format!("{HEADER}\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "{i},Người Thử Số,1980,Nam,03{:08},,{COMMUNE_B},Người dân\n",
            i
        ));
    }
    csv.push_str("x,Người Cuối,1980,Nam,0999999999,,00000,Người dân\n");
    let scope = roster::province_scope(app.state.db.read())
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("province"));
    let report = roster::run(
        &app.state,
        &scope,
        None,
        "big.csv",
        csv.into_bytes(),
        Mode::Apply,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.applied);
    assert_eq!(report.error_count, 1);
    assert_eq!(report.errors[0].line, rows + 2);
    for phone in ["0300000000", "0300004999"] {
        assert!(people::person_by_phone(app.state.db.read(), phone)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none());
    }
    // Without the bad row it goes in whole.
    let mut csv = format!("{HEADER}\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "{i},Người Thử Số,1980,Nam,03{:08},,{COMMUNE_B},Người dân\n",
            i
        ));
    }
    let report = roster::run(
        &app.state,
        &scope,
        None,
        "big.csv",
        csv.into_bytes(),
        Mode::Apply,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.applied, "{:?}", report.errors);
    assert_eq!(report.added, rows);
    assert!(people::person_by_phone(app.state.db.read(), "0300004999")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .is_some());
    app.verify_ok().await;
}

/// Old records name communes as they were before the 2025 merger: the name finds the new one.
async fn old_commune_names_find_the_new_commune(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    let csv = format!(
        "{HEADER}\n1,Nguyễn Thị Hoa,1962,Nữ,0912345678,,Xã Thiện Nghiệp,Người dân\n\
         2,Trần Văn Bình,1970,Nam,0987654321,,mui ne,Người dân\n\
         3,Lê Thị Cúc,1958,Nữ,0356000111,,Xã Phong Phú,Người dân\n"
    );
    let page = upload(&mut admin, "cu.csv", csv.as_bytes()).await;
    let errors = page.texts(".error-summary li");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("Dòng 4: “Xã Phong Phú” là tên của nhiều xã, phường (mã "),
        "{errors:?}"
    );
    let without = csv.lines().take(3).collect::<Vec<_>>().join("\n");
    let page = upload(&mut admin, "cu.csv", without.as_bytes()).await;
    assert_eq!(page.text("#them-moi"), "2", "{}", page.body);
    confirm(&mut admin, &page).await;
    let unit_a = org::by_code(app.state.db.read(), COMMUNE_A)
        .await
        .ok()
        .flatten()
        .map(|u| u.id);
    for phone in ["0912345678", "0987654321"] {
        let p = people::person_by_phone(app.state.db.read(), phone)
            .await
            .ok()
            .flatten();
        assert_eq!(p.and_then(|p| p.residence_unit_id), unit_a, "{phone}");
    }
}

/// Someone who finished the course before belonging to the group (a 16-year-old) achieves it
/// the moment a roster puts them in the group, and the commune counts them.
async fn joining_a_group_counts_what_was_already_achieved(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut young = app.browser();
    let page = young
        .register("0912345678", "Lê Văn Trẻ", "2010", COMMUNE_B)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    young.read_all_lessons().await;
    let attempt = young.start_quiz().await;
    young.answer_all(attempt, true).await;
    assert_eq!(
        app.achieved(COMMUNE_B).await,
        0,
        "not an adult: not counted"
    );
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;
    // The roster names them with their citizen ID: a roster match confirms who they are, so
    // what they achieved counts in the reported figures from now on.
    let csv =
        format!("{HEADER}\n1,Lê Văn Trẻ,2010,Nam,0912345678,068210001234,{COMMUNE_B},Người dân\n");
    let preview = upload(&mut admin, "r.csv", csv.as_bytes()).await;
    assert_eq!(preview.text("#cap-nhat"), "1", "{}", preview.body);
    confirm(&mut admin, &preview).await;
    assert_eq!(app.achieved(COMMUNE_B).await, 1);
    app.verify_ok().await;
}

fn ok<T>(e: hocvuso_db::DbErr) -> T {
    panic!("{e}")
}

/// The bulk load under every import (PostgreSQL: `COPY` on a connection of its own, inside
/// one transaction): text comes back exactly as written, even with the characters `COPY`
/// escapes; a duplicate key is the unique violation the import turns into its message; a
/// transaction dropped without commit keeps nothing; ids come from the table's sequence.
async fn the_bulk_load_keeps_text_exactly_and_all_or_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let db = &app.state.db;
    let commune = org::by_code(db.read(), COMMUNE_A)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no commune {COMMUNE_A}"));
    let person = |name: &str, phone: &str| repo::RosterPerson {
        full_name: name.to_owned(),
        phone: Some(phone.to_owned()),
        citizen_id: None,
        gender: Some("F".to_owned()),
        birth_year: 1960,
        birth_date: "1960".to_owned(),
        residence_unit_id: commune.id,
    };
    let tricky = "Bà Hoa \\ \\N\tcột\nxuống dòng\r – “ngoặc” \\\\";
    let now = app.clock.now();

    let backend = db.read().get_database_backend();

    let txn = db.begin_bulk().await.unwrap_or_else(ok);
    let mut ids = IdReserver::new(&txn, "person").await.unwrap_or_else(ok);
    let reserved = ids.take(db.read(), 2).await.unwrap_or_else(ok);
    assert_eq!(reserved.len(), 2);
    assert_ne!(reserved[0], reserved[1]);
    let first = person(tricky, "0911000001");
    let second = person("Trần Văn An", "0911000002");
    let rows = repo::people_rows(
        backend,
        [(reserved[0], &first), (reserved[1], &second)],
        now,
    );
    assert_eq!(rows.len(), 2);
    repo::insert_people(&txn, rows).await.unwrap_or_else(ok);
    let members = [(reserved[0], TargetGroup::Adults.code(), commune.id, None)];
    repo::insert_memberships(&txn, repo::membership_rows(backend, members, now))
        .await
        .unwrap_or_else(ok);
    txn.commit().await.unwrap_or_else(ok);
    let stored = people::person_by_phone(db.read(), "0911000001")
        .await
        .unwrap_or_else(ok)
        .unwrap_or_else(|| panic!("the first person was not stored"));
    assert_eq!(stored.id, reserved[0]);
    assert_eq!(stored.full_name, tricky);
    assert_eq!(stored.residence_unit_id, Some(commune.id));
    assert_eq!(stored.created_at, now);
    let memberships = people::memberships(db.read(), reserved[0])
        .await
        .unwrap_or_else(ok);
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].unit_id, commune.id);

    // The same phone again: a unique violation, and with it nothing of the transaction.
    let txn = db.begin_bulk().await.unwrap_or_else(ok);
    let mut ids = IdReserver::new(&txn, "person").await.unwrap_or_else(ok);
    let next = ids.take(db.read(), 2).await.unwrap_or_else(ok);
    assert!(next.iter().all(|id| !reserved.contains(id)), "{next:?}");
    let new = person("Lê Thị Mới", "0911000003");
    let duplicate = person("Người Trùng Số", "0911000002");
    let rows = repo::people_rows(backend, [(next[0], &new), (next[1], &duplicate)], now);
    let err = match repo::insert_people(&txn, rows).await {
        Ok(()) => panic!("a duplicate phone was accepted"),
        Err(e) => e,
    };
    assert!(
        hocvuso_db::dialect::is_unique_violation(&err),
        "not a unique violation: {err}"
    );
    txn.rollback().await.unwrap_or_else(ok);
    let kept = people::person_by_phone(db.read(), "0911000003")
        .await
        .unwrap_or_else(ok);
    assert!(kept.is_none(), "a rolled-back row was kept");

    // Dropped without a commit: nothing kept, and the connection is fit for the next one.
    {
        let txn = db.begin_bulk().await.unwrap_or_else(ok);
        let mut ids = IdReserver::new(&txn, "person").await.unwrap_or_else(ok);
        let id = ids.take(db.read(), 1).await.unwrap_or_else(ok);
        let dropped = person("Bỏ Dở", "0911000004");
        repo::insert_people(&txn, repo::people_rows(backend, [(id[0], &dropped)], now))
            .await
            .unwrap_or_else(ok);
    }
    for _ in 0..3 {
        let txn = db.begin_bulk().await.unwrap_or_else(ok);
        txn.commit().await.unwrap_or_else(ok);
    }
    let kept = people::person_by_phone(db.read(), "0911000004")
        .await
        .unwrap_or_else(ok);
    assert!(kept.is_none(), "a dropped transaction's row was kept");
    app.verify_ok().await;
}

/// What officers really send: a workbook whose first sheet (last year's list) is hidden, a
/// CSV with a line break inside a cell, an ID whose leading zero Excel dropped.
async fn files_as_officers_send_them(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let mut admin = app.staff("0900000001", Role::ProvinceAdmin, "68").await;

    // The hidden first sheet holds someone else; the visible second one is read.
    let mut book = Workbook::new();
    let rows = |sheet: &mut rust_xlsxwriter::Worksheet, person: [&str; 8]| {
        for (c, h) in HEADER.split(',').enumerate() {
            sheet
                .write_string(0, c as u16, h)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        for (c, v) in person.iter().enumerate() {
            sheet
                .write_string(1, c as u16, *v)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    };
    let last_year = book.add_worksheet();
    last_year
        .set_name("Năm 2025")
        .unwrap_or_else(|e| panic!("{e}"));
    rows(
        last_year,
        [
            "1",
            "Người Năm Ngoái",
            "1970",
            "Nam",
            "0987654321",
            "",
            COMMUNE_B,
            "Người dân",
        ],
    );
    last_year.set_hidden(true);
    let this_year = book.add_worksheet();
    this_year
        .set_name("Năm 2026")
        .unwrap_or_else(|e| panic!("{e}"));
    rows(
        this_year,
        // Excel dropped the ID's leading zero (a number cell): read back as 068162001234.
        [
            "1",
            "Nguyễn Thị Hoa",
            "1962",
            "Nữ",
            "0912345678",
            "68162001234",
            COMMUNE_B,
            "Người dân",
        ],
    );
    this_year.set_active(true);
    let bytes = book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
    let page = upload(&mut admin, "danh-sach.xlsx", &bytes).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.text("#them-moi"), "1");
    confirm(&mut admin, &page).await;
    let hoa = people::person_by_phone(app.state.db.read(), "0912345678")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the visible sheet's person"));
    assert_eq!(hoa.citizen_id.as_deref(), Some("068162001234"));
    assert!(people::person_by_phone(app.state.db.read(), "0987654321")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .is_none());

    // A cell with a line break is one row in Excel: the next row's error names Excel's row.
    let csv = format!(
        "{HEADER}
1,\"Trần Văn Bình\",1970,Nam,0987654321,,{COMMUNE_B},\"Người dân\"
         2,\"Lê Thị Cúc\",1958,Nữ,0356000111,,\"{COMMUNE_B}\n(thôn 2)\",Người dân
         3,Phạm Văn Dũng,1965,Nam,0356000222,,{COMMUNE_B},Không có nhóm này
"
    );
    let page = upload(&mut admin, "a.csv", csv.as_bytes()).await;
    let errors = page.texts(".error-summary li");
    assert!(
        errors.iter().any(|e| e.starts_with("Dòng 4: cột H (Nhóm)")),
        "{errors:?}"
    );
}

/// A school's officer (a teacher) imports the class lists of the school: pupils who live in
/// several communes, each with their class; the school's page shows the classes; the same
/// list again changes nothing, a pupil moved to another class is updated, and a class named
/// for an adult is refused.
async fn a_school_imports_its_class_lists_and_sees_each_class(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    app.add_unit(COMMUNE_B, "THCS-TEST", "Trường THCS Thử", "school")
        .await;
    let mut teacher = app
        .staff("0900000002", Role::UnitOfficer, "THCS-TEST")
        .await;
    let list = |six_b: &str| {
        format!(
            "Họ và tên,Ngày sinh,Số điện thoại,Mã xã,Nhóm,Mã đơn vị,Lớp\n\
             Nguyễn Văn An,2014,0911000001,{COMMUNE_B},Học sinh,THCS-TEST,6A1\n\
             Trần Thị Bình,2014,0911000002,{COMMUNE_A},Học sinh,THCS-TEST,6A1\n\
             Lê Văn Cường,2013,0911000003,{COMMUNE_B},Học sinh,THCS-TEST,{six_b}\n\
             Phạm Thị Dung,2011,0911000004,{COMMUNE_B},Học sinh,THCS-TEST,10A1\n"
        )
    };
    let page = upload(&mut teacher, "lop.csv", list("7B").as_bytes()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.text("#them-moi"), "4");
    confirm(&mut teacher, &page).await;

    let school = teacher.get("/thong-ke/THCS-TEST?nhom=students").await;
    assert_eq!(school.status, StatusCode::OK);
    let classes = school.texts("table#lop tbody tr td:first-child");
    assert_eq!(
        classes,
        vec!["6A1", "7B", "10A1"],
        "classes in the school's order"
    );
    assert_eq!(
        school.text("table#lop tr[data-class=\"6A1\"] td[data-field=pupils]"),
        "2"
    );

    // The same list again changes nobody; a pupil moved to another class is updated.
    let again = upload(&mut teacher, "lop.csv", list("7B").as_bytes()).await;
    assert_eq!(again.text("#khong-doi"), "4");
    let moved = upload(&mut teacher, "lop.csv", list("7A").as_bytes()).await;
    assert_eq!(moved.text("#cap-nhat"), "1");
    assert!(
        moved.text("#thay-doi").contains("lớp 7B → 7A"),
        "{}",
        moved.body
    );
    confirm(&mut teacher, &moved).await;
    let school = teacher.get("/thong-ke/THCS-TEST?nhom=students").await;
    assert_eq!(
        school.texts("table#lop tbody tr td:first-child"),
        vec!["6A1", "7A", "10A1"]
    );

    // A class is for pupils of a school.
    let adult = format!(
        "Họ và tên,Ngày sinh,Số điện thoại,Mã xã,Nhóm,Mã đơn vị,Lớp\n\
         Võ Văn Em,1980,0911000009,{COMMUNE_B},Người dân,THCS-TEST,6A1\n"
    );
    let refused = upload(&mut teacher, "lop.csv", adult.as_bytes()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text(".error-summary")
        .contains("chỉ ghi lớp cho học sinh"));
    // A teacher's list is of their school: a row without the school's code is refused.
    let outside = format!(
        "Họ và tên,Ngày sinh,Số điện thoại,Mã xã,Nhóm\n\
         Võ Văn Em,1980,0911000009,{COMMUNE_B},Người dân\n"
    );
    let refused = upload(&mut teacher, "ds.csv", outside.as_bytes()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text(".error-summary").contains("không thuộc"));
    app.verify_ok().await;
}

test_both!(
    a_school_imports_its_class_lists_and_sees_each_class,
    files_as_officers_send_them,
    the_bulk_load_keeps_text_exactly_and_all_or_nothing,
    joining_a_group_counts_what_was_already_achieved,
    old_commune_names_find_the_new_commune,
    dry_run_then_import_then_the_same_file_changes_nothing,
    malformed_files_are_refused_and_nothing_is_written,
    files_excel_and_older_tools_write_are_read,
    officers_import_only_into_their_own_unit,
    a_change_of_commune_moves_the_counts,
    an_error_in_the_last_row_keeps_nothing,
);
