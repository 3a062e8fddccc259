//! Search that finds what people type (handbook articles, courses and lessons), in memory.
//!
//! Matching folds Vietnamese (`đ`→`d`, tones and hats removed, case folded), so "dich vu cong"
//! finds "Dịch vụ công"; a word typed with its exact diacritics scores higher than a folded
//! match; words of five letters or more also match vocabulary one edit away (a typo:
//! substitution, insertion, deletion or swap of neighbours), at a lower score; two query words
//! that stand next to each other in a text (most Vietnamese words have two syllables) score
//! extra. Scores are tf-idf-like, weighted by field (title ≫ keywords ≫ summary ≫ body), and
//! multiplied by the share of query words a text matches. See docs/decisions/0003-search.md.

use std::collections::{HashMap, HashSet};

use hocvuso_domain::text::fold;

/// What a result is, shown as a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Article,
    Course,
    Lesson,
}

impl DocKind {
    pub fn label(self) -> &'static str {
        match self {
            DocKind::Article => "Sổ tay",
            DocKind::Course => "Khóa học",
            DocKind::Lesson => "Bài học",
        }
    }
}

/// One searchable text.
#[derive(Debug, Clone)]
pub struct SearchDoc {
    pub kind: DocKind,
    pub url: String,
    pub title: String,
    /// Where it sits (chapter or course title), shown under the title.
    pub context: String,
    pub keywords: String,
    pub summary: String,
    /// Plain text (Markdown already stripped).
    pub body: String,
}

/// A result with its highlighted title and snippet (HTML-escaped, matches in `<mark>`).
#[derive(Debug)]
pub struct Hit<'a> {
    pub doc: &'a SearchDoc,
    pub score: f32,
    pub title_html: String,
    pub snippet_html: String,
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    weight: f32,
}

#[derive(Default)]
pub struct SearchIndex {
    docs: Vec<SearchDoc>,
    /// Folded word → postings.
    folded: HashMap<String, Vec<Posting>>,
    /// Lower-cased word with its diacritics → postings.
    exact: HashMap<String, Vec<Posting>>,
    /// "folded folded" of two neighbouring words → postings.
    pairs: HashMap<String, Vec<Posting>>,
    /// Folded vocabulary by length in characters (for typo matching).
    vocab_by_len: Vec<Vec<String>>,
}

const TITLE: f32 = 10.0;
const KEYWORDS: f32 = 6.0;
const SUMMARY: f32 = 3.0;
const CONTEXT: f32 = 1.5;
const EXACT_BONUS: f32 = 0.6;
const TYPO_FACTOR: f32 = 0.55;
const PAIR_FACTOR: f32 = 1.5;
/// Words this long (in characters) or longer may carry one typo.
const TYPO_MIN_CHARS: usize = 5;

/// The words of a text with their byte ranges (letters and digits; everything else separates).
pub fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = chars.peek() {
            if c.is_alphanumeric() {
                break;
            }
            chars.next();
        }
        let (start, _) = *chars.peek()?;
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        Some((start, end))
    })
}

fn add(map: &mut HashMap<String, HashMap<u32, f32>>, key: String, doc: u32, w: f32) {
    *map.entry(key).or_default().entry(doc).or_insert(0.0) += w;
}

fn finish(map: HashMap<String, HashMap<u32, f32>>) -> HashMap<String, Vec<Posting>> {
    map.into_iter()
        .map(|(k, docs)| {
            let mut v: Vec<Posting> = docs
                .into_iter()
                // Repeated words count, but less and less (1 + ln n for the body).
                .map(|(doc, w)| Posting {
                    doc,
                    weight: if w > 1.0 { 1.0 + w.ln() } else { w },
                })
                .collect();
            v.sort_by_key(|p| p.doc);
            (k, v)
        })
        .collect()
}

impl SearchIndex {
    pub fn build(docs: Vec<SearchDoc>) -> Self {
        let mut folded: HashMap<String, HashMap<u32, f32>> = HashMap::new();
        let mut exact: HashMap<String, HashMap<u32, f32>> = HashMap::new();
        let mut pairs: HashMap<String, HashMap<u32, f32>> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            let id = i as u32;
            for (text, field) in [
                (&d.title, TITLE),
                (&d.keywords, KEYWORDS),
                (&d.summary, SUMMARY),
                (&d.context, CONTEXT),
                (&d.body, 1.0),
            ] {
                // Field weights are large, so several mentions in a title do not multiply.
                let mut seen_in_field: HashSet<String> = HashSet::new();
                let mut prev: Option<String> = None;
                for (s, e) in words(text) {
                    let word = &text[s..e];
                    let lower = word.to_lowercase();
                    let f = fold(&lower);
                    let w = if field > 1.0 {
                        if seen_in_field.insert(f.clone()) {
                            field
                        } else {
                            0.0
                        }
                    } else {
                        1.0
                    };
                    if w > 0.0 {
                        add(&mut folded, f.clone(), id, w);
                        add(&mut exact, lower, id, w);
                    }
                    if let Some(p) = prev.take() {
                        add(&mut pairs, format!("{p} {f}"), id, field);
                    }
                    prev = Some(f);
                }
            }
        }
        let mut vocab_by_len: Vec<Vec<String>> = Vec::new();
        for term in folded.keys() {
            let n = term.chars().count();
            if vocab_by_len.len() <= n {
                vocab_by_len.resize(n + 1, Vec::new());
            }
            vocab_by_len[n].push(term.clone());
        }
        SearchIndex {
            docs,
            folded: finish(folded),
            exact: finish(exact),
            pairs: finish(pairs),
            vocab_by_len,
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn idf(&self, postings: &[Posting]) -> f32 {
        (1.0 + self.docs.len() as f32 / (postings.len() as f32 + 0.5)).ln()
    }

    /// Vocabulary words one edit away from `term` (not `term` itself).
    fn near(&self, term: &str) -> Vec<&str> {
        let n = term.chars().count();
        let mut out = Vec::new();
        for len in n.saturating_sub(1)..=n + 1 {
            if let Some(bucket) = self.vocab_by_len.get(len) {
                out.extend(
                    bucket
                        .iter()
                        .filter(|v| v.as_str() != term && one_edit(term, v))
                        .map(String::as_str),
                );
            }
        }
        out
    }

    /// The best `limit` results for a query, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit<'_>> {
        let query = hocvuso_domain::text::nfc(query);
        let tokens: Vec<(String, String)> = words(&query)
            .map(|(s, e)| {
                let lower = query[s..e].to_lowercase();
                let f = fold(&lower);
                (lower, f)
            })
            .take(12)
            .collect();
        if tokens.is_empty() || self.docs.is_empty() {
            return Vec::new();
        }
        let n = self.docs.len();
        let mut score = vec![0.0f32; n];
        let mut matched = vec![0u16; n];
        // Folded words a result may highlight (the query's and the typo matches found).
        let mut marks: HashSet<String> = HashSet::new();
        let mut best_for_token = vec![0.0f32; n];
        for (lower, f) in &tokens {
            best_for_token.iter_mut().for_each(|s| *s = 0.0);
            if let Some(postings) = self.folded.get(f) {
                marks.insert(f.clone());
                let idf = self.idf(postings);
                for p in postings {
                    best_for_token[p.doc as usize] += idf * p.weight;
                }
            }
            if let Some(postings) = self.exact.get(lower) {
                let idf = self.idf(postings);
                for p in postings {
                    best_for_token[p.doc as usize] += EXACT_BONUS * idf * p.weight;
                }
            }
            if f.chars().count() >= TYPO_MIN_CHARS {
                for near in self.near(f) {
                    if let Some(postings) = self.folded.get(near) {
                        marks.insert(near.to_owned());
                        let idf = self.idf(postings);
                        for p in postings {
                            let s = &mut best_for_token[p.doc as usize];
                            *s = s.max(TYPO_FACTOR * idf * p.weight);
                        }
                    }
                }
            }
            for (i, s) in best_for_token.iter().enumerate() {
                if *s > 0.0 {
                    score[i] += s;
                    matched[i] += 1;
                }
            }
        }
        for pair in tokens.windows(2) {
            if let Some(postings) = self.pairs.get(&format!("{} {}", pair[0].1, pair[1].1)) {
                let idf = self.idf(postings);
                for p in postings {
                    score[p.doc as usize] += PAIR_FACTOR * idf * p.weight;
                }
            }
        }
        let total = tokens.len() as f32;
        let mut ranked: Vec<(u32, f32)> = score
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0.0)
            .map(|(i, s)| {
                let share = f32::from(matched[i]) / total;
                (i as u32, s * share * share)
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        ranked
            .into_iter()
            .map(|(i, s)| {
                let doc = &self.docs[i as usize];
                let text = if doc.body.is_empty() {
                    &doc.summary
                } else {
                    &doc.body
                };
                Hit {
                    doc,
                    score: s,
                    title_html: highlight(&doc.title, &marks),
                    snippet_html: snippet(text, &marks, 28),
                }
            })
            .collect()
    }
}

/// Whether `a` and `b` differ by exactly one substitution, insertion, deletion or swap of two
/// neighbouring characters.
pub fn one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if la == lb {
        if prefix == la {
            return false;
        }
        let rest_same = |from: usize| a[from..] == b[from..];
        // substitution
        if rest_same(prefix + 1) {
            return true;
        }
        // swap of neighbours
        prefix + 1 < la
            && a[prefix] == b[prefix + 1]
            && a[prefix + 1] == b[prefix]
            && rest_same(prefix + 2)
    } else {
        let (long, short) = if la > lb { (&a, &b) } else { (&b, &a) };
        long[prefix + 1..] == short[prefix..]
    }
}

fn escape_into(out: &mut String, s: &str) {
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

fn is_mark(word: &str, marks: &HashSet<String>) -> bool {
    marks.contains(&fold(&word.to_lowercase()))
}

/// `text`, HTML-escaped, with every word whose folded form is in `marks` wrapped in `<mark>`.
pub fn highlight(text: &str, marks: &HashSet<String>) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut last = 0;
    for (s, e) in words(text) {
        if is_mark(&text[s..e], marks) {
            escape_into(&mut out, &text[last..s]);
            out.push_str("<mark>");
            escape_into(&mut out, &text[s..e]);
            out.push_str("</mark>");
            last = e;
        }
    }
    escape_into(&mut out, &text[last..]);
    out
}

/// The window of about `len` words of `text` with the most distinct matches, highlighted.
pub fn snippet(text: &str, marks: &HashSet<String>, len: usize) -> String {
    let spans: Vec<(usize, usize)> = words(text).collect();
    if spans.is_empty() {
        return String::new();
    }
    let hits: Vec<Option<String>> = spans
        .iter()
        .map(|&(s, e)| {
            let f = fold(&text[s..e].to_lowercase());
            marks.contains(&f).then_some(f)
        })
        .collect();
    let mut best = (0usize, 0usize);
    for start in 0..spans.len() {
        if hits[start].is_none() && start != 0 {
            continue;
        }
        let end = (start + len).min(spans.len());
        let distinct: HashSet<&String> = hits[start..end].iter().flatten().collect();
        let total = hits[start..end].iter().flatten().count();
        let value = distinct.len() * 100 + total;
        if value > best.1 {
            best = (start, value);
        }
    }
    // Start a few words before the first match, for context.
    let first = best.0.saturating_sub(4);
    let last = (first + len).min(spans.len()) - 1;
    let from = spans[first].0;
    let to = spans[last].1;
    let mut out = String::new();
    if first > 0 {
        out.push('…');
    }
    out.push_str(&highlight(&text[from..to], marks));
    if last + 1 < spans.len() {
        out.push('…');
    }
    out
}

/// Plain text of Markdown (for indexing and snippets).
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
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
    use super::*;

    fn doc(title: &str, body: &str) -> SearchDoc {
        SearchDoc {
            kind: DocKind::Article,
            url: format!("/so-tay/{}", fold(title).replace(' ', "-")),
            title: title.to_owned(),
            context: String::new(),
            keywords: String::new(),
            summary: String::new(),
            body: body.to_owned(),
        }
    }

    #[test]
    fn one_edit_cases() {
        assert!(one_edit("vneid", "vnied"));
        assert!(one_edit("thanh", "thnh"));
        assert!(one_edit("thanh", "thanhh"));
        assert!(one_edit("thanh", "thenh"));
        assert!(!one_edit("thanh", "thanh"));
        assert!(!one_edit("thanh", "tahnhx"));
        assert!(!one_edit("abcde", "badce"));
    }

    #[test]
    fn folds_ranks_exact_first_and_tolerates_a_typo() {
        let idx = SearchIndex::build(vec![
            doc("Cá kho", "Món cá kho tộ."),
            doc("Ca hát", "Hát ca dao."),
            doc(
                "Dịch vụ công trực tuyến",
                "Nộp hồ sơ trên cổng dịch vụ công.",
            ),
            doc("Thanh toán bằng mã QR", "Quét mã QR để thanh toán."),
        ]);
        let first = |q: &str| {
            idx.search(q, 5)
                .first()
                .map(|h| h.doc.title.clone())
                .unwrap_or_default()
        };
        assert_eq!(first("dich vu cong"), "Dịch vụ công trực tuyến");
        assert_eq!(first("THANH TOAN qr"), "Thanh toán bằng mã QR");
        assert_eq!(first("cá"), "Cá kho");
        assert_eq!(first("ca hát"), "Ca hát");
        assert_eq!(first("thanh toasn"), "Thanh toán bằng mã QR", "one typo");
        assert!(idx.search("xyzxyz", 5).is_empty());
        let hit = &idx.search("dich vu", 1)[0];
        assert!(hit.title_html.contains("<mark>Dịch</mark> <mark>vụ</mark>"));
        assert!(hit.snippet_html.contains("<mark>dịch</mark>"));
    }

    #[test]
    fn highlight_escapes() {
        let marks: HashSet<String> = ["a".to_owned()].into();
        assert_eq!(
            highlight("<a> & b", &marks),
            "&lt;<mark>a</mark>&gt; &amp; b"
        );
    }

    #[test]
    fn plain_text_of_markdown() {
        let t = plain_text("## Bước 1\n\n1. Mở **VNeID**\n2. Chạm [Đăng nhập](https://x)");
        assert!(t.contains("Bước 1"), "{t}");
        assert!(t.contains("Mở VNeID"), "{t}");
        assert!(t.contains("Chạm Đăng nhập"), "{t}");
        assert!(!t.contains("**"));
    }
}
