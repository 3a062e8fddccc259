//! The consolidated report of a period, for the ministry: the province's figures at the
//! period's end, who reported (on time, late, missing), and what the approved reports say —
//! laid out as an administrative document under Nghị định 30/2020/NĐ-CP (issuing body and
//! national motto, number and symbol, place and date, title, body, recipients, signature
//! block). As PDF to file and as .docx that officials edit in Word.

use hocvuso_db::repo::{org, reports};
use hocvuso_domain::UnitKind;
use hocvuso_pdf::{Anchor, Block, Column, Document, Orientation, Rgb, Run, Shape};

use crate::services::monitoring::report::{self as figures, SUMMARY_HEADER};
use crate::services::plan::activity;
use crate::services::runtime::Runtime;
use crate::services::shared::docx::{self, Align, Para, Part};
use crate::services::Internal;

/// What the document says, before it is laid out as PDF or .docx.
struct Content {
    /// "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG".
    above: String,
    /// "Lâm Đồng, ngày 5 tháng 12 năm 2026".
    place_date: String,
    subject: String,
    sections: Vec<Section>,
}

struct Section {
    heading: String,
    paragraphs: Vec<String>,
    table: Option<Vec<Vec<String>>>,
    /// Per unit: its name, then its paragraphs.
    units: Vec<(String, Vec<String>)>,
}

const ISSUER: &str = "SỞ KHOA HỌC VÀ CÔNG NGHỆ";
const SYMBOL: &str = "Số:        /BC-SKHCN";
const MOTTO_1: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
const MOTTO_2: &str = "Độc lập - Tự do - Hạnh phúc";
const RECIPIENTS: [&str; 4] = [
    "- Bộ Khoa học và Công nghệ;",
    "- Ủy ban nhân dân tỉnh;",
    "- Các sở, ban, ngành, địa phương;",
    "- Lưu: VT.",
];
const SIGNER: &str = "GIÁM ĐỐC";

async fn content(state: &Runtime, period: &reports::Period) -> Result<Content, Internal> {
    let db = state.db.read();
    let tree = crate::services::people::org::tree(state).await?;
    let province = tree
        .iter()
        .find(|u| u.is(UnitKind::Province))
        .ok_or_else(|| Internal::Other("no province unit".into()))?;
    let place = province
        .name
        .strip_prefix("Tỉnh ")
        .unwrap_or(&province.name)
        .to_owned();
    let today = crate::clock::vietnam_time(state.clock.now()).date_naive();
    let day = |d: chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
    let province_lines =
        figures::summary(state, &tree, province, period.starts_on, period.ends_on).await?;
    let province_activity = activity::lines(&activity::of_period(state, period, province).await?)
        .into_iter()
        .map(|(what, words)| format!("{what}: {words}."))
        .collect::<Vec<_>>()
        .join(" ");

    let kinds: Vec<&str> = period.reporters.split(',').collect();
    let expected: Vec<&org::OrgUnit> = tree
        .iter()
        .filter(|u| u.merged_into_id.is_none() && kinds.contains(&u.kind.as_str()))
        .collect();
    let all = reports::reports_of_period(db, period.id).await?;
    let of = |u: &org::OrgUnit| all.iter().find(|r| r.unit_id == u.id);
    let sent: Vec<(&org::OrgUnit, &reports::Report)> = expected
        .iter()
        .filter_map(|u| of(u).filter(|r| r.submitted_at.is_some()).map(|r| (*u, r)))
        .collect();
    let on_time = sent
        .iter()
        .filter(|(_, r)| {
            r.submitted_at
                .is_some_and(|t| crate::clock::vietnam_time(t).date_naive() <= period.due_on)
        })
        .count();
    let missing: Vec<&str> = expected
        .iter()
        .filter(|u| of(u).and_then(|r| r.submitted_at).is_none())
        .map(|u| u.name.as_str())
        .collect();
    let approved: Vec<(&org::OrgUnit, &reports::Report)> = sent
        .iter()
        .filter(|(_, r)| r.status == reports::APPROVED)
        .copied()
        .collect();

    let mut completeness = vec![format!(
        "Kỳ báo cáo có {} đơn vị phải báo cáo (hạn nộp ngày {}). Đã gửi: {} đơn vị ({} đúng hạn, {} trễ hạn); đã duyệt: {} báo cáo; chưa gửi: {} đơn vị.",
        expected.len(),
        day(period.due_on),
        sent.len(),
        on_time,
        sent.len() - on_time,
        approved.len(),
        missing.len()
    )];
    if !missing.is_empty() {
        const SHOWN: usize = 40;
        let mut names = missing
            .iter()
            .take(SHOWN)
            .copied()
            .collect::<Vec<_>>()
            .join("; ");
        if missing.len() > SHOWN {
            names.push_str(&format!(" và {} đơn vị khác", missing.len() - SHOWN));
        }
        completeness.push(format!("Các đơn vị chưa gửi báo cáo: {names}."));
    }
    let units = approved
        .iter()
        .map(|(u, r)| {
            let or_none = |t: &str| {
                if t.trim().is_empty() {
                    "Không có.".to_owned()
                } else {
                    t.trim().to_owned()
                }
            };
            let mut lines = vec![format!("Kết quả: {}", or_none(&r.done_text))];
            if let Some(a) = activity::parse(&r.activity) {
                lines.push(format!(
                    "Hoạt động trong kỳ: {}.",
                    activity::lines(&a)
                        .into_iter()
                        .map(|(what, words)| format!("{what}: {words}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            lines.extend([
                format!("Khó khăn, vướng mắc: {}", or_none(&r.difficulties)),
                format!("Đề xuất, kiến nghị: {}", or_none(&r.proposals)),
            ]);
            (u.name.clone(), lines)
        })
        .collect();
    Ok(Content {
        above: format!("ỦY BAN NHÂN DÂN {}", province.name.to_uppercase()),
        place_date: format!(
            "{place}, ngày {} tháng {} năm {}",
            chrono::Datelike::day(&today),
            chrono::Datelike::month(&today),
            chrono::Datelike::year(&today)
        ),
        subject: format!(
            "Kết quả triển khai phong trào “Bình dân học vụ số”, kỳ báo cáo {} (từ ngày {} đến ngày {})",
            period.title,
            day(period.starts_on),
            day(period.ends_on)
        ),
        sections: vec![
            Section {
                heading: "I. KẾT QUẢ TOÀN TỈNH".into(),
                paragraphs: vec![
                    format!("Hoạt động trong kỳ trên toàn tỉnh. {province_activity}"),
                    format!(
                        "Số liệu đến hết ngày {}, lấy trực tiếp từ hệ thống Học vụ số (số người đạt tính theo tuần; mẫu số và chỉ tiêu của năm {}):",
                        day(period.ends_on),
                        chrono::Datelike::year(&period.ends_on)
                    ),
                ],
                table: Some(province_lines.into_iter().map(|l| l.cells).collect()),
                units: Vec::new(),
            },
            Section {
                heading: "II. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ".into(),
                paragraphs: completeness,
                table: None,
                units: Vec::new(),
            },
            Section {
                heading: "III. KẾT QUẢ, KHÓ KHĂN VÀ ĐỀ XUẤT CỦA CÁC ĐƠN VỊ".into(),
                paragraphs: if approved.is_empty() {
                    vec!["Chưa có báo cáo nào của đơn vị được duyệt trong kỳ.".into()]
                } else {
                    vec![format!(
                        "Tổng hợp từ {} báo cáo đã được duyệt:",
                        approved.len()
                    )]
                },
                table: None,
                units,
            },
        ],
    })
}

fn file_stem(period: &reports::Period) -> String {
    format!(
        "bao-cao-tong-hop-{}-{}",
        period.kind,
        period.starts_on.format("%Y%m%d")
    )
}

/// The consolidated report as .docx: `(file name, bytes)`; `None`: no such period.
pub async fn docx(state: &Runtime, id: i64) -> Result<Option<(String, Vec<u8>)>, Internal> {
    let Some(period) = reports::period_by_id(state.db.read(), id).await? else {
        return Ok(None);
    };
    let c = content(state, &period).await?;
    let center = |runs: Vec<docx::Run>| Para::new(Align::Center, runs);
    let mut parts = vec![
        Part::Columns {
            widths: [2, 3],
            left: vec![
                center(vec![docx::Run::plain(c.above.clone())]),
                center(vec![docx::Run {
                    underline: true,
                    ..docx::Run::bold(ISSUER)
                }]),
                center(vec![docx::Run::plain(SYMBOL)]),
            ],
            right: vec![
                center(vec![docx::Run::bold(MOTTO_1)]),
                center(vec![docx::Run {
                    underline: true,
                    size: Some(14),
                    ..docx::Run::bold(MOTTO_2)
                }]),
                center(vec![docx::Run::italic(c.place_date.clone())]),
            ],
        },
        Part::Para(center(vec![docx::Run {
            size: Some(14),
            ..docx::Run::bold("BÁO CÁO")
        }])),
        Part::Para(center(vec![docx::Run::bold(c.subject.clone())])),
    ];
    for s in &c.sections {
        parts.push(Part::Para(Para::new(
            Align::Left,
            vec![docx::Run::bold(s.heading.clone())],
        )));
        parts.extend(
            s.paragraphs
                .iter()
                .map(|p| Part::Para(Para::body(p.clone()))),
        );
        if let Some(rows) = &s.table {
            parts.push(Part::Table {
                widths: vec![34, 11, 11, 11, 9, 9, 11],
                header: SUMMARY_HEADER.iter().map(|h| (*h).to_owned()).collect(),
                rows: rows.clone(),
                numeric: (1..SUMMARY_HEADER.len()).collect(),
            });
        }
        for (i, (name, paras)) in s.units.iter().enumerate() {
            parts.push(Part::Para(Para {
                indent: true,
                ..Para::new(
                    Align::Left,
                    vec![docx::Run::bold(format!("{}. {name}", i + 1))],
                )
            }));
            parts.extend(paras.iter().map(|p| Part::Para(Para::body(p.clone()))));
        }
    }
    let mut recipients = vec![Para::new(
        Align::Left,
        vec![docx::Run {
            size: Some(12),
            italic: true,
            ..docx::Run::bold("Nơi nhận:")
        }],
    )];
    recipients.extend(RECIPIENTS.iter().map(|r| {
        Para::new(
            Align::Left,
            vec![docx::Run {
                size: Some(11),
                ..docx::Run::plain(*r)
            }],
        )
    }));
    parts.push(Part::Columns {
        widths: [1, 1],
        left: recipients,
        right: vec![
            center(vec![docx::Run::bold(SIGNER)]),
            center(vec![docx::Run::plain("\n\n\n")]),
            center(vec![docx::Run::italic("(Ký, ghi rõ họ tên)")]),
        ],
    });
    let bytes = docx::write(&parts, &c.subject, state.clock.now()).map_err(Internal::Other)?;
    Ok(Some((format!("{}.docx", file_stem(&period)), bytes)))
}

/// The consolidated report as PDF: `(file name, bytes)`; `None`: no such period.
pub async fn pdf(state: &Runtime, id: i64) -> Result<Option<(String, Vec<u8>)>, Internal> {
    let Some(period) = reports::period_by_id(state.db.read(), id).await? else {
        return Ok(None);
    };
    let c = content(state, &period).await?;
    let black = Rgb(0, 0, 0);
    let text = |x: f32, y: f32, t: &str, size: f32| Shape::Text {
        at: (x, y),
        text: t.to_owned(),
        size,
        color: black,
        anchor: Anchor::Middle,
    };
    // The heading block: issuing body left, national motto right, a short rule under each.
    let heading = vec![
        text(95.0, 12.0, &c.above, 9.5),
        text(95.0, 26.0, ISSUER, 10.5),
        Shape::Polyline {
            points: vec![(65.0, 30.0), (125.0, 30.0)],
            color: black,
            width: 0.6,
            dashed: false,
        },
        text(95.0, 48.0, SYMBOL, 10.5),
        text(330.0, 12.0, MOTTO_1, 10.0),
        text(330.0, 26.0, MOTTO_2, 11.0),
        Shape::Polyline {
            points: vec![(268.0, 30.0), (392.0, 30.0)],
            color: black,
            width: 0.6,
            dashed: false,
        },
        text(330.0, 48.0, &c.place_date, 10.5),
    ];
    let mut blocks = vec![
        Block::Figure {
            view: (480.0, 56.0),
            width_pt: 480.0,
            shapes: heading,
            caption: String::new(),
        },
        Block::Title("BÁO CÁO".into()),
        Block::Paragraph(vec![Run::bold(c.subject.clone())]),
    ];
    for s in &c.sections {
        blocks.push(Block::Heading {
            level: 2,
            text: s.heading.clone(),
        });
        blocks.extend(
            s.paragraphs
                .iter()
                .map(|p| Block::Paragraph(vec![Run::plain(p.clone())])),
        );
        if let Some(rows) = &s.table {
            blocks.push(Block::Table {
                columns: SUMMARY_HEADER
                    .iter()
                    .enumerate()
                    .map(|(i, h)| Column {
                        header: (*h).to_owned(),
                        weight: if i == 0 { 3.4 } else { 1.1 },
                        numeric: i > 0,
                    })
                    .collect(),
                rows: rows.clone(),
                total: None,
            });
        }
        for (i, (name, paras)) in s.units.iter().enumerate() {
            blocks.push(Block::Heading {
                level: 3,
                text: format!("{}. {name}", i + 1),
            });
            blocks.extend(
                paras
                    .iter()
                    .map(|p| Block::Paragraph(vec![Run::plain(p.clone())])),
            );
        }
    }
    blocks.push(Block::Spacer(18.0));
    blocks.push(Block::Paragraph(vec![Run::bold("Nơi nhận:")]));
    blocks.extend(
        RECIPIENTS
            .iter()
            .map(|r| Block::Paragraph(vec![Run::plain(*r)])),
    );
    blocks.push(Block::Spacer(12.0));
    blocks.push(Block::Paragraph(vec![Run::bold(SIGNER)]));
    blocks.push(Block::Note("(Ký, ghi rõ họ tên)".into()));
    let doc = Document {
        title: c.subject.clone(),
        author: "Học vụ số".into(),
        orientation: Orientation::Portrait,
        footer: Some(format!("Báo cáo tổng hợp {}", period.title)),
        blocks,
    };
    let bytes = tokio::task::spawn_blocking(move || hocvuso_pdf::render(&doc))
        .await
        .map_err(|e| Internal::Other(format!("consolidated pdf: {e}")))?
        .map_err(|e| Internal::Other(format!("consolidated pdf: {e}")))?;
    Ok(Some((format!("{}.pdf", file_stem(&period)), bytes)))
}
