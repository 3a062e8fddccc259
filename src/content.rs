//! The curriculum shipped in `content/` (embedded at build time by `build.rs`):
//! `courses/<slug>/course.toml`, `lessons/*.md` and `quiz.toml`. See `content/README.md`.

use serde::{Deserialize, Serialize};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/content_files.rs"));
}

/// A fingerprint of the shipped content (computed at build time): the seed records it, and a
/// start whose content was already seeded skips reading it again.
pub const FINGERPRINT: &str = embedded::FINGERPRINT;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CourseFile {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub level: String,
    pub pass_percent: i32,
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_for: Vec<String>,
    pub license: String,
    /// Where the course is taught when it is taught on another platform (e.g. the national
    /// platform): such a course has no lessons or quiz here and is completed only through
    /// imported results.
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    /// The slug of a course on this platform whose requirement a completion of this course
    /// also meets (the national platform's basic course counts as ours).
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts_as: Option<String>,
    /// Each lesson opens once the one before it is read.
    #[serde(default)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sequential: bool,
    /// The quiz opens once every lesson is read.
    #[serde(default)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub require_lessons: bool,
    #[serde(default)]
    pub lessons: Vec<LessonEntry>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LessonEntry {
    pub file: String,
    /// The module (part of the course) the lesson belongs to; consecutive lessons with the
    /// same module title form one module.
    #[serde(default)]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub module: String,
    pub title: String,
    pub minutes: i32,
    /// Codes of the national digital-competence framework the lesson builds (`4.2`, …).
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub competences: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuizFile {
    /// Questions drawn at random for each attempt (default: every question of the bank).
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draw: Option<usize>,
    /// Attempts a learner may start (default: no limit).
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<usize>,
    /// Minutes to submit an attempt, enforced on the server (default: no limit).
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes: Option<usize>,
    /// Questions drawn per competence before the rest: `[draw_by]` with `"4.2" = 4` puts at
    /// least four questions tagged 4.2 in every attempt.
    #[serde(default)]
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub draw_by: std::collections::BTreeMap<String, usize>,
    pub questions: Vec<QuestionEntry>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionEntry {
    pub prompt: String,
    pub options: Vec<String>,
    /// `correct = 1`: the one right option (0-based); `correct = [0, 2]`: a question where the
    /// learner must choose every right option ("chọn tất cả phương án đúng").
    pub correct: Correct,
    pub explanation: String,
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub competences: Vec<String>,
}

/// The right option(s) of a question.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Correct {
    One(usize),
    All(Vec<usize>),
}

impl Correct {
    pub fn indexes(&self) -> Vec<usize> {
        match self {
            Correct::One(i) => vec![*i],
            Correct::All(v) => v.clone(),
        }
    }

    pub fn is_multiple(&self) -> bool {
        matches!(self, Correct::All(_))
    }
}

/// One course ready to load.
#[derive(Debug)]
pub struct CourseContent {
    pub course: CourseFile,
    /// Lesson entries with their Markdown bodies, in order.
    pub lessons: Vec<(LessonEntry, String)>,
    pub quiz: QuizFile,
}

#[derive(Debug, thiserror::Error)]
#[error("content/{path}: {message}")]
pub struct ContentError {
    pub path: String,
    pub message: String,
}

fn file(path: &str) -> Option<&'static str> {
    embedded::FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

fn err(path: &str, message: impl Into<String>) -> ContentError {
    ContentError {
        path: path.to_owned(),
        message: message.into(),
    }
}

fn check_competences(path: &str, codes: &[String]) -> Result<(), ContentError> {
    match codes
        .iter()
        .find(|c| hocvuso_domain::competence::name_of(c).is_none())
    {
        Some(c) => Err(err(
            path,
            format!("unknown competence \"{c}\" (codes 1.1 … 6.3 of Thông tư 02/2025/TT-BGDĐT)"),
        )),
        None => Ok(()),
    }
}

/// Reads one course folder (`course.toml`, `lessons/*.md`, `quiz.toml`) and checks it. `read`
/// gets a path inside the folder; `at` names the folder in error messages; `dir` is the folder's
/// own name, which must equal the course's slug.
pub fn parse_course(
    dir: &str,
    at: &str,
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<CourseContent, ContentError> {
    let path = format!("{at}/course.toml");
    let path = path.as_str();
    let text = read("course.toml").ok_or_else(|| err(path, "missing course.toml"))?;
    let course: CourseFile = toml::from_str(&text).map_err(|e| err(path, e.to_string()))?;
    if course.slug != dir {
        return Err(err(
            path,
            format!("slug \"{}\" must equal the folder name", course.slug),
        ));
    }
    if !is_slug(&course.slug) {
        return Err(err(
            path,
            "slug: lower-case letters, digits and hyphens only",
        ));
    }
    if !(1..=100).contains(&course.pass_percent) {
        return Err(err(path, "pass_percent must be between 1 and 100"));
    }
    for g in &course.required_for {
        if hocvuso_domain::TargetGroup::from_code(g).is_none() {
            return Err(err(path, format!("unknown target group \"{g}\"")));
        }
    }
    if let Some(url) = &course.external_url {
        if !url.starts_with("https://") {
            return Err(err(path, "external_url must be an https:// address"));
        }
        if !course.lessons.is_empty() || read("quiz.toml").is_some() {
            return Err(err(
                path,
                "a course taught elsewhere (external_url) has no lessons or quiz here",
            ));
        }
        return Ok(CourseContent {
            course,
            lessons: Vec::new(),
            quiz: QuizFile {
                draw: None,
                attempts: None,
                minutes: None,
                draw_by: Default::default(),
                questions: Vec::new(),
            },
        });
    }
    if course.lessons.is_empty() {
        return Err(err(path, "a course needs at least one lesson"));
    }
    let mut lessons = Vec::new();
    for entry in &course.lessons {
        let lesson_path = format!("{at}/lessons/{}", entry.file);
        let plain = entry.file.ends_with(".md")
            && !entry.file.starts_with('.')
            && !entry.file.contains(['/', '\\']);
        if !plain {
            return Err(err(
                path,
                format!("lesson file \"{}\": a plain name ending in .md", entry.file),
            ));
        }
        if entry.title.trim().is_empty() || !(1..=240).contains(&entry.minutes) {
            return Err(err(
                path,
                format!(
                    "lesson {}: needs a title and minutes from 1 to 240",
                    entry.file
                ),
            ));
        }
        let body = read(&format!("lessons/{}", entry.file))
            .ok_or_else(|| err(&lesson_path, "missing lesson file"))?;
        if let Some(e) = crate::services::shared::markdown::check_errors(&body)
            .into_iter()
            .next()
        {
            return Err(err(&lesson_path, e));
        }
        check_competences(path, &entry.competences)?;
        lessons.push((entry.clone(), body));
    }
    let quiz_path = format!("{at}/quiz.toml");
    let quiz_text = read("quiz.toml").ok_or_else(|| err(&quiz_path, "missing quiz"))?;
    let quiz: QuizFile = toml::from_str(&quiz_text).map_err(|e| err(&quiz_path, e.to_string()))?;
    if quiz.questions.is_empty() {
        return Err(err(&quiz_path, "a quiz needs at least one question"));
    }
    if let Some(n) = quiz.draw {
        if n == 0 || n > quiz.questions.len() {
            return Err(err(
                &quiz_path,
                format!(
                    "draw = {n}: must be between 1 and the {} questions of the bank",
                    quiz.questions.len()
                ),
            ));
        }
    }
    if quiz.attempts == Some(0) {
        return Err(err(&quiz_path, "attempts must be at least 1"));
    }
    for (code, n) in &quiz.draw_by {
        let tagged = quiz
            .questions
            .iter()
            .filter(|q| q.competences.contains(code))
            .count();
        if hocvuso_domain::competence::name_of(code).is_none() || *n == 0 || *n > tagged {
            return Err(err(
                &quiz_path,
                format!("draw_by \"{code}\" = {n}: a known competence, and 1 to the {tagged} questions tagged with it"),
            ));
        }
    }
    let quotas: usize = quiz.draw_by.values().sum();
    if quotas > quiz.draw.unwrap_or(quiz.questions.len()) {
        return Err(err(
            &quiz_path,
            format!("draw_by asks {quotas} questions, more than an attempt has"),
        ));
    }
    if quiz.minutes.is_some_and(|m| !(1..=600).contains(&m)) {
        return Err(err(&quiz_path, "minutes must be between 1 and 600"));
    }
    for (i, q) in quiz.questions.iter().enumerate() {
        check_competences(&quiz_path, &q.competences)?;
        if let Some(o) = q.options.iter().find(|o| {
            o.starts_with("![") && crate::services::shared::markdown::option_image(o).is_none()
        }) {
            return Err(err(
                &quiz_path,
                format!(
                    "question {}: picture option {o:?} must be ![description](/anh/name)",
                    i + 1
                ),
            ));
        }
        let right = q.correct.indexes();
        let mut unique = right.clone();
        unique.sort_unstable();
        unique.dedup();
        if q.options.len() < 2
            || right.is_empty()
            || unique.len() != right.len()
            || right.iter().any(|&r| r >= q.options.len())
            || (q.correct.is_multiple() && right.len() == q.options.len())
        {
            return Err(err(
                &quiz_path,
                format!(
                    "question {}: needs 2+ options and `correct` indexing one (or a list of different ones, not all)",
                    i + 1
                ),
            ));
        }
    }
    Ok(CourseContent {
        course,
        lessons,
        quiz,
    })
}

/// Every shipped course, validated.
pub fn shipped_courses() -> Result<Vec<CourseContent>, ContentError> {
    let mut out = Vec::new();
    for (path, _) in embedded::FILES {
        let Some(dir) = path
            .strip_prefix("courses/")
            .and_then(|p| p.strip_suffix("/course.toml"))
        else {
            continue;
        };
        let read = |rel: &str| file(&format!("courses/{dir}/{rel}")).map(str::to_owned);
        out.push(parse_course(dir, &format!("courses/{dir}"), &read)?);
    }
    // Courses that count as no other first, so that `counts_as` names a course already loaded;
    // then the other courses taught here (a primary pupils' course that counts as the students'
    // course), then those taught elsewhere.
    out.sort_by_key(|c| {
        (
            c.course.external_url.is_some(),
            c.course.counts_as.is_some(),
        )
    });
    for c in &out {
        if let Some(target) = &c.course.counts_as {
            let ok = out.iter().any(|o| {
                &o.course.slug == target
                    && o.course.external_url.is_none()
                    && o.course.counts_as.is_none()
            });
            if !ok {
                return Err(err(
                    &format!("courses/{}/course.toml", c.course.slug),
                    format!(
                        "counts_as \"{target}\" must name a course taught here that counts as no other"
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// `handbook/chapters.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChaptersFile {
    pub chapters: Vec<ChapterEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChapterEntry {
    pub slug: String,
    pub title: String,
    pub summary: String,
}

/// The TOML front matter of a handbook article (between `+++` lines).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleFront {
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    /// The day the content last changed (`"2026-11-25"`): what "Cập nhật ngày" says, never the
    /// day a database was made from it.
    pub updated: String,
}

/// One shipped article: `handbook/<chapter>/<NN>-<slug>.md`.
#[derive(Debug, Clone)]
pub struct ArticleContent {
    pub chapter: String,
    pub slug: String,
    pub position: i32,
    pub front: ArticleFront,
    /// `front.updated`, read.
    pub updated: chrono::NaiveDate,
    pub body: String,
}

/// The shipped handbook: chapters in order, articles, and illustrations (`handbook/images/*.svg`,
/// shown at `/anh/<name>`).
#[derive(Debug)]
pub struct HandbookContent {
    pub chapters: Vec<ChapterEntry>,
    pub articles: Vec<ArticleContent>,
    pub images: Vec<(String, &'static str)>,
}

/// Lowercase ASCII letters, digits and single hyphens: the shape of every slug and file name.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Splits `+++\n<toml>\n+++\n<body>`.
pub fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("+++\n")?;
    let end = rest.find("\n+++\n")?;
    Some((&rest[..end], &rest[end + 5..]))
}

/// The names of the images an article shows (`![…](/anh/<name>)`).
pub fn image_names(body: &str) -> Vec<&str> {
    body.split("](/anh/")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .collect()
}

/// The shipped handbook, validated: every article in a known chapter, unique slugs, no raw
/// HTML, related articles and images that exist.
pub fn shipped_handbook() -> Result<HandbookContent, ContentError> {
    let chapters_path = "handbook/chapters.toml";
    let chapters: ChaptersFile =
        toml::from_str(file(chapters_path).ok_or_else(|| err(chapters_path, "missing"))?)
            .map_err(|e| err(chapters_path, e.to_string()))?;
    let mut images = Vec::new();
    let mut articles: Vec<ArticleContent> = Vec::new();
    for (path, text) in embedded::FILES {
        let Some(rest) = path.strip_prefix("handbook/") else {
            continue;
        };
        if let Some(name) = rest.strip_prefix("images/") {
            let stem = name.strip_suffix(".svg").unwrap_or("");
            if !is_slug(stem) || text.contains("<script") || text.contains("href=\"http") {
                return Err(err(path, "an image must be a plain .svg with a slug name"));
            }
            images.push((name.to_owned(), *text));
            continue;
        }
        let Some((chapter, file_name)) = rest.split_once('/') else {
            continue;
        };
        let Some(stem) = file_name.strip_suffix(".md") else {
            continue;
        };
        if !chapters.chapters.iter().any(|c| c.slug == chapter) {
            return Err(err(
                path,
                format!("chapter \"{chapter}\" is not in chapters.toml"),
            ));
        }
        let (number, slug) = stem
            .split_once('-')
            .ok_or_else(|| err(path, "name must be NN-<slug>.md"))?;
        let position: i32 = number
            .parse()
            .map_err(|_| err(path, "name must start with a number (NN-)"))?;
        if !is_slug(slug) {
            return Err(err(path, "the slug must be lowercase ASCII with hyphens"));
        }
        let (front, body) =
            split_front_matter(text).ok_or_else(|| err(path, "missing +++ front matter"))?;
        let front: ArticleFront = toml::from_str(front).map_err(|e| err(path, e.to_string()))?;
        let updated = chrono::NaiveDate::parse_from_str(&front.updated, "%Y-%m-%d")
            .map_err(|_| err(path, "updated must be a date written YYYY-MM-DD"))?;
        if body.contains('<') {
            return Err(err(path, "raw HTML (a '<') is not allowed"));
        }
        if articles.iter().any(|a| a.slug == slug) {
            return Err(err(path, format!("slug \"{slug}\" is used twice")));
        }
        articles.push(ArticleContent {
            chapter: chapter.to_owned(),
            slug: slug.to_owned(),
            position,
            front,
            updated,
            body: body.trim().to_owned(),
        });
    }
    for a in &articles {
        let path = format!("handbook/{}/{}", a.chapter, a.slug);
        for r in &a.front.related {
            if !articles.iter().any(|o| &o.slug == r) {
                return Err(err(
                    &path,
                    format!("related article \"{r}\" does not exist"),
                ));
            }
        }
        for name in image_names(&a.body) {
            if !images.iter().any(|(n, _)| n == name) {
                return Err(err(
                    &path,
                    format!("image \"{name}\" is not in handbook/images"),
                ));
            }
        }
    }
    Ok(HandbookContent {
        chapters: chapters.chapters,
        articles,
        images,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn shipped_content_is_valid() {
        let courses = super::shipped_courses().unwrap_or_else(|e| panic!("{e}"));
        let basic = courses
            .iter()
            .find(|c| c.course.slug == "ky-nang-so-co-ban")
            .unwrap_or_else(|| panic!("the basic course is shipped"));
        assert!(basic.lessons.len() >= 3);
        assert!(basic.quiz.questions.len() >= 5);
        assert_eq!(
            basic.course.required_for,
            vec![
                "adults".to_owned(),
                "officials".to_owned(),
                "armed_forces".to_owned()
            ]
        );
        // Every group of the plan can reach its target: some course taught here is required.
        for g in hocvuso_domain::TargetGroup::ALL {
            assert!(
                courses.iter().any(|c| c.course.external_url.is_none()
                    && c.course.required_for.iter().any(|r| r == g.code())),
                "no course is required for {}",
                g.code()
            );
        }
        // Every course has its own bank of at least 40 questions (issue 24).
        for c in courses.iter().filter(|c| c.course.external_url.is_none()) {
            assert!(
                c.quiz.questions.len() >= 40,
                "{} has {} questions",
                c.course.slug,
                c.quiz.questions.len()
            );
        }
        for (_, body) in &basic.lessons {
            assert!(!body.contains('<'), "lessons are Markdown without raw HTML");
        }
    }

    #[test]
    fn shipped_handbook_is_valid() {
        let h = super::shipped_handbook().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            h.chapters.len() >= 13,
            "the chapters the province asked for"
        );
        assert!(h.articles.len() >= 25, "at least 25 articles");
        for c in &h.chapters {
            assert!(
                h.articles.iter().any(|a| a.chapter == c.slug),
                "chapter {} has no article",
                c.slug
            );
        }
        for a in &h.articles {
            let words = a.body.split_whitespace().count();
            assert!(words <= 650, "{} has {words} words", a.slug);
            assert_eq!(
                a.body,
                hocvuso_domain::text::nfc(&a.body),
                "{} is NFC",
                a.slug
            );
        }
        assert!(h
            .articles
            .iter()
            .any(|a| !super::image_names(&a.body).is_empty()));
    }

    #[test]
    fn front_matter_and_slugs() {
        assert_eq!(
            super::split_front_matter("+++\ntitle = \"a\"\n+++\nbody"),
            Some(("title = \"a\"", "body"))
        );
        assert_eq!(super::split_front_matter("no front"), None);
        assert!(super::is_slug("cai-dat-vneid"));
        assert!(!super::is_slug("Cài-đặt"));
        assert!(!super::is_slug("a--b"));
        assert_eq!(
            super::image_names("x ![a](/anh/b.svg) y ![c](/anh/d.png)"),
            vec!["b.svg", "d.png"]
        );
    }
}
