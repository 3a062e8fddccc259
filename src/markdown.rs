//! Markdown → HTML for lessons, sanitised by construction: raw HTML in the source is shown as
//! text, and links or images may only point to http(s), mailto, tel or this site.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

fn safe_url(url: &str) -> bool {
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
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events);
    // Images load only when scrolled to (raw HTML is escaped above, so every `<img` is ours).
    out.replace("<img src=", "<img loading=\"lazy\" src=")
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
}
