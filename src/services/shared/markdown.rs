//! Markdown → HTML for lessons, sanitised by construction: raw HTML in the source is shown as
//! text, and links or images may only point to http(s), mailto, tel or this site.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

pub(crate) fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
        || lower.starts_with("tel:")
    {
        return true;
    }
    // Relative URLs: no scheme at all (a ':' before any '/', '?' or '#' would be a scheme).
    let head = lower.split(['/', '?', '#']).next().unwrap_or("");
    !head.contains(':') && !lower.starts_with("//")
}

pub fn to_html(source: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let events = Parser::new_ext(source, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = if safe_url(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("#")
            };
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = if safe_url(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("")
            };
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        other => other,
    });
    let events = with_players(events);
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    // Images load only when scrolled to (raw HTML is escaped above, so every `<img` is ours).
    out.replace("<img src=", "<img loading=\"lazy\" src=")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// Appends `s` escaped for HTML text and attribute values.
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// A file of this site's video and audio (`/phuong-tien/name.ext`): `(name, is_video)`.
fn player_file(url: &str) -> Option<(&str, bool)> {
    let name = url.strip_prefix("/phuong-tien/")?;
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let (_, ext) = name.rsplit_once('.')?;
    let is_video = match ext {
        "mp4" | "webm" => true,
        "mp3" | "m4a" | "ogg" => false,
        _ => return None,
    };
    plain.then_some((name, is_video))
}

/// Turns an image whose address is one of this site's video or audio files into a player:
/// `![Mô tả](/phuong-tien/bai-1.mp4 "bai-1.vtt")` — the description shown under it, the title
/// naming its WebVTT captions. Nothing loads until the learner presses play (`preload="none"`),
/// and a link offers the file to download for watching later.
fn with_players<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    let mut player: Option<(String, bool, String, String)> = None;
    for event in events {
        match (&mut player, event) {
            (
                None,
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }),
            ) => match player_file(&dest_url) {
                Some((name, is_video)) => {
                    player = Some((name.to_owned(), is_video, title.to_string(), String::new()))
                }
                None => out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })),
            },
            (Some((_, _, _, alt)), Event::Text(t)) => alt.push_str(&t),
            (Some(_), Event::End(pulldown_cmark::TagEnd::Image)) => {
                if let Some((name, is_video, captions, alt)) = player.take() {
                    let src = format!("/phuong-tien/{}", escape(&name));
                    let alt = escape(alt.trim());
                    let track = captions
                        .strip_suffix(".vtt")
                        .filter(|stem| {
                            !stem.is_empty()
                                && stem
                                    .chars()
                                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        })
                        .map(|stem| {
                            format!(
                                "<track kind=\"captions\" srclang=\"vi\" label=\"Tiếng Việt\" src=\"/phuong-tien/{stem}.vtt\" default>"
                            )
                        })
                        .unwrap_or_default();
                    let tag = if is_video { "video" } else { "audio" };
                    out.push(Event::InlineHtml(CowStr::Boxed(
                        format!(
                            "<span class=\"phuong-tien\"><{tag} controls preload=\"none\" src=\"{src}\" aria-label=\"{alt}\">{track}</{tag}><span class=\"hint\">{alt} · <a href=\"{src}\" download>Tải về</a></span></span>"
                        )
                        .into_boxed_str(),
                    )));
                }
            }
            (Some(_), _) => {}
            (None, other) => out.push(other),
        }
    }
    out
}

/// An answer option that is a picture: the whole option is `![description](address)`, the
/// address one of this site's images (`/anh/…`). Returns `(description, address)`.
pub fn option_image(text: &str) -> Option<(&str, &str)> {
    let inner = text.trim().strip_prefix("![")?.strip_suffix(')')?;
    let (alt, url) = inner.split_once("](")?;
    let ok = !alt.trim().is_empty()
        && url.starts_with("/anh/")
        && safe_url(url)
        && !url.contains(['"', '<', '>', ' ', '(', ')']);
    ok.then_some((alt.trim(), url))
}

/// An option as words: a picture's description, or the text itself.
pub fn option_words(text: &str) -> &str {
    option_image(text).map_or(text, |(alt, _)| alt)
}

/// A short check question inside a lesson (not graded, not stored): a block
///
/// ````text
/// ```kiem-tra
/// The question, on one or more lines.
/// - [ ] a wrong option
/// - [x] the right option
/// > Why, shown once the learner has answered.
/// ```
/// ````
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub prompt: String,
    pub options: Vec<String>,
    /// 0-based place of the right option.
    pub right: usize,
    pub explanation: String,
}

/// A lesson cut into its Markdown (as safe HTML) and its check questions, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Html(String),
    Check(Check),
}

/// The info string of a check block's opening fence.
pub const CHECK_INFO: &str = "kiem-tra";
const CHECK_FENCE: &str = "```kiem-tra";

/// Reads one check block's lines (between the fences). The error is in Vietnamese, for authors.
pub fn parse_check(block: &str) -> Result<Check, String> {
    let mut prompt = Vec::new();
    let mut options = Vec::new();
    let mut right = Vec::new();
    let mut explanation = Vec::new();
    for line in block.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(o) = line
            .strip_prefix("- [x] ")
            .or_else(|| line.strip_prefix("- [X] "))
        {
            right.push(options.len());
            options.push(o.trim().to_owned());
        } else if let Some(o) = line.strip_prefix("- [ ] ") {
            options.push(o.trim().to_owned());
        } else if let Some(e) = line.strip_prefix('>') {
            explanation.push(e.trim().to_owned());
        } else if options.is_empty() {
            prompt.push(line.to_owned());
        } else {
            return Err(format!(
                "dòng “{line}” đứng sau các phương án: phương án bắt đầu bằng “- [ ] ” (sai) hoặc “- [x] ” (đúng), giải thích bằng “> ”"
            ));
        }
    }
    if prompt.is_empty() {
        return Err("thiếu câu hỏi trước các phương án".to_owned());
    }
    if options.len() < 2 {
        return Err("cần ít nhất hai phương án (“- [ ] …” và “- [x] …”)".to_owned());
    }
    let [right] = right[..] else {
        return Err("cần đúng một phương án đúng, đánh dấu “- [x] ”".to_owned());
    };
    Ok(Check {
        prompt: prompt.join(" "),
        options,
        right,
        explanation: explanation.join(" "),
    })
}

/// A lesson's Markdown cut at its check blocks: plain lines, and the body of each
/// ```` ```kiem-tra ```` block with whether its closing fence was found.
enum Segment<'a> {
    Line(&'a str),
    Check {
        fence: &'a str,
        body: String,
        closed: bool,
    },
}

fn segments(source: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        if line.trim_end() != CHECK_FENCE {
            out.push(Segment::Line(line));
            continue;
        }
        let mut body = String::new();
        let mut closed = false;
        for inner in lines.by_ref() {
            if inner.trim_end() == "```" {
                closed = true;
                break;
            }
            body.push_str(inner);
            body.push('\n');
        }
        out.push(Segment::Check {
            fence: line,
            body,
            closed,
        });
    }
    out
}

/// Splits a lesson's Markdown at its check blocks. A block that cannot be read stays as text
/// (authors are told when they save; see [`check_errors`]).
pub fn lesson_parts(source: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut text = String::new();
    for segment in segments(source) {
        let (fence, body, closed) = match segment {
            Segment::Line(line) => {
                text.push_str(line);
                text.push('\n');
                continue;
            }
            Segment::Check {
                fence,
                body,
                closed,
            } => (fence, body, closed),
        };
        match parse_check(&body).ok().filter(|_| closed) {
            Some(check) => {
                if !text.trim().is_empty() {
                    parts.push(Part::Html(to_html(&text)));
                }
                text.clear();
                parts.push(Part::Check(check));
            }
            None => {
                text.push_str(fence);
                text.push('\n');
                text.push_str(&body);
                if closed {
                    text.push_str("```\n");
                }
            }
        }
    }
    if !text.trim().is_empty() {
        parts.push(Part::Html(to_html(&text)));
    }
    parts
}

/// What is wrong with a lesson's check blocks, in Vietnamese (empty: nothing).
pub fn check_errors(source: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let checks = segments(source).into_iter().filter_map(|s| match s {
        Segment::Check { body, closed, .. } => Some((body, closed)),
        Segment::Line(_) => None,
    });
    for (i, (body, closed)) in checks.enumerate() {
        let n = i + 1;
        if !closed {
            errors.push(format!(
                "Câu hỏi kiểm tra nhanh thứ {n}: thiếu dòng “```” đóng lại."
            ));
        } else if let Err(e) = parse_check(&body) {
            errors.push(format!("Câu hỏi kiểm tra nhanh thứ {n}: {e}."));
        }
    }
    errors
}

/// Plain text of Markdown (for indexing and snippets).
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    // Inside a lesson's check block (its question, options and the right answer): never
    // indexed nor shown in a snippet, so that search does not give the answers away.
    let mut in_check = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.trim() == CHECK_INFO =>
            {
                in_check = true;
            }
            Event::End(TagEnd::CodeBlock) => in_check = false,
            _ if in_check => {}
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                // End each block like a sentence, so a snippet does not run blocks together.
                let trimmed = out.trim_end();
                if !trimmed.is_empty() && !trimmed.ends_with(['.', '!', '?', ':', ';']) {
                    out.truncate(trimmed.len());
                    out.push('.');
                }
                out.push(' ');
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn renders_and_sanitises() {
        assert_eq!(
            to_html("## Bước 1\n\n1. Mở **VNeID**"),
            "<h2>Bước 1</h2>\n<ol>\n<li>Mở <strong>VNeID</strong></li>\n</ol>\n"
        );
        let evil = to_html("<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)>");
        assert!(!evil.contains("<script"), "{evil}");
        assert!(!evil.contains("<img"), "{evil}");
        let link = to_html("[a](javascript:alert(1)) [b](https://dichvucong.gov.vn) [c](/hoc)");
        assert!(link.contains("href=\"#\""));
        assert!(link.contains("href=\"https://dichvucong.gov.vn\""));
        assert!(link.contains("href=\"/hoc\""));
        assert!(!link.contains("javascript"));
        let image = to_html("![Nút cài đặt](/anh/a.svg)");
        assert!(
            image.contains("<img loading=\"lazy\" src=\"/anh/a.svg\" alt=\"Nút cài đặt\""),
            "{image}"
        );
    }

    #[test]
    fn check_blocks_are_cut_out_and_checked() {
        use super::{check_errors, lesson_parts, Check, Part};
        let source = "Đọc kỹ.\n\n```kiem-tra\nTin nhắn trúng thưởng kèm link:\n- [ ] Bấm vào link\n- [x] Xoá tin nhắn\n> Đó là lừa đảo.\n```\n\nHết bài.\n";
        let parts = lesson_parts(source);
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert_eq!(
            parts[1],
            Part::Check(Check {
                prompt: "Tin nhắn trúng thưởng kèm link:".into(),
                options: vec!["Bấm vào link".into(), "Xoá tin nhắn".into()],
                right: 1,
                explanation: "Đó là lừa đảo.".into(),
            })
        );
        assert!(matches!(&parts[0], Part::Html(h) if h.contains("Đọc kỹ.")));
        assert!(check_errors(source).is_empty());
        // No right option, two right options, an unclosed block: each named; shown as text.
        for (bad, why) in [
            (
                "```kiem-tra\nHỏi?\n- [ ] a\n- [ ] b\n```\n",
                "đúng một phương án đúng",
            ),
            (
                "```kiem-tra\nHỏi?\n- [x] a\n- [x] b\n```\n",
                "đúng một phương án đúng",
            ),
            ("```kiem-tra\nHỏi?\n- [x] a\n- [ ] b\n", "thiếu dòng"),
            ("```kiem-tra\n- [x] a\n- [ ] b\n```\n", "thiếu câu hỏi"),
        ] {
            let errors = check_errors(bad);
            assert_eq!(errors.len(), 1, "{bad}");
            assert!(errors[0].contains(why), "{}", errors[0]);
            assert!(lesson_parts(bad).iter().all(|p| matches!(p, Part::Html(_))));
        }
    }

    #[test]
    fn a_picture_option_needs_a_description_and_one_of_our_images() {
        use super::{option_image, option_words};
        assert_eq!(
            option_image("![Biểu tượng VNeID](/anh/vneid.png)"),
            Some(("Biểu tượng VNeID", "/anh/vneid.png"))
        );
        assert_eq!(
            option_words("![Biểu tượng VNeID](/anh/vneid.png)"),
            "Biểu tượng VNeID"
        );
        assert_eq!(option_words("Đúng"), "Đúng");
        for bad in [
            "![](/anh/a.png)",
            "![x](https://evil.example/a.png)",
            "![x](/anh/a.png\" onerror=\"x)",
            "![x](javascript:alert(1))",
            "chữ ![x](/anh/a.png)",
        ] {
            assert_eq!(option_image(bad), None, "{bad}");
        }
    }

    #[test]
    fn our_video_and_audio_files_become_players() {
        let video = to_html(
            "![Cách quét mã QR](/phuong-tien/quet-ma-1a2b3c4d.mp4 \"quet-ma-1a2b3c4d.vtt\")",
        );
        assert!(video.contains("<video controls preload=\"none\" src=\"/phuong-tien/quet-ma-1a2b3c4d.mp4\" aria-label=\"Cách quét mã QR\">"), "{video}");
        assert!(video.contains("<track kind=\"captions\" srclang=\"vi\" label=\"Tiếng Việt\" src=\"/phuong-tien/quet-ma-1a2b3c4d.vtt\" default>"), "{video}");
        assert!(video.contains("download>Tải về</a>"));
        let audio = to_html("![Bài đọc](/phuong-tien/bai-doc.mp3)");
        assert!(
            audio.contains("<audio controls preload=\"none\""),
            "{audio}"
        );
        assert!(!audio.contains("<track"));
        // Anything else stays an image (or nothing): other sites, odd names, scripts in the text.
        assert!(to_html("![x](https://example.com/a.mp4)").contains("<img"));
        assert!(!to_html("![x](/phuong-tien/A.mp4)").contains("<video"));
        let sneaky = to_html("![a\" onload=\"x](/phuong-tien/a.mp4 \"../b.vtt\")");
        assert!(!sneaky.contains("onload=\"x"), "{sneaky}");
        assert!(!sneaky.contains("<track"), "{sneaky}");
    }
}
