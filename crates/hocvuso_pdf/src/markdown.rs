//! Handbook Markdown → blocks.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::{Block, Run};

/// Markdown (CommonMark as written in the handbook) → blocks.
///
/// - `##` and deeper headings → [`Block::Heading`] level 3 (the caller adds level 1/2 headings
///   for chapter and article titles); a `#` heading too.
/// - Paragraphs → [`Block::Paragraph`], `**bold**` → bold runs; emphasis, strikethrough and
///   inline code → plain text; hard line breaks → `'\n'`.
/// - Numbered lists → [`Block::ListItem`] with markers "1.", "2.", … (from the list's start
///   number), bulleted lists → "•". Nested lists get two leading spaces of marker per level;
///   further paragraphs of an item get a marker of spaces only (a continuation).
/// - Links keep their text; absolute http(s) links get " (URL)" appended unless the text is the
///   URL itself.
/// - Images → [`Block::Note`] "(Hình minh họa: alt — xem trong bài trên mạng)".
/// - Tables → one paragraph per row, cells separated by " | ", header row bold.
/// - Code blocks → a paragraph keeping the line breaks; `---` rules → a small spacer;
///   raw HTML and `+++` front matter are dropped.
pub fn markdown_blocks(md: &str) -> Vec<Block> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS);
    let mut b = Builder::default();
    for event in Parser::new_ext(md, options) {
        b.event(event);
    }
    b.flush();
    b.blocks
}

#[derive(Debug)]
struct List {
    /// Next number, or `None` for a bulleted list.
    next: Option<u64>,
}

#[derive(Debug, Default)]
struct Builder {
    blocks: Vec<Block>,
    runs: Vec<Run>,
    bold: usize,
    lists: Vec<List>,
    /// Marker of the current list item, until its first text block uses it.
    marker: Option<String>,
    /// Alt text of the image being read.
    image: Option<String>,
    /// Open links: URL to append (absolute http(s) only) and the link text so far.
    links: Vec<(Option<String>, String)>,
    in_metadata: bool,
    table_cell: usize,
}

impl Builder {
    fn text(&mut self, text: &str) {
        if self.in_metadata {
            return;
        }
        if let Some(alt) = &mut self.image {
            alt.push_str(text);
            return;
        }
        for (_, link_text) in &mut self.links {
            link_text.push_str(text);
        }
        self.push_run(text, self.bold > 0);
    }

    fn push_run(&mut self, text: &str, bold: bool) {
        if text.is_empty() {
            return;
        }
        match self.runs.last_mut() {
            Some(last) if last.bold == bold => last.text.push_str(text),
            _ => self.runs.push(Run {
                text: text.to_owned(),
                bold,
            }),
        }
    }

    /// Turns the collected inline text into a paragraph, or a list item inside a list.
    fn flush(&mut self) {
        let mut runs = std::mem::take(&mut self.runs);
        if let Some(first) = runs.first_mut() {
            first.text = first.text.trim_start().to_owned();
        }
        if let Some(last) = runs.last_mut() {
            last.text = last.text.trim_end().to_owned();
        }
        runs.retain(|r| !r.text.is_empty());
        if runs.is_empty() {
            return;
        }
        if self.lists.is_empty() {
            self.blocks.push(Block::Paragraph(runs));
        } else {
            let marker = self.marker.take().unwrap_or_else(|| self.continuation());
            self.blocks.push(Block::ListItem { marker, runs });
        }
    }

    fn indent(&self) -> String {
        "  ".repeat(self.lists.len().saturating_sub(1))
    }

    /// Marker for further text of the current item: only the indentation of its text column.
    fn continuation(&self) -> String {
        "  ".repeat(self.lists.len())
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) | Event::Code(text) => self.text(&text),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.text("\n"),
            Event::InlineHtml(html) => {
                let tag = html.trim().to_ascii_lowercase();
                if matches!(tag.as_str(), "<br>" | "<br/>" | "<br />") {
                    self.text("\n");
                }
            }
            Event::Rule => {
                self.flush();
                self.blocks.push(Block::Spacer(8.0));
            }
            Event::Html(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::FootnoteReference(_)
            | Event::TaskListMarker(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::BlockQuote(_) => {
                self.flush();
            }
            Tag::List(start) => {
                // Text of the enclosing item comes before the nested list.
                self.flush();
                self.lists.push(List { next: start });
            }
            Tag::Item => {
                self.flush();
                let indent = self.indent();
                let marker = match self.lists.last_mut() {
                    Some(List { next: Some(n) }) => {
                        let m = format!("{indent}{n}.");
                        *n += 1;
                        m
                    }
                    _ => format!("{indent}•"),
                };
                self.marker = Some(marker);
            }
            Tag::Strong => self.bold += 1,
            Tag::TableHead => {
                self.flush();
                self.bold += 1;
                self.table_cell = 0;
            }
            Tag::TableRow => {
                self.flush();
                self.table_cell = 0;
            }
            Tag::TableCell => {
                if self.table_cell > 0 {
                    self.push_run(" | ", self.bold > 0);
                }
                self.table_cell += 1;
            }
            Tag::Link { dest_url, .. } => {
                let lower = dest_url.to_ascii_lowercase();
                let absolute = lower.starts_with("http://") || lower.starts_with("https://");
                self.links
                    .push((absolute.then(|| dest_url.to_string()), String::new()));
            }
            Tag::Image { .. } => self.image = Some(String::new()),
            Tag::MetadataBlock(_) => self.in_metadata = true,
            Tag::HtmlBlock
            | Tag::Emphasis
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Table(_)
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::CodeBlock | TagEnd::BlockQuote(_) => self.flush(),
            TagEnd::Heading(_) => {
                let text: String = std::mem::take(&mut self.runs)
                    .into_iter()
                    .map(|r| r.text)
                    .collect();
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !text.is_empty() {
                    self.blocks.push(Block::Heading { level: 3, text });
                }
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Item => {
                self.flush();
                if let Some(marker) = self.marker.take() {
                    // An empty item still shows its marker.
                    self.blocks.push(Block::ListItem {
                        marker,
                        runs: Vec::new(),
                    });
                }
            }
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::TableHead => {
                self.flush();
                self.bold = self.bold.saturating_sub(1);
            }
            TagEnd::TableRow | TagEnd::Table => self.flush(),
            TagEnd::Link => {
                if let Some((Some(url), text)) = self.links.pop() {
                    if text.trim() != url {
                        self.text(&format!(" ({url})"));
                    }
                }
            }
            TagEnd::Image => {
                let alt = self.image.take().unwrap_or_default();
                let alt = alt.split_whitespace().collect::<Vec<_>>().join(" ");
                self.flush();
                self.blocks.push(Block::Note(if alt.is_empty() {
                    "(Hình minh họa: xem trong bài trên mạng)".to_owned()
                } else {
                    format!("(Hình minh họa: {alt} — xem trong bài trên mạng)")
                }));
            }
            TagEnd::MetadataBlock(_) => self.in_metadata = false,
            TagEnd::HtmlBlock
            | TagEnd::Emphasis
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::TableCell
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(t: &str) -> Run {
        Run::plain(t)
    }

    fn bold(t: &str) -> Run {
        Run::bold(t)
    }

    #[test]
    fn converts_handbook_markdown() {
        let md = "Mở ứng dụng **VNeID** trên điện thoại.\n\
                  \n\
                  ## Bước 1: Đăng nhập\n\
                  \n\
                  ![Màn hình đăng nhập VNeID](/anh/vneid-dang-nhap.svg)\n\
                  \n\
                  1. Chạm **Đăng nhập**.\n\
                  2. Xem [hướng dẫn](https://vneid.gov.vn/huong-dan) hoặc [Tổ Công nghệ số](/so-tay/to-cong-nghe) \
                  hay <https://dichvucong.gov.vn>.\n\
                  \n\
                  - Một `mã` OTP\n\
                  - Hai\n\
                  \n\
                  ### Ghi nhớ\n\
                  \n\
                  Hết.\n";
        let blocks = markdown_blocks(md);
        let expected = vec![
            Block::Paragraph(vec![
                plain("Mở ứng dụng "),
                bold("VNeID"),
                plain(" trên điện thoại."),
            ]),
            Block::Heading {
                level: 3,
                text: "Bước 1: Đăng nhập".into(),
            },
            Block::Note(
                "(Hình minh họa: Màn hình đăng nhập VNeID — xem trong bài trên mạng)".into(),
            ),
            Block::ListItem {
                marker: "1.".into(),
                runs: vec![plain("Chạm "), bold("Đăng nhập"), plain(".")],
            },
            Block::ListItem {
                marker: "2.".into(),
                runs: vec![plain(
                    "Xem hướng dẫn (https://vneid.gov.vn/huong-dan) hoặc Tổ Công nghệ số \
                     hay https://dichvucong.gov.vn.",
                )],
            },
            Block::ListItem {
                marker: "•".into(),
                runs: vec![plain("Một mã OTP")],
            },
            Block::ListItem {
                marker: "•".into(),
                runs: vec![plain("Hai")],
            },
            Block::Heading {
                level: 3,
                text: "Ghi nhớ".into(),
            },
            Block::Paragraph(vec![plain("Hết.")]),
        ];
        assert_eq!(blocks, expected);
    }

    #[test]
    fn nested_and_loose_lists_and_start_numbers() {
        let md = "3. Ba\n\
                  \x20  - con **một**\n\
                  \x20  - con hai\n\
                  4. Bốn\n\
                  \n\
                  \x20  Đoạn thêm của mục bốn.\n";
        let blocks = markdown_blocks(md);
        let expected = vec![
            Block::ListItem {
                marker: "3.".into(),
                runs: vec![plain("Ba")],
            },
            Block::ListItem {
                marker: "  •".into(),
                runs: vec![plain("con "), bold("một")],
            },
            Block::ListItem {
                marker: "  •".into(),
                runs: vec![plain("con hai")],
            },
            Block::ListItem {
                marker: "4.".into(),
                runs: vec![plain("Bốn")],
            },
            Block::ListItem {
                marker: "  ".into(),
                runs: vec![plain("Đoạn thêm của mục bốn.")],
            },
        ];
        assert_eq!(blocks, expected);
    }

    #[test]
    fn front_matter_html_tables_and_breaks() {
        let md = "+++\ntitle = \"x\"\n+++\n\
                  <!-- ghi chú -->\n\
                  \n\
                  Dòng một  \nDòng hai<br>ba\n\
                  \n\
                  | Việc | Ứng dụng |\n|---|---|\n| Nộp hồ sơ | VNeID |\n";
        let blocks = markdown_blocks(md);
        let expected = vec![
            Block::Paragraph(vec![plain("Dòng một\nDòng hai\nba")]),
            Block::Paragraph(vec![bold("Việc | Ứng dụng")]),
            Block::Paragraph(vec![plain("Nộp hồ sơ | VNeID")]),
        ];
        assert_eq!(blocks, expected);
    }
}
