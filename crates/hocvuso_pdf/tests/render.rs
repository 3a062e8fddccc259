//! Renders real documents and reads them back with poppler (`pdftotext`, `pdftoppm`, `pdfinfo`).
//!
//! Without poppler-utils the checks that need it are skipped with a loud message, except under
//! CI (env `CI` set), where they fail. Rendered files are kept in
//! `$CARGO_TARGET_TMPDIR/hocvuso_pdf/` for looking at.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use hocvuso_pdf::{markdown_blocks, render, Block, Document, Orientation, Run};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const VIETNAMESE: &str = "Kỹ năng số cơ bản cho người dân — Sổ tay điện tử: Đăng ký tài khoản định danh điện tử mức 2, thanh toán bằng mã QR, phòng chống lừa đảo. ỳ ỷ ỹ ỵ Ỳ Ỷ Ỹ Ỵ ữ ự ừ ứ ử ơ ờ ớ ở ỡ ợ";

const FILLER: &str = "Người dân có thể tự học các kỹ năng số cơ bản trên điện thoại thông minh: \
    tra cứu thông tin, nộp hồ sơ dịch vụ công trực tuyến, thanh toán không dùng tiền mặt và \
    giữ an toàn cho tài khoản của mình. Khi gặp khó, hãy nhờ Tổ Công nghệ số cộng đồng ở thôn, \
    tổ dân phố hướng dẫn từng bước.";

fn out_dir() -> Result<PathBuf, std::io::Error> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hocvuso_pdf");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Whether a poppler tool is installed; without it, fail under CI, else say so loudly.
fn have_tool(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty());
    if !ok {
        let msg = format!(
            "\n!!!!!!!!!! `{tool}` (poppler-utils) is not installed: PDF read-back checks SKIPPED. \
             Install it with `apt-get install -y poppler-utils`. !!!!!!!!!!\n"
        );
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg}(CI is set, so this fails)"
        );
        eprintln!("{msg}");
    }
    ok
}

/// `pdftotext -layout` of the whole file, split into pages.
fn pdf_pages_text(path: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()?;
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)?;
    let mut pages: Vec<String> = text.split('\x0c').map(str::to_owned).collect();
    // pdftotext ends every page with a form feed.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    Ok(pages)
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn no_space(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn run(text: &str) -> Run {
    Run::plain(text)
}

fn write_pdf(name: &str, bytes: &[u8]) -> Result<PathBuf, std::io::Error> {
    let path = out_dir()?.join(name);
    std::fs::write(&path, bytes)?;
    Ok(path)
}

/// A handbook-like document using every kind of block.
fn sample_document() -> Document {
    let mut blocks = vec![
        Block::Spacer(90.0),
        Block::Title("Sổ tay điện tử".into()),
        Block::Subtitle("Kỹ năng số cơ bản cho người dân — Bình dân học vụ số".into()),
        Block::Spacer(30.0),
        Block::Qr {
            data: "https://binhdanhocvuso.gov.vn/so-tay".into(),
            size_pt: 110.0,
            caption: "Quét mã để đọc sổ tay trên điện thoại".into(),
        },
        Block::Note(
            "Bản in ngày 25/11/2026. Nguồn: Sở Khoa học và Công nghệ tỉnh Lâm Đồng.".into(),
        ),
        Block::PageBreak,
        Block::TableOfContents,
        Block::PageBreak,
    ];
    for chapter in 1..=3 {
        blocks.push(Block::Heading {
            level: 1,
            text: format!("Chương {chapter}. Dùng điện thoại thông minh an toàn"),
        });
        for article in 1..=3 {
            blocks.push(Block::Heading {
                level: 2,
                text: format!("Bài {chapter}.{article}: Đăng ký tài khoản định danh mức 2"),
            });
            if chapter == 1 && article == 1 {
                // Followed by more words: pdftotext drops the spaces of a line made only of
                // one-letter words ("ở ỡ ợ" → "ởỡợ": it then cannot tell word gaps from
                // letter gaps), although the PDF has the space glyphs.
                blocks.push(Block::Paragraph(vec![
                    run(VIETNAMESE),
                    run(" Hết câu thử."),
                ]));
                blocks.push(Block::Paragraph(vec![
                    run("Mở ứng dụng "),
                    Run::bold("VNeID"),
                    run(", chạm "),
                    Run::bold("Đăng ký"),
                    run(" rồi làm theo hướng dẫn trên màn hình."),
                ]));
                blocks.push(Block::Paragraph(vec![run(
                    "Một từ rất dài để thử ngắt giữa các ký tự: \
                     ĐăngKýTàiKhoảnĐịnhDanhĐiệnTửMứcHaiTrênỨngDụngVNeIDĐăngKýTàiKhoảnĐịnhDanhĐiệnTửMứcHaiTrênỨngDụngVNeID.",
                )]));
            }
            blocks.push(Block::Heading {
                level: 3,
                text: "Các bước thực hiện".into(),
            });
            for step in 1..=4 {
                blocks.push(Block::ListItem {
                    marker: format!("{step}."),
                    runs: vec![
                        Run::bold(format!("Bước {step}")),
                        run(
                            ": chạm vào nút phù hợp, kiểm tra thông tin rồi bấm tiếp tục. \
                             Nếu màn hình báo lỗi, hãy chờ vài phút rồi thử lại.",
                        ),
                    ],
                });
            }
            blocks.push(Block::ListItem {
                marker: "•".into(),
                runs: vec![run("Không chia sẻ mã OTP cho bất kỳ ai.")],
            });
            blocks.push(Block::ListItem {
                marker: "  •".into(),
                runs: vec![run(
                    "Kể cả người tự xưng là công an hay nhân viên ngân hàng.",
                )],
            });
            blocks.push(Block::Note("[Hình: Màn hình đăng ký VNeID]".into()));
            for _ in 0..3 {
                blocks.push(Block::Paragraph(vec![run(FILLER)]));
            }
            blocks.push(Block::Spacer(6.0));
        }
    }
    Document {
        title: "Sổ tay điện tử — Bình dân học vụ số".into(),
        author: "Sở Khoa học và Công nghệ tỉnh Lâm Đồng".into(),
        orientation: Orientation::Portrait,
        blocks,
        footer: Some("Sổ tay điện tử — Bình dân học vụ số".into()),
    }
}

fn headings(doc: &Document) -> Vec<String> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text } if *level <= 2 => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Checks that every level-1/2 heading is listed in "Mục lục" with the page it is on.
/// Returns the number of table-of-contents pages.
fn check_toc(pages: &[String], titles: &[String]) -> usize {
    let toc_start = pages
        .iter()
        .position(|p| p.lines().any(|l| l.trim() == "Mục lục"))
        .unwrap_or_else(|| panic!("no \"Mục lục\" page"));
    let mut toc_pages = 0;
    let mut listed: Vec<(String, usize)> = Vec::new();
    for page in &pages[toc_start..] {
        let entries: Vec<(String, usize)> = page
            .lines()
            .filter_map(|l| {
                let (title, number) = l.trim().rsplit_once(' ')?;
                let number: usize = number.parse().ok()?;
                let title = title.trim();
                titles
                    .iter()
                    .any(|t| t == title)
                    .then(|| (title.to_owned(), number))
            })
            .collect();
        if entries.is_empty() {
            break;
        }
        toc_pages += 1;
        listed.extend(entries);
    }
    let listed_titles: Vec<&String> = listed.iter().map(|(t, _)| t).collect();
    let expected: Vec<&String> = titles.iter().collect();
    assert_eq!(listed_titles, expected, "TOC entries");
    let body_start = toc_start + toc_pages;
    for (title, number) in &listed {
        let actual = pages
            .iter()
            .enumerate()
            .skip(body_start)
            .find(|(_, p)| squash(p).contains(title.as_str()))
            .map(|(i, _)| i + 1);
        assert_eq!(
            actual,
            Some(*number),
            "TOC says {title:?} is on page {number}"
        );
    }
    toc_pages
}

#[test]
fn renders_a_valid_pdf_with_all_blocks() -> TestResult {
    let doc = sample_document();
    let bytes = render(&doc)?;
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(bytes.trim_ascii_end().ends_with(b"%%EOF"));
    let path = write_pdf("sample.pdf", &bytes)?;
    eprintln!("sample PDF: {} ({} bytes)", path.display(), bytes.len());
    // Fonts are subset: far smaller than the two 700 KB TTF files.
    assert!(bytes.len() < 200_000, "{} bytes", bytes.len());

    // Objects are uncompressed (only streams are), so the structure can be read directly.
    let text = String::from_utf8_lossy(&bytes);
    let count = |needle: &str| text.matches(needle).count();
    assert_eq!(count("/Subtype /Type0"), 2, "regular and bold");
    assert_eq!(count("/Encoding /Identity-H"), 2);
    assert_eq!(count("/Subtype /CIDFontType2"), 2);
    assert_eq!(count("/CIDToGIDMap /Identity"), 2);
    assert_eq!(count("/FontFile2 "), 2);
    assert_eq!(count("/ToUnicode "), 2);
    assert_eq!(count("/W ["), 2);
    assert!(text.contains("+DejaVuSans-Bold"), "subset font name");
    assert!(text.contains("/Lang (vi)"));
    assert!(text.contains("/Creator (hocvuso)"));
    // One link per table-of-contents entry (3 chapters, 9 articles); an outline with
    // "Mục lục" and the 3 chapters at the top.
    assert_eq!(count("/Subtype /Link"), 12);
    assert!(text.contains("/Type /Outlines"));
    let pages = count("/Type /Page") - count("/Type /Pages");
    assert!(pages >= 5);
    assert_eq!(
        count("/Parent "),
        pages + 1 + 3 + 9,
        "pages + outline items"
    );
    Ok(())
}

#[test]
fn text_reads_back_with_vietnamese_and_toc_page_numbers() -> TestResult {
    if !have_tool("pdftotext") {
        return Ok(());
    }
    let doc = sample_document();
    let path = write_pdf("sample-text.pdf", &render(&doc)?)?;
    let pages = pdf_pages_text(&path)?;
    assert!(pages.len() >= 5, "{} pages", pages.len());
    let all = squash(&pages.concat());

    // Every character comes back exactly (ToUnicode), including in wrapped lines.
    assert!(
        all.contains(&format!("{VIETNAMESE} Hết câu thử.")),
        "missing Vietnamese text in:\n{all}"
    );
    assert!(all.contains("Mở ứng dụng VNeID, chạm Đăng ký rồi làm theo hướng dẫn trên màn hình."));
    assert!(all.contains(&squash(FILLER)));
    assert!(all.contains("Sổ tay điện tử Kỹ năng số cơ bản cho người dân — Bình dân học vụ số"));
    assert!(all.contains("Quét mã để đọc sổ tay trên điện thoại"));
    assert!(all.contains("1. Bước 1: chạm vào nút phù hợp"));
    assert!(all.contains("• Không chia sẻ mã OTP cho bất kỳ ai."));

    let toc_pages = check_toc(&pages, &headings(&doc));
    assert_eq!(toc_pages, 1);

    // Footer with page number on every page but the first.
    assert!(!pages[0].contains("Trang 1"));
    for (i, page) in pages.iter().enumerate().skip(1) {
        let footer = format!("Trang {}", i + 1);
        assert!(page.contains(&footer), "page {} lacks {footer:?}", i + 1);
        assert!(page.contains("Sổ tay điện tử — Bình dân học vụ số"));
    }
    Ok(())
}

#[test]
fn headings_never_end_a_page() -> TestResult {
    if !have_tool("pdftotext") {
        return Ok(());
    }
    // Paragraph lengths that push headings towards page bottoms at many offsets.
    let mut blocks = Vec::new();
    for i in 0..60 {
        blocks.push(Block::Heading {
            level: 2 + (i % 2) as u8,
            text: format!("Mục số {i}"),
        });
        let words = 70 + (i * 37) % 90;
        let text = vec!["chữ"; words].join(" ");
        blocks.push(Block::Paragraph(vec![run(&text)]));
    }
    let doc = Document {
        title: "Thử".into(),
        author: "hocvuso".into(),
        orientation: Orientation::Portrait,
        blocks,
        footer: None,
    };
    let path = write_pdf("headings.pdf", &render(&doc)?)?;
    let pages = pdf_pages_text(&path)?;
    assert!(pages.len() > 3);
    for (n, page) in pages.iter().enumerate() {
        let lines: Vec<&str> = page
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("Trang "))
            .collect();
        // A heading is followed by at least 2 lines of its text on the same page.
        for (i, l) in lines.iter().enumerate() {
            if l.starts_with("Mục số ") {
                assert!(
                    lines.len() - i > 2,
                    "heading {l:?} too close to the bottom of page {}",
                    n + 1
                );
            }
        }
    }
    Ok(())
}

#[test]
fn first_page_rasterises() -> TestResult {
    if !have_tool("pdftoppm") {
        return Ok(());
    }
    let doc = sample_document();
    let path = write_pdf("sample-raster.pdf", &render(&doc)?)?;
    let prefix = out_dir()?.join("sample-page");
    // Page 1 (cover), 2 (table of contents) and 3 (text).
    let out = Command::new("pdftoppm")
        .args(["-r", "80", "-png", "-f", "1", "-l", "3"])
        .arg(&path)
        .arg(&prefix)
        .output()?;
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for n in 1..=3 {
        let png = std::fs::read(out_dir()?.join(format!("sample-page-{n}.png")))?;
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(png.len() > 5_000, "page {n} PNG looks empty");
    }
    // The QR code on the cover scans, where zbarimg (zbar-tools) is installed; CI installs it,
    // so there a missing zbarimg fails rather than skips.
    if let Ok(out) = Command::new("zbarimg")
        .arg("-q")
        .arg(out_dir()?.join("sample-page-1.png"))
        .output()
    {
        let decoded = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            decoded.trim(),
            "QR-Code:https://binhdanhocvuso.gov.vn/so-tay"
        );
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "zbarimg (zbar-tools) is missing under CI: the QR scan check cannot run"
        );
        eprintln!("zbarimg not installed: QR scan check SKIPPED (install zbar-tools)");
    }
    Ok(())
}

#[test]
fn landscape_certificate() -> TestResult {
    let doc = Document {
        title: "Chứng nhận".into(),
        author: "Bình dân học vụ số".into(),
        orientation: Orientation::Landscape,
        blocks: vec![
            Block::Spacer(40.0),
            Block::Title("GIẤY CHỨNG NHẬN".into()),
            Block::Subtitle("Hoàn thành khóa học Kỹ năng số cơ bản".into()),
            Block::Spacer(10.0),
            Block::Title("Nguyễn Thị Hường".into()),
            Block::Paragraph(vec![run(VIETNAMESE)]),
            Block::Qr {
                data: "https://binhdanhocvuso.gov.vn/chung-nhan/XYZ-2026-000123".into(),
                size_pt: 80.0,
                caption: "Mã xác thực: XYZ-2026-000123".into(),
            },
        ],
        footer: None,
    };
    let bytes = render(&doc)?;
    let path = write_pdf("certificate.pdf", &bytes)?;
    if !have_tool("pdfinfo") {
        return Ok(());
    }
    let info = Command::new("pdfinfo").arg(&path).output()?;
    let info = squash(&String::from_utf8(info.stdout)?);
    assert!(
        info.contains("Page size: 841.89 x 595.28 pts (A4)"),
        "{info}"
    );
    assert!(info.contains("Pages: 1"), "{info}");
    assert!(info.contains("Title: Chứng nhận"), "{info}");
    assert!(info.contains("Author: Bình dân học vụ số"), "{info}");
    assert!(info.contains("Creator: hocvuso"), "{info}");
    let pages = pdf_pages_text(&path)?;
    assert_eq!(pages.len(), 1);
    assert!(squash(&pages[0]).contains("Nguyễn Thị Hường"));
    assert!(no_space(&pages[0]).contains(&no_space(VIETNAMESE)));
    assert!(!pages[0].contains("Trang"));
    if have_tool("pdftoppm") {
        let out = Command::new("pdftoppm")
            .args(["-r", "60", "-png", "-singlefile"])
            .arg(&path)
            .arg(out_dir()?.join("certificate"))
            .output()?;
        assert!(out.status.success());
    }
    Ok(())
}

#[test]
fn empty_document_is_one_blank_page() -> TestResult {
    let doc = Document {
        title: String::new(),
        author: String::new(),
        orientation: Orientation::Portrait,
        blocks: Vec::new(),
        footer: None,
    };
    let bytes = render(&doc)?;
    assert!(bytes.starts_with(b"%PDF-"));
    let path = write_pdf("empty.pdf", &bytes)?;
    if have_tool("pdfinfo") {
        let info = Command::new("pdfinfo").arg(&path).output()?;
        assert!(info.status.success());
        assert!(squash(&String::from_utf8(info.stdout)?).contains("Pages: 1"));
    }
    Ok(())
}

#[test]
fn output_is_deterministic() -> TestResult {
    let doc = sample_document();
    assert_eq!(render(&doc)?, render(&doc)?);
    Ok(())
}

#[test]
fn odd_input_still_renders() -> TestResult {
    let doc = Document {
        title: "Thử".into(),
        author: String::new(),
        orientation: Orientation::Portrait,
        blocks: vec![
            Block::Spacer(f32::NAN),
            Block::Spacer(-5.0),
            Block::Heading {
                level: 9,
                text: "中文 \u{200B}\u{00AD} tab\there".into(),
            },
            Block::Paragraph(Vec::new()),
            Block::ListItem {
                marker: String::new(),
                runs: Vec::new(),
            },
            Block::Qr {
                data: String::new(),
                size_pt: f32::INFINITY,
                caption: String::new(),
            },
            Block::Spacer(5000.0),
            Block::PageBreak,
            Block::PageBreak,
            Block::Paragraph(vec![run(&"x".repeat(3000))]),
        ],
        footer: Some("chân trang ".repeat(40)),
    };
    let bytes = render(&doc)?;
    assert!(bytes.starts_with(b"%PDF-"));
    let path = write_pdf("odd.pdf", &bytes)?;
    if have_tool("pdftotext") {
        let pages = pdf_pages_text(&path)?;
        assert!(squash(&pages[0]).contains("?? tab here"), "{}", pages[0]);
        // The over-long footer is cut with an ellipsis on one line.
        assert!(pages.iter().skip(1).all(|p| p.contains("…")));
    }
    Ok(())
}

#[test]
fn too_much_qr_data_is_an_error() {
    let doc = Document {
        title: String::new(),
        author: String::new(),
        orientation: Orientation::Portrait,
        blocks: vec![Block::Qr {
            data: "x".repeat(5000),
            size_pt: 100.0,
            caption: String::new(),
        }],
        footer: None,
    };
    assert!(matches!(
        render(&doc),
        Err(hocvuso_pdf::PdfError::Qr { .. })
    ));
}

/// A synthetic handbook of 200 articles from Markdown: times it (printed, not asserted) and
/// checks the multi-page table of contents.
#[test]
fn two_hundred_articles() -> TestResult {
    let article_md = format!(
        "{FILLER}\n\n## Các bước\n\n1. Mở ứng dụng **VNeID**.\n2. Chạm **Đăng nhập**, nhập số \
         định danh cá nhân.\n3. Xem [hướng dẫn](https://vneid.gov.vn/huong-dan).\n\n\
         ![Màn hình đăng nhập](/anh/x.svg)\n\n## Ghi nhớ\n\n- {FILLER}\n- Không chia sẻ mã OTP.\n\n\
         {VIETNAMESE}\n"
    );
    let mut blocks = vec![
        Block::Title("Sổ tay điện tử".into()),
        Block::PageBreak,
        Block::TableOfContents,
        Block::PageBreak,
    ];
    for chapter in 1..=10 {
        blocks.push(Block::Heading {
            level: 1,
            text: format!("Chương {chapter}. Kỹ năng số"),
        });
        for article in 1..=20 {
            blocks.push(Block::Heading {
                level: 2,
                text: format!("Bài {chapter}.{article}. Thanh toán bằng mã QR"),
            });
            blocks.extend(markdown_blocks(&article_md));
        }
    }
    let doc = Document {
        title: "Sổ tay điện tử".into(),
        author: "hocvuso".into(),
        orientation: Orientation::Portrait,
        blocks,
        footer: Some("Sổ tay điện tử — Bình dân học vụ số".into()),
    };
    let start = Instant::now();
    let bytes = render(&doc)?;
    let elapsed = start.elapsed();
    eprintln!(
        "200 articles: {} bytes in {elapsed:?} ({} profile)",
        bytes.len(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let path = write_pdf("two-hundred.pdf", &bytes)?;
    if !have_tool("pdftotext") {
        return Ok(());
    }
    let pages = pdf_pages_text(&path)?;
    eprintln!("200 articles: {} pages", pages.len());
    let toc_pages = check_toc(&pages, &headings(&doc));
    assert!(toc_pages >= 4, "{toc_pages} TOC pages");
    Ok(())
}

/// A report: a table of 124 communes (several pages, the header on each) with a total row, and
/// a figure (a map of squares and a chart line) — every text reads back, the figure's too.
#[test]
fn tables_continue_across_pages_and_figures_draw() -> TestResult {
    use hocvuso_pdf::{Anchor, Column, Rgb, Shape};
    let columns = vec![
        Column {
            header: "Mã".into(),
            weight: 1.0,
            numeric: false,
        },
        Column {
            header: "Xã, phường, đặc khu".into(),
            weight: 4.0,
            numeric: false,
        },
        Column {
            header: "Đã đạt".into(),
            weight: 1.5,
            numeric: true,
        },
    ];
    let rows: Vec<Vec<String>> = (0..124)
        .map(|i| {
            vec![
                format!("{}", 24_000 + i),
                format!("Phường Số {i} - Đà Lạt, nơi có tên rất dài để xuống dòng trong ô"),
                format!("{}.{:03}", i, i),
            ]
        })
        .collect();
    let shapes = vec![
        Shape::Polygon {
            rings: vec![
                vec![(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)],
                vec![(25.0, 25.0), (75.0, 25.0), (75.0, 75.0), (25.0, 75.0)],
            ],
            fill: Rgb(29, 112, 184),
            stroke: Some(Rgb(255, 255, 255)),
        },
        Shape::Polyline {
            points: vec![(0.0, 150.0), (200.0, 120.0)],
            color: Rgb(176, 0, 32),
            width: 2.0,
            dashed: true,
        },
        Shape::Text {
            at: (100.0, 190.0),
            text: "Chú giải: đã đạt chỉ tiêu".into(),
            size: 10.0,
            color: Rgb(0, 0, 0),
            anchor: Anchor::Middle,
        },
    ];
    let doc = Document {
        title: "Báo cáo".into(),
        author: "hocvuso".into(),
        orientation: Orientation::Portrait,
        blocks: vec![
            Block::Title("Báo cáo kết quả".into()),
            Block::Figure {
                view: (200.0, 200.0),
                width_pt: 300.0,
                shapes,
                caption: "Hình 1. Bản đồ".into(),
            },
            Block::Table {
                columns,
                rows,
                total: Some(vec![String::new(), "Toàn tỉnh".into(), "7.626".into()]),
            },
        ],
        footer: None,
    };
    let bytes = render(&doc)?;
    let path = out_dir()?.join("report-table-figure.pdf");
    std::fs::write(&path, &bytes)?;
    if !have_tool("pdftotext") {
        return Ok(());
    }
    let pages = pdf_pages_text(&path)?;
    assert!(
        pages.len() >= 4,
        "124 wrapped rows take pages: {}",
        pages.len()
    );
    let all = squash(&pages.join(" "));
    assert!(all.contains("Chú giải: đã đạt chỉ tiêu"), "{all}");
    assert!(all.contains("Hình 1. Bản đồ"));
    for i in [0, 61, 123] {
        assert!(all.contains(&format!("{}", 24_000 + i)), "row {i}");
    }
    assert!(all.contains("Toàn tỉnh") && all.contains("7.626"));
    // The header starts every page the table is on (after the first, which has the figure).
    for (n, page) in pages.iter().enumerate().skip(1) {
        assert!(
            squash(page).contains("Mã Xã, phường, đặc khu Đã đạt"),
            "page {} lacks the header:\n{page}",
            n + 1
        );
    }
    Ok(())
}
