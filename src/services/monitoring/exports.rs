//! The dashboard's tables as files officials work with: XLSX (one sheet per target group,
//! Vietnamese headers, numbers and percentages as real numbers with formats) and CSV (one
//! group, UTF-8 with BOM for Excel). No personal data: figures per unit only.

use rust_xlsxwriter::{Format, FormatAlign, Workbook};

use crate::services::monitoring::dashboard::{Board, Figures, KnownPart, OverviewRow};
use crate::services::Internal;
use hocvuso_domain::TargetGroup;

/// A sheet name (Excel allows 31 characters and no `[]:*?/\`).
fn sheet_name(g: TargetGroup) -> &'static str {
    match g {
        TargetGroup::Officials => "Cán bộ, công chức",
        TargetGroup::Students => "Học sinh, sinh viên",
        TargetGroup::Adults => "Người dân",
        TargetGroup::EnterpriseWorkers => "Người lao động doanh nghiệp",
        TargetGroup::YouthMembers => "Đoàn viên, thanh niên",
        TargetGroup::ArmedForces => "Lực lượng vũ trang",
    }
}

/// Figures count confirmed people; self-registered people not yet confirmed are in the last
/// column, beside them, never in the rate.
const HEADERS: [&str; 10] = [
    "STT",
    "Mã đơn vị",
    "Tên đơn vị",
    "Mẫu số (người)",
    "Đã đạt (người)",
    "Tỷ lệ đạt",
    "Chỉ tiêu",
    "Còn thiếu (người)",
    "Đánh giá",
    "Tự đăng ký, chưa xác minh (người)",
];

fn verdict(f: &Figures) -> &'static str {
    match f.met() {
        Some(true) => "Đạt",
        Some(false) => "Chưa đạt",
        None => "Chưa có mẫu số",
    }
}

/// The province's verdict: when some communes lack a denominator, how many, and the rate
/// over those that have one (the whole province's rate is then unknown).
fn province_verdict(f: &Figures, known: Option<&KnownPart>) -> String {
    match known {
        Some(k) => format!(
            "Thiếu mẫu số ở {}/{} xã, phường; ở {} xã, phường có mẫu số: đạt {} trên {} người ({})",
            k.communes_without(),
            k.communes,
            k.communes_with,
            hocvuso_domain::format::number(k.figures.achieved),
            k.figures
                .denominator
                .map_or_else(|| "0".to_owned(), hocvuso_domain::format::number),
            k.figures.percent_text(),
        ),
        None => verdict(f).to_owned(),
    }
}

/// A new workbook stamped with the app's clock (not the machine's): the same figures give the
/// same file, byte for byte, whenever and wherever they are exported.
fn workbook(now: chrono::DateTime<chrono::Utc>) -> Result<Workbook, Internal> {
    let created =
        rust_xlsxwriter::ExcelDateTime::from_timestamp(now.timestamp()).map_err(xlsx_err)?;
    let mut book = Workbook::new();
    book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    Ok(book)
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Internal {
    Internal::Other(format!("xlsx: {e}"))
}

/// One workbook: first the province's overview of every group and indicator ("Tổng hợp"),
/// then a sheet per board (group): title rows, the communes, and the province total.
pub fn ranking_xlsx(
    overview: &[OverviewRow],
    boards: &[Board],
    issuer: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, Internal> {
    let mut book = workbook(now)?;
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(13);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color("#F3F2F1");
    let count = Format::new().set_num_format("#,##0");
    let share = Format::new().set_num_format("0.0%");
    let target = Format::new().set_num_format("0%");
    let total_count = Format::new().set_bold().set_num_format("#,##0");
    let total_share = Format::new().set_bold().set_num_format("0.0%");
    if let Some(b) = boards.first() {
        let sheet = book.add_worksheet();
        sheet.set_name("Tổng hợp").map_err(xlsx_err)?;
        sheet
            .write_string_with_format(0, 0, format!("Tổng hợp toàn tỉnh — năm {}", b.year), &title)
            .map_err(xlsx_err)?;
        sheet.write_string(1, 0, issuer).map_err(xlsx_err)?;
        for (c, h) in HEADERS.iter().enumerate() {
            let h = if c == 2 {
                "Nhóm đối tượng — chỉ số"
            } else {
                *h
            };
            sheet
                .write_string_with_format(3, c as u16, h, &head)
                .map_err(xlsx_err)?;
        }
        for (i, o) in overview.iter().enumerate() {
            let row = 4 + i as u32;
            write_row(
                sheet,
                row,
                Some(i + 1),
                &o.figures,
                &count,
                &share,
                &target,
                None,
            )?;
            if o.known.is_some() {
                sheet
                    .write_string(row, 8, province_verdict(&o.figures, o.known.as_ref()))
                    .map_err(xlsx_err)?;
            }
        }
        for (c, w) in [6.0, 10.0, 60.0, 14.0, 14.0, 11.0, 10.0, 14.0, 16.0]
            .iter()
            .enumerate()
        {
            sheet.set_column_width(c as u16, *w).map_err(xlsx_err)?;
        }
    }
    for b in boards {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(b.group)).map_err(xlsx_err)?;
        sheet
            .write_string_with_format(
                0,
                0,
                format!(
                    "{} — năm {}: {}",
                    b.group.name_vi(),
                    b.year,
                    b.indicator.name_vi()
                ),
                &title,
            )
            .map_err(xlsx_err)?;
        sheet.write_string(1, 0, issuer).map_err(xlsx_err)?;
        for (c, h) in HEADERS.iter().enumerate() {
            sheet
                .write_string_with_format(3, c as u16, *h, &head)
                .map_err(xlsx_err)?;
        }
        let mut row = 4u32;
        for (i, f) in b.rows.iter().enumerate() {
            write_row(sheet, row, Some(i + 1), f, &count, &share, &target, None)?;
            row += 1;
        }
        write_row(
            sheet,
            row,
            None,
            &b.total,
            &total_count,
            &total_share,
            &target,
            Some(&bold),
        )?;
        if b.known.is_some() {
            sheet
                .write_string_with_format(
                    row,
                    8,
                    province_verdict(&b.total, b.known.as_ref()),
                    &bold,
                )
                .map_err(xlsx_err)?;
        }
        for (c, w) in [6.0, 10.0, 34.0, 14.0, 14.0, 11.0, 10.0, 14.0, 16.0, 18.0]
            .iter()
            .enumerate()
        {
            sheet.set_column_width(c as u16, *w).map_err(xlsx_err)?;
        }
        sheet.set_freeze_panes(4, 0).map_err(xlsx_err)?;
    }
    book.save_to_buffer().map_err(xlsx_err)
}

#[expect(clippy::too_many_arguments, reason = "one row with its formats")]
fn write_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    number: Option<usize>,
    f: &Figures,
    count: &Format,
    share: &Format,
    target: &Format,
    bold: Option<&Format>,
) -> Result<(), Internal> {
    let text = |sheet: &mut rust_xlsxwriter::Worksheet, c: u16, s: &str| match bold {
        Some(b) => sheet.write_string_with_format(row, c, s, b).map(|_| ()),
        None => sheet.write_string(row, c, s).map(|_| ()),
    };
    if let Some(n) = number {
        sheet.write_number(row, 0, n as f64).map_err(xlsx_err)?;
    }
    text(sheet, 1, &f.code).map_err(xlsx_err)?;
    text(sheet, 2, &f.name).map_err(xlsx_err)?;
    if let Some(d) = f.denominator {
        sheet
            .write_number_with_format(row, 3, d as f64, count)
            .map_err(xlsx_err)?;
    }
    sheet
        .write_number_with_format(row, 4, f.achieved as f64, count)
        .map_err(xlsx_err)?;
    if let Some(pm) = f.per_mille() {
        sheet
            .write_number_with_format(row, 5, pm as f64 / 1000.0, share)
            .map_err(xlsx_err)?;
    }
    if let Some(t) = f.target_percent {
        sheet
            .write_number_with_format(row, 6, f64::from(t) / 100.0, target)
            .map_err(xlsx_err)?;
    }
    if let Some(g) = f.gap() {
        sheet
            .write_number_with_format(row, 7, g as f64, count)
            .map_err(xlsx_err)?;
    }
    text(sheet, 8, verdict(f)).map_err(xlsx_err)?;
    sheet
        .write_number_with_format(row, 9, f.unconfirmed as f64, count)
        .map_err(xlsx_err)?;
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The CSV's headers: rates in percent, as plain numbers.
const CSV_HEADERS: [&str; 10] = [
    "STT",
    "Mã đơn vị",
    "Tên đơn vị",
    "Mẫu số (người)",
    "Đã đạt (người)",
    "Tỷ lệ đạt (%)",
    "Chỉ tiêu (%)",
    "Còn thiếu (người)",
    "Đánh giá",
    "Tự đăng ký, chưa xác minh (người)",
];

/// One group's table as CSV: numbers without thousands separators and with a decimal point, so
/// that any program reads them the same way (the XLSX is the file for people).
pub fn ranking_csv(b: &Board) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&CSV_HEADERS.join(","));
    out.push_str("\r\n");
    let line = |n: String, f: &Figures, verdict: String| {
        let rate = f
            .per_mille()
            .map(|pm| format!("{}.{}", pm / 10, pm % 10))
            .unwrap_or_default();
        [
            n,
            csv_field(&f.code),
            csv_field(&f.name),
            f.denominator.map(|d| d.to_string()).unwrap_or_default(),
            f.achieved.to_string(),
            rate,
            f.target_percent.map(|t| t.to_string()).unwrap_or_default(),
            f.gap().map(|g| g.to_string()).unwrap_or_default(),
            csv_field(&verdict),
            f.unconfirmed.to_string(),
        ]
        .join(",")
    };
    for (i, f) in b.rows.iter().enumerate() {
        out.push_str(&line((i + 1).to_string(), f, verdict(f).to_owned()));
        out.push_str("\r\n");
    }
    out.push_str(&line(
        String::new(),
        &b.total,
        province_verdict(&b.total, b.known.as_ref()),
    ));
    out.push_str("\r\n");
    out
}

/// One sheet with a bold header row (frozen) and rows of text: a list for officials to print or
/// file (e.g. a class's attendance).
pub fn simple_table(
    sheet_name: &str,
    header: &[String],
    rows: &[Vec<String>],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, Internal> {
    let mut book = workbook(now)?;
    let head = Format::new().set_bold().set_text_wrap();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(xlsx_err)?;
    for (c, h) in header.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| Internal::Other("too many columns".into()))?;
        sheet
            .write_string_with_format(0, c, h.as_str(), &head)
            .map_err(xlsx_err)?;
        sheet
            .set_column_width(c, if c == 1 { 28.0 } else { 12.0 })
            .map_err(xlsx_err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| Internal::Other("too many rows".into()))?;
        for (c, v) in row.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| Internal::Other("too many columns".into()))?;
            sheet.write_string(r, c, v.as_str()).map_err(xlsx_err)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    book.save_to_buffer().map_err(xlsx_err)
}

/// The same kind of list as a PDF to print (landscape A4): a title, a line under it, the table
/// with its header repeated on every page (column `wide`, a name, three times as wide as the
/// others; the columns in `numeric` set flush right).
pub async fn simple_table_pdf(
    title: &str,
    subtitle: &str,
    header: &[String],
    rows: Vec<Vec<String>>,
    wide: usize,
    numeric: &[usize],
) -> Result<Vec<u8>, Internal> {
    use hocvuso_pdf::{Block, Column, Document, Orientation};
    let columns = header
        .iter()
        .enumerate()
        .map(|(i, h)| Column {
            header: h.clone(),
            weight: if i == wide { 3.0 } else { 1.0 },
            numeric: numeric.contains(&i),
        })
        .collect();
    let doc = Document {
        title: title.to_owned(),
        author: "Học vụ số".to_owned(),
        orientation: Orientation::Landscape,
        footer: Some(title.to_owned()),
        blocks: vec![
            Block::Title(title.to_owned()),
            Block::Subtitle(subtitle.to_owned()),
            Block::Table {
                columns,
                rows,
                total: None,
            },
        ],
    };
    tokio::task::spawn_blocking(move || hocvuso_pdf::render(&doc))
        .await
        .map_err(|e| Internal::Other(format!("table pdf: {e}")))?
        .map_err(|e| Internal::Other(format!("table pdf: {e}")))
}

/// The roster template: the header on the first sheet (the one imports read), its phone and
/// citizen-ID columns formatted as text so that Excel keeps their leading 0; what each column
/// takes on a second sheet, "Hướng dẫn". No sample people.
pub fn roster_template<const N: usize>(
    header: &[&str; N],
    guide: &[[&str; 2]],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, Internal> {
    let mut book = workbook(now)?;
    let head = Format::new().set_bold().set_text_wrap();
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách").map_err(xlsx_err)?;
    for (c, h) in header.iter().enumerate() {
        let c = c as u16;
        sheet
            .write_string_with_format(0, c, *h, &head)
            .map_err(xlsx_err)?;
        let width = if *h == "Họ và tên" { 26.0 } else { 16.0 };
        sheet.set_column_width(c, width).map_err(xlsx_err)?;
        sheet.set_column_format(c, &text).map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    let help = book.add_worksheet();
    help.set_name("Hướng dẫn").map_err(xlsx_err)?;
    help.write_string_with_format(0, 0, "Cột", &head)
        .map_err(xlsx_err)?;
    help.write_string_with_format(0, 1, "Cách ghi", &head)
        .map_err(xlsx_err)?;
    for (r, [column, how]) in guide.iter().enumerate() {
        help.write_string(r as u32 + 1, 0, *column)
            .map_err(xlsx_err)?;
        help.write_string(r as u32 + 1, 1, *how).map_err(xlsx_err)?;
    }
    help.set_column_width(0, 22.0).map_err(xlsx_err)?;
    help.set_column_width(1, 80.0).map_err(xlsx_err)?;
    book.save_to_buffer().map_err(xlsx_err)
}
