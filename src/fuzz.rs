//! Fuzzing harnesses for the parsers of outside input in the server crate: lesson Markdown
//! (authors' text, rendered for everyone), quiz answer forms (any learner), and credential
//! files (anyone, on /chung-nhan/kiem-tra-tep and `hocvuso verify`). The table readers have
//! theirs in `hocvuso_import` (src/fuzz.rs). In `cargo test` each runs a bounded number of
//! generated inputs plus the saved ones under `src/__fuzz__/<harness>/{corpus,crashes}`;
//! `scripts/fuzz` runs them for a given time.

use bolero::check;

use hocvuso_import::fuzz_support::from_tokens;

/// Keeps an input that made a harness panic, under this crate's `src/__fuzz__`.
fn kept(harness: &str, input: &[u8], f: impl FnOnce(&[u8])) {
    hocvuso_import::fuzz_support::kept(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        harness,
        input,
        f,
    );
}

const MARKDOWN_TOKENS: &[&str] = &[
    "#",
    "# ",
    "*",
    "_",
    "[",
    "]",
    "(",
    ")",
    "](",
    "`",
    "```",
    "```kiem-tra\n",
    "```\n",
    "- [x] ",
    "- [ ] ",
    "> ",
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "\n",
    "\n\n",
    " ",
    "|",
    "---",
    "|---|",
    "!",
    "![",
    "javascript:alert(1)",
    "JaVaScRiPt:",
    "java\tscript:",
    "http://a.vn/v.mp4",
    "https://youtu.be/x",
    "//evil.example",
    "data:text/html,",
    "mailto:a@b",
    "tel:1",
    "/anh/1",
    "a",
    "ă",
    "Học",
    "&",
    "&#106;",
    "\\",
    "<",
    ">",
    "\"",
    "'",
    "\t",
    "1. ",
    "    ",
    "~~",
    "<!--",
    "-->",
    "\u{0}",
    "\u{202e}",
];

/// Every `href`/`src` value in `html`, entities for `&` and `"` undone.
fn urls(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            out.push(rest[..end].replace("&quot;", "\"").replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn markdown() {
    check!().for_each(|bytes: &[u8]| kept("markdown", bytes, markdown_of));
}

fn markdown_of(bytes: &[u8]) {
    {
        let source = from_tokens(bytes, MARKDOWN_TOKENS);
        let html = crate::services::shared::markdown::to_html(&source);
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script"), "{source:?} → {html}");
        // Raw HTML is escaped: every real tag is one the renderer wrote, without handlers.
        for tag in lower.split('<').skip(1) {
            let tag = tag.split('>').next().unwrap_or("");
            // Attribute names only: quoted values are dropped (escaped text may say anything).
            let names: String = tag.split('"').step_by(2).collect();
            assert!(!names.contains(" on"), "{tag:?} from {source:?} → {html}");
        }
        for url in urls(&html) {
            assert!(
                url.is_empty() || url == "#" || crate::services::shared::markdown::safe_url(&url),
                "{url:?} from {source:?}"
            );
        }
        let _ = crate::services::shared::markdown::lesson_parts(&source);
        let _ = crate::services::shared::markdown::check_errors(&source);
        let _ = crate::services::shared::markdown::parse_check(&source);
    }
}

#[test]
fn markdown_any_text() {
    check!().with_type::<String>().for_each(|source: &String| {
        let html = crate::services::shared::markdown::to_html(source);
        assert!(!html.to_lowercase().contains("<script"));
        let _ = crate::services::shared::markdown::lesson_parts(source);
    });
}

#[test]
fn quiz_answers() {
    check!()
        .with_type::<Vec<(String, String)>>()
        .for_each(|pairs: &Vec<(String, String)>| {
            if let Ok(answers) = crate::web::pages::learning::learn::parse_answers(pairs) {
                let chosen: usize = answers.values().map(Vec::len).sum();
                assert!(chosen <= pairs.len());
            }
        });
}

#[test]
fn quiz_form() {
    // Field names as the form sends them.
    check!().for_each(|bytes: &[u8]| kept("quiz_form", bytes, quiz_form_of));
}

fn quiz_form_of(bytes: &[u8]) {
    {
        let pairs: Vec<(String, String)> = bytes
            .chunks(3)
            .map(|c| {
                let n = |i: usize| c.get(i).copied().unwrap_or(0);
                let key = match n(0) % 5 {
                    0 => format!("q{}", n(1)),
                    1 => format!("q-{}", n(1)),
                    2 => "csrf_token".to_owned(),
                    3 => format!("q{}9999999999999999999", n(1)),
                    _ => "q".to_owned(),
                };
                let value = match n(2) % 4 {
                    0 => n(2).to_string(),
                    1 => String::new(),
                    2 => "-1".to_owned(),
                    _ => "1e3".to_owned(),
                };
                (key, value)
            })
            .collect();
        let _ = crate::web::pages::learning::learn::parse_answers(&pairs);
    }
}

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\"@context\"",
    "\"proof\"",
    "\"issuer\"",
    "\"id\"",
    "\"type\"",
    "\"name\"",
    "\"proofValue\"",
    "\"cryptosuite\"",
    "\"eddsa-jcs-2022\"",
    "\"DataIntegrityProof\"",
    "\"assertionMethod\"",
    "\"proofPurpose\"",
    "\"verificationMethod\"",
    "\"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK\"",
    "\"did:key:z\"",
    "\"https://www.w3.org/ns/credentials/v2\"",
    "\"VerifiableCredential\"",
    "\"OpenBadgeCredential\"",
    "\"credentialSubject\"",
    "\"z1111\"",
    "1",
    "-0",
    "1e400",
    "null",
    "true",
    "\"\\u0000\"",
    "\"\\ud800\"",
    " ",
    "\n",
];

#[test]
fn credential_json() {
    check!().for_each(|bytes: &[u8]| kept("credential_json", bytes, credential_of));
}

fn credential_of(bytes: &[u8]) {
    {
        for raw in [bytes.to_vec(), from_tokens(bytes, JSON_TOKENS).into_bytes()] {
            let verified = crate::services::credentials::credential::verify(&raw);
            if verified.is_ok() {
                assert!(crate::services::credentials::credential::no_duplicate_keys(&raw).is_ok());
            }
            let _ =
                crate::services::credentials::credential::check_offline(&raw, Some("did:key:z"));
        }
    }
}
