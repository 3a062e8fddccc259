//! Search that finds what people type (handbook articles, courses and lessons), in memory.
//!
//! Matching folds Vietnamese (`đ`→`d`, tones and hats removed, case folded), so "dich vu cong"
//! finds "Dịch vụ công"; a word typed with its exact diacritics scores higher than a folded
//! match; a word of five letters or more that no text has is taken for a typo and matches the
//! words one edit away (substitution, insertion, deletion or swap of neighbours), at a lower
//! score; two query words that stand next to each other in a text (most Vietnamese words have
//! two syllables) score extra. Scores are tf-idf-like, weighted by field (title ≫ keywords ≫ summary ≫ body), and
//! multiplied by the share of query words a text matches. Short forms people type ("cccd",
//! "mk", "tk") are searched as the words they stand for ([`SHORT_FORMS`]). See
//! docs/decisions/0003-search.md.

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

/// One searchable text. Its body is indexed but not kept (the caller has it, and hands it back
/// for the snippets of the few results shown).
#[derive(Debug, Clone)]
pub struct SearchDoc {
    pub kind: DocKind,
    pub url: String,
    pub title: String,
    /// Where it sits (chapter or course title), shown under the title.
    pub context: String,
    pub keywords: String,
    pub summary: String,
}

/// A result: which document (its index in the list given to [`SearchIndex::build`]), its score
/// and its highlighted title (HTML-escaped, matches in `<mark>`).
#[derive(Debug)]
pub struct Hit<'a> {
    pub index: usize,
    pub doc: &'a SearchDoc,
    pub score: f32,
    pub title_html: String,
}

/// The results of one query, with the folded words to highlight in snippets.
#[derive(Debug, Default)]
pub struct Results<'a> {
    pub hits: Vec<Hit<'a>>,
    pub marks: HashSet<String>,
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    weight: f32,
}

/// Postings are kept compact: words are numbered once, word pairs are keyed by the two numbers,
/// and only words written with diacritics get an "exact" list (for the others the folded list
/// says the same).
#[derive(Default)]
pub struct SearchIndex {
    docs: Vec<SearchDoc>,
    /// Folded word → its number.
    ids: HashMap<Box<str>, u32>,
    /// By word number: the folded word and its postings.
    terms: Vec<(Box<str>, Vec<Posting>)>,
    /// Lower-cased word with its diacritics (only words that have some) → postings.
    exact: HashMap<Box<str>, Vec<Posting>>,
    /// Two neighbouring words (by number) → postings.
    pairs: HashMap<u64, Vec<Posting>>,
    /// Word numbers by length in characters (for typo matching).
    by_len: Vec<Vec<u32>>,
}

const TITLE: f32 = 10.0;
const KEYWORDS: f32 = 6.0;
const SUMMARY: f32 = 3.0;
const CONTEXT: f32 = 1.5;
const EXACT_BONUS: f32 = 0.6;
const TYPO_FACTOR: f32 = 0.55;
const PAIR_FACTOR: f32 = 1.5;
/// Results scoring under this share of the best result's score are not shown.
const RELATIVE_FLOOR: f32 = 0.2;
/// Words this long (in characters) or longer may carry one typo.
const TYPO_MIN_CHARS: usize = 5;

/// Short forms people type, folded, and the words they stand for. A short form is searched as
/// its words (so it keeps its weight beside other words, and its words pair up with theirs);
/// texts that write the short form itself match it too.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("cccd", "căn cước công dân"),
    ("cmnd", "chứng minh nhân dân"),
    ("cmt", "chứng minh nhân dân"),
    ("vsid", "vssid"),
    ("ck", "chuyển khoản"),
    ("mk", "mật khẩu"),
    ("tk", "tài khoản"),
    ("stk", "số tài khoản"),
    ("sdt", "số điện thoại"),
    ("dt", "điện thoại"),
    ("dvc", "dịch vụ công"),
    ("bhxh", "bảo hiểm xã hội"),
    ("bhyt", "bảo hiểm y tế"),
    ("gplx", "giấy phép lái xe"),
    ("ttdt", "thanh toán điện tử"),
    ("hddt", "hóa đơn điện tử"),
    ("cks", "chữ ký số"),
    ("cntt", "công nghệ thông tin"),
    ("dmst", "đổi mới sáng tạo"),
];

/// The query's words `(lower-cased, folded)` with each short form replaced by its words, and
/// the short form itself kept after them (see [`SHORT_FORMS`]).
fn expand_short_forms(tokens: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut kept = Vec::new();
    for (lower, f) in tokens {
        match SHORT_FORMS.iter().find(|(short, _)| *short == f) {
            Some((_, long)) => {
                out.extend(words(long).map(|(s, e)| {
                    let w = long[s..e].to_owned();
                    let folded = fold(&w);
                    (w, folded)
                }));
                if fold(long) != f {
                    kept.push((lower, f));
                }
            }
            None => out.push((lower, f)),
        }
    }
    out.extend(kept);
    out
}

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

/// Repeated words count, but less and less (1 + ln n).
fn damp(w: f32) -> f32 {
    if w > 1.0 {
        1.0 + w.ln()
    } else {
        w
    }
}

fn pair_key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl SearchIndex {
    /// Indexes documents with their plain-text bodies (the bodies are not kept).
    pub fn build(input: Vec<(SearchDoc, String)>) -> Self {
        let mut idx = SearchIndex::default();
        let mut folded_w: HashMap<u32, f32> = HashMap::new();
        let mut exact_w: HashMap<String, f32> = HashMap::new();
        let mut pair_w: HashMap<u64, f32> = HashMap::new();
        for (i, (d, body)) in input.into_iter().enumerate() {
            let doc = i as u32;
            folded_w.clear();
            exact_w.clear();
            pair_w.clear();
            for (text, field) in [
                (d.title.as_str(), TITLE),
                (&d.keywords, KEYWORDS),
                (&d.summary, SUMMARY),
                (&d.context, CONTEXT),
                (&body, 1.0),
            ] {
                // Field weights are large, so several mentions in a title do not multiply.
                let mut seen_in_field: HashSet<u32> = HashSet::new();
                let mut prev: Option<u32> = None;
                for (s, e) in words(text) {
                    let lower = text[s..e].to_lowercase();
                    let f = fold(&lower);
                    let id = idx.id_of(f);
                    let w = if field > 1.0 && !seen_in_field.insert(id) {
                        0.0
                    } else if field > 1.0 {
                        field
                    } else {
                        1.0
                    };
                    if w > 0.0 {
                        *folded_w.entry(id).or_insert(0.0) += w;
                        if idx.terms[id as usize].0.as_ref() != lower {
                            *exact_w.entry(lower).or_insert(0.0) += w;
                        }
                    }
                    if let Some(p) = prev {
                        *pair_w.entry(pair_key(p, id)).or_insert(0.0) += field;
                    }
                    prev = Some(id);
                }
            }
            for (&id, &w) in &folded_w {
                idx.terms[id as usize].1.push(Posting {
                    doc,
                    weight: damp(w),
                });
            }
            for (word, w) in exact_w.drain() {
                idx.exact
                    .entry(word.into_boxed_str())
                    .or_default()
                    .push(Posting {
                        doc,
                        weight: damp(w),
                    });
            }
            for (&key, &w) in &pair_w {
                idx.pairs.entry(key).or_default().push(Posting {
                    doc,
                    weight: damp(w),
                });
            }
            idx.docs.push(d);
        }
        for (_, p) in &mut idx.terms {
            p.shrink_to_fit();
        }
        idx.exact.values_mut().for_each(Vec::shrink_to_fit);
        idx.pairs.values_mut().for_each(Vec::shrink_to_fit);
        idx.exact.shrink_to_fit();
        idx.pairs.shrink_to_fit();
        for (id, (term, _)) in idx.terms.iter().enumerate() {
            let n = term.chars().count();
            if idx.by_len.len() <= n {
                idx.by_len.resize(n + 1, Vec::new());
            }
            idx.by_len[n].push(id as u32);
        }
        idx
    }

    fn id_of(&mut self, folded: String) -> u32 {
        if let Some(&id) = self.ids.get(folded.as_str()) {
            return id;
        }
        let id = self.terms.len() as u32;
        let key: Box<str> = folded.into_boxed_str();
        self.ids.insert(key.clone(), id);
        self.terms.push((key, Vec::new()));
        id
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

    /// Numbers of the vocabulary words one edit away from `term` (not `term` itself).
    fn near(&self, term: &str) -> Vec<u32> {
        let n = term.chars().count();
        let mut out = Vec::new();
        for len in n.saturating_sub(1)..=n + 1 {
            if let Some(bucket) = self.by_len.get(len) {
                out.extend(bucket.iter().copied().filter(|&id| {
                    let v = self.terms[id as usize].0.as_ref();
                    v != term && one_edit(term, v)
                }));
            }
        }
        out
    }

    /// The best `limit` results for a query, best first.
    pub fn search(&self, query: &str, limit: usize) -> Results<'_> {
        let query = hocvuso_domain::text::nfc(query);
        let tokens = expand_short_forms(
            words(&query)
                .map(|(s, e)| {
                    let lower = query[s..e].to_lowercase();
                    let f = fold(&lower);
                    (lower, f)
                })
                .take(12),
        );
        if tokens.is_empty() || self.docs.is_empty() {
            return Results::default();
        }
        let n = self.docs.len();
        let mut score = vec![0.0f32; n];
        let mut matched = vec![0u16; n];
        // Folded words a result may highlight (the query's and the typo matches found).
        let mut marks: HashSet<String> = HashSet::new();
        let mut best_for_token = vec![0.0f32; n];
        let mut token_ids: Vec<Option<u32>> = Vec::with_capacity(tokens.len());
        for (lower, f) in &tokens {
            best_for_token.iter_mut().for_each(|s| *s = 0.0);
            let id = self.ids.get(f.as_str()).copied();
            token_ids.push(id);
            if let Some(id) = id {
                marks.insert(f.clone());
                let postings = &self.terms[id as usize].1;
                let idf = self.idf(postings);
                for p in postings {
                    best_for_token[p.doc as usize] += idf * p.weight;
                }
                // Typed with diacritics: texts with exactly these diacritics score higher.
                if lower != f {
                    if let Some(exact) = self.exact.get(lower.as_str()) {
                        let idf = self.idf(exact);
                        for p in exact {
                            best_for_token[p.doc as usize] += EXACT_BONUS * idf * p.weight;
                        }
                    }
                }
            }
            // A word the texts do not have may be a typo: try the words one edit away.
            if id.is_none() && f.chars().count() >= TYPO_MIN_CHARS {
                for near in self.near(f) {
                    let (term, postings) = &self.terms[near as usize];
                    marks.insert(term.to_string());
                    let idf = self.idf(postings);
                    for p in postings {
                        let s = &mut best_for_token[p.doc as usize];
                        *s = s.max(TYPO_FACTOR * idf * p.weight);
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
        for pair in token_ids.windows(2) {
            if let [Some(a), Some(b)] = pair {
                if let Some(postings) = self.pairs.get(&pair_key(*a, *b)) {
                    let idf = self.idf(postings);
                    for p in postings {
                        score[p.doc as usize] += PAIR_FACTOR * idf * p.weight;
                    }
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
        // Texts far below the best one matched only a common word or two ("toan" of "an
        // toàn" for "thanh toan qr"); showing them buries nothing but costs the reader.
        let top = ranked.first().map_or(0.0, |r| r.1);
        ranked.retain(|r| r.1 >= RELATIVE_FLOOR * top);
        ranked.truncate(limit);
        let hits = ranked
            .into_iter()
            .map(|(i, s)| {
                let doc = &self.docs[i as usize];
                Hit {
                    index: i as usize,
                    doc,
                    score: s,
                    title_html: highlight(&doc.title, &marks),
                }
            })
            .collect();
        Results { hits, marks }
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

fn is_mark(word: &str, marks: &HashSet<String>) -> bool {
    marks.contains(&fold(&word.to_lowercase()))
}

/// `text`, HTML-escaped, with every word whose folded form is in `marks` wrapped in `<mark>`.
pub fn highlight(text: &str, marks: &HashSet<String>) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut last = 0;
    for (s, e) in words(text) {
        if is_mark(&text[s..e], marks) {
            crate::services::shared::markdown::escape_into(&mut out, &text[last..s]);
            out.push_str("<mark>");
            crate::services::shared::markdown::escape_into(&mut out, &text[s..e]);
            out.push_str("</mark>");
            last = e;
        }
    }
    crate::services::shared::markdown::escape_into(&mut out, &text[last..]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::shared::markdown::plain_text;

    fn doc(title: &str, body: &str) -> (SearchDoc, String) {
        (
            SearchDoc {
                kind: DocKind::Article,
                url: format!("/so-tay/{}", fold(title).replace(' ', "-")),
                title: title.to_owned(),
                context: String::new(),
                keywords: String::new(),
                summary: String::new(),
            },
            body.to_owned(),
        )
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
                .hits
                .first()
                .map(|h| h.doc.title.clone())
                .unwrap_or_default()
        };
        assert_eq!(first("dich vu cong"), "Dịch vụ công trực tuyến");
        assert_eq!(first("THANH TOAN qr"), "Thanh toán bằng mã QR");
        assert_eq!(first("cá"), "Cá kho");
        assert_eq!(first("ca hát"), "Ca hát");
        assert_eq!(first("thanh toasn"), "Thanh toán bằng mã QR", "one typo");
        assert!(idx.search("xyzxyz", 5).hits.is_empty());
        let results = idx.search("dich vu", 1);
        let hit = &results.hits[0];
        assert!(hit.title_html.contains("<mark>Dịch</mark> <mark>vụ</mark>"));
        let snip = snippet("Nộp hồ sơ trên cổng dịch vụ công.", &results.marks, 28);
        assert!(snip.contains("<mark>dịch</mark>"), "{snip}");
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
    fn check_blocks_never_reach_the_index_or_a_snippet() {
        let t = plain_text(
            "Đọc kỹ tin nhắn.\n\n```kiem-tra\nTin nhắn trúng thưởng?\n- [ ] Bấm link\n- [x] Xoá tin nhắn\n> Lừa đảo.\n```\n\nHết bài.\n",
        );
        assert!(
            t.contains("Đọc kỹ tin nhắn") && t.contains("Hết bài"),
            "{t}"
        );
        for leaked in ["[x]", "Xoá tin nhắn", "Bấm link", "trúng thưởng", "Lừa đảo"] {
            assert!(!t.contains(leaked), "{leaked} leaked into {t}");
        }
        // An unclosed check block hides the rest too (never its answers).
        let t = plain_text("Mở đầu.\n\n```kiem-tra\nHỏi?\n- [x] đúng\n");
        assert!(!t.contains("đúng"), "{t}");
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
