//! The Atom feed (RFC 4287) of the public news items live now: what a newspaper, the province's
//! portal or a feed reader takes in. Addresses are absolute, from the configured public address
//! (never from the request).

use hocvuso_db::repo::news::{self, Readers};

use crate::services::runtime::Runtime;
use crate::services::shared::markdown;
use crate::services::Internal;

/// Entries in the feed.
pub const FEED_ITEMS: u64 = 50;

/// Appends `s` escaped for XML text and attribute values, leaving out the characters XML 1.0
/// does not allow (control characters but tab and line breaks, U+FFFE, U+FFFF): one of them
/// would make the whole feed unreadable.
fn escape_into(out: &mut String, s: &str) {
    let allowed: String = s
        .chars()
        .filter(|c| {
            matches!(c, '\t' | '\n' | '\r')
                || !(c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        })
        .collect();
    markdown::escape_into(out, &allowed);
}

fn element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// The feed's XML.
pub async fn atom(state: &Runtime) -> Result<String, Internal> {
    let db = state.db.read();
    let now = state.clock.now();
    let items = news::live(db, &Readers::Public, now, 0, FEED_ITEMS).await?;
    let tree = crate::services::people::org::tree(state).await?;
    let province = tree
        .iter()
        .find(|u| u.parent_id.is_none())
        .map_or_else(String::new, |u| u.name.clone());
    let site = state.config.site_url();
    let updated = items.iter().map(|i| i.updated_at.max(i.publish_at)).max();
    let mut out = String::with_capacity(4096 + items.len() * 2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n");
    element(
        &mut out,
        "title",
        &format!("Tin tức Bình dân học vụ số — {province}"),
    );
    element(&mut out, "id", &format!("{site}/tin-tuc"));
    out.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{site}/tin-tuc.atom\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{site}/tin-tuc\"/>\n"
    ));
    element(
        &mut out,
        "updated",
        &updated
            .unwrap_or(now)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    out.push_str("<author><name>");
    escape_into(&mut out, &province);
    out.push_str("</name></author>\n");
    for item in &items {
        let url = format!("{site}/tin-tuc/{}", item.id);
        out.push_str("<entry>\n");
        element(&mut out, "title", &item.title);
        element(&mut out, "id", &url);
        out.push_str("<link rel=\"alternate\" type=\"text/html\" href=\"");
        escape_into(&mut out, &url);
        out.push_str("\"/>\n");
        element(
            &mut out,
            "published",
            &item
                .publish_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        element(
            &mut out,
            "updated",
            &item
                .updated_at
                .max(item.publish_at)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        out.push_str("<author><name>");
        escape_into(
            &mut out,
            tree.iter()
                .find(|u| u.id == item.unit_id)
                .map_or(province.as_str(), |u| u.name.as_str()),
        );
        out.push_str("</name></author>\n");
        // Links and pictures in the text are this site's own addresses: `xml:base` makes them
        // whole for the reader.
        out.push_str(&format!("<content type=\"html\" xml:base=\"{site}/\">"));
        escape_into(&mut out, &markdown::to_html(&item.body));
        out.push_str("</content>\n</entry>\n");
    }
    out.push_str("</feed>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn characters_xml_does_not_allow_are_left_out() {
        let mut out = String::new();
        super::escape_into(&mut out, "a\u{1}b\u{1b}[31m\tc\n<d>&\u{FFFF}");
        assert_eq!(out, "ab[31m\tc\n&lt;d&gt;&amp;");
    }
}
