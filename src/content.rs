//! The curriculum shipped in `content/` (embedded at build time by `build.rs`):
//! `courses/<slug>/course.toml`, `lessons/*.md` and `quiz.toml`. See `content/README.md`.

use serde::Deserialize;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/content_files.rs"));
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseFile {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub level: String,
    pub pass_percent: i32,
    #[serde(default)]
    pub required_for: Vec<String>,
    pub license: String,
    pub lessons: Vec<LessonEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonEntry {
    pub file: String,
    pub title: String,
    pub minutes: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuizFile {
    pub questions: Vec<QuestionEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionEntry {
    pub prompt: String,
    pub options: Vec<String>,
    pub correct: usize,
    pub explanation: String,
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

/// Every shipped course, validated.
pub fn shipped_courses() -> Result<Vec<CourseContent>, ContentError> {
    let mut out = Vec::new();
    for (path, text) in embedded::FILES {
        let Some(dir) = path
            .strip_prefix("courses/")
            .and_then(|p| p.strip_suffix("/course.toml"))
        else {
            continue;
        };
        let course: CourseFile = toml::from_str(text).map_err(|e| err(path, e.to_string()))?;
        if course.slug != dir {
            return Err(err(
                path,
                format!("slug \"{}\" must equal the folder name", course.slug),
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
        let mut lessons = Vec::new();
        for entry in &course.lessons {
            let lesson_path = format!("courses/{dir}/lessons/{}", entry.file);
            let body =
                file(&lesson_path).ok_or_else(|| err(&lesson_path, "missing lesson file"))?;
            lessons.push((
                LessonEntry {
                    file: entry.file.clone(),
                    title: entry.title.clone(),
                    minutes: entry.minutes,
                },
                body.to_owned(),
            ));
        }
        let quiz_path = format!("courses/{dir}/quiz.toml");
        let quiz_text = file(&quiz_path).ok_or_else(|| err(&quiz_path, "missing quiz"))?;
        let quiz: QuizFile =
            toml::from_str(quiz_text).map_err(|e| err(&quiz_path, e.to_string()))?;
        if quiz.questions.is_empty() {
            return Err(err(&quiz_path, "a quiz needs at least one question"));
        }
        for (i, q) in quiz.questions.iter().enumerate() {
            if q.options.len() < 2 || q.correct >= q.options.len() {
                return Err(err(
                    &quiz_path,
                    format!(
                        "question {}: needs 2+ options and `correct` indexing one",
                        i + 1
                    ),
                ));
            }
        }
        out.push(CourseContent {
            course,
            lessons,
            quiz,
        });
    }
    Ok(out)
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
        assert_eq!(basic.course.required_for, vec!["adults".to_owned()]);
        for (_, body) in &basic.lessons {
            assert!(!body.contains('<'), "lessons are Markdown without raw HTML");
        }
    }
}
